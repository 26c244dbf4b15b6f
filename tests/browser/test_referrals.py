"""In the browser: a deliberation with a reply, a support and a moderation; hostile text."""

import pytest
from playwright.sync_api import expect

from consultation.accounts.models import Role
from tests.browser.test_foundation import assert_accessible
from tests.conftest import DEFAULT_PASSWORD
from tests.referrals.test_sanitising import hostile_inputs

pytestmark = pytest.mark.browser


def sign_in(page, base, email):
    page.goto(base + "/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_members_deliberate_and_a_facilitator_moderates(
    page, live_server, make_referral, members, make_user
):
    app, base = live_server()
    referral_id = make_referral()
    facilitator = make_user(Role.FACILITATOR, language="en")
    url = f"{base}/referrals/{referral_id}"

    page.goto(url)
    assert_accessible(page)

    sign_in(page, base, members[0].email)
    page.goto(url)
    page.get_by_label("Your contribution").fill("Un **minibus à la demande** pour les quartiers.")
    page.get_by_label("Stance").select_option("proposal")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".preview strong")).to_have_text("minibus à la demande")
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_role("status")).to_contain_text("Your contribution is published")
    assert_accessible(page)
    sign_out(page)

    sign_in(page, base, members[1].email)
    page.goto(url)
    page.get_by_role("link", name="Reply — Membre 0").click()
    page.get_by_label("Your reply").fill("Oui, avec réservation par téléphone.")
    page.get_by_role("button", name="Reply", exact=True).click()
    expect(page.get_by_text("Oui, avec réservation par téléphone.")).to_be_visible()
    page.goto(url)
    page.get_by_role("button", name="Support (0) — Membre 0").click()
    expect(page.get_by_role("button", name="Supported (1) — Membre 0")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert_accessible(page)
    sign_out(page)

    sign_in(page, base, facilitator.email)
    page.goto(url)
    page.get_by_role("link", name="Reply — Membre 1").click()
    assert_accessible(page)
    page.get_by_label("Reason for hiding (sent to its author)").fill(
        "Message en double, voir plus haut."
    )
    page.get_by_role("button", name="Hide this contribution").click()
    expect(page.get_by_text("Hidden by the facilitators.")).to_be_visible()
    sign_out(page)

    page.goto(url)
    expect(page.get_by_text("Message en double, voir plus haut.")).to_be_visible()
    expect(page.get_by_text("Oui, avec réservation par téléphone.")).to_have_count(0)
    assert_accessible(page)


def test_hostile_text_runs_no_script_even_without_csp(
    browser, live_server, make_referral, members, app
):
    from tests.referrals.conftest import post_as

    server_app, base = live_server()
    referral_id = make_referral()
    inputs = [text for text in hostile_inputs() if text.strip()]
    for text in inputs:
        post_as(server_app, referral_id, members[0], text[:20_000])
    # Without the Content-Security-Policy, only the sanitiser stands between the text and
    # the page: any script that runs opens a dialog or sets the flag.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.add_init_script(
        "window.__ran = []; for (const f of ['alert', 'confirm', 'prompt'])"
        " { window[f] = (...a) => { window.__ran.push(f + ':' + a.join()); }; }"
    )
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page_number = 1
    while True:
        page.goto(f"{base}/referrals/{referral_id}?page={page_number}")
        # Fire the events hostile handlers wait for on every element of user text.
        page.evaluate(
            "document.querySelectorAll('.contribution-body, .contribution-body *').forEach(e =>"
            " { for (const t of ['mouseover', 'mouseenter', 'pointerover', 'focus', 'load',"
            " 'error', 'toggle']) { e.dispatchEvent(new Event(t, {bubbles: true})); } })"
        )
        assert page.evaluate("window.__ran") == []
        if page.get_by_role("link", name="Next page").count() == 0:
            break
        page_number += 1
    assert dialogs == []
    assert page_number * 20 >= len(inputs)
    # Control: the same probe does catch a handler that reaches the page.
    page.evaluate(
        "document.querySelector('.contribution-body').innerHTML ="
        " '<span onmouseover=\"alert(1)\">x</span>'"
    )
    page.evaluate(
        "document.querySelector('.contribution-body span')"
        ".dispatchEvent(new Event('mouseover', {bubbles: true}))"
    )
    assert page.evaluate("window.__ran") == ["alert:1"]
    context.close()
