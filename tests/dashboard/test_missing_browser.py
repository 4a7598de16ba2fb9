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
    """From the home page one tap opens this month's list, which fits a 390 px screen; 全选 then
    提醒所选代表 reminds 乙 and 丙; the list says 已提醒 1 次 for each."""
    today = local_today()
    world = missing_world.build(db, today=today)
    month = Month.of(today)
    mobile = world.staff.mobile
    term_id = world.term.id
    db.session.commit()
    db.session.close()
    # 甲 checked in on 2 December 2026: in any other month everyone of 东镇 is in progress.
    expected = {"乙", "丙"} if date(2026, 12, 2) in month else {"甲", "乙", "丙"}

    sign_in_page(page, live_server, mobile)
    # From the home page: one tap to this month's list.
    page.locator("#missing-links").get_by_role("link", name="本月谁还没进站").click()
    page.wait_for_url("**/dashboard/people?**")
    assert f"period={month.key}" in page.url and f"term={term_id}" in page.url
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
