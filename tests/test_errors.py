"""Error pages in both languages; a crash rolls back and shows a 500 page."""

import pytest
import sqlalchemy as sa

from consultation.accounts.models import User
from consultation.extensions import db


@pytest.mark.parametrize(
    "lang, text",
    [("fr", "Page introuvable"), ("en", "Page not found")],
)
def test_404_page_in_both_languages(client, lang, text):
    response = client.get("/nowhere", headers={"Accept-Language": lang})
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)


@pytest.mark.parametrize("lang, text", [("fr", "Accès refusé"), ("en", "Access denied")])
def test_403_page_in_both_languages(client, make_user, login, lang, text):
    login(make_user(language=lang))
    response = client.get("/admin/audit/")
    assert response.status_code == 403
    assert text in response.get_data(as_text=True)


@pytest.mark.parametrize("lang, text", [("fr", "Formulaire expiré"), ("en", "Form expired")])
def test_400_page_in_both_languages(client, lang, text):
    response = client.post("/login", data={}, no_csrf=True, headers={"Accept-Language": lang})
    assert response.status_code == 400
    assert text in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "lang, text", [("fr", "Un problème est survenu"), ("en", "Something went wrong")]
)
def test_500_page_rolls_back_the_session(make_app, lang, text):
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        db.session.add(User(email="half@example.org", display_name="Half", password_hash="x"))
        db.session.flush()
        raise RuntimeError("crash")

    response = app.test_client().get("/boom", headers={"Accept-Language": lang})
    assert response.status_code == 500
    assert text in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_an_oversized_upload_gets_a_clear_page(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024 * 1024)
    client = app.test_client()
    response = client.post(
        "/login", data={"email": "x" * (2 * 1024 * 1024)}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 413
    assert "larger than 1 MB" in response.get_data(as_text=True)
