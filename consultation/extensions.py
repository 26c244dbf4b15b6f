"""Extensions, created unbound and attached to the application in ``create_app``."""

import time

import sqlalchemy as sa
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so that migrations are stable on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class _Limiter(Limiter):
    """Flask-Limiter, whose check before every request is skipped up front for views
    that are not rate limited (``_without_rate_limit``). The request filter below skips
    them too, but only after the limiter has looked up the view's limits and exemptions:
    a twentieth of what a ballot costs."""

    def _check_request_limit(self, callable_name=None, in_middleware=True):
        if in_middleware and _without_rate_limit():
            return
        super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)


limiter = _Limiter(key_func=get_remote_address)


def rate_limited(limit, **options):
    """``limiter.limit``, marking the view as rate limited. Unless limits for every view
    are configured (``RATELIMIT_DEFAULT``, ``RATELIMIT_APPLICATION``), only marked views
    go through the limiter: for the others its bookkeeping, a tenth of what a ballot
    costs, is skipped. Every rate limit is declared through this decorator."""

    def decorator(view):
        limited = limiter.limit(limit, **options)(view)
        limited.rate_limited = True
        return limited

    return decorator


@limiter.request_filter
def _without_rate_limit() -> bool:
    from flask import current_app, request

    if current_app.config.get("RATELIMIT_DEFAULT") or current_app.config.get(
        "RATELIMIT_APPLICATION"
    ):
        return False
    view = current_app.view_functions.get(request.endpoint)
    return not getattr(view, "rate_limited", False)


def include_in_migrations(name, type_, parent_names) -> bool:
    """Leave out what migrations create by hand: SQLite's full-text index and its tables."""
    if type_ == "table" and name and name.startswith("contributions_fts"):
        return False
    return not (type_ == "index" and name == "ix_contributions_fts")


def ping_idle_connections(engine: sa.Engine, after: float) -> None:
    """Check a pooled connection before it is used only if it sat idle in the pool for
    ``after`` seconds or more, instead of before every use (``pool_pre_ping``).

    A connection that the server closed, timed out or lost in a restart is found on its
    first use after a quiet spell and replaced before the request sees it. Under load,
    when connections go straight back into use, the check is spared: it is a round trip
    to the database, a tenth of what a ballot costs.
    """

    @sa.event.listens_for(engine, "checkin")
    def idle_from(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection, record, _proxy):
        idle_since = record.info.get("idle_since")  # none yet: a connection just opened
        if idle_since is None or time.monotonic() - idle_since < after:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool discards this connection and checks out a fresh one.
            raise sa.exc.DisconnectionError(str(error)) from error
