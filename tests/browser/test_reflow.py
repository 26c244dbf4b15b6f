"""Reflow (WCAG 1.4.10, RGAA 10.11): on a screen 320 CSS pixels wide, no page scrolls
sideways. Only a wide data table or chart may, inside its own frame. And no two
elements of a page share an id (RGAA 8.2), which would send a label to another form's
field (forms' hidden CSRF tokens aside: nothing points to them)."""

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
            f"/referrals/{r}",
            f"/referrals/{r}/statistics",
            f"/referrals/{r}/manifestos/import",
            "/account",
        ]
    return base, public, facilitators


SHARED_IDS = """() => {
  const seen = {};
  for (const el of document.querySelectorAll("[id]:not([name=csrf_token])")) {
    seen[el.id] = (seen[el.id] || 0) + 1;
  }
  return Object.keys(seen).filter((id) => seen[id] > 1).map((id) => `id ${id} twice`);
}"""


def problems(page, base, paths) -> dict:
    """For each page, what sticks out of the screen and the ids it gives twice."""
    found = {}
    for path in paths:
        page.goto(base + path)
        wide = page.evaluate(WIDER_THAN_THE_SCREEN)
        shared = page.evaluate(SHARED_IDS)
        if wide["scrolls"] or wide["out"] or shared:
            found[path] = wide["out"][:5] + shared
    return found


def test_pages_reflow_on_a_small_phone_and_give_each_id_once(
    browser, browser_context_args, demo_paths
):
    base, public, facilitators = demo_paths
    context = browser.new_context(
        **{**browser_context_args, "viewport": {"width": 320, "height": 640}}
    )
    page = context.new_page()
    assert problems(page, base, public) == {}

    page.goto(base + "/login")
    page.get_by_label("Adresse e-mail").fill(demo.FACILITATOR_EMAIL)
    page.get_by_label("Mot de passe").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(base + "/")
    assert problems(page, base, facilitators) == {}
    context.close()
