"""忘记密码 (rule R35): a new password by an SMS code sent through the delivery job, or by asking the
township's staff; the same answer whether or not the number is registered; limits per number and
per address; lockout messages that say what to do next."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from liaison.accounts.models import Role, User
from liaison.clock import utcnow
from liaison.notifications.models import Delivery, Message
from tests import factories
from tests.conftest import sign_in

NEW_PASSWORD = "river-stone-42"


def _from(app, ip="10.1.0.1"):
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = ip
    return browser


def _deputy(db, township=None, **kw):
    deputy = factories.make_deputy(**kw)
    user = factories.make_user(roles={Role.deputy}, deputy=deputy)
    if township is not None:
        factories.make_mandate(deputy=deputy, township=township)
    db.session.commit()
    return user


def _sms(db):
    """(address, body) of every SMS delivery queued, oldest first."""
    db.session.commit()
    return [(d.address, d.message.body) for d in db.session.scalars(
        sa.select(Delivery).where(Delivery.channel == "sms").order_by(Delivery.id))]


def _code(db, mobile):
    bodies = [body for address, body in _sms(db) if address == mobile]
    assert bodies, "no SMS to that number"
    return re.search(r"验证码 (\d{6})", bodies[-1]).group(1)


def test_a_deputy_gets_a_code_by_sms_sets_a_new_password_and_is_signed_in(app, db):
    user = _deputy(db)
    mobile = user.mobile
    phone = _from(app)
    assert "忘记密码？" in phone.get("/login").get_data(as_text=True)
    response = phone.post("/password/forgot", data={"mobile": mobile, "send_code": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/password/reset")
    page = phone.get("/password/reset").get_data(as_text=True)
    assert f"如果 {mobile[:3]}****{mobile[-4:]} 是已登记的代表手机号码，验证码短信已发出，10 分钟内有效" in page
    code = _code(db, mobile)  # in the SMS outbox: queued for the delivery job, never sent in the request
    response = phone.post("/password/reset", data={"mobile": mobile, "code": code, "password": NEW_PASSWORD,
                                                   "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert phone.get("/me").status_code == 200  # signed in
    assert sign_in(_from(app, "10.1.0.2"), mobile, factories.PASSWORD).status_code == 200  # old one refused
    assert sign_in(_from(app, "10.1.0.3"), mobile, NEW_PASSWORD).status_code == 302
    # The code is used up.
    again = _from(app, "10.1.0.4").post("/password/reset", data={
        "mobile": mobile, "code": code, "password": "another-pass-77", "confirm": "another-pass-77"})
    assert again.status_code == 400 and "验证码不正确或已过期" in again.get_data(as_text=True)


def test_an_unknown_number_gets_exactly_the_same_answer(app, db):
    """A registered number and an unknown one with the same masked form: the same pages, byte for byte;
    only the registered one is sent a code."""
    user = _deputy(db, mobile="13812340001")
    pages = []

    def same(page):
        """The page without what differs on every request (the CSRF token) and the number typed."""
        return re.sub(r'name="csrf_token" value="[^"]*"', "", page.get_data(as_text=True)).replace(mobile, "M")

    for mobile in (user.mobile, "13899990001"):
        phone = _from(app, "10.2.0.1" if mobile == user.mobile else "10.2.0.2")
        first = phone.post("/password/forgot", data={"mobile": mobile, "send_code": "1"})
        second = phone.get("/password/reset")
        wrong = phone.post("/password/reset", data={"mobile": mobile, "code": "000000",
                                                    "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        asked = _from(app, "10.2.1.1" if mobile == user.mobile else "10.2.1.2").post(
            "/password/forgot", data={"mobile": mobile, "ask_staff": "1"})
        pages.append((first.status_code, first.headers.get("Location"), same(second), wrong.status_code,
                      same(wrong), asked.status_code, same(asked)))
    assert pages[0] == pages[1]
    assert [address for address, _ in _sms(db)] == [user.mobile]


def test_requests_are_limited_per_number_registered_or_not(app, db):
    user = _deputy(db)
    for mobile in (user.mobile, "13700000999"):
        statuses = [_from(app, f"10.3.{n}.1").post("/password/forgot", data={"mobile": mobile, "send_code": "1"})
                    for n in range(4)]
        assert [r.status_code for r in statuses] == [302, 302, 302, 429], mobile
        assert "请求过于频繁，请 60 分钟后再试" in statuses[-1].get_data(as_text=True)
    assert len(_sms(db)) == 3
    with freeze_time(utcnow() + timedelta(minutes=61)):
        assert _from(app, "10.3.9.1").post("/password/forgot", data={
            "mobile": user.mobile, "send_code": "1"}).status_code == 302


def test_requests_are_limited_per_address(app, db):
    phone = _from(app, "10.4.0.1")
    statuses = [phone.post("/password/forgot", data={"mobile": f"1390000{n:04d}", "send_code": "1"}).status_code
                for n in range(11)]
    assert statuses == [302] * 10 + [429]


def test_five_wrong_codes_void_the_code(app, db):
    user = _deputy(db)
    phone = _from(app)
    phone.post("/password/forgot", data={"mobile": user.mobile, "send_code": "1"})
    code = _code(db, user.mobile)
    wrong = "111111" if code != "111111" else "222222"
    for _ in range(5):
        assert phone.post("/password/reset", data={"mobile": user.mobile, "code": wrong, "password": NEW_PASSWORD,
                                                   "confirm": NEW_PASSWORD}).status_code == 400
    late = phone.post("/password/reset", data={"mobile": user.mobile, "code": code, "password": NEW_PASSWORD,
                                               "confirm": NEW_PASSWORD})
    assert late.status_code == 400
    db.session.commit()
    assert db.session.get(User, user.id).check_password(factories.PASSWORD)


def test_a_staff_account_is_not_reset_by_sms(app, db):
    """Staff rights are not handed over by a text message: same answer, no code."""
    staff = factories.make_user(roles={Role.township_staff, Role.deputy}, deputy=factories.make_deputy(),
                                townships=[factories.make_township()])
    db.session.commit()
    response = _from(app).post("/password/forgot", data={"mobile": staff.mobile, "send_code": "1"})
    assert response.status_code == 302 and _sms(db) == []


def test_asking_staff_puts_a_task_in_the_township_staffs_inbox(app, db):
    town = factories.make_township(name="城关镇")
    other = factories.make_township(name="河西镇")
    user = _deputy(db, township=town, name="林晓燕")
    ours = factories.make_user(roles={Role.township_staff}, townships=[town], name="陈专干")
    theirs = factories.make_user(roles={Role.township_staff}, townships=[other], name="王专干")
    db.session.commit()
    response = _from(app).post("/password/forgot", data={"mobile": user.mobile, "ask_staff": "1"})
    assert response.status_code == 200
    assert "人大工作人员已收到您的请求" in response.get_data(as_text=True)
    db.session.commit()
    messages = db.session.scalars(sa.select(Message).where(Message.kind == "password_help")).all()
    assert [m.user_id for m in messages] == [ours.id]
    assert "林晓燕 代表忘记密码" in messages[0].subject and f"/deputies/{user.deputy_id}" in messages[0].body
    assert user.mobile not in messages[0].body  # masked
    staff_client = _from(app, "10.5.0.9")
    sign_in(staff_client, ours.mobile)
    assert "林晓燕 代表忘记密码" in staff_client.get("/inbox").get_data(as_text=True)
    assert theirs.id not in [m.user_id for m in messages]


def test_the_lockout_message_says_what_to_do_next(app, db):
    user = _deputy(db)
    phone = _from(app, "10.6.0.1")
    for _ in range(5):
        page = sign_in(phone, user.mobile, "wrong-password-1").get_data(as_text=True)
    assert "尝试次数过多，请 30 秒后再试，或点击下方“忘记密码”找回" in page and 'id="forgot-link"' in page


@pytest.mark.parametrize("mobile", ["", "1381234", "abc"])
def test_a_malformed_number_is_refused_with_a_message(app, db, mobile):
    response = _from(app).post("/password/forgot", data={"mobile": mobile, "send_code": "1"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "请输入手机号码" in page or "手机号码应为 11 位数字" in page
