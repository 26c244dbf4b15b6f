"""The demo manifesto, as a visitor finds it after ``flask demo``."""

import html
import re

import pytest
import sqlalchemy as sa

from consultation import demo, demo_manifesto, demo_referral
from consultation.extensions import db
from consultation.manifesto import importing
from consultation.referrals.models import Referral

KEYS = [a[0] for a in demo_manifesto.AMENDMENTS]


def amendment_text(key: str) -> str:
    return demo_manifesto.AMENDMENTS[KEYS.index(key)][3]


def draft_clause(number: str) -> str:
    section, clause = (int(n) for n in number.split("."))
    return importing.parse(demo_manifesto.DRAFT).sections[section - 1].clauses[clause - 1]


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def site(make_app):
    """The demo in English (the result sentences are checked word for word) and a signed-out
    visitor's client; returns (client, the manifesto's address) as found from the referral."""
    app = make_app(CONSULTATION_LOCALE="en")
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        referral_id = db.session.scalar(
            sa.select(Referral.id).where(Referral.title == demo_referral.TITLE)
        )
    client = app.test_client()
    referral = page(client, f"/referrals/{referral_id}")
    manifesto_url = re.search(r'href="(/manifestos/\d+)"', referral).group(1)
    return client, manifesto_url


def test_a_visitor_finds_the_text_its_finished_votes_and_its_timeline(site):
    # One test for the three pages: loading the demo takes most of the time.
    client, url = site
    text = page(client, url)
    assert demo_manifesto.TITLE in text
    for section in importing.parse(demo_manifesto.DRAFT).sections:
        assert section.title in text
    # The adopted rewording is the clause's current version, the draft's wording its history.
    assert amendment_text("registre-en-ligne") in text
    assert draft_clause("1.1") not in text
    assert "History (2 versions)" in text
    # The adopted new clause follows the one it was proposed after.
    assert text.index(draft_clause("5.2")) < text.index(amendment_text("langage-clair"))
    assert text.index(amendment_text("langage-clair")) < text.index(draft_clause("5.3"))
    # The rejected deletion left its clause in place.
    assert draft_clause("3.1") in text

    open_votes, results = page(client, f"{url}/votes").split('id="closed-heading"', 1)
    for key, for_, against, abstain in demo_manifesto.AMENDMENT_VOTES:
        abstentions = "abstention" if abstain == 1 else "abstentions"
        counts = f"{for_} for, {against} against, {abstain} {abstentions}."
        assert f"Adopted: {counts}" in results or f"Rejected: {counts}" in results, key
    assert results.count("Adopted: ") == 2
    assert results.count("Rejected: ") == 1
    assert "Chosen: Garantir un interlocuteur humain dans chaque démarche." in results
    assert f"Adoption of clause {demo_manifesto.OPEN_VOTE_CLAUSE}" in open_votes

    timeline = page(client, f"{url}/timeline")
    for step in (
        "Draft imported.",
        "The manifesto moved to: Open to amendments.",
        "The manifesto moved to: Vote.",
        "Vote opened:",
        "Vote closed:",
    ):
        assert step in timeline
    assert timeline.count("proposed by") == len(demo_manifesto.AMENDMENTS)


def test_a_demo_resident_can_vote_on_the_open_question(site):
    client, url = site
    votes = page(client, f"{url}/votes")
    open_part = votes.split('id="closed-heading"', 1)[0]
    question = re.search(r'href="(/votes/\d+)"', open_part).group(1)
    before = int(re.search(r"(\d+) of 30 members have voted", page(client, question)).group(1))
    signed_in = client.post(
        "/login", data={"email": demo.resident_email(1), "password": demo.DEMO_PASSWORD}
    )
    assert signed_in.status_code == 302
    response = client.post(f"{question}/ballot", data={"choice": "for"}, follow_redirects=True)
    text = html.unescape(response.get_data(as_text=True))
    # Demo residents chose French: signed in, the page follows their language.
    assert "Votre vote est enregistré." in text
    assert f"{before + 1} membres sur 30 ont voté" in text or (
        f"{before + 1} membres sur 30 ont voté" in text
    )


DEMO_TEXTS = {
    "draft": demo_manifesto.DRAFT,
    "announcement": demo_manifesto.ANNOUNCEMENT,
    "priorities": demo_manifesto.PRIORITIES_TITLE,
    **{f"{key}-text": text or "" for key, _n, _k, text, *_ in demo_manifesto.AMENDMENTS},
    **{f"{key}-rationale": why for key, _n, _k, _t, why, *_ in demo_manifesto.AMENDMENTS},
}


@pytest.mark.parametrize("name", DEMO_TEXTS)
def test_the_demo_texts_follow_french_typography(name):
    # Narrow no-break spaces before ; : ? ! and inside « », typographic apostrophes.
    assert not re.search(r"[ \u00a0][;:?!»]|«[ \u00a0]|'", DEMO_TEXTS[name])
