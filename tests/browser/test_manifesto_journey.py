"""In the browser, the whole way: a facilitator imports a draft from the referral's
page, a member drafts and proposes an amendment, members vote, the whole text is
adopted, and a visitor reads which amendment and which vote put each passage there."""

import re

import pytest
from playwright.sync_api import expect

from consultation.accounts.models import Role
from tests.browser.test_foundation import assert_accessible
from tests.browser.test_referrals import sign_in, sign_out

pytestmark = pytest.mark.browser

DRAFT = """# Manifeste pour une IA au service des habitants

## Transparence

La ville tient un registre public des algorithmes qu’elle utilise.

Chaque courrier préparé avec une IA le dit.

## Décision humaine

Une personne humaine prend toute décision individuelle.
"""

AMENDED = (
    "La ville publie en ligne et tient à jour un registre public des algorithmes qu’elle utilise."
)


def vote(page, base, members, url, choices):
    """Each member signs in, casts the given choice on the vote at ``url``, signs out."""
    for member, choice in zip(members, choices, strict=False):
        sign_in(page, base, member.email)
        page.goto(url)
        page.get_by_label(choice, exact=True).check()
        page.get_by_role("button", name="Cast my vote").click()
        expect(page.get_by_role("status")).to_contain_text("Your vote is recorded")
        sign_out(page)


def test_from_imported_draft_to_adopted_text_with_its_provenance(
    page, dialogs, live_server, make_referral, members, make_user
):
    # Members sign in again and again from one address: more than the login limit allows.
    app, base = live_server(AUTH_RATE_LIMIT="100 per minute")
    referral_id = make_referral()
    facilitator = make_user(Role.FACILITATOR, language="en")

    # The facilitator imports the draft from the referral's page, previews it, saves it.
    sign_in(page, base, facilitator.email)
    page.goto(f"{base}/referrals/{referral_id}")
    page.get_by_role("link", name="Import a draft manifesto").click()
    page.get_by_label("Or paste the text").fill(DRAFT)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".preview")).to_contain_text("3 clauses found.")
    assert_accessible(page)
    page.get_by_role("button", name="Save this manifesto").click()
    expect(page.get_by_role("status")).to_contain_text("Manifesto imported: 3 clauses.")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Manifeste pour une IA au service des habitants"
    )
    manifesto_url = page.url
    page.get_by_role("button", name="Move to: Open to amendments").click()
    sign_out(page)

    # A member drafts new wording for clause 1.1, comes back to it, then proposes it.
    sign_in(page, base, members[0].email)
    page.goto(manifesto_url)
    page.get_by_role("link", name=re.compile(r"History \(1 version\) — clause 1\.1")).click()
    page.get_by_role("link", name="Propose an amendment").click()
    page.get_by_label("Proposed text").fill(AMENDED)
    page.get_by_role("button", name="See the changes").click()
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_role("status")).to_contain_text("Your draft is saved")
    page.goto(manifesto_url)
    page.get_by_role("link", name="Amendment #1 to clause 1.1").click()
    page.get_by_label("Why").fill("Un registre que personne ne peut lire ne sert à rien.")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator("#draft-rationale")).to_have_value(
        "Un registre que personne ne peut lire ne sert à rien."
    )
    assert_accessible(page)
    page.get_by_role("button", name="Propose the amendment").click()
    expect(page.get_by_role("status")).to_contain_text("Your amendment is proposed")
    sign_out(page)

    # The facilitator opens the vote stage and the amendment's vote; members adopt it.
    sign_in(page, base, facilitator.email)
    page.goto(manifesto_url)
    page.get_by_role("button", name="Move to: Vote").click()
    page.get_by_role("link", name="Votes").first.click()
    page.get_by_role("button", name="Open its vote — Amendment #1").click()
    amendment_vote = page.url
    sign_out(page)
    vote(page, base, members, amendment_vote, ["For", "For", "For", "Against"])
    sign_in(page, base, facilitator.email)
    page.goto(amendment_vote)
    page.get_by_role("button", name="Close the vote and apply the result").click()
    expect(page.locator(".result")).to_have_text("Adopted: 3 for, 1 against, 0 abstentions.")

    # Then the vote on the whole text, which adopts the manifesto.
    page.goto(manifesto_url)
    page.get_by_role("link", name="Votes").first.click()
    page.get_by_role("button", name="Open the vote on the whole text").click()
    text_vote = page.url
    sign_out(page)
    vote(page, base, members, text_vote, ["For", "For", "Abstain", "For", "For"])
    sign_in(page, base, facilitator.email)
    page.goto(text_vote)
    page.get_by_role("button", name="Close the vote and apply the result").click()
    expect(page.locator(".result")).to_have_text("Adopted: 4 for, 0 against, 1 abstention.")
    sign_out(page)

    # A visitor reads the adopted text; its amended passage names the amendment and vote.
    page.goto(manifesto_url)
    expect(page.locator(".phase-badge")).to_contain_text("Adopté")
    expect(page.locator("#content")).to_contain_text("publie en ligne et tient à jour")
    expect(page.get_by_role("link", name=re.compile("^PDF"))).to_be_visible()
    expect(page.locator(".clause").first).to_contain_text("modifiée par l’amendement n° 1")
    expect(page.locator(".clause").nth(1)).not_to_contain_text("amendement")
    page.get_by_role("link", name=re.compile(r"Historique \(2 versions\) — clause 1\.1")).click()
    amendment_vote_number = amendment_vote.rsplit("/", 1)[1]
    passage = page.locator(".blame-part", has_text="publie en ligne et")
    expect(passage).to_contain_text(f"amendement n° 1 accepté, vote n° {amendment_vote_number}")
    expect(page.locator(".blame-sources")).to_contain_text(
        f"amendement n° 1 accepté, vote n° {amendment_vote_number} : "
        "Adopté : 3 voix pour, 1 voix contre, 0 abstention."
    )
    assert_accessible(page)
