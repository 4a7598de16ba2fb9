"""Staff see how their messages went out (sent, waiting, failed with the reason) and retry a failed
one; township staff only for people of their townships; one claim per delivery on PostgreSQL."""
import re

import pytest
import sqlalchemy as sa

from liaison.audit.models import AuditEvent
from liaison.extensions import db
from liaison.notifications.delivery import deliver_one
from liaison.notifications.models import DeliveryStatus
from liaison.notifications.operations import send, set_email_address
from tests import factories
from tests.notifications.delivery_helpers import (configured, deliveries, run_delivery_job, smtp_server,
                                                  smtp_settings)
from tests.notifications.smtp_sink import free_port
from tests.notifications.helpers import Network


def page_text(response):
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


@pytest.fixture()
def two_townships(db):
    """安平镇 and 清河镇, each with a deputy who asked for email."""
    anping, qinghe = Network("安平镇"), Network("清河镇", term=None)
    people = {}
    for network, name in ((anping, "王芳"), (qinghe, "李强")):
        user = network.deputy(name).account
        set_email_address(user, f"{name}@example.com")
        people[name] = user
    db.session.commit()
    return anping, qinghe, people


def test_staff_see_failures_with_the_reason_and_retry_them(app, client, login_as, monkeypatch, two_townships,
                                                           request):
    """安平 staff see their deputy's refused email with the server's reason and a retry button (a CSRF
    form); retrying queues it again with an audit event, and the next run sends it. 清河's message
    is not listed for them, and retrying it answers 404."""
    anping, qinghe, people = two_townships
    with smtp_server(app, monkeypatch, mode="refuse"):
        send(people["王芳"], "2026年10月接待排班已公示", "", kind="rota_published")
        send(people["李强"], "清河的消息", "", kind="rota_published")
        db.session.commit()
        run_delivery_job()
    mine, theirs = deliveries()
    assert mine.status is DeliveryStatus.failed
    login_as("township_staff", townships=[anping.township])
    request.getfixturevalue("csrf_enabled")  # after signing in, which posts without a token

    page = page_text(client.get("/notifications/deliveries?status=failed"))
    assert "王芳" in page and "发送失败" in page and "550 5.1.1 mailbox unavailable" in page
    assert "清河的消息" not in page and "李强" not in page
    assert "王***@example.com" in page and "王芳@example.com" not in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    assert client.post(f"/notifications/deliveries/{mine.id}/retry").status_code == 400  # no CSRF token
    assert deliveries()[0].status is DeliveryStatus.failed
    assert client.post(f"/notifications/deliveries/{theirs.id}/retry",
                       data={"csrf_token": token}).status_code == 404
    response = client.post(f"/notifications/deliveries/{mine.id}/retry", data={"csrf_token": token},
                           follow_redirects=True)
    assert "已重新排队" in page_text(response)
    retried, untouched = deliveries()
    assert (retried.status, retried.attempts) == (DeliveryStatus.pending, 0)
    assert untouched.status is DeliveryStatus.failed
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "delivery.retried")).all()
    assert "550 5.1.1" in event.detail and event.target_id == str(mine.id)

    with smtp_server(app, monkeypatch) as smtp:
        assert run_delivery_job() == "sent 1"
        assert len(smtp.received) == 1
    assert "已发送" in page_text(client.get("/notifications/deliveries"))


def test_only_failed_deliveries_can_be_retried(app, client, login_as, monkeypatch, two_townships):
    """A sent message is never queued again from the page: the retry is refused with a message."""
    anping, _qinghe, people = two_townships
    with smtp_server(app, monkeypatch) as smtp:
        send(people["王芳"], "通知", "", kind="test")
        db.session.commit()
        run_delivery_job()
        login_as("township_staff", townships=[anping.township])
        [sent] = deliveries()
        response = client.post(f"/notifications/deliveries/{sent.id}/retry", follow_redirects=True)
        assert "只有发送失败的消息可以重发" in page_text(response)
        run_delivery_job()
        assert len(smtp.received) == 1
    assert deliveries()[0].status is DeliveryStatus.sent


def test_committee_see_every_township_and_waiting_messages(app, client, login_as, monkeypatch, two_townships):
    """Committee staff see all townships' deliveries; a waiting one says when it is tried next."""
    _anping, _qinghe, people = two_townships
    with configured(app, monkeypatch, **smtp_settings(free_port())):
        send(people["王芳"], "安平的消息", "", kind="test")
        send(people["李强"], "清河的消息", "", kind="test")
        db.session.commit()
        run_delivery_job()
    login_as("committee")
    page = page_text(client.get("/notifications/deliveries"))
    assert "安平的消息" in page and "清河的消息" in page
    assert "等待发送" in page and "已试 1 次" in page
    assert "仅存发件箱" in page  # the SMS copies, kept in the outbox


@pytest.mark.postgres
def test_a_delivery_locked_by_another_process_is_skipped(app, db, monkeypatch):
    """While one process holds a delivery (it is sending it), another run takes the next one instead
    of sending the same message twice (SELECT ... FOR UPDATE SKIP LOCKED)."""
    from liaison.clock import utcnow
    from liaison.notifications.channels import configured_channels
    from liaison.notifications.models import Delivery

    with smtp_server(app, monkeypatch) as smtp:
        for n in range(2):
            user = factories.make_user()
            set_email_address(user, f"d{n}@example.com")
            send(user, f"消息{n}", "", kind="test")
        db.session.commit()
        first, second = deliveries()
        with db.engine.connect() as other:
            other.execute(sa.select(Delivery.id).where(Delivery.id == first.id).with_for_update())
            channels = {c.name: c for c in configured_channels() if not c.holds}
            assert deliver_one(channels, utcnow())[1] == "sent"
            assert deliver_one(channels, utcnow()) is None
            other.rollback()
        assert [d.status for d in deliveries()] == [DeliveryStatus.pending, DeliveryStatus.sent]
        assert [r[1] for r in smtp.received] == [["d1@example.com"]]
