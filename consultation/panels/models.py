"""Panels, their volunteer pools and quotas, the draws and the memberships they produce."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consultation.accounts.models import User, utcnow
from consultation.extensions import db


def enum_column(enum_class, name: str):
    return sa.Enum(enum_class, name=name, values_callable=lambda e: [m.value for m in e])


class PanelStatus(enum.Enum):
    SETUP = "setup"  # pool and quotas being prepared
    DRAWN = "drawn"  # a draw selected people; invitations under way
    ACTIVE = "active"  # the term has started
    CLOSED = "closed"


class DrawKind(enum.Enum):
    INITIAL = "initial"
    REPLACEMENT = "replacement"
    RENEWAL = "renewal"


class DrawStatus(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class MembershipStatus(enum.Enum):
    SELECTED = "selected"  # drawn, not yet invited
    INVITED = "invited"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    ACTIVE = "active"
    RESIGNED = "resigned"
    REPLACED = "replaced"
    TERM_ENDED = "term-ended"


#: Memberships that hold a seat (count toward quotas and the seat total).
SEATED = (
    MembershipStatus.SELECTED,
    MembershipStatus.INVITED,
    MembershipStatus.CONFIRMED,
    MembershipStatus.ACTIVE,
)


class Panel(db.Model):
    __tablename__ = "panels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    seats: Mapped[int]
    term_months: Mapped[int] = mapped_column(default=36)
    # "A third each year": 3 cohorts, one renewed every term_months / 3 months.
    cohorts: Mapped[int] = mapped_column(default=3)
    status: Mapped[PanelStatus] = mapped_column(
        enum_column(PanelStatus, "panel_status"), default=PanelStatus.SETUP
    )
    id_column: Mapped[str] = mapped_column(sa.String(100), default="id")
    address_columns: Mapped[list] = mapped_column(sa.JSON, default=list)
    # The role of each column of the last pool file: [{"name": ..., "role": ...}], roles
    # as in ``importing.ROLES`` (id, criterion, address, email, name, phone, private, ignored).
    columns: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Key of the keyed hashing of ids into public codes; never shown. Drawn from the
    # pool file's content at import (older panels: a random salt drawn at creation).
    code_salt: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    quotas: Mapped[list["Quota"]] = relationship(
        back_populates="panel", order_by="Quota.feature, Quota.value", cascade="all, delete-orphan"
    )
    draws: Mapped[list["Draw"]] = relationship(back_populates="panel", order_by="Draw.id")


class Volunteer(db.Model):
    """One person of a panel's pool. Contact, address and private columns are personal data.

    ``features`` holds the columns chosen as selection criteria; only those that have
    quotas are ever published. ``private`` holds the columns kept for facilitators only.
    """

    __tablename__ = "volunteers"
    __table_args__ = (
        sa.UniqueConstraint("panel_id", "external_id"),
        sa.UniqueConstraint("panel_id", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panels.id"), index=True)
    external_id: Mapped[str] = mapped_column(sa.String(100))
    code: Mapped[str] = mapped_column(sa.String(16))
    features: Mapped[dict] = mapped_column(sa.JSON)
    contact: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    address: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    private: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    household_code: Mapped[str | None] = mapped_column(sa.String(16))
    line: Mapped[int] = mapped_column(default=0)

    panel: Mapped[Panel] = relationship()

    @property
    def email(self) -> str | None:
        return self.contact.get("email")

    @property
    def name(self) -> str:
        return self.contact.get("name", "")


class Quota(db.Model):
    __tablename__ = "quotas"
    __table_args__ = (sa.UniqueConstraint("panel_id", "feature", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panels.id"), index=True)
    feature: Mapped[str] = mapped_column(sa.String(100))
    value: Mapped[str] = mapped_column(sa.String(100))
    min: Mapped[int]
    max: Mapped[int]

    panel: Mapped[Panel] = relationship(back_populates="quotas")


class Draw(db.Model):
    """One run of the draw engine, with everything needed to verify it later."""

    __tablename__ = "draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panels.id"), index=True)
    kind: Mapped[DrawKind] = mapped_column(enum_column(DrawKind, "draw_kind"))
    status: Mapped[DrawStatus] = mapped_column(
        enum_column(DrawStatus, "draw_status"), default=DrawStatus.QUEUED
    )
    progress: Mapped[str] = mapped_column(sa.String(40), default="queued")
    seed: Mapped[str] = mapped_column(sa.String(100))
    algorithm: Mapped[str] = mapped_column(sa.String(20))
    seats: Mapped[int]
    reserves_wanted: Mapped[int] = mapped_column(default=0)
    fingerprint: Mapped[str | None] = mapped_column(sa.String(64))
    min_probability: Mapped[float | None]
    mean_probability: Mapped[float | None]
    # Inputs as the engine saw them (codes, features, households, quotas) and its result.
    inputs: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    result: Mapped[dict | None] = mapped_column(sa.JSON)
    error: Mapped[list | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    panel: Mapped[Panel] = relationship(back_populates="draws")
    actor: Mapped[User | None] = relationship()


class Membership(db.Model):
    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panels.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(sa.ForeignKey("volunteers.id"), index=True)
    draw_id: Mapped[int] = mapped_column(sa.ForeignKey("draws.id"))
    cohort: Mapped[int] = mapped_column(default=1)
    status: Mapped[MembershipStatus] = mapped_column(
        enum_column(MembershipStatus, "membership_status"), default=MembershipStatus.SELECTED
    )
    start_date: Mapped[date]
    end_date: Mapped[date]
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    invited_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    replaced_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("memberships.id"))

    panel: Mapped[Panel] = relationship()
    volunteer: Mapped[Volunteer] = relationship()
    draw: Mapped[Draw] = relationship()
    user: Mapped[User | None] = relationship()


class StagedImport(db.Model):
    """An uploaded file waiting for the facilitator to confirm its preview."""

    __tablename__ = "staged_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panels.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # "pool" or "quotas"
    filename: Mapped[str] = mapped_column(sa.String(255))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
