"""The public transparency pages of draws, and the charts they show."""

import csv
import io
import json
import re
import xml.dom.minidom
from datetime import datetime

import pytest

from consultation import charts, sortition
from consultation.extensions import db
from consultation.panels.models import (
    Draw,
    DrawKind,
    DrawStatus,
    Panel,
    PanelStatus,
    Volunteer,
)

# Six volunteers over two features; two of them share a household.
POOL = [
    ("V-AAAA222", {"genre": "femme", "age": "jeune"}, "H-HHHH222"),
    ("V-BBBB333", {"genre": "femme", "age": "ancien"}, None),
    ("V-CCCC444", {"genre": "femme", "age": "jeune"}, "H-HHHH222"),
    ("V-DDDD555", {"genre": "homme", "age": "jeune"}, None),
    ("V-EEEE666", {"genre": "homme", "age": "ancien"}, None),
    ("V-FFFF777", {"genre": "homme", "age": "ancien"}, None),
]
QUOTAS = [
    {"feature": "age", "value": "ancien", "min": 0, "max": 1},
    {"feature": "age", "value": "jeune", "min": 1, "max": 2},
    {"feature": "genre", "value": "femme", "min": 1, "max": 1},
    {"feature": "genre", "value": "homme", "min": 1, "max": 1},
]
SEATS = 2
SEED = "4217"
LOTTERY_SIZE = 12

# Personal data that must never reach a public page or file.
PERSONAL = {
    "V-AAAA222": (
        "EXT-PRIV-0001",
        "Margaux Lefébure-Testard",
        "margaux.lefebure@courriel-prive.fr",
        "14 impasse des Glycines",
    ),
    "V-BBBB333": (
        "EXT-PRIV-0002",
        "Yannick Quéméneur",
        "y.quemeneur@boite-perso.bzh",
        "3 allée du Moulin Vert",
    ),
    "V-CCCC444": (
        "EXT-PRIV-0003",
        "Solène Quéméneur",
        "solene.q@boite-perso.bzh",
        "14 impasse des Glycines",
    ),
    "V-DDDD555": (
        "EXT-PRIV-0004",
        "Théodore Abgrall",
        "theo.abgrall@fournisseur.example",
        "27 quai de la Prévalaye",
    ),
    "V-EEEE666": (
        "EXT-PRIV-0005",
        "Anne-Sophie Kerbrat",
        "askerbrat@fournisseur.example",
        "8 rue Saint-Hélier",
    ),
    "V-FFFF777": (
        "EXT-PRIV-0006",
        "Jean-Baptiste Ollivro",
        "jb.ollivro@courriel-prive.fr",
        "5 boulevard de Verdun",
    ),
}
PANEL_NAME = "Assemblée citoyenne des mobilités"


def inputs(forced=(), excluded=(), context=None) -> dict:
    return {
        "people": [
            {"id": code, "features": features, "household": household}
            for code, features, household in POOL
        ],
        "quotas": QUOTAS,
        "seats": SEATS,
        "forced": sorted(forced),
        "excluded": sorted(excluded),
        "context": context or {},
    }


def engine_result(seed: str = SEED) -> dict:
    """The engine's result on the pool, with a lottery small enough to read."""
    people = [sortition.Person(code, features, household) for code, features, household in POOL]
    quotas = [sortition.Quota(q["feature"], q["value"], q["min"], q["max"]) for q in QUOTAS]
    return sortition.draw(
        people, quotas, SEATS, seed, lottery_size=LOTTERY_SIZE, reserves=2
    ).to_dict()


@pytest.fixture
def published(app):
    """A panel with its six volunteers and a finished, published draw; returns their ids."""
    result = engine_result()
    with app.app_context():
        panel = Panel(
            name=PANEL_NAME,
            seats=SEATS,
            code_salt="0" * 32,
            status=PanelStatus.DRAWN,
            address_columns=["adresse"],
        )
        db.session.add(panel)
        db.session.flush()
        for line, (code, features, household) in enumerate(POOL, start=2):
            external_id, name, email, street = PERSONAL[code]
            db.session.add(
                Volunteer(
                    panel_id=panel.id,
                    external_id=external_id,
                    code=code,
                    features=features,
                    contact={"name": name, "email": email},
                    address={"adresse": street, "code_postal": "35700"},
                    household_code=household,
                    line=line,
                )
            )
        draw = Draw(
            panel_id=panel.id,
            kind=DrawKind.INITIAL,
            status=DrawStatus.DONE,
            progress="done",
            seed=SEED,
            algorithm="leximin",
            seats=SEATS,
            reserves_wanted=2,
            fingerprint=result["fingerprint"],
            min_probability=result["min_probability"],
            mean_probability=result["mean_probability"],
            inputs=inputs(),
            result=result,
            created_at=datetime(2025, 3, 14, 9, 30),
            finished_at=datetime(2025, 3, 14, 9, 31),
        )
        db.session.add(draw)
        db.session.commit()
        return {"panel": panel.id, "draw": draw.id, "result": result}


def add_draw(app, panel_id: int, **fields) -> int:
    values = {
        "kind": DrawKind.INITIAL,
        "seed": "999",
        "algorithm": "leximin",
        "seats": SEATS,
        "inputs": inputs(),
    }
    values.update(fields)
    with app.app_context():
        draw = Draw(panel_id=panel_id, **values)
        db.session.add(draw)
        db.session.commit()
        return draw.id


@pytest.fixture
def client(client):
    """A signed-out visitor whose browser asks for English."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def table_rows(page: str, caption_start: str) -> list[list[str]]:
    """The body rows of the table whose caption starts with ``caption_start``, as cell texts."""
    match = re.search(
        r"<caption>" + re.escape(caption_start) + r".*?</caption>(.*?)</table>", page, re.S
    )
    assert match, f"no table captioned {caption_start!r}"
    body = match.group(1).split("<tbody>")[1]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


# ---------------------------------------------------------------- the page


def test_page_is_public_and_shows_how_the_draw_was_made(client, published):
    response = client.get(f"/draws/{published['draw']}")
    assert response.status_code == 200
    page = text(response)
    result = published["result"]
    assert PANEL_NAME in page
    assert SEED in page
    assert result["fingerprint"] in page
    assert "This draw checks out." in page
    assert "does not check out" not in page
    # The seed is only digits: the ticket is the seed modulo M, spelled out.
    assert f"{SEED} modulo {LOTTERY_SIZE} = {int(SEED) % LOTTERY_SIZE}" in page
    assert f"row {result['panel_index'] + 1} of the list" in page
    for code in result["selected"]:
        assert code in page
    assert f"/draws/{published['draw']}/lottery.csv" in page
    assert f"/draws/{published['draw']}/verification.json" in page


def test_page_has_a_table_row_per_quota_value(client, published):
    page = text(client.get(f"/draws/{published['draw']}"))
    selected = published["result"]["selected"]
    features = {code: f for code, f, _h in POOL}
    for feature, values in (("genre", ["femme", "homme"]), ("age", ["ancien", "jeune"])):
        rows = table_rows(page, f"Panel composition by {feature}")
        assert [row[0] for row in rows] == values
        for row in rows:
            quota = next(q for q in QUOTAS if q["feature"] == feature and q["value"] == row[0])
            assert row[1] == str(sum(1 for c in selected if features[c][feature] == row[0]))
            assert row[2:4] == [str(quota["min"]), str(quota["max"])]
            assert row[4] == "50% (3 people)"  # every value is half of the pool
            assert row[5] == "Yes"


def test_charts_on_the_page_are_labelled_images(client, published):
    page = text(client.get(f"/draws/{published['draw']}"))
    svgs = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(svgs) == 3  # two features, one histogram
    for svg in svgs:
        assert 'role="img"' in svg
        ids = re.search(r'aria-labelledby="([^"]+)"', svg).group(1).split()
        for element_id, tag in zip(ids, ("title", "desc"), strict=True):
            assert f'<{tag} id="{element_id}">' in svg
        assert "style=" not in svg
        assert "<script" not in svg
    assert "<title" in svgs[0] and "Panel composition by" in svgs[0]
    assert "Selection probabilities of the volunteers" in svgs[2]
    # The histogram's table: every volunteer counted once (here all at one in three).
    rows = table_rows(page, "Volunteers by chance of being selected")
    assert len(rows) == 10
    assert sum(int(row[1]) for row in rows) == len(POOL)
    assert [row[1] for row in rows if row[1] != "0"] == ["6"]
    assert rows[3][0].startswith("from 30")


def test_percentages_follow_the_language(client, published):
    english = text(client.get(f"/draws/{published['draw']}"))
    french = text(client.get(f"/draws/{published['draw']}", headers={"Accept-Language": "fr"}))
    assert "33.33%" in english
    assert "33,33\u00a0%" in french


def test_unknown_draw_is_404(client, published):
    for suffix in ("", "/lottery.csv", "/verification.json", "/lookup?code=V-AAAA222"):
        assert client.get(f"/draws/{published['draw'] + 1000}{suffix}").status_code == 404


@pytest.mark.parametrize("status", [DrawStatus.QUEUED, DrawStatus.RUNNING, DrawStatus.FAILED])
def test_unfinished_draw_shows_a_notice_and_no_data(app, client, published, status):
    draw_id = add_draw(app, published["panel"], status=status, seed="55555")
    response = client.get(f"/draws/{draw_id}")
    assert response.status_code == 200
    page = text(response)
    assert "55555" in page
    if status is DrawStatus.FAILED:
        assert "This draw failed" in page
    else:
        assert "has not finished yet" in page
    assert "<svg" not in page
    assert "checks out" not in page
    assert "V-AAAA222" not in page
    assert client.get(f"/draws/{draw_id}/lottery.csv").status_code == 404
    assert client.get(f"/draws/{draw_id}/verification.json").status_code == 404
    lookup = text(client.get(f"/draws/{draw_id}/lookup?code=V-AAAA222"))
    assert "you were selected." not in lookup and "you were not selected." not in lookup


def test_tampered_draw_does_not_check_out(app, client, published):
    forged = dict(published["result"])
    forged["selected"] = ["V-AAAA222", "V-DDDD555"]  # a panel the seed did not pick
    draw_id = add_draw(
        app,
        published["panel"],
        status=DrawStatus.DONE,
        seed=SEED,
        fingerprint=forged["fingerprint"],
        result=forged,
        min_probability=forged["min_probability"],
        mean_probability=forged["mean_probability"],
    )
    page = text(client.get(f"/draws/{draw_id}"))
    assert "This draw does not check out." in page
    assert "the selected people are not the panel the seed picks" in page


def test_text_seed_explains_the_hash(app, client, published):
    result = engine_result(seed="place de la mairie")
    draw_id = add_draw(
        app,
        published["panel"],
        status=DrawStatus.DONE,
        seed=result["seed"],
        fingerprint=result["fingerprint"],
        result=result,
        min_probability=result["min_probability"],
        mean_probability=result["mean_probability"],
    )
    page = text(client.get(f"/draws/{draw_id}"))
    assert "This draw checks out." in page
    assert f"{result['fingerprint']}:place de la mairie" in page
    digest = sortition.seed_to_index("place de la mairie", result["fingerprint"], 2**256)
    assert f"{digest:064x}" in page
    assert int(digest) % LOTTERY_SIZE == result["ticket"]


def reserve_replacement(first: dict) -> tuple[list[str], str]:
    """(members who stay, reserve taken) when the first selected person leaves, per the engine."""
    people = [sortition.Person(code, features, household) for code, features, household in POOL]
    quotas = [sortition.Quota(q["feature"], q["value"], q["min"], q["max"]) for q in QUOTAS]
    leaving = first["selected"][0]
    found = sortition.replacement(
        people,
        quotas,
        SEATS,
        first["selected"],
        leaving,
        "reserve",
        reserves=first["reserves"],
        excluded=first["selected"],
    )
    assert found.source == "reserve"
    return [c for c in first["selected"] if c != leaving], found.person_id


def test_replacement_from_the_reserves_shows_the_reserve_and_the_rule(app, client, published):
    first = published["result"]
    reserves = first["reserves"]
    staying, pick = reserve_replacement(first)
    draw_id = add_draw(
        app,
        published["panel"],
        kind=DrawKind.REPLACEMENT,
        status=DrawStatus.DONE,
        seed="reserve",
        algorithm="reserve",
        fingerprint=first["fingerprint"],
        inputs=inputs(
            forced=staying,
            excluded=set(first["selected"]) - set(staying),
            context={"leaving": 1, "reserves": reserves, "reserve_draw": published["draw"]},
        ),
        result={"source": "reserve", "selected": [pick], "reserve_draw": published["draw"]},
    )
    page = text(client.get(f"/draws/{draw_id}"))
    assert f"The reserve taken is {pick}." in page
    assert "tried in their published order" in page
    assert "This draw checks out." in page
    assert f"/draws/{published['draw']}" in page
    assert "Size of the lottery" not in page
    states = [(row[1], row[2]) for row in table_rows(page, "Reserves in their published order")]
    position = reserves.index(pick)
    assert states[position] == (pick, "Taken")
    assert all(state.startswith("Skipped") for _c, state in states[:position])
    assert all(state == "Not needed" for _c, state in states[position + 1 :])
    assert "lottery.csv" not in page
    assert client.get(f"/draws/{draw_id}/lottery.csv").status_code == 404
    document = json.loads(client.get(f"/draws/{draw_id}/verification.json").data)
    assert document["inputs"]["context"]["reserves"] == reserves
    assert document["result"]["selected"] == [pick]
    lookup = text(client.get(f"/draws/{draw_id}/lookup?code={pick.lower()}"))
    assert "you were selected." in lookup
    # Had another reserve been seated, re-applying the rule would say so.
    other = next(r for r in reserves if r != pick)
    wrong = add_draw(
        app,
        published["panel"],
        kind=DrawKind.REPLACEMENT,
        status=DrawStatus.DONE,
        seed="reserve",
        algorithm="reserve",
        fingerprint=first["fingerprint"],
        inputs=inputs(
            forced=staying,
            excluded=set(first["selected"]) - set(staying),
            context={"leaving": 1, "reserves": reserves, "reserve_draw": published["draw"]},
        ),
        result={"source": "reserve", "selected": [other], "reserve_draw": published["draw"]},
    )
    assert "This draw does not check out." in text(client.get(f"/draws/{wrong}"))


# ---------------------------------------------------------------- downloads


def test_lottery_csv_lists_every_panel_with_its_ticket_numbers(client, published):
    response = client.get(f"/draws/{published['draw']}/lottery.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(text(response))))
    result = published["result"]
    assert list(rows[0]) == [
        "panel_number_from",
        "panel_number_to",
        "multiplicity",
        "probability",
        "members",
    ]
    assert [(row["members"].split(), int(row["multiplicity"])) for row in rows] == [
        (members, multiplicity) for members, multiplicity in result["lottery"]
    ]
    assert sum(int(row["multiplicity"]) for row in rows) == LOTTERY_SIZE
    expected_from = 0
    for row in rows:
        assert int(row["panel_number_from"]) == expected_from
        assert int(row["panel_number_to"]) == expected_from + int(row["multiplicity"]) - 1
        assert float(row["probability"]) == pytest.approx(int(row["multiplicity"]) / LOTTERY_SIZE)
        expected_from += int(row["multiplicity"])
    holder = next(
        row
        for row in rows
        if int(row["panel_number_from"]) <= result["ticket"] <= int(row["panel_number_to"])
    )
    assert holder["members"].split() == result["selected"]


def test_verification_json_is_enough_to_verify_the_draw(client, published):
    response = client.get(f"/draws/{published['draw']}/verification.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    document = json.loads(response.data)
    assert document["how_to_verify"]
    assert document["result"] == published["result"]
    data = document["inputs"]
    assert [p["id"] for p in data["people"]] == [code for code, _f, _h in POOL]
    assert data["quotas"] == QUOTAS and data["seats"] == SEATS
    # Verify with the engine alone, from the file.
    people = [sortition.Person(p["id"], p["features"], p["household"]) for p in data["people"]]
    quotas = [sortition.Quota(**q) for q in data["quotas"]]
    assert sortition.verify(people, quotas, data["seats"], document["result"]) == []

    def keys(node):
        if isinstance(node, dict):
            for key, value in node.items():
                yield key
                yield from keys(value)
        elif isinstance(node, list):
            for value in node:
                yield from keys(value)

    assert not {"email", "name", "address", "contact", "external_id", "adresse"} & set(
        keys(document)
    )


# ---------------------------------------------------------------- lookup


def test_lookup_shows_a_volunteers_chance_whatever_the_case(client, published):
    result = published["result"]
    reserve = result["reserves"][0]
    response = client.get(
        f"/draws/{published['draw']}/lookup", query_string={"code": "  " + reserve.lower() + " "}
    )
    assert response.status_code == 200
    page = text(response)
    assert f"<strong>{reserve}</strong>" in page
    assert "you were not selected." in page
    assert "Your chance of being selected in this draw was 33.33%." in page
    assert "You are reserve number 1" in page
    assert f'value="{reserve}"' in page  # the form keeps what was looked up
    chosen = result["selected"][0]
    page = text(client.get(f"/draws/{published['draw']}/lookup", query_string={"code": chosen[2:]}))
    assert "you were selected." in page


@pytest.mark.parametrize(
    "code, message",
    [
        ("V-ZZZZ999", "No volunteer with the code V-ZZZZ999 took part in this draw."),
        ("n'importe quoi <script>", "This does not look like a volunteer code"),
        ("", "Type your volunteer code."),
        ("V-" + "A" * 40, "much shorter"),
    ],
)
def test_lookup_of_a_wrong_code_says_so(client, published, code, message):
    response = client.get(f"/draws/{published['draw']}/lookup", query_string={"code": code})
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert "<script>" not in page.split("<main", 1)[1]
    assert "you were selected." not in page and "you were not selected." not in page


def test_no_personal_data_in_any_public_response(app, client, published):
    first = published["result"]
    staying, pick = reserve_replacement(first)
    reserve_draw = add_draw(
        app,
        published["panel"],
        kind=DrawKind.REPLACEMENT,
        status=DrawStatus.DONE,
        seed="reserve",
        algorithm="reserve",
        fingerprint=first["fingerprint"],
        inputs=inputs(
            forced=staying,
            excluded=set(first["selected"]) - set(staying),
            context={
                "leaving": 1,
                "reserves": first["reserves"],
                "reserve_draw": published["draw"],
            },
        ),
        result={"source": "reserve", "selected": [pick], "reserve_draw": published["draw"]},
    )
    paths = []
    for draw_id in (published["draw"], reserve_draw):
        paths += [
            f"/draws/{draw_id}",
            f"/draws/{draw_id}/verification.json",
            f"/draws/{draw_id}/lottery.csv",
        ]
        paths += [f"/draws/{draw_id}/lookup?code={code}" for code in PERSONAL]
    seen = 0
    for path in paths:
        response = client.get(path)
        if response.status_code == 404:
            continue  # the reserve pick has no lottery
        assert response.status_code == 200, path
        seen += 1
        body = text(response)
        body_json = json.dumps(body)  # catches \u-escaped accents too
        for external_id, name, email, street in PERSONAL.values():
            for secret in (external_id, name, email, street, email.split("@")[1]):
                assert secret not in body and secret not in body_json, (path, secret)
    assert seen == len(paths) - 1


# ---------------------------------------------------------------- charts alone


ROWS = [
    {"value": "femme", "selected": 3, "min": 2, "max": 4, "pool_share": 0.55, "seats": 6},
    {"value": "homme", "selected": 2, "min": 2, "max": 4, "pool_share": 0.4, "seats": 6},
    {"value": '<autre> & "x"', "selected": 1, "min": 0, "max": 1, "pool_share": 0.05, "seats": 6},
]


def test_composition_chart_is_valid_accessible_svg():
    svg = charts.composition_chart("genre <b>", ROWS)
    document = xml.dom.minidom.parseString(svg)  # well-formed, so every text is escaped
    root = document.documentElement
    assert root.tagName == "svg" and root.getAttribute("role") == "img"
    title_id, desc_id = root.getAttribute("aria-labelledby").split()
    titles = {e.getAttribute("id"): e for e in document.getElementsByTagName("title")}
    assert titles[title_id].firstChild.data == "Panel composition by genre <b>"
    desc = {e.getAttribute("id"): e for e in document.getElementsByTagName("desc")}[desc_id]
    assert "femme: 3 selected; quota 2 to 4; pool share gives 3.3." in desc.firstChild.data
    assert "style" not in svg
    # Distinct shapes: bars (rect), brackets (path), pool share (diamond polygons), + legend.
    assert len(document.getElementsByTagName("polygon")) == len(ROWS) + 1
    assert len(document.getElementsByTagName("path")) == 2 * (len(ROWS) + 1)
    texts = [t.firstChild.data for t in document.getElementsByTagName("text")]
    assert '<autre> & "x"' in texts
    assert {
        "Selected on the panel",
        "Quota range (minimum to maximum)",
        "Number in proportion to the pool",
    } <= set(texts)


def test_composition_chart_takes_translated_labels_and_ids():
    svg = charts.composition_chart(
        "age",
        ROWS,
        chart_id="c1",
        labels={"title": "Composition selon {feature}", "selected": "Tiré·es au sort"},
    )
    assert '<title id="c1-title">Composition selon age</title>' in svg
    assert "Tiré·es au sort" in svg
    assert charts.composition_chart("age", ROWS) != charts.composition_chart("genre", ROWS)


def test_probability_bins_and_histogram():
    probabilities = {"a": 0.0, "b": 0.05, "c": 0.1, "d": 0.333, "e": 0.999, "f": 1.0}
    bins = charts.probability_bins(probabilities)
    assert [b["count"] for b in bins] == [2, 1, 0, 1, 0, 0, 0, 0, 0, 2]
    assert bins[0]["low"] == 0 and bins[-1]["high"] == 1
    svg = charts.probability_histogram(probabilities, percent=lambda p: f"{p:.0%}")
    document = xml.dom.minidom.parseString(svg)
    assert document.documentElement.getAttribute("role") == "img"
    assert "0% to 10%: 2 volunteer(s)." in document.getElementsByTagName("desc")[0].firstChild.data
    assert (
        len(
            [
                r
                for r in document.getElementsByTagName("rect")
                if r.getAttribute("fill") == charts.BAR
            ]
        )
        == 4
    )


def test_composition_rows_come_from_the_published_inputs():
    rows = charts.composition_rows(inputs(), ["V-AAAA222", "V-EEEE666"], "genre")
    assert rows == [
        {
            "value": "femme",
            "selected": 1,
            "min": 1,
            "max": 1,
            "pool": 3,
            "pool_share": 0.5,
            "seats": SEATS,
        },
        {
            "value": "homme",
            "selected": 1,
            "min": 1,
            "max": 1,
            "pool": 3,
            "pool_share": 0.5,
            "seats": SEATS,
        },
    ]
    assert charts.quota_features(inputs()) == ["age", "genre"]
