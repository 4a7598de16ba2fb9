"""On a phone: township staff open the 进行中 list of this month, tick everyone and remind them (rule R24)."""
from datetime import date

import pytest
import sqlalchemy as sa

from liaison.clock import Month, local_today
from liaison.notifications.models import Message
from tests.conftest import sign_in_page
from tests.dashboard import missing_world

pytestmark = pytest.mark.browser


def test_staff_remind_everyone_missing_in_two_taps(live_server, db, page, screenshot):
    """The list fits a 390 px screen; 全选 then 提醒所选代表 reminds 乙 and 丙; the list says 已提醒 1 次."""
    today = local_today()
    world = missing_world.build(db, today=today)
    month = Month.of(today)
    mobile = world.staff.mobile
    url = missing_world.list_url(world).replace("year=2026", f"year={today.year}").replace(
        "period=202612", f"period={month.key}")
    db.session.commit()
    db.session.close()
    # 甲 checked in on 2 December 2026: in any other month everyone of 东镇 is in progress.
    expected = {"乙", "丙"} if date(2026, 12, 2) in month else {"甲", "乙", "丙"}

    sign_in_page(page, live_server, mobile)
    page.goto(f"{live_server}{url}")
    names = {text.strip() for text in page.locator("#missing .missing-person .fw-bold").all_inner_texts()}
    assert names == expected
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    box = page.locator("#select-all").bounding_box()
    assert box["height"] >= 24
    screenshot("missing-list")
    page.locator("#select-all").check()
    assert page.locator("#missing input[name=ids]:checked").count() == len(expected)
    page.locator("#remind-button").click()
    page.wait_for_selector(".alert-success")
    assert "已提醒" in page.locator(".alert-success").inner_text()
    assert page.locator("#missing .reminded").count() == len(expected)
    assert set(page.locator("#missing .reminded").all_inner_texts()) == {"已提醒 1 次"}
    screenshot("reminded")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Message.id)).where(
        Message.kind == "visit_reminder_month")) == len(expected - {"丙"})
