"""Account rules: creating, authenticating, inviting, resetting and deleting accounts."""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from consultation import mail
from consultation.accounts.models import Invitation, Role, User, utcnow
from consultation.audit.services import record
from consultation.errors import DomainError
from consultation.extensions import db

_RESET_SALT = "consultation.password-reset"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password_rules(password: str) -> None:
    """Raise DomainError unless the password is long enough."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise DomainError(_("Use at least %(n)s characters.", n=minimum))


def find_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def create_user(
    *,
    email: str,
    display_name: str,
    password: str,
    role: Role = Role.RESIDENT,
    language: str = "fr",
    actor=None,
    password_hash: str | None = None,
) -> User:
    """Create an active account.

    Raises DomainError when the email is taken or the password too short. A
    precomputed ``password_hash`` may be given instead (demo data).
    """
    email = normalise_email(email)
    if find_by_email(email) is not None:
        raise DomainError(
            _("An account already exists for this email address. Sign in, or reset your password.")
        )
    if password_hash is None:
        check_password_rules(password)
        password_hash = hash_password(password)
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=password_hash,
        role=role,
        language=language,
        active=True,
    )
    db.session.add(user)
    db.session.flush()
    record("account.created", actor=actor or user, obj=user, details={"role": role.value})
    return user


def sign_up(*, email: str, display_name: str, password: str, language: str) -> User:
    """Open sign-up: a resident account. Raises DomainError when sign-up is closed."""
    if current_app.config["SIGNUP_MODE"] != "open":
        raise DomainError(_("Sign-up is by invitation only on this platform."))
    return create_user(email=email, display_name=display_name, password=password, language=language)


# A valid hash to compare against when the email is unknown, so that a wrong
# email and a wrong password take the same time.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None; never says which part was wrong."""
    user = find_by_email(email)
    if user is None or not user.password_hash or not user.is_active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    record("account.login", actor=user, obj=user)
    return user


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_RESET_SALT)


def _password_fingerprint(user: User) -> str:
    # Ties a reset token to the current password: once used, the token is spent.
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"uid": user.id, "pw": _password_fingerprint(user)})


def request_password_reset(email: str) -> None:
    """Email a reset link if an active account has this address; silent otherwise."""
    user = find_by_email(email)
    if user is None or not user.is_active:
        return
    link = mail.external_url("accounts.reset_password", token=make_reset_token(user))
    minutes = current_app.config["RESET_TOKEN_MAX_AGE"] // 60
    mail.send_template(
        user.email, "reset_password", user.language, user=user, link=link, minutes=minutes
    )
    record("account.reset_requested", actor=user, obj=user)


def user_for_reset_token(token: str) -> User:
    """The user a reset token belongs to. Raises DomainError if it is expired, used or forged."""
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["RESET_TOKEN_MAX_AGE"])
    except SignatureExpired:
        raise DomainError(_("This reset link has expired. Ask for a new one.")) from None
    except BadSignature:
        raise DomainError(_("This reset link is not valid. Ask for a new one.")) from None
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.is_active or data.get("pw") != _password_fingerprint(user):
        raise DomainError(_("This reset link has already been used. Ask for a new one."))
    return user


def reset_password(token: str, password: str) -> User:
    """Set a new password from a reset token. Raises DomainError on a bad token or password."""
    user = user_for_reset_token(token)
    check_password_rules(password)
    user.password_hash = hash_password(password)
    record("account.password_reset", actor=user, obj=user)
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Change a password after checking the current one. Raises DomainError if it is wrong."""
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise DomainError(_("The current password is not correct."))
    check_password_rules(new)
    user.password_hash = hash_password(new)
    record("account.password_changed", actor=user, obj=user)


def update_profile(user: User, *, display_name: str, language: str) -> None:
    """Change the display name and preferred language."""
    changes = {}
    if display_name.strip() != user.display_name:
        changes["display_name"] = True
    if language != user.language:
        changes["language"] = language
    user.display_name = display_name.strip()
    user.language = language
    if changes:
        record("account.profile_updated", actor=user, obj=user, details=changes)


def set_role(user: User, role: Role, *, actor) -> None:
    """Give an account another role (administrators only; checked by the view)."""
    if user.id == actor.id and role is not Role.ADMIN:
        raise DomainError(_("You cannot remove your own administrator role."))
    previous = user.role
    user.role = role
    record(
        "account.role_changed",
        actor=actor,
        obj=user,
        details={"from": previous.value, "to": role.value},
    )


def delete_account(user: User, password: str) -> None:
    """Delete an account but keep what its owner wrote, detached from their identity.

    The row stays (contributions and votes still point to it); email, name and password
    are erased. Raises DomainError when the password is wrong.
    """
    if not user.password_hash or not check_password_hash(user.password_hash, password):
        raise DomainError(_("The password is not correct. Your account was not deleted."))
    user.email = f"deleted-{user.id}-{secrets.token_hex(4)}@invalid"
    user.display_name = ""
    user.password_hash = None
    user.active = False
    user.deleted_at = utcnow()
    record("account.deleted", actor=user, obj=user)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(*, email: str, role: Role, actor) -> Invitation:
    """Send an invitation link that creates an account with ``role``.

    Raises DomainError when an account already uses the address.
    """
    email = normalise_email(email)
    if find_by_email(email) is not None:
        raise DomainError(_("An account already exists for this email address."))
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email,
        role=role,
        token_hash=_token_hash(token),
        invited_by_id=actor.id,
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_MAX_AGE_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    link = mail.external_url("accounts.accept_invitation", token=token)
    mail.send_template(
        email, "invitation", actor.language, invitation=invitation, inviter=actor, link=link
    )
    record("invitation.sent", actor=actor, obj=invitation, details={"role": role.value})
    return invitation


def invitation_for_token(token: str) -> Invitation:
    """The open invitation behind a link. Raises DomainError if unknown, used or expired."""
    invitation = db.session.scalar(
        sa.select(Invitation).where(Invitation.token_hash == _token_hash(token))
    )
    if invitation is None:
        raise DomainError(_("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise DomainError(_("This invitation has already been used. Sign in instead."))
    if invitation.expires_at < utcnow():
        raise DomainError(_("This invitation has expired. Ask the facilitator for a new one."))
    return invitation


def accept_invitation(token: str, *, display_name: str, password: str, language: str) -> User:
    """Create the invited account. Raises DomainError for a bad link or password."""
    invitation = invitation_for_token(token)
    user = create_user(
        email=invitation.email,
        display_name=display_name,
        password=password,
        role=invitation.role,
        language=language,
        actor=invitation.invited_by,
    )
    invitation.accepted_at = utcnow()
    invitation.user_id = user.id
    record("invitation.accepted", actor=user, obj=invitation)
    return user


def pending_invitations():
    return db.session.scalars(
        sa.select(Invitation)
        .where(Invitation.accepted_at.is_(None))
        .order_by(Invitation.created_at.desc())
    )
