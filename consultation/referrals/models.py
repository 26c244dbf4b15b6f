"""Referrals (saisines), their threaded contributions, supports, reports and synthesis notes."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consultation.accounts.models import User, utcnow
from consultation.extensions import db
from consultation.panels.models import Panel, enum_column


class Phase(enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    DELIBERATION = "deliberation"
    DRAFTING = "drafting"
    VOTE = "vote"
    CLOSED = "closed"


PHASE_ORDER = list(Phase)


class Participation(enum.Enum):
    MEMBERS = "members"  # active panel members only
    RESIDENTS = "residents"  # any registered resident


class Visibility(enum.Enum):
    PUBLIC = "public"
    PANEL = "panel"


class Stance(enum.Enum):
    AGREE = "agree"
    DISAGREE = "disagree"
    QUESTION = "question"
    PROPOSAL = "proposal"


class Referral(db.Model):
    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panels.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    question: Mapped[str] = mapped_column(sa.Text)
    context_md: Mapped[str] = mapped_column(sa.Text, default="")
    context_html: Mapped[str] = mapped_column(sa.Text, default="")
    documents: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{"title", "url"}]
    participation: Mapped[Participation] = mapped_column(
        enum_column(Participation, "referral_participation"), default=Participation.MEMBERS
    )
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility, "referral_visibility"), default=Visibility.PUBLIC
    )
    phase: Mapped[Phase] = mapped_column(enum_column(Phase, "referral_phase"), default=Phase.DRAFT)
    # Planned dates of each phase, shown as the referral's calendar.
    opens_on: Mapped[date | None]
    deliberation_on: Mapped[date | None]
    drafting_on: Mapped[date | None]
    vote_on: Mapped[date | None]
    closes_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Bumped by every change that shows on its pages: the key of their cached parts.
    version: Mapped[int] = mapped_column(default=0)

    panel: Mapped[Panel] = relationship()
    phase_changes: Mapped[list["PhaseChange"]] = relationship(
        back_populates="referral", order_by="PhaseChange.id"
    )


class PhaseChange(db.Model):
    """When the referral moved from one phase to the next, and who moved it."""

    __tablename__ = "phase_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    from_phase: Mapped[Phase] = mapped_column(enum_column(Phase, "referral_phase"))
    to_phase: Mapped[Phase] = mapped_column(enum_column(Phase, "referral_phase"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    referral: Mapped[Referral] = relationship(back_populates="phase_changes")
    actor: Mapped[User | None] = relationship()


class Contribution(db.Model):
    """A post or a reply. ``path`` orders a thread: the ids from the root, zero-padded."""

    __tablename__ = "contributions"
    __table_args__ = (sa.Index("ix_contributions_thread", "referral_id", "root_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contributions.id"), index=True)
    root_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contributions.id"))
    depth: Mapped[int] = mapped_column(default=0)
    path: Mapped[str] = mapped_column(sa.String(2000), default="")
    body_md: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    stance: Mapped[Stance | None] = mapped_column(enum_column(Stance, "contribution_stance"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    edited_at: Mapped[datetime | None]
    highlighted: Mapped[bool] = mapped_column(default=False)
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(sa.Text)
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    support_count: Mapped[int] = mapped_column(default=0)
    reply_count: Mapped[int] = mapped_column(default=0)

    referral: Mapped[Referral] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    parent: Mapped["Contribution | None"] = relationship(remote_side=[id], foreign_keys=[parent_id])

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class ContributionRevision(db.Model):
    """A previous text of an edited contribution, kept."""

    __tablename__ = "contribution_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(sa.ForeignKey("contributions.id"), index=True)
    body_md: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Support(db.Model):
    __tablename__ = "supports"
    __table_args__ = (sa.UniqueConstraint("contribution_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(sa.ForeignKey("contributions.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Report(db.Model):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(sa.ForeignKey("contributions.id"), index=True)
    reporter_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]

    contribution: Mapped[Contribution] = relationship()
    reporter: Mapped[User] = relationship()


class SynthesisNote(db.Model):
    __tablename__ = "synthesis_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    body_md: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()


class DigestSubscription(db.Model):
    """A person who asked for a daily email of the replies to them."""

    __tablename__ = "digest_subscriptions"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    last_sent_at: Mapped[datetime] = mapped_column(default=utcnow)
