"""``flask --app consultation manifesto ...``."""

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup, with_appcontext

from consultation.errors import DomainError
from consultation.extensions import db
from consultation.manifesto import services
from consultation.manifesto.models import Manifesto
from consultation.referrals.models import Referral

manifesto_cli = AppGroup("manifesto", help="Manifestos.")


def fail(message: str) -> None:
    db.session.rollback()
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@manifesto_cli.command("import")
@click.argument("referral_id", type=int)
@click.argument("file")
@click.option("--title", default=None, help="Title (default: the file's first heading).")
@with_appcontext
def import_command(referral_id, file, title):
    """Import a draft manifesto from Markdown; prints the new manifesto's id alone."""
    referral = db.session.get(Referral, referral_id)
    if referral is None:
        fail(f"no referral with id {referral_id}.")
    try:
        content = Path(file).read_bytes()
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror}.")
    try:
        manifesto = services.import_manifesto(referral, content, title=title)
    except DomainError as error:
        fail(error.message)
    db.session.commit()
    click.echo(manifesto.id)


@manifesto_cli.command("list")
@with_appcontext
def list_command():
    """Print each manifesto's id, status and title."""
    for manifesto in db.session.scalars(sa.select(Manifesto).order_by(Manifesto.id)):
        click.echo(f"{manifesto.id}\t{manifesto.status.value}\t{manifesto.title}")


@manifesto_cli.command("export")
@click.argument("manifesto_id", type=int)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html", "pdf", "docx", "odt", "json"]),
    required=True,
    help="File format.",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="File.")
@click.option("--provenance", is_flag=True, help="Say where each clause's text comes from.")
@click.option(
    "--redline-since",
    default=None,
    help="Mark the changes since a revision (0 = the imported draft) or a date (YYYY-MM-DD).",
)
@click.option("--report", is_flag=True, help="Append the process report.")
@click.option("--language", type=click.Choice(["fr", "en"]), default=None, help="Language.")
@with_appcontext
def export_command(manifesto_id, fmt, output, provenance, redline_since, report, language):
    """Export a manifesto to a file; prints the fingerprint of the state it shows."""
    from consultation.exports import formats
    from consultation.exports import services as exports

    manifesto = services.load(manifesto_id)
    if manifesto is None:
        fail(f"no manifesto with id {manifesto_id}.")
    try:
        document = exports.build_document(
            manifesto,
            with_provenance=provenance,
            redline_since=redline_since,
            with_report=report,
            language=language,
        )
    except DomainError as error:
        fail(error.message)
    content = formats.render(document, fmt)
    try:
        Path(output).write_bytes(content)
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror}.")
    click.echo(document.fingerprint)


def init_app(app) -> None:
    app.cli.add_command(manifesto_cli)
