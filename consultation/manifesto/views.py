"""Manifesto pages: the text, its import, the history of each clause."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user
from markupsafe import Markup

from consultation.errors import DomainError, attempt
from consultation.extensions import db
from consultation.manifesto import amendments, services, textdiff
from consultation.manifesto.forms import (
    AmendmentForm,
    ClauseEditForm,
    DraftForm,
    ImportForm,
    ReviseForm,
)
from consultation.manifesto.models import (
    Amendment,
    AmendmentKind,
    AmendmentStatus,
    Clause,
    ManifestoStatus,
)
from consultation.permissions import (
    anyone,
    authorize,
    can_amend,
    can_manage_referrals,
    can_read_referral,
    can_revise,
    is_signed_in,
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


def amendment_status_label(status) -> str:
    return {
        "draft": _("Draft"),
        "open": pgettext("amendment status", "Open"),
        "voting": _("Being voted on"),
        "accepted": _("Accepted"),
        "rejected": _("Rejected"),
        "withdrawn": _("Withdrawn"),
        "needs-update": _("Needs an update"),
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
    sections = services.numbered(manifesto)
    return render_template(
        "manifesto/show.html",
        manifesto=manifesto,
        sections=sections,
        numbers={c.id: n for _s, _section, clauses in sections for n, c in clauses},
        next_status=services.next_status(manifesto),
        drafts=amendments.drafts_of(manifesto, current_user),
    )


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
                manifesto = services.import_manifesto(
                    referral, content, title=form.title.data, actor=current_user
                )
                db.session.commit()
                flash(_("Manifesto imported: %(n)s clauses.", n=draft.clause_count), "success")
                return redirect(url_for("manifesto.show", manifesto_id=manifesto.id))
        except DomainError as error:
            db.session.rollback()
            form.text.errors.append(error.message)
            draft = None
    return render_template(
        "manifesto/import.html", referral=referral, form=form, draft=draft, text=text
    ), (400 if form.errors else 200)


@bp.post("/manifestos/<int:manifesto_id>/status")
@require(can_manage_referrals)
def move_status(manifesto_id):
    """Move the manifesto to its next stage."""
    manifesto = load_manifesto(manifesto_id)
    try:
        services.move_status(
            manifesto, ManifestoStatus(request.form.get("to", "")), actor=current_user
        )
    except ValueError:
        abort(400)
    db.session.commit()
    flash(_("The manifesto is now: %(status)s.", status=status_label(manifesto.status)), "success")
    return redirect(url_for("manifesto.show", manifesto_id=manifesto.id))


@bp.get("/manifestos/<int:manifesto_id>/clauses/<int:clause_id>")
@require(anyone, object_rule=can_read_referral)
def clause(manifesto_id, clause_id):
    """A clause's history: every version, where it came from."""
    manifesto = load_manifesto(manifesto_id)
    item = load_clause(manifesto, clause_id)
    versions = item.versions
    numbers = [v.number for v in versions]
    a = request.args.get("from", type=int) or (numbers[-2] if len(numbers) > 1 else numbers[-1])
    b = request.args.get("to", type=int) or numbers[-1]
    by_number = {v.number: v for v in versions}
    if a not in by_number or b not in by_number:
        abort(404)
    return render_template(
        "manifesto/clause.html",
        manifesto=manifesto,
        clause=item,
        number=clause_number(manifesto, item),
        compare=(a, b),
        diff=Markup(textdiff.diff_html(by_number[a].text, by_number[b].text)),
        blame=services.passages(item),
        votes=_deciding_votes(versions),
        amendments=amendments.for_clause(item, current_user),
        amend_form=AmendmentForm() if can_amend(current_user, manifesto) else None,
    )


def clause_number(manifesto, clause) -> str:
    for _s, _section, clauses in services.numbered(manifesto):
        for number, item in clauses:
            if item.id == clause.id:
                return number
    return "—"


def _deciding_votes(versions) -> dict:
    """For each version an accepted amendment produced, the vote that accepted it."""
    from consultation.votes.services import deciding_votes

    votes = deciding_votes(v.amendment_id for v in versions if v.amendment_id is not None)
    return {v.number: votes.get(v.amendment_id) for v in versions if v.amendment_id is not None}


@bp.route("/manifestos/<int:manifesto_id>/clauses/<int:clause_id>/edit", methods=["GET", "POST"])
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
            return redirect(
                url_for("manifesto.clause", manifesto_id=manifesto.id, clause_id=item.id)
            )
    return render_template(
        "manifesto/edit_clause.html", manifesto=manifesto, clause=item, form=form
    )


@bp.route("/manifestos/<int:manifesto_id>/clauses/<int:clause_id>/amend", methods=["GET", "POST"])
@require(is_signed_in, object_rule=can_amend)
def amend(manifesto_id, clause_id):
    """Propose an amendment to a clause, after seeing its changes."""
    manifesto = load_manifesto(manifesto_id)
    item = load_clause(manifesto, clause_id)
    authorize(can_amend(current_user, manifesto))
    form = AmendmentForm()
    if request.method == "GET":
        form.text.data = item.current.text
    diff = None
    if form.validate_on_submit():
        kind = AmendmentKind(form.kind.data)
        if form.preview.data:
            proposed = "" if kind is AmendmentKind.DELETE else (form.text.data or "")
            base = "" if kind is AmendmentKind.INSERT_AFTER else item.current.text
            diff = Markup(textdiff.diff_html(base, proposed))
            # What proposing would refuse, said now rather than after the preview.
            try:
                amendments.check_wording(kind, form.text.data, item.current.text)
            except DomainError as error:
                form.text.errors.append(error.message)
        else:
            draft = bool(form.draft.data)
            try:
                amendment = amendments.propose(
                    manifesto,
                    item,
                    kind,
                    form.text.data,
                    form.rationale.data,
                    current_user,
                    draft=draft,
                )
            except DomainError as error:
                db.session.rollback()
                form.text.errors.append(error.message)
            else:
                db.session.commit()
                if draft:
                    flash(
                        _("Your draft is saved. Only you can see it, until you propose it."),
                        "success",
                    )
                else:
                    flash(_("Your amendment is proposed."), "success")
                return redirect(
                    url_for(
                        "manifesto.amendment", manifesto_id=manifesto.id, amendment_id=amendment.id
                    )
                )
    return render_template(
        "manifesto/amend.html",
        manifesto=manifesto,
        clause=item,
        form=form,
        diff=diff,
        number=clause_number(manifesto, item),
    ), (400 if form.errors else 200)


def load_amendment(manifesto, amendment_id: int) -> Amendment:
    """The amendment, as long as ``current_user`` may see it (a draft is its author's)."""
    amendment = db.get_or_404(Amendment, amendment_id)
    if amendment.manifesto_id != manifesto.id:
        abort(404)
    if amendment.status is AmendmentStatus.DRAFT and amendment.author_id != getattr(
        current_user, "id", None
    ):
        abort(404)
    return amendment


@bp.get("/manifestos/<int:manifesto_id>/amendments/<int:amendment_id>")
@require(anyone, object_rule=can_read_referral)
def amendment(manifesto_id, amendment_id):
    """An amendment: its changes against its base, its rationale, signatures, history."""
    manifesto = load_manifesto(manifesto_id)
    item = load_amendment(manifesto, amendment_id)
    base = item.base_version.text if item.kind is not AmendmentKind.INSERT_AFTER else ""
    proposed = item.proposed_text or ""
    return render_template(
        "manifesto/amendment.html",
        manifesto=manifesto,
        amendment=item,
        number=clause_number(manifesto, item.clause),
        diff=Markup(textdiff.diff_html(base, proposed)),
        may_amend=can_amend(current_user, manifesto),
        may_revise=can_revise(current_user, manifesto),
        revise_form=ReviseForm(),
        draft_form=DraftForm(text=item.proposed_text, rationale=item.rationale),
    )


@bp.post("/manifestos/<int:manifesto_id>/amendments/<int:amendment_id>/<action>")
@require(is_signed_in, object_rule=can_revise)
def amendment_action(manifesto_id, amendment_id, action):
    """Co-sign, withdraw or revise an amendment; edit or propose one's draft."""
    manifesto = load_manifesto(manifesto_id)
    item = load_amendment(manifesto, amendment_id)
    user = current_user
    if action in ("revise", "edit"):
        form = ReviseForm() if action == "revise" else DraftForm()
        if not form.validate_on_submit():
            abort(400)
    actions = {
        "cosign": (lambda: amendments.cosign(item, user), _("You co-signed this amendment.")),
        "withdraw": (lambda: amendments.withdraw(item, user), _("The amendment is withdrawn.")),
        "revise": (
            lambda: amendments.revise(item, user, form.text.data),
            _("The amendment is revised against the current text."),
        ),
        "edit": (
            lambda: amendments.edit_draft(item, user, form.text.data, form.rationale.data),
            _("Your draft is saved. Only you can see it, until you propose it."),
        ),
        "submit": (lambda: amendments.submit(item, user), _("Your amendment is proposed.")),
        "discard": (lambda: amendments.discard_draft(item, user), _("Your draft is deleted.")),
    }
    if action not in actions:
        abort(404)
    back = url_for("manifesto.amendment", manifesto_id=manifesto.id, amendment_id=item.id)
    clause = url_for("manifesto.clause", manifesto_id=manifesto.id, clause_id=item.clause_id)
    if attempt(*actions[action]) and action == "discard":
        return redirect(clause)  # the draft is gone: back to its clause
    return redirect(back)


@bp.get("/manifestos/<int:manifesto_id>/timeline")
@require(anyone, object_rule=can_read_referral)
def timeline(manifesto_id):
    """Every step of the manifesto, from the imported draft to the adopted text."""
    from consultation.manifesto.timeline import timeline as events_of
    from consultation.votes.wording import clause_numbers, question_label

    manifesto = load_manifesto(manifesto_id)
    numbers = clause_numbers(manifesto)
    return render_template(
        "manifesto/timeline.html",
        manifesto=manifesto,
        events=events_of(manifesto),
        numbers=numbers,
        question_label=lambda q: question_label(q, numbers),
    )
