"""Panel rules: pools and quotas, draws, invitations, replacement and renewal.

Every function here flushes but does not commit, writes one audit row, and raises
``DomainError`` (or ``ImportRejected`` / ``DrawImpossible``) for what a facilitator
can correct.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from consultation import mail, sortition
from consultation.accounts import services as accounts
from consultation.accounts.models import Role, utcnow
from consultation.audit.services import record
from consultation.errors import DomainError
from consultation.extensions import db
from consultation.panels import importing
from consultation.panels.messages import describe_problem, describe_reason
from consultation.panels.models import (
    SEATED,
    Draw,
    DrawKind,
    DrawStatus,
    Membership,
    MembershipStatus,
    Panel,
    PanelStatus,
    Quota,
    StagedImport,
    Volunteer,
)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class ImportRejected(DomainError):
    """A file that cannot be imported; ``problems`` says every reason with its line."""

    def __init__(self, problems: list[importing.Problem]):
        self.problems = problems
        self.messages = [describe_problem(p) for p in problems]
        super().__init__(
            _("The file was not imported: %(n)s problem(s) to correct.", n=len(problems))
        )


class DrawImpossible(DomainError):
    """The quotas cannot be met; ``reasons`` says why, in the facilitator's words."""

    def __init__(self, reasons):
        self.reasons = [describe_reason(r) for r in reasons]
        super().__init__(_("No panel can be drawn with these quotas from this pool."))


# ---------------------------------------------------------------- panels


def create_panel(
    *,
    name: str,
    seats: int,
    term_months: int = 36,
    cohorts: int = 3,
    description: str = "",
    actor=None,
) -> Panel:
    """Create a panel in the set-up state. Raises DomainError on impossible numbers."""
    if seats < 1:
        raise DomainError(_("A panel needs at least one seat."))
    if term_months < 1 or cohorts < 1 or cohorts > seats:
        raise DomainError(
            _(
                "The term must last at least a month, with between one cohort "
                "and one cohort per seat."
            )
        )
    panel = Panel(
        name=name.strip(),
        description=description.strip(),
        seats=seats,
        term_months=term_months,
        cohorts=cohorts,
        # The codes' key comes with the pool (``import_pool``), drawn from its content.
        code_salt="",
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(panel)
    db.session.flush()
    record("panel.created", actor=actor, obj=panel, details={"seats": seats})
    return panel


def pool_size(panel: Panel) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Volunteer).where(Volunteer.panel_id == panel.id)
    )


def volunteers(panel: Panel) -> list[Volunteer]:
    return list(
        db.session.scalars(
            sa.select(Volunteer)
            .where(Volunteer.panel_id == panel.id)
            .order_by(Volunteer.external_id)
        )
    )


def features_of(panel: Panel) -> list[str]:
    first = db.session.scalar(sa.select(Volunteer).where(Volunteer.panel_id == panel.id).limit(1))
    if first is not None:
        return sorted(first.features)
    return sorted({q.feature for q in panel.quotas})


def has_draws(panel: Panel) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Draw)
            .where(Draw.panel_id == panel.id, Draw.status != DrawStatus.FAILED)
        )
        > 0
    )


def _quota_values(panel: Panel) -> dict[str, set[str]] | None:
    values: dict[str, set[str]] = {}
    for quota in panel.quotas:
        values.setdefault(quota.feature, set()).add(quota.value)
    return values or None


def _code(panel: Panel, kind: str, value: str, length: int = 7) -> str:
    """A public pseudonymous code: keyed hash, so nobody can go back from code to person.

    The key (``code_salt``) is drawn from the content of the whole pool file
    (``importing.content_key``): the same file gives the same codes in any database.
    """
    digest = hmac.new(panel.code_salt.encode(), f"{kind}:{value}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:12], "big")
    chars = []
    for _i in range(length):
        number, index = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[index])
    return ("V-" if kind == "person" else "H-") + "".join(chars)


def _codes(panel: Panel, kind: str, values: list[str]) -> dict[str, str]:
    """Codes for distinct values, one character longer for everyone while two coincide
    (rare: 7 characters give 34 billion codes), so that the result stays a function of
    the file alone."""
    for length in range(7, 15):
        codes = {value: _code(panel, kind, value, length) for value in values}
        if len(set(codes.values())) == len(codes):
            return codes
    raise DomainError(_("The volunteers' codes could not be made distinct."))  # pragma: no cover


@dataclass
class ParsedPool:
    """A people file read with a role for each column, checked and ready to import."""

    table: importing.Table
    roles: dict[str, str]
    features: list[str]
    people: list[importing.PersonRow]


def read_pool_table(content: bytes) -> importing.Table:
    """The table of a people file; raises ImportRejected when it cannot be read as one."""
    try:
        return importing.read_table(content)
    except importing.ImportFailed as failure:
        raise ImportRejected(failure.problems) from None


def previous_roles(panel: Panel) -> dict[str, str]:
    """The role each column had at the panel's last import."""
    roles = {c["name"]: c["role"] for c in panel.columns or []}
    if not roles:  # panels imported before columns had roles
        roles = {c: "address" for c in panel.address_columns or []}
        if panel.id_column:
            roles[panel.id_column] = "id"
    return roles


def suggested_roles(panel: Panel, table: importing.Table) -> dict[str, str]:
    """The roles to pre-select on the preview of a people file."""
    return importing.suggest_roles(
        table,
        previous=previous_roles(panel),
        quota_features=sorted({q.feature for q in panel.quotas}),
    )


def parse_pool(
    panel: Panel,
    content: bytes,
    *,
    roles: dict[str, str] | None = None,
    id_column: str | None = None,
    criteria: list[str] | None = None,
    address_columns: list[str] | None = None,
    contact_columns: list[str] | None = None,
    ignored_columns: list[str] = (),
) -> ParsedPool:
    """Read a people file for this panel with a role for each column.

    ``roles`` maps column names to ``importing.ROLES`` (unnamed columns are private).
    Without it, the named columns take the role they are named for and the others
    follow ``importing.default_roles``. Raises ImportRejected with every problem.
    """
    if has_draws(panel):
        raise DomainError(_("This panel already has a draw: its pool can no longer be replaced."))
    table = read_pool_table(content)
    quota_values = _quota_values(panel)
    if roles is None:
        roles = importing.default_roles(
            table,
            id_column=id_column,
            criteria=criteria,
            address_columns=address_columns,
            contact_columns=contact_columns,
            ignored_columns=ignored_columns,
            quota_features=sorted(quota_values or ()),
            previous=previous_roles(panel),
        )
    try:
        features, people = importing.parse_people(table, roles=roles, quota_values=quota_values)
    except importing.ImportFailed as failure:
        raise ImportRejected(failure.problems) from None
    roles = {name: roles.get(name, "private") for name in table.header}
    return ParsedPool(table, roles, features, people)


def import_pool(panel: Panel, content: bytes, *, actor=None, **choices) -> int:
    """Replace the panel's pool with the people of a CSV file; returns how many.

    ``choices`` are those of ``parse_pool`` (``roles``, or ``id_column``,
    ``criteria``, ``address_columns``, ``contact_columns``, ``ignored_columns``).
    Criteria are kept as the volunteers' features, addresses only to form households,
    contacts to reach people, private columns for facilitators; ignored columns are
    not kept. Codes are drawn from the whole file's content, so the same file gives
    the same codes, households and draws anywhere. Raises ImportRejected (nothing
    imported) when any row is wrong.
    """
    parsed = parse_pool(panel, content, **choices)
    roles = parsed.roles
    panel.columns = [{"name": name, "role": roles[name]} for name in parsed.table.header]
    panel.id_column = next(name for name, role in roles.items() if role == "id")
    panel.address_columns = [name for name in parsed.table.header if roles[name] == "address"]
    panel.code_salt = importing.content_key(parsed.table)
    people = parsed.people
    db.session.execute(sa.delete(Volunteer).where(Volunteer.panel_id == panel.id))
    keys = [importing.household_key(p.address) for p in people]
    shared = sorted(k for k, n in Counter(k for k in keys if k).items() if n > 1)
    codes = _codes(panel, "person", [p.external_id for p in people])
    households = _codes(panel, "household", shared)
    db.session.add_all(
        Volunteer(
            panel_id=panel.id,
            external_id=person.external_id,
            code=codes[person.external_id],
            features=person.features,
            contact=person.contact,
            address=person.address,
            private=person.private,
            household_code=households.get(key),
            line=person.line,
        )
        for person, key in sorted(
            zip(people, keys, strict=True), key=lambda pair: codes[pair[0].external_id]
        )
    )
    db.session.flush()
    record(
        "panel.pool_imported",
        actor=actor,
        obj=panel,
        details={
            "people": len(people),
            "features": parsed.features,
            "columns": {
                role: [n for n, r in roles.items() if r == role] for role in importing.ROLES
            },
        },
    )
    return len(people)


def _reasons_without_pool(panel: Panel, quotas: list[sortition.Quota]) -> list:
    """Why no panel can meet these quotas whatever the pool: a feature whose minimums
    add up to more than the seats, or whose maximums add up to fewer (every value of a
    criterion must have its quota once the pool comes)."""
    reasons = []
    for feature in sorted({q.feature for q in quotas}):
        mins = sum(q.min for q in quotas if q.feature == feature)
        maxes = sum(q.max for q in quotas if q.feature == feature)
        if mins > panel.seats:
            reasons.append(
                sortition.InfeasibilityReason(
                    "minimums_exceed_seats", "", feature=feature, asked=mins, available=panel.seats
                )
            )
        if maxes < panel.seats:
            reasons.append(
                sortition.InfeasibilityReason(
                    "maximums_below_seats", "", feature=feature, asked=panel.seats, available=maxes
                )
            )
    return reasons


def _pool_people(panel: Panel, features=None) -> list[sortition.Person]:
    """The pool as the engine sees it, read column by column (fast on large pools)."""
    rows = db.session.execute(
        sa.select(Volunteer.code, Volunteer.features, Volunteer.household_code)
        .where(Volunteer.panel_id == panel.id)
        .order_by(Volunteer.code)
    )
    if features is None:
        return [sortition.Person(code, dict(f), h) for code, f, h in rows]
    return [
        sortition.Person(code, {k: f[k] for k in sorted(features) if k in f}, h)
        for code, f, h in rows
    ]


def _checked_quotas(panel: Panel, content: bytes, *, bound: bool):
    try:
        rows = importing.parse_quotas(content)
    except importing.ImportFailed as failure:
        raise ImportRejected(failure.problems) from None
    pool = [
        importing.PersonRow(line, external_id, features, {}, {})
        for line, external_id, features in db.session.execute(
            sa.select(Volunteer.line, Volunteer.external_id, Volunteer.features)
            .where(Volunteer.panel_id == panel.id)
            .order_by(Volunteer.external_id)
        )
    ]
    problems = importing.cross_check(pool, rows)
    if problems:
        raise ImportRejected(problems)
    quotas = [sortition.Quota(r.feature, r.value, r.min, r.max) for r in rows]
    people = _pool_people(panel, {q.feature for q in quotas}) if pool else []
    if not people:
        reasons = _reasons_without_pool(panel, quotas)
        if reasons:
            raise DrawImpossible(reasons)
        return rows, None
    if bound:
        from consultation.sortition.preview import preview

        fairness = preview(people, quotas, panel.seats)
        if not fairness.feasible:
            raise DrawImpossible(fairness.reasons)
        return rows, fairness
    try:
        sortition.check_feasibility(people, quotas, panel.seats)
    except sortition.InfeasibleError as error:
        raise DrawImpossible(error.details) from None
    return rows, None


def parse_quotas(panel: Panel, content: bytes) -> list[importing.QuotaRow]:
    """Parse a quotas file and check it against the pool and the seats.

    Raises ImportRejected for a problem in the file or between the file and the pool,
    DrawImpossible when no panel could meet these quotas (with every reason).
    """
    rows, _none = _checked_quotas(panel, content, bound=False)
    return rows


def preview_quotas(panel: Panel, content: bytes):
    """``parse_quotas``, and how fair a draw can be with these quotas: (rows, a
    ``sortition.preview.Preview`` with the bound on the smallest selection probability,
    or None before the pool is imported). Raises as ``parse_quotas`` does."""
    return _checked_quotas(panel, content, bound=True)


def set_quotas(panel: Panel, content: bytes, *, actor=None) -> int:
    """Replace the panel's quotas with those of a CSV file; returns how many.

    Raises ImportRejected or DrawImpossible (see ``parse_quotas``): impossible quotas
    are refused here, not at the draw.
    """
    rows = parse_quotas(panel, content)
    panel.quotas.clear()
    db.session.flush()
    panel.quotas.extend(Quota(feature=r.feature, value=r.value, min=r.min, max=r.max) for r in rows)
    db.session.flush()
    record("panel.quotas_set", actor=actor, obj=panel, details={"quotas": len(rows)})
    return len(rows)


def stage_import(panel: Panel, kind: str, filename: str, content: bytes, *, actor=None):
    """Keep an uploaded file until the facilitator confirms its preview; returns it.

    A people file must read as a table (its columns are classified on the preview); a
    quotas file must have no problem at all. Raises ImportRejected (or DrawImpossible
    for quotas no panel can meet) when the file is wrong.
    """
    if kind == "pool":
        if has_draws(panel):
            raise DomainError(
                _("This panel already has a draw: its pool can no longer be replaced.")
            )
        read_pool_table(content)
    else:
        parse_quotas(panel, content)
    db.session.execute(
        sa.delete(StagedImport).where(StagedImport.panel_id == panel.id, StagedImport.kind == kind)
    )
    # Shown back on the preview: without control characters (PostgreSQL refuses NUL).
    filename = "".join(c for c in filename if unicodedata.category(c)[0] != "C").strip()
    staged = StagedImport(
        panel_id=panel.id,
        kind=kind,
        filename=filename[:255] or kind,
        content=content,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(staged)
    db.session.flush()
    return staged


def composition(people_features: list[dict], features: list[str]) -> dict[str, Counter]:
    """How many people have each value of each feature."""
    return {f: Counter(p.get(f) for p in people_features) for f in features}


# ---------------------------------------------------------------- draws


def generate_seed() -> str:
    """A six-digit seed, for when nobody draws numbers in public."""
    return f"{secrets.randbelow(1_000_000):06d}"


def _engine_quotas(panel: Panel) -> list[sortition.Quota]:
    return [sortition.Quota(q.feature, q.value, q.min, q.max) for q in panel.quotas]


def _inputs(panel: Panel, *, seats: int, forced=(), excluded=()) -> dict:
    """What the engine will see, as published: codes, features, households, quotas.

    In canonical form, whatever the order of the file or of the database: people
    sorted by code, with only the features that have quotas (other criteria stay
    private), feature names sorted; quotas sorted by feature and value.
    """
    if not panel.quotas:
        raise DomainError(_("Set the quotas before drawing."))
    quotas = sorted(panel.quotas, key=lambda q: (q.feature, q.value))
    people = [
        {"id": p.id, "features": dict(p.features), "household": p.household}
        for p in _pool_people(panel, {q.feature for q in quotas})
    ]
    if not people:
        raise DomainError(_("Import the pool of volunteers before drawing."))
    return {
        "people": sorted(people, key=lambda p: p["id"]),
        "quotas": [
            {"feature": q.feature, "value": q.value, "min": q.min, "max": q.max} for q in quotas
        ],
        "seats": seats,
        "forced": sorted(forced),
        "excluded": sorted(excluded),
    }


def _engine_people(inputs: dict) -> list[sortition.Person]:
    return [sortition.Person(p["id"], p["features"], p["household"]) for p in inputs["people"]]


def _engine_quotas_from(inputs: dict) -> list[sortition.Quota]:
    return [sortition.Quota(q["feature"], q["value"], q["min"], q["max"]) for q in inputs["quotas"]]


def check_possible(inputs: dict) -> None:
    """Raise DrawImpossible with the reasons when no panel meets the quotas."""
    try:
        sortition.check_feasibility(
            _engine_people(inputs),
            _engine_quotas_from(inputs),
            inputs["seats"],
            forced=inputs["forced"],
            excluded=inputs["excluded"],
        )
    except sortition.InfeasibleError as error:
        raise DrawImpossible(error.details) from None


def _queue_draw(
    panel: Panel,
    kind: DrawKind,
    inputs: dict,
    *,
    seed: str,
    algorithm: str,
    reserves: int,
    actor,
    context: dict | None = None,
) -> Draw:
    if algorithm not in sortition.ALGORITHMS:
        raise DomainError(_("Unknown algorithm: %(name)s.", name=algorithm))
    seed = (seed or "").strip() or generate_seed()
    if len(seed) > 100:
        raise DomainError(_("The seed is too long (100 characters at most)."))
    check_possible(inputs)
    running = db.session.scalar(
        sa.select(Draw).where(
            Draw.panel_id == panel.id, Draw.status.in_([DrawStatus.QUEUED, DrawStatus.RUNNING])
        )
    )
    if running is not None:
        raise DomainError(_("A draw is already running for this panel. Wait for it to finish."))
    draw = Draw(
        panel_id=panel.id,
        kind=kind,
        seed=seed,
        algorithm=algorithm,
        seats=inputs["seats"],
        reserves_wanted=reserves,
        inputs={**inputs, "context": context or {}},
        actor_id=getattr(actor, "id", None),
    )
    db.session.add(draw)
    db.session.flush()
    record(
        "draw.requested",
        actor=actor,
        obj=draw,
        details={"panel": panel.id, "kind": kind.value, "seed": seed, "algorithm": algorithm},
    )
    return draw


def request_initial_draw(
    panel: Panel, *, seed: str = "", algorithm: str = "leximin", reserves: int = 0, actor=None
) -> Draw:
    """Queue the first draw of a panel. Raises DrawImpossible or DomainError."""
    if has_draws(panel):
        raise DomainError(_("This panel has already been drawn. Use replacement or renewal."))
    if reserves < 0 or reserves > 1000:
        raise DomainError(_("The number of reserves must be between 0 and 1000."))
    inputs = _inputs(panel, seats=panel.seats)
    return _queue_draw(
        panel,
        DrawKind.INITIAL,
        inputs,
        seed=seed,
        algorithm=algorithm,
        reserves=reserves,
        actor=actor,
    )


def run_draw(draw_id: int) -> None:
    """Job body: run the engine on the draw's recorded inputs and apply the result."""
    draw = db.session.get(Draw, draw_id)
    if draw is None or draw.status not in (DrawStatus.QUEUED, DrawStatus.RUNNING):
        return
    draw.status = DrawStatus.RUNNING
    draw.progress = "solving"
    db.session.commit()
    inputs = draw.inputs
    try:
        result = sortition.draw(
            _engine_people(inputs),
            _engine_quotas_from(inputs),
            inputs["seats"],
            draw.seed,
            algorithm=draw.algorithm,
            reserves=draw.reserves_wanted,
            forced=inputs["forced"],
            excluded=inputs["excluded"],
        )
    except sortition.InfeasibleError as error:
        draw.status = DrawStatus.FAILED
        draw.error = [describe_reason(r) for r in error.details]
        draw.finished_at = utcnow()
        record("draw.failed", obj=draw, details={"reasons": error.reasons})
        db.session.commit()
        return
    except Exception as error:  # the job must leave a visible trace whatever happens
        db.session.rollback()
        draw = db.session.get(Draw, draw_id)
        draw.status = DrawStatus.FAILED
        draw.error = [str(error)]
        draw.finished_at = utcnow()
        record("draw.failed", obj=draw, details={"error": str(error)})
        db.session.commit()
        raise
    draw.progress = "saving"
    apply_result(draw, result)
    db.session.commit()


def apply_result(draw: Draw, result) -> None:
    """Record the engine's result on the draw and seat the people it selected."""
    draw.result = result.to_dict()
    draw.fingerprint = result.fingerprint
    draw.min_probability = result.min_probability
    draw.mean_probability = result.mean_probability
    draw.status = DrawStatus.DONE
    draw.progress = "done"
    draw.finished_at = utcnow()
    panel = draw.panel
    by_code = {v.code: v for v in volunteers(panel)}
    newcomers = sorted(set(result.selected) - set(result.forced))
    today = date.today()
    context = draw.inputs.get("context", {})
    if draw.kind is DrawKind.INITIAL:
        order = sorted(
            newcomers, key=lambda c: hashlib.sha256(f"{draw.seed}:{c}".encode()).digest()
        )
        for position, code in enumerate(order):
            cohort = position * panel.cohorts // len(order) + 1
            months = panel.term_months * cohort // panel.cohorts
            _seat(draw, by_code[code], cohort, today, today + relativedelta(months=months))
        panel.status = PanelStatus.DRAWN
    elif draw.kind is DrawKind.REPLACEMENT:
        leaving = db.session.get(Membership, context["leaving"])
        [code] = newcomers
        new = _seat(draw, by_code[code], leaving.cohort, today, leaving.end_date)
        _replaced(leaving, new)
    else:  # renewal
        cohort = context["cohort"]
        for membership_id in context["leaving"]:
            membership = db.session.get(Membership, membership_id)
            membership.status = MembershipStatus.TERM_ENDED
        for code in newcomers:
            _seat(
                draw, by_code[code], cohort, today, today + relativedelta(months=panel.term_months)
            )
    record(
        "draw.completed",
        obj=draw,
        details={
            "fingerprint": result.fingerprint,
            "selected": len(newcomers),
            "min_probability": round(result.min_probability, 6),
        },
    )


def _seat(draw: Draw, volunteer: Volunteer, cohort: int, start: date, end: date) -> Membership:
    membership = Membership(
        panel_id=draw.panel_id,
        volunteer_id=volunteer.id,
        draw_id=draw.id,
        cohort=cohort,
        start_date=start,
        end_date=end,
        status=MembershipStatus.SELECTED,
    )
    db.session.add(membership)
    db.session.flush()
    return membership


def _replaced(leaving: Membership, new: Membership) -> None:
    leaving.replaced_by_id = new.id
    if leaving.status in SEATED:
        leaving.status = MembershipStatus.REPLACED


def draw_now(draw: Draw) -> Draw:
    """Run a queued draw in this process (command line, tests)."""
    db.session.commit()
    run_draw(draw.id)
    db.session.refresh(draw)
    return draw


def start_in_background(draw: Draw) -> None:
    """Commit the queued draw and hand it to the job queue."""
    from consultation import jobs

    db.session.commit()
    jobs.enqueue(run_draw, draw.id)


def verify_draw(draw: Draw) -> list[str]:
    """Problems found when re-checking a recorded draw (empty: it checks out).

    Checks without re-solving: the lottery's panels meet the quotas and households,
    marginals are as published, the seed picks the recorded panel, the fingerprint
    matches the recorded inputs. A replacement taken from the reserves is checked by
    re-applying the reserve rule.
    """
    if draw.status is not DrawStatus.DONE or not draw.result:
        return [_("This draw has no result to verify.")]
    inputs = draw.inputs
    if draw.result.get("source") == "reserve":
        return _verify_reserve_pick(draw)
    return list(
        sortition.verify(
            _engine_people(inputs), _engine_quotas_from(inputs), inputs["seats"], draw.result
        )
    )


def seated(panel: Panel) -> list[Membership]:
    return list(
        db.session.scalars(
            sa.select(Membership)
            .where(Membership.panel_id == panel.id, Membership.status.in_(SEATED))
            .options(selectinload(Membership.volunteer))
            .order_by(Membership.id)
        )
    )


def memberships(panel: Panel) -> list[Membership]:
    return list(
        db.session.scalars(
            sa.select(Membership)
            .where(Membership.panel_id == panel.id)
            .options(selectinload(Membership.volunteer))
            .order_by(Membership.id)
        )
    )


# ---------------------------------------------------------------- members


def _meets(panel_features: list[dict], households: list[str | None], quotas: list[dict]) -> bool:
    counts = Counter((f, p[f]) for p in panel_features for f in p)
    if any(not (q["min"] <= counts[(q["feature"], q["value"])] <= q["max"]) for q in quotas):
        return False
    shared = [h for h in households if h]
    return len(shared) == len(set(shared))


def _never_again(panel: Panel) -> set[str]:
    """Codes of everyone who has held or refused a seat on this panel."""
    return {m.volunteer.code for m in memberships(panel)}


def _reserve_candidates(panel: Panel):
    """(draw, ordered reserve codes) of the latest draw that published reserves."""
    for draw in reversed(panel.draws):
        if draw.status is DrawStatus.DONE and draw.result and draw.result.get("reserves"):
            return draw, draw.result["reserves"]
    return None, []


def record_departure(membership: Membership, status: MembershipStatus, *, actor=None) -> None:
    """Record that a member declined or resigned; their seat is then to be replaced."""
    if status not in (MembershipStatus.DECLINED, MembershipStatus.RESIGNED):
        raise DomainError(_("A departure is a decline or a resignation."))
    if membership.status not in SEATED:
        raise DomainError(_("This person no longer holds a seat."))
    previous = membership.status
    membership.status = status
    membership.answered_at = utcnow()
    record(
        "membership.left",
        actor=actor,
        obj=membership,
        details={"from": previous.value, "to": status.value},
    )


def replace_member(
    membership: Membership, *, seed: str = "", algorithm: str = "leximin", actor=None
) -> Draw:
    """Find who takes a departed member's seat while the whole panel stays within quotas.

    First the reserves of the latest draw, in order: the first one whose arrival keeps
    every quota and household rule is seated at once (recorded as a replacement draw).
    Otherwise a new draw on the remaining pool is queued, with the other members forced
    in. Raises DrawImpossible when no one can take the seat within the quotas.
    """
    panel = membership.panel
    if membership.status in SEATED:
        raise DomainError(_("Record the decline or resignation before replacing this member."))
    if membership.replaced_by_id is not None:
        raise DomainError(_("This member has already been replaced."))
    others = [m for m in seated(panel) if m.id != membership.id]
    if len(others) >= panel.seats:
        raise DomainError(_("The panel has no empty seat."))
    forced = {m.volunteer.code for m in others}
    inputs = _inputs(panel, seats=panel.seats, forced=forced, excluded=_never_again(panel) - forced)
    source_draw, reserves = _reserve_candidates(panel)
    pick = _first_reserve(inputs, others, reserves)
    if pick is not None:
        seed = (seed or "").strip() or "reserve"
        draw = Draw(
            panel_id=panel.id,
            kind=DrawKind.REPLACEMENT,
            seed=seed,
            algorithm="reserve",
            seats=panel.seats,
            inputs={
                **inputs,
                "context": {
                    "leaving": membership.id,
                    "reserves": reserves,
                    "reserve_draw": source_draw.id,
                },
            },
            actor_id=getattr(actor, "id", None),
            status=DrawStatus.DONE,
            progress="done",
            fingerprint=source_draw.fingerprint,
            finished_at=utcnow(),
            result={"source": "reserve", "selected": [pick], "reserve_draw": source_draw.id},
        )
        db.session.add(draw)
        db.session.flush()
        volunteer = next(v for v in volunteers(panel) if v.code == pick)
        new = _seat(draw, volunteer, membership.cohort, date.today(), membership.end_date)
        _replaced(membership, new)
        record(
            "draw.replacement_from_reserves",
            actor=actor,
            obj=draw,
            details={"leaving": membership.id, "reserve": pick},
        )
        return draw
    return _queue_draw(
        panel,
        DrawKind.REPLACEMENT,
        inputs,
        seed=seed,
        algorithm=algorithm,
        reserves=0,
        actor=actor,
        context={"leaving": membership.id},
    )


def _first_reserve(inputs: dict, others: list[Membership], reserves: list[str]) -> str | None:
    people = {p["id"]: p for p in inputs["people"]}
    excluded = set(inputs["excluded"])
    base = [people[m.volunteer.code] for m in others]
    for code in reserves:
        if code in excluded or code not in people:
            continue
        candidate = base + [people[code]]
        if _meets(
            [p["features"] for p in candidate],
            [p["household"] for p in candidate],
            inputs["quotas"],
        ):
            return code
    return None


def _verify_reserve_pick(draw: Draw) -> list[str]:
    context = draw.inputs["context"]
    inputs = draw.inputs
    people = {p["id"]: p for p in inputs["people"]}
    excluded = set(inputs["excluded"])
    expected = None
    for code in context["reserves"]:
        if code in excluded or code not in people:
            continue
        candidate = [people[c] for c in inputs["forced"]] + [people[code]]
        if _meets(
            [p["features"] for p in candidate],
            [p["household"] for p in candidate],
            inputs["quotas"],
        ):
            expected = code
            break
    if draw.result.get("selected") != [expected]:
        return [_("The reserve taken is not the first reserve that keeps the quotas.")]
    return []


def renewal_cohort(panel: Panel) -> tuple[int, list[Membership]]:
    """The cohort whose term ends first, and its seated members."""
    members = seated(panel)
    if not members:
        raise DomainError(_("This panel has no members to renew."))
    first_end = min(m.end_date for m in members)
    leaving = [m for m in members if m.end_date == first_end]
    return leaving[0].cohort, leaving


def renew(
    panel: Panel,
    *,
    seed: str = "",
    algorithm: str = "leximin",
    reserves: int = 0,
    exclude_past_members: bool = True,
    actor=None,
) -> Draw:
    """Queue the renewal of the cohort whose term ends first.

    Continuing members count toward the quotas; leaving members, and (by default)
    everyone who held or refused a seat before, cannot be drawn.
    """
    cohort, leaving = renewal_cohort(panel)
    leaving_ids = {m.id for m in leaving}
    continuing = [m for m in seated(panel) if m.id not in leaving_ids]
    excluded = _never_again(panel) if exclude_past_members else {m.volunteer.code for m in leaving}
    inputs = _inputs(
        panel,
        seats=panel.seats,
        forced=[m.volunteer.code for m in continuing],
        excluded=excluded - {m.volunteer.code for m in continuing},
    )
    next_cohort = max(m.cohort for m in memberships(panel)) + 1
    return _queue_draw(
        panel,
        DrawKind.RENEWAL,
        inputs,
        seed=seed,
        algorithm=algorithm,
        reserves=reserves,
        actor=actor,
        context={"leaving": sorted(leaving_ids), "cohort": next_cohort, "cohort_renewed": cohort},
    )


# ---------------------------------------------------------------- invitations


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_selected(panel: Panel, *, actor=None) -> int:
    """Email every selected member an invitation to confirm their seat; returns how many.

    Members without an email address are left selected for the facilitator to reach.
    """
    count = 0
    for membership in seated(panel):
        if membership.status is not MembershipStatus.SELECTED or not membership.volunteer.email:
            continue
        token = secrets.token_urlsafe(32)
        membership.token_hash = _token_hash(token)
        membership.status = MembershipStatus.INVITED
        membership.invited_at = utcnow()
        link = mail.external_url("panels.answer", token=token)
        mail.send_template(
            membership.volunteer.email,
            "panel_invitation",
            current_app.config["CONSULTATION_LOCALE"],
            panel=panel,
            membership=membership,
            link=link,
        )
        count += 1
    db.session.flush()
    record("panel.invitations_sent", actor=actor, obj=panel, details={"invited": count})
    return count


def send_codes(panel: Panel, *, actor=None) -> int:
    """Email every volunteer with an address their public code; returns how many.

    Transparency pages show volunteers only under these codes: with it, each person can
    look up their own chance of being selected, and nobody else can tell who they are.
    """
    count = 0
    for volunteer in volunteers(panel):
        if not volunteer.email:
            continue
        link = mail.external_url("panels.show", panel_id=panel.id)
        mail.send_template(
            volunteer.email,
            "volunteer_code",
            current_app.config["CONSULTATION_LOCALE"],
            panel=panel,
            volunteer=volunteer,
            link=link,
        )
        count += 1
    record("panel.codes_sent", actor=actor, obj=panel, details={"sent": count})
    return count


def membership_for_token(token: str) -> Membership:
    """The invitation behind a link; raises DomainError if unknown or already answered."""
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.token_hash == _token_hash(token))
    )
    if membership is None:
        raise DomainError(_("This invitation link is not valid."))
    if membership.status is not MembershipStatus.INVITED:
        raise DomainError(_("This invitation has already been answered."))
    return membership


def accept_seat(
    token: str, *, user=None, display_name: str = "", password: str = "", language: str = "fr"
):
    """Confirm a seat. Without a signed-in user, create the account from the invitation.

    Returns the member's user account.
    """
    membership = membership_for_token(token)
    email = membership.volunteer.email
    if user is not None and user.email != accounts.normalise_email(email or ""):
        raise DomainError(
            _("This invitation was sent to another address. Sign out, then open the link again.")
        )
    if user is None:
        if accounts.find_by_email(email) is not None:
            raise DomainError(
                _(
                    "An account already exists for %(email)s: sign in first, then "
                    "open the link again.",
                    email=email,
                )
            )
        user = accounts.create_user(
            email=email,
            display_name=display_name,
            password=password,
            role=Role.RESIDENT,
            language=language,
        )
    membership.user_id = user.id
    membership.answered_at = utcnow()
    membership.status = (
        MembershipStatus.ACTIVE
        if membership.panel.status is PanelStatus.ACTIVE
        else MembershipStatus.CONFIRMED
    )
    record("membership.confirmed", actor=user, obj=membership)
    return user


def decline_seat(token: str) -> Membership:
    """Decline a seat from the invitation link."""
    membership = membership_for_token(token)
    membership.status = MembershipStatus.DECLINED
    membership.answered_at = utcnow()
    record("membership.declined", obj=membership)
    return membership


def start_term(panel: Panel, *, actor=None) -> int:
    """Start the panel's term: confirmed members become active; returns how many."""
    if panel.status not in (PanelStatus.DRAWN, PanelStatus.ACTIVE):
        raise DomainError(_("Draw the panel before starting its term."))
    count = 0
    for membership in seated(panel):
        if membership.status is MembershipStatus.CONFIRMED:
            membership.status = MembershipStatus.ACTIVE
            count += 1
    panel.status = PanelStatus.ACTIVE
    record("panel.term_started", actor=actor, obj=panel, details={"active": count})
    return count


def is_active_member(user, panel: Panel) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(
                Membership.panel_id == panel.id,
                Membership.user_id == user.id,
                Membership.status == MembershipStatus.ACTIVE,
            )
        )
        > 0
    )
