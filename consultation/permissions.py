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


def can_manage_referrals(user) -> bool:
    """Create referrals, move their phases, write synthesis notes."""
    return _role(user) in (Role.ADMIN, Role.FACILITATOR)


# ------------------------------------------------------------------ referrals
# What each phase allows, in one place. Reading also depends on visibility;
# writing also depends on who may participate (see the functions below).
PHASE_ALLOWS = {
    "draft": set(),
    "open": {"read", "post", "support", "report", "edit"},
    "deliberation": {"read", "post", "support", "report", "edit"},
    "drafting": {"read", "report"},
    "vote": {"read", "report"},
    "closed": {"read", "report"},
}


def _phase_allows(referral, action: str) -> bool:
    return action in PHASE_ALLOWS[referral.phase.value]


def _is_member(user, panel) -> bool:
    from consultation.panels.services import is_active_member

    return is_active_member(user, panel)


def can_read_referral(user, referral) -> bool:
    """Facilitators always; others once it is open, if public or if they sit on the panel."""
    if can_manage_referrals(user):
        return True
    if not _phase_allows(referral, "read"):
        return False
    if referral.visibility.value == "public":
        return True
    return is_signed_in(user) and _is_member(user, referral.panel)


def may_participate(user, referral) -> bool:
    """Who the referral is open to: panel members, or every signed-in resident."""
    if not is_signed_in(user):
        return False
    if can_manage_referrals(user):
        return True
    if referral.participation.value == "residents":
        return True
    return _is_member(user, referral.panel)


def can_contribute(user, referral) -> bool:
    """Post and reply."""
    return _phase_allows(referral, "post") and may_participate(user, referral)


def can_support(user, referral) -> bool:
    return _phase_allows(referral, "support") and may_participate(user, referral)


def can_report(user, referral) -> bool:
    return (
        is_signed_in(user)
        and _phase_allows(referral, "report")
        and can_read_referral(user, referral)
    )


def can_moderate(user, referral=None) -> bool:
    """Hide, highlight, write synthesis notes: facilitators, in any phase."""
    return can_manage_referrals(user)


def can_edit_contribution(user, contribution) -> bool:
    """The author, in an open phase; the time window is checked by the service."""
    return (
        is_signed_in(user)
        and contribution.author_id == user.id
        and _phase_allows(contribution.referral, "edit")
        and not contribution.is_hidden
    )


def can_see_hidden_text(user, contribution) -> bool:
    """A hidden text stays readable by its author and the facilitators."""
    return can_moderate(user) or (is_signed_in(user) and contribution.author_id == user.id)


def is_member_for(user, manifesto) -> bool:
    """An active member of the panel the manifesto's referral was referred to."""
    return is_signed_in(user) and _is_member(user, manifesto.referral.panel)


def can_amend(user, manifesto) -> bool:
    """Propose, co-sign and revise amendments: panel members, while amendments are open."""
    return manifesto.status.value == "amending" and is_member_for(user, manifesto)


def can_revise(user, manifesto) -> bool:
    """Revise one's amendment, so that one overtaken by another can still be voted on:
    panel members, while amendments are open and at the vote stage."""
    return manifesto.status.value in ("amending", "voting") and is_member_for(user, manifesto)


def can_run_votes(user) -> bool:
    """Open and close votes, set the voting rules: facilitators and administrators."""
    return _role(user) in (Role.ADMIN, Role.FACILITATOR)


def can_vote(user, question) -> bool:
    """Cast a ballot: the members entitled when the vote opened, while it is open and the
    manifesto is at the vote stage. The service says why not, in words."""
    from consultation.errors import DomainError
    from consultation.votes.services import check_can_vote, is_elector

    try:
        check_can_vote(question, user)
    except DomainError:
        return False
    return is_elector(question, user)


def can_download_manifesto(user, manifesto) -> bool:
    """Everyone who can read the referral downloads an adopted text; facilitators
    download drafts too."""
    if can_manage_referrals(user):
        return True
    return manifesto.status.value == "adopted" and can_read_referral(user, manifesto.referral)


def authorize(allowed: bool) -> None:
    """Stop the request unless ``allowed``: signed-out visitors go to the login page."""
    if not allowed:
        if not current_user.is_authenticated:
            abort(current_app.login_manager.unauthorized())
        abort(403)


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
        can_manage_referrals,
        can_run_votes,
    )
}

# Rules about an object (user, object): the view loads the object, then calls authorize().
OBJECT_RULES = {
    rule.__name__: rule
    for rule in (
        can_read_referral,
        may_participate,
        can_contribute,
        can_support,
        can_report,
        can_moderate,
        can_edit_contribution,
        can_see_hidden_text,
        is_member_for,
        can_amend,
        can_vote,
        can_download_manifesto,
        can_revise,
    )
}


def require(rule, object_rule=None):
    """Decorate a view so that it runs only when ``rule(current_user)`` holds.

    ``object_rule`` names the rule the view then applies to the object it loads
    (through ``authorize``), so that every route declares what it checks.

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
        wrapped.object_rule = object_rule.__name__ if object_rule else None
        return wrapped

    return decorator


def init_app(app) -> None:
    app.jinja_env.globals.update(RULES)
    app.jinja_env.globals.update(OBJECT_RULES)
