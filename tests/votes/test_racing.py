"""Racing ballots: the database, not the code's checks, keeps one ballot per member and
question when requests arrive at the same instant. PostgreSQL is the case that matters
(concurrent writers); SQLite, which queues writers, must give the same answer."""

import threading
import time

import pytest
import sqlalchemy as sa

from consultation.errors import DomainError
from consultation.extensions import db
from consultation.manifesto.models import Amendment
from consultation.votes import services
from consultation.votes.models import Ballot, BallotChange, Question, Turnout
from tests.votes.conftest import load, open_clause_vote, user

THREADS = 10  # within the connection pool (5 + 10 overflow)


def race(app, question_id, voters_and_choices):
    """Cast every (member, choice) at once from its own thread and session; returns
    how many casts succeeded and the domain errors raised."""
    barrier = threading.Barrier(len(voters_and_choices))
    done, errors, failures = [], [], []

    def vote(member, choice):
        with app.app_context():
            question = db.session.get(Question, question_id)
            voter = user(member)
            barrier.wait(timeout=30)
            try:
                services.cast(question, voter, choice)
                db.session.commit()
                done.append(choice)
            except DomainError as error:
                db.session.rollback()
                errors.append(error.message)
            except Exception as error:  # noqa: BLE001 - reported below, the test fails
                db.session.rollback()
                failures.append(repr(error))

    threads = [threading.Thread(target=vote, args=pair) for pair in voters_and_choices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    return done, errors


def test_one_member_voting_many_times_at_once_leaves_exactly_one_public_ballot(
    app, make_manifesto, members
):
    question_id = open_clause_vote(app, make_manifesto)
    choices = ["for", "against"] * (THREADS // 2)
    done, errors = race(app, question_id, [(members[0], c) for c in choices])
    assert len(done) == THREADS and not errors  # a public ballot may change
    with app.app_context():
        ballots = list(db.session.scalars(sa.select(Ballot)))
        assert len(ballots) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(BallotChange)) == THREADS
        question = db.session.get(Question, question_id)
        assert sum(services.counts(question).values()) == 1


def test_one_member_voting_twice_at_once_in_secret_counts_once(app, make_manifesto, members):
    question_id = open_clause_vote(app, make_manifesto, secret=True)
    done, errors = race(app, question_id, [(members[0], "for"), (members[0], "against")] * 4)
    assert len(done) == 1 and len(errors) == 7
    assert all("final" in message for message in errors)
    with app.app_context():
        question = db.session.get(Question, question_id)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Turnout)) == 1
        assert services.counts(question)[done[0]] == 1
        assert sum(services.counts(question).values()) == 1


def test_every_member_at_once_is_counted_once_each(app, make_manifesto, members):
    question_id = open_clause_vote(app, make_manifesto, secret=True)
    pairs = [(m, "for") for m in members[:5]] + [(m, "against") for m in members[:5]]
    done, errors = race(app, question_id, pairs)
    assert len(done) == 5 and len(errors) == 5
    with app.app_context():
        question = db.session.get(Question, question_id)
        assert sum(services.counts(question).values()) == 5 == services.turnout(question)


# ------------------------------------------------------------------ ballots and the close
# Each step is ordered by events, so that the race is the same at every run: one side
# holds its transaction open while the other must wait for it (PostgreSQL: the share lock
# each ballot takes on its question's row; SQLite: its one writer at a time).

HOLD = 0.3  # seconds a transaction stays open once the other side is under way


def in_thread(app, *steps):
    """Run each step in its own thread and application context; returns what they
    returned, or the message of the DomainError they raised."""
    results = [None] * len(steps)

    def run(index, step):
        with app.app_context():
            try:
                results[index] = step()
            except DomainError as error:
                db.session.rollback()
                results[index] = error.message

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.parametrize("secret", [False, True], ids=["public", "secret"])
def test_a_ballot_being_cast_when_the_vote_closes_is_counted(app, make_manifesto, members, secret):
    question_id = open_clause_vote(app, make_manifesto, secret=secret, quorum="0")
    cast, closing = threading.Event(), threading.Event()

    def ballot():
        services.cast(db.session.get(Question, question_id), user(members[0]), "for")
        cast.set()
        closing.wait(10)
        time.sleep(HOLD)  # the close has started: it must wait for this ballot
        db.session.commit()
        return "recorded"

    def close():
        cast.wait(10)
        question = db.session.get(Question, question_id)
        closing.set()
        result = services.close(question)
        db.session.commit()
        return result

    assert in_thread(app, ballot, close) == ["recorded", "adopted"]
    with app.app_context():
        question = db.session.get(Question, question_id)
        assert (question.turnout, question.count_for) == (1, 1)


@pytest.mark.parametrize(
    ("secret", "before"),
    [(False, None), (True, None), (False, "for")],
    ids=["public", "secret", "public, changed"],
)
def test_a_ballot_arriving_during_the_close_is_refused(
    app, make_manifesto, members, secret, before
):
    question_id = open_clause_vote(app, make_manifesto, secret=secret)
    if before:
        with app.app_context():
            services.cast(db.session.get(Question, question_id), user(members[0]), before)
            db.session.commit()
    closed = threading.Event()

    def close():
        services.close(db.session.get(Question, question_id))
        closed.set()
        time.sleep(HOLD)  # the ballot has been sent: it must wait for the close
        db.session.commit()
        return "closed"

    def ballot():
        question = db.session.get(Question, question_id)
        closed.wait(10)
        assert question.is_open  # as the member's request loaded it
        services.cast(question, user(members[0]), "against")
        db.session.commit()
        return "recorded"

    assert in_thread(app, close, ballot) == ["closed", "This vote is closed."]
    with app.app_context():
        question = db.session.get(Question, question_id)
        kept = [before] if before else []
        assert (question.turnout, question.count_for, question.count_against) == (
            len(kept),
            len(kept),
            0,
        )
        assert [b.choice.value for b in db.session.scalars(sa.select(Ballot))] == kept
        assert db.session.scalar(sa.select(sa.func.count()).select_from(BallotChange)) == len(kept)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Turnout)) == 0


def test_two_closes_at_once_apply_the_result_once(app, make_manifesto, members):
    manifesto_id = make_manifesto(amend=[(0, "La ville publie chaque outil avant usage.")])
    with app.app_context():
        amendment = db.session.scalar(sa.select(Amendment))
        question = services.open_on_amendment(amendment)
        for member in members:
            services.cast(question, user(member), "for")
        db.session.commit()
        question_id, amendment_id = question.id, amendment.id
    barrier = threading.Barrier(2)

    def close():
        question = db.session.get(Question, question_id)
        barrier.wait(10)
        result = services.close(question)
        time.sleep(HOLD)  # the other close is under way
        db.session.commit()
        return result

    results = in_thread(app, close, close)
    assert sorted(results) == ["This vote is already closed.", "adopted"]
    with app.app_context():
        _manifesto, clauses = load(manifesto_id)
        assert [v.amendment_id for v in clauses[0].versions] == [None, amendment_id]
