"""In the browser: from CSV files to an invited, confirmed panel; axe checks each page."""

import pytest
from playwright.sync_api import expect

from consultation.accounts.models import Role
from tests.browser.test_foundation import assert_accessible
from tests.conftest import DEFAULT_PASSWORD, link_in
from tests.panels.conftest import SMALL_QUOTAS, small_pool

pytestmark = pytest.mark.browser


def test_facilitator_draws_and_a_volunteer_confirms(page, live_server, make_user, outbox, tmp_path):
    app, base = live_server()
    facilitator = make_user(Role.FACILITATOR, language="en")
    (tmp_path / "quotas.csv").write_bytes(SMALL_QUOTAS)
    (tmp_path / "pool.csv").write_bytes(small_pool())
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"id,genre,age,email\na,femme,jeune,a@example.org\na,robot,,x\n")

    page.goto(base + "/login")
    page.get_by_label("Adresse e-mail").fill(facilitator.email)
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()  # then the account's English
    page.goto(base + "/panels/new")
    page.get_by_label("Name").fill("Conseil du numérique")
    page.get_by_label("Seats").fill("8")
    page.get_by_role("button", name="Create the panel").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Manage")

    page.get_by_role("link", name="Import the quotas (CSV)").click()
    page.get_by_label("Quotas file (CSV)").set_input_files(str(tmp_path / "quotas.csv"))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Save these quotas").click()

    page.get_by_role("link", name="Import the pool (CSV)").click()
    page.get_by_label("People file (CSV)").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("alert")).to_contain_text("Line 3")
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="Import the pool (CSV)").click()
    page.get_by_label("People file (CSV)").set_input_files(str(tmp_path / "pool.csv"))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("40 volunteers")).to_be_visible()
    expect(page.get_by_label("Column “adresse”")).to_have_value("address")
    assert_accessible(page)
    page.get_by_role("button", name="Save this pool").click()
    assert_accessible(page)

    page.get_by_role("link", name="Draw the panel").click()
    page.get_by_label("Seed").fill("271828")
    page.get_by_role("button", name="Run the draw").click()
    # The progress page polls, then shows the link to the result.
    expect(page.get_by_role("link", name="See the result and its transparency page")).to_be_visible(
        timeout=60_000
    )
    page.get_by_role("link", name="See the result and its transparency page").click()
    expect(page.get_by_text("This draw checks out")).to_be_visible()
    assert_accessible(page)

    page.go_back()
    page.get_by_role("link", name="Back to the panel").click()
    page.get_by_role("button", name="Email invitations to the selected").click()
    expect(page.get_by_role("status")).to_contain_text("8 invitations sent")
    assert_accessible(page)

    path = link_in(outbox()[0], "/panels/invitation/")
    volunteer = page.context.browser.new_context(locale="fr-FR").new_page()
    volunteer.goto(base + path)
    assert_accessible(volunteer)
    volunteer.get_by_label("Nom affiché").fill("Soazig")
    volunteer.get_by_label("Mot de passe", exact=True).fill("un mot de passe long")
    volunteer.get_by_label("Confirmez le mot de passe").fill("un mot de passe long")
    volunteer.get_by_role("button", name="J’accepte mon siège").click()
    expect(volunteer.get_by_role("status")).to_contain_text("siège est confirmé")
    volunteer.context.close()


WIDER_THAN_THE_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  const out = [...document.querySelectorAll("body *")]
    .filter((el) => !el.parentElement.closest(".table-scroll"))
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    .map((el) => `${el.tagName.toLowerCase()} “${el.textContent.trim().slice(0, 30)}”`);
  return {scrolls: document.documentElement.scrollWidth > width, out};
}"""


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_facilitator_says_what_each_column_is_on_a_phone(
    page, live_server, make_user, make_panel, tmp_path, language
):
    """The decoy pool's preview at 390 px: every column has a labelled choice, the
    page says in words what will be public, axe finds nothing, nothing scrolls sideways;
    a column changed to private stops being a criterion."""
    from tests.panels.conftest import DECOY_QUOTAS, decoy_pool

    app, base = live_server()
    facilitator = make_user(Role.FACILITATOR, language=language)
    panel_id = make_panel(seats=8, quotas=DECOY_QUOTAS)
    (tmp_path / "pool.csv").write_bytes(decoy_pool())
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + "/login")
    page.get_by_label("Adresse e-mail").fill(facilitator.email)
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    french = language == "fr"

    page.goto(f"{base}/panels/{panel_id}/pool/upload")
    assert_accessible(page)
    page.get_by_label(
        "Fichier des personnes (CSV)" if french else "People file (CSV)"
    ).set_input_files(str(tmp_path / "pool.csv"))
    page.get_by_role("button", name="Vérifier le fichier" if french else "Check the file").click()
    column = "Colonne «\u00a0{}\u00a0»" if french else "Column “{}”"
    expect(page.get_by_label(column.format("Téléphone portable"))).to_have_value("phone")
    expect(page.get_by_label(column.format("commentaire"))).to_have_value("private")
    expect(page.get_by_label(column.format("diplome"))).to_have_value("criterion")
    public = page.get_by_role(
        "region", name="Ce qui sera public" if french else "What will be public"
    )
    expect(public).to_contain_text("age, genre")
    assert_accessible(page)
    wide = page.evaluate(WIDER_THAN_THE_SCREEN)
    assert not wide["scrolls"] and wide["out"] == []

    page.get_by_label(column.format("diplome")).select_option("private")
    page.get_by_role(
        "button", name="Mettre à jour l’aperçu" if french else "Update the preview"
    ).click()
    expect(page.get_by_label(column.format("diplome"))).to_have_value("private")
    expect(public).to_contain_text("diplome")
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer ce vivier" if french else "Save this pool").click()
    expect(page.get_by_role("status")).to_contain_text("36")
    assert_accessible(page)
