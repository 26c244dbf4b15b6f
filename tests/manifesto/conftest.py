"""Manifesto tests use the referral fixtures: a panel with active members and referrals."""

import pytest

from tests.referrals.conftest import make_referral, members, seated_panel  # noqa: F401


@pytest.fixture(autouse=True)
def english_outside_requests(app):
    """Messages raised outside a request follow the platform's locale: English here."""
    app.config["CONSULTATION_LOCALE"] = "en"
