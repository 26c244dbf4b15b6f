"""Referrals (saisines): phases, threaded contributions, moderation, search, statistics."""

import click
from flask.cli import AppGroup, with_appcontext


def init_app(app) -> None:
    from consultation.referrals.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(referrals_cli)


referrals_cli = AppGroup("referrals", help="Referrals and their contributions.")


@referrals_cli.command("send-digests")
@with_appcontext
def send_digests_command():
    """Email subscribers the replies to them since their last digest (run daily)."""
    from consultation.extensions import db
    from consultation.referrals.services import send_digests

    count = send_digests()
    db.session.commit()
    click.echo(f"Sent {count} digest(s).")
