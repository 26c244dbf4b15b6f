"""In the browser, on the demo: the facilitators' vote and export pages, a majority
judgment's results and the timeline are accessible, on a phone, in French."""

import pytest
from playwright.sync_api import expect

from consultation import demo
from tests.browser.test_foundation import assert_accessible, demo_site  # noqa: F401

pytestmark = pytest.mark.browser


def test_vote_export_and_history_pages_are_accessible(page, demo_site):
    page.goto(demo_site + "/login")
    page.get_by_label("Adresse e-mail").fill(demo.FACILITATOR_EMAIL)
    page.get_by_label("Mot de passe").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(demo_site + "/manifestos/1")
    assert_accessible(page)

    page.get_by_role("link", name="Votes", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votes")
    assert_accessible(page)

    page.get_by_role("link", name="Quelles priorités pour la première année ?").click()
    expect(page.get_by_role("img", name="Profils de mérite", exact=False)).to_be_visible()
    assert_accessible(page)

    page.goto(demo_site + "/manifestos/1/timeline")
    assert_accessible(page)

    page.goto(demo_site + "/manifestos/1/export")
    assert_accessible(page)
    page.get_by_label("Markdown").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger").click()
    assert download.value.suggested_filename == "manifeste-1.md"

    page.goto(demo_site + "/manifestos/1/export")
    page.get_by_label("Notes de provenance").check()
    page.get_by_role("button", name="Télécharger").click()  # PDF: made in the background
    expect(page.get_by_role("link", name="Télécharger le fichier")).to_be_visible(timeout=30_000)
    assert_accessible(page)
