"""Accounts: sign-up, sign-in, invitations, password reset, profile, deletion."""

import sqlalchemy as sa
from flask import session
from flask_babel import lazy_gettext as _l

from consultation.extensions import db, login_manager


def init_app(app) -> None:
    from consultation import permissions
    from consultation.accounts.models import User
    from consultation.accounts.views import bp

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Sign in to see this page.")
    login_manager.login_message_category = "info"

    # Every signed-in request loads its user: the statement is built once (Session.get
    # would build its own each time). A closed or deleted account is signed out on all
    # its devices at their next request.
    by_id = sa.select(User).where(
        User.id == sa.bindparam("user_id"), User.active, User.deleted_at.is_(None)
    )

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.scalar(by_id, {"user_id": int(user_id)})

    permissions.init_app(app)
    app.register_blueprint(bp)


def signed_in_id() -> int | None:
    """The id of the account this request's session is signed in to, read as flask-login
    reads it but without loading the account, for a view that checks the account in its
    own statement (it must: the account may have been closed since). None when loading
    the user takes more: no sign-in in the session, or one that session protection would
    question (another address or browser); the view then loads ``current_user``."""
    user_id = session.get("_user_id")
    if user_id is None or session.get("_id") != login_manager._session_identifier_generator():
        return None
    return int(user_id)
