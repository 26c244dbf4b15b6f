"""Every account flow, as a person using the site sees it."""

from pathlib import Path

import sqlalchemy as sa

import consultation
from consultation.accounts.models import Invitation, Role, User
from consultation.audit.models import AuditEvent
from consultation.extensions import db
from tests.conftest import DEFAULT_PASSWORD, link_in


def users_with_email(app, email):
    with app.app_context():
        return db.session.scalars(sa.select(User).where(User.email == email)).all()


def test_sign_up_creates_a_resident_and_signs_in(client, app):
    response = client.post(
        "/signup",
        data={
            "email": "Lea@Example.org ",
            "display_name": "Léa",
            "password": "a long password",
            "confirm": "a long password",
            "language": "fr",
        },
    )
    assert response.status_code == 302
    [user] = users_with_email(app, "lea@example.org")
    assert user.role is Role.RESIDENT
    assert user.password_hash != "a long password"
    assert "Léa" in client.get("/account").get_data(as_text=True)


def test_sign_up_rejects_a_short_password_and_keeps_the_other_fields(client, app):
    response = client.post(
        "/signup",
        data={
            "email": "short@example.org",
            "display_name": "Court",
            "password": "123456789",
            "confirm": "123456789",
            "language": "en",
        },
        headers={"Accept-Language": "en"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Use at least 10 characters." in page
    assert 'value="short@example.org"' in page
    assert users_with_email(app, "short@example.org") == []


def test_sign_up_with_a_taken_email_explains(client, make_user):
    make_user(email="taken@example.org")
    response = client.post(
        "/signup",
        data={
            "email": "taken@example.org",
            "display_name": "Autre",
            "password": "a long password",
            "confirm": "a long password",
            "language": "en",
        },
        headers={"Accept-Language": "en"},
    )
    assert "An account already exists for this email address" in response.get_data(as_text=True)


def test_sign_up_closed_when_by_invitation(make_app):
    app = make_app(SIGNUP_MODE="invitation")
    client = app.test_client()
    assert client.get("/signup").status_code == 403
    response = client.post(
        "/signup",
        data={
            "email": "x@example.org",
            "display_name": "X",
            "password": "a long password",
            "confirm": "a long password",
            "language": "fr",
        },
    )
    assert response.status_code == 403
    assert users_with_email(app, "x@example.org") == []


def test_login_and_logout(client, make_user, login):
    user = make_user()
    response = login(user)
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    response = client.post("/logout", data={})
    assert response.status_code == 302
    assert client.get("/account").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_message(client, make_user, login):
    user = make_user()
    headers = {"Accept-Language": "en"}
    wrong = client.post(
        "/login", data={"email": user.email, "password": "wrong password"}, headers=headers
    )
    unknown = client.post(
        "/login", data={"email": "nobody@example.org", "password": "whatever"}, headers=headers
    )
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "Email address or password is not correct." in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_inactive_account_cannot_sign_in(client, app, make_user, login):
    user = make_user()
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    login(user)
    assert client.get("/account").status_code == 302


def test_remember_me_sets_a_lasting_cookie(client, make_user, login):
    user = make_user()
    login(user, remember=True)
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only


def test_login_is_rate_limited(make_app, make_user):
    app = make_app(AUTH_RATE_LIMIT="3 per minute")
    client = app.test_client()
    statuses = [
        client.post("/login", data={"email": "a@example.org", "password": "nope nope"}).status_code
        for _ in range(4)
    ]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3] == 429


def test_sign_up_is_rate_limited(make_app):
    app = make_app(AUTH_RATE_LIMIT="2 per minute")
    client = app.test_client()
    data = {"email": "bad", "display_name": "", "password": "", "confirm": "", "language": "fr"}
    statuses = [client.post("/signup", data=data).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_password_reset_requests_are_rate_limited(make_app):
    app = make_app(AUTH_RATE_LIMIT="2 per minute")
    client = app.test_client()
    statuses = [
        client.post("/password/forgot", data={"email": "x@example.org"}).status_code
        for _ in range(3)
    ]
    assert statuses[2] == 429 and 429 not in statuses[:2]


def test_limits_for_every_page_still_apply_when_configured(make_app):
    app = make_app(RATELIMIT_DEFAULT="2 per minute")
    client = app.test_client()
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 429]


def test_every_rate_limit_is_declared_through_rate_limited():
    """Views without the mark skip the limiter, so a limit set with ``limiter.limit``
    directly would never apply."""
    package = Path(consultation.__file__).parent
    direct = [
        f"{path.relative_to(package)}:{number}"
        for path in package.rglob("*.py")
        if path.name != "extensions.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "limiter.limit(" in line
    ]
    assert direct == []


def test_password_reset_by_emailed_link(client, make_user, outbox, login):
    user = make_user(email="oubli@example.org")
    response = client.post("/password/forgot", data={"email": "oubli@example.org"})
    assert response.status_code == 302
    [message] = outbox()
    assert message["To"] == "oubli@example.org"
    path = link_in(message, "/password/reset/")
    response = client.post(path, data={"password": "my new password", "confirm": "my new password"})
    assert response.status_code == 302
    login(user, password="my new password")
    assert client.get("/account").status_code == 200


def test_reset_link_cannot_be_used_twice(client, make_user, outbox):
    make_user(email="deux@example.org")
    client.post("/password/forgot", data={"email": "deux@example.org"})
    path = link_in(outbox()[0], "/password/reset/")
    client.post(path, data={"password": "first new password", "confirm": "first new password"})
    response = client.get(path, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "already been used" in response.get_data(as_text=True)


def test_expired_reset_link_is_refused(make_app, make_user, outbox):
    app = make_app(RESET_TOKEN_MAX_AGE=-1)
    client = app.test_client()
    make_user(email="vieux@example.org")
    client.post("/password/forgot", data={"email": "vieux@example.org"})
    path = link_in(outbox()[0], "/password/reset/")
    response = client.post(
        path,
        data={"password": "another password", "confirm": "another password"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_reset_request_does_not_reveal_whether_an_account_exists(client, make_user, outbox):
    make_user(email="real@example.org")
    known = client.post(
        "/password/forgot", data={"email": "real@example.org"}, follow_redirects=True
    )
    unknown = client.post(
        "/password/forgot", data={"email": "ghost@example.org"}, follow_redirects=True
    )
    assert _flash_text(known) and _flash_text(known) == _flash_text(unknown)
    assert len(outbox()) == 1


def _flash_text(response):
    import re

    return re.findall(r'<p class="flash[^"]*">(.*?)</p>', response.get_data(as_text=True))


def test_facilitator_invites_and_the_link_creates_the_account(
    client, app, make_user, login, outbox
):
    facilitator = make_user(Role.FACILITATOR)
    login(facilitator)
    response = client.post(
        "/invitations", data={"email": "nouveau@example.org", "role": "resident"}
    )
    assert response.status_code == 302
    [message] = outbox()
    path = link_in(message, "/invitation/")
    client.post("/logout", data={})
    response = client.post(
        path,
        data={
            "display_name": "Nouvel habitant",
            "password": "a long password",
            "confirm": "a long password",
            "language": "fr",
        },
    )
    assert response.status_code == 302
    [user] = users_with_email(app, "nouveau@example.org")
    assert user.role is Role.RESIDENT
    with app.app_context():
        invitation = db.session.scalar(sa.select(Invitation))
        assert invitation.accepted_at is not None and invitation.user_id == user.id


def test_an_invitation_link_works_only_once(client, make_user, login, outbox):
    login(make_user(Role.FACILITATOR))
    client.post("/invitations", data={"email": "once@example.org", "role": "resident"})
    path = link_in(outbox()[0], "/invitation/")
    client.post("/logout", data={})
    data = {
        "display_name": "Une fois",
        "password": "a long password",
        "confirm": "a long password",
        "language": "en",
    }
    assert client.post(path, data=data).status_code == 302
    client.post("/logout", data={})
    response = client.post(path, data=data, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "already been used" in response.get_data(as_text=True)


def test_expired_invitation_is_refused(make_app, make_user, outbox):
    app = make_app(INVITATION_MAX_AGE_DAYS=-1)
    client = app.test_client()
    facilitator = make_user(Role.FACILITATOR)
    client.post("/login", data={"email": facilitator.email, "password": DEFAULT_PASSWORD})
    client.post("/invitations", data={"email": "late@example.org", "role": "resident"})
    path = link_in(outbox()[0], "/invitation/")
    client.post("/logout", data={})
    response = client.get(path, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_unknown_invitation_token_is_refused(client):
    assert client.get("/invitation/not-a-token").status_code == 400


def test_facilitator_cannot_invite_an_administrator(client, app, make_user, login, outbox):
    login(make_user(Role.FACILITATOR))
    response = client.post("/invitations", data={"email": "boss@example.org", "role": "admin"})
    assert response.status_code == 200
    assert outbox() == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_profile_change_and_password_change(client, app, make_user, login):
    user = make_user()
    login(user)
    response = client.post("/account", data={"display_name": "Nouveau nom", "language": "en"})
    assert response.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "Nouveau nom" in page and 'lang="en"' in page
    wrong = client.post(
        "/account/password",
        data={
            "pw-current": "not it at all",
            "pw-password": "brand new password",
            "pw-confirm": "brand new password",
        },
    )
    assert wrong.status_code == 400
    assert "The current password is not correct." in wrong.get_data(as_text=True)
    right = client.post(
        "/account/password",
        data={
            "pw-current": DEFAULT_PASSWORD,
            "pw-password": "brand new password",
            "pw-confirm": "brand new password",
        },
    )
    assert right.status_code == 302


def test_account_deletion_detaches_identity_but_keeps_the_trace(client, app, make_user, login):
    user = make_user(email="partir@example.org", name="Personne Qui Part")
    login(user)
    wrong = client.post("/account/delete", data={"password": "not my password"})
    assert wrong.status_code == 200
    assert users_with_email(app, "partir@example.org")
    response = client.post("/account/delete", data={"password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert users_with_email(app, "partir@example.org") == []
    with app.app_context():
        row = db.session.get(User, user.id)
        assert row is not None and row.is_deleted and not row.is_active
        assert row.display_name == "" and row.password_hash is None
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.object_id == str(user.id))
        ).all()
        assert "account.deleted" in actions and "account.created" in actions
    assert client.get("/account").status_code == 302
    assert (
        client.post(
            "/login", data={"email": "partir@example.org", "password": DEFAULT_PASSWORD}
        ).status_code
        == 200
    )


def test_post_without_csrf_token_is_rejected(client, make_user, app):
    user = make_user()
    response = client.post(
        "/login",
        data={"email": user.email, "password": DEFAULT_PASSWORD},
        no_csrf=True,
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "The form could not be checked" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_post_with_a_forged_csrf_token_is_rejected(client, make_user):
    user = make_user()
    response = client.post(
        "/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 400


def test_login_redirects_only_to_local_paths(client, make_user):
    user = make_user()
    response = client.post(
        "/login?next=https://evil.example/x",
        data={"email": user.email, "password": DEFAULT_PASSWORD},
    )
    assert response.headers["Location"] == "/"
    client.post("/logout", data={})
    response = client.post(
        "/login?next=/account", data={"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.headers["Location"] == "/account"


def test_admin_changes_a_role(client, app, make_user, login):
    admin = make_user(Role.ADMIN)
    resident = make_user(Role.RESIDENT)
    login(admin)
    response = client.post(
        f"/admin/users/{resident.id}/role", data={f"u{resident.id}-role": "facilitator"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, resident.id).role is Role.FACILITATOR
