"""Home page and language choice."""

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from consultation.accounts.views import safe_next
from consultation.extensions import db
from consultation.permissions import anyone, require

bp = Blueprint("main", __name__)


@bp.get("/")
@require(anyone)
def index():
    """The home page."""
    return render_template("main/index.html")


@bp.post("/language")
@require(anyone)
def set_language():
    """Switch the interface language (and remember it on the account)."""
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = lang
    if current_user.is_authenticated and current_user.language != lang:
        current_user.language = lang
        db.session.commit()
    return redirect(safe_next(url_for("main.index")))
