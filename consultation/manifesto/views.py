"""Manifesto pages: the text, its import, the history of each clause."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consultation.errors import DomainError
from consultation.extensions import db
from consultation.manifesto import services
from consultation.manifesto.forms import ClauseEditForm, ImportForm
from consultation.manifesto.models import Clause, ManifestoStatus
from consultation.permissions import (
    anyone,
    authorize,
    can_manage_referrals,
    can_read_referral,
    require,
)
from consultation.referrals.models import Referral

bp = Blueprint("manifesto", __name__)


def status_label(status) -> str:
    return {
        "drafting": _("Draft being prepared"),
        "amending": _("Open to amendments"),
        "voting": _("Vote"),
        "adopted": _("Adopted"),
    }[getattr(status, "value", status)]


@bp.app_context_processor
def manifesto_helpers():
    return {"manifesto_status_label": status_label}


def load_manifesto(manifesto_id: int):
    manifesto = services.load(manifesto_id)
    if manifesto is None:
        abort(404)
    authorize(can_read_referral(current_user, manifesto.referral))
    return manifesto


def load_clause(manifesto, clause_id: int) -> Clause:
    clause = db.get_or_404(Clause, clause_id)
    if clause.manifesto_id != manifesto.id:
        abort(404)
    return clause


@bp.get("/manifestos/<int:manifesto_id>")
@require(anyone, object_rule=can_read_referral)
def show(manifesto_id):
    """The manifesto: preamble, numbered sections and clauses."""
    manifesto = load_manifesto(manifesto_id)
    return render_template("manifesto/show.html", manifesto=manifesto,
                           sections=services.numbered(manifesto),
                           next_status=services.next_status(manifesto))


@bp.route("/referrals/<int:referral_id>/manifestos/import", methods=["GET", "POST"])
@require(can_manage_referrals)
def import_draft(referral_id):
    """Import a draft from Markdown: preview, then save."""
    referral = db.get_or_404(Referral, referral_id)
    form = ImportForm()
    draft = None
    text = ""
    if form.validate_on_submit():
        if form.file.data and getattr(form.file.data, "filename", ""):
            content = form.file.data.read()
        else:
            content = (form.text.data or "").encode()
        try:
            draft = services.read_draft(content)
            text = content.decode("utf-8", errors="replace") if b"\x00" not in content else ""
            if request.form.get("confirm") == "1":
                manifesto = services.import_manifesto(referral, content, title=form.title.data,
                                                      actor=current_user)
                db.session.commit()
                flash(_("Manifesto imported: %(n)s clauses.", n=draft.clause_count), "success")
                return redirect(url_for("manifesto.show", manifesto_id=manifesto.id))
        except DomainError as error:
            db.session.rollback()
            form.text.errors.append(error.message)
            draft = None
    return render_template("manifesto/import.html", referral=referral, form=form, draft=draft,
                           text=text), (400 if form.errors else 200)


@bp.post("/manifestos/<int:manifesto_id>/status")
@require(can_manage_referrals)
def move_status(manifesto_id):
    """Move the manifesto to its next stage."""
    manifesto = load_manifesto(manifesto_id)
    try:
        services.move_status(manifesto, ManifestoStatus(request.form.get("to", "")),
                             actor=current_user)
    except ValueError:
        abort(400)
    db.session.commit()
    flash(_("The manifesto is now: %(status)s.", status=status_label(manifesto.status)),
          "success")
    return redirect(url_for("manifesto.show", manifesto_id=manifesto.id))


@bp.get("/manifestos/<int:manifesto_id>/clauses/<int:clause_id>")
@require(anyone, object_rule=can_read_referral)
def clause(manifesto_id, clause_id):
    """A clause's history: every version, where it came from."""
    manifesto = load_manifesto(manifesto_id)
    item = load_clause(manifesto, clause_id)
    return render_template("manifesto/clause.html", manifesto=manifesto, clause=item,
                           number=dict((c.id, n) for _s, _sec, cs in services.numbered(manifesto)
                                       for n, c in cs).get(item.id, "—"))


@bp.route("/manifestos/<int:manifesto_id>/clauses/<int:clause_id>/edit",
          methods=["GET", "POST"])
@require(can_manage_referrals)
def edit_clause(manifesto_id, clause_id):
    """Edit a clause while drafting: the edit becomes a new version."""
    manifesto = load_manifesto(manifesto_id)
    item = load_clause(manifesto, clause_id)
    form = ClauseEditForm()
    if request.method == "GET":
        form.text.data = item.current.text
    if form.validate_on_submit():
        try:
            services.edit_clause(item, form.text.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            form.text.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("New version saved."), "success")
            return redirect(url_for("manifesto.clause", manifesto_id=manifesto.id,
                                    clause_id=item.id))
    return render_template("manifesto/edit_clause.html", manifesto=manifesto, clause=item,
                           form=form)
