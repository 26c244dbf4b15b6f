"""Who may amend and who may vote, at every stage of the manifesto: a role × stage matrix
over the named rules, then the same cells through the services, which say why not."""

import pytest
from flask_login import AnonymousUserMixin

from consultation import permissions
from consultation.accounts.models import Role
from consultation.errors import DomainError
from consultation.extensions import db
from consultation.manifesto import amendments
from consultation.manifesto.models import AmendmentKind, ManifestoStatus
from consultation.votes import services
from tests.votes.conftest import load, user

ROLES = ["anonymous", "resident", "member", "facilitator", "admin"]
STAGES = list(ManifestoStatus)

AMEND = {("member", ManifestoStatus.AMENDING)}
VOTE = {("member", ManifestoStatus.VOTING)}


@pytest.fixture
def people(make_user, members):
    return {
        "anonymous": None,
        "resident": make_user(Role.RESIDENT, email="voisin@example.org"),
        "member": members[0],
        "facilitator": make_user(Role.FACILITATOR, email="anim@example.org"),
        "admin": make_user(Role.ADMIN, email="admin@example.org"),
    }


def person(people, role):
    return AnonymousUserMixin() if people[role] is None else user(people[role])


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.value)
@pytest.mark.parametrize("role", ROLES)
def test_who_may_amend(app, make_manifesto, people, role, stage):
    manifesto_id = make_manifesto(status=stage)
    with app.test_request_context():
        manifesto, clauses = load(manifesto_id)
        who = person(people, role)
        assert permissions.can_amend(who, manifesto) is ((role, stage) in AMEND)
        if role == "anonymous":
            return
        for draft in (False, True):  # proposing and drafting follow the same rule
            try:
                amendments.propose(
                    manifesto, clauses[0], AmendmentKind.REPLACE, "Autre.", "", who, draft=draft
                )
            except DomainError:
                proposed = False
            else:
                proposed = True
            assert proposed is ((role, stage) in AMEND)


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.value)
@pytest.mark.parametrize("role", ROLES)
def test_who_may_vote(app, make_manifesto, people, role, stage):
    manifesto_id = make_manifesto()
    with app.test_request_context():
        manifesto, clauses = load(manifesto_id)
        question = services.open_on_clause(clauses[0])
        manifesto.status = stage  # the stage moves on (or back, for the matrix's sake)
        db.session.flush()
        who = person(people, role)
        assert permissions.can_vote(who, question) is ((role, stage) in VOTE)
        if role == "anonymous":
            return
        try:
            services.cast(question, who, "for")
        except DomainError:
            cast = False
        else:
            cast = True
        assert cast is ((role, stage) in VOTE)


def test_after_the_close_nobody_votes(app, make_manifesto, people):
    manifesto_id = make_manifesto()
    with app.test_request_context():
        _manifesto, clauses = load(manifesto_id)
        question = services.open_on_clause(clauses[0])
        services.close(question)
        for role in ROLES[1:]:
            assert not permissions.can_vote(person(people, role), question)
