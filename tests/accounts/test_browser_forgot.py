"""At phone size (iPhone 13, zh-CN): a deputy who forgot the password asks for an SMS code, reads it
(the SMS outbox), sets a new password and is back in (rule R35)."""
import re

import pytest
import sqlalchemy as sa

from liaison.accounts.models import Role
from liaison.notifications.models import Delivery
from tests import factories

NEW_PASSWORD = "river-stone-42"


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.browser
def test_a_deputy_forgets_the_password_and_gets_back_in(db, live_server, page, screenshot):
    town = factories.make_township(name="城关镇")
    deputy = factories.make_deputy(name="林晓燕")
    factories.make_mandate(deputy=deputy, township=town)
    user = factories.make_user(roles={Role.deputy}, deputy=deputy)
    factories.make_user(roles={Role.township_staff}, townships=[town], name="陈专干")
    mobile = user.mobile
    db.session.commit()

    page.goto(f"{live_server}/login")
    # Five wrong passwords: the message says what to do next, and the link is right there.
    for _ in range(5):
        page.fill("#mobile", mobile)
        page.fill("#password", "wrong-password-1")
        page.click("form button[type=submit]")
        page.wait_for_load_state()
    assert "或点击下方“忘记密码”找回" in page.inner_text("main")
    assert fits(page)
    screenshot("locked-out")
    page.click("#forgot-link")
    page.wait_for_url(f"{live_server}/password/forgot")
    page.fill("#mobile", mobile)
    assert fits(page)
    screenshot("forgot")
    page.click("#send-code")
    page.wait_for_url(f"{live_server}/password/reset")
    assert f"如果 {mobile[:3]}****{mobile[-4:]} 是已登记的代表手机号码" in page.inner_text("main")
    assert page.input_value("#mobile") == mobile
    screenshot("reset")

    # The text waits in the SMS outbox for the delivery job (the default gateway keeps it there).
    db.session.commit()
    sms = db.session.scalars(sa.select(Delivery).where(Delivery.channel == "sms", Delivery.address == mobile)).all()
    assert len(sms) == 1
    code = re.search(r"验证码 (\d{6})", sms[0].message.body).group(1)
    db.session.commit()  # leave the database to the server thread (SQLite's write lock)

    page.fill("#code", code)
    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    assert "密码已重新设置，已为您登录" in page.inner_text("main")
    screenshot("back-in")

    # Signed out, the new password works on the login page (the lock was lifted by the reset).
    page.context.clear_cookies()
    page.goto(f"{live_server}/login")
    page.fill("#mobile", mobile)
    page.fill("#password", NEW_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server}/")


@pytest.mark.browser
def test_asking_township_staff_at_phone_size(db, live_server, page, screenshot):
    page.goto(f"{live_server}/password/forgot")
    page.fill("#mobile", "13899990001")
    page.click("#ask-staff")
    page.wait_for_selector("#asked")
    assert "人大工作人员已收到您的请求" in page.inner_text("main") and fits(page)
    screenshot("asked")
