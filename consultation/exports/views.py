"""Export pages: the facilitators' export form, public downloads of adopted texts, and the
progress of a PDF made in the background."""

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user

from consultation.errors import DomainError
from consultation.exports import formats, services
from consultation.exports.forms import ExportForm
from consultation.manifesto.views import load_manifesto
from consultation.permissions import (
    anyone,
    authorize,
    can_download_manifesto,
    can_manage_referrals,
    require,
)

bp = Blueprint("exports", __name__)

#: Formats made in the background: the others take well under a second.
BACKGROUND = {"pdf"}


def _download(manifesto, fmt: str, content: bytes) -> Response:
    response = Response(content, mimetype=formats.MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{services.filename(manifesto, fmt)}"'
    )
    return response


def _serve(manifesto, fmt: str, options: dict):
    """The file now, or for a PDF the page that follows its making."""
    language = str(get_locale())
    if fmt in BACKGROUND:
        key = services.start_export(manifesto, fmt, options, language)
        if services.export_state(key, fmt) == "done":
            return _send_made(manifesto, key, fmt)
        return redirect(url_for("exports.progress", manifesto_id=manifesto.id, key=key, fmt=fmt))
    return _download(manifesto, fmt, services.export(manifesto, fmt, language=language, **options))


def _send_made(manifesto, key: str, fmt: str) -> Response:
    return _download(manifesto, fmt, services.export_path(key, fmt).read_bytes())


@bp.get("/manifestos/<int:manifesto_id>/export")
@require(can_manage_referrals, object_rule=can_download_manifesto)
def export(manifesto_id):
    """Choose a format and options, then download (a PDF is made in the background)."""
    manifesto = load_manifesto(manifesto_id)
    form = ExportForm(request.args)
    errors = 200
    if "format" in request.args:
        if form.validate():
            options = {
                "with_provenance": bool(form.provenance.data),
                "redline_since": (form.redline_since.data or "").strip() or None,
                "with_report": bool(form.report.data),
            }
            try:
                return _serve(manifesto, form.format.data, options)
            except DomainError as error:
                form.redline_since.errors.append(error.message)
        errors = 400
    return render_template(
        "exports/export.html",
        manifesto=manifesto,
        form=form,
        revisions=services.revisions(manifesto),
        fingerprint=services.state_fingerprint(manifesto),
    ), errors


@bp.get("/manifestos/<int:manifesto_id>/download.<fmt>")
@require(anyone, object_rule=can_download_manifesto)
def download(manifesto_id, fmt):
    """The adopted text, with its provenance and process report, for everyone."""
    manifesto = load_manifesto(manifesto_id)
    authorize(can_download_manifesto(current_user, manifesto))
    if fmt not in formats.FORMATS:
        abort(404)
    return _serve(manifesto, fmt, {"with_provenance": True, "with_report": True})


@bp.get("/manifestos/<int:manifesto_id>/exports/<key>.<fmt>")
@require(anyone, object_rule=can_download_manifesto)
def progress(manifesto_id, key, fmt):
    """A file being made: its progress, then the file."""
    manifesto = load_manifesto(manifesto_id)
    authorize(can_download_manifesto(current_user, manifesto))
    if fmt not in formats.FORMATS or not key.isalnum():
        abort(404)
    state = services.export_state(key, fmt)
    if state == "missing":
        abort(404)
    if state == "done" and request.args.get("get") == "1":
        return _send_made(manifesto, key, fmt)
    wants_json = request.accept_mimetypes.best == "application/json"
    if wants_json:
        return jsonify(
            done=state in ("done", "failed"),
            state=state,
            url=url_for("exports.progress", manifesto_id=manifesto.id, key=key, fmt=fmt),
        )
    return render_template(
        "exports/progress.html", manifesto=manifesto, key=key, fmt=fmt, state=state
    )
