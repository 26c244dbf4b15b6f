"""Vote rules: opening a question, casting ballots, closing and applying the result.

Functions flush but do not commit and raise ``DomainError`` for anything a member or a
facilitator did wrong, before anything is saved. Opening and closing write an audit row;
casting a ballot does not, because an audit row's actor and time would tie a voter to
the moment a secret counter moved.

One ballot per member and question is guaranteed by the database (a unique constraint
for public ballots, the primary key of the turnout for secret ones), through
``INSERT ... ON CONFLICT`` (a second public ballot changes the first, a second secret
one is refused), so that two requests racing cannot both count.
"""

from __future__ import annotations

import enum
import functools
import secrets
from collections.abc import Mapping, Sequence
from fractions import Fraction

import sqlalchemy as sa
from flask_babel import gettext as _

from consultation.accounts.models import User, utcnow
from consultation.audit.services import record
from consultation.errors import DomainError
from consultation.exports.document import fingerprint
from consultation.extensions import db
from consultation.manifesto import amendments
from consultation.manifesto import services as manifesto_services
from consultation.manifesto.models import (
    Amendment,
    AmendmentKind,
    AmendmentStatus,
    Clause,
    Manifesto,
    ManifestoStatus,
)
from consultation.panels.models import Membership, MembershipStatus
from consultation.votes import tally
from consultation.votes.models import (
    Ballot,
    BallotChange,
    Choice,
    Elector,
    Option,
    Question,
    QuestionKind,
    QuestionStatus,
    SecretCount,
    Turnout,
)

GRADES = len(tally.GRADES_FR)
#: The option id under which a for/against/abstain secret vote keeps its counters.
NO_OPTION = 0
MAX_OPTIONS = 20
#: Rows each secret count is split over (see ``SecretCount``).
SHARDS = 8


# ------------------------------------------------------------------ opening


def set_rules(manifesto: Manifesto, *, quorum: str, threshold: str, secret: bool, actor=None):
    """Set the quorum, the majority needed and ballot secrecy for votes opened from now
    on (open votes keep the rules they opened with). Raises DomainError for a rule that
    does not exist."""
    try:
        share = Fraction(quorum)
    except (ValueError, ZeroDivisionError):
        raise DomainError(_("Choose a quorum from the list.")) from None
    if not 0 <= share <= 1:
        raise DomainError(_("Choose a quorum from the list."))
    if threshold not in tally.THRESHOLDS:
        raise DomainError(_("Choose a majority from the list."))
    manifesto.quorum, manifesto.threshold, manifesto.secret_ballot = quorum, threshold, secret
    record(
        "vote.rules_set",
        actor=actor,
        obj=manifesto,
        details={"quorum": quorum, "threshold": threshold, "secret": secret},
    )


def electors_for(manifesto: Manifesto) -> list[int]:
    """User ids of the panel's active members: who may vote if a vote opens now."""
    panel_id = manifesto.referral.panel_id
    return list(
        db.session.scalars(
            sa.select(Membership.user_id)
            .where(
                Membership.panel_id == panel_id,
                Membership.status == MembershipStatus.ACTIVE,
                Membership.user_id.is_not(None),
            )
            .distinct()
            .order_by(Membership.user_id)
        )
    )


def open_questions(manifesto: Manifesto) -> list[Question]:
    return list(
        db.session.scalars(
            sa.select(Question)
            .where(Question.manifesto_id == manifesto.id, Question.status == QuestionStatus.OPEN)
            .order_by(Question.id)
        )
    )


def questions_for(manifesto: Manifesto) -> list[Question]:
    return list(
        db.session.scalars(
            sa.select(Question).where(Question.manifesto_id == manifesto.id).order_by(Question.id)
        )
    )


def question_on_clause(clause: Clause) -> Question | None:
    """The open question that could change ``clause``, if any: one on the clause, on an
    amendment to it, or on the whole text."""
    return db.session.scalar(
        sa.select(Question)
        .where(
            Question.manifesto_id == clause.manifesto_id,
            Question.status == QuestionStatus.OPEN,
            sa.or_(Question.clause_id == clause.id, Question.kind == QuestionKind.TEXT),
        )
        .limit(1)
    )


def _check_can_open(manifesto: Manifesto, clause: Clause | None = None) -> None:
    if manifesto.status is not ManifestoStatus.VOTING:
        raise DomainError(_("Votes can be opened only when the manifesto is at the vote stage."))
    for question in open_questions(manifesto):
        if question.kind is QuestionKind.TEXT:
            raise DomainError(
                _("The whole text is being voted on: close that vote before opening another.")
            )
        if clause is not None and question.clause_id == clause.id:
            raise DomainError(
                _(
                    "This clause is already being voted on. A clause cannot change while a "
                    "vote on it is open: close that vote first."
                )
            )


def _new_question(manifesto: Manifesto, kind: QuestionKind, *, actor, **fields) -> Question:
    electors = electors_for(manifesto)
    if not electors:
        raise DomainError(_("The panel has no active member: nobody could vote."))
    question = Question(
        manifesto_id=manifesto.id,
        kind=kind,
        secret=manifesto.secret_ballot,
        quorum=manifesto.quorum,
        threshold=manifesto.threshold,
        eligible=len(electors),
        opened_by_id=getattr(actor, "id", None),
        **fields,
    )
    db.session.add(question)
    db.session.flush()
    db.session.add_all(Elector(question_id=question.id, user_id=uid) for uid in electors)
    return question


def _init_counters(question: Question) -> None:
    if not question.secret:
        return
    if question.kind is QuestionKind.JUDGMENT:
        keys = [(o.id, str(g)) for o in question.options for g in range(GRADES)]
    else:
        keys = [(NO_OPTION, c.value) for c in Choice]
    db.session.add_all(
        SecretCount(question_id=question.id, option_id=option_id, value=value, shard=shard, count=0)
        for option_id, value in keys
        for shard in range(SHARDS)
    )


def _opened(question: Question, actor) -> Question:
    _init_counters(question)
    db.session.flush()
    record(
        "vote.opened",
        actor=actor,
        obj=question,
        details={
            "kind": question.kind.value,
            "eligible": question.eligible,
            "secret": question.secret,
            "quorum": question.quorum,
            "threshold": question.threshold,
        },
    )
    return question


def open_on_amendment(amendment: Amendment, *, actor=None) -> Question:
    """Put an open amendment to the vote, on its latest revision.

    Raises DomainError outside the vote stage, when the amendment is not open (withdrawn,
    decided, or in need of an update), or when its clause is already being voted on.
    """
    manifesto = db.session.get(Manifesto, amendment.manifesto_id)
    clause = db.session.get(Clause, amendment.clause_id)
    _check_can_open(manifesto, clause)
    if amendment.status is AmendmentStatus.NEEDS_UPDATE:
        raise DomainError(_("This amendment must be revised by its author before the vote."))
    if amendment.status is not AmendmentStatus.OPEN:
        raise DomainError(_("Only open amendments can be put to the vote."))
    if clause.deleted_at is not None:
        raise DomainError(_("The clause was deleted: this amendment has nothing to change."))
    question = _new_question(
        manifesto,
        QuestionKind.AMENDMENT,
        actor=actor,
        amendment_id=amendment.id,
        amendment_revision_id=amendment.revisions[-1].id,
        clause_id=clause.id,
        clause_version_id=amendment.base_version_id,
    )
    amendment.status = AmendmentStatus.VOTING
    return _opened(question, actor)


def open_on_clause(clause: Clause, *, actor=None) -> Question:
    """Put the adoption of a clause, as it stands, to the vote."""
    manifesto = db.session.get(Manifesto, clause.manifesto_id)
    _check_can_open(manifesto, clause)
    if clause.deleted_at is not None:
        raise DomainError(_("This clause was deleted."))
    question = _new_question(
        manifesto,
        QuestionKind.CLAUSE,
        actor=actor,
        clause_id=clause.id,
        clause_version_id=clause.current.id,
    )
    return _opened(question, actor)


def open_on_text(manifesto: Manifesto, *, actor=None) -> Question:
    """Put the adoption of the whole text to the vote; nothing else may be open."""
    _check_can_open(manifesto)
    if open_questions(manifesto):
        raise DomainError(_("Close the other open votes before the vote on the whole text."))
    question = _new_question(
        manifesto,
        QuestionKind.TEXT,
        actor=actor,
        text_fingerprint=fingerprint(manifesto_services.text_state(manifesto)),
    )
    return _opened(question, actor)


def open_on_amendments(manifesto: Manifesto, *, actor=None) -> tuple[list[Question], int]:
    """Open one vote per open amendment, one amendment per clause at a time (the oldest);
    returns the questions opened and how many amendments wait for a later vote."""
    _check_can_open(manifesto)
    busy = {q.clause_id for q in open_questions(manifesto)}
    opened, waiting = [], 0
    for amendment in amendments.for_manifesto(manifesto):
        if amendment.status is not AmendmentStatus.OPEN:
            continue
        if amendment.clause_id in busy:
            waiting += 1
            continue
        opened.append(open_on_amendment(amendment, actor=actor))
        busy.add(amendment.clause_id)
    if not opened and not waiting:
        raise DomainError(_("There is no open amendment to put to the vote."))
    return opened, waiting


def open_judgment(
    manifesto: Manifesto,
    *,
    title: str,
    clause: Clause | None = None,
    labels: Sequence[str] = (),
    actor=None,
) -> Question:
    """Open a majority judgment.

    On a clause: the options are its current wording and every open amendment replacing
    it, and the winner is applied at the close. Otherwise: free options (priorities), one
    label each, ranked without changing the text. Raises DomainError for fewer than two
    options, duplicates, or a clause already being voted on.
    """
    _check_can_open(manifesto, clause)
    title = (title or "").strip()
    options: list[Option] = []
    if clause is not None:
        if clause.deleted_at is not None:
            raise DomainError(_("This clause was deleted."))
        rivals = [
            a
            for a in amendments.for_clause(clause)
            if a.status is AmendmentStatus.OPEN and a.kind is AmendmentKind.REPLACE
        ]
        if not rivals:
            raise DomainError(
                _("A choice between wordings needs at least one open amendment replacing it.")
            )
        options.append(
            Option(position=1, label=_("Keep the current wording"), text=clause.current.text)
        )
        for position, rival in enumerate(rivals, start=2):
            options.append(
                Option(
                    position=position,
                    label=_("Amendment #%(id)s", id=rival.id),
                    text=rival.proposed_text,
                    amendment_id=rival.id,
                )
            )
            rival.status = AmendmentStatus.VOTING
    else:
        cleaned = [label.strip() for label in labels if label and label.strip()]
        if len(cleaned) < 2:
            raise DomainError(_("A majority judgment needs at least two options."))
        if len(cleaned) > MAX_OPTIONS:
            raise DomainError(_("At most %(n)s options.", n=MAX_OPTIONS))
        if len({c.casefold() for c in cleaned}) != len(cleaned):
            raise DomainError(_("Two options have the same wording."))
        if any(len(c) > 300 for c in cleaned):
            raise DomainError(_("An option is too long: 300 characters at most."))
        options = [Option(position=i, label=c) for i, c in enumerate(cleaned, start=1)]
    if not title:
        raise DomainError(_("Give the question a title."))
    question = _new_question(
        manifesto,
        QuestionKind.JUDGMENT,
        actor=actor,
        title=title[:300],
        clause_id=clause.id if clause is not None else None,
        clause_version_id=clause.current.id if clause is not None else None,
    )
    for option in options:
        option.question_id = question.id
    db.session.add_all(options)
    db.session.flush()
    db.session.refresh(question)
    return _opened(question, actor)


# ------------------------------------------------------------------ casting


def is_elector(question: Question, user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Elector)
            .where(Elector.question_id == question.id, Elector.user_id == user.id)
        )
        > 0
    )


def check_can_vote(question: Question, user) -> None:
    """Raise DomainError unless the vote is open at the vote stage and ``user`` is signed
    in. Whether they are on the roll is checked with the ballot itself."""
    if not question.is_open:
        raise DomainError(_("This vote is closed."))
    if question.manifesto.status is not ManifestoStatus.VOTING:
        raise DomainError(_("Ballots are cast only while the manifesto is at the vote stage."))
    if user is None or not user.is_authenticated:
        raise DomainError(
            _("Only the members of the panel entitled to vote when this vote opened can vote.")
        )


# A ballot is the platform's busiest write: every member at once when a vote closes. The
# statements that record it check, as they write, everything the ballot depends on: that
# the vote is open, at the vote stage, of the ballot's kind, with the voter on its roll
# and their account open. So a ballot needs neither the question nor the account loaded
# first (``try_ballot``); only a refused one does, to say why (``cast``). They are built
# once per database and kind of vote, with bind parameters, so that a ballot costs their
# execution only; on PostgreSQL they go as one statement, which commits itself, and a
# ballot costs one round trip.
#
# The vote's status is read under a share lock on its row (PostgreSQL; SQLite runs one
# writer at a time), and ``close`` writes the status before it counts. So a ballot being
# cast holds the close back until it is committed, and is counted; one arriving during
# the close waits for it, then finds the vote closed. None is accepted and left out.
#
# Parameters are named ``new_<column>`` where a column's name would clash with the names
# INSERT and UPDATE reserve.


class Outcome(enum.Enum):
    """What became of a ballot."""

    RECORDED = "recorded"
    FINAL = "final"  # the vote takes ballots, but this secret one was cast already
    REFUSED = "refused"  # the vote does not take this ballot from this member now


def _param(table: sa.Table, column: str) -> sa.BindParameter:
    return sa.bindparam(f"new_{column}", type_=table.c[column].type)


def _target(judgment: bool) -> sa.Select:
    """The question ``:question``, with the voter ``:voter`` on its roll and their account
    active, if it takes a ballot now: open, at the vote stage, and a majority judgment or
    not as ``judgment`` says. Read under a share lock on the question's row (see above)."""
    questions, manifestos, electors = Question.__table__, Manifesto.__table__, Elector.__table__
    users = User.__table__
    is_judgment = questions.c.kind == QuestionKind.JUDGMENT
    return (
        sa.select(
            questions.c.id.label("question_id"),
            electors.c.user_id,
            questions.c.secret,
            questions.c.clause_version_id,
            questions.c.amendment_revision_id,
            questions.c.text_fingerprint,
        )
        .join(manifestos, manifestos.c.id == questions.c.manifesto_id)
        .join(electors, electors.c.question_id == questions.c.id)
        .join(users, users.c.id == electors.c.user_id)
        .where(
            questions.c.id == sa.bindparam("question"),
            electors.c.user_id == sa.bindparam("voter"),
            questions.c.status == QuestionStatus.OPEN,
            manifestos.c.status == ManifestoStatus.VOTING,
            is_judgment if judgment else sa.not_(is_judgment),
            users.c.active,
            users.c.deleted_at.is_(None),
        )
        .with_for_update(read=True, of=questions)
    )


def _insert(dialect: str, table: sa.Table):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def _public_ballot(dialect: str, target):
    """Insert or change the voter's public ballot: one row per member and question (the
    unique key), recording what it was cast on."""
    ballots = Ballot.__table__
    columns = ["question_id", "user_id", "clause_version_id", "amendment_revision_id"]
    columns += ["text_fingerprint", "choice", "grades", "cast_at"]
    row = sa.select(
        *(target.c[column] for column in columns[:5]),
        *(_param(ballots, column) for column in columns[5:]),
    ).where(sa.not_(target.c.secret))
    statement = _insert(dialect, ballots).from_select(columns, row)
    return statement.on_conflict_do_update(
        index_elements=[ballots.c.question_id, ballots.c.user_id],
        set_={
            "choice": statement.excluded.choice,
            "grades": statement.excluded.grades,
            "changed_at": statement.excluded.cast_at,
        },
    ).returning(ballots.c.question_id)


def _history(guard):
    """Append a public ballot's choice to its history when ``guard`` holds."""
    change = BallotChange.__table__
    row = sa.select(
        sa.bindparam("question", type_=change.c.question_id.type),
        sa.bindparam("voter", type_=change.c.user_id.type),
        *(_param(change, column) for column in ("choice", "grades", "at")),
    ).where(guard)
    return (
        sa.insert(change)
        .from_select(["question_id", "user_id", "choice", "grades", "at"], row)
        .returning(change.c.id)
    )


def _turnout(dialect: str, target):
    """Record that the voter took part in a secret vote, unless they already did (the
    turnout's primary key)."""
    turnout = Turnout.__table__
    row = sa.select(target.c.question_id, target.c.user_id).where(target.c.secret)
    return (
        _insert(dialect, turnout)
        .from_select(["question_id", "user_id"], row)
        .on_conflict_do_nothing()
        .returning(turnout.c.question_id)
    )


def _count(guard):
    """Add one to the counter of each (option, value) in ``:counted``, on the counters'
    shard ``:on_shard``, when ``guard`` holds."""
    counters = SecretCount.__table__
    return (
        sa.update(counters)
        .where(
            counters.c.question_id == sa.bindparam("question"),
            counters.c.shard == sa.bindparam("on_shard"),
            sa.tuple_(counters.c.option_id, counters.c.value).in_(
                sa.bindparam("counted", expanding=True)
            ),
            guard,
        )
        .values(count=counters.c.count + 1)
        .returning(counters.c.question_id)
    )


@functools.cache
def _ballot_statements(dialect: str, judgment: bool) -> dict[str, sa.Executable]:
    if dialect == "postgresql":
        target = _target(judgment).cte("target")
        public = _public_ballot(dialect, target).cte("public")
        secret = _turnout(dialect, target).cte("secret")
        history = _history(sa.exists(sa.select(public.c.question_id))).cte("history")
        counted = _count(sa.exists(sa.select(secret.c.question_id))).cte("counted")
        at_once = sa.select(
            sa.exists(sa.select(target.c.question_id)).label("found"),
            sa.exists(sa.select(history.c.id)).label("public"),
            sa.exists(sa.select(secret.c.question_id)).label("secret"),
            sa.select(sa.func.count()).select_from(counted).scalar_subquery().label("counted"),
        )
        return {"at_once": at_once}
    return {
        "public": _public_ballot(dialect, _target(judgment).subquery("target")),
        "history": _history(sa.true()),
        "secret": _turnout(dialect, _target(judgment).subquery("target")),
        "count": _count(sa.true()),
        "found": sa.select(sa.exists(_target(judgment))),
    }


def _record(
    question_id: int, voter_id: int, *, judgment: bool, counted: dict, choice=None, grades=None
) -> Outcome:
    """Record the ballot of user ``voter_id`` on ``question_id`` if the question takes it
    now: a public ballot (``choice`` or ``grades``) cast or changed, with its history; or
    a secret one, ``counted`` (option id -> value) added to the counters. Returns an
    ``Outcome``."""
    now = utcnow()
    params = {
        "question": question_id,
        "voter": voter_id,
        "new_choice": choice,
        "new_grades": grades,
        "new_cast_at": now,
        "new_at": now,
        # Picked at random, so that it says nothing about the voter (see SecretCount).
        "on_shard": secrets.randbelow(SHARDS),
        "counted": list(counted.items()),
    }
    dialect = db.session.get_bind().dialect.name
    statements = _ballot_statements(dialect, judgment)
    if dialect == "postgresql":
        # One statement is atomic on its own: when it is all the session has to do, it
        # commits itself, and the BEGIN and COMMIT round trips are spared.
        run = db.session
        if not db.session().in_transaction():
            run = db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        found, public, secret, updated = run.execute(statements["at_once"], params).one()
    else:
        found, public, secret, updated = True, False, False, 0
        if db.session.execute(statements["public"], params).first() is not None:
            public = db.session.execute(statements["history"], params).first() is not None
        elif db.session.execute(statements["secret"], params).first() is not None:
            secret = True
            updated = len(db.session.execute(statements["count"], params).all())
        else:
            found = db.session.scalar(statements["found"], params)
    if secret and updated != len(counted):
        # Never a ballot counted in part: this would be a defect, not a member's doing.
        raise RuntimeError(f"{updated} counters of {len(counted)} found for a secret ballot")
    if public or secret:
        return Outcome.RECORDED
    return Outcome.FINAL if found else Outcome.REFUSED


def _record_choice(question_id: int, voter_id: int, choice: Choice) -> Outcome:
    return _record(
        question_id, voter_id, judgment=False, choice=choice, counted={NO_OPTION: choice.value}
    )


def already_voted() -> str:
    """What a member is told of their second secret ballot."""
    return _("You have already voted. A secret ballot is final once cast.")


def _settle(question: Question, user, outcome: Outcome) -> None:
    """Raise DomainError, in words, unless the ballot was recorded."""
    if outcome is Outcome.RECORDED:
        return
    if outcome is Outcome.FINAL:
        raise DomainError(already_voted())
    # The vote may have closed or left the vote stage since the question was loaded.
    db.session.refresh(question)
    db.session.refresh(question.manifesto)
    check_can_vote(question, user)
    raise DomainError(
        _("Only the members of the panel entitled to vote when this vote opened can vote.")
    )


def parse_choice(value) -> Choice:
    try:
        return value if isinstance(value, Choice) else Choice(value)
    except ValueError:
        raise DomainError(_("Choose for, against or abstain.")) from None


def try_ballot(question_id: int, voter_id: int, choice) -> Outcome:
    """Record the for/against/abstain ballot of user ``voter_id`` on question
    ``question_id`` without loading the question or the account, as the usual ballot is.

    RECORDED once cast (or, for a public vote, changed); FINAL, with nothing saved, for
    a second secret ballot; REFUSED, with nothing saved, when the question does not take
    this ballot as it stands (unknown, closed, outside the vote stage, a majority
    judgment, the voter not on its roll or their account closed, ``choice`` not a
    choice): ``cast``, given the question, then says why.
    """
    try:
        choice = Choice(choice)
    except ValueError:
        return Outcome.REFUSED
    return _record_choice(question_id, voter_id, choice)


def cast(question: Question, user, choice: Choice | str) -> None:
    """Cast (or, for a public ballot, change) ``user``'s for/against/abstain ballot.

    Raises DomainError when the vote is closed, outside the vote stage, for someone not
    entitled to vote, for an unknown choice, or for a second secret ballot.
    """
    check_can_vote(question, user)
    if question.kind is QuestionKind.JUDGMENT:
        raise DomainError(_("This vote asks for a grade for each option."))
    _settle(question, user, _record_choice(question.id, user.id, parse_choice(choice)))


def parse_grades(question: Question, grades: Mapping) -> dict[int, int]:
    """Check a majority-judgment ballot: one grade on the scale for every option."""
    result = {}
    for option in question.options:
        raw = grades.get(option.id, grades.get(str(option.id)))
        try:
            grade = int(raw)
        except (TypeError, ValueError):
            raise DomainError(_("Give a grade to every option.")) from None
        if not 0 <= grade < GRADES:
            raise DomainError(_("Give a grade to every option."))
        result[option.id] = grade
    return result


def cast_judgment(question: Question, user, grades: Mapping) -> None:
    """Cast (or, if public, change) a majority-judgment ballot: a grade for each option."""
    check_can_vote(question, user)
    if question.kind is not QuestionKind.JUDGMENT:
        raise DomainError(_("This vote asks for, against or abstain."))
    checked = parse_grades(question, grades)
    outcome = _record(
        question.id,
        user.id,
        judgment=True,
        grades={str(option_id): grade for option_id, grade in checked.items()},
        counted={option_id: str(grade) for option_id, grade in checked.items()},
    )
    _settle(question, user, outcome)


def ballot_of(question: Question, user) -> Ballot | None:
    """``user``'s public ballot on ``question``."""
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(
        sa.select(Ballot).where(Ballot.question_id == question.id, Ballot.user_id == user.id)
    )


def has_voted(question: Question, user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    model = Turnout if question.secret else Ballot
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(model)
            .where(model.question_id == question.id, model.user_id == user.id)
        )
        > 0
    )


def standing(questions: list[Question], user) -> dict[int, bool]:
    """For each of ``questions`` on whose roll ``user`` is, whether they have voted on it
    (two queries, however many questions)."""
    if user is None or not user.is_authenticated or not questions:
        return {}
    ids = [q.id for q in questions]
    entitled = db.session.scalars(
        sa.select(Elector.question_id).where(
            Elector.user_id == user.id, Elector.question_id.in_(ids)
        )
    ).all()
    voted = set(
        db.session.scalars(
            sa.union(
                *(
                    sa.select(model.question_id).where(
                        model.user_id == user.id, model.question_id.in_(ids)
                    )
                    for model in (Ballot, Turnout)
                )
            )
        )
    )
    return {question_id: question_id in voted for question_id in entitled}


# ------------------------------------------------------------------ counting


def turnout(question: Question) -> int:
    """How many members have voted so far."""
    model = Turnout if question.secret else Ballot
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(model).where(model.question_id == question.id)
    )


def counts(question: Question) -> dict[str, int]:
    """Ballots per choice (for/against/abstain)."""
    if question.secret:
        rows = db.session.execute(
            sa.select(SecretCount.value, sa.func.sum(SecretCount.count))
            .where(SecretCount.question_id == question.id, SecretCount.option_id == NO_OPTION)
            .group_by(SecretCount.value)
        )
    else:
        rows = db.session.execute(
            sa.select(Ballot.choice, sa.func.count())
            .where(Ballot.question_id == question.id)
            .group_by(Ballot.choice)
        )
    result = {c.value: 0 for c in Choice}
    for value, count in rows:
        result[getattr(value, "value", value)] = count
    return result


def outcome(question: Question) -> tally.Outcome:
    """The for/against/abstain result, from the counters recorded at the close (or the
    ballots so far, while the vote is open)."""
    if question.is_open:
        c = counts(question)
        for_, against, abstain = c["for"], c["against"], c["abstain"]
    else:
        for_, against, abstain = question.count_for, question.count_against, question.count_abstain
    return tally.tally(
        for_,
        against,
        abstain,
        eligible=question.eligible,
        quorum=question.quorum,
        threshold=question.threshold,
    )


def judgment(question: Question) -> tally.MJResult | None:
    """The majority judgment over the options, or None before anyone voted."""
    option_ids = [o.id for o in question.options]
    if question.secret:
        profiles = {oid: [0] * GRADES for oid in option_ids}
        for option_id, value, count in db.session.execute(
            sa.select(SecretCount.option_id, SecretCount.value, SecretCount.count).where(
                SecretCount.question_id == question.id
            )
        ):
            profiles[option_id][int(value)] += count
        voters = turnout(question)
        if not voters:
            return None
        return tally.majority_judgment(
            profiles=profiles, options=option_ids, grades=GRADES, voters=voters
        )
    ballots = [
        {int(k): v for k, v in (grades or {}).items()}
        for grades in db.session.scalars(
            sa.select(Ballot.grades).where(Ballot.question_id == question.id)
        )
    ]
    if not ballots:
        return None
    return tally.majority_judgment(ballots=ballots, options=option_ids, grades=GRADES)


def quorum_reached(question: Question, voters: int) -> bool:
    return Fraction(voters, question.eligible) >= Fraction(question.quorum)


# ------------------------------------------------------------------ closing


def close(question: Question, *, actor=None) -> str:
    """Close a vote and apply its result; returns the result code.

    For / against: an adopted amendment becomes the clause's next version (competing
    amendments are rebased or flagged), a rejected one is rejected; a rejected clause
    leaves the text; an adopted whole text makes the manifesto adopted. Majority
    judgment: the winning wording is applied and the other wordings rejected. A failed
    quorum is recorded and changes nothing. Raises DomainError if already closed.
    """
    # The status is written first, and only if still open: this waits for the ballots
    # being cast and turns away those that arrive now (see "casting"), so the counts
    # below are final; of two closes at once, the second finds the vote closed.
    closing = (
        sa.update(Question)
        .where(Question.id == question.id, Question.status == QuestionStatus.OPEN)
        .values(
            status=QuestionStatus.CLOSED,
            closed_at=utcnow(),
            closed_by_id=getattr(actor, "id", None),
        )
        .returning(Question.id)
    )
    if not question.is_open or db.session.execute(closing).first() is None:
        raise DomainError(_("This vote is already closed."))
    question.turnout = turnout(question)
    if question.kind is QuestionKind.JUDGMENT:
        result = _close_judgment(question, actor)
    else:
        c = counts(question)
        question.count_for, question.count_against, question.count_abstain = (
            c["for"],
            c["against"],
            c["abstain"],
        )
        decided = outcome(question)
        result = decided.reason
        _apply(question, decided, actor)
    question.result = result
    record(
        "vote.closed",
        actor=actor,
        obj=question,
        details={
            "result": result,
            "turnout": question.turnout,
            "eligible": question.eligible,
            "for": question.count_for,
            "against": question.count_against,
            "abstain": question.count_abstain,
        },
    )
    db.session.flush()
    return result


def _apply(question: Question, decided: tally.Outcome, actor) -> None:
    if question.kind is QuestionKind.AMENDMENT:
        amendment = db.session.get(Amendment, question.amendment_id)
        if decided.adopted:
            amendments.accept(amendment, actor=actor)
        elif decided.reason == "no_quorum":
            amendment.status = AmendmentStatus.OPEN  # still in play: it can be voted again
        else:
            amendments.reject(amendment, actor=actor)
    elif question.kind is QuestionKind.CLAUSE:
        clause = db.session.get(Clause, question.clause_id)
        if not decided.adopted and decided.reason != "no_quorum":
            clause.deleted_at = utcnow()
            record("clause.rejected", actor=actor, obj=clause, details={"vote": question.id})
    elif question.kind is QuestionKind.TEXT and decided.adopted:
        manifesto = db.session.get(Manifesto, question.manifesto_id)
        manifesto_services.move_status(
            manifesto, ManifestoStatus.ADOPTED, actor=actor, vote=question
        )


def _close_judgment(question: Question, actor) -> str:
    rivals = [o.amendment for o in question.options if o.amendment is not None]
    mj = judgment(question)
    if mj is None or not quorum_reached(question, question.turnout):
        result, winner = "no_quorum", None
    elif len(mj.winners) > 1:
        result, winner = "tie", None
    else:
        result = "decided"
        winner = next(o for o in question.options if o.id == mj.winners[0])
        question.winner_option_id = winner.id
    if winner is None:
        for rival in rivals:  # back in play: nothing was decided
            rival.status = AmendmentStatus.OPEN
        return result
    for rival in rivals:
        if rival.id != winner.amendment_id:
            amendments.reject(rival, actor=actor)
    if winner.amendment is not None:
        amendments.accept(winner.amendment, actor=actor)
    return result


def deciding_votes(amendment_ids) -> dict[int, Question]:
    """The closed vote that decided each amendment (the latest, if it was voted on more
    than once), in one query: {amendment id: question}."""
    ids = list(set(amendment_ids))
    if not ids:
        return {}
    decided = sa.func.coalesce(Question.amendment_id, Option.amendment_id)
    rows = db.session.execute(
        sa.select(decided, Question)
        .outerjoin(Option, Option.question_id == Question.id)
        .where(Question.status == QuestionStatus.CLOSED, decided.in_(ids))
        .order_by(Question.id)
    )
    return {amendment_id: question for amendment_id, question in rows}


def question_for_amendment(amendment: Amendment) -> Question | None:
    """The vote that decided an amendment (the latest, if it was voted more than once)."""
    return deciding_votes([amendment.id]).get(amendment.id)
