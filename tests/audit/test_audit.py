"""The audit trail is append-only, searchable by committee staff, and pruned after its retention."""
import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from liaison.audit.models import AuditEvent, Outcome
from liaison.audit.operations import prune_events, record_event


def test_the_database_refuses_to_change_an_audit_event(db):
    """Even SQL that bypasses the app cannot rewrite history."""
    event = record_event("login.failure", outcome=Outcome.failure, detail="138****0000")
    db.session.commit()
    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == event.id).values(detail="changed"))
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEvent, event.id).detail == "138****0000"


def test_prune_deletes_only_events_past_retention(db):
    with freeze_time("2020-01-01"):
        record_event("login.success")
    with freeze_time("2026-01-01"):
        record_event("login.success")
        db.session.commit()
        deleted = prune_events(365)
        db.session.commit()
    assert deleted == 1
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["login.success", "audit.pruned"]


def test_committee_searches_the_trail(client, db, login_as):
    committee = login_as("committee")
    record_event("mobile.revealed", actor=committee, detail="代表 #7")
    record_event("login.failure", outcome=Outcome.failure, detail="138****0001")
    db.session.commit()
    page = client.get("/audit?action=mobile.revealed").get_data(as_text=True)
    assert "查看完整手机号码" in page and "代表 #7" in page
    assert "138****0001" not in page
    page = client.get("/audit?outcome=failure").get_data(as_text=True)
    assert "138****0001" in page


def test_township_staff_cannot_read_the_trail(client, db, login_as):
    login_as("township_staff")
    assert client.get("/audit").status_code == 403


def test_search_by_local_date(client, db, login_as):
    """Dates in the form are local (Asia/Shanghai): an event at 23:30 local on 1 March is on 1 March."""
    committee = login_as("committee")
    with freeze_time("2026-03-01 15:30:00"):  # 23:30 in Shanghai
        record_event("export", actor=committee, detail="三月一日晚")
    db.session.commit()
    assert "三月一日晚" in client.get("/audit?from=2026-03-01&to=2026-03-01").get_data(as_text=True)
    assert "三月一日晚" not in client.get("/audit?from=2026-03-02&to=2026-03-02").get_data(as_text=True)
