"""Accounts: sign-up, sign-in, invitations, password reset, profile, deletion."""

import sqlalchemy as sa
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
    # would build its own each time).
    by_id = sa.select(User).where(User.id == sa.bindparam("user_id"))

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.scalar(by_id, {"user_id": int(user_id)})

    permissions.init_app(app)
    app.register_blueprint(bp)
