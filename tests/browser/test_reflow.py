"""Reflow (WCAG 1.4.10, RGAA 10.11): on a screen 320 CSS pixels wide, no page scrolls
sideways. Only a wide data table or chart may, inside its own frame."""

import pytest
import sqlalchemy as sa

from consultation import demo
from consultation.extensions import db
from consultation.manifesto.models import Clause, Manifesto
from consultation.panels.models import Draw
from consultation.votes.models import Question, QuestionKind

pytestmark = pytest.mark.browser

# What sticks out of the screen, outside the frames that scroll on their own.
WIDER_THAN_THE_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  const out = [...document.querySelectorAll("body *")]
    .filter((el) => !el.parentElement.closest(".table-scroll, .chart-figure"))
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    .map((el) => `${el.tagName.toLowerCase()}.${el.className} “${el.textContent.trim().slice(0, 30)}”`);
  return {scrolls: document.documentElement.scrollWidth > width, out};
}"""


@pytest.fixture
def demo_paths(live_server):
    """The demo served; the pages anyone reads and those facilitators use."""
    app, base = live_server()
    with app.app_context():
        demo.load()
        db.session.commit()
        manifesto = db.session.scalar(sa.select(Manifesto).order_by(Manifesto.id))
        referral = manifesto.referral
        draw = db.session.scalar(sa.select(Draw).where(Draw.panel_id == referral.panel_id))
        clause = db.session.scalar(
            sa.select(Clause).where(Clause.manifesto_id == manifesto.id).order_by(Clause.id)
        )
        votes = {
            kind: db.session.scalar(
                sa.select(Question.id).where(
                    Question.manifesto_id == manifesto.id, Question.kind == kind
                )
            )
            for kind in (QuestionKind.AMENDMENT, QuestionKind.JUDGMENT)
        }
        m, r, p = manifesto.id, referral.id, referral.panel_id
        public = [
            "/",
            "/referrals/",
            f"/referrals/{r}",
            "/panels/",
            f"/panels/{p}",
            f"/draws/{draw.id}",
            "/open-data/",
            f"/manifestos/{m}",
            f"/manifestos/{m}/clauses/{clause.id}",
            f"/manifestos/{m}/timeline",
            f"/manifestos/{m}/votes",
            *(f"/votes/{question}" for question in votes.values()),
        ]
        facilitators = [
            f"/manifestos/{m}/votes",
            f"/manifestos/{m}/export",
            f"/panels/{p}/manage",
            f"/panels/{p}/pool",
            f"/referrals/{r}/statistics",
            f"/referrals/{r}/manifestos/import",
            "/account",
        ]
    return base, public, facilitators


def too_wide(page, base, paths) -> dict:
    found = {}
    for path in paths:
        page.goto(base + path)
        result = page.evaluate(WIDER_THAN_THE_SCREEN)
        if result["scrolls"] or result["out"]:
            found[path] = result["out"][:5]
    return found


def test_no_page_scrolls_sideways_on_a_small_phone(browser, browser_context_args, demo_paths):
    base, public, facilitators = demo_paths
    context = browser.new_context(
        **{**browser_context_args, "viewport": {"width": 320, "height": 640}}
    )
    page = context.new_page()
    assert too_wide(page, base, public) == {}

    page.goto(base + "/login")
    page.get_by_label("Adresse e-mail").fill(demo.FACILITATOR_EMAIL)
    page.get_by_label("Mot de passe").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(base + "/")
    assert too_wide(page, base, facilitators) == {}
    context.close()
