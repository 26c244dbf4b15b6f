"""Importing a draft manifesto from Markdown, and the add-only history of clauses."""

import pytest
import sqlalchemy as sa

from consultation.accounts.models import Role
from consultation.extensions import db
from consultation.manifesto import importing, services
from consultation.manifesto.models import (
    Clause,
    ClauseVersion,
    ClauseVersionsAreAddOnly,
    Manifesto,
)

DRAFT = """# Manifeste pour un numérique responsable

La ville s’engage « à rester maître de ses choix ».

## Principes

1. Une personne humaine prend toute décision qui concerne un habitant.
2. Les outils utilisés sont **publiés**, avec leur coût et leur consommation d’énergie.

## Usages

Détecter les fuites d’eau sur le réseau.

- Aucun poste d’accueil n’est supprimé à cause d’un outil d’IA.
- Les données des habitants restent hébergées en Europe.
"""


def test_headings_become_sections_and_items_clauses():
    draft = importing.parse(DRAFT)
    assert draft.title == "Manifeste pour un numérique responsable"
    assert draft.preamble == "La ville s’engage « à rester maître de ses choix »."
    assert [s.title for s in draft.sections] == ["Principes", "Usages"]
    assert draft.sections[0].clauses[1].startswith("Les outils utilisés sont **publiés**")
    assert len(draft.sections[1].clauses) == 3


def test_a_text_without_headings_is_one_section():
    draft = importing.parse("Premier principe.\n\nSecond principe.\n")
    assert [s.clauses for s in draft.sections] == [["Premier principe.", "Second principe."]]


@pytest.mark.parametrize(
    "content, code",
    [
        (b"", "empty"),
        (b"# Titre\n\n## Vide\n", "no_clause"),
        (b"\x00\x01binary", "unreadable"),
    ],
)
def test_bad_drafts(content, code):
    with pytest.raises(importing.DraftError) as error:
        importing.parse(importing.decode(content))
    assert error.value.code == code


def test_windows_1252_and_bom():
    assert importing.decode("Clause réservée".encode("cp1252")) == "Clause réservée"
    assert importing.decode("\ufeffClause".encode()) == "Clause"


def test_cli_import_prints_the_id_and_list_shows_it(runner, app, make_referral, tmp_path):
    referral_id = make_referral()
    path = tmp_path / "brouillon.md"
    path.write_text(DRAFT)
    result = runner.invoke(
        args=[
            "manifesto",
            "import",
            str(referral_id),
            str(path),
            "--title",
            "Manifeste de la ville",
        ]
    )
    assert result.exit_code == 0, result.output
    manifesto_id = int(result.output.strip())
    with app.app_context():
        manifesto = db.session.get(Manifesto, manifesto_id)
        assert manifesto.title == "Manifeste de la ville"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Clause)) == 5
    listing = runner.invoke(args=["manifesto", "list"])
    assert f"{manifesto_id}\tdrafting\tManifeste de la ville" in listing.output


@pytest.mark.parametrize("content", ["", "# Titre seul\n"])
def test_cli_import_refuses_a_draft_without_clauses(runner, app, make_referral, tmp_path, content):
    referral_id = make_referral()
    path = tmp_path / "vide.md"
    path.write_text(content)
    result = runner.invoke(args=["manifesto", "import", str(referral_id), str(path)])
    assert result.exit_code != 0 and result.stderr.strip()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Manifesto)) == 0


def test_cli_import_errors(runner, make_referral, tmp_path):
    assert runner.invoke(args=["manifesto", "import", "999", str(tmp_path / "x.md")]).exit_code
    referral_id = make_referral()
    missing = runner.invoke(
        args=["manifesto", "import", str(referral_id), str(tmp_path / "absent.md")]
    )
    assert missing.exit_code != 0 and "cannot read" in missing.stderr


def test_import_in_the_browser_pages_with_preview(client, app, make_referral, make_user, login):
    referral_id = make_referral()
    login(make_user(Role.FACILITATOR, language="en"))
    url = f"/referrals/{referral_id}/manifestos/import"
    preview = client.post(url, data={"text": DRAFT, "title": ""})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "5 clauses found." in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Manifesto)) == 0
    saved = client.post(url, data={"text": DRAFT, "title": "", "confirm": "1"})
    assert saved.status_code == 302
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "2.3" in page and "<strong>publiés</strong>" in page
    assert "« à rester maître de ses choix »" in page
    bad = client.post(url, data={"text": "# Rien\n", "title": ""})
    assert bad.status_code == 400 and "No clause was found" in bad.get_data(as_text=True)


def test_edits_while_drafting_add_versions_and_versions_never_change(app, make_referral, make_user):
    referral_id = make_referral()
    with app.app_context():
        from consultation.referrals.models import Referral

        manifesto = services.import_manifesto(db.session.get(Referral, referral_id), DRAFT.encode())
        clause = manifesto.sections[0].clauses[0]
        services.edit_clause(clause, "Une personne décide, et peut expliquer sa décision.")
        db.session.commit()
        assert [v.number for v in clause.versions] == [1, 2]
        first = db.session.scalar(sa.select(ClauseVersion).where(ClauseVersion.number == 1))
        first.text = "réécrit"
        with pytest.raises(ClauseVersionsAreAddOnly):
            db.session.flush()
        db.session.rollback()
        services.move_status(manifesto, services.next_status(manifesto))
        from consultation.errors import DomainError

        with pytest.raises(DomainError, match="through amendments"):
            services.edit_clause(clause, "Autre texte")
