"""Command-line tools: ``flask --app consultation users|demo ...``."""

import sys

import click
from flask.cli import AppGroup, with_appcontext

from consultation.accounts import services as accounts
from consultation.accounts.models import Role
from consultation.errors import DomainError
from consultation.extensions import db

users_cli = AppGroup("users", help="Manage accounts.")


def fail(message: str) -> None:
    """Print the reason on stderr and exit non-zero; nothing has been committed."""
    db.session.rollback()
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@users_cli.command("create")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.RESIDENT.value,
    show_default=True,
)
@click.option(
    "--name", "display_name", default=None, help="Display name (default: from the email)."
)
@click.option("--language", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user_command(email, role, display_name, language, password_stdin):
    """Create an account; the password is asked for, or read from stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(
            email=email,
            display_name=display_name or email.split("@")[0],
            password=password,
            role=Role(role),
            language=language,
        )
    except DomainError as error:
        fail(error.message)
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")


@click.command("demo")
@click.option(
    "--scale",
    type=int,
    default=None,
    help="Also add a large public referral with this many contributions.",
)
@with_appcontext
def demo_command(scale):
    """Load demo data (safe to run twice) and print the demo logins."""
    from consultation import demo

    logins = demo.load()
    db.session.commit()
    if scale:
        referral = demo.load_scale(
            scale, accounts.find_by_email(demo.FACILITATOR_EMAIL), demo.load_panel(None)
        )
        db.session.commit()
        click.echo(f"Large referral {referral.id} with {scale} contributions added.")
    click.echo(f"Demo data loaded. Demo logins (password for all: {demo.DEMO_PASSWORD}):")
    for role, email in logins:
        click.echo(f"  {role:<12} {email}")


def init_app(app) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_command)
