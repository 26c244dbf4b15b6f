"""Draft amendments: their author's alone until proposed, then merged onto the clause's
text of the day like any competing amendment."""

import pytest
import sqlalchemy as sa

from consultation.errors import DomainError
from consultation.extensions import db
from consultation.manifesto import amendments
from consultation.manifesto.models import (
    Amendment,
    AmendmentKind,
    AmendmentRevision,
    AmendmentStatus,
    ManifestoStatus,
)
from tests.manifesto.test_amendments import manifesto, objects, user  # noqa: F401

BASE = "La ville publie chaque outil avant de l'utiliser."


def draft(m, clause, author, text="La ville publie chaque outil numérique avant de l'utiliser."):
    return amendments.propose(m, clause, AmendmentKind.REPLACE, text, "", author, draft=True)


def test_a_draft_is_its_authors_alone_until_proposed(app, manifesto, members, outbox):
    with app.app_context():
        m, clause = objects(manifesto)
        mine = draft(m, clause, user(members[0]))
        db.session.commit()
        assert mine.status is AmendmentStatus.DRAFT
        assert mine.revisions == []  # no public history yet
        assert amendments.for_clause(clause, user(members[0])) == [mine]
        assert amendments.for_clause(clause, user(members[1])) == []
        assert amendments.for_clause(clause) == []
        assert amendments.for_manifesto(m) == []
        with pytest.raises(DomainError, match="co-signed"):
            amendments.cosign(mine, user(members[1]))
        with pytest.raises(DomainError, match="Only its author"):
            amendments.submit(mine, user(members[1]))

        amendments.edit_draft(mine, user(members[0]), "La ville publie tout outil.", "Plus court")
        amendments.submit(mine, user(members[0]))
        db.session.commit()
        assert mine.status is AmendmentStatus.OPEN
        assert [r.proposed_text for r in mine.revisions] == ["La ville publie tout outil."]
        assert mine.rationale == "Plus court"
        assert amendments.for_clause(clause) == [mine]
        amendments.cosign(mine, user(members[1]))
    assert outbox() == []


def test_an_accepted_amendment_leaves_drafts_alone_until_they_are_proposed(
    app, manifesto, members, outbox
):
    with app.app_context():
        m, clause = objects(manifesto)
        accepted = amendments.propose(
            m,
            clause,
            AmendmentKind.REPLACE,
            "La ville publie chaque outil avant de l'utiliser, sur son site.",
            "",
            user(members[0]),
        )
        disjoint = draft(m, clause, user(members[1]))
        overlapping = draft(
            m, clause, user(members[2]), "La ville publie chaque outil avant de le payer."
        )
        amendments.accept(accepted)
        db.session.commit()
        # Nobody is told about a draft, and a draft stays one, on its old base.
        assert outbox() == []
        assert disjoint.status is overlapping.status is AmendmentStatus.DRAFT
        old_base = disjoint.base_version_id
        assert old_base != clause.current.id

        amendments.submit(disjoint, user(members[1]))
        assert disjoint.status is AmendmentStatus.OPEN
        assert disjoint.base_version_id == clause.current.id
        assert disjoint.proposed_text == (
            "La ville publie chaque outil numérique avant de l'utiliser, sur son site."
        )

        with pytest.raises(DomainError, match="changed the same words"):
            amendments.submit(overlapping, user(members[2]))
        db.session.rollback()
        overlapping = db.session.get(Amendment, overlapping.id)
        assert overlapping.status is AmendmentStatus.DRAFT
        amendments.edit_draft(
            overlapping,
            user(members[2]),
            "La ville publie chaque outil avant de le payer, sur son site.",
            None,
        )
        amendments.submit(overlapping, user(members[2]))
        assert overlapping.status is AmendmentStatus.OPEN


def test_drafts_are_refused_outside_the_amending_stage_and_can_be_deleted(app, manifesto, members):
    with app.app_context():
        m, clause = objects(manifesto)
        mine = draft(m, clause, user(members[0]))
        m.status = ManifestoStatus.VOTING
        with pytest.raises(DomainError, match="open to amendments"):
            amendments.submit(mine, user(members[0]))
        with pytest.raises(DomainError, match="open to amendments"):
            draft(m, clause, user(members[1]))
        with pytest.raises(DomainError, match="Only its author"):
            amendments.discard_draft(mine, user(members[1]))
        amendments.discard_draft(mine, user(members[0]))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Amendment)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AmendmentRevision)) == 0


def test_in_the_pages_a_draft_is_saved_found_again_and_proposed(
    client, app, manifesto, members, login
):
    with app.app_context():
        _m, clause = objects(manifesto)
        clause_id = clause.id
    url = f"/manifestos/{manifesto}/clauses/{clause_id}/amend"
    login(members[0])
    saved = client.post(
        url,
        data={
            "kind": "replace",
            "rationale": "Plus précis",
            "text": "La ville publie chaque outil numérique avant de l'utiliser.",
            "draft": "Save as a draft",
        },
    )
    assert saved.status_code == 302
    draft_url = saved.headers["Location"]
    page = client.get(draft_url).get_data(as_text=True)
    assert "Only you can see this draft." in page
    clause_page = client.get(f"/manifestos/{manifesto}/clauses/{clause_id}")
    assert draft_url in clause_page.get_data(as_text=True)
    manifesto_page = client.get(f"/manifestos/{manifesto}").get_data(as_text=True)
    assert "Your drafts" in manifesto_page and draft_url in manifesto_page

    # Another member, a visitor and the timeline know nothing of it.
    client.post("/logout", data={})
    assert client.get(draft_url).status_code == 404
    timeline = client.get(f"/manifestos/{manifesto}/timeline").get_data(as_text=True)
    assert "Plus précis" not in timeline and "Amendment #" not in timeline
    login(members[1])
    assert client.get(draft_url).status_code == 404
    assert "Your drafts" not in client.get(f"/manifestos/{manifesto}").get_data(as_text=True)
    assert draft_url not in client.get(f"/manifestos/{manifesto}/clauses/{clause_id}").get_data(
        as_text=True
    )
    assert client.post(f"{draft_url}/submit", data={}).status_code == 404
    client.post("/logout", data={})

    login(members[0])
    proposed = client.post(f"{draft_url}/submit", data={})
    assert proposed.status_code == 302
    assert "Your amendment is proposed." in client.get(draft_url).get_data(as_text=True)
    client.post("/logout", data={})
    assert client.get(draft_url).status_code == 200

    # A second draft, deleted: back to the clause, and gone.
    login(members[0])
    other = client.post(
        url, data={"kind": "replace", "rationale": "", "text": "Autre texte.", "draft": "Save"}
    ).headers["Location"]
    deleted = client.post(f"{other}/discard", data={})
    assert deleted.headers["Location"].endswith(f"/manifestos/{manifesto}/clauses/{clause_id}")
    assert "Your draft is deleted." in client.get(deleted.headers["Location"]).get_data(
        as_text=True
    )
    assert client.get(other).status_code == 404
