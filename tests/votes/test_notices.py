"""Members are told by mail, in their language, that votes are open, with a link to each."""

import time

import sqlalchemy as sa

from consultation.accounts import services as accounts
from consultation.accounts.models import Role, User
from consultation.extensions import db
from consultation.votes import notices
from consultation.votes import services as votes
from consultation.votes.models import Question
from tests.conftest import DEFAULT_PASSWORD, link_in
from tests.votes.conftest import load


def wait_for_mails(outbox, count, timeout=20):
    """The outbox once it holds ``count`` mails (they are sent in the background)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        mails = outbox()
        if len(mails) >= count:
            return mails
        time.sleep(0.1)
    return outbox()


def test_each_member_gets_one_mail_listing_the_votes_opened_together(
    app, make_manifesto, members, outbox
):
    manifesto_id = make_manifesto(secret=True)
    with app.app_context():
        _m, clauses = load(manifesto_id)
        opened = [votes.open_on_clause(clauses[0]), votes.open_on_clause(clauses[1])]
        ids = [q.id for q in opened]
        db.session.get(User, members[1].id).language = "fr"
        accounts.delete_account(db.session.get(User, members[2].id), DEFAULT_PASSWORD)
        db.session.commit()
        assert notices.tell_electors(ids) == len(members) - 1

    mails = {m["To"]: m for m in outbox()}
    assert set(mails) == {m.email for m in members} - {members[2].email}
    english = mails[members[0].email]
    assert english["Subject"] == "Consultation: 2 votes are open"
    body = english.get_content()
    assert "Adoption of clause 1.1 (secret ballot: final once cast)" in body
    assert "Adoption of clause 1.2" in body
    assert link_in(english, "/votes/") == f"/votes/{ids[0]}"
    assert f"/votes/{ids[1]}" in body
    french = mails[members[1].email]
    # (French puts a no-break space before the colon: compared as spaces.)
    assert " ".join(french["Subject"].split()) == "Consultation : 2 votes sont ouverts"
    assert "Adoption de la clause 1.1 (scrutin secret : définitif une fois déposé)" in (
        " ".join(french.get_content().split())
    )


def test_opening_a_vote_in_the_pages_tells_the_members(
    app, client, login, make_manifesto, make_user, members, outbox
):
    manifesto_id = make_manifesto()
    with app.app_context():
        _m, clauses = load(manifesto_id)
        clause_id = clauses[0].id
    login(make_user(Role.FACILITATOR, language="en"))
    response = client.post(
        f"/manifestos/{manifesto_id}/votes/open", data={"subject": f"clause-{clause_id}"}
    )
    assert response.status_code == 302
    mails = wait_for_mails(outbox, len(members))
    assert sorted(m["To"] for m in mails) == sorted(m.email for m in members)
    with app.app_context():
        question = db.session.scalar(sa.select(Question.id))
    assert all(link_in(m, "/votes/") == f"/votes/{question}" for m in mails)
    assert all(m["Subject"] == "Consultation: a vote is open" for m in mails)


def test_a_vote_opens_even_when_the_mails_cannot_be_queued(
    app, client, login, make_manifesto, make_user, monkeypatch
):
    manifesto_id = make_manifesto()
    with app.app_context():
        _m, clauses = load(manifesto_id)
        clause_id = clauses[0].id

    def broken(*_args):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr("consultation.jobs.enqueue", broken)
    login(make_user(Role.FACILITATOR, language="en"))
    page = client.post(
        f"/manifestos/{manifesto_id}/votes/open",
        data={"subject": f"clause-{clause_id}"},
        follow_redirects=True,
    )
    assert page.status_code == 200
    assert "The vote is open." in page.text
    assert "The members could not be told by email: tell them yourself." in page.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 1
