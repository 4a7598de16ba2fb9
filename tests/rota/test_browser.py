"""On a phone-sized Chromium: township staff propose next month, take one deputy off a slot, publish;
the public station page shows the rota; the deputy sees their slot."""
import re

import pytest

from tests import factories
from tests.conftest import sign_in_page


@pytest.mark.browser
def test_staff_propose_adjust_and_publish_then_the_public_page_shows_it(db, october, live_server, page,
                                                                       screenshot):
    """Propose, remove one deputy from a slot, publish: the station's public page lists that
    slot's remaining deputies and not the one removed; a deputy kept in it sees their slot on the phone."""
    codes = {s.name: s.code for s in (october.dongsheng, october.hongqi, october.xintang)}
    staff_mobile = october.staff.mobile
    # One hash for every deputy: whoever keeps a place signs in later.
    october.staff.set_password(factories.PASSWORD)
    for person in october.people.values():
        person.account.password_hash = october.staff.password_hash
    mobiles = {name: person.mobile for name, person in october.people.items()}
    # Commit and touch the database no more: on SQLite an open transaction would hold the write lock.
    db.session.commit()

    sign_in_page(page, live_server, staff_mobile)
    page.goto(f"{live_server}/rota")
    screenshot("index")
    page.click("#propose button[type=submit]")
    page.wait_for_url(re.compile(r".*/rota/\d+$"))
    assert "已生成排班建议" in page.inner_text("main")
    screenshot("proposed")

    slots = page.locator(".slot")
    first = next(slots.nth(i) for i in range(slots.count())
                 if slots.nth(i).locator(".assignment").count() >= 2)
    slot_id = first.get_attribute("id")
    station = next(name for name in codes if name in first.inner_text())
    removed = first.locator(".assignment").first.locator("span").first.inner_text().strip()
    kept = set(first.locator(".assignment > span:first-child").all_inner_texts()) - {removed}
    first.locator(".assignment").first.locator("button", has_text="移出").click()
    page.wait_for_load_state()
    assert f"已将 {removed} 移出" in page.inner_text("main")
    assert removed not in page.locator(f"#{slot_id} .assignment > span:first-child").all_inner_texts()
    page.locator("form", has=page.locator("button", has_text="公示并通知代表")).locator("button").click()
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "已公示" in main and "公示并通知代表" not in main
    screenshot("published")
    page.goto(page.url + "/notice" if not page.url.endswith("/notice") else page.url)
    assert "人大代表进站接待选民安排" in page.inner_text("main")
    screenshot("notice")

    page.context.clear_cookies()
    page.goto(f"{live_server}/p/{codes[station]}")
    listed = {name for names in page.locator(".public-names").all_inner_texts() for name in names.split("、")}
    assert kept and kept <= listed
    assert removed not in listed
    assert not re.search(r"1[3-9]\d{9}", page.content())
    screenshot("public")

    sign_in_page(page, live_server, mobiles[sorted(kept)[0]])
    page.goto(f"{live_server}/my/slots")
    assert page.locator("#my-slots .list-group-item").count() == 1
    assert "请假或换班" in page.inner_text("#my-slots")
    screenshot("my-slots")
    page.click("text=请假或换班")
    screenshot("leave-form")
