"""Configuration: defaults here, then ``instance/config.py``, then the environment."""

import os
import secrets
from pathlib import Path


class ConfigurationError(RuntimeError):
    """The application cannot start with the configuration it was given."""


class Defaults:
    """Settings every deployment starts from."""

    CONSULTATION_ENV = "development"
    CONSULTATION_LOCALE = "fr"
    LANGUAGES = ("fr", "en")
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    SQLALCHEMY_ENGINE_OPTIONS = {}
    # A pooled connection idle this long (seconds) is checked before use.
    DATABASE_PING_AFTER = 10.0
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    SIGNUP_MODE = "open"  # "open" or "invitation"
    PASSWORD_MIN_LENGTH = 10
    PASSWORD_HASH_METHOD = "scrypt"
    RESET_TOKEN_MAX_AGE = 3600
    INVITATION_MAX_AGE_DAYS = 14
    AUTH_RATE_LIMIT = "10 per minute"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    MAIL_SERVER = None
    MAIL_PORT = 587
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_USE_TLS = True
    MAIL_DEFAULT_SENDER = "consultation@localhost"
    REDIS_URL = None
    AUDIT_PAGE_SIZE = 50
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    PUBLIC_URL = "http://127.0.0.1:5000"  # base of links in mails sent outside a request


ENVIRONMENT_KEYS = (
    "DATABASE_URL",
    "SECRET_KEY",
    "REDIS_URL",
    "CONSULTATION_LOCALE",
    "CONSULTATION_ENV",
    "PUBLIC_URL",
    "SIGNUP_MODE",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_USE_TLS",
    "MAIL_DEFAULT_SENDER",
)


def normalise_database_url(url: str) -> str:
    """Point PostgreSQL URLs at the psycopg 3 driver this project installs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _coerce(key: str, value: str):
    if key == "MAIL_PORT":
        return int(value)
    if key == "MAIL_USE_TLS":
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return value


def load(app, test_config=None) -> None:
    """Fill ``app.config`` in order: defaults, instance file, environment, test mapping."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    for key in ENVIRONMENT_KEYS:
        if key in os.environ and os.environ[key] != "":
            app.config[key] = _coerce(key, os.environ[key])
    if test_config:
        app.config.update(test_config)

    instance = Path(app.instance_path)
    if "SQLALCHEMY_DATABASE_URI" not in (test_config or {}):
        default = f"sqlite:///{instance / 'consultation.sqlite3'}"
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config.get("DATABASE_URL") or default
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    if app.config.get("REDIS_URL") and app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    app.config.setdefault("OUTBOX_DIR", str(instance / "outbox"))
    # Generated exports (large PDFs are made in the background and kept by content).
    app.config.setdefault("EXPORT_DIR", str(instance / "exports"))

    production = app.config["CONSULTATION_ENV"] == "production"
    if production:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if not app.config.get("SECRET_KEY"):
        if production:
            raise ConfigurationError(
                "SECRET_KEY is not set. In production, set the SECRET_KEY environment "
                "variable (or SECRET_KEY in instance/config.py) to a long random string, "
                'for example the output of: python -c "import secrets; print(secrets.token_hex(32))"'
            )
        app.config["SECRET_KEY"] = _development_secret(instance)
    if app.config["SIGNUP_MODE"] not in {"open", "invitation"}:
        raise ConfigurationError(
            f"SIGNUP_MODE must be 'open' or 'invitation', not {app.config['SIGNUP_MODE']!r}."
        )
    if app.config["CONSULTATION_LOCALE"] not in app.config["LANGUAGES"]:
        raise ConfigurationError(
            f"CONSULTATION_LOCALE must be one of {', '.join(app.config['LANGUAGES'])}."
        )


def _development_secret(instance: Path) -> str:
    """Generate a development secret once and keep it in ``instance/`` (out of git)."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
