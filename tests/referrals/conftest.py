"""Fixtures for referrals: a panel with active members who have accounts, and referrals."""

from datetime import date

import pytest

from consultation.accounts.models import Role
from consultation.extensions import db
from consultation.panels import services as panels
from consultation.panels.models import (
    Draw,
    DrawKind,
    DrawStatus,
    Membership,
    MembershipStatus,
    Panel,
)
from consultation.referrals import services
from consultation.referrals.models import Participation, Phase, Referral, Visibility
from tests.panels.conftest import SMALL_QUOTAS, small_pool


@pytest.fixture
def seated_panel(app, make_user):
    """A panel whose first six volunteers hold active seats with accounts.

    The seats are written directly (the draw itself is tested with panels): the
    referral tests need members, not a lottery.
    """
    members = [
        make_user(Role.RESIDENT, email=f"membre{i}@example.org", name=f"Membre {i}", language="en")
        for i in range(6)
    ]
    with app.app_context():
        panel = panels.create_panel(name="Conseil", seats=8)
        panels.set_quotas(panel, SMALL_QUOTAS)
        panels.import_pool(panel, small_pool(), address_columns=[])
        draw = Draw(
            panel_id=panel.id,
            kind=DrawKind.INITIAL,
            status=DrawStatus.DONE,
            seed="1",
            algorithm="leximin",
            seats=8,
            inputs={},
        )
        db.session.add(draw)
        db.session.flush()
        for user, volunteer in zip(members, panels.volunteers(panel), strict=False):
            db.session.add(
                Membership(
                    panel_id=panel.id,
                    volunteer_id=volunteer.id,
                    draw_id=draw.id,
                    user_id=user.id,
                    status=MembershipStatus.ACTIVE,
                    start_date=date.today(),
                    end_date=date(2030, 1, 1),
                )
            )
        db.session.commit()
        return panel.id, members


@pytest.fixture
def make_referral(app, seated_panel):
    """Create a referral on the seated panel, moved to ``phase``; returns its id."""
    panel_id, _members = seated_panel

    def factory(
        phase: Phase = Phase.OPEN,
        participation=Participation.MEMBERS,
        visibility=Visibility.PUBLIC,
        title="Quelle place pour l’IA ?",
    ):
        with app.app_context():
            referral = services.create_referral(
                panel=db.session.get(Panel, panel_id),
                title=title,
                question="Où l’IA peut-elle aider ?",
                context_md="Le **contexte**.",
                participation=participation,
                visibility=visibility,
            )
            while referral.phase is not phase:
                services.move_phase(referral, services.next_phase(referral))
            db.session.commit()
            return referral.id

    return factory


@pytest.fixture
def members(seated_panel):
    return seated_panel[1]


def post_as(app, referral_id, user, body, parent_id=None):
    """Post directly through the service (committed); returns the contribution id."""
    from consultation.accounts.models import User
    from consultation.referrals.models import Contribution

    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        parent = db.session.get(Contribution, parent_id) if parent_id else None
        contribution = services.post(referral, db.session.get(User, user.id), body, parent=parent)
        db.session.commit()
        return contribution.id
