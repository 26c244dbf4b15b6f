"""A facilitator signs in in French, switches to English; axe finds nothing to fix."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from consultation import demo
from consultation.extensions import db

pytestmark = pytest.mark.browser


def assert_accessible(page):
    results = Axe().run(page)
    violations = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in results.response["violations"]
    ]
    assert violations == [], page.url


@pytest.fixture
def demo_site(live_server):
    app, base_url = live_server()
    with app.app_context():
        demo.load()
        db.session.commit()
    return base_url


def test_facilitator_signs_in_in_french_and_switches_to_english(page, demo_site):
    page.goto(demo_site + "/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert_accessible(page)

    page.get_by_role("link", name="Se connecter").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    assert_accessible(page)
    page.get_by_label("Adresse e-mail").fill(demo.FACILITATOR_EMAIL)
    page.get_by_label("Mot de passe").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("status")).to_contain_text("Connexion réussie")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="My account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    expect(page.get_by_text(demo.FACILITATOR_EMAIL)).to_be_visible()
    assert_accessible(page)

    page.goto(demo_site + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Citizen panels and shared manifestos"
    )
    assert_accessible(page)


def test_wrong_password_is_announced_and_accessible(page, demo_site):
    page.goto(demo_site + "/login")
    page.get_by_label("Adresse e-mail").fill(demo.FACILITATOR_EMAIL)
    page.get_by_label("Mot de passe").fill("pas le bon mot de passe")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Il y a un problème")
    assert_accessible(page)


def test_skip_link_moves_focus_to_the_content(page, demo_site):
    page.goto(demo_site + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
