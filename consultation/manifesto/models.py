"""Manifestos, their sections and clauses; clause versions are add-only."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from consultation.accounts.models import User, utcnow
from consultation.extensions import db
from consultation.panels.models import enum_column
from consultation.referrals.models import Referral


class ManifestoStatus(enum.Enum):
    DRAFTING = "drafting"  # facilitators shape the draft; edits become versions
    AMENDING = "amending"  # members propose amendments
    VOTING = "voting"
    ADOPTED = "adopted"


class VersionSource(enum.Enum):
    IMPORT = "import"
    FACILITATOR = "facilitator"  # an edit before amending opened
    AMENDMENT = "amendment"  # an accepted amendment


class Manifesto(db.Model):
    __tablename__ = "manifestos"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    preamble_md: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[ManifestoStatus] = mapped_column(
        enum_column(ManifestoStatus, "manifesto_status"), default=ManifestoStatus.DRAFTING
    )
    # Share of eligible members who must take part, e.g. "1/2"; rule for a majority.
    quorum: Mapped[str] = mapped_column(sa.String(10), default="1/2")
    threshold: Mapped[str] = mapped_column(sa.String(20), default="majority")
    secret_ballot: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    referral: Mapped[Referral] = relationship()
    sections: Mapped[list["Section"]] = relationship(
        back_populates="manifesto", order_by="Section.position"
    )


class Section(db.Model):
    __tablename__ = "manifesto_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    manifesto_id: Mapped[int] = mapped_column(sa.ForeignKey("manifestos.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(300))

    manifesto: Mapped[Manifesto] = relationship(back_populates="sections")
    clauses: Mapped[list["Clause"]] = relationship(
        back_populates="section", order_by="Clause.position"
    )


class Clause(db.Model):
    """A clause's identity: its text lives in its versions."""

    __tablename__ = "clauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    manifesto_id: Mapped[int] = mapped_column(sa.ForeignKey("manifestos.id"), index=True)
    section_id: Mapped[int] = mapped_column(sa.ForeignKey("manifesto_sections.id"), index=True)
    # Order inside the section; a clause added after another takes a position between.
    position: Mapped[float]
    deleted_at: Mapped[datetime | None]

    section: Mapped[Section] = relationship(back_populates="clauses")
    versions: Mapped[list["ClauseVersion"]] = relationship(
        back_populates="clause", order_by="ClauseVersion.number"
    )

    @property
    def current(self) -> "ClauseVersion":
        return self.versions[-1]


class ClauseVersion(db.Model):
    __tablename__ = "clause_versions"
    __table_args__ = (sa.UniqueConstraint("clause_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clause_id: Mapped[int] = mapped_column(sa.ForeignKey("clauses.id"), index=True)
    number: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    source: Mapped[VersionSource] = mapped_column(enum_column(VersionSource, "version_source"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The accepted amendment that produced this version (no foreign key: the two tables
    # point at each other; the amendment's result_version_id is the enforced side).
    amendment_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    clause: Mapped[Clause] = relationship(back_populates="versions")
    author: Mapped[User | None] = relationship()


class ClauseVersionsAreAddOnly(RuntimeError):
    """Raised when code tries to change or delete a clause version."""


@event.listens_for(Session, "before_flush")
def _refuse_version_changes(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, ClauseVersion) and (obj in session.deleted or session.is_modified(obj)):
            raise ClauseVersionsAreAddOnly("Clause versions cannot be changed or deleted.")


class AmendmentKind(enum.Enum):
    REPLACE = "replace"  # new wording for the clause
    INSERT_AFTER = "insert-after"  # a new clause after this one
    DELETE = "delete"  # remove the clause


class AmendmentStatus(enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    VOTING = "voting"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    NEEDS_UPDATE = "needs-update"


#: Proposed amendments still in play on their clause (a draft is not yet proposed).
IN_PLAY = (AmendmentStatus.OPEN, AmendmentStatus.NEEDS_UPDATE)


class Amendment(db.Model):
    __tablename__ = "amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    manifesto_id: Mapped[int] = mapped_column(sa.ForeignKey("manifestos.id"), index=True)
    clause_id: Mapped[int] = mapped_column(sa.ForeignKey("clauses.id"), index=True)
    kind: Mapped[AmendmentKind] = mapped_column(enum_column(AmendmentKind, "amendment_kind"))
    status: Mapped[AmendmentStatus] = mapped_column(
        enum_column(AmendmentStatus, "amendment_status"), default=AmendmentStatus.OPEN
    )
    # The version the proposal was written against, and the proposal (None: deletion).
    base_version_id: Mapped[int] = mapped_column(sa.ForeignKey("clause_versions.id"))
    proposed_text: Mapped[str | None] = mapped_column(sa.Text)
    rationale: Mapped[str] = mapped_column(sa.Text, default="")
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    # What accepting it produced: the clause version, or the new clause (insert-after).
    result_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("clause_versions.id"))

    clause: Mapped[Clause] = relationship()
    base_version: Mapped[ClauseVersion] = relationship(foreign_keys=[base_version_id])
    result_version: Mapped[ClauseVersion | None] = relationship(foreign_keys=[result_version_id])
    author: Mapped[User] = relationship()
    revisions: Mapped[list["AmendmentRevision"]] = relationship(
        back_populates="amendment", order_by="AmendmentRevision.number"
    )
    cosignatures: Mapped[list["CoSignature"]] = relationship(back_populates="amendment")


class AmendmentRevision(db.Model):
    """Each text an amendment has had: what voters saw is never rewritten in place."""

    __tablename__ = "amendment_revisions"
    __table_args__ = (sa.UniqueConstraint("amendment_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(sa.ForeignKey("amendments.id"), index=True)
    number: Mapped[int]
    base_version_id: Mapped[int] = mapped_column(sa.ForeignKey("clause_versions.id"))
    proposed_text: Mapped[str | None] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.String(20))  # created, revised, rebased
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    amendment: Mapped[Amendment] = relationship(back_populates="revisions")


class CoSignature(db.Model):
    __tablename__ = "cosignatures"
    __table_args__ = (sa.UniqueConstraint("amendment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(sa.ForeignKey("amendments.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    amendment: Mapped[Amendment] = relationship(back_populates="cosignatures")
    user: Mapped[User] = relationship()
