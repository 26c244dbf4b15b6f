"""Who may do what in each phase of a referral: every role against every phase."""

import pytest
import sqlalchemy as sa

from consultation.accounts.models import Role, User
from consultation.extensions import db
from consultation.referrals import services
from consultation.referrals.models import Contribution, Phase, Report, Support
from tests.referrals.conftest import post_as

ROLES = ["anonymous", "outsider", "member", "facilitator"]
PHASES = list(Phase)
OPEN = {Phase.OPEN, Phase.DELIBERATION}
AFTER_DRAFT = set(Phase) - {Phase.DRAFT}

# action -> role -> phases in which it succeeds (members-only, public referral)
EXPECTED = {
    "read": {
        "anonymous": AFTER_DRAFT,
        "outsider": AFTER_DRAFT,
        "member": AFTER_DRAFT,
        "facilitator": set(Phase),
    },
    "post": {"anonymous": set(), "outsider": set(), "member": OPEN, "facilitator": OPEN},
    "reply": {"anonymous": set(), "outsider": set(), "member": OPEN, "facilitator": OPEN},
    "support": {"anonymous": set(), "outsider": set(), "member": OPEN, "facilitator": OPEN},
    "report": {
        "anonymous": set(),
        "outsider": AFTER_DRAFT,
        "member": AFTER_DRAFT,
        "facilitator": AFTER_DRAFT,
    },
    "hide": {"anonymous": set(), "outsider": set(), "member": set(), "facilitator": set(Phase)},
}


@pytest.fixture
def referral_in(app, make_referral, members):
    """A referral with one contribution by member 0, then moved to ``phase``."""

    def factory(phase: Phase):
        referral_id = make_referral(phase=Phase.OPEN)
        target = post_as(app, referral_id, members[0], "Contribution de départ")
        with app.app_context():
            from consultation.referrals.models import Referral

            referral = db.session.get(Referral, referral_id)
            referral.phase = phase  # set directly: the matrix is about rights, not moves
            db.session.commit()
        return referral_id, target

    return factory


def sign_in(client, login, make_user, members, role):
    if role == "member":
        login(members[1])
    elif role == "outsider":
        login(make_user(Role.RESIDENT, language="en"))
    elif role == "facilitator":
        login(make_user(Role.FACILITATOR, language="en"))


def state(app, target):
    with app.app_context():
        return {
            "contributions": db.session.scalar(
                sa.select(sa.func.count()).select_from(Contribution)
            ),
            "supports": db.session.scalar(sa.select(sa.func.count()).select_from(Support)),
            "reports": db.session.scalar(sa.select(sa.func.count()).select_from(Report)),
            "hidden": db.session.get(Contribution, target).is_hidden,
        }


@pytest.mark.parametrize("phase", PHASES, ids=lambda p: p.value)
@pytest.mark.parametrize("role", ROLES)
def test_role_phase_matrix(client, app, referral_in, members, login, make_user, role, phase):
    referral_id, target = referral_in(phase)
    sign_in(client, login, make_user, members, role)
    base = f"/referrals/{referral_id}"
    before = state(app, target)

    read = client.get(base).status_code == 200
    assert read is (phase in EXPECTED["read"][role])

    client.post(f"{base}/contributions", data={"body": "Nouvelle", "submit": "Post"})
    client.post(f"{base}/contributions/{target}/reply", data={"body": "Réponse", "submit": "Reply"})
    client.post(f"{base}/contributions/{target}/support", data={})
    client.post(f"{base}/contributions/{target}/report", data={"report-reason": "Motif"})
    client.post(f"{base}/contributions/{target}/hide", data={"hide-reason": "Motif"})
    after = state(app, target)

    posted = after["contributions"] - before["contributions"]
    assert posted == (phase in EXPECTED["post"][role]) + (phase in EXPECTED["reply"][role])
    assert (after["supports"] - before["supports"] == 1) is (phase in EXPECTED["support"][role])
    assert (after["reports"] - before["reports"] == 1) is (phase in EXPECTED["report"][role])
    assert after["hidden"] is (phase in EXPECTED["hide"][role])


def test_the_rules_say_why_in_words(app, make_referral, members):
    referral_id = make_referral(phase=Phase.DRAFTING)
    with app.app_context():
        from flask_babel import force_locale

        from consultation.errors import DomainError
        from consultation.referrals.models import Referral

        referral = db.session.get(Referral, referral_id)
        with force_locale("en"), pytest.raises(DomainError, match="closed in this phase"):
            services.post(referral, db.session.get(User, members[0].id), "Trop tard")
