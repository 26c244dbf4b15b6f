"""Languages: the locale of each request, and helpers for templates."""

from datetime import UTC, datetime

from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from consultation.extensions import babel

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


def select_locale() -> str:
    """Explicit choice in this session, then the account's language, then the browser's.

    Outside a request (command line), the platform's configured locale.
    """
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["CONSULTATION_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    return (
        request.accept_languages.best_match(languages) or current_app.config["CONSULTATION_LOCALE"]
    )


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def language_context():
        return {
            "current_locale": str(get_locale()),
            "language_names": LANGUAGE_NAMES,
            "languages": app.config["LANGUAGES"],
            "now": datetime.now(UTC).replace(tzinfo=None),
        }
