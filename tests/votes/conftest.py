"""Vote tests: a manifesto on the seated panel's referral, at the vote stage."""

import pytest

from consultation.accounts.models import User
from consultation.extensions import db
from consultation.manifesto import amendments, services
from consultation.manifesto.models import AmendmentKind, Manifesto, ManifestoStatus
from consultation.referrals.models import Referral
from consultation.votes import services as votes
from tests.referrals.conftest import make_referral, members, seated_panel  # noqa: F401

DRAFT = """# Manifeste

## Principes

La ville publie chaque outil avant de l’utiliser.

Une personne humaine prend toute décision.

## Données

Les données des habitants restent en Europe.
""".encode()


@pytest.fixture(autouse=True)
def english_outside_requests(app):
    """Messages raised outside a request follow the platform's locale: English here."""
    app.config["CONSULTATION_LOCALE"] = "en"


@pytest.fixture
def make_manifesto(app, make_referral, members):
    """A manifesto with three clauses; ``amend`` lists (clause index, text) amendments
    proposed by members 0, 1, ... while amending; then it is moved to ``status``."""

    def factory(
        status=ManifestoStatus.VOTING, amend=(), secret=False, quorum="1/2", threshold="majority"
    ):
        with app.app_context():
            referral = db.session.get(Referral, make_referral())
            manifesto = services.import_manifesto(referral, DRAFT)
            manifesto.secret_ballot, manifesto.quorum, manifesto.threshold = (
                secret,
                quorum,
                threshold,
            )
            manifesto.status = ManifestoStatus.AMENDING
            clauses = [c for s in manifesto.sections for c in s.clauses]
            for index, (clause_index, text) in enumerate(amend):
                kind = AmendmentKind.DELETE if text is None else AmendmentKind.REPLACE
                amendments.propose(
                    manifesto,
                    clauses[clause_index],
                    kind,
                    text,
                    "",
                    db.session.get(User, members[index % len(members)].id),
                )
            manifesto.status = status
            db.session.commit()
            return manifesto.id

    return factory


def load(manifesto_id):
    manifesto = db.session.get(Manifesto, manifesto_id)
    clauses = [c for s in manifesto.sections for c in s.clauses]
    return manifesto, clauses


def user(u):
    return db.session.get(User, u.id)


def open_clause_vote(app, make_manifesto, **settings):
    """A manifesto made by ``make_manifesto(**settings)``, with a vote open on the
    adoption of its first clause; returns the question's id."""
    manifesto_id = make_manifesto(**settings)
    with app.app_context():
        _manifesto, clauses = load(manifesto_id)
        question = votes.open_on_clause(clauses[0])
        db.session.commit()
        return question.id
