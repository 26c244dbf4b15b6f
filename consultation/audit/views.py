"""The audit trail, for administrators."""

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _

from consultation.accounts.models import User
from consultation.audit import services
from consultation.audit.forms import AuditFilterForm
from consultation.extensions import db
from consultation.forms import options
from consultation.permissions import can_view_audit, require

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.get("/")
@require(can_view_audit)
def index():
    """List audit events, newest first, with filters."""
    form = AuditFilterForm(request.args)
    form.action.choices = options(
        [("", _("All actions"))] + [(a, a) for a in services.known_actions()]
    )
    form.object_type.choices = options(
        [("", _("All types"))] + [(t, t) for t in services.known_object_types()]
    )
    actor_id = None
    valid = form.validate()
    if valid and form.actor.data:
        actor_id = (
            db.session.scalar(
                sa.select(User.id).where(User.email == form.actor.data.strip().lower())
            )
            or -1
        )
    query = services.search(
        action=form.action.data if valid else None,
        actor_id=actor_id,
        object_type=form.object_type.data if valid else None,
        since=form.since.data if valid else None,
        until=form.until.data if valid else None,
    )
    page = db.paginate(query, per_page=current_app.config["AUDIT_PAGE_SIZE"], error_out=False)
    return render_template("audit/index.html", form=form, page=page)
