"""On a phone: the committee reads this month's 民意 table on the dashboard and follows the overdue count
to the staff queue; staff read a deputy's opinions in the record and on a duty-report session."""
from datetime import date, timedelta

import pytest

from liaison.clock import local_today
from liaison.opinions.models import Handling, Satisfaction, Status
from liaison.reports.models import PlaceKind, ReportSession
from tests import factories
from tests.conftest import sign_in_page
from tests.opinions.sample import hand_computed_district, make_opinion, make_station

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

    sign_in_page(page, live_server, mobile)
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


def test_staff_read_a_deputys_opinions_on_the_record_and_the_session_page(live_server, db, page, screenshot):
    """安平镇's staff on a phone: 李明's 履职档案 lists his opinions by number and status; the 2026 duty-report
    session shows what he handled that year (received 4, suggestion 1, answered 2)."""
    district = hand_computed_district(db)
    session = ReportSession(township=district.anping, session_date=date(2026, 12, 20),
                            place_kind=PlaceKind.home, station=district.home,
                            mandates=[district.li.mandates[0]])
    db.session.add(session)
    db.session.flush()
    mobile, li_id, session_id = district.anping_staff.mobile, district.li.id, session.id
    numbers = [district.opinions[i].grouped_number for i in (1, 3, 5, 7)]
    db.session.commit()
    db.session.close()

    sign_in_page(page, live_server, mobile)
    page.goto(f"{live_server}/dashboard/deputies/{li_id}")
    listed = page.locator("#record-opinions").inner_text()
    assert all(number in listed for number in numbers) and "已转信访" in listed
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    page.locator("#opinion-record").screenshot(
        path=screenshot("record").replace("-record.png", "-record-opinions.png"))

    page.goto(f"{live_server}/reports/sessions/{session_id}")
    rows = [row.split("\t") for row in page.locator("#session-opinions tr").all_inner_texts()]
    assert rows == [["代表", "接待意见", "转为建议", "已答复"], ["李明", "4", "1", "2"]]
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot("session")
