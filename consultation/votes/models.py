"""Questions put to the vote, who may vote on them, and the ballots.

Public ballots name the voter (``Ballot``, one row per member and question, its changes
in ``BallotChange``). Secret ballots never do: who took part (``Turnout``: question and
user only, no time, no surrogate id) is kept apart from what was chosen
(``SecretCount``: counters per choice), and nothing links the two.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consultation.accounts.models import User, utcnow
from consultation.extensions import db
from consultation.manifesto.models import (
    Amendment,
    AmendmentRevision,
    Clause,
    ClauseVersion,
    Manifesto,
)
from consultation.panels.models import enum_column


class QuestionKind(enum.Enum):
    AMENDMENT = "amendment"  # adopt an amendment
    CLAUSE = "clause"  # adopt a clause as it stands
    TEXT = "text"  # adopt the whole text
    JUDGMENT = "judgment"  # majority judgment between options


class QuestionStatus(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


class Choice(enum.Enum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


class Question(db.Model):
    __tablename__ = "vote_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    manifesto_id: Mapped[int] = mapped_column(sa.ForeignKey("manifestos.id"), index=True)
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind, "question_kind"))
    status: Mapped[QuestionStatus] = mapped_column(
        enum_column(QuestionStatus, "question_status"), default=QuestionStatus.OPEN
    )
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    # What is voted on, frozen when the vote opens: the amendment's revision, the clause
    # version (for an amendment, the version it would change), or the whole text's state.
    amendment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("amendments.id"), index=True)
    amendment_revision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("amendment_revisions.id")
    )
    clause_id: Mapped[int | None] = mapped_column(sa.ForeignKey("clauses.id"), index=True)
    clause_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("clause_versions.id"))
    text_fingerprint: Mapped[str | None] = mapped_column(sa.String(64))
    # The rules in force when the vote opened (copied from the manifesto).
    secret: Mapped[bool] = mapped_column(default=False)
    quorum: Mapped[str] = mapped_column(sa.String(10))
    threshold: Mapped[str] = mapped_column(sa.String(20))
    eligible: Mapped[int]
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The result, recorded at the close: a reason code of votes.tally (or "tie").
    result: Mapped[str | None] = mapped_column(sa.String(30))
    count_for: Mapped[int] = mapped_column(default=0)
    count_against: Mapped[int] = mapped_column(default=0)
    count_abstain: Mapped[int] = mapped_column(default=0)
    turnout: Mapped[int] = mapped_column(default=0)
    winner_option_id: Mapped[int | None]

    manifesto: Mapped[Manifesto] = relationship()
    amendment: Mapped[Amendment | None] = relationship()
    amendment_revision: Mapped[AmendmentRevision | None] = relationship()
    clause: Mapped[Clause | None] = relationship()
    clause_version: Mapped[ClauseVersion | None] = relationship()
    options: Mapped[list["Option"]] = relationship(
        back_populates="question", order_by="Option.position"
    )

    @property
    def is_open(self) -> bool:
        return self.status is QuestionStatus.OPEN


class Option(db.Model):
    """One option of a majority judgment: a wording (an amendment's, or the clause's
    current text) or a free label such as a priority."""

    __tablename__ = "vote_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("vote_questions.id"), index=True)
    position: Mapped[int]
    label: Mapped[str] = mapped_column(sa.String(300))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    amendment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("amendments.id"))

    question: Mapped[Question] = relationship(back_populates="options")
    amendment: Mapped[Amendment | None] = relationship()


class Elector(db.Model):
    """The members entitled to vote, frozen when the vote opened."""

    __tablename__ = "vote_electors"

    question_id: Mapped[int] = mapped_column(sa.ForeignKey("vote_questions.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)


class Ballot(db.Model):
    """A public ballot: one per member and question, changeable until the close."""

    __tablename__ = "ballots"
    __table_args__ = (sa.UniqueConstraint("question_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("vote_questions.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    choice: Mapped[Choice | None] = mapped_column(enum_column(Choice, "ballot_choice"))
    # Majority judgment: {option id (as text): grade code}.
    grades: Mapped[dict | None] = mapped_column(sa.JSON)
    # What the ballot was cast on.
    clause_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("clause_versions.id"))
    amendment_revision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("amendment_revisions.id")
    )
    text_fingerprint: Mapped[str | None] = mapped_column(sa.String(64))
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    clause_version: Mapped[ClauseVersion | None] = relationship()


class BallotChange(db.Model):
    """Every choice a public ballot has had, in order."""

    __tablename__ = "ballot_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("vote_questions.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    choice: Mapped[Choice | None] = mapped_column(enum_column(Choice, "ballot_choice"))
    grades: Mapped[dict | None] = mapped_column(sa.JSON)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Turnout(db.Model):
    """Who took part in a secret ballot: nothing else, so that nothing links them to a
    choice (no time, no surrogate key that would give the order of voting)."""

    __tablename__ = "vote_turnout"

    question_id: Mapped[int] = mapped_column(sa.ForeignKey("vote_questions.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)


class SecretCount(db.Model):
    """How many secret ballots chose ``value`` (for/against/abstain, or a grade code of
    ``option_id`` in a majority judgment; option 0 for a for/against vote).

    Each count is split over a few ``shard`` rows, one picked at random per ballot and
    summed when counting, so that ballots arriving together do not all wait for one
    row's lock. The pick is random, so it says nothing about the voter. On PostgreSQL the
    table's pages are filled to a tenth, leaving the rest for the row versions these
    updates write (migration 0006).
    """

    __tablename__ = "secret_counts"
    __table_args__ = {"postgresql_with": {"fillfactor": 10}}

    question_id: Mapped[int] = mapped_column(sa.ForeignKey("vote_questions.id"), primary_key=True)
    option_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    shard: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=0)
    count: Mapped[int] = mapped_column(default=0)
