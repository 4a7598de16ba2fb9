"""The inbox: sending writes one message per user and key, the default SMS gateway keeps an SMS
delivery held in the outbox, users read and mark only their own messages, and the menu shows the
unread count."""
import sqlalchemy as sa

from liaison.accounts.models import Role
from liaison.extensions import db
from liaison.notifications.channels import sms_text
from liaison.notifications.models import Delivery, DeliveryStatus, Message
from liaison.notifications.operations import send
from tests import factories


def messages():
    return db.session.scalars(sa.select(Message).order_by(Message.id)).all()


def outbox():
    return db.session.scalars(
        sa.select(Delivery).where(Delivery.channel == "sms").order_by(Delivery.id)).all()


def test_a_dedupe_key_reaches_each_user_once(db):
    """The same key to the same user is written once; other users and key-less messages are not held back."""
    alice = factories.make_user(name="甲")
    bob = factories.make_user(name="乙")
    assert send(alice, "本月尚未进站", "请到联络站签到。", kind="test", dedupe_key="rule:2026-03") is not None
    assert send(alice, "本月尚未进站", "请到联络站签到。", kind="test", dedupe_key="rule:2026-03") is None
    assert send(bob, "本月尚未进站", "", kind="test", dedupe_key="rule:2026-03") is not None
    first = send(alice, "通知", "一", kind="test")
    second = send(alice, "通知", "一", kind="test")
    assert first.dedupe_key != second.dedupe_key and first.dedupe_key.startswith("uuid:")
    db.session.commit()
    assert [(m.user_id, m.subject) for m in messages()] == [
        (alice.id, "本月尚未进站"), (bob.id, "本月尚未进站"), (alice.id, "通知"), (alice.id, "通知")]


def test_the_default_gateway_writes_the_outbox(db):
    """Each message becomes one SMS delivery held in the outbox for the user's mobile (never sent),
    with subject and body."""
    user = factories.make_user(name="王芳", mobile="13912345678")
    message = send(user, "本月尚未进站", "请在月底前到联络站签到。", kind="test", dedupe_key="k")
    send(user, "本月尚未进站", "请在月底前到联络站签到。", kind="test", dedupe_key="k")
    db.session.commit()
    [row] = outbox()
    assert (row.address, row.status, row.next_try_at) == ("13912345678", DeliveryStatus.held, None)
    assert (row.message.user_id, row.message_id) == (user.id, message.id)
    assert sms_text(row.message.subject, row.message.body) == "【代表联络平台】本月尚未进站：请在月底前到联络站签到。"


def test_a_long_message_is_shortened_for_sms(db):
    """A body too long for two SMS segments is replaced by a pointer to the inbox."""
    user = factories.make_user()
    send(user, "名单", "张三、" * 100, kind="test")
    [row] = outbox()
    assert sms_text(row.message.subject, row.message.body) == "【代表联络平台】名单。详情请登录代表联络平台查看消息。"


def test_sms_can_be_turned_off(app, db, monkeypatch):
    """With LIAISON_SMS_GATEWAY=none the inbox still gets the message and the outbox stays empty."""
    monkeypatch.setitem(app.config, "LIAISON_SMS_GATEWAY", "none")
    monkeypatch.delitem(app.extensions, "liaison_channels", raising=False)
    try:
        send(factories.make_user(), "通知", "", kind="test")
        assert len(messages()) == 1 and outbox() == []
    finally:
        app.extensions.pop("liaison_channels", None)


def test_committee_reads_the_outbox_with_masked_numbers(client, login_as):
    """The outbox page lists the texts with masked phone numbers, never the full number."""
    login_as("committee")
    send(factories.make_user(name="王芳", mobile="13912345678"), "本月尚未进站", "请签到。", kind="test")
    page = client.get("/notifications/outbox").get_data(as_text=True)
    assert "139****5678" in page and "13912345678" not in page
    assert "王芳" in page and "本月尚未进站" in page and "仅存发件箱" in page
    searched = client.get("/notifications/outbox?q=13912345678").get_data(as_text=True)
    assert "139****5678" in searched
    assert "139****5678" not in client.get("/notifications/outbox?q=13800000000").get_data(as_text=True)


def test_township_staff_cannot_read_the_outbox(client, login_as):
    """The outbox holds every township's texts: township staff are refused."""
    login_as("township_staff")
    assert client.get("/notifications/outbox").status_code == 403


def test_the_inbox_shows_the_users_messages_and_the_menu_counts_unread(client, login_as):
    """A deputy sees their own messages, newest first, and 消息（2） in the menu; not others' messages."""
    user = login_as("deputy")
    send(user, "旧消息", "第一条", kind="test")
    send(user, "新消息", "第二条", kind="test")
    send(factories.make_user(), "别人的消息", "不该看到", kind="test")
    page = client.get("/inbox").get_data(as_text=True)
    assert page.index("新消息") < page.index("旧消息")
    assert "第二条" in page and "别人的消息" not in page
    assert "消息（2）" in page and "2 条未读" in page


def test_mark_read_works_only_for_the_owner(client, login_as):
    """The owner marks a message read; another user's attempt answers 404 and changes nothing."""
    owner = factories.make_user(roles={Role.deputy}, deputy=factories.make_deputy())
    theirs = send(owner, "别人的消息", "", kind="test")
    user = login_as("deputy")
    mine = send(user, "我的消息", "", kind="test")
    mine_id, theirs_id = mine.id, theirs.id
    assert client.post(f"/inbox/{theirs_id}/read").status_code == 404
    assert db.session.get(Message, theirs_id).read_at is None
    response = client.post(f"/inbox/{mine_id}/read")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Message, mine_id).read_at is not None
    page = client.get("/inbox").get_data(as_text=True)
    assert "消息（" not in page and "未读" not in page


def test_mark_all_read(client, login_as):
    """Marking all read clears the user's unread messages and leaves others' alone."""
    user = login_as("township_staff")
    send(user, "一", "", kind="test")
    send(user, "二", "", kind="test")
    other = send(factories.make_user(), "三", "", kind="test")
    other_id = other.id
    client.post("/inbox/read-all")
    db.session.expire_all()
    assert all(m.read_at is not None for m in messages() if m.user_id == user.id)
    assert db.session.get(Message, other_id).read_at is None
    assert "已将 2 条消息标为已读" in client.get("/inbox").get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    """The inbox needs a signed-in user."""
    response = client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
