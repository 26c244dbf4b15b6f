"""Referral pages: reading and joining the deliberation, and facilitating it."""

import re
from types import SimpleNamespace
from typing import NamedTuple

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, pgettext
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from consultation import charts, markdown
from consultation.cache import fragments
from consultation.errors import DomainError, attempt
from consultation.extensions import db
from consultation.forms import options
from consultation.panels.models import Panel
from consultation.permissions import (
    anyone,
    authorize,
    can_contribute,
    can_edit_contribution,
    can_manage_referrals,
    can_moderate,
    can_read_referral,
    can_report,
    can_support,
    is_signed_in,
    require,
)
from consultation.referrals import services
from consultation.referrals.forms import (
    ContributionForm,
    DigestForm,
    EditForm,
    HideForm,
    ReferralForm,
    ReplyForm,
    ReportForm,
    SearchForm,
    SynthesisForm,
)
from consultation.referrals.models import (
    Contribution,
    Participation,
    Phase,
    Referral,
    Stance,
    Visibility,
)

bp = Blueprint("referrals", __name__, url_prefix="/referrals")
DATE_FIELDS = ("opens_on", "deliberation_on", "drafting_on", "vote_on", "closes_on")


def phase_label(phase) -> str:
    return {
        "draft": _("Draft"),
        "open": _("Open to contributions"),
        "deliberation": _("Deliberation"),
        "drafting": _("Drafting"),
        "vote": _("Vote"),
        "closed": pgettext("referral phase", "Closed"),
    }[getattr(phase, "value", phase)]


def stance_label(stance) -> str:
    return {
        "agree": _("Agrees"),
        "disagree": _("Disagrees"),
        "question": _("Question"),
        "proposal": _("Proposal"),
    }[getattr(stance, "value", stance)]


@bp.app_context_processor
def referral_helpers():
    return {"phase_label": phase_label, "stance_label": stance_label, "PHASES": list(Phase)}


def load_referral(referral_id: int) -> Referral:
    referral = db.get_or_404(Referral, referral_id)
    authorize(can_read_referral(current_user, referral))
    return referral


def load_contribution(referral: Referral, contribution_id: int) -> Contribution:
    contribution = db.get_or_404(Contribution, contribution_id)
    if contribution.referral_id != referral.id:
        abort(404)
    return contribution


@bp.get("/")
@require(anyone)
def index():
    """Referrals the visitor may read."""
    query = sa.select(Referral).order_by(Referral.created_at.desc())
    referrals = [r for r in db.session.scalars(query) if can_read_referral(current_user, r)]
    return render_template("referrals/index.html", referrals=referrals)


def _documents_from(text: str) -> list[dict]:
    documents = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        title, _sep, url = line.rpartition("|")
        documents.append({"title": title.strip(), "url": url.strip()})
    return documents


def _documents_text(documents: list[dict]) -> str:
    return "\n".join(f"{d['title']} | {d['url']}" for d in documents)


def _referral_form(referral: Referral | None = None) -> ReferralForm:
    form = ReferralForm(obj=referral)
    panels = db.session.scalars(sa.select(Panel).order_by(Panel.name)).all()
    form.panel.choices = options((p.id, p.name) for p in panels)
    if referral is not None and request.method == "GET":
        form.panel.data = referral.panel_id
        form.documents.data = _documents_text(referral.documents)
        form.participation.data = referral.participation.value
        form.visibility.data = referral.visibility.value
    return form


@bp.route("/new", methods=["GET", "POST"])
@require(can_manage_referrals)
def create():
    """Create a referral (in the draft phase)."""
    form = _referral_form()
    if not form.panel.choices:
        flash(_("Create a panel first: a referral is referred to a panel."), "error")
        return redirect(url_for("panels.index"))
    if form.validate_on_submit():
        try:
            referral = services.create_referral(
                panel=db.get_or_404(Panel, form.panel.data),
                title=form.title.data,
                question=form.question.data,
                context_md=form.context_md.data or "",
                documents=_documents_from(form.documents.data),
                participation=Participation(form.participation.data),
                visibility=Visibility(form.visibility.data),
                dates={k: form[k].data for k in DATE_FIELDS},
                actor=current_user,
            )
        except DomainError as error:
            form.documents.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Referral created as a draft. Open it when it is ready."), "success")
            return redirect(url_for("referrals.show", referral_id=referral.id))
    return render_template("referrals/form.html", form=form, referral=None)


@bp.route("/<int:referral_id>/edit", methods=["GET", "POST"])
@require(can_manage_referrals)
def edit_referral(referral_id):
    """Change a referral's text and settings."""
    referral = db.get_or_404(Referral, referral_id)
    form = _referral_form(referral)
    if form.validate_on_submit():
        try:
            services.update_referral(
                referral,
                title=form.title.data,
                question=form.question.data,
                context_md=form.context_md.data or "",
                documents=_documents_from(form.documents.data),
                participation=Participation(form.participation.data),
                visibility=Visibility(form.visibility.data),
                dates={k: form[k].data for k in DATE_FIELDS},
                actor=current_user,
            )
        except DomainError as error:
            form.documents.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Referral saved."), "success")
            return redirect(url_for("referrals.show", referral_id=referral.id))
    return render_template("referrals/form.html", form=form, referral=referral)


@bp.post("/<int:referral_id>/phase")
@require(can_manage_referrals)
def move_phase(referral_id):
    """Move the referral to its next phase."""
    referral = db.get_or_404(Referral, referral_id)
    try:
        services.move_phase(referral, Phase(request.form.get("to", "")), actor=current_user)
    except ValueError:
        abort(400)
    db.session.commit()
    flash(
        _("The referral is now in the phase “%(phase)s”.", phase=phase_label(referral.phase)),
        "success",
    )
    return redirect(url_for("referrals.show", referral_id=referral.id))


class Flags(NamedTuple):
    """What the viewer may do on a referral's page, worked out once per request."""

    may_support: bool
    may_contribute: bool
    moderator: bool


def flags_for(referral: Referral) -> Flags:
    return Flags(
        may_support=can_support(current_user, referral),
        may_contribute=can_contribute(current_user, referral),
        moderator=can_moderate(current_user, referral),
    )


_PLACEHOLDER = re.compile(r"<!--([SH])(\d+)-->")


def _author_label(user) -> str:
    return (
        _("Former participant") if user.is_deleted or not user.display_name else user.display_name
    )


def _threads_fragment(referral: Referral, page: int, flags: Flags) -> dict:
    """The page's threads, notes and count, rendered once per referral version.

    Per-viewer parts (support buttons, one's own hidden text) are left as placeholders.
    """
    key = ("referral", referral.id, referral.version, page, str(get_locale()), flags)
    fragment = fragments().get(key)
    if fragment is not None:
        return fragment
    threads = services.thread_page(referral, None, page=page)
    shown = list(threads.by_id.values())
    fragment = {
        "html": render_template(
            "referrals/_threads.html", referral=referral, threads=threads, flags=flags
        ),
        "ids": [c.id for c in shown],
        "support": {c.id: (c.support_count, _author_label(c.author)) for c in shown},
        "hidden": {c.id: (c.author_id, c.body_html) for c in shown if c.is_hidden},
        "total": services.contribution_count(referral),
        "notes": [
            SimpleNamespace(
                body_html=n.body_html, author_name=n.author.display_name, created_at=n.created_at
            )
            for n in services.synthesis_notes(referral)
        ],
    }
    fragments().set(key, fragment)  # plain strings and numbers only: it outlives the session
    return fragment


def _fill(fragment: dict, referral: Referral, here: str) -> Markup:
    """Put this viewer's support buttons and own hidden texts into a cached fragment."""
    supported = (
        services.supported_by(current_user, fragment["ids"])
        if current_user.is_authenticated
        else set()
    )
    viewer = current_user.id if current_user.is_authenticated else None
    token = generate_csrf()
    labels = (_("Supported"), _("Support"))

    def replace(match):
        kind, contribution_id = match.group(1), int(match.group(2))
        if kind == "H":
            author_id, body = fragment["hidden"].get(contribution_id, (None, ""))
            if author_id is not None and author_id == viewer:
                return f'<div class="contribution-body hidden-text">{body}</div>'
            return ""
        count, name = fragment["support"][contribution_id]
        pressed = contribution_id in supported
        action = url_for(
            "referrals.support", referral_id=referral.id, contribution_id=contribution_id
        )
        return (
            f'<form method="post" action="{action}" class="inline-form">'
            f'<input type="hidden" name="csrf_token" value="{token}">'
            f'<input type="hidden" name="next" value="{escape(here)}#c{contribution_id}">'
            f'<button type="submit" class="button button-small button-secondary" '
            f'aria-pressed="{"true" if pressed else "false"}">'
            f'{"✓ " + labels[0] if pressed else labels[1]} <span class="count">({count})</span>'
            f'<span class="visually-hidden"> — {escape(name)}</span></button></form>'
        )

    return Markup(_PLACEHOLDER.sub(replace, fragment["html"]))


def _show(referral: Referral, form=None, preview=None, status=200):
    page = request.args.get("page", 1, type=int)
    flags = flags_for(referral)
    fragment = _threads_fragment(referral, page, flags)
    here = request.full_path if request.query_string else request.path
    return render_template(
        "referrals/show.html",
        referral=referral,
        fragment=fragment,
        flags=flags,
        threads_html=_fill(fragment, referral, here),
        form=form or ContributionForm(),
        preview=preview,
        search_form=SearchForm(),
        synthesis_form=SynthesisForm() if flags.moderator else None,
        next_phase=services.next_phase(referral),
    ), status


@bp.get("/<int:referral_id>")
@require(anyone, object_rule=can_read_referral)
def show(referral_id):
    """A referral: its question and context, notes, and a page of threads."""
    return _show(load_referral(referral_id))


@bp.post("/<int:referral_id>/contributions")
@require(is_signed_in, object_rule=can_contribute)
def post(referral_id):
    """Post a new contribution (or preview it)."""
    referral = load_referral(referral_id)
    form = ContributionForm()
    if not form.validate_on_submit():
        return _show(referral, form=form, status=400)
    if form.preview.data:
        return _show(referral, form=form, preview=markdown.render(form.body.data))
    try:
        contribution = services.post(
            referral,
            current_user,
            form.body.data,
            stance=Stance(form.stance.data) if form.stance.data else None,
        )
    except DomainError as error:
        db.session.rollback()
        form.body.errors.append(error.message)
        return _show(referral, form=form, status=400)
    db.session.commit()
    flash(_("Your contribution is published."), "success")
    return redirect(url_for("referrals.show", referral_id=referral.id) + f"#c{contribution.id}")


def _contribution_page(referral, contribution, reply_form=None, preview=None, status=200):
    can_see = (
        not contribution.is_hidden
        or can_moderate(current_user, referral)
        or (current_user.is_authenticated and contribution.author_id == current_user.id)
    )
    return render_template(
        "referrals/contribution.html",
        referral=referral,
        c=contribution,
        flags=flags_for(referral),
        reply_form=reply_form or ReplyForm(),
        preview=preview,
        can_see=can_see,
        report_form=ReportForm(prefix="report"),
        hide_form=HideForm(prefix="hide"),
        revisions=services.revisions(contribution) if can_see else [],
        supported=services.supported_by(current_user, [contribution.id]),
    ), status


@bp.get("/<int:referral_id>/contributions/<int:contribution_id>")
@require(anyone, object_rule=can_read_referral)
def contribution(referral_id, contribution_id):
    """One contribution with its reply form, history and moderation."""
    referral = load_referral(referral_id)
    return _contribution_page(referral, load_contribution(referral, contribution_id))


@bp.post("/<int:referral_id>/contributions/<int:contribution_id>/reply")
@require(is_signed_in, object_rule=can_contribute)
def reply(referral_id, contribution_id):
    """Reply to a contribution (or preview the reply)."""
    referral = load_referral(referral_id)
    parent = load_contribution(referral, contribution_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _contribution_page(referral, parent, reply_form=form, status=400)
    if form.preview.data:
        return _contribution_page(
            referral, parent, reply_form=form, preview=markdown.render(form.body.data)
        )
    try:
        new = services.post(
            referral,
            current_user,
            form.body.data,
            parent=parent,
            stance=Stance(form.stance.data) if form.stance.data else None,
        )
    except DomainError as error:
        db.session.rollback()
        form.body.errors.append(error.message)
        return _contribution_page(referral, parent, reply_form=form, status=400)
    db.session.commit()
    flash(_("Your reply is published."), "success")
    return redirect(
        url_for("referrals.thread", referral_id=referral.id, root_id=new.root_id) + f"#c{new.id}"
    )


@bp.get("/<int:referral_id>/threads/<int:root_id>")
@require(anyone, object_rule=can_read_referral)
def thread(referral_id, root_id):
    """A whole thread, its replies in order, paginated."""
    referral = load_referral(referral_id)
    root = load_contribution(referral, root_id)
    if root.parent_id is not None:
        return redirect(url_for("referrals.thread", referral_id=referral.id, root_id=root.root_id))
    page = request.args.get("page", 1, type=int)
    threads = services.thread_page(referral, current_user, page=page, root=root)
    return render_template(
        "referrals/thread.html",
        referral=referral,
        root=root,
        threads=threads,
        flags=flags_for(referral),
    )


@bp.route("/<int:referral_id>/contributions/<int:contribution_id>/edit", methods=["GET", "POST"])
@require(is_signed_in, object_rule=can_edit_contribution)
def edit(referral_id, contribution_id):
    """Edit one's own contribution, shortly after posting."""
    referral = load_referral(referral_id)
    contribution = load_contribution(referral, contribution_id)
    authorize(can_edit_contribution(current_user, contribution))
    form = EditForm(obj=contribution if request.method == "GET" else None)
    if request.method == "GET":
        form.body.data = contribution.body_md
    if form.validate_on_submit():
        try:
            services.edit(contribution, current_user, form.body.data)
        except DomainError as error:
            db.session.rollback()
            form.body.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Your change is saved; the previous text stays in the history."), "success")
            return redirect(
                url_for(
                    "referrals.contribution",
                    referral_id=referral.id,
                    contribution_id=contribution.id,
                )
            )
    return render_template("referrals/edit.html", referral=referral, c=contribution, form=form)


def _back(referral, contribution):
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(
        url_for("referrals.contribution", referral_id=referral.id, contribution_id=contribution.id)
    )


@bp.post("/<int:referral_id>/contributions/<int:contribution_id>/support")
@require(is_signed_in, object_rule=can_support)
def support(referral_id, contribution_id):
    """Support a contribution, or withdraw one's support."""
    referral = load_referral(referral_id)
    contribution = load_contribution(referral, contribution_id)
    authorize(can_support(current_user, referral))
    try:
        supported = services.toggle_support(contribution, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            _("You support this contribution.")
            if supported
            else _("You no longer support this contribution."),
            "success",
        )
    return _back(referral, contribution)


@bp.post("/<int:referral_id>/contributions/<int:contribution_id>/report")
@require(is_signed_in, object_rule=can_report)
def report(referral_id, contribution_id):
    """Report a contribution to the facilitators."""
    referral = load_referral(referral_id)
    contribution = load_contribution(referral, contribution_id)
    authorize(can_report(current_user, referral))
    form = ReportForm(prefix="report")
    if form.validate_on_submit():
        attempt(
            lambda: services.report(contribution, current_user, form.reason.data),
            _("Thank you: the facilitators will look at your report."),
        )
    else:
        flash(_("Say why you report this contribution."), "error")
    return _back(referral, contribution)


@bp.post("/<int:referral_id>/contributions/<int:contribution_id>/hide")
@require(can_manage_referrals, object_rule=can_moderate)
def hide(referral_id, contribution_id):
    """Hide a contribution, with a reason given to its author."""
    referral = db.get_or_404(Referral, referral_id)
    contribution = load_contribution(referral, contribution_id)
    form = HideForm(prefix="hide")
    if form.validate_on_submit():
        attempt(
            lambda: services.hide(contribution, current_user, form.reason.data),
            _("The contribution is hidden; its author has been told."),
        )
    else:
        flash(_("Give the reason for hiding: its author will read it."), "error")
    return _back(referral, contribution)


@bp.post("/<int:referral_id>/contributions/<int:contribution_id>/restore")
@require(can_manage_referrals, object_rule=can_moderate)
def restore(referral_id, contribution_id):
    """Show a hidden contribution again."""
    referral = db.get_or_404(Referral, referral_id)
    contribution = load_contribution(referral, contribution_id)
    attempt(
        lambda: services.unhide(contribution, current_user), _("The contribution is visible again.")
    )
    return _back(referral, contribution)


@bp.post("/<int:referral_id>/contributions/<int:contribution_id>/highlight")
@require(can_manage_referrals, object_rule=can_moderate)
def highlight(referral_id, contribution_id):
    """Highlight a contribution, or stop highlighting it."""
    referral = db.get_or_404(Referral, referral_id)
    contribution = load_contribution(referral, contribution_id)
    services.set_highlight(contribution, current_user, not contribution.highlighted)
    db.session.commit()
    return _back(referral, contribution)


@bp.post("/<int:referral_id>/synthesis")
@require(can_manage_referrals, object_rule=can_moderate)
def synthesis(referral_id):
    """Publish a synthesis note."""
    referral = db.get_or_404(Referral, referral_id)
    form = SynthesisForm()
    if form.validate_on_submit():
        services.add_synthesis(referral, current_user, form.body.data)
        db.session.commit()
        flash(_("Synthesis note published."), "success")
    else:
        flash(_("Write the note before publishing it."), "error")
    return redirect(url_for("referrals.show", referral_id=referral.id) + "#synthesis")


@bp.get("/<int:referral_id>/search")
@require(anyone, object_rule=can_read_referral)
def search(referral_id):
    """Search the contributions of a referral."""
    referral = load_referral(referral_id)
    form = SearchForm(request.args)
    results = []
    error = None
    if form.validate() and form.q.data:
        try:
            results = services.search(referral, form.q.data, current_user)
        except DomainError as problem:
            error = problem.message
    return render_template(
        "referrals/search.html", referral=referral, form=form, results=results, error=error
    ), (400 if error else 200)


@bp.get("/<int:referral_id>/moderation")
@require(can_manage_referrals, object_rule=can_moderate)
def moderation(referral_id):
    """Open reports on a referral's contributions."""
    referral = db.get_or_404(Referral, referral_id)
    return render_template(
        "referrals/moderation.html",
        referral=referral,
        reports=services.open_reports(referral),
        hide_form=HideForm(prefix="hide"),
    )


@bp.get("/<int:referral_id>/statistics")
@require(can_manage_referrals, object_rule=can_moderate)
def statistics(referral_id):
    """Participation: contributions per day, and who speaks compared with the panel."""
    referral = db.get_or_404(Referral, referral_id)
    stats = services.participation_stats(referral)
    per_day_chart = (
        Markup(
            charts.bar_chart(
                [(d.isoformat(), n) for d, n in stats["per_day"]],
                title=_("Contributions per day"),
                value_label=_("Contributions"),
                chart_id="per-day",
            )
        )
        if stats["per_day"]
        else None
    )
    comparison_charts = {
        feature: Markup(
            charts.share_comparison_chart(
                rows,
                title=_(
                    "Share of seats and share of contributions by %(feature)s", feature=feature
                ),
                seat_label=_("Share of seats"),
                speech_label=_("Share of contributions"),
                chart_id=f"speech-{index}",
            )
        )
        for index, (feature, rows) in enumerate(stats["comparison"].items())
    }
    return render_template(
        "referrals/statistics.html",
        referral=referral,
        stats=stats,
        per_day_chart=per_day_chart,
        comparison_charts=comparison_charts,
    )


@bp.route("/replies", methods=["GET", "POST"], endpoint="replies")
@require(is_signed_in)
def replies():
    """Replies to my contributions, and the daily email setting."""
    form = DigestForm()
    if form.validate_on_submit():
        services.subscribe(current_user, form.daily.data)
        db.session.commit()
        flash(_("Your email setting is saved."), "success")
        return redirect(url_for("referrals.replies"))
    form.daily.data = services.is_subscribed(current_user)
    page = services.replies_to(current_user, page=request.args.get("page", 1, type=int))
    return render_template("referrals/replies.html", page=page, form=form)
