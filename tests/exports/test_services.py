"""Exporting a manifesto from the database: the command line, provenance, redline and
the process report, read back from the files."""

import json

import pytest
import sqlalchemy as sa

from consultation.extensions import db
from consultation.manifesto.models import Amendment
from consultation.votes import services as votes
from tests.exports.test_formats import flat, text_of
from tests.votes.conftest import load, user

NEW_TEXT = "La ville publie chaque outil numérique avant de l’utiliser."
FORMATS = ["md", "html", "pdf", "docx", "odt", "json"]


@pytest.fixture
def voted_manifesto(app, make_manifesto, members):
    """A manifesto whose first clause was changed by an amendment adopted by vote."""
    manifesto_id = make_manifesto(amend=[(0, NEW_TEXT)])
    with app.app_context():
        amendment = db.session.scalar(sa.select(Amendment))
        question = votes.open_on_amendment(amendment)
        for member, choice in zip(
            members, ["for", "for", "for", "against", "abstain"], strict=False
        ):
            votes.cast(question, user(member), choice)
        votes.close(question)
        db.session.commit()
    return manifesto_id


def export(runner, tmp_path, manifesto_id, fmt, *options):
    target = tmp_path / f"out.{fmt}"
    result = runner.invoke(
        args=[
            "manifesto",
            "export",
            str(manifesto_id),
            "--format",
            fmt,
            "-o",
            str(target),
            "--language",
            "en",
            *options,
        ]
    )
    assert result.exit_code == 0, result.output
    return result.output.strip(), target.read_bytes()


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_holds_every_clause_in_order_and_the_fingerprint(
    runner, tmp_path, voted_manifesto, fmt
):
    fingerprint, content = export(runner, tmp_path, voted_manifesto, fmt)
    assert len(fingerprint) == 64
    text = flat(text_of(fmt, content))
    if fmt == "json":
        data = json.loads(content)
        assert data["fingerprint"] == fingerprint
        clauses = [c["text"] for s in data["state"]["sections"] for c in s["clauses"]]
        assert clauses[0] == NEW_TEXT and len(clauses) == 3
        return
    position = 0
    for clause in (
        NEW_TEXT,
        "Une personne humaine prend toute décision.",
        "Les données des habitants restent en Europe.",
    ):
        found = text.find(flat(clause), position)
        assert found >= 0, clause
        position = found
    assert fingerprint in text.replace(" ", "") or fingerprint in text


def test_the_same_state_gives_the_same_fingerprint_whatever_the_options(
    runner, tmp_path, voted_manifesto
):
    prints = {export(runner, tmp_path, voted_manifesto, fmt)[0] for fmt in FORMATS}
    prints.add(export(runner, tmp_path, voted_manifesto, "md", "--provenance", "--report")[0])
    assert len(prints) == 1


def test_provenance_names_the_amendment_its_author_and_the_vote(
    runner, tmp_path, voted_manifesto, members
):
    _fp, content = export(runner, tmp_path, voted_manifesto, "md", "--provenance")
    text = content.decode()
    assert f"by {members[0].display_name}, adopted by vote on" in text
    assert "3 for, 1 against, 1 abstention." in text
    assert "Text of the draft proposed by the facilitation" in text
    # The amended clause keeps words of the draft: its note names both, oldest first.
    note = next(line for line in text.splitlines() if "adopted by vote on" in line)
    assert note.index("Text of the draft proposed") < note.index("Amendment #")


def test_provenance_names_only_the_versions_whose_words_remain(app, make_manifesto, members):
    from consultation.exports.services import Provenance
    from consultation.manifesto import amendments

    rewritten = "Aucun algorithme ne tranche seul, jamais."
    manifesto_id = make_manifesto(amend=[(1, rewritten)])
    with app.test_request_context():
        manifesto, clauses = load(manifesto_id)
        amendments.accept(db.session.scalar(sa.select(Amendment)))
        notes = Provenance(manifesto)
        assert clauses[1].current.text == rewritten
        assert notes(clauses[1]).startswith("Amendment #")  # no word of the draft is left
        assert "Text of the draft" not in notes(clauses[1])
        assert notes(clauses[0]).startswith("Text of the draft proposed by the facilitation")


def test_redline_since_the_draft_marks_the_change(runner, tmp_path, voted_manifesto):
    _fp, content = export(runner, tmp_path, voted_manifesto, "md", "--redline-since", "0")
    text = content.decode()
    assert "[+numérique +]" in text or "[+numérique+]" in text
    _fp, unchanged = export(runner, tmp_path, voted_manifesto, "md", "--redline-since", "1")
    assert "numérique +]" not in unchanged.decode()


def test_redline_since_a_date_before_everything_marks_the_change(runner, tmp_path, voted_manifesto):
    _fp, content = export(
        runner, tmp_path, voted_manifesto, "docx", "--redline-since", "2000-01-01"
    )
    assert "numérique" in text_of("docx", content)


@pytest.mark.parametrize("since", ["99", "hier", "2026-13-40"])
def test_a_bad_redline_origin_is_refused_with_the_reason(runner, tmp_path, voted_manifesto, since):
    target = tmp_path / "out.md"
    result = runner.invoke(
        args=[
            "manifesto",
            "export",
            str(voted_manifesto),
            "--format",
            "md",
            "-o",
            str(target),
            "--redline-since",
            since,
        ]
    )
    assert result.exit_code != 0
    assert "revision" in result.output.lower() or "YYYY-MM-DD" in result.output
    assert not target.exists()


def test_an_unknown_manifesto_exits_non_zero(runner, tmp_path):
    result = runner.invoke(
        args=["manifesto", "export", "999", "--format", "md", "-o", str(tmp_path / "x.md")]
    )
    assert result.exit_code != 0 and "no manifesto" in result.output


@pytest.mark.parametrize("fmt", ["html", "docx", "odt"])
def test_the_report_appendix_lists_the_votes(runner, tmp_path, voted_manifesto, fmt):
    _fp, content = export(runner, tmp_path, voted_manifesto, fmt, "--report")
    text = text_of(fmt, content)
    assert "Process report" in text
    assert "Vote tallies" in text
    assert "Adopted: 3 for, 1 against, 1 abstention." in text
    assert "Timeline of the referral" in text


def test_a_french_export_speaks_french(runner, tmp_path, voted_manifesto):
    target = tmp_path / "fr.md"
    result = runner.invoke(
        args=[
            "manifesto",
            "export",
            str(voted_manifesto),
            "--format",
            "md",
            "-o",
            str(target),
            "--language",
            "fr",
            "--provenance",
        ]
    )
    assert result.exit_code == 0, result.output
    text = target.read_text()
    assert "Empreinte" in text and "adopté" in text


def test_the_state_covers_the_text_and_the_status(app, voted_manifesto):
    from consultation.exports import services

    with app.app_context():
        manifesto, clauses = load(voted_manifesto)
        before = services.state_fingerprint(manifesto)
        manifesto.title = "Autre titre"
        assert services.state_fingerprint(manifesto) != before


def wait_for_file(client, url, timeout=60):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(url, headers={"Accept": "application/json"}).get_json()
        if state["done"]:
            return state
        time.sleep(0.2)
    raise AssertionError("the export did not finish")


def test_a_facilitator_downloads_a_word_file_and_follows_a_pdf(
    app, client, login, make_user, voted_manifesto
):
    from consultation.accounts.models import Role

    login(make_user(Role.FACILITATOR, language="en"))
    page = client.get(f"/manifestos/{voted_manifesto}/export")
    assert page.status_code == 200 and "Export the manifesto" in page.text
    word = client.get(f"/manifestos/{voted_manifesto}/export?format=docx&provenance=y&report=y")
    assert word.status_code == 200
    assert "attachment" in word.headers["Content-Disposition"]
    assert NEW_TEXT in text_of("docx", word.data)
    pdf = client.get(f"/manifestos/{voted_manifesto}/export?format=pdf&provenance=y")
    assert pdf.status_code == 302
    progress_url = pdf.headers["Location"]
    assert "The file is" in client.get(progress_url).text
    state = wait_for_file(client, progress_url)
    assert state["state"] == "done"
    made = client.get(progress_url + "?get=1")
    assert made.data.startswith(b"%PDF")
    assert "numérique" in text_of("pdf", made.data)
    # Asked again, the same state and options are served at once.
    again = client.get(f"/manifestos/{voted_manifesto}/export?format=pdf&provenance=y")
    assert again.status_code == 200 and again.data.startswith(b"%PDF")


def test_a_bad_redline_origin_on_the_page_says_why(app, client, login, make_user, voted_manifesto):
    from consultation.accounts.models import Role

    login(make_user(Role.FACILITATOR, language="en"))
    page = client.get(f"/manifestos/{voted_manifesto}/export?format=md&redline_since=demain")
    assert page.status_code == 400
    assert "YYYY-MM-DD" in page.text


def test_the_public_downloads_only_adopted_texts(app, client, voted_manifesto, members):
    assert client.get(f"/manifestos/{voted_manifesto}/download.md").status_code in (302, 403)
    with app.app_context():
        manifesto, _clauses = load(voted_manifesto)
        question = votes.open_on_text(manifesto)
        for member in members[:4]:
            votes.cast(question, user(member), "for")
        votes.close(question)
        db.session.commit()
    page = client.get(f"/manifestos/{voted_manifesto}")
    assert "Download the adopted text" in page.text
    response = client.get(f"/manifestos/{voted_manifesto}/download.odt")
    assert response.status_code == 200
    assert NEW_TEXT in text_of("odt", response.data)
    assert "Process report" in text_of("odt", response.data)


@pytest.mark.parametrize("fmt", FORMATS)
def test_public_downloads_hold_no_personal_data(app, client, voted_manifesto, members, fmt):
    """Volunteers' names, contacts and addresses, and members' emails, never reach a public
    download of the adopted text, its provenance or its process report."""
    from consultation.panels.models import Volunteer

    with app.app_context():
        manifesto, _clauses = load(voted_manifesto)
        question = votes.open_on_text(manifesto)
        for member in members[:4]:
            votes.cast(question, user(member), "for")
        votes.close(question)
        db.session.commit()
        secrets = {member.email for member in members}
        for volunteer in db.session.scalars(sa.select(Volunteer)):
            secrets |= {str(v) for v in volunteer.contact.values() if v}
            secrets |= {str(v) for v in volunteer.address.values() if v}
            secrets.add(volunteer.external_id)
    secrets |= {f"Personne {i}" for i in range(40)}
    response = client.get(f"/manifestos/{voted_manifesto}/download.{fmt}")
    if fmt == "pdf":
        state = wait_for_file(client, response.headers["Location"])
        assert state["state"] == "done"
        response = client.get(response.headers["Location"] + "?get=1")
    assert response.status_code == 200
    text = text_of(fmt, response.data)
    assert "Process report" in text or fmt == "json"
    found = sorted(s for s in secrets if len(s) > 3 and s in text)
    assert found == []
