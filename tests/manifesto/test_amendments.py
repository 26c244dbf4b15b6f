"""Amendments: proposing, co-signing, and the three-way merge of competing amendments."""

import pytest
import sqlalchemy as sa

from consultation.accounts.models import Role, User
from consultation.errors import DomainError
from consultation.extensions import db
from consultation.manifesto import amendments, services
from consultation.manifesto.models import (
    Amendment,
    AmendmentKind,
    AmendmentStatus,
    Clause,
    Manifesto,
    ManifestoStatus,
)
from consultation.referrals.models import Referral
from tests.conftest import link_in

DRAFT = b"""## Principes

La ville publie chaque outil avant de l'utiliser.

Une personne humaine prend toute decision.
"""


@pytest.fixture
def manifesto(app, make_referral):
    referral_id = make_referral()
    with app.app_context():
        manifesto = services.import_manifesto(db.session.get(Referral, referral_id), DRAFT)
        manifesto.status = ManifestoStatus.AMENDING
        db.session.commit()
        return manifesto.id


def objects(manifesto_id):
    manifesto = db.session.get(Manifesto, manifesto_id)
    clause = manifesto.sections[0].clauses[0]
    return manifesto, clause


def user(u):
    return db.session.get(User, u.id)


def test_disjoint_competing_amendments_merge_and_overlapping_ones_need_an_update(
    app, manifesto, members, outbox
):
    with app.app_context():
        m, clause = objects(manifesto)
        accepted = amendments.propose(
            m,
            clause,
            AmendmentKind.REPLACE,
            "La ville publie chaque outil numérique avant de l'utiliser.",
            "Préciser",
            user(members[0]),
        )
        disjoint = amendments.propose(
            m,
            clause,
            AmendmentKind.REPLACE,
            "La ville publie chaque outil avant de l'acheter.",
            "",
            user(members[1]),
        )
        overlapping = amendments.propose(
            m,
            clause,
            AmendmentKind.REPLACE,
            "La ville publie chaque logiciel avant de l'utiliser.",
            "",
            user(members[2]),
        )
        deletion = amendments.propose(m, clause, AmendmentKind.DELETE, None, "", user(members[3]))
        amendments.accept(accepted)
        db.session.commit()
        clause = db.session.get(Clause, clause.id)
        assert clause.current.text == "La ville publie chaque outil numérique avant de l'utiliser."
        assert clause.current.amendment_id == accepted.id
        disjoint = db.session.get(Amendment, disjoint.id)
        assert disjoint.status is AmendmentStatus.OPEN
        assert (
            disjoint.proposed_text == "La ville publie chaque outil numérique avant de l'acheter."
        )
        assert disjoint.base_version_id == clause.current.id
        assert [r.reason for r in disjoint.revisions] == ["created", "rebased"]
        assert db.session.get(Amendment, overlapping.id).status is AmendmentStatus.NEEDS_UPDATE
        assert db.session.get(Amendment, deletion.id).status is AmendmentStatus.NEEDS_UPDATE
        # Nothing lost: the overlapping text is kept for its author to revise.
        assert db.session.get(Amendment, overlapping.id).proposed_text.startswith(
            "La ville publie chaque logiciel"
        )
    recipients = sorted(message["To"] for message in outbox())
    assert recipients == sorted([members[1].email, members[2].email, members[3].email])


def test_revising_brings_an_amendment_back(app, manifesto, members):
    with app.app_context():
        m, clause = objects(manifesto)
        first = amendments.propose(
            m, clause, AmendmentKind.REPLACE, "Texte A entièrement neuf.", "", user(members[0])
        )
        second = amendments.propose(
            m, clause, AmendmentKind.REPLACE, "Texte B entièrement neuf.", "", user(members[1])
        )
        amendments.accept(first)
        assert second.status is AmendmentStatus.NEEDS_UPDATE
        amendments.revise(second, user(members[1]), "Texte A entièrement neuf, et vérifié.")
        assert second.status is AmendmentStatus.OPEN
        assert second.base_version_id == clause.current.id
        assert [r.reason for r in second.revisions] == ["created", "revised"]


def test_insert_after_and_delete(app, manifesto, members):
    with app.app_context():
        m, clause = objects(manifesto)
        added = amendments.propose(
            m,
            clause,
            AmendmentKind.INSERT_AFTER,
            "Les données restent en Europe.",
            "",
            user(members[0]),
        )
        amendments.accept(added)
        gone = amendments.propose(m, clause, AmendmentKind.DELETE, None, "", user(members[1]))
        amendments.accept(gone)
        db.session.commit()
        m = db.session.get(Manifesto, manifesto)
        texts = [c.current.text for _n, c in services.numbered(m)[0][2]]
        assert texts == [
            "Les données restent en Europe.",
            "Une personne humaine prend toute decision.",
        ]


@pytest.mark.parametrize(
    "kind, text, message",
    [
        (AmendmentKind.REPLACE, "   ", "needs a text"),
        (AmendmentKind.REPLACE, "La ville publie chaque outil avant de l'utiliser.", "identical"),
    ],
)
def test_bad_amendments(app, manifesto, members, kind, text, message):
    with app.app_context():
        m, clause = objects(manifesto)
        with pytest.raises(DomainError, match=message):
            amendments.propose(m, clause, kind, text, "", user(members[0]))


@pytest.mark.parametrize(
    "status", [ManifestoStatus.DRAFTING, ManifestoStatus.VOTING, ManifestoStatus.ADOPTED]
)
def test_amending_outside_the_amending_phase(app, manifesto, members, status):
    with app.app_context():
        m, clause = objects(manifesto)
        m.status = status
        with pytest.raises(DomainError, match="only while the manifesto is open"):
            amendments.propose(m, clause, AmendmentKind.REPLACE, "Autre", "", user(members[0]))


def test_non_members_cannot_amend_or_cosign(app, manifesto, members, make_user):
    outsider = make_user(Role.RESIDENT)
    with app.app_context():
        m, clause = objects(manifesto)
        with pytest.raises(DomainError, match="Only the members"):
            amendments.propose(m, clause, AmendmentKind.REPLACE, "Autre", "", user(outsider))
        amendment = amendments.propose(
            m, clause, AmendmentKind.REPLACE, "Autre texte", "", user(members[0])
        )
        with pytest.raises(DomainError):
            amendments.cosign(amendment, user(outsider))
        with pytest.raises(DomainError, match="author"):
            amendments.cosign(amendment, user(members[0]))
        amendments.cosign(amendment, user(members[1]))
        with pytest.raises(DomainError, match="already"):
            amendments.cosign(amendment, user(members[1]))


def test_member_proposes_in_the_pages_and_sees_the_diff(client, app, manifesto, members, login):
    login(members[0])
    with app.app_context():
        _m, clause = objects(manifesto)
        clause_id = clause.id
    url = f"/manifestos/{manifesto}/clauses/{clause_id}/amend"
    preview = client.post(
        url,
        data={
            "kind": "replace",
            "rationale": "",
            "text": "La ville publie chaque outil numérique avant de l'utiliser.",
            "preview": "See the changes",
        },
    )
    page = preview.get_data(as_text=True)
    assert "<ins>numérique </ins>" in page or "<ins>numérique</ins>" in page
    saved = client.post(
        url,
        data={
            "kind": "replace",
            "rationale": "Plus précis",
            "text": "La ville publie chaque outil numérique avant de l'utiliser.",
            "submit": "Propose the amendment",
        },
    )
    assert saved.status_code == 302
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "<ins>" in page and "Plus précis" in page
    history = client.get(f"/manifestos/{manifesto}/clauses/{clause_id}").get_data(as_text=True)
    assert "Amendment #" in history


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "An amendment needs a text."),
        ("current", "The amendment is identical to the current text of the clause."),
    ],
)
def test_the_preview_says_what_proposing_would_refuse(
    client, app, manifesto, members, login, text, said
):
    login(members[0])
    with app.app_context():
        _m, clause = objects(manifesto)
        clause_id, current = clause.id, clause.current.text
    url = f"/manifestos/{manifesto}/clauses/{clause_id}/amend"
    data = {"kind": "replace", "rationale": "", "text": current if text == "current" else text}
    preview = client.post(url, data={**data, "preview": "See the changes"})
    assert preview.status_code == 400
    assert said in preview.get_data(as_text=True)
    assert 'id="changes-heading"' in preview.get_data(as_text=True)  # the preview still shows
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Amendment)) == 0


def test_needs_update_mail_links_to_the_amendment(app, manifesto, members, outbox):
    with app.app_context():
        m, clause = objects(manifesto)
        a = amendments.propose(
            m, clause, AmendmentKind.REPLACE, "Tout autre chose ici.", "", user(members[0])
        )
        b = amendments.propose(
            m, clause, AmendmentKind.REPLACE, "Encore autre chose là.", "", user(members[1])
        )
        amendments.accept(a)
        db.session.commit()
        assert link_in(outbox()[0], "/manifestos/") == f"/manifestos/{manifesto}/amendments/{b.id}"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Amendment)) == 2
