"""A facilitator goes from CSV files to an invited, confirmed panel in the browser's pages."""

import io
import time

import pytest
import sqlalchemy as sa

from consultation.accounts.models import Role
from consultation.extensions import db
from consultation.panels import services
from consultation.panels.models import (
    Draw,
    DrawStatus,
    Membership,
    MembershipStatus,
    Panel,
    Volunteer,
)
from tests.conftest import link_in
from tests.panels.conftest import SMALL_QUOTAS, choose_columns, column_choices, small_pool


def upload(client, url, content: bytes, **fields):
    data = {"file": (io.BytesIO(content), "fichier.csv"), **fields}
    return client.post(url, data=data, content_type="multipart/form-data")


def wait_for(app, draw_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            draw = db.session.get(Draw, draw_id)
            if draw.status in (DrawStatus.DONE, DrawStatus.FAILED):
                return draw.status
        time.sleep(0.1)
    raise AssertionError("the draw did not finish")


@pytest.fixture
def facilitator(client, make_user, login):
    user = make_user(Role.FACILITATOR, language="en")
    login(user)
    return user


def test_from_csv_files_to_a_confirmed_panel(client, app, facilitator, outbox):
    response = client.post(
        "/panels/new",
        data={"name": "Conseil du numérique", "seats": "8", "term_months": "36", "cohorts": "3"},
    )
    assert response.status_code == 302
    with app.app_context():
        panel_id = db.session.scalar(sa.select(Panel.id))
    base = f"/panels/{panel_id}"

    # A bad pool: every problem listed by line, nothing imported.
    bad = b"id,genre,age,email\na,femme,jeune,a@example.org\na,homme,,nope\n"
    response = upload(client, f"{base}/pool/upload", bad)
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "Line 3" in page and "already used on line 2" in page and "not a valid email" in page
    response = choose_columns(client, preview_url)
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Volunteer)) == 0

    # The quotas, previewed then saved.
    response = upload(client, f"{base}/quotas/upload", SMALL_QUOTAS)
    assert response.status_code == 302
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "femme" in preview and "Save these quotas" in preview
    assert client.post(response.headers["Location"], data={}).status_code == 302

    # The pool, previewed (what each column is, what will be public) then saved.
    response = upload(client, f"{base}/pool/upload", small_pool())
    assert response.status_code == 302
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "40 volunteers" in preview and "s000@example.org" in preview
    assert column_choices(preview) == {
        "id": ("column_0", "id"),
        "nom": ("column_1", "name"),
        "genre": ("column_2", "criterion"),
        "age": ("column_3", "criterion"),
        "adresse": ("column_4", "address"),
        "code_postal": ("column_5", "address"),
        "email": ("column_6", "email"),
    }
    assert "genre, age" in preview  # the quota features: public after a draw
    assert choose_columns(client, response.headers["Location"]).status_code == 302
    with app.app_context():
        panel = db.session.get(Panel, panel_id)
        assert len(services.volunteers(panel)) == 40
        assert panel.address_columns == ["adresse", "code_postal"]

    # The draw runs in the background; the progress page follows it.
    response = client.post(
        f"{base}/draw", data={"seed": "314159", "algorithm": "leximin", "reserves": "3"}
    )
    assert response.status_code == 302 and "/progress" in response.headers["Location"]
    with app.app_context():
        draw_id = db.session.scalar(sa.select(Draw.id))
    progress = client.get(response.headers["Location"])
    assert progress.status_code == 200
    assert wait_for(app, draw_id) is DrawStatus.DONE
    status = client.get(f"/panels/draws/{draw_id}/status.json").get_json()
    assert status["done"] is True and status["status"] == "done"

    # Invitations go out; a volunteer follows the link and confirms, creating an account.
    manage = client.get(f"{base}/manage").get_data(as_text=True)
    assert manage.count("Selected") >= 8
    client.post(f"{base}/invite", data={})
    messages = outbox()
    assert len(messages) == 8
    path = link_in(messages[0], "/panels/invitation/")
    client.post("/logout", data={})
    answer = client.get(path)
    assert answer.status_code == 200
    response = client.post(
        path,
        data={
            "display_name": "Nouvelle membre",
            "password": "a long password",
            "confirm": "a long password",
            "language": "fr",
            "accept": "I accept my seat",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        confirmed = db.session.scalar(
            sa.select(Membership).where(Membership.status == MembershipStatus.CONFIRMED)
        )
        assert confirmed is not None and confirmed.user.email == messages[0]["To"]
        user = confirmed.user
    # The same link cannot be used twice.
    assert client.get(path).status_code == 400

    # A second volunteer declines.
    second = link_in(messages[1], "/panels/invitation/")
    client.post("/logout", data={})
    assert client.post(second, data={"d-decline": "I decline"}).status_code == 302

    # The term starts: the confirmed member is active and has member rights.
    client.post("/login", data={"email": facilitator.email, "password": "correct horse battery"})
    client.post(f"{base}/start", data={})
    with app.app_context():
        panel = db.session.get(Panel, panel_id)
        assert services.is_active_member(user, panel)
        declined = db.session.scalar(
            sa.select(Membership).where(Membership.status == MembershipStatus.DECLINED)
        )
    # The decline is replaced from the reserves, keeping the quotas.
    # Codes are keyed per panel, so the reserves differ from run to run: when none of them
    # keeps the quotas, the replacement is a new draw, followed on its progress page.
    response = client.post(f"{base}/members/{declined.id}/replace", data={"seed": "7"})
    assert response.status_code == 302
    if "/progress" in response.headers["Location"]:
        with app.app_context():
            replacement = db.session.scalar(sa.select(Draw).order_by(Draw.id.desc()))
        assert wait_for(app, replacement.id) is DrawStatus.DONE
    with app.app_context():
        panel = db.session.get(Panel, panel_id)
        assert len(services.seated(panel)) == 8
        replaced = db.session.get(Membership, declined.id)
        assert replaced.replaced_by_id is not None


def test_draw_with_impossible_quotas_explains_and_records_nothing(
    client, app, facilitator, make_panel
):
    impossible = (
        b"feature,value,min,max\ngenre,femme,7,8\ngenre,homme,0,8\nage,jeune,0,8\nage,ancien,0,8\n"
    )
    panel_id = make_panel(seats=8, pool=small_pool(10), quotas=impossible)
    response = client.post(
        f"/panels/{panel_id}/draw", data={"seed": "1", "algorithm": "leximin", "reserves": "0"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "at least 7 people with genre" in page and "only 5" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Draw)) == 0


def test_renewal_from_the_pages(client, app, facilitator, small_panel):
    with app.app_context():
        draw = services.request_initial_draw(db.session.get(Panel, small_panel), seed="3")
        services.draw_now(draw)
    response = client.post(
        f"/panels/{small_panel}/renew", data={"seed": "4", "algorithm": "leximin", "reserves": "0"}
    )
    assert response.status_code == 302
    with app.app_context():
        renewal = db.session.scalar(sa.select(Draw).where(Draw.kind == "renewal"))
    assert wait_for(app, renewal.id) is DrawStatus.DONE
    with app.app_context():
        assert len(services.seated(db.session.get(Panel, small_panel))) == 8


@pytest.mark.parametrize(
    "role, status", [("anonymous", 302), ("resident", 403), ("facilitator", 200), ("admin", 200)]
)
def test_only_facilitators_see_personal_data(client, make_user, login, small_panel, role, status):
    if role != "anonymous":
        login(make_user(Role(role)))
    response = client.get(f"/panels/{small_panel}/pool")
    assert response.status_code == status
    if status == 200:
        assert "s000@example.org" in response.get_data(as_text=True)
    manage = client.get(f"/panels/{small_panel}/manage")
    assert manage.status_code == status


def test_public_panel_page_shows_no_personal_data(client, app, small_panel):
    with app.app_context():
        draw = services.request_initial_draw(db.session.get(Panel, small_panel), seed="3")
        services.draw_now(draw)
    page = client.get(f"/panels/{small_panel}").get_data(as_text=True)
    assert "Petit panel" in page
    assert "@example.org" not in page and "rue des Lices" not in page and "Personne " not in page


def test_draw_runs_on_redis_through_rq(make_app, make_user, small_panel):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        from tests.conftest import missing

        missing("Redis does not answer on 127.0.0.1:6379")
    app = make_app(REDIS_URL=url)
    with app.app_context():
        from rq import Queue, SimpleWorker

        connection = redis.Redis.from_url(url)
        Queue("consultation", connection=connection).empty()
        draw = services.request_initial_draw(db.session.get(Panel, small_panel), seed="11")
        services.start_in_background(draw)
        assert db.session.get(Draw, draw.id).status is DrawStatus.QUEUED
        SimpleWorker(["consultation"], connection=connection).work(burst=True)
        db.session.expire_all()
        assert db.session.get(Draw, draw.id).status is DrawStatus.DONE


def test_volunteers_receive_their_public_code(client, app, facilitator, small_panel, outbox):
    assert client.post(f"/panels/{small_panel}/codes", data={}).status_code == 302
    messages = outbox()
    assert len(messages) == 40
    with app.app_context():
        volunteer = db.session.scalar(sa.select(Volunteer).where(Volunteer.external_id == "s000"))
        mine = next(m for m in messages if m["To"] == "s000@example.org")
        assert volunteer.code in mine.get_content()
