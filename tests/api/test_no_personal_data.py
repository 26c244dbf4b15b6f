"""No volunteer's name, email, phone or address, and no member's email, reaches anything a
signed-out visitor can fetch.

The crawl, as a signed-out visitor, over the seeded world of ``conftest.world``:

1. every GET route of ``app.url_map`` that takes no argument (home, lists of referrals
   and panels, the open-data page, API lists, the OpenAPI document, sign-in pages...);
2. every GET route whose arguments are all integers, once per combination of existing
   ids of the right kind (referrals public, private and draft; every contribution,
   thread root, manifesto, clause, amendment, vote, panel, draw and membership), which
   covers the pages of referrals, contributions, threads, manifestos, clauses,
   amendments, timelines, votes, panels, draw transparency pages with their lottery CSV
   and verification JSON, the manifesto exports, and every API resource;
3. routes whose other arguments have known values: every open-data download, in JSON
   and in CSV;
4. extra queries: the draw lookup with a selected volunteer's code, and every API list
   with ``per_page=200`` so that nothing is left on a later page.

Skipped: answers that send the visitor to the sign-in page (facilitators' pages), and
routes whose arguments are secrets or free text with no listed value (invitation and
password-reset tokens, static files, export job keys and formats).
"""

import html
import itertools
import json
from urllib.parse import unquote

import pytest
import sqlalchemy as sa

from consultation.accounts.models import Role, User
from consultation.api.datasets import DATASETS
from consultation.extensions import db
from consultation.manifesto.models import Amendment, Clause, Manifesto
from consultation.panels.models import Draw, Membership, Panel, StagedImport
from consultation.referrals.models import Contribution, Referral
from consultation.votes.models import Question
from tests.api.conftest import POOL_SIZE, personal_strings, volunteer_name
from tests.conftest import DEFAULT_PASSWORD

# Integer URL arguments and the rows whose ids fill them.
ID_SOURCES = {
    "referral_id": Referral,
    "contribution_id": Contribution,
    "manifesto_id": Manifesto,
    "clause_id": Clause,
    "amendment_id": Amendment,
    "question_id": Question,
    "panel_id": Panel,
    "draw_id": Draw,
    "membership_id": Membership,
    "staged_id": StagedImport,
}
KNOWN_TEXT_ARGUMENTS = {"name": sorted(DATASETS)}

# What the crawl must at least have read, so that it cannot pass by reading nothing.
MUST_READ = {
    "main.index",
    "referrals.index",
    "referrals.show",
    "referrals.contribution",
    "referrals.thread",
    "manifesto.show",
    "manifesto.clause",
    "manifesto.amendment",
    "manifesto.timeline",
    "votes.index",
    "votes.question",
    "panels.index",
    "panels.show",
    "transparency.show",
    "transparency.lookup",
    "transparency.lottery_csv",
    "transparency.verification_json",
    "open_data.index",
    "open_data.download",
    "api.openapi_document",
    "api.referrals",
    "api.referral",
    "api.referral_contributions",
    "api.manifestos",
    "api.manifesto",
    "api.manifesto_clause_versions",
    "api.manifesto_amendments",
    "api.manifesto_votes",
    "api.draws",
    "api.draw",
}
MIN_PAGES = 80  # 84 when written: 187 URLs, of which 103 ask to sign in
API_LISTS = {
    "api.referrals",
    "api.referral_contributions",
    "api.manifestos",
    "api.manifesto_clause_versions",
    "api.manifesto_amendments",
    "api.manifesto_votes",
    "api.draws",
}


def readable(response) -> str:
    """The text of an answer as a reader would see it: entities and URL escapes undone,
    JSON strings decoded (``\\u00e9`` is é), all in lower case."""
    text = response.get_data(as_text=True)
    parts = [text, html.unescape(text), unquote(text)]
    if response.mimetype and "json" in response.mimetype:
        parts.append(json.dumps(json.loads(text), ensure_ascii=False))
    return "\n".join(parts).casefold()


def urls_to_visit(app, world) -> tuple[list[tuple[str, str]], list[str]]:
    """(endpoint, url) pairs to fetch, and the endpoints left out for want of values."""
    with app.app_context():
        ids = {
            name: list(db.session.scalars(sa.select(model.id).order_by(model.id)))
            for name, model in ID_SOURCES.items()
        }
        ids["root_id"] = list(
            db.session.scalars(sa.select(Contribution.id).where(Contribution.parent_id.is_(None)))
        )
        code = db.session.scalar(
            sa.select(Membership).where(Membership.draw_id == world.draw)
        ).volunteer.code
    visits, unfilled = [], []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            choices = {}
            for argument in sorted(rule.arguments):
                converter = rule._converters[argument]
                if type(converter).__name__ == "IntegerConverter":
                    choices[argument] = ids.get(argument, [])
                elif hasattr(converter, "items"):  # any(...): every listed value
                    choices[argument] = sorted(converter.items)
                else:
                    choices[argument] = KNOWN_TEXT_ARGUMENTS.get(argument, [])
            if any(not values for values in choices.values()):
                unfilled.append(rule.endpoint)
                continue
            names = list(choices)
            for values in itertools.product(*(choices[n] for n in names)):
                visits.append(
                    (rule.endpoint, url_for(rule.endpoint, **dict(zip(names, values, strict=True))))
                )
        visits.append(
            ("transparency.lookup", url_for("transparency.lookup", draw_id=world.draw, code=code))
        )
        for endpoint, url in list(visits):
            if endpoint in API_LISTS:
                visits.append((endpoint, f"{url}?per_page=200"))
    return visits, unfilled


def test_no_personal_data_in_anything_public(app, client, world):
    secrets = [s.casefold() for s in personal_strings()] + ["35999"]
    member_emails = [email.casefold() for _id, email in world.members]
    with app.app_context():
        display_names = [
            u.display_name.casefold()
            for u in db.session.scalars(sa.select(User).where(User.role == Role.RESIDENT))
        ]
    assert len(secrets) >= POOL_SIZE * 5 and len(member_emails) == 5

    visits, unfilled = urls_to_visit(app, world)
    read, redirected_to_login, leaks, failures = set(), [], [], []
    pages = 0
    for endpoint, url in visits:
        response = client.get(url)
        if response.status_code in (301, 302, 303, 307, 308):
            location = response.headers["Location"]
            assert location.startswith("/login"), (url, location)
            redirected_to_login.append(url)
            continue
        if response.status_code >= 500:
            failures.append((url, response.status_code))
            continue
        pages += 1
        if response.status_code == 200:
            read.add(endpoint)
        text = readable(response)
        for secret in secrets + member_emails:
            if secret in text:
                leaks.append((url, secret))
        # Open data names nobody at all: not even the names members chose to display.
        if endpoint.startswith(("api.", "open_data.download")):
            for name in display_names:
                if name in text:
                    leaks.append((url, name))

    assert leaks == []
    assert failures == []  # a page that fails cannot be checked
    assert MUST_READ - read == set()
    assert pages >= MIN_PAGES, f"only {pages} pages read"
    assert redirected_to_login, "no page asked to sign in: was the visitor signed in?"
    assert {"accounts.accept_invitation", "accounts.reset_password", "panels.answer"} <= set(
        unfilled
    )


def test_the_crawl_would_see_personal_data_where_it_is_shown(app, client, world, login):
    """The needles are real: the facilitators' pool page shows them, and the check finds
    them there."""
    with app.app_context():
        facilitator = db.session.get(User, world.facilitator.id)
        assert facilitator.role is Role.FACILITATOR
    login(world.facilitator.email, DEFAULT_PASSWORD)
    page = client.get(f"/panels/{world.panel}/pool")
    assert page.status_code == 200
    text = readable(page)
    assert volunteer_name(0).casefold() in text
    assert sum(s.casefold() in text for s in personal_strings()) >= POOL_SIZE * 2


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_downloads_never_hold_contacts(client, world, fmt):
    """The smallest version of the crawl, to point at the file if it ever fails."""
    for name in DATASETS:
        text = readable(client.get(f"/open-data/{name}.{fmt}"))
        assert not [s for s in personal_strings() if s.casefold() in text], name
