"""Command-line tools: users and demo data."""

import sqlalchemy as sa

from consultation import demo
from consultation.accounts.models import Role, User
from consultation.extensions import db
from consultation.manifesto.models import Amendment, Manifesto
from consultation.referrals.models import SynthesisNote
from consultation.votes.models import Ballot, Question


def count_users(app):
    return count(app, User)


def count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_users_create_with_password_on_stdin(runner, app, client):
    result = runner.invoke(
        args=["users", "create", "anim@example.org", "--role", "facilitator", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "anim@example.org"))
        assert user.role is Role.FACILITATOR
    response = client.post(
        "/login", data={"email": "anim@example.org", "password": "a long enough password"}
    )
    assert response.status_code == 302


def test_users_create_with_prompted_password(runner, app):
    result = runner.invoke(
        args=["users", "create", "p@example.org"],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert count_users(app) == 1


def test_users_create_refuses_duplicates_and_short_passwords(make_app):
    app = make_app(CONSULTATION_LOCALE="en")
    runner = app.test_cli_runner()
    ok = runner.invoke(
        args=["users", "create", "d@example.org", "--password-stdin"],
        input="a long enough password\n",
    )
    assert ok.exit_code == 0
    again = runner.invoke(
        args=["users", "create", "D@example.org", "--password-stdin"],
        input="a long enough password\n",
    )
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(
        args=["users", "create", "s@example.org", "--password-stdin"], input="short\n"
    )
    assert short.exit_code != 0 and "at least 10" in short.output
    assert count_users(app) == 1


def test_demo_is_safe_to_run_twice_and_its_logins_work(runner, app, client):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert demo.FACILITATOR_EMAIL in first.output
    total = count_users(app)
    assert total >= 40
    assert count(app, Manifesto) == 1
    loaded = {model: count(app, model) for model in (Amendment, Question, Ballot, SynthesisNote)}
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert count_users(app) == total
    assert count(app, Manifesto) == 1
    assert {model: count(app, model) for model in loaded} == loaded
    response = client.post(
        "/login", data={"email": demo.FACILITATOR_EMAIL, "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 302
