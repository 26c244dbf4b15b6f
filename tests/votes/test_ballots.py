"""Opening votes, casting ballots, closing them and what the close changes."""

import pytest
import sqlalchemy as sa

from consultation.errors import DomainError
from consultation.extensions import db
from consultation.manifesto.models import (
    Amendment,
    AmendmentStatus,
    ManifestoStatus,
)
from consultation.votes import services
from consultation.votes.models import Ballot, BallotChange, Choice, SecretCount, Turnout
from tests.votes.conftest import load, user

NEW_TEXT = "La ville publie chaque outil numérique avant de l’utiliser."


def test_an_adopted_amendment_becomes_the_next_version_and_names_its_vote(
    app, make_manifesto, members
):
    manifesto_id = make_manifesto(amend=[(0, NEW_TEXT)])
    with app.app_context():
        manifesto, clauses = load(manifesto_id)
        amendment = db.session.scalar(sa.select(Amendment))
        question = services.open_on_amendment(amendment)
        assert amendment.status is AmendmentStatus.VOTING
        assert question.eligible == len(members)
        for member, choice in zip(
            members, ["for", "for", "for", "against", "abstain"], strict=False
        ):
            services.cast(question, user(member), choice)
        assert services.close(question) == "adopted"
        db.session.commit()
        clause = clauses[0]
        db.session.refresh(clause)
        assert clause.current.text == NEW_TEXT
        assert clause.current.amendment_id == amendment.id
        assert services.question_for_amendment(amendment).id == question.id
        assert (question.count_for, question.count_against, question.count_abstain) == (3, 1, 1)


def test_each_ballot_names_the_clause_version_and_revision_it_was_cast_on(
    app, make_manifesto, members
):
    manifesto_id = make_manifesto(amend=[(0, NEW_TEXT)])
    with app.app_context():
        _manifesto, clauses = load(manifesto_id)
        amendment = db.session.scalar(sa.select(Amendment))
        question = services.open_on_amendment(amendment)
        services.cast(question, user(members[0]), Choice.FOR)
        ballot = db.session.scalar(sa.select(Ballot))
        assert ballot.clause_version_id == clauses[0].current.id
        assert ballot.amendment_revision_id == amendment.revisions[-1].id


def test_a_public_ballot_can_change_until_the_close_and_keeps_its_history(
    app, make_manifesto, members
):
    manifesto_id = make_manifesto()
    with app.app_context():
        _manifesto, clauses = load(manifesto_id)
        question = services.open_on_clause(clauses[1])
        voter = user(members[0])
        services.cast(question, voter, "for")
        services.cast(question, voter, "against")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 1
        assert [
            c.choice for c in db.session.scalars(sa.select(BallotChange).order_by(BallotChange.id))
        ] == [
            Choice.FOR,
            Choice.AGAINST,
        ]
        assert services.counts(question) == {"for": 0, "against": 1, "abstain": 0}
        services.close(question)
        with pytest.raises(DomainError, match="closed"):
            services.cast(question, voter, "for")


def test_a_secret_ballot_is_final_and_keeps_who_apart_from_what(app, make_manifesto, members):
    manifesto_id = make_manifesto(secret=True)
    with app.app_context():
        _manifesto, clauses = load(manifesto_id)
        question = services.open_on_clause(clauses[1])
        services.cast(question, user(members[0]), "against")
        services.cast(question, user(members[1]), "for")
        db.session.commit()
        with pytest.raises(DomainError, match="final"):
            services.cast(question, user(members[0]), "for")
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(BallotChange)) == 0
        # The turnout says who voted and nothing else; the counters say what, for nobody.
        assert set(Turnout.__table__.columns.keys()) == {"question_id", "user_id"}
        assert "user_id" not in SecretCount.__table__.columns.keys()
        assert services.counts(question) == {"for": 1, "against": 1, "abstain": 0}
        assert services.turnout(question) == 2


@pytest.mark.parametrize(
    "choices, quorum, threshold, expected",
    [
        # six members: a quorum of one half is three ballots
        (["for", "for", "against"], "1/2", "majority", "adopted"),
        (["for", "for"], "1/2", "majority", "no_quorum"),
        (["for", "against", "abstain"], "1/2", "majority", "threshold_not_met"),  # a tie
        (["abstain", "abstain", "abstain"], "1/2", "majority", "no_expressed_votes"),
        (["for", "for", "against"], "1/2", "two_thirds", "adopted"),  # exactly two thirds
        (["for", "for", "against", "against", "for"], "1/2", "two_thirds", "threshold_not_met"),
        (["for"], "1/6", "majority", "adopted"),  # exactly at the quorum
        (["for"], "1/5", "majority", "no_quorum"),  # just below it
    ],
)
def test_quorum_and_thresholds_at_their_edges(
    app, make_manifesto, members, choices, quorum, threshold, expected
):
    manifesto_id = make_manifesto(quorum=quorum, threshold=threshold)
    with app.app_context():
        _manifesto, clauses = load(manifesto_id)
        question = services.open_on_clause(clauses[2])
        for member, choice in zip(members, choices, strict=False):
            services.cast(question, user(member), choice)
        assert services.close(question) == expected
        assert (clauses[2].deleted_at is None) is (expected in ("adopted", "no_quorum"))


def test_a_failed_quorum_changes_nothing_and_the_amendment_stays_in_play(
    app, make_manifesto, members
):
    manifesto_id = make_manifesto(amend=[(0, NEW_TEXT)])
    with app.app_context():
        _manifesto, clauses = load(manifesto_id)
        before = clauses[0].current.id
        amendment = db.session.scalar(sa.select(Amendment))
        question = services.open_on_amendment(amendment)
        services.cast(question, user(members[0]), "for")
        assert services.close(question) == "no_quorum"
        db.session.refresh(clauses[0])
        assert clauses[0].current.id == before
        assert amendment.status is AmendmentStatus.OPEN


def test_a_rejected_amendment_is_rejected_and_the_clause_unchanged(app, make_manifesto, members):
    manifesto_id = make_manifesto(amend=[(0, NEW_TEXT)])
    with app.app_context():
        _manifesto, clauses = load(manifesto_id)
        amendment = db.session.scalar(sa.select(Amendment))
        question = services.open_on_amendment(amendment)
        for member in members[:4]:
            services.cast(question, user(member), "against")
        assert services.close(question) == "threshold_not_met"
        assert amendment.status is AmendmentStatus.REJECTED
        assert len(clauses[0].versions) == 1


def test_a_clause_cannot_change_while_it_is_being_voted_on(app, make_manifesto, members):
    manifesto_id = make_manifesto(amend=[(0, NEW_TEXT), (0, "Autre chose entièrement.")])
    with app.app_context():
        manifesto, clauses = load(manifesto_id)
        first, second = db.session.scalars(sa.select(Amendment).order_by(Amendment.id))
        services.open_on_amendment(first)
        with pytest.raises(DomainError, match="already being voted on"):
            services.open_on_amendment(second)
        with pytest.raises(DomainError, match="already being voted on"):
            services.open_on_clause(clauses[0])
        with pytest.raises(DomainError):
            services.open_on_text(manifesto)


def test_open_on_amendments_opens_one_per_clause_and_says_how_many_wait(
    app, make_manifesto, members
):
    manifesto_id = make_manifesto(amend=[(0, NEW_TEXT), (0, "Autre chose entièrement."), (2, None)])
    with app.app_context():
        manifesto, _clauses = load(manifesto_id)
        opened, waiting = services.open_on_amendments(manifesto)
        assert len(opened) == 2 and waiting == 1


def test_the_whole_text_adopted_by_vote_makes_the_manifesto_adopted(app, make_manifesto, members):
    manifesto_id = make_manifesto()
    with app.app_context():
        manifesto, _clauses = load(manifesto_id)
        question = services.open_on_text(manifesto)
        assert len(question.text_fingerprint) == 64
        for member in members[:4]:
            services.cast(question, user(member), "for")
        services.close(question)
        assert manifesto.status is ManifestoStatus.ADOPTED
        ballot = db.session.scalar(sa.select(Ballot).limit(1))
        assert ballot.text_fingerprint == question.text_fingerprint


def test_the_manifesto_is_adopted_only_by_a_vote(app, make_manifesto):
    from consultation.manifesto import services as manifesto_services

    manifesto_id = make_manifesto()
    with app.app_context():
        manifesto, _clauses = load(manifesto_id)
        with pytest.raises(DomainError, match="vote on the whole text"):
            manifesto_services.move_status(manifesto, ManifestoStatus.ADOPTED)


@pytest.mark.parametrize("status", [ManifestoStatus.DRAFTING, ManifestoStatus.AMENDING])
def test_votes_open_only_at_the_vote_stage(app, make_manifesto, status):
    manifesto_id = make_manifesto(status=status)
    with app.app_context():
        manifesto, clauses = load(manifesto_id)
        with pytest.raises(DomainError, match="vote stage"):
            services.open_on_clause(clauses[0])


def test_majority_judgment_between_wordings_applies_the_winner(app, make_manifesto, members):
    manifesto_id = make_manifesto(
        amend=[(0, NEW_TEXT), (0, "La ville publie chaque outil avant de l’acheter.")]
    )
    with app.app_context():
        manifesto, clauses = load(manifesto_id)
        first, second = db.session.scalars(sa.select(Amendment).order_by(Amendment.id))
        question = services.open_judgment(manifesto, title="Quelle rédaction ?", clause=clauses[0])
        keep, opt_first, opt_second = question.options
        assert opt_first.amendment_id == first.id
        # Everyone rates the first amendment best.
        for member in members:
            services.cast_judgment(
                question, user(member), {keep.id: 2, opt_first.id: 5, opt_second.id: 3}
            )
        assert services.close(question) == "decided"
        assert question.winner_option_id == opt_first.id
        assert first.status is AmendmentStatus.ACCEPTED
        assert second.status is AmendmentStatus.REJECTED
        db.session.refresh(clauses[0])
        assert clauses[0].current.text == NEW_TEXT


def test_majority_judgment_ranks_priorities_secretly(app, make_manifesto, members):
    manifesto_id = make_manifesto(secret=True)
    with app.app_context():
        manifesto, _clauses = load(manifesto_id)
        question = services.open_judgment(
            manifesto, title="Priorités", labels=["Transparence", "Sobriété", "Formation"]
        )
        a, b, c = question.options
        grades = [(6, 3, 0), (5, 4, 1), (5, 2, 2), (4, 6, 0)]
        for member, (ga, gb, gc) in zip(members, grades, strict=False):
            services.cast_judgment(question, user(member), {a.id: ga, b.id: gb, c.id: gc})
        db.session.commit()
        with pytest.raises(DomainError, match="final"):
            services.cast_judgment(question, user(members[0]), {a.id: 0, b.id: 0, c.id: 0})
        db.session.rollback()
        result = services.judgment(question)
        assert [r.option for r in result.ordered] == [a.id, b.id, c.id]
        assert result.results[a.id].profile[5] == 2


def test_a_judgment_needs_every_option_graded(app, make_manifesto, members):
    manifesto_id = make_manifesto()
    with app.app_context():
        manifesto, _clauses = load(manifesto_id)
        question = services.open_judgment(manifesto, title="Priorités", labels=["Un", "Deux"])
        a, _b = question.options
        with pytest.raises(DomainError, match="every option"):
            services.cast_judgment(question, user(members[0]), {a.id: 3})
        with pytest.raises(DomainError, match="at least two"):
            services.open_judgment(manifesto, title="X", labels=["Seul"])


def test_members_who_join_after_the_opening_do_not_vote_or_count(
    app, make_manifesto, members, make_user
):
    manifesto_id = make_manifesto()
    with app.app_context():
        _manifesto, clauses = load(manifesto_id)
        question = services.open_on_clause(clauses[0])
        db.session.commit()
    outsider = make_user(email="tard@example.org")
    with app.app_context():
        question = db.session.merge(question)
        with pytest.raises(DomainError, match="entitled"):
            services.cast(question, user(outsider), "for")
        assert question.eligible == len(members)


def test_an_amendment_overtaken_at_the_vote_stage_is_revised_then_voted_on(
    app, make_manifesto, members
):
    manifesto_id = make_manifesto(
        amend=[(0, NEW_TEXT), (0, "La ville publie chaque logiciel avant de l’utiliser.")]
    )
    with app.app_context():
        from consultation.manifesto import amendments

        _manifesto, clauses = load(manifesto_id)
        first, second = db.session.scalars(sa.select(Amendment).order_by(Amendment.id))
        question = services.open_on_amendment(first)
        for member in members[:4]:
            services.cast(question, user(member), "for")
        services.close(question)
        assert second.status is AmendmentStatus.NEEDS_UPDATE
        with pytest.raises(DomainError, match="revised by its author"):
            services.open_on_amendment(second)
        amendments.revise(
            second, user(members[1]), "La ville publie chaque logiciel numérique avant usage."
        )
        assert second.status is AmendmentStatus.OPEN
        again = services.open_on_amendment(second)
        assert again.clause_version_id == clauses[0].current.id
