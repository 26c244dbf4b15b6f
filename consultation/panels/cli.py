"""``flask --app consultation panel ...``: the draw from the command line.

Every command exits non-zero with the reason on stderr, and records nothing, when
something is wrong.
"""

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

from consultation.errors import DomainError
from consultation.extensions import db
from consultation.panels import services
from consultation.panels.models import Draw, DrawStatus, Membership, Panel
from consultation.sortition.model import ALGORITHMS

panel_cli = AppGroup("panel", help="Panels drawn by lot.")


def fail(message: str, details: list[str] = ()) -> None:
    db.session.rollback()
    click.echo(f"Error: {message}", err=True)
    for line in details:
        click.echo(f"  - {line}", err=True)
    sys.exit(1)


def handle(error: DomainError) -> None:
    details = getattr(error, "messages", None) or getattr(error, "reasons", None) or []
    fail(error.message, details)


def get_panel(panel_id: int) -> Panel:
    panel = db.session.get(Panel, panel_id)
    if panel is None:
        fail(f"no panel with id {panel_id}.")
    return panel


def read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        fail(f"cannot read {path}: {error.strerror}.")


@panel_cli.command("create")
@click.argument("name")
@click.option("--seats", type=int, required=True)
@click.option("--term-months", type=int, default=36, show_default=True)
@click.option(
    "--cohorts",
    type=int,
    default=None,
    help="Cohorts renewed in turn (default 3, a third at a time; at most the seats).",
)
@with_appcontext
def create_command(name, seats, term_months, cohorts):
    """Create a panel; prints its id alone."""
    try:
        panel = services.create_panel(
            name=name, seats=seats, term_months=term_months, cohorts=cohorts or min(3, seats)
        )
    except DomainError as error:
        handle(error)
    db.session.commit()
    click.echo(panel.id)


def _names(value: str | None) -> list[str] | None:
    return [c.strip() for c in value.split(",") if c.strip()] if value is not None else None


@panel_cli.command("import-pool")
@click.argument("panel_id", type=int)
@click.argument("file")
@click.option("--id-column", default=None, help="Column holding each person's id (default: id).")
@click.option(
    "--criteria",
    default=None,
    help="Comma-separated selection criteria, e.g. genre,age,quartier (default: the quota "
    "features, or before any quota the columns that look like categories). Only those "
    "with quotas are ever published.",
)
@click.option(
    "--address-columns",
    default=None,
    help="Comma-separated columns that identify a household, e.g. adresse,code_postal "
    "(never published; default: those of the previous import, else none).",
)
@click.option(
    "--contact-columns",
    default=None,
    help="Comma-separated contact columns: email, name, phone (never published; default: "
    "the columns named or shaped like them).",
)
@click.option(
    "--ignore-columns",
    default=None,
    help="Comma-separated columns not to keep at all. Every other column is private: kept "
    "for facilitators only.",
)
@with_appcontext
def import_pool_command(
    panel_id, file, id_column, criteria, address_columns, contact_columns, ignore_columns
):
    """Import (replace) the pool of volunteers from a people CSV file."""
    panel = get_panel(panel_id)
    try:
        count = services.import_pool(
            panel,
            read(file),
            id_column=id_column,
            criteria=_names(criteria),
            address_columns=_names(address_columns),
            contact_columns=_names(contact_columns),
            ignored_columns=_names(ignore_columns) or [],
        )
    except DomainError as error:
        handle(error)
    db.session.commit()
    click.echo(f"Imported {count} volunteers into panel {panel.id}.")
    roles: dict[str, list[str]] = {}
    for column in panel.columns:
        roles.setdefault(column["role"], []).append(column["name"])
    labels = [
        ("id", "Id"),
        ("criterion", "Selection criteria (public only with quotas)"),
        ("address", "Household address (never published)"),
        ("email", "Contact: email"),
        ("name", "Contact: name"),
        ("phone", "Contact: phone"),
        ("private", "Private (facilitators only)"),
        ("ignored", "Not kept"),
    ]
    for role, label in labels:
        if roles.get(role):
            click.echo(f"  {label}: {', '.join(roles[role])}")


@panel_cli.command("set-quotas")
@click.argument("panel_id", type=int)
@click.argument("file")
@with_appcontext
def set_quotas_command(panel_id, file):
    """Set (replace) the quotas from a feature,value,min,max CSV file."""
    panel = get_panel(panel_id)
    try:
        count = services.set_quotas(panel, read(file))
    except DomainError as error:
        handle(error)
    db.session.commit()
    click.echo(f"Set {count} quotas on panel {panel.id}.")


def _external(draw: Draw) -> dict[str, str]:
    return {v.code: v.external_id for v in services.volunteers(draw.panel)}


def draw_json(draw: Draw) -> dict:
    """The draw as the command line prints it: people under their ids from the pool file."""
    ids = _external(draw)
    result = draw.result
    selected = sorted(ids[c] for c in result["selected"])
    payload = {
        "draw_id": draw.id,
        "kind": draw.kind.value,
        "seed": draw.seed,
        "algorithm": draw.algorithm,
        "fingerprint": draw.fingerprint,
        "selected": selected,
        "reserves": [ids[c] for c in result.get("reserves", [])],
    }
    if "probabilities" in result:
        payload["probabilities"] = {
            ids[c]: p for c, p in sorted(result["probabilities"].items(), key=lambda i: ids[i[0]])
        }
        size = result["lottery_size"]
        payload["lottery"] = [
            {"panel": sorted(ids[c] for c in codes), "probability": m / size}
            for codes, m in result["lottery"]
        ]
        payload["min_probability"] = result["min_probability"]
        payload["lottery_size"] = size
        payload["ticket"] = result["ticket"]
    return payload


def finish(draw: Draw, as_json: bool) -> None:
    services.draw_now(draw)
    if draw.status is not DrawStatus.DONE:
        fail("the draw failed.", draw.error or [])
    if as_json:
        click.echo(json.dumps(draw_json(draw), ensure_ascii=False))
    else:
        data = draw_json(draw)
        click.echo(f"Draw {draw.id} ({draw.kind.value}, {draw.algorithm}), seed {draw.seed}")
        click.echo(f"Fingerprint: {draw.fingerprint}")
        if draw.min_probability is not None:
            click.echo(f"Smallest selection probability: {draw.min_probability:.4f}")
        click.echo("Selected: " + ", ".join(data["selected"]))
        if data["reserves"]:
            click.echo("Reserves, in order: " + ", ".join(data["reserves"]))


@panel_cli.command("draw")
@click.argument("panel_id", type=int)
@click.option("--seed", required=True)
@click.option("--algorithm", type=click.Choice(ALGORITHMS), default="leximin", show_default=True)
@click.option("--reserves", type=int, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
@with_appcontext
def draw_command(panel_id, seed, algorithm, reserves, as_json):
    """Draw the panel from its pool and quotas."""
    panel = get_panel(panel_id)
    try:
        draw = services.request_initial_draw(
            panel, seed=seed, algorithm=algorithm, reserves=reserves
        )
    except DomainError as error:
        handle(error)
    finish(draw, as_json)


@panel_cli.command("verify")
@click.argument("draw_id", type=int)
@with_appcontext
def verify_command(draw_id):
    """Re-check a recorded draw; exit 0 when it checks out."""
    draw = db.session.get(Draw, draw_id)
    if draw is None:
        fail(f"no draw with id {draw_id}.")
    problems = services.verify_draw(draw)
    if problems:
        fail(f"draw {draw_id} does not check out.", problems)
    click.echo(f"Draw {draw_id} checks out (fingerprint {draw.fingerprint}).")


@panel_cli.command("replace")
@click.argument("panel_id", type=int)
@click.argument("member_id")
@click.option("--seed", required=True)
@click.option(
    "--status",
    type=click.Choice(["declined", "resigned"]),
    default="resigned",
    show_default=True,
    help="How the member left, if not recorded yet.",
)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def replace_command(panel_id, member_id, seed, status, as_json):
    """Replace a member (membership id, or their id in the pool file)."""
    from consultation.panels.models import MembershipStatus

    panel = get_panel(panel_id)
    membership = _find_member(panel, member_id)
    try:
        if membership.status in services.SEATED:
            services.record_departure(membership, MembershipStatus(status))
        draw = services.replace_member(membership, seed=seed)
    except DomainError as error:
        handle(error)
    if draw.status is DrawStatus.DONE:
        db.session.commit()
        click.echo(
            json.dumps(draw_json(draw))
            if as_json
            else f"Replaced by {draw_json(draw)['selected'][0]} (from the reserves)."
        )
        return
    finish(draw, as_json)


def _find_member(panel: Panel, member_id: str) -> Membership:
    for membership in services.memberships(panel):
        if str(membership.id) == member_id or membership.volunteer.external_id == member_id:
            if membership.replaced_by_id is None:
                return membership
    fail(f"no member {member_id} in panel {panel.id}.")


@panel_cli.command("renew")
@click.argument("panel_id", type=int)
@click.option("--seed", required=True)
@click.option("--algorithm", type=click.Choice(ALGORITHMS), default="leximin")
@click.option("--reserves", type=int, default=0)
@click.option(
    "--allow-past-members",
    is_flag=True,
    help="Let people who held or refused a seat before be drawn again.",
)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def renew_command(panel_id, seed, algorithm, reserves, allow_past_members, as_json):
    """Renew the cohort whose term ends first."""
    panel = get_panel(panel_id)
    try:
        draw = services.renew(
            panel,
            seed=seed,
            algorithm=algorithm,
            reserves=reserves,
            exclude_past_members=not allow_past_members,
        )
    except DomainError as error:
        handle(error)
    finish(draw, as_json)


def init_app(app) -> None:
    app.cli.add_command(panel_cli)
