"""Writing and reading the audit trail."""

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from consultation.audit.models import AuditEvent
from consultation.extensions import db


class AuditTrailIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete an audit row."""


def record(action: str, *, actor=None, obj=None, details: dict | None = None) -> AuditEvent:
    """Append one audit row and flush it with the change it describes.

    ``action`` is a dotted verb such as ``"account.created"``; ``obj`` is the model
    the action touched (its class name and primary key are kept). Nothing is committed.
    """
    actor_id = (
        getattr(actor, "id", None)
        if actor is not None and getattr(actor, "is_authenticated", True)
        else None
    )
    event_row = AuditEvent(
        actor_id=actor_id,
        action=action,
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=str(obj.id) if obj is not None and getattr(obj, "id", None) is not None else None,
        details=details or {},
    )
    db.session.add(event_row)
    db.session.flush()
    return event_row


def search(
    *,
    action=None,
    actor_id=None,
    object_type=None,
    since: date | None = None,
    until: date | None = None,
):
    """A select statement for audit rows matching the filters, newest first."""
    query = sa.select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    if actor_id:
        query = query.where(AuditEvent.actor_id == actor_id)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if since:
        query = query.where(AuditEvent.created_at >= datetime.combine(since, time.min))
    if until:
        query = query.where(
            AuditEvent.created_at < datetime.combine(until + timedelta(days=1), time.min)
        )
    return query


def known_actions() -> list[str]:
    return list(
        db.session.scalars(sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )


def known_object_types() -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent.object_type)
            .where(AuditEvent.object_type.is_not(None))
            .distinct()
            .order_by(AuditEvent.object_type)
        )
    )


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditTrailIsAppendOnly("Audit events cannot be changed or deleted.")
