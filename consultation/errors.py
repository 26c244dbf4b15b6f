"""Domain errors and the pages shown when something goes wrong."""

from flask import render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from consultation.extensions import db


class DomainError(Exception):
    """Something a user asked for that the rules do not allow; shown to them as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def attempt(action, success: str | None) -> bool:
    """Run one service call for a view: commit and flash ``success`` (if any: a page
    may confirm it instead), or roll back and flash the domain error's message. Returns
    whether it succeeded."""
    from flask import flash

    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return False
    db.session.commit()
    if success is not None:
        flash(success, "success")
    return True


def init_app(app) -> None:
    def page(status: int, title: str, message: str):
        return render_template(
            "errors/error.html", status=status, title=title, message=message
        ), status

    @app.errorhandler(DomainError)
    def domain_error(error):
        db.session.rollback()
        return page(400, _("Request not possible"), error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return page(
            400,
            _("Form expired"),
            _("The form could not be checked. Go back, reload the page and submit it again."),
        )

    @app.errorhandler(400)
    def bad_request(error):
        return page(400, _("Bad request"), _("The request could not be understood."))

    @app.errorhandler(403)
    def forbidden(error):
        return page(403, _("Access denied"), _("You do not have permission to see this page."))

    @app.errorhandler(404)
    def not_found(error):
        return page(404, _("Page not found"), _("The page you asked for does not exist."))

    @app.errorhandler(413)
    def too_large(error):
        return page(
            413,
            _("File too large"),
            _(
                "The file is larger than %(n)s MB. Split it or remove unused columns.",
                n=app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024),
            ),
        )

    @app.errorhandler(429)
    def too_many_requests(error):
        return page(
            429,
            _("Too many attempts"),
            _("Too many attempts in a short time. Wait a minute and try again."),
        )

    @app.errorhandler(500)
    def internal_error(error):
        db.session.rollback()
        return page(
            500,
            _("Something went wrong"),
            _("An unexpected error occurred. Nothing was saved. Try again in a moment."),
        )
