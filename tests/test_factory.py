"""The factory, configuration order and HTTP security settings."""

import pytest
import sqlalchemy as sa
from flask import Flask

from consultation import config
from consultation.config import ConfigurationError, normalise_database_url
from consultation.extensions import db


def bare_app(tmp_path) -> Flask:
    return Flask("probe", instance_path=str(tmp_path), instance_relative_config=True)


def test_configuration_order_defaults_instance_environment_test(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text(
        'SIGNUP_MODE = "invitation"\nMAIL_DEFAULT_SENDER = "instance@example.org"\n'
        "AUDIT_PAGE_SIZE = 7\n"
    )
    monkeypatch.setenv("MAIL_DEFAULT_SENDER", "env@example.org")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    app = bare_app(tmp_path)
    config.load(app, {"AUDIT_PAGE_SIZE": 9})
    assert app.config["PASSWORD_MIN_LENGTH"] == 10  # default
    assert app.config["SIGNUP_MODE"] == "invitation"  # instance file
    assert app.config["MAIL_DEFAULT_SENDER"] == "env@example.org"  # environment beats file
    assert app.config["AUDIT_PAGE_SIZE"] == 9  # test mapping beats all
    assert app.config["SECRET_KEY"] == "from-env"


def test_default_database_is_sqlite_under_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = bare_app(tmp_path)
    config.load(app, {"SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'consultation.sqlite3'}"


def test_database_url_from_environment_uses_psycopg(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example/city")
    app = bare_app(tmp_path)
    config.load(app, {"SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/city"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_production_without_secret_key_refuses_to_start(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("CONSULTATION_ENV", "production")
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        config.load(bare_app(tmp_path))


def test_production_cookies_are_secure(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSULTATION_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-secret")
    app = bare_app(tmp_path)
    config.load(app)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_generates_a_secret_once_into_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("CONSULTATION_ENV", raising=False)
    first = bare_app(tmp_path)
    config.load(first)
    second = bare_app(tmp_path)
    config.load(second)
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").read_text().strip() == first.config["SECRET_KEY"]


def test_redis_url_moves_rate_limits_to_redis(tmp_path, monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    app = bare_app(tmp_path)
    config.load(app, {"SECRET_KEY": "x"})
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize(
    "key, value", [("SIGNUP_MODE", "sometimes"), ("CONSULTATION_LOCALE", "de")]
)
def test_bad_settings_are_start_up_errors(tmp_path, key, value):
    with pytest.raises(ConfigurationError, match=key):
        config.load(bare_app(tmp_path), {"SECRET_KEY": "x", key: value})


def test_factory_uses_root_templates_and_static(app):
    assert app.template_folder.endswith("templates")
    assert app.static_folder.endswith("static")
    assert {"accounts", "audit", "main"} <= set(app.blueprints)


def test_every_page_sends_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_inline_script_in_pages(client):
    page = client.get("/login").get_data(as_text=True)
    assert "<script>" not in page and " onclick=" not in page


def test_session_cookie_is_httponly_and_samesite(client, make_user, login):
    login(make_user())
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_create_app_builds_independent_apps(make_app):
    one, two = make_app(SIGNUP_MODE="open"), make_app(SIGNUP_MODE="invitation")
    assert one.config["SIGNUP_MODE"] != two.config["SIGNUP_MODE"]
    assert one.test_client().get("/signup").status_code == 200
    assert two.test_client().get("/signup").status_code == 403


def test_a_connection_lost_while_idle_is_replaced_before_use(make_app):
    app = make_app(DATABASE_PING_AFTER=0)
    with app.app_context():
        with db.engine.connect() as connection:
            lost = connection.connection.dbapi_connection
        lost.close()  # as a server restart or an idle timeout leaves it
        with db.engine.connect() as connection:
            assert connection.connection.dbapi_connection is not lost
            assert connection.execute(sa.text("SELECT 1")).scalar() == 1


@pytest.mark.parametrize(("after", "pings"), [(0, 3), (60, 0)])
def test_only_connections_idle_long_enough_are_checked(make_app, monkeypatch, after, pings):
    app = make_app(DATABASE_PING_AFTER=after)
    with app.app_context():
        with db.engine.connect():
            pass  # the pool now holds a connection
        checked = []
        real = db.engine.dialect.do_ping
        monkeypatch.setattr(db.engine.dialect, "do_ping", lambda c: checked.append(c) or real(c))
        for _ in range(3):
            with db.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        assert len(checked) == pings
