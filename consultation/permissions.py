"""Who may do what: every rule has a name, and views and templates use only these names."""

from functools import wraps

from flask import abort, current_app, redirect, url_for
from flask_login import current_user

from consultation.accounts.models import Role


def _role(user) -> Role | None:
    if user is None or not user.is_authenticated:
        return None
    return user.role


def anyone(user) -> bool:
    """Public pages: readable by everyone, signed in or not."""
    return True


def is_signed_in(user) -> bool:
    return _role(user) is not None


def is_anonymous(user) -> bool:
    """Pages that only make sense before signing in (sign-up, password reset)."""
    return _role(user) is None


def can_sign_up(user) -> bool:
    return is_anonymous(user) and current_app.config["SIGNUP_MODE"] == "open"


def can_manage_users(user) -> bool:
    return _role(user) is Role.ADMIN


def can_view_audit(user) -> bool:
    return _role(user) is Role.ADMIN


def can_invite(user) -> bool:
    return _role(user) in (Role.ADMIN, Role.FACILITATOR)


def invitable_roles(user) -> list[Role]:
    """Facilitators invite residents; administrators invite anyone."""
    role = _role(user)
    if role is Role.ADMIN:
        return [Role.RESIDENT, Role.FACILITATOR, Role.ADMIN]
    if role is Role.FACILITATOR:
        return [Role.RESIDENT]
    return []


def can_manage_panels(user) -> bool:
    return _role(user) in (Role.ADMIN, Role.FACILITATOR)


def can_view_personal_data(user) -> bool:
    """Volunteers' names, contacts and addresses: facilitators and administrators only."""
    return _role(user) in (Role.ADMIN, Role.FACILITATOR)


RULES = {
    rule.__name__: rule
    for rule in (
        anyone,
        is_signed_in,
        is_anonymous,
        can_sign_up,
        can_manage_users,
        can_view_audit,
        can_invite,
        can_manage_panels,
        can_view_personal_data,
    )
}


def require(rule):
    """Decorate a view so that it runs only when ``rule(current_user)`` holds.

    Signed-out visitors are sent to the login page; signed-in users get a 403, except
    on pages meant for signed-out visitors, which send them home.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not rule(current_user):
                if rule is is_anonymous:
                    return redirect(url_for("main.index"))
                if not current_user.is_authenticated:
                    return current_app.login_manager.unauthorized()
                abort(403)
            return view(*args, **kwargs)

        wrapped.permission = rule.__name__
        return wrapped

    return decorator


def init_app(app) -> None:
    app.jinja_env.globals.update(RULES)
