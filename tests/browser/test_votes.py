"""In the browser: a member proposes an amendment and sees its changes, members vote,
the facilitator closes the vote, and the new version shows in the clause's history."""

import re

import pytest
from playwright.sync_api import expect

from consultation.accounts.models import Role
from consultation.manifesto.models import ManifestoStatus
from tests.browser.test_foundation import assert_accessible
from tests.browser.test_referrals import sign_in, sign_out
from tests.votes.conftest import english_outside_requests, make_manifesto  # noqa: F401

pytestmark = pytest.mark.browser

NEW_TEXT = "La ville publie chaque outil numérique avant de l’utiliser."


def test_from_amendment_to_adopted_version(
    page, dialogs, live_server, make_manifesto, members, make_user
):
    app, base = live_server()
    manifesto_id = make_manifesto(status=ManifestoStatus.AMENDING)
    facilitator = make_user(Role.FACILITATOR, language="en")

    sign_in(page, base, members[0].email)
    page.goto(f"{base}/manifestos/{manifesto_id}")
    page.get_by_role("link", name=re.compile(r"History \(1 version\) — clause 1\.1")).click()
    page.get_by_role("link", name="Propose an amendment").click()
    page.get_by_label("Proposed text").fill(NEW_TEXT)
    page.get_by_label("Why").fill("Préciser qu’il s’agit des outils numériques.")
    page.get_by_role("button", name="See the changes").click()
    expect(page.locator(".preview ins")).to_contain_text("numérique")
    assert_accessible(page)
    page.get_by_role("button", name="Propose the amendment").click()
    expect(page.get_by_role("status")).to_contain_text("Your amendment is proposed")
    sign_out(page)

    sign_in(page, base, facilitator.email)
    page.goto(f"{base}/manifestos/{manifesto_id}")
    # What cannot be undone asks first.
    page.get_by_role("button", name="Move to: Vote").click()
    expect(page.get_by_role("status")).to_contain_text("The manifesto is now: Vote.")
    assert dialogs == ["Move the manifesto to “Vote”? It cannot go back to the previous stage."]
    page.get_by_role("link", name="Votes").first.click()
    page.get_by_role("button", name="Open its vote — Amendment #1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amendment #1 to clause 1.1")
    vote_url = page.url
    sign_out(page)

    for member, choice in zip(members[:4], ["For", "For", "Against", "For"], strict=False):
        sign_in(page, base, member.email)
        page.goto(vote_url)
        expect(page.locator(".diff ins")).to_contain_text("numérique")
        page.get_by_label(choice, exact=True).check()
        page.get_by_role("button", name="Cast my vote").click()
        expect(page.get_by_role("status")).to_contain_text("Your vote is recorded")
        if member is members[0]:
            assert_accessible(page)
        sign_out(page)

    sign_in(page, base, facilitator.email)
    page.goto(vote_url)
    expect(page.get_by_text("4 of 6 members have voted.")).to_be_visible()
    close = page.get_by_role("button", name="Close the vote and apply the result")
    dialogs.accept = False  # the facilitator thinks again: the vote stays open
    close.click()
    assert dialogs[-1] == (
        "Close this vote now? 4 of 6 members have voted. "
        "The result is applied at once and cannot be undone."
    )
    page.goto(vote_url)
    expect(page.locator(".phase-badge")).to_contain_text("open")
    dialogs.accept = True
    close.click()
    expect(page.locator(".result")).to_have_text("Adopted: 3 for, 1 against, 0 abstentions.")
    expect(page.get_by_role("img", name="Ballots")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="See the new version in the clause's history").click()
    expect(page.locator("#v2")).to_contain_text("accepted amendment #1")
    expect(page.locator("#v2")).to_contain_text("Adopted: 3 for")
    expect(page.locator(".blame")).to_contain_text("numérique")
    assert_accessible(page)
