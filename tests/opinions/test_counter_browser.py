"""On a phone: the committee reads this month's 民意 table on the dashboard and follows the overdue count
to the staff queue."""
from datetime import timedelta

import pytest

from liaison.clock import local_today
from liaison.opinions.models import Handling, Satisfaction, Status
from tests import factories
from tests.opinions.sample import make_opinion, make_station

pytestmark = pytest.mark.browser


def test_committee_reads_the_month_and_opens_the_overdue_queue(live_server, db, page, screenshot):
    """Today: 安平镇 received three (one answered and rated 满意, one referred and overdue, one handed over
    to 信访), 清河镇 one; the table shows them per township with the total, the overdue badge opens the
    queue with the overdue opinion, and nothing is wider than the phone."""
    today = local_today()
    term = factories.make_term(name="区第八届")
    anping, qinghe = factories.make_township(name="安平镇"), factories.make_township(name="清河镇")
    dongsheng, hekou = make_station(term, anping, "东升联络站"), make_station(term, qinghe, "河口联络站")
    make_opinion(dongsheng, today, Status.replied, registered_on=today, handling=Handling.on_spot,
                 reply="当场说明。", replied_on=today, satisfaction=Satisfaction.satisfied)
    overdue = make_opinion(dongsheng, today, Status.referred, registered_on=today, handling=Handling.referral,
                           department="区交通运输局", referred_on=today,
                           due_on=today - timedelta(days=1))
    make_opinion(dongsheng, today, Status.handed_over)
    make_opinion(hekou, today, Status.received)
    user = factories.make_user(roles=("committee",))
    mobile, number = user.mobile, overdue.grouped_number  # read before the commit
    db.session.commit()
    db.session.close()

    page.goto(f"{live_server}/login")
    page.get_by_label("手机号码").fill(mobile)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server + "/")
    page.goto(f"{live_server}/dashboard?year={today.year}&opinion_month={today.month}")
    panel = page.locator("#opinions")
    assert f"{today.year}年{today.month}月" in panel.locator("h2").inner_text()
    rows = [row.split("\t") for row in panel.locator("#opinion-townships tr").all_inner_texts()]
    assert [cells[:6] for cells in rows[1:]] == [
        ["安平镇", "2", "2", "1", "1", "1"],
        ["清河镇", "1", "0", "0", "0", "0"],
        ["合计", "3", "2", "1", "1", "1"],
    ]
    assert rows[1][7] == "1" and rows[1][6].startswith("100.0%")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    # The whole page, and the panel alone as a phone shows it.
    panel.screenshot(path=screenshot("dashboard").replace("-dashboard.png", "-panel.png"))

    page.locator("#overdue-link").click()
    page.wait_for_url("**/opinions?overdue=1")
    assert number in page.locator("body").inner_text()
    screenshot("overdue-queue")
