"""Sign-up, sign-in, password reset, invitations and the account page."""

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from consultation.accounts import services
from consultation.accounts.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    InvitationForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    RoleForm,
    SignupForm,
)
from consultation.accounts.models import Role, User
from consultation.errors import DomainError
from consultation.extensions import db, rate_limited
from consultation.forms import options
from consultation.permissions import (
    can_invite,
    can_manage_users,
    can_sign_up,
    invitable_roles,
    is_anonymous,
    is_signed_in,
    require,
)

bp = Blueprint("accounts", __name__)


def auth_rate_limit() -> str:
    return current_app.config["AUTH_RATE_LIMIT"]


def safe_next(default: str) -> str:
    """Follow ``next`` only to a path on this site."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


def role_label(role: Role) -> str:
    return {
        Role.ADMIN: _("Administrator"),
        Role.FACILITATOR: _("Facilitator"),
        Role.RESIDENT: _("Resident"),
    }[role]


@bp.app_context_processor
def roles_context():
    return {"role_label": role_label}


@bp.route("/signup", methods=["GET", "POST"])
@require(is_anonymous)
@rate_limited(auth_rate_limit, methods=["POST"])
def signup():
    """Create a resident account (when sign-up is open)."""
    if not can_sign_up(current_user):
        return render_template("accounts/signup_closed.html"), 403
    form = SignupForm()
    if request.method == "GET":
        form.language.data = request.accept_languages.best_match(["fr", "en"]) or "fr"
    if form.validate_on_submit():
        try:
            user = services.sign_up(
                email=form.email.data,
                display_name=form.display_name.data,
                password=form.password.data,
                language=form.language.data,
            )
        except DomainError as error:
            form.email.errors.append(error.message)
        else:
            db.session.commit()
            login_user(user)
            session["lang"] = user.language
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(url_for("main.index"))
    return render_template("accounts/signup.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@require(is_anonymous)
@rate_limited(auth_rate_limit, methods=["POST"])
def login():
    """Sign in with email and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            db.session.rollback()
            form.password.errors.append(_("Email address or password is not correct."))
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(_("You are signed in."), "success")
            return redirect(safe_next(url_for("main.index")))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@require(is_signed_in)
def logout():
    """Sign out."""
    logout_user()
    flash(_("You are signed out."), "success")
    return redirect(url_for("main.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@require(is_anonymous)
@rate_limited(auth_rate_limit, methods=["POST"])
def forgot_password():
    """Ask for a password reset link by email."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(
            _(
                "If an account uses this address, a reset link has been sent to it. "
                "Check your inbox."
            ),
            "success",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@require(is_anonymous)
def reset_password(token):
    """Choose a new password from an emailed link."""
    try:
        services.user_for_reset_token(token)
    except DomainError as error:
        return render_template("accounts/link_problem.html", message=error.message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        db.session.commit()
        flash(_("Your password has been changed. You can sign in."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/invitations", methods=["GET", "POST"])
@require(can_invite)
def invitations():
    """Invite people by email; list the invitations not yet accepted."""
    form = InvitationForm()
    form.role.choices = options((r.value, role_label(r)) for r in invitable_roles(current_user))
    if form.validate_on_submit():
        try:
            services.invite(email=form.email.data, role=Role(form.role.data), actor=current_user)
        except DomainError as error:
            form.email.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Invitation sent to %(email)s.", email=form.email.data.strip()), "success")
            return redirect(url_for("accounts.invitations"))
    return render_template(
        "accounts/invitations.html", form=form, pending=list(services.pending_invitations())
    )


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@require(is_anonymous)
def accept_invitation(token):
    """Create an account from an invitation link."""
    try:
        invitation = services.invitation_for_token(token)
    except DomainError as error:
        return render_template("accounts/link_problem.html", message=error.message), 400
    form = AcceptInvitationForm()
    if request.method == "GET":
        form.language.data = request.accept_languages.best_match(["fr", "en"]) or "fr"
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(
                token,
                display_name=form.display_name.data,
                password=form.password.data,
                language=form.language.data,
            )
        except DomainError as error:
            form.display_name.errors.append(error.message)
        else:
            db.session.commit()
            login_user(user)
            session["lang"] = user.language
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(url_for("main.index"))
    return render_template("accounts/accept_invitation.html", form=form, invitation=invitation)


@bp.route("/account", methods=["GET", "POST"])
@require(is_signed_in)
def account():
    """See and change one's own profile."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(
            current_user, display_name=form.display_name.data, language=form.language.data
        )
        db.session.commit()
        session["lang"] = current_user.language
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("accounts.account"))
    return render_template(
        "accounts/account.html", form=form, password_form=ChangePasswordForm(prefix="pw")
    )


@bp.post("/account/password")
@require(is_signed_in)
def change_password():
    """Change one's password."""
    password_form = ChangePasswordForm(prefix="pw")
    if password_form.validate_on_submit():
        try:
            services.change_password(
                current_user, password_form.current.data, password_form.password.data
            )
        except DomainError as error:
            password_form.current.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.account"))
    return render_template(
        "accounts/account.html", form=ProfileForm(obj=current_user), password_form=password_form
    ), 400


@bp.route("/account/delete", methods=["GET", "POST"])
@require(is_signed_in)
def delete_account():
    """Delete one's account; contributions stay, detached from the person."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_account(current_user, form.password.data)
        except DomainError as error:
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            logout_user()
            session.pop("lang", None)
            flash(_("Your account has been deleted."), "success")
            return redirect(url_for("main.index"))
    return render_template("accounts/delete.html", form=form)


@bp.get("/admin/users")
@require(can_manage_users)
def users():
    """List accounts, for administrators."""
    query = sa.select(User).where(User.deleted_at.is_(None)).order_by(User.role, User.email)
    page = db.paginate(query, per_page=50, error_out=False)
    forms = {}
    for user in page.items:
        form = RoleForm(prefix=f"u{user.id}", formdata=None)
        form.role.choices = options((r.value, role_label(r)) for r in Role)
        form.role.data = user.role.value
        forms[user.id] = form
    return render_template("accounts/users.html", page=page, forms=forms)


@bp.post("/admin/users/<int:user_id>/role")
@require(can_manage_users)
def set_role(user_id):
    """Change an account's role."""
    user = db.get_or_404(User, user_id)
    form = RoleForm(prefix=f"u{user.id}")
    form.role.choices = options((r.value, role_label(r)) for r in Role)
    if form.validate_on_submit():
        services.set_role(user, Role(form.role.data), actor=current_user)
        db.session.commit()
        flash(_("Role changed for %(name)s.", name=user.display_name), "success")
    else:
        flash(_("The role could not be changed."), "error")
    return redirect(url_for("accounts.users"))
