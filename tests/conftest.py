"""Shared fixtures: an application on a freshly migrated database, clients, a login helper.

The suite runs on SQLite by default and on PostgreSQL when ``CONSULTATION_TEST_DB=postgresql``
(the URL comes from ``TEST_DATABASE_URL``). With ``REQUIRE_POSTGRES`` or ``CI`` set, a missing
database fails the run instead of skipping it.
"""

import email
import email.policy
import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from hypothesis import settings

from consultation import create_app
from consultation.accounts import services as accounts
from consultation.accounts.models import Role
from consultation.extensions import db, limiter

# Property tests check what the code does, not how fast: with the suite spread over
# every core (pytest-xdist) beside a browser and a database, a fixed per-example deadline
# would fail at random.
settings.register_profile("consultation", deadline=None)
settings.load_profile("consultation")

DEFAULT_PASSWORD = "correct horse battery"
CSRF_PATTERN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def strict() -> bool:
    """In CI a missing browser or database is a failure, never a skip."""
    return any(
        os.environ.get(name)
        for name in ("CI", "REQUIRE_POSTGRES", "REQUIRE_BROWSER", "REQUIRE_REDIS")
    )


def missing(message: str):
    """What is missing fails the run in CI (``strict``), and skips elsewhere."""
    if strict():
        pytest.fail(message)
    pytest.skip(message)


def database_kind() -> str:
    return os.environ.get("CONSULTATION_TEST_DB", "sqlite")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A database migrated once for the whole run, through the project's own migrations.

    Under pytest-xdist each worker has a database of its own: on SQLite in its own
    temporary folder, on PostgreSQL one created beside ``TEST_DATABASE_URL``'s, named
    after it and the worker, and dropped at the end of the run."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if database_kind() == "postgresql":
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            pytest.fail("CONSULTATION_TEST_DB=postgresql needs TEST_DATABASE_URL.")
        from consultation.config import normalise_database_url

        url = base = normalise_database_url(url)
        try:
            if worker:
                url = _create_database(base, f"{sa.make_url(base).database}_{worker}")
            _on_server(url, "DROP SCHEMA public CASCADE", "CREATE SCHEMA public")
        except sa.exc.OperationalError as error:
            message = f"PostgreSQL at TEST_DATABASE_URL does not answer: {error}"
            missing(message)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"

    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "migrate"})
    with app.app_context():
        upgrade()
        _dispose()
    yield url
    if worker and database_kind() == "postgresql":
        _on_server(base, f'DROP DATABASE IF EXISTS "{sa.make_url(url).database}" WITH (FORCE)')


def _on_server(url: str, *statements: str) -> None:
    """Run statements one by one, each committed, connected to ``url``."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(sa.text(statement))
    finally:
        engine.dispose()


def _create_database(url: str, name: str) -> str:
    """Create (anew) the database ``name`` on the server of ``url``; returns its URL."""
    _on_server(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    return sa.make_url(url).set(database=name).render_as_string(hide_password=False)


def _dispose() -> None:
    for engine in db.engines.values():
        engine.dispose()


def _clean(app) -> None:
    with app.app_context():
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                names = ", ".join(f'"{name}"' for name in tables)
                connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    connection.execute(sa.text(f'DELETE FROM "{name}"'))
        _dispose()


class Client(FlaskClient):
    """A test client that fills in the CSRF token the way a browser form would."""

    def csrf_token(self) -> str:
        page = self.get("/")
        return CSRF_PATTERN.search(page.get_data(as_text=True)).group(1)

    def post(self, *args, **kwargs):
        data = kwargs.get("data")
        if isinstance(data, dict) and "csrf_token" not in data and not kwargs.pop("no_csrf", False):
            kwargs["data"] = {**data, "csrf_token": self.csrf_token()}
        kwargs.pop("no_csrf", None)
        return super().post(*args, **kwargs)


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an application on the test database; keyword arguments override its config."""
    apps = []

    def factory(**overrides):
        config = {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
            "SERVER_NAME": None,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "OUTBOX_DIR": str(tmp_path / "outbox"),
            "EXPORT_DIR": str(tmp_path / "exports"),
            "RATELIMIT_STORAGE_URI": "memory://",
        }
        config.update(overrides)
        app = create_app(config)
        app.test_client_class = Client
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            _dispose()
    if apps:
        _clean(apps[0])


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        limiter.reset()
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Create an account directly (committed); returns it. Password: ``DEFAULT_PASSWORD``."""
    counter = iter(range(1, 10_000))

    def factory(
        role: Role | str = Role.RESIDENT,
        email: str | None = None,
        password: str = DEFAULT_PASSWORD,
        language: str = "fr",
        name: str | None = None,
    ):
        role = Role(role)
        n = next(counter)
        with app.app_context():
            user = accounts.create_user(
                email=email or f"{role.value}{n}@example.org",
                display_name=name or f"{role.value.title()} {n}",
                password=password,
                role=role,
                language=language,
            )
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        return user

    return factory


@pytest.fixture
def login(client):
    """Sign a user in through the login form; returns the response."""

    def do_login(user_or_email, password: str = DEFAULT_PASSWORD, remember: bool = False):
        email_address = getattr(user_or_email, "email", user_or_email)
        data = {"email": email_address, "password": password}
        if remember:
            data["remember"] = "y"
        return client.post("/login", data=data)

    return do_login


@pytest.fixture
def outbox(app):
    """Read the mails the application wrote to its outbox, oldest first."""

    def read() -> list[email.message.EmailMessage]:
        folder = Path(app.config["OUTBOX_DIR"])
        if not folder.exists():
            return []
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(folder.glob("*.eml"))
        ]

    return read


def link_in(message, prefix: str) -> str:
    """The path of the first link in a mail that starts with ``prefix``."""
    body = message.get_content()
    match = re.search(r"https?://[^/\s]+(" + re.escape(prefix) + r"[^\s]+)", body)
    assert match, f"no link to {prefix} in: {body}"
    return match.group(1)
