"""Email delivery over SMTP, against a small SMTP server on a loopback port; and the address page."""
import email
from email import policy

import pytest
import sqlalchemy as sa

from liaison.extensions import db
from liaison.notifications.channels import build_email
from liaison.notifications.models import EmailAddress
from liaison.notifications.operations import send, set_email_address
from tests import factories
from tests.notifications.smtp_sink import SmtpSink


@pytest.fixture()
def smtp(app, monkeypatch):
    """Email turned on, pointing at a local sink (plain SMTP, no login)."""
    with SmtpSink() as sink:
        for key, value in {"LIAISON_SMTP_HOST": "127.0.0.1", "LIAISON_SMTP_PORT": sink.port,
                           "LIAISON_SMTP_TLS": "none", "LIAISON_SMTP_USER": "",
                           "LIAISON_SMTP_FROM": "noreply@liaison.test"}.items():
            monkeypatch.setitem(app.config, key, value)
        app.extensions.pop("liaison_channels", None)
        yield sink
    app.extensions.pop("liaison_channels", None)


def test_a_message_is_emailed_to_users_with_an_address(db, smtp):
    """A user with an address gets the message by email in UTF-8; a user without one gets none."""
    user = factories.make_user(name="王芳")
    set_email_address(user, "wangfang@example.com")
    send(user, "本月尚未进站", "您本月还没有到代表联络站签到。", kind="test")
    send(factories.make_user(), "本月尚未进站", "无邮箱", kind="test")
    [(sender, recipients, data)] = smtp.received
    assert sender == "<noreply@liaison.test>" and recipients == ["<wangfang@example.com>"]
    received = email.message_from_bytes(data, policy=policy.default)
    assert received["Subject"] == "本月尚未进站"
    assert received["To"] == "wangfang@example.com"
    assert received.get_content().strip() == "您本月还没有到代表联络站签到。"


def test_a_failing_mail_server_keeps_the_inbox_message(app, db, monkeypatch):
    """When SMTP cannot be reached the message is still in the inbox and the SMS is still queued."""
    monkeypatch.setitem(app.config, "LIAISON_SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "LIAISON_SMTP_PORT", 9)  # discard port: nothing listens
    monkeypatch.setitem(app.config, "LIAISON_SMTP_TLS", "none")
    app.extensions.pop("liaison_channels", None)
    try:
        user = factories.make_user()
        set_email_address(user, "x@example.com")
        assert send(user, "通知", "正文", kind="test") is not None
        db.session.commit()
    finally:
        app.extensions.pop("liaison_channels", None)
    from liaison.notifications.models import Message, SmsOutbox

    assert db.session.scalar(sa.select(sa.func.count(Message.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(SmsOutbox.id))) == 1


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
