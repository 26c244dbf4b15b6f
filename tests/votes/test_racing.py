"""Racing ballots: the database, not the code's checks, keeps one ballot per member and
question when requests arrive at the same instant. PostgreSQL is the case that matters
(concurrent writers); SQLite, which queues writers, must give the same answer."""

import threading

import sqlalchemy as sa

from consultation.errors import DomainError
from consultation.extensions import db
from consultation.votes import services
from consultation.votes.models import Ballot, BallotChange, Question, Turnout
from tests.votes.conftest import load, user

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


def open_clause_vote(app, make_manifesto, **settings):
    manifesto_id = make_manifesto(**settings)
    with app.app_context():
        _manifesto, clauses = load(manifesto_id)
        question = services.open_on_clause(clauses[0])
        db.session.commit()
        return question.id


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
