"""The public JSON API: shapes, what is left out, pagination, caching and errors."""

import hashlib
import hmac
import re

import jsonschema_rs
import pytest

from consultation.api import openapi
from consultation.api.pseudonyms import PURPOSE, author_code
from consultation.extensions import db
from consultation.panels import transparency
from consultation.panels.models import Draw, DrawKind
from tests.api.conftest import AMENDED_TEXT, FORMULA_BODY, HIDDEN_BODY, PRIVATE_BODY

CODE = re.compile(r"A-[A-HJ-NP-Z2-9]{10}\Z")


def schema_validator(name: str):
    """A validator for one of the document's component schemas, formats checked."""
    document = openapi.document()
    return jsonschema_rs.Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": document["components"]},
        validate_formats=True,
    )


def endpoints(world) -> list[tuple[str, str]]:
    """Every API operation on the seeded data, with the schema of its answer."""
    m = world.manifesto
    return [
        ("/api/v1/referrals", "ReferralPage"),
        (f"/api/v1/referrals/{world.public_referral}", "Referral"),
        (f"/api/v1/referrals/{world.public_referral}/contributions", "ContributionPage"),
        ("/api/v1/manifestos", "ManifestoPage"),
        (f"/api/v1/manifestos/{m}", "Manifesto"),
        (f"/api/v1/manifestos/{m}/clause-versions", "ClauseVersionPage"),
        (f"/api/v1/manifestos/{m}/amendments", "AmendmentPage"),
        (f"/api/v1/manifestos/{m}/votes", "QuestionPage"),
        ("/api/v1/draws", "DrawPage"),
        (f"/api/v1/draws/{world.draw}", "Draw"),
    ]


def test_every_endpoint_answers_with_its_documented_shape(client, world):
    documented = set(openapi.document()["paths"])
    seen = set()
    for path, schema in endpoints(world):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.mimetype == "application/json"
        data = response.get_json()
        errors = [e.message for e in schema_validator(schema).iter_errors(data)]
        assert errors == [], (path, errors)
        if schema.endswith("Page"):
            assert data["items"], f"{path} published nothing to check"
            assert 'rel="first"' in response.headers["Link"]
        seen.add(re.sub(r"/\d+", lambda m: "/{id}", path))
    documented_shapes = {re.sub(r"\{\w+\}", "{id}", p) for p in documented}
    assert documented_shapes - seen == {"/api/v1/openapi.json"}


def test_the_openapi_document_is_served_and_describes_every_api_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert routes == set(document["paths"])
    for name in document["components"]["schemas"]:
        assert name in openapi.SCHEMAS


def test_only_public_readable_referrals_are_published(client, world):
    listed = client.get("/api/v1/referrals").get_json()
    assert [r["id"] for r in listed["items"]] == [world.public_referral]
    assert listed["total"] == 1
    for hidden in (world.private_referral, world.draft_referral):
        for path in (f"/api/v1/referrals/{hidden}", f"/api/v1/referrals/{hidden}/contributions"):
            response = client.get(path)
            assert response.status_code == 404, path
            assert response.get_json() == {"error": "No public referral has this id."}
    response = client.get(f"/api/v1/manifestos/{world.private_manifesto}")
    assert response.status_code == 404
    assert [m["id"] for m in client.get("/api/v1/manifestos").get_json()["items"]] == [
        world.manifesto
    ]
    everything = "".join(client.get(path).get_data(as_text=True) for path, _ in endpoints(world))
    assert PRIVATE_BODY not in everything
    assert "Saisine réservée" not in everything
    assert "Saisine en préparation" not in everything


def test_hidden_contributions_are_left_out_and_authors_are_codes(app, client, world):
    data = client.get(f"/api/v1/referrals/{world.public_referral}/contributions").get_json()
    by_id = {c["id"]: c for c in data["items"]}
    assert world.contributions["hidden"] not in by_id
    assert HIDDEN_BODY not in str(data)
    assert set(by_id) == {world.contributions[k] for k in ("root", "reply", "formula")}
    reply = by_id[world.contributions["reply"]]
    assert reply["parent_id"] == world.contributions["root"]
    assert reply["stance"] == "agree"
    assert by_id[world.contributions["root"]]["support_count"] == 1
    assert by_id[world.contributions["formula"]]["body"] == FORMULA_BODY
    referral = client.get(f"/api/v1/referrals/{world.public_referral}").get_json()
    assert referral["contribution_count"] == 3
    with app.app_context():
        first_member = world.members[0][0]
        assert by_id[world.contributions["root"]]["author"] == author_code(first_member)
    for item in data["items"]:
        assert CODE.match(item["author"])
        assert "Participant" not in str(item)


def test_an_author_keeps_one_code_across_datasets(client, world):
    contributions = client.get(f"/api/v1/referrals/{world.public_referral}/contributions")
    amendments = client.get(f"/api/v1/manifestos/{world.manifesto}/amendments")
    root = next(
        c for c in contributions.get_json()["items"] if c["id"] == world.contributions["root"]
    )
    first = next(a for a in amendments.get_json()["items"] if a["id"] == world.amendments[0])
    assert root["author"] == first["author"]  # both by the first member


def test_codes_are_a_keyed_hash_of_the_account(make_app):
    one, other = make_app(SECRET_KEY="first secret"), make_app(SECRET_KEY="second secret")
    with one.app_context():
        code = author_code(42)
        assert author_code(42) == code
        assert author_code(43) != code
    with other.app_context():
        assert author_code(42) != code
    digest = hmac.new(b"first secret", f"{PURPOSE}:42".encode(), hashlib.sha256).digest()
    assert CODE.match(code) and len(code) == 12
    assert int.from_bytes(digest[:8], "big") % 32 == "ABCDEFGHJKLMNPQRSTUVWXYZ23456789".index(
        code[2]
    )


def test_a_deleted_account_leaves_its_texts_without_a_code(app, client, world):
    from consultation.accounts.models import User, utcnow

    with app.app_context():
        db.session.get(User, world.members[0][0]).deleted_at = utcnow()
        db.session.commit()
    data = client.get(f"/api/v1/referrals/{world.public_referral}/contributions").get_json()
    root = next(c for c in data["items"] if c["id"] == world.contributions["root"])
    assert root["author"] is None
    assert root["body"] == "Publions tout."


def test_manifesto_text_history_and_amendments(client, world):
    manifesto = client.get(f"/api/v1/manifestos/{world.manifesto}").get_json()
    assert manifesto["status"] == "voting"
    first = manifesto["sections"][0]["clauses"][0]
    assert (first["number"], first["version"], first["text"]) == ("1.1", 2, AMENDED_TEXT)

    versions = client.get(f"/api/v1/manifestos/{world.manifesto}/clause-versions").get_json()
    of_first = [v for v in versions["items"] if v["clause_id"] == first["id"]]
    assert [(v["number"], v["source"]) for v in of_first] == [(1, "import"), (2, "amendment")]
    assert of_first[1]["amendment_id"] == world.amendments[0]
    assert of_first[0]["author"] is None  # the import has no author

    amendments = client.get(f"/api/v1/manifestos/{world.manifesto}/amendments").get_json()
    adopted, rival, deletion = amendments["items"]
    assert adopted["status"] == "accepted" and adopted["cosignatures"] == 1
    assert adopted["base_version"]["number"] == 1 and adopted["decided_at"]
    assert rival["rationale"] == "=1+1"
    assert deletion["kind"] == "delete" and deletion["proposed_text"] is None


def test_votes_publish_tallies_of_closed_questions_and_only_turnout_of_open_ones(client, world):
    data = client.get(f"/api/v1/manifestos/{world.manifesto}/votes").get_json()
    by_id = {q["id"]: q for q in data["items"]}
    closed = by_id[world.closed_question]
    assert closed["counts"] == {"for": 3, "against": 1, "abstain": 1}
    assert (closed["result"], closed["turnout"], closed["eligible"]) == ("adopted", 5, 5)
    judgment = by_id[world.judgment_question]["judgment"]
    assert judgment["voters"] == 4
    assert [sum(r["profile"]) for r in judgment["ranking"]] == [4, 4]
    assert judgment["winner_option_id"] == judgment["ranking"][0]["option_id"]
    still_open = by_id[world.open_question]
    assert still_open["turnout"] == 1
    assert (still_open["counts"], still_open["result"], still_open["judgment"]) == (
        None,
        None,
        None,
    )
    # Public ballots name their voters on the site; the open data never does.
    text = str(data)
    for _member, email in world.members:
        assert email not in text
    contributions = client.get(f"/api/v1/referrals/{world.public_referral}/contributions")
    for code in {c["author"] for c in contributions.get_json()["items"]}:
        assert code not in text


def test_draws_are_published_as_their_transparency_page_shows_them(app, client, world):
    with app.app_context():
        draw = db.session.get(Draw, world.draw)
        expected_lottery = transparency.lottery_rows(draw.result)
        expected_panel = transparency.panel_after(draw)
        queued = Draw(
            panel_id=world.panel,
            kind=DrawKind.REPLACEMENT,
            seed="1",
            algorithm="leximin",
            seats=1,
            inputs={},
        )
        db.session.add(queued)
        db.session.commit()
        queued_id = queued.id
    listed = client.get("/api/v1/draws").get_json()
    assert [d["id"] for d in listed["items"]] == [world.draw]
    assert "lottery" not in listed["items"][0]
    detail = client.get(f"/api/v1/draws/{world.draw}").get_json()
    assert detail["lottery"]["entries"] == expected_lottery
    assert detail["selected"] == expected_panel
    assert detail["seed"] == "20250314" and detail["seats"] == 8 and detail["pool_size"] == 24
    assert all(v["within"] for c in detail["composition"] for v in c["values"])
    assert {c["feature"] for c in detail["composition"]} == {"age", "genre"}
    assert client.get(f"/api/v1/draws/{queued_id}").status_code == 404


def add_contributions(app, world, n: int) -> None:
    from consultation.accounts.models import User
    from consultation.referrals import services
    from consultation.referrals.models import Referral

    with app.app_context():
        referral = db.session.get(Referral, world.public_referral)
        author = db.session.get(User, world.members[4][0])
        for i in range(n):
            services.post(referral, author, f"Contribution numéro {i}.")
        db.session.commit()


def test_pages_link_to_each_other_in_the_body_and_the_link_header(app, client, world):
    add_contributions(app, world, 4)  # seven visible in all
    base = f"/api/v1/referrals/{world.public_referral}/contributions"
    first = client.get(f"{base}?per_page=3")
    data = first.get_json()
    assert (data["page"], data["per_page"], data["total"], len(data["items"])) == (1, 3, 7, 3)
    assert data["prev"] is None
    assert data["next"].endswith(f"{base}?page=2&per_page=3")
    links = dict(
        (rel, url) for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', first.headers["Link"])
    )
    assert set(links) == {"first", "next", "last"}
    assert links["last"].endswith("page=3&per_page=3")

    second = client.get(data["next"]).get_json()
    assert second["page"] == 2 and len(second["items"]) == 3
    assert second["prev"].endswith("page=1&per_page=3")
    seen = [c["id"] for c in data["items"] + second["items"]]
    assert len(set(seen)) == 6 and seen == sorted(seen)

    last = client.get(f"{base}?page=3&per_page=3").get_json()
    assert len(last["items"]) == 1 and last["next"] is None
    beyond = client.get(f"{base}?page=9&per_page=3").get_json()
    assert beyond["items"] == [] and beyond["prev"].endswith("page=3&per_page=3")
    assert len(client.get(f"{base}?per_page=200").get_json()["items"]) == 7
    assert client.get(base).get_json()["per_page"] == 50


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=-1",
        "page=abc",
        "page=1.5",
        "page=",
        "page=99999999999999999999",
        "page=%EF%BC%91",  # a full-width digit one: int() would take it
        "per_page=0",
        "per_page=201",
        "per_page=1e2",
        "per_page=%20%205",
    ],
)
def test_bad_page_parameters_get_a_json_400(client, world, query):
    for path in ("/api/v1/referrals", f"/api/v1/manifestos/{world.manifesto}/votes"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        assert response.mimetype == "application/json"
        assert set(response.get_json()) == {"error"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/referrals/999",
        "/api/v1/referrals/999/contributions",
        "/api/v1/referrals/99999999999999",
        "/api/v1/manifestos/999",
        "/api/v1/manifestos/999/clause-versions",
        "/api/v1/manifestos/999/amendments",
        "/api/v1/manifestos/999/votes",
        "/api/v1/draws/999",
        "/api/v1/draws/abc",
        "/api/v1/nothing/here",
        "/api/v1/",
        "/api/v1",
        "/api/v1/manifestos/a%0Ab/amendments",
    ],
)
def test_unknown_things_get_a_json_404(client, world, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert isinstance(response.get_json()["error"], str)


def test_etags_and_caching(app, client, world):
    path = f"/api/v1/referrals/{world.public_referral}/contributions"
    response = client.get(path)
    etag = response.headers["ETag"]
    assert etag == '"' + hashlib.sha256(response.get_data()).hexdigest() + '"'
    assert set(response.cache_control.keys()) >= {"public", "max-age"}
    assert response.cache_control.max_age == 60
    assert "Set-Cookie" not in response.headers  # a shared cache must not keep a session

    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    weak = client.get(path, headers={"If-None-Match": f'"other", W/{etag}'})
    assert weak.status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200

    add_contributions(app, world, 1)
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_the_api_is_read_only_and_says_so_in_json(client, world):
    response = client.post("/api/v1/referrals")
    assert response.status_code == 405
    assert response.get_json() == {"error": "The API is read-only: use GET."}
    assert "GET" in response.headers["Allow"]


def test_the_site_keeps_its_html_error_pages(client):
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    assert client.post("/referrals/").status_code == 405
