"""Outgoing mail through one small interface.

With ``MAIL_SERVER`` set, messages go out over SMTP. Otherwise they are written to the
log and, as ``.eml`` files, to ``instance/outbox/`` so that someone testing locally can
open them.
"""

import logging
import re
import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale

log = logging.getLogger(__name__)


def send(to: str, subject: str, body: str) -> EmailMessage:
    """Send one plain-text message and return it."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if config.get("MAIL_SERVER"):
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    else:
        outbox = Path(config["OUTBOX_DIR"])
        outbox.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        slug = re.sub(r"[^a-z0-9]+", "-", to.lower()).strip("-")
        path = outbox / f"{stamp}-{slug}.eml"
        path.write_bytes(bytes(message))
        log.info("Mail to %s (%s) written to %s", to, subject, path)
    return message


def send_template(to: str, template: str, language: str, **context) -> EmailMessage:
    """Render ``templates/mail/<template>.txt`` in the recipient's language and send it.

    The template's first line is the subject; the rest is the body.
    """
    with force_locale(language):
        text = render_template(f"mail/{template}.txt", **context)
    subject, _, body = text.strip().partition("\n")
    return send(to, subject.strip(), body.strip() + "\n")


def external_url(endpoint: str, **values) -> str:
    """An absolute link for a mail: from the request, or from ``PUBLIC_URL`` outside one
    (command line, background jobs)."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        return url_for(endpoint, _external=True, **values)
