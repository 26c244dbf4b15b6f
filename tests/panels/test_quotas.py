"""Quotas: impossible ones are refused when they are set, and the preview tells how fair a
draw can be with them, before any draw."""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from consultation.accounts.models import Role
from consultation.extensions import db
from consultation.panels import services
from consultation.panels.models import Panel, Quota, StagedImport
from consultation.sortition import Person
from consultation.sortition import Quota as EngineQuota
from consultation.sortition.preview import preview
from tests.panels.conftest import SMALL_QUOTAS, get_panel, small_pool
from tests.panels.test_cli import write
from tests.panels.test_views import upload

BENCH_DATA = Path(__file__).resolve().parents[2] / "bench" / "data"
TOO_MANY_WOMEN = (
    b"feature,value,min,max\ngenre,femme,7,8\ngenre,homme,0,8\nage,jeune,0,8\nage,ancien,0,8\n"
)


@pytest.fixture
def facilitator(client, make_user, login):
    login(make_user(Role.FACILITATOR, language="en"))


def quota_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Quota))


def test_impossible_quotas_are_refused_when_set_with_the_reason(
    app, client, facilitator, make_panel
):
    panel_id = make_panel(seats=8, pool=small_pool(10))
    response = upload(client, f"/panels/{panel_id}/quotas/upload", TOO_MANY_WOMEN)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "No panel can be drawn with these quotas from this pool." in page
    assert "at least 7 people with genre = “femme”, but the pool has only 5" in page
    assert quota_count(app) == 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StagedImport)) == 0


def test_quotas_impossible_whatever_the_pool_are_refused_before_it(app, client, facilitator):
    client.post(
        "/panels/new", data={"name": "Sans pool", "seats": "8", "term_months": "36", "cohorts": "3"}
    )
    with app.app_context():
        panel_id = db.session.scalar(sa.select(sa.func.max(Panel.id)))
    minimums = b"feature,value,min,max\ngenre,femme,5,8\ngenre,homme,4,8\n"
    response = upload(client, f"/panels/{panel_id}/quotas/upload", minimums)
    assert response.status_code == 400
    assert "The minimums for genre add up to 9, more than the 8 seats." in (
        response.get_data(as_text=True)
    )
    maximums = b"feature,value,min,max\ngenre,femme,0,3\ngenre,homme,0,4\n"
    response = upload(client, f"/panels/{panel_id}/quotas/upload", maximums)
    assert "The maximums for genre add up to 7, fewer than the 8 seats." in (
        response.get_data(as_text=True)
    )
    assert quota_count(app) == 0
    # Possible quotas, without a pool yet: saved, the preview says what it cannot tell.
    response = upload(client, f"/panels/{panel_id}/quotas/upload", SMALL_QUOTAS)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Import the pool of volunteers to see whether these quotas can be met" in page


def test_the_command_line_refuses_impossible_quotas_and_says_why(app, runner, tmp_path):
    created = runner.invoke(args=["panel", "create", "X", "--seats", "8"])
    panel_id = created.output.strip()
    pool = write(tmp_path, "pool.csv", small_pool(10))
    assert runner.invoke(args=["panel", "import-pool", panel_id, pool]).exit_code == 0
    result = runner.invoke(
        args=["panel", "set-quotas", panel_id, write(tmp_path, "q.csv", TOO_MANY_WOMEN)]
    )
    assert result.exit_code == 1
    assert "femme" in result.stderr and "5" in result.stderr
    assert quota_count(app) == 0


def test_the_quotas_preview_shows_the_best_smallest_chance(app, client, facilitator, make_panel):
    panel_id = make_panel(seats=8, pool=small_pool())
    response = upload(client, f"/panels/{panel_id}/quotas/upload", SMALL_QUOTAS)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "A panel of 8 can be drawn from these 40 volunteers with these quotas." in page
    assert "an upper bound: no draw can give every volunteer more" in page
    shown = re.search(
        r"Smallest chance of being selected, at most</dt>\s*<dd><strong>([^<]+)", page
    )
    # Everyone can have 8 in 40: the pool is as balanced as the quotas ask.
    assert shown and shown.group(1) == "20%"
    assert re.search(r"representative</dt>\s*<dd>20%", page)


def test_the_bound_is_never_below_what_a_draw_gives(app, make_panel):
    """An upper bound: the leximin draw's smallest probability reaches it at most."""
    panel_id = make_panel(seats=8, pool=small_pool(), quotas=SMALL_QUOTAS)
    with app.app_context():
        panel = get_panel(panel_id)
        _rows, bound = services.preview_quotas(panel, SMALL_QUOTAS)
        draw = services.draw_now(services.request_initial_draw(panel, seed="1"))
        assert bound.feasible and bound.at_bound > 0
        assert draw.result["optimal_min_probability"] <= bound.min_probability_bound + 1e-6
        # leximin reaches the relaxation's bound on this pool
        assert draw.result["optimal_min_probability"] >= bound.min_probability_bound * 0.99


def test_the_preview_on_a_small_case_worked_by_hand():
    """Four women, two men, two seats, one woman and one man: each man has 1/2, each
    woman 1/4; the smallest chance is 1/4, held by the four women."""
    people = [Person(f"f{i}", {"genre": "femme"}) for i in range(4)]
    people += [Person(f"h{i}", {"genre": "homme"}) for i in range(2)]
    quotas = [EngineQuota("genre", "femme", 1, 1), EngineQuota("genre", "homme", 1, 1)]
    result = preview(people, quotas, 2)
    assert result.feasible
    assert result.min_probability_bound == pytest.approx(0.25)
    assert result.at_bound == 4
    assert result.mean_probability == pytest.approx(2 / 6)
    # one household of two men: only one of them at a time, still 1/2 each
    people[4:] = [Person("h0", {"genre": "homme"}, "x"), Person("h1", {"genre": "homme"}, "x")]
    assert preview(people, quotas, 2).min_probability_bound == pytest.approx(0.25)
    # two men needed from that household: impossible, with the reason
    impossible = preview(people, [EngineQuota("genre", "homme", 2, 2)], 2)
    assert not impossible.feasible and impossible.reasons[0].kind == "value_short"


def test_fairness_preview_of_5000_by_60_through_the_page(app, client, facilitator, make_panel):
    panel_id = make_panel(
        seats=60,
        pool=(BENCH_DATA / "city-pool-5000.csv").read_bytes(),
        quotas=None,
    )
    response = upload(
        client,
        f"/panels/{panel_id}/quotas/upload",
        (BENCH_DATA / "city-quotas-60.csv").read_bytes(),
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "A panel of 60 can be drawn from these 5000 volunteers with these quotas." in page
    shown = re.search(
        r"Smallest chance of being selected, at most</dt>\s*<dd><strong>([^<]+)", page
    )
    assert shown and shown.group(1) == "0.8%"  # 0.804 %, rounded to two decimals
    assert "1.2%" in page  # 60 seats for 5,000 volunteers
