"""Nothing about a volunteer is public unless the facilitator chose it.

A facilitator imports, through the pages, a pool full of what cities' spreadsheets
hold: first names, family names, mobile phones, birth dates, emails, street addresses,
a free-text comment, a tax number, and a criterion left without quota. The draw runs.
Then a signed-out visitor reads everything they can reach: every GET route of the
application with its integer arguments filled from the database, every link, file and
URL found on the pages and in JSON answers (so new public pages are covered as soon
as they exist or are linked), downloads unpacked when compressed. None of those values
may appear anywhere.
"""

import gzip
import html
import io
import json
import re
import zipfile
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import sqlalchemy as sa

from consultation.accounts.models import Role
from consultation.extensions import db
from consultation.panels.models import Draw, DrawStatus, Panel, Volunteer
from tests.panels.conftest import (
    DECOY_COLUMNS,
    DECOY_QUOTAS,
    DECOY_SIZE,
    choose_columns,
    column_choices,
    decoy_pool,
    decoy_secrets,
    decoy_values,
)
from tests.panels.test_views import upload, wait_for

MAX_URLS = 3_000
#: Endpoints whose GET changes nothing and whose pages only a signed-in user has: the
#: crawl notes them (they must ask to sign in) without following further.
SKIP_PREFIXES = ("/static/",)


class Links(HTMLParser):
    """Every URL a page points to: links, sources, and GET forms' actions."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src", "data-src", "data-url"):
            if attrs.get(name):
                self.urls.append(attrs[name])
        if tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self.urls.append(attrs.get("action") or "")


def json_urls(value) -> list[str]:
    if isinstance(value, dict):
        return [u for v in value.values() for u in json_urls(v)]
    if isinstance(value, list):
        return [u for v in value for u in json_urls(v)]
    if isinstance(value, str) and (value.startswith("/") or value.startswith("http://localhost")):
        return [value]
    return []


def contents(response) -> list[bytes]:
    """The bytes a reader gets from an answer, compressed downloads unpacked."""
    data = response.get_data()
    if data[:2] == b"\x1f\x8b":
        return [gzip.decompress(data)]
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [archive.read(name) for name in archive.namelist()]
    return [data]


def readable(data: bytes) -> str:
    """Text as a reader would see it: entities, URL escapes and JSON escapes undone,
    in lower case."""
    text = data.decode("utf-8", errors="replace")
    parts = [text, html.unescape(text), unquote(text)]
    try:
        parts.append(json.dumps(json.loads(text), ensure_ascii=False))
    except ValueError:
        pass
    return "\n".join(parts).casefold()


def ids_for(argument: str) -> list[int]:
    """Ids for an integer URL argument, from the table its name points to
    (``panel_id``: panels, ``question_id``: vote_questions...); a few small numbers
    when no table matches."""
    stem = argument.removesuffix("_id")
    for table in db.metadata.sorted_tables:
        name = table.name
        if name in (stem, stem + "s") or name.endswith("_" + stem + "s") or name.startswith(stem):
            if "id" in table.c:
                return list(db.session.scalars(sa.select(table.c.id).order_by(table.c.id)))
    return [1, 2, 3]


def route_urls(app) -> list[str]:
    """Every GET route whose arguments are all integers, with every matching id."""
    import itertools

    from flask import url_for

    urls = []
    with app.app_context():
        choices_by_rule = []
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            converters = {a: type(rule._converters[a]).__name__ for a in rule.arguments}
            if any(kind != "IntegerConverter" for kind in converters.values()):
                continue  # text arguments come from links
            choices_by_rule.append((rule.endpoint, {a: ids_for(a) for a in sorted(converters)}))
    with app.test_request_context():
        for endpoint, choices in choices_by_rule:
            names = list(choices)
            for values in itertools.product(*(choices[n] for n in names)):
                urls.append(url_for(endpoint, **dict(zip(names, values, strict=True))))
    return urls


def crawl(client, start: list[str]) -> tuple[dict[str, str], list[tuple[str, int]], int]:
    """Read everything reachable from ``start`` as the client: {url: text}, the
    answers that failed, and how many asked to sign in."""
    seen, queue, pages, failures, sign_in = set(), list(start), {}, [], 0
    while queue and len(seen) < MAX_URLS:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost") or parts.scheme not in ("", "http"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not path.startswith("/") or path in seen or path.startswith(SKIP_PREFIXES):
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code in (301, 302, 303, 307, 308):
            location = response.headers["Location"]
            if urlsplit(location).path.startswith("/login"):
                sign_in += 1
            else:
                queue.append(urljoin(path, location))
            continue
        if response.status_code >= 500:
            failures.append((path, response.status_code))
            continue
        text = "\n".join(readable(data) for data in contents(response))
        pages[path] = text
        found = []
        if response.mimetype == "text/html":
            parser = Links()
            parser.feed(response.get_data(as_text=True))
            found = parser.urls
        elif response.mimetype and "json" in response.mimetype:
            try:
                found = json_urls(response.get_json())
            except ValueError:
                found = []
        queue.extend(urljoin(path, u) for u in found if u and not u.startswith("#"))
    assert not queue, f"the crawl stopped after {MAX_URLS} URLs: raise MAX_URLS"
    return pages, failures, sign_in


@pytest.fixture
def facilitator(client, make_user, login):
    user = make_user(Role.FACILITATOR, language="en")
    login(user)
    return user


@pytest.mark.parametrize("addresses", ["address", "private"], ids=["households", "no-address"])
def test_no_value_of_a_decoy_pool_is_public_anywhere(app, client, facilitator, addresses):
    client.post(
        "/panels/new",
        data={"name": "Conseil des leurres", "seats": "8", "term_months": "36", "cohorts": "2"},
    )
    with app.app_context():
        panel_id = db.session.scalar(sa.select(sa.func.max(Panel.id)))
    base = f"/panels/{panel_id}"
    response = upload(client, f"{base}/pool/upload", decoy_pool())
    preview_url = response.headers["Location"]
    preview = client.get(preview_url).get_data(as_text=True)
    suggested = {name: role for name, (_field, role) in column_choices(preview).items()}
    assert suggested == {
        "Identifiant": "id",
        "Prénom": "name",
        "nom_famille": "name",
        "Téléphone portable": "phone",
        "date_naissance": "private",
        "E-mail": "email",
        "adresse": "address",
        "code_postal": "address",
        "genre": "criterion",
        "age": "criterion",
        "diplome": "criterion",
        "commentaire": "private",
        "Numéro fiscal": "private",
    }
    roles = {"adresse": addresses, "code_postal": addresses}
    assert choose_columns(client, preview_url, roles).status_code == 302
    response = upload(client, f"{base}/quotas/upload", DECOY_QUOTAS)
    assert client.post(response.headers["Location"], data={}).status_code == 302
    response = client.post(
        f"{base}/draw", data={"seed": "8086", "algorithm": "leximin", "reserves": "3"}
    )
    assert response.status_code == 302
    with app.app_context():
        draw_id = db.session.scalar(sa.select(Draw.id).where(Draw.panel_id == panel_id))
        private = db.session.scalar(sa.select(Volunteer).where(Volunteer.panel_id == panel_id))
        assert set(private.private) >= {"date_naissance", "commentaire", "Numéro fiscal"}
        assert "diplome" in private.features  # a criterion, kept, but without quota
    assert wait_for(app, draw_id) is DrawStatus.DONE

    # The needles are real: the facilitators' pages show them.
    pool_page = readable(client.get(f"{base}/pool").get_data())
    assert decoy_values(0)["commentaire"].casefold() in pool_page
    assert decoy_values(0)["E-mail"].casefold() in pool_page

    client.post("/logout", data={})
    with app.app_context():
        codes = [v.code for v in db.session.scalars(sa.select(Volunteer))]
    start = ["/", f"/draws/{draw_id}", "/open-data/", "/api/v1/", *route_urls(app)]
    start += [f"/draws/{draw_id}/lookup?code={code}" for code in codes[:5]]
    pages, failures, sign_in = crawl(client, start)

    assert failures == []
    assert len(pages) >= 30, f"only {len(pages)} answers read"
    assert sign_in > 0, "nothing asked to sign in: was the visitor signed out?"
    read = set(pages)
    for needed in (
        "/",
        f"/draws/{draw_id}",
        f"/draws/{draw_id}/verification.json",
        f"/draws/{draw_id}/lottery.csv",
        f"/panels/{panel_id}",
        "/open-data/",
    ):
        assert needed in read, f"the crawl never read {needed}"
    assert any(p.startswith("/api/v1/draws") for p in read)
    assert any(p.startswith("/open-data/") and p != "/open-data/" for p in read)
    # What is public is there: codes and the quota criteria.
    assert any(codes[0].casefold() in text for text in pages.values())
    assert "femme" in pages[f"/draws/{draw_id}/verification.json"]

    secrets = {s.casefold() for s in decoy_secrets()}
    assert len(secrets) > DECOY_SIZE * (len(DECOY_COLUMNS) - 3)
    leaks = sorted(
        (path, secret) for path, text in pages.items() for secret in secrets if secret in text
    )
    assert leaks == []


def test_a_criterion_without_quota_is_not_sent_to_the_engine(app, make_panel):
    """What the engine gets, and so what a draw publishes, holds the quota criteria only."""
    from consultation.panels import services

    with app.app_context():
        panel = services.create_panel(name="Critères", seats=8)
        services.set_quotas(panel, DECOY_QUOTAS)
        services.import_pool(panel, decoy_pool(), criteria=["genre", "age", "diplome"])
        inputs = services._inputs(panel, seats=8)
        assert {tuple(sorted(p["features"])) for p in inputs["people"]} == {("age", "genre")}
        assert not re.search(r"DIPLOME|Ysaline|@", json.dumps(inputs))
        db.session.rollback()
