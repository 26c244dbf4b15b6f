"""The open-data page and its downloads: same content as the API, CSV done safely."""

import csv
import io
import re

import pytest

from consultation.api.datasets import DATASETS
from consultation.api.open_data import cell
from tests.api.conftest import FORMULA_BODY

# dataset -> the API list that holds the same items (for the seeded single referral)
API_LISTS = {
    "referrals": "/api/v1/referrals",
    "contributions": "/api/v1/referrals/{referral}/contributions",
    "manifestos": "/api/v1/manifestos",
    "clause-versions": "/api/v1/manifestos/{manifesto}/clause-versions",
    "amendments": "/api/v1/manifestos/{manifesto}/amendments",
    "votes": "/api/v1/manifestos/{manifesto}/votes",
    "draws": "/api/v1/draws",
}


@pytest.fixture
def client(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))


def test_every_dataset_has_an_api_twin():
    assert set(API_LISTS) == set(DATASETS)


def test_the_page_lists_every_dataset_with_clear_links(client, world):
    page = client.get("/open-data/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<h1>") == 1
    for dataset in DATASETS.values():
        for fmt in ("JSON", "CSV"):
            link = re.search(
                rf'<a href="(/open-data/{dataset.name}\.{fmt.lower()})"[^>]*>'
                rf"{re.escape(str(dataset.title))} \({fmt}\)</a>",
                html,
            )
            assert link, f"no {fmt} link for {dataset.name}"
        assert re.search(
            rf'<h3 id="dataset-{dataset.name}">{re.escape(str(dataset.title))}</h3>', html
        )
    assert html.count("<h2") == 4  # datasets, personal data, formats, API
    assert "apostrophe" in html  # the page says how CSV cells are protected
    assert "/api/v1/openapi.json" in html


def test_every_page_links_to_the_open_data(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/open-data/"' in html


@pytest.mark.parametrize("name", sorted(API_LISTS))
def test_json_downloads_hold_what_the_api_serves(client, world, name):
    response = client.get(f"/open-data/{name}.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="consultation-{name}.json"'
    )
    assert response.headers["ETag"]
    data = response.get_json()
    path = API_LISTS[name].format(referral=world.public_referral, manifesto=world.manifesto)
    api = client.get(f"{path}?per_page=200").get_json()
    assert data["dataset"] == name
    assert data["items"] == api["items"] and data["total"] == api["total"] > 0


@pytest.mark.parametrize("name", sorted(API_LISTS))
def test_csv_downloads_have_a_header_and_one_row_per_item(client, world, name):
    response = client.get(f"/open-data/{name}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.mimetype_params["charset"] == "utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="consultation-{name}.csv"'
    )
    raw = response.get_data()
    assert not raw.startswith(b"\xef\xbb\xbf")  # plain UTF-8, no byte-order mark
    table = rows(response)
    # Records end with CRLF (RFC 4180); the seeded texts have no line break of their own.
    assert raw.count(b"\r\n") == len(table) and b"\n" not in raw.replace(b"\r\n", b"")
    header, body = table[0], table[1:]
    assert header == DATASETS[name].csv_columns()
    assert all(len(row) == len(header) for row in body)
    items = client.get(f"/open-data/{name}.json").get_json()["items"]
    if name == "manifestos":
        clauses = sum(len(s["clauses"]) for s in items[0]["sections"])
        assert len(body) == clauses
    else:
        assert [row[header.index("id")] for row in body] == [str(i["id"]) for i in items]


def test_csv_cells_that_look_like_formulas_are_defused(client, world):
    table = rows(client.get("/open-data/contributions.csv"))
    header = table[0]
    bodies = [row[header.index("body")] for row in table[1:]]
    assert "'" + FORMULA_BODY in bodies  # quotes and commas survive RFC 4180 quoting
    assert not any(b.startswith(("=", "+", "-", "@")) for b in bodies)
    amendments = rows(client.get("/open-data/amendments.csv"))
    rationales = [row[amendments[0].index("rationale")] for row in amendments[1:]]
    assert "'=1+1" in rationales
    # The JSON keeps the text exactly as written.
    json_bodies = [
        c["body"] for c in client.get("/open-data/contributions.json").get_json()["items"]
    ]
    assert FORMULA_BODY in json_bodies


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+33 6", "'+33 6"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain = fine", "plain = fine"),
        (None, ""),
        (True, "true"),
        (3, "3"),
        (0.25, "0.25"),
    ],
)
def test_cells(value, expected):
    assert cell(value) == expected


def test_nested_fields_become_columns_and_lists_json(client, world):
    table = rows(client.get("/open-data/referrals.csv"))
    header, row = table[0], table[1]
    assert row[header.index("panel.name")] == "Conseil citoyen ouvert"
    assert row[header.index("documents")] == (
        '[{"title":"Délibération","url":"https://ville.example.org/d.pdf"}]'
    )
    assert "context" in header and "links.html" in header


def test_downloads_answer_304_to_a_matching_etag(client, world):
    first = client.get("/open-data/draws.csv")
    again = client.get("/open-data/draws.csv", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_an_unknown_dataset_is_a_404(client):
    assert client.get("/open-data/volunteers.csv").status_code == 404
    assert client.get("/open-data/referrals.xlsx").status_code == 404
