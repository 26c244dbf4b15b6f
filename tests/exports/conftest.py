"""Export tests from the database reuse the vote fixtures: a manifesto on a seated panel."""

from tests.referrals.conftest import make_referral, members, seated_panel  # noqa: F401
from tests.votes.conftest import english_outside_requests, make_manifesto  # noqa: F401
