"""A manifesto's timeline: every step from the imported draft to the adopted text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consultation.audit.models import AuditEvent
from consultation.extensions import db
from consultation.manifesto import amendments
from consultation.manifesto.models import (
    Amendment,
    Clause,
    ClauseVersion,
    Manifesto,
    VersionSource,
)


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str  # imported, status, edited, proposed, decided, vote_opened, vote_closed
    subject: object = None
    detail: str = ""


def timeline(manifesto: Manifesto) -> list[Event]:
    """Events in the order they happened (oldest first)."""
    from consultation.votes.models import Question

    events = [Event(manifesto.created_at, "imported", manifesto)]
    moves = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "manifesto.status_moved",
            AuditEvent.object_type == "Manifesto",
            AuditEvent.object_id == str(manifesto.id),
        )
    )
    events += [Event(e.created_at, "status", e, e.details.get("to", "")) for e in moves]
    edits = db.session.scalars(
        sa.select(ClauseVersion)
        .join(Clause, Clause.id == ClauseVersion.clause_id)
        .where(
            Clause.manifesto_id == manifesto.id, ClauseVersion.source == VersionSource.FACILITATOR
        )
    )
    events += [Event(v.created_at, "edited", v) for v in edits]
    for amendment in db.session.scalars(
        sa.select(Amendment)
        .where(Amendment.manifesto_id == manifesto.id, amendments.visible_to(None))
        .options(selectinload(Amendment.author))
    ):
        events.append(Event(amendment.created_at, "proposed", amendment))
        if amendment.decided_at is not None:
            events.append(Event(amendment.decided_at, "decided", amendment, amendment.status.value))
    for question in db.session.scalars(
        sa.select(Question).where(Question.manifesto_id == manifesto.id)
    ):
        events.append(Event(question.opened_at, "vote_opened", question))
        if question.closed_at is not None:
            events.append(Event(question.closed_at, "vote_closed", question, question.result))
    order = ["imported", "status", "edited", "proposed", "vote_opened", "vote_closed", "decided"]
    return sorted(events, key=lambda e: (e.at, order.index(e.kind)))
