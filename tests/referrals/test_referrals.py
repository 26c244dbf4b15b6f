"""Referrals as participants and facilitators use them."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consultation.accounts.models import Role, User
from consultation.audit.models import AuditEvent
from consultation.extensions import db
from consultation.referrals import services
from consultation.referrals.models import (
    Contribution,
    ContributionRevision,
    Participation,
    Phase,
    PhaseChange,
    Referral,
    Report,
    Support,
    Visibility,
)
from tests.conftest import DEFAULT_PASSWORD, link_in
from tests.referrals.conftest import post_as


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_a_member_posts_and_another_replies(client, app, make_referral, members, login):
    referral_id = make_referral()
    login(members[0])
    response = client.post(
        f"/referrals/{referral_id}/contributions",
        data={"body": "Le **bus à la demande** aiderait.", "stance": "proposal", "submit": "Post"},
    )
    assert response.status_code == 302
    with app.app_context():
        first = db.session.scalar(sa.select(Contribution))
        assert first.body_html == "<p>Le <strong>bus à la demande</strong> aiderait.</p>"
    client.post("/logout", data={})
    login(members[1])
    response = client.post(
        f"/referrals/{referral_id}/contributions/{first.id}/reply",
        data={"body": "D’accord, avec un numéro de téléphone.", "submit": "Reply"},
    )
    assert response.status_code == 302
    page = client.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert "bus à la demande" in page and "numéro de téléphone" in page


def test_preview_shows_the_rendered_text_and_saves_nothing(
    client, app, make_referral, members, login
):
    referral_id = make_referral()
    login(members[0])
    response = client.post(
        f"/referrals/{referral_id}/contributions",
        data={"body": "*Essai*", "preview": "Preview"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert "<em>Essai</em>" in response.get_data(as_text=True)
    assert count(app, Contribution) == 0


@pytest.mark.parametrize(
    "body, message",
    [
        ("   ", "This field is required."),
        ("x" * 20_001, "Field cannot be longer than 20000 characters."),
    ],
)
def test_empty_or_oversized_posts_are_refused(
    client, app, make_referral, members, login, body, message
):
    referral_id = make_referral()
    login(members[0])
    response = client.post(
        f"/referrals/{referral_id}/contributions",
        data={"body": body, "submit": "Post"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, Contribution) == 0


def test_reply_to_hidden_or_missing_contribution(
    client, app, make_referral, members, login, make_user
):
    referral_id = make_referral()
    hidden = post_as(app, referral_id, members[0], "À masquer")
    with app.app_context():
        facilitator = db.session.get(User, make_user(Role.FACILITATOR).id)
        services.hide(db.session.get(Contribution, hidden), facilitator, "Hors sujet")
        db.session.commit()
    login(members[1])
    response = client.post(
        f"/referrals/{referral_id}/contributions/{hidden}/reply",
        data={"body": "Réponse", "submit": "Reply"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "You cannot reply to a hidden contribution." in response.get_data(as_text=True)
    missing = client.post(
        f"/referrals/{referral_id}/contributions/99999/reply",
        data={"body": "Réponse", "submit": "Reply"},
    )
    assert missing.status_code == 404
    assert count(app, Contribution) == 1


def test_moderation_hides_with_a_reason_tells_the_author_and_leaves_a_trace(
    client, app, make_referral, members, login, make_user, outbox
):
    referral_id = make_referral()
    target = post_as(app, referral_id, members[0], "Un message **déplacé**")
    login(members[1])
    response = client.post(
        f"/referrals/{referral_id}/contributions/{target}/report",
        data={"report-reason": "Propos insultants"},
    )
    assert response.status_code == 302
    assert count(app, Report) == 1
    client.post("/logout", data={})
    facilitator = make_user(Role.FACILITATOR, language="en")
    login(facilitator)
    moderation = client.get(f"/referrals/{referral_id}/moderation").get_data(as_text=True)
    assert "Propos insultants" in moderation
    response = client.post(
        f"/referrals/{referral_id}/contributions/{target}/hide",
        data={"hide-reason": "Propos contraires à la charte"},
    )
    assert response.status_code == 302
    [mail] = outbox()
    assert mail["To"] == members[0].email
    assert "Propos contraires à la charte" in mail.get_content()
    with app.app_context():
        row = db.session.get(Contribution, target)
        assert row.is_hidden and row.body_md == "Un message **déplacé**"
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
        assert "contribution.reported" in actions and "contribution.hidden" in actions
        assert db.session.scalar(sa.select(Report)).resolved_at is not None
    client.post("/logout", data={})
    public = client.get(f"/referrals/{referral_id}", headers={"Accept-Language": "en"})
    text = public.get_data(as_text=True)
    assert "Hidden by the facilitators." in text and "Propos contraires à la charte" in text
    assert "déplacé" not in text
    login(members[0])
    own = client.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert "déplacé" in own


def test_hiding_needs_a_reason(client, app, make_referral, members, login, make_user):
    referral_id = make_referral()
    target = post_as(app, referral_id, members[0], "Texte")
    login(make_user(Role.FACILITATOR))
    client.post(f"/referrals/{referral_id}/contributions/{target}/hide", data={"hide-reason": ""})
    with app.app_context():
        assert not db.session.get(Contribution, target).is_hidden


def test_edit_within_the_window_keeps_the_previous_text(client, app, make_referral, members, login):
    referral_id = make_referral()
    target = post_as(app, referral_id, members[0], "Première version")
    login(members[0])
    response = client.post(
        f"/referrals/{referral_id}/contributions/{target}/edit", data={"body": "Seconde version"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Contribution, target).body_md == "Seconde version"
        [revision] = db.session.scalars(sa.select(ContributionRevision)).all()
        assert revision.body_md == "Première version"
    page = client.get(f"/referrals/{referral_id}/contributions/{target}").get_data(as_text=True)
    assert "Première version" in page


def test_edit_after_the_window_is_refused(client, app, make_referral, members, login):
    referral_id = make_referral()
    target = post_as(app, referral_id, members[0], "Ancien texte")
    with app.app_context():
        row = db.session.get(Contribution, target)
        row.created_at = row.created_at - timedelta(hours=1)
        db.session.commit()
    login(members[0])
    response = client.post(
        f"/referrals/{referral_id}/contributions/{target}/edit",
        data={"body": "Nouveau"},
        headers={"Accept-Language": "en"},
    )
    assert "can be edited for 15 minutes" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Contribution, target).body_md == "Ancien texte"


def test_someone_else_cannot_edit(client, app, make_referral, members, login):
    referral_id = make_referral()
    target = post_as(app, referral_id, members[0], "Mon texte")
    login(members[1])
    response = client.post(
        f"/referrals/{referral_id}/contributions/{target}/edit", data={"body": "Piraté"}
    )
    assert response.status_code == 403


def test_one_support_per_person(client, app, make_referral, members, login):
    referral_id = make_referral()
    target = post_as(app, referral_id, members[0], "À soutenir")
    login(members[1])
    url = f"/referrals/{referral_id}/contributions/{target}/support"
    client.post(url, data={})
    with app.app_context():
        assert db.session.get(Contribution, target).support_count == 1
    client.post(url, data={})  # a second press withdraws the support
    with app.app_context():
        assert db.session.get(Contribution, target).support_count == 0
    client.post(url, data={})
    assert count(app, Support) == 1


def test_support_is_unique_in_the_database(app, make_referral, members):
    referral_id = make_referral()
    target = post_as(app, referral_id, members[0], "Texte")
    with app.app_context():
        db.session.add(Support(contribution_id=target, user_id=members[1].id))
        db.session.commit()
        db.session.add(Support(contribution_id=target, user_id=members[1].id))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_threads_of_depth_twenty_render(client, app, make_referral, members):
    referral_id = make_referral()
    parent = None
    ids = []
    for depth in range(21):
        parent = post_as(
            app, referral_id, members[depth % 6], f"Niveau {depth} du fil", parent_id=parent
        )
        ids.append(parent)
    page = client.get(f"/referrals/{referral_id}", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for depth in range(21):
        assert f"Niveau {depth} du fil" in text
    assert text.count("In reply to") == 21 - 4  # shown nested to three levels, then "in reply to"
    assert 'class="contribution depth-3' in text and "depth-4" not in text
    thread = client.get(f"/referrals/{referral_id}/threads/{ids[0]}")
    assert "Niveau 20 du fil" in thread.get_data(as_text=True)


def test_page_queries_do_not_grow_with_the_thread(client, app, make_referral, members):
    referral_id = make_referral()

    def queries_for_page():
        statements = []

        def count_statement(conn, cursor, statement, *args):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
            sa.event.listen(engine, "before_cursor_execute", count_statement)
            try:
                assert client.get(f"/referrals/{referral_id}").status_code == 200
            finally:
                sa.event.remove(engine, "before_cursor_execute", count_statement)
        return len(statements)

    for i in range(3):
        root = post_as(app, referral_id, members[i], f"Fil {i}")
        post_as(app, referral_id, members[i + 1], "Réponse", parent_id=root)
    small = queries_for_page()
    for i in range(30):
        root = post_as(app, referral_id, members[i % 6], f"Fil {i}")
        reply = post_as(app, referral_id, members[(i + 1) % 6], "Réponse", parent_id=root)
        for depth in range(5):
            reply = post_as(app, referral_id, members[depth % 6], "Plus loin", parent_id=reply)
    large = queries_for_page()
    assert large == small


def test_search_finds_words_and_highlights_them(
    client, app, make_referral, members, make_user, login
):
    referral_id = make_referral()
    post_as(app, referral_id, members[0], "Détecter les fuites sur le réseau d’eau potable.")
    post_as(app, referral_id, members[1], "La <b>télémédecine</b> en mairie de quartier.")
    post_as(app, referral_id, members[2], "Rien à voir.")
    response = client.get(
        f"/referrals/{referral_id}/search?q=fuites", headers={"Accept-Language": "en"}
    )
    text = response.get_data(as_text=True)
    assert "1 result" in text and "<mark>fuites</mark>" in text
    response = client.get(f"/referrals/{referral_id}/search?q=télémédecine")
    text = response.get_data(as_text=True)
    assert "<mark>télémédecine</mark>" in text
    assert "<b>télémédecine" not in text  # user markup never becomes markup
    nothing = client.get(
        f"/referrals/{referral_id}/search?q=zzzzzz", headers={"Accept-Language": "en"}
    )
    assert "0 results" in nothing.get_data(as_text=True)


def test_search_hides_hidden_contributions_from_others(
    client, app, make_referral, members, make_user
):
    referral_id = make_referral()
    target = post_as(app, referral_id, members[0], "Propos masqués sur les fuites")
    with app.app_context():
        services.hide(
            db.session.get(Contribution, target),
            db.session.get(User, make_user(Role.FACILITATOR).id),
            "Raison",
        )
        db.session.commit()
    text = client.get(f"/referrals/{referral_id}/search?q=fuites").get_data(as_text=True)
    assert "<mark>" not in text


@pytest.mark.parametrize("query", ['"', "AND OR NOT", "*", "(", "NEAR(", "a" * 201])
def test_odd_searches_never_fail(client, make_referral, members, app, query):
    referral_id = make_referral()
    post_as(app, referral_id, members[0], "Texte")
    response = client.get(f"/referrals/{referral_id}/search", query_string={"q": query})
    assert response.status_code in (200, 400)


def test_phases_move_forward_and_are_audited(client, app, make_referral, make_user, login):
    referral_id = make_referral(phase=Phase.DRAFT)
    login(make_user(Role.FACILITATOR))
    assert client.post(f"/referrals/{referral_id}/phase", data={"to": "open"}).status_code == 302
    skip = client.post(f"/referrals/{referral_id}/phase", data={"to": "vote"})
    assert skip.status_code == 400
    with app.app_context():
        assert db.session.get(Referral, referral_id).phase is Phase.OPEN
        [change] = db.session.scalars(sa.select(PhaseChange)).all()
        assert (change.from_phase, change.to_phase) == (Phase.DRAFT, Phase.OPEN)
        assert (
            db.session.scalar(
                sa.select(AuditEvent).where(AuditEvent.action == "referral.phase_moved")
            )
            is not None
        )


def test_facilitator_creates_a_referral_with_documents(client, app, seated_panel, make_user, login):
    panel_id, _members = seated_panel
    login(make_user(Role.FACILITATOR))
    response = client.post(
        "/referrals/new",
        data={
            "panel": str(panel_id),
            "title": "Saisine",
            "question": "Que faire ?",
            "context_md": "Voir <script>alert(1)</script> **ceci**",
            "documents": "Délibération | https://example.org/d.pdf\nMauvais | javascript:alert(1)",
            "participation": "members",
            "visibility": "public",
        },
    )
    assert response.status_code == 200  # the bad link is refused, nothing saved
    assert count(app, Referral) == 0
    response = client.post(
        "/referrals/new",
        data={
            "panel": str(panel_id),
            "title": "Saisine",
            "question": "Que faire ?",
            "context_md": "Voir <script>alert(1)</script> **ceci**",
            "documents": "Délibération | https://example.org/d.pdf",
            "participation": "members",
            "visibility": "public",
            "opens_on": "2026-12-01",
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<strong>ceci</strong>" in page and "alert(1)" not in page
    assert 'href="https://example.org/d.pdf"' in page


def test_replies_page_and_daily_digest(client, app, make_referral, members, login, outbox):
    referral_id = make_referral()
    mine = post_as(app, referral_id, members[0], "Ma proposition")
    login(members[0])
    client.post("/referrals/replies", data={"daily": "y"})
    post_as(app, referral_id, members[1], "Je réponds à ta proposition", parent_id=mine)
    page = client.get("/referrals/replies").get_data(as_text=True)
    assert "Je réponds à ta proposition" in page
    runner = app.test_cli_runner()
    result = runner.invoke(args=["referrals", "send-digests"])
    assert "Sent 1 digest" in result.output
    [mail] = outbox()
    assert mail["To"] == members[0].email and "Je réponds" in mail.get_content()
    again = runner.invoke(args=["referrals", "send-digests"])
    assert "Sent 0 digest" in again.output


def test_participation_statistics(client, app, make_referral, members, make_user, login):
    referral_id = make_referral()
    for i in range(4):
        post_as(app, referral_id, members[0], f"Encore moi {i}")
    post_as(app, referral_id, members[1], "Une fois")
    login(make_user(Role.FACILITATOR, language="en"))
    response = client.get(f"/referrals/{referral_id}/statistics")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<svg" in text and "<title" in text
    assert "Members who have not written yet</dt><dd>4" in text
    with app.app_context():
        stats = services.participation_stats(db.session.get(Referral, referral_id))
    genre = {row["value"]: row for row in stats["comparison"]["genre"]}
    # Six members: s000..s005 alternate homme/femme; s000 (homme) wrote four of five.
    assert genre["homme"]["seat_share"] == 0.5
    assert genre["homme"]["speech_share"] == 0.8


def test_panel_only_referral_is_invisible_to_the_public(client, make_referral, members, login):
    referral_id = make_referral(visibility=Visibility.PANEL)
    assert client.get(f"/referrals/{referral_id}").status_code == 302
    login(members[0])
    assert client.get(f"/referrals/{referral_id}").status_code == 200


def test_residents_referral_accepts_any_resident(client, app, make_referral, make_user, login):
    referral_id = make_referral(participation=Participation.RESIDENTS)
    login(make_user(Role.RESIDENT))
    client.post(
        f"/referrals/{referral_id}/contributions",
        data={"body": "Je suis habitant", "submit": "Post"},
    )
    assert count(app, Contribution) == 1


def test_deleted_account_keeps_its_contribution_without_identity(
    client, app, make_referral, members, login
):
    referral_id = make_referral()
    post_as(app, referral_id, members[0], "Ce que j’ai écrit reste")
    login(members[0])
    client.post("/account/delete", data={"password": DEFAULT_PASSWORD})
    page = client.get(f"/referrals/{referral_id}", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert "Ce que j’ai écrit reste" in text and "Former participant" in text
    assert "Membre 0" not in text


def test_hidden_mail_link_points_to_the_contribution(
    client, app, make_referral, members, make_user, outbox
):
    referral_id = make_referral()
    target = post_as(app, referral_id, members[0], "Texte")
    with app.app_context():
        services.hide(
            db.session.get(Contribution, target),
            db.session.get(User, make_user(Role.FACILITATOR).id),
            "Motif",
        )
        db.session.commit()
    path = link_in(outbox()[0], "/referrals/")
    assert path == f"/referrals/{referral_id}/contributions/{target}"


def test_cached_page_parts_follow_changes_and_each_viewer(
    client, app, make_referral, members, login
):
    referral_id = make_referral()
    target = post_as(app, referral_id, members[0], "Texte à soutenir")
    login(members[1])
    page = client.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert 'aria-pressed="false"' in page and "(0)" in page
    client.post(f"/referrals/{referral_id}/contributions/{target}/support", data={})
    page = client.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert 'aria-pressed="true"' in page and "(1)" in page
    client.post("/logout", data={})
    login(members[2])
    page = client.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert 'aria-pressed="false"' in page and "(1)" in page
    client.post("/logout", data={})
    anonymous = client.get(f"/referrals/{referral_id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "aria-pressed" not in anonymous and "1 support" in anonymous
