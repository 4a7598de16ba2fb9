"""Email delivery against real SMTP servers (aiosmtpd): nothing is sent before the scheduler's
delivery job, a sent delivery is never sent again, refusals fail with the server's reason, an
unreachable or hanging relay is retried with back-off; and the address page."""
import email
import time
from datetime import timedelta
from email import policy

import pytest

from liaison.clock import utcnow
from liaison.extensions import db
from liaison.notifications.channels import build_email
from liaison.notifications.delivery import deliver_pending
from liaison.notifications.models import DeliveryStatus, EmailAddress, Message
from liaison.notifications.operations import send, set_email_address
from tests import factories
from tests.notifications.delivery_helpers import (configured, deliveries, run_delivery_job, smtp_server,
                                                  smtp_settings)
from tests.notifications.smtp_sink import free_port


def addressed_user(address="wangfang@example.com", **kw):
    """A user who asked for messages by email."""
    user = factories.make_user(**kw)
    set_email_address(user, address)
    return user


def test_a_message_is_emailed_by_the_job_not_by_send(app, db, monkeypatch):
    """send() only queues: the mail leaves when the delivery job runs, in UTF-8, to users with an
    address; the delivery then shows sent, and running the job again sends nothing more."""
    with smtp_server(app, monkeypatch) as smtp:
        user = addressed_user(name="王芳")
        send(user, "本月尚未进站", "您本月还没有到代表联络站签到。", kind="test")
        send(factories.make_user(), "本月尚未进站", "无邮箱", kind="test")
        db.session.commit()
        assert smtp.sessions == 0 and smtp.received == []
        [queued] = deliveries()
        assert (queued.status, queued.address, queued.attempts) == (
            DeliveryStatus.pending, "wangfang@example.com", 0)

        assert run_delivery_job() == "sent 1"
        [(sender, recipients, data)] = smtp.received
        assert sender == "noreply@liaison.test" and recipients == ["wangfang@example.com"]
        received = email.message_from_bytes(data, policy=policy.default)
        assert received["Subject"] == "本月尚未进站" and received["To"] == "wangfang@example.com"
        assert received.get_content().strip() == "您本月还没有到代表联络站签到。"
        [sent] = deliveries()
        assert (sent.status, sent.attempts, sent.next_try_at) == (DeliveryStatus.sent, 1, None)
        assert sent.sent_at is not None

        assert run_delivery_job() == ""
        assert len(smtp.received) == 1


def test_a_rolled_back_send_never_leaves(app, db, monkeypatch):
    """A message written in a transaction that rolls back (a failed save) is never mailed."""
    with smtp_server(app, monkeypatch) as smtp:
        user = addressed_user()
        db.session.commit()
        send(user, "换班已批准", "", kind="test")
        db.session.rollback()
        run_delivery_job()
        assert smtp.sessions == 0 and deliveries() == []


def test_an_unreachable_server_keeps_the_message_and_retries_later(app, db, monkeypatch):
    """With nothing listening, the inbox message and the SMS stay; the email waits with the reason and
    a next try one minute later, then two; after the last attempt it is marked failed."""
    with configured(app, monkeypatch, LIAISON_DELIVERY_MAX_ATTEMPTS=3, **smtp_settings(free_port())):
        user = addressed_user()
        assert send(user, "通知", "正文", kind="test") is not None
        db.session.commit()
        now = utcnow()
        assert deliver_pending(now=now) == {"pending": 1}
        [waiting] = deliveries()
        assert (waiting.status, waiting.attempts) == (DeliveryStatus.pending, 1)
        assert "ConnectionRefusedError" in waiting.last_error
        assert waiting.next_try_at == now + timedelta(seconds=60)
        assert deliver_pending(now=now + timedelta(seconds=59)) == {}
        assert deliver_pending(now=now + timedelta(seconds=60)) == {"pending": 1}
        assert deliveries()[0].next_try_at == now + timedelta(seconds=60 + 120)
        assert deliver_pending(now=now + timedelta(seconds=180)) == {"failed": 1}
        [failed] = deliveries()
        assert (failed.status, failed.attempts, failed.next_try_at) == (DeliveryStatus.failed, 3, None)
        assert db.session.query(Message).count() == 1
        assert [d.status for d in deliveries("sms")] == [DeliveryStatus.held]


def test_a_refusing_relay_fails_the_delivery_with_its_reason(app, db, monkeypatch):
    """A 550 answer is final: the delivery is failed at once with the server's words, not retried."""
    with smtp_server(app, monkeypatch, mode="refuse") as smtp:
        send(addressed_user(), "通知", "", kind="test")
        db.session.commit()
        assert run_delivery_job() == "failed 1"
        [failed] = deliveries()
        assert (failed.status, failed.attempts) == (DeliveryStatus.failed, 1)
        assert failed.last_error == "550 5.1.1 mailbox unavailable"
        assert smtp.received == []


def test_a_relay_that_says_try_later_is_retried(app, db, monkeypatch):
    """A 451 answer keeps the delivery waiting with the reason; when the relay accepts, it is sent."""
    with smtp_server(app, monkeypatch, mode="defer"):
        send(addressed_user(), "通知", "", kind="test")
        db.session.commit()
        assert run_delivery_job() == "pending 1"
        [waiting] = deliveries()
        assert (waiting.status, waiting.last_error) == (DeliveryStatus.pending, "451 4.3.0 try again later")
        next_try = waiting.next_try_at
    with smtp_server(app, monkeypatch) as smtp:
        assert deliver_pending(now=next_try) == {"sent": 1}
        assert len(smtp.received) == 1
        assert (deliveries()[0].status, deliveries()[0].last_error) == (DeliveryStatus.sent, "")


def test_a_hanging_relay_costs_one_timeout_per_run(app, db, monkeypatch):
    """A relay that never answers holds the job for the SMTP timeout once, not once per message:
    the other messages wait untouched for the next run, and the one tried waits with the reason."""
    with smtp_server(app, monkeypatch, mode="hang", timeout=1) as smtp:
        for n in range(3):
            send(addressed_user(f"d{n}@example.com"), "通知", "", kind="test")
        db.session.commit()
        started = time.monotonic()
        assert run_delivery_job() == "pending 1"
        assert time.monotonic() - started < 5
        tried, *untouched = deliveries()
        assert tried.attempts == 1 and "timed out" in tried.last_error
        assert [(d.status, d.attempts) for d in untouched] == [(DeliveryStatus.pending, 0)] * 2
        assert smtp.received == []


def test_the_email_is_built_as_plain_utf8_text():
    """Subject and body in Chinese survive the trip through the email format."""
    built = build_email("代表联络平台 <noreply@liaison.test>", "a@example.com", "季度提醒", "请回到代表之家。")
    parsed = email.message_from_bytes(built.as_bytes(), policy=policy.default)
    assert parsed["Subject"] == "季度提醒" and parsed.get_content().strip() == "请回到代表之家。"
    assert parsed["Message-ID"].endswith("@liaison.test>")


def test_a_user_sets_and_removes_their_address(client, login_as):
    """A bad address shows the Chinese message and saves nothing; a good one is saved; blank removes it."""
    user = login_as("deputy")
    response = client.post("/inbox/email", data={"address": "not-an-address"})
    assert "电子邮箱格式不对" in response.get_data(as_text=True)
    assert db.session.get(EmailAddress, user.id) is None
    assert client.post("/inbox/email", data={"address": " me@example.com "}).status_code == 302
    assert db.session.get(EmailAddress, user.id).address == "me@example.com"
    assert 'value="me@example.com"' in client.get("/inbox/email").get_data(as_text=True)
    client.post("/inbox/email", data={"address": ""})
    db.session.expire_all()
    assert db.session.get(EmailAddress, user.id) is None


@pytest.mark.parametrize("value,expected", [("starttls", "starttls"), ("SSL", "ssl"), ("none", "none"),
                                            ("1", "starttls"), ("0", "none")])
def test_smtp_tls_setting_is_read_strictly(tmp_path, monkeypatch, value, expected):
    """LIAISON_SMTP_TLS accepts starttls, ssl, none (or yes/no)."""
    from liaison.config import load_config

    monkeypatch.setenv("LIAISON_SMTP_TLS", value)
    assert load_config(str(tmp_path), {"ENV": "testing"})["LIAISON_SMTP_TLS"] == expected


def test_a_mistyped_smtp_tls_setting_stops_the_start(tmp_path, monkeypatch):
    """A value that is none of them refuses to start rather than sending mail in the clear."""
    from liaison.config import ConfigError, load_config

    monkeypatch.setenv("LIAISON_SMTP_TLS", "tls1.2")
    with pytest.raises(ConfigError, match="LIAISON_SMTP_TLS"):
        load_config(str(tmp_path), {"ENV": "testing"})
