"""The audit trail: services write it, nobody rewrites it, administrators read it."""

import pytest
import sqlalchemy as sa

from consultation.accounts.models import Role
from consultation.audit.models import AuditEvent
from consultation.audit.services import AuditTrailIsAppendOnly, record
from consultation.extensions import db


def actions(app):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_account_flows_write_audit_rows(client, app, make_user, login):
    user = make_user()
    login(user)
    client.post("/account", data={"display_name": "Autre nom", "language": "fr"})
    assert actions(app) == ["account.created", "account.login", "account.profile_updated"]
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "account.login"))
        assert event.actor_id == user.id
        assert (event.object_type, event.object_id) == ("User", str(user.id))


def test_audit_rows_cannot_be_changed_or_deleted(app, make_user):
    make_user()
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent))
        event.action = "something.else"
        with pytest.raises(AuditTrailIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        event = db.session.scalar(sa.select(AuditEvent))
        db.session.delete(event)
        with pytest.raises(AuditTrailIsAppendOnly):
            db.session.flush()
        db.session.rollback()
    assert actions(app) == ["account.created"]


def test_record_keeps_details(app):
    with app.app_context():
        row = record("panel.draw", details={"seed": "4242"})
        db.session.commit()
        assert row.actor_id is None and row.details == {"seed": "4242"}


def test_admin_filters_the_audit_page(client, app, make_user, login):
    admin = make_user(Role.ADMIN, email="admin@example.org")
    resident = make_user(email="habitant@example.org")
    login(resident)
    client.post("/logout", data={})
    login(admin)
    page = client.get("/admin/audit/?action=account.login&actor=habitant@example.org")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert text.count("<code>account.login</code>") == 1
    assert "<code>account.created</code>" not in text
    everything = client.get("/admin/audit/").get_data(as_text=True)
    assert everything.count("<code>account.created</code>") == 2


def test_audit_page_rejects_bad_dates_without_crashing(client, make_user, login):
    login(make_user(Role.ADMIN))
    response = client.get("/admin/audit/?since=not-a-date")
    assert response.status_code == 200
