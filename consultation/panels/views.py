"""Facilitators' pages for panels, and the page where a drawn volunteer answers."""

import sqlalchemy as sa
from babel.numbers import format_percent
from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user

from consultation.errors import DomainError
from consultation.extensions import db
from consultation.panels import services
from consultation.panels.forms import (
    AcceptSeatForm,
    AnswerForm,
    ConfirmForm,
    DepartureForm,
    DrawForm,
    PanelForm,
    PoolUploadForm,
    QuotasUploadForm,
    RenewForm,
    ReplaceForm,
    chosen_roles,
    column_roles_form,
)
from consultation.panels.models import (
    Draw,
    Membership,
    MembershipStatus,
    Panel,
    StagedImport,
    Volunteer,
)
from consultation.permissions import anyone, can_manage_panels, can_view_personal_data, require

bp = Blueprint("panels", __name__, url_prefix="/panels")


def status_label(status) -> str:
    return {
        "setup": _("Being prepared"),
        "drawn": _("Drawn, invitations under way"),
        "active": _("In office"),
        "closed": _("Closed"),
        "selected": _("Selected"),
        "invited": _("Invited"),
        "confirmed": _("Confirmed"),
        "declined": _("Declined"),
        "resigned": _("Resigned"),
        "replaced": _("Replaced"),
        "term-ended": _("Term ended"),
        "queued": _("Waiting to start"),
        "running": _("Running"),
        "done": _("Finished"),
        "failed": _("Failed"),
        "initial": _("Initial draw"),
        "replacement": _("Replacement"),
        "renewal": _("Renewal"),
    }.get(getattr(status, "value", status), str(status))


@bp.app_context_processor
def panel_helpers():
    return {"status_label": status_label}


def load_panel(panel_id: int) -> Panel:
    return db.get_or_404(Panel, panel_id)


@bp.get("/")
@require(anyone)
def index():
    """List panels."""
    panels = db.session.scalars(sa.select(Panel).order_by(Panel.created_at.desc())).all()
    return render_template("panels/index.html", panels=panels)


@bp.route("/new", methods=["GET", "POST"])
@require(can_manage_panels)
def create():
    """Create a panel."""
    form = PanelForm()
    if form.validate_on_submit():
        try:
            panel = services.create_panel(
                name=form.name.data,
                description=form.description.data or "",
                seats=form.seats.data,
                term_months=form.term_months.data,
                cohorts=form.cohorts.data,
                actor=current_user,
            )
        except DomainError as error:
            form.cohorts.errors.append(error.message)
        else:
            db.session.commit()
            flash(
                _("Panel created. Next: import the pool of volunteers and the quotas."), "success"
            )
            return redirect(url_for("panels.manage", panel_id=panel.id))
    return render_template("panels/create.html", form=form)


@bp.get("/<int:panel_id>")
@require(anyone)
def show(panel_id):
    """A panel's public page: what it is, its draws, its composition."""
    panel = load_panel(panel_id)
    seated = services.seated(panel)
    features = sorted({q.feature for q in panel.quotas})
    composition = services.composition([m.volunteer.features for m in seated], features)
    return render_template(
        "panels/show.html", panel=panel, seated=seated, features=features, composition=composition
    )


@bp.get("/<int:panel_id>/manage")
@require(can_manage_panels)
def manage(panel_id):
    """The facilitator's view of a panel: pool, quotas, draws, members."""
    panel = load_panel(panel_id)
    features = services.features_of(panel)
    pool = services.volunteers(panel)
    pool_composition = services.composition([v.features for v in pool], features)
    members = services.memberships(panel)
    departed = [
        m
        for m in members
        if m.status in (MembershipStatus.DECLINED, MembershipStatus.RESIGNED)
        and m.replaced_by_id is None
    ]
    return render_template(
        "panels/manage.html",
        panel=panel,
        pool_count=len(pool),
        features=features,
        pool_composition=pool_composition,
        members=members,
        departed=departed,
        seated=services.seated(panel),
        has_draws=services.has_draws(panel),
        confirm_form=ConfirmForm(),
        departure_form=DepartureForm(),
        replace_form=ReplaceForm(),
    )


@bp.get("/<int:panel_id>/pool")
@require(can_view_personal_data)
def pool(panel_id):
    """The volunteers of the pool, with their contact details (facilitators only)."""
    panel = load_panel(panel_id)
    query = (
        sa.select(Volunteer).where(Volunteer.panel_id == panel.id).order_by(Volunteer.external_id)
    )
    page = db.paginate(query, per_page=100, error_out=False)
    private_columns = [c["name"] for c in panel.columns or [] if c["role"] == "private"]
    return render_template(
        "panels/pool.html",
        panel=panel,
        page=page,
        features=services.features_of(panel),
        private_columns=private_columns,
    )


def _upload(panel: Panel, kind: str, form):
    file = form.file.data
    staged = services.stage_import(
        panel, kind, file.filename or kind, file.read(), actor=current_user
    )
    db.session.commit()
    return redirect(url_for("panels.preview", panel_id=panel.id, staged_id=staged.id))


def _upload_page(panel: Panel, kind: str, form_class):
    form = form_class()
    problems = []
    if form.validate_on_submit():
        try:
            return _upload(panel, kind, form)
        except services.ImportRejected as error:
            db.session.rollback()
            problems = error.messages
            form.file.errors.append(error.message)
        except services.DrawImpossible as error:
            db.session.rollback()
            problems = error.reasons
            form.file.errors.append(error.message)
        except DomainError as error:
            db.session.rollback()
            form.file.errors.append(error.message)
    return render_template(
        "panels/upload.html", panel=panel, form=form, kind=kind, problems=problems
    ), (400 if problems or form.errors else 200)


@bp.route("/<int:panel_id>/pool/upload", methods=["GET", "POST"])
@require(can_manage_panels)
def upload_pool(panel_id):
    """Upload the people file; the preview that follows asks what each column is."""
    return _upload_page(load_panel(panel_id), "pool", PoolUploadForm)


@bp.route("/<int:panel_id>/quotas/upload", methods=["GET", "POST"])
@require(can_manage_panels)
def upload_quotas(panel_id):
    """Upload the quotas file; a preview with the fairness they allow follows."""
    return _upload_page(load_panel(panel_id), "quotas", QuotasUploadForm)


def percent(value: float | None) -> str:
    """A probability as a percentage in the visitor's language, to two decimals at most."""
    if value is None:
        return "—"
    return format_percent(round(value, 4), locale=get_locale(), decimal_quantization=False)


def _examples(table, index: int, limit: int = 3) -> list[str]:
    """A few distinct values of a column, shortened, for the facilitator to recognise it."""
    seen = []
    for value in table.column(index):
        if value and value not in seen:
            seen.append(value if len(value) <= 40 else value[:39] + "…")
            if len(seen) == limit:
                break
    return seen


def _pool_preview(panel: Panel, staged: StagedImport):
    """The preview of a people file: what each column is, what will be public; saved
    on "Save this pool"."""
    try:
        table = services.read_pool_table(staged.content)
    except services.ImportRejected as error:
        return render_template(
            "panels/upload.html",
            panel=panel,
            kind="pool",
            form=PoolUploadForm(),
            problems=error.messages,
        ), 400
    suggested = services.suggested_roles(panel, table)
    form = column_roles_form(
        table.header, suggested, formdata=request.form if request.method == "POST" else None
    )
    if request.method == "POST" and not form.validate():
        abort(400)
    roles = chosen_roles(form, table.header)
    parsed, problems = None, []
    try:
        parsed = services.parse_pool(panel, staged.content, roles=roles)
    except services.ImportRejected as error:
        problems = error.messages
    if parsed is not None and request.method == "POST" and form.save.data:
        count = services.import_pool(panel, staged.content, roles=roles, actor=current_user)
        db.session.delete(staged)
        db.session.commit()
        flash(_("%(n)s volunteers imported.", n=count), "success")
        return redirect(url_for("panels.manage", panel_id=panel.id))
    quoted = sorted({q.feature for q in panel.quotas})
    context = {
        "form": form,
        "table": table,
        "roles": roles,
        "columns": [
            (name, form[f"column_{i}"], _examples(table, i)) for i, name in enumerate(table.header)
        ],
        "problems": problems,
        "parsed": parsed,
        "quoted": quoted,
        "replacing": services.pool_size(panel) > 0,
    }
    if parsed is not None:
        context["composition"] = services.composition(
            [r.features for r in parsed.people], parsed.features
        )
    status = 400 if problems and request.method == "POST" else 200
    return render_template("panels/preview.html", panel=panel, staged=staged, **context), status


@bp.route("/<int:panel_id>/imports/<int:staged_id>", methods=["GET", "POST"])
@require(can_manage_panels)
def preview(panel_id, staged_id):
    """Preview an uploaded file, then save it on confirmation."""
    panel = load_panel(panel_id)
    staged = db.get_or_404(StagedImport, staged_id)
    if staged.panel_id != panel.id:
        abort(404)
    try:
        if staged.kind == "pool":
            return _pool_preview(panel, staged)
        form = ConfirmForm()
        if form.validate_on_submit():
            count = services.set_quotas(panel, staged.content, actor=current_user)
            db.session.delete(staged)
            db.session.commit()
            flash(_("%(n)s quotas saved.", n=count), "success")
            return redirect(url_for("panels.manage", panel_id=panel.id))
        quotas, fairness = services.preview_quotas(panel, staged.content)
    except (services.ImportRejected, services.DrawImpossible) as error:
        db.session.rollback()
        return render_template(
            "panels/upload.html",
            panel=panel,
            kind=staged.kind,
            form=PoolUploadForm() if staged.kind == "pool" else QuotasUploadForm(),
            problems=getattr(error, "messages", None) or error.reasons,
        ), 400
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("panels.manage", panel_id=panel.id))
    return render_template(
        "panels/preview.html",
        panel=panel,
        staged=staged,
        form=form,
        quotas=quotas,
        fairness=fairness,
        percent=percent,
    )


@bp.route("/<int:panel_id>/draw", methods=["GET", "POST"])
@require(can_manage_panels)
def draw(panel_id):
    """Run the initial draw (in the background)."""
    panel = load_panel(panel_id)
    form = DrawForm()
    reasons = []
    if form.validate_on_submit():
        try:
            queued = services.request_initial_draw(
                panel,
                seed=form.seed.data or "",
                algorithm=form.algorithm.data,
                reserves=form.reserves.data or 0,
                actor=current_user,
            )
        except services.DrawImpossible as error:
            db.session.rollback()
            reasons = error.reasons
            form.seed.errors.append(error.message)
        except DomainError as error:
            db.session.rollback()
            form.seed.errors.append(error.message)
        else:
            services.start_in_background(queued)
            return redirect(url_for("panels.progress", draw_id=queued.id))
    return render_template(
        "panels/draw.html", panel=panel, form=form, reasons=reasons, title=_("Draw the panel")
    ), (400 if reasons else 200)


@bp.route("/<int:panel_id>/renew", methods=["GET", "POST"])
@require(can_manage_panels)
def renew(panel_id):
    """Renew the cohort whose term ends first."""
    panel = load_panel(panel_id)
    form = RenewForm()
    reasons = []
    try:
        cohort, leaving = services.renewal_cohort(panel)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("panels.manage", panel_id=panel.id))
    if form.validate_on_submit():
        try:
            queued = services.renew(
                panel,
                seed=form.seed.data or "",
                algorithm=form.algorithm.data,
                reserves=form.reserves.data or 0,
                exclude_past_members=not form.allow_past_members.data,
                actor=current_user,
            )
        except services.DrawImpossible as error:
            db.session.rollback()
            reasons = error.reasons
            form.seed.errors.append(error.message)
        except DomainError as error:
            db.session.rollback()
            form.seed.errors.append(error.message)
        else:
            services.start_in_background(queued)
            return redirect(url_for("panels.progress", draw_id=queued.id))
    return render_template(
        "panels/draw.html",
        panel=panel,
        form=form,
        reasons=reasons,
        leaving=leaving,
        title=_("Renew a cohort"),
    ), (400 if reasons else 200)


@bp.get("/draws/<int:draw_id>/progress")
@require(can_manage_panels)
def progress(draw_id):
    """Follow a draw while it runs."""
    draw = db.get_or_404(Draw, draw_id)
    return render_template("panels/progress.html", draw=draw, panel=draw.panel)


@bp.get("/draws/<int:draw_id>/status.json")
@require(can_manage_panels)
def draw_status(draw_id):
    """A running draw's status, for the progress page's script."""
    draw = db.get_or_404(Draw, draw_id)
    return jsonify(
        status=draw.status.value,
        progress=draw.progress,
        label=status_label(draw.status),
        error=draw.error,
        done=draw.status.value in ("done", "failed"),
        url=url_for("panels.progress", draw_id=draw.id),
    )


@bp.post("/<int:panel_id>/invite")
@require(can_manage_panels)
def invite(panel_id):
    """Email the selected people an invitation to confirm their seat."""
    panel = load_panel(panel_id)
    count = services.invite_selected(panel, actor=current_user)
    db.session.commit()
    flash(_("%(n)s invitations sent.", n=count), "success")
    return redirect(url_for("panels.manage", panel_id=panel.id))


@bp.post("/<int:panel_id>/codes")
@require(can_manage_panels)
def send_codes(panel_id):
    """Email every volunteer their public code."""
    panel = load_panel(panel_id)
    count = services.send_codes(panel, actor=current_user)
    db.session.commit()
    flash(_("%(n)s volunteers received their public code.", n=count), "success")
    return redirect(url_for("panels.manage", panel_id=panel.id))


@bp.post("/<int:panel_id>/start")
@require(can_manage_panels)
def start(panel_id):
    """Start the term: confirmed members become active."""
    panel = load_panel(panel_id)
    count = services.start_term(panel, actor=current_user)
    db.session.commit()
    flash(_("The term has started: %(n)s members are active.", n=count), "success")
    return redirect(url_for("panels.manage", panel_id=panel.id))


def load_membership(panel: Panel, membership_id: int) -> Membership:
    membership = db.get_or_404(Membership, membership_id)
    if membership.panel_id != panel.id:
        abort(404)
    return membership


@bp.post("/<int:panel_id>/members/<int:membership_id>/departure")
@require(can_manage_panels)
def departure(panel_id, membership_id):
    """Record that a member declined or resigned."""
    panel = load_panel(panel_id)
    membership = load_membership(panel, membership_id)
    form = DepartureForm()
    if form.validate_on_submit():
        services.record_departure(
            membership, MembershipStatus(form.status.data), actor=current_user
        )
        db.session.commit()
        flash(_("Departure recorded. You can now replace this member."), "success")
    return redirect(url_for("panels.manage", panel_id=panel.id) + "#members")


@bp.post("/<int:panel_id>/members/<int:membership_id>/replace")
@require(can_manage_panels)
def replace(panel_id, membership_id):
    """Replace a departed member, from the reserves or by a new draw."""
    panel = load_panel(panel_id)
    membership = load_membership(panel, membership_id)
    form = ReplaceForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        queued = services.replace_member(membership, seed=form.seed.data or "", actor=current_user)
    except services.DrawImpossible as error:
        db.session.rollback()
        flash(error.message + " " + " ".join(error.reasons), "error")
        return redirect(url_for("panels.manage", panel_id=panel.id))
    if queued.status.value == "done":
        db.session.commit()
        flash(_("Replaced from the reserves."), "success")
        return redirect(url_for("panels.manage", panel_id=panel.id) + "#members")
    services.start_in_background(queued)
    return redirect(url_for("panels.progress", draw_id=queued.id))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@require(anyone)
def answer(token):
    """A drawn volunteer accepts or declines their seat."""
    try:
        membership = services.membership_for_token(token)
    except DomainError as error:
        return render_template("accounts/link_problem.html", message=error.message), 400
    signed_in = current_user.is_authenticated
    form = AnswerForm() if signed_in else AcceptSeatForm()
    decline_form = AnswerForm(prefix="d")
    if request.method == "POST":
        if request.form.get("d-decline"):
            if decline_form.validate_on_submit():
                services.decline_seat(token)
                db.session.commit()
                flash(_("Your answer has been recorded. Thank you for letting us know."), "success")
                return redirect(url_for("main.index"))
        elif form.validate_on_submit():
            try:
                user = services.accept_seat(
                    token,
                    user=current_user if signed_in else None,
                    display_name=getattr(form, "display_name", None) and form.display_name.data,
                    password=getattr(form, "password", None) and form.password.data,
                    language=getattr(form, "language", None) and form.language.data or "fr",
                )
            except DomainError as error:
                db.session.rollback()
                flash(error.message, "error")
            else:
                db.session.commit()
                if not signed_in:
                    login_user(user)
                    session["lang"] = user.language
                flash(_("Welcome to the panel! Your seat is confirmed."), "success")
                return redirect(url_for("panels.show", panel_id=membership.panel_id))
    return render_template(
        "panels/answer.html",
        membership=membership,
        panel=membership.panel,
        form=form,
        decline_form=decline_form,
        signed_in=signed_in,
    )
