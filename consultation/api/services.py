"""What the open data publishes: the public selections of every dataset.

Each function returns a SQLAlchemy ``select`` (ordered by id, so that pages are stable)
or loads one object, and keeps only what a signed-out visitor may read on the site:
referrals that are public and in a phase open to reading, what belongs to them, and
finished draws. Nothing here writes.
"""

import sqlalchemy as sa
from flask_login import AnonymousUserMixin
from sqlalchemy.orm import selectinload

from consultation import permissions
from consultation.extensions import db
from consultation.manifesto import services as manifesto_services
from consultation.manifesto.models import (
    Amendment,
    AmendmentStatus,
    Clause,
    ClauseVersion,
    Manifesto,
    Section,
)
from consultation.panels.models import Draw, DrawStatus
from consultation.referrals.models import Contribution, Phase, Referral, Visibility
from consultation.votes.models import Question

# Ids are 32-bit integers in the database: a larger number in a URL names nothing, and
# looking it up would make PostgreSQL fail instead of finding nothing.
MAX_ID = 2**31 - 1


def _get(model, item_id: int):
    return db.session.get(model, item_id) if 0 < item_id <= MAX_ID else None


def readable_phases() -> list[Phase]:
    """Phases in which a public referral can be read, from the permission table itself."""
    return [phase for phase in Phase if "read" in permissions.PHASE_ALLOWS[phase.value]]


def is_public(referral: Referral) -> bool:
    """Whether a signed-out visitor may read ``referral``: the site's own rule."""
    return permissions.can_read_referral(AnonymousUserMixin(), referral)


def _public_referral_ids():
    return sa.select(Referral.id).where(
        Referral.visibility == Visibility.PUBLIC, Referral.phase.in_(readable_phases())
    )


def _public_manifesto_ids():
    return sa.select(Manifesto.id).where(Manifesto.referral_id.in_(_public_referral_ids()))


def referrals():
    """Public referrals, oldest first."""
    return (
        sa.select(Referral)
        .where(Referral.id.in_(_public_referral_ids()))
        .options(selectinload(Referral.panel))
        .order_by(Referral.id)
    )


def referral(referral_id: int) -> Referral | None:
    """A referral if it is public, else None (as if it did not exist)."""
    item = _get(Referral, referral_id)
    return item if item is not None and is_public(item) else None


def contribution_counts(referral_ids: list[int]) -> dict[int, int]:
    """Number of visible contributions of each referral."""
    if not referral_ids:
        return {}
    rows = db.session.execute(
        sa.select(Contribution.referral_id, sa.func.count())
        .where(Contribution.referral_id.in_(referral_ids), Contribution.hidden_at.is_(None))
        .group_by(Contribution.referral_id)
    )
    return dict(rows.all())


def manifesto_ids(referral_ids: list[int]) -> dict[int, list[int]]:
    """Ids of the manifestos of each referral, in order."""
    result: dict[int, list[int]] = {rid: [] for rid in referral_ids}
    if referral_ids:
        rows = db.session.execute(
            sa.select(Manifesto.referral_id, Manifesto.id)
            .where(Manifesto.referral_id.in_(referral_ids))
            .order_by(Manifesto.id)
        )
        for referral_id, manifesto_id in rows:
            result[referral_id].append(manifesto_id)
    return result


def contributions(referral_id: int | None = None):
    """Contributions that are not hidden, of one public referral or of all of them."""
    query = (
        sa.select(Contribution)
        .where(Contribution.hidden_at.is_(None))
        .options(selectinload(Contribution.author))
        .order_by(Contribution.id)
    )
    if referral_id is None:
        return query.where(Contribution.referral_id.in_(_public_referral_ids()))
    return query.where(Contribution.referral_id == referral_id)


def manifestos():
    """Manifestos of public referrals, with their current text loaded."""
    return (
        sa.select(Manifesto)
        .where(Manifesto.id.in_(_public_manifesto_ids()))
        .options(
            selectinload(Manifesto.sections)
            .selectinload(Section.clauses)
            .selectinload(Clause.versions)
        )
        .order_by(Manifesto.id)
    )


def manifesto(manifesto_id: int) -> Manifesto | None:
    """A manifesto, with its current text loaded, if its referral is public; else None."""
    item = manifesto_services.load(manifesto_id) if 0 < manifesto_id <= MAX_ID else None
    return item if item is not None and is_public(item.referral) else None


def clause_versions(manifesto_id: int | None = None):
    """Every version of every clause (deleted clauses included: history is kept)."""
    query = (
        sa.select(ClauseVersion)
        .join(Clause, Clause.id == ClauseVersion.clause_id)
        .options(selectinload(ClauseVersion.author), selectinload(ClauseVersion.clause))
        .order_by(ClauseVersion.id)
    )
    if manifesto_id is None:
        return query.where(Clause.manifesto_id.in_(_public_manifesto_ids()))
    return query.where(Clause.manifesto_id == manifesto_id)


def amendments(manifesto_id: int | None = None):
    """Amendments once proposed: drafts are their author's own until they publish them."""
    query = (
        sa.select(Amendment)
        .where(Amendment.status != AmendmentStatus.DRAFT)
        .options(
            selectinload(Amendment.author),
            selectinload(Amendment.base_version),
            selectinload(Amendment.cosignatures),
        )
        .order_by(Amendment.id)
    )
    if manifesto_id is None:
        return query.where(Amendment.manifesto_id.in_(_public_manifesto_ids()))
    return query.where(Amendment.manifesto_id == manifesto_id)


def questions(manifesto_id: int | None = None):
    """Questions put to the vote, open or closed."""
    query = sa.select(Question).options(selectinload(Question.options)).order_by(Question.id)
    if manifesto_id is None:
        return query.where(Question.manifesto_id.in_(_public_manifesto_ids()))
    return query.where(Question.manifesto_id == manifesto_id)


def draws():
    """Finished draws, as the panels' public pages list them."""
    return (
        sa.select(Draw)
        .where(Draw.status == DrawStatus.DONE)
        .options(selectinload(Draw.panel))
        .order_by(Draw.id)
    )


def draw(draw_id: int) -> Draw | None:
    """A draw if it has finished (before that it has nothing to publish), else None."""
    item = _get(Draw, draw_id)
    return item if item is not None and item.status is DrawStatus.DONE else None
