"""The vote pages, as members, facilitators and the public use them."""

import pytest
import sqlalchemy as sa

from consultation.accounts import services as accounts
from consultation.accounts.models import Role, User
from consultation.extensions import db
from consultation.manifesto.models import Amendment, Manifesto, ManifestoStatus
from consultation.votes import services as votes
from consultation.votes.models import Ballot, BallotChange, Question, Turnout
from tests.conftest import DEFAULT_PASSWORD
from tests.votes.conftest import load, open_clause_vote

NEW_TEXT = "La ville publie chaque outil numérique avant de l’utiliser."


@pytest.fixture
def facilitator(make_user):
    return make_user(Role.FACILITATOR, email="animation@example.org", language="en")


def question_id(app):
    with app.app_context():
        return db.session.scalar(sa.select(Question.id).order_by(Question.id.desc()))


def test_from_amendment_to_new_version_through_the_pages(
    app, client, login, make_manifesto, members, facilitator
):
    manifesto_id = make_manifesto(amend=[(0, NEW_TEXT)])
    with app.app_context():
        amendment_id = db.session.scalar(sa.select(Amendment.id))
    login(facilitator)
    page = client.get(f"/manifestos/{manifesto_id}/votes")
    assert "Open a vote on every open amendment" in page.text
    response = client.post(
        f"/manifestos/{manifesto_id}/votes/open", data={"subject": f"amendment-{amendment_id}"}
    )
    assert response.status_code == 302
    qid = question_id(app)
    client.post("/logout", data={})
    for member, choice in zip(members, ["for", "for", "for", "against"], strict=False):
        login(member)
        page = client.get(f"/votes/{qid}")
        assert "Cast my vote" in page.text and "<ins" in page.text, page.text[
            page.text.find("<main") :
        ][:1500]
        page = client.post(f"/votes/{qid}/ballot", data={"choice": choice}, follow_redirects=True)
        assert "Your vote is recorded." in page.text
        client.post("/logout", data={})
    login(facilitator)
    page = client.get(f"/votes/{qid}")
    assert "4 of 6 members have voted." in page.text
    client.post(f"/votes/{qid}/close", data={})
    page = client.get(f"/votes/{qid}")
    assert "Adopted: 3 for, 1 against, 0 abstentions." in page.text
    assert "Quorum: at least half of the 6 members entitled to vote must take part" in page.text
    assert "Membre 0: For" in page.text  # a public ballot is published at the close
    with app.app_context():
        _m, clauses = load(manifesto_id)
        clause_id = clauses[0].id
    history = client.get(f"/manifestos/{manifesto_id}/clauses/{clause_id}").text
    assert f"accepted amendment #{amendment_id}" in history
    assert f"vote #{qid}" in history
    timeline = client.get(f"/manifestos/{manifesto_id}/timeline").text
    assert "Vote closed:" in timeline and "Adopted: 3 for" in timeline


def test_a_secret_vote_shows_counts_never_names(
    app, client, login, make_manifesto, members, facilitator
):
    manifesto_id = make_manifesto(secret=True)
    with app.app_context():
        _m, clauses = load(manifesto_id)
        clause_id = clauses[1].id
    login(facilitator)
    client.post(f"/manifestos/{manifesto_id}/votes/open", data={"subject": f"clause-{clause_id}"})
    qid = question_id(app)
    client.post("/logout", data={})
    for member in members[:3]:
        login(member)
        client.post(f"/votes/{qid}/ballot", data={"choice": "against"})
        again = client.post(f"/votes/{qid}/ballot", data={"choice": "for"}, follow_redirects=True)
        assert "A secret ballot is final once cast." in again.text
        assert "Your vote is recorded." not in again.text
        client.post("/logout", data={})
    login(facilitator)
    client.post(f"/votes/{qid}/close", data={})
    page = client.get(f"/votes/{qid}").text
    assert "Rejected: 0 for, 3 against, 0 abstentions." in page
    for member in members:
        assert member.display_name not in page


def test_voting_without_membership_says_why_and_saves_nothing(
    app, client, login, make_manifesto, make_user, facilitator
):
    manifesto_id = make_manifesto()
    outsider = make_user(email="habitant@example.org", language="en")
    with app.app_context():
        _m, clauses = load(manifesto_id)
        clause_id = clauses[0].id
    login(facilitator)
    client.post(f"/manifestos/{manifesto_id}/votes/open", data={"subject": f"clause-{clause_id}"})
    qid = question_id(app)
    client.post("/logout", data={})
    login(outsider)
    page = client.get(f"/votes/{qid}").text
    assert "Cast my vote" not in page
    response = client.post(f"/votes/{qid}/ballot", data={"choice": "for"}, follow_redirects=True)
    assert "Only the members of the panel entitled to vote" in response.text
    assert "0 of 6 members have voted." in response.text


@pytest.mark.parametrize("secret", [False, True], ids=["public", "secret"])
@pytest.mark.parametrize("choice", [None, "", "peut-être"], ids=["missing", "empty", "unknown"])
def test_a_ballot_without_a_valid_choice_says_so_and_records_nothing(
    app, client, login, make_manifesto, members, choice, secret
):
    qid = open_clause_vote(app, make_manifesto, secret=secret)
    login(members[0])
    data = {} if choice is None else {"choice": choice}
    response = client.post(f"/votes/{qid}/ballot", data=data, follow_redirects=True)
    assert "Choose for, against or abstain." in response.text
    assert "0 of 6 members have voted." in response.text
    assert "Cast my vote" in response.text  # a secret ballot was not used up


def test_a_ballot_without_its_form_token_is_refused_and_records_nothing(
    app, client, login, make_manifesto, members
):
    qid = open_clause_vote(app, make_manifesto)
    login(members[0])
    response = client.post(f"/votes/{qid}/ballot", data={"choice": "for"}, no_csrf=True)
    assert response.status_code == 400 and "Form expired" in response.text
    assert "0 of 6 members have voted." in client.get(f"/votes/{qid}").text


def test_a_member_changes_a_public_ballot_through_the_page_and_both_are_kept(
    app, client, login, make_manifesto, members
):
    qid = open_clause_vote(app, make_manifesto)
    login(members[0])
    for choice in ("for", "against"):
        page = client.post(f"/votes/{qid}/ballot", data={"choice": choice}, follow_redirects=True)
        assert "Your vote is recorded." in page.text
    assert "1 of 6 members have voted." in page.text
    with app.app_context():
        ballots = list(db.session.scalars(sa.select(Ballot)))
        assert [(b.user_id, b.choice.value) for b in ballots] == [(members[0].id, "against")]
        assert ballots[0].changed_at is not None
        history = db.session.scalars(sa.select(BallotChange.choice).order_by(BallotChange.id))
        assert [c.value for c in history] == ["for", "against"]


def test_the_page_confirms_a_ballot_only_when_it_is_there(
    app, client, login, make_manifesto, members
):
    qid = open_clause_vote(app, make_manifesto)
    login(members[0])
    assert "Your vote is recorded." not in client.get(f"/votes/{qid}?ballot=recorded").text
    assert "A secret ballot is final" not in client.get(f"/votes/{qid}?ballot=final").text
    response = client.post(f"/votes/{qid}/ballot", data={"choice": "for"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/votes/{qid}?ballot=recorded#ballot")
    page = client.get(f"/votes/{qid}?ballot=recorded").text
    assert "Your vote is recorded." in page and 'role="status"' in page
    assert "Your vote is recorded." not in client.get(f"/votes/{qid}").text


@pytest.mark.parametrize("secret", [False, True], ids=["public", "secret"])
def test_a_deleted_account_cannot_vote_from_a_session_left_open(
    app, client, login, make_manifesto, members, secret
):
    """An account deleted on one device is signed out on the others: a ballot from a
    session still open there is refused and records nothing."""
    qid = open_clause_vote(app, make_manifesto, secret=secret)
    login(members[0])
    with app.app_context():
        accounts.delete_account(db.session.get(User, members[0].id), DEFAULT_PASSWORD)
        db.session.commit()
    response = client.post(f"/votes/{qid}/ballot", data={"choice": "for"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Turnout)) == 0


def test_a_ballot_on_a_vote_that_does_not_exist_is_not_found(client, login, members):
    login(members[0])
    assert client.post("/votes/999/ballot", data={"choice": "for"}).status_code == 404


def test_a_majority_judgment_page_shows_the_merit_profile(
    app, client, login, make_manifesto, members, facilitator
):
    manifesto_id = make_manifesto()
    login(facilitator)
    client.post(
        f"/manifestos/{manifesto_id}/votes/judgment",
        data={"title": "Nos priorités", "clause": "", "labels": "Transparence\nSobriété"},
    )
    qid = question_id(app)
    with app.app_context():
        a, b = db.session.get(Question, qid).options
        a_id, b_id = a.id, b.id
    client.post("/logout", data={})
    for member in members[:4]:
        login(member)
        client.post(f"/votes/{qid}/ballot", data={f"grade-{a_id}": "5", f"grade-{b_id}": "2"})
        client.post("/logout", data={})
    login(facilitator)
    client.post(f"/votes/{qid}/close", data={})
    page = client.get(f"/votes/{qid}").text
    assert "Chosen: Transparence." in page
    assert 'role="img"' in page and "Merit profiles" in page
    assert "Very good+" in page or "Very good−" in page


def test_the_manifesto_page_offers_no_adoption_without_a_vote(
    app, client, login, make_manifesto, facilitator
):
    manifesto_id = make_manifesto(status=ManifestoStatus.VOTING)
    login(facilitator)
    page = client.get(f"/manifestos/{manifesto_id}").text
    assert "Move to:" not in page
    response = client.post(f"/manifestos/{manifesto_id}/status", data={"to": "adopted"})
    assert response.status_code == 400


def test_the_votes_page_tells_a_member_which_open_votes_await_their_ballot(
    app, client, login, make_manifesto, members, facilitator
):
    manifesto_id = make_manifesto(secret=True)
    with app.app_context():
        _m, clauses = load(manifesto_id)
        secret = votes.open_on_clause(clauses[0]).id
        manifesto = db.session.get(Manifesto, manifesto_id)
        manifesto.secret_ballot = False
        public = votes.open_on_clause(clauses[1]).id
        db.session.commit()
    url = f"/manifestos/{manifesto_id}/votes"
    login(members[0])
    assert "2 votes await your ballot." in client.get(url).text
    client.post(f"/votes/{secret}/ballot", data={"choice": "for"})
    page = client.get(url).text
    assert "1 vote awaits your ballot." in page
    assert page.count("you have voted") == 1 and page.count("your ballot is awaited") == 1
    client.post(f"/votes/{public}/ballot", data={"choice": "against"})
    assert "You have voted on every open vote." in client.get(url).text
    client.post("/logout", data={})
    # Someone not on the rolls is told nothing of the kind.
    login(facilitator)
    page = client.get(url).text
    assert "await" not in page and "you have voted" not in page
