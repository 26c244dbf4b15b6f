"""French and English: the interface, the switcher, the browser's preference, formats."""

import re
from datetime import datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import format_datetime, format_decimal

from consultation import ROOT

CATALOGUE = ROOT / "consultation" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"


def html_lang(response) -> str:
    return re.search(r'<html lang="([a-z]+)"', response.get_data(as_text=True)).group(1)


def test_french_by_default(client):
    response = client.get("/login")
    assert html_lang(response) == "fr"
    assert "Se connecter" in response.get_data(as_text=True)


def test_browser_language_is_honoured(client):
    response = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert html_lang(response) == "en"
    assert "Sign in" in response.get_data(as_text=True)


def test_unsupported_browser_language_falls_back_to_the_configured_locale(make_app):
    client = make_app(CONSULTATION_LOCALE="en").test_client()
    assert html_lang(client.get("/", headers={"Accept-Language": "de"})) == "en"


def test_language_switcher_changes_the_language_and_returns_to_the_page(client):
    response = client.post("/language", data={"lang": "en", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login", headers={"Accept-Language": "fr"})
    assert html_lang(page) == "en"
    client.post("/language", data={"lang": "fr"})
    assert html_lang(client.get("/login")) == "fr"


def test_switcher_refuses_unknown_language_and_foreign_redirects(client):
    assert client.post("/language", data={"lang": "xx"}).status_code == 400
    response = client.post("/language", data={"lang": "en", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_signed_in_users_get_their_own_language(client, make_user, login):
    login(make_user(language="en"))
    assert html_lang(client.get("/account", headers={"Accept-Language": "fr"})) == "en"
    client.post("/language", data={"lang": "fr"})
    client.post("/logout", data={})
    # the choice was stored on the account
    assert html_lang(client.get("/")) == "fr"


@pytest.mark.parametrize(
    "lang, expected", [("fr", "25 novembre 2026"), ("en", "November 25, 2026")]
)
def test_dates_are_formatted_per_locale(app, lang, expected):
    with app.test_request_context(headers={"Accept-Language": lang}):
        assert expected in format_datetime(datetime(2026, 11, 25, 12, 0), "long")


@pytest.mark.parametrize("lang, expected", [("fr", "1\u202f234,5"), ("en", "1,234.5")])
def test_numbers_are_formatted_per_locale(app, lang, expected):
    with app.test_request_context(headers={"Accept-Language": lang}):
        assert format_decimal(1234.5) == expected


def test_every_interface_string_has_a_french_translation():
    with Path(CATALOGUE).open("rb") as handle:
        catalogue = read_po(handle)
    missing = [
        message.id
        for message in catalogue
        if message.id
        and (
            message.fuzzy
            or not (all(message.string) if isinstance(message.string, tuple) else message.string)
        )
    ]
    assert missing == []


def test_french_placeholders_match_the_english_ones():
    with Path(CATALOGUE).open("rb") as handle:
        catalogue = read_po(handle)
    pattern = re.compile(r"%\(\w+\)[sd]")
    for message in catalogue:
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        target = message.string if isinstance(message.string, str) else message.string[0]
        assert sorted(pattern.findall(source)) == sorted(pattern.findall(target)), source
