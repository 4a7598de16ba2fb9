"""我的履职 (/me): the month and quarter still running read 进行中, never ✗ (rule R8), and the deputy sees
this year's 年述职 per mandate: done, not yet, exempted, or not due (rule R11). The world of tests/rates."""
from datetime import datetime, timezone

import lxml.html
from freezegun import freeze_time

from liaison.deputies.models import Mandate
from tests.rates.conftest import world  # noqa: F401  (the fixture, shared)

#: 2024-11-15 10:00 in Shanghai: November and the fourth quarter are running.
MID_NOVEMBER = datetime(2024, 11, 15, 2, 0, tzinfo=timezone.utc)


def _my_page(client, login_as, db, mandate_id):
    deputy = db.session.get(Mandate, mandate_id).deputy
    login_as("deputy", deputy=deputy)
    response = client.get("/me")
    assert response.status_code == 200
    return lxml.html.fromstring(response.get_data(as_text=True))


def _badges(tree, element_id):
    spans = tree.get_element_by_id(element_id).xpath("./span")
    return [" ".join(span.text_content().split()) for span in spans]


def test_running_month_and_quarter_read_in_progress(client, login_as, world, db):  # noqa: F811
    """白二 came to a station in January and home in May: January ✓, February–October ✗ (ended, missed),
    November 进行中; Q2 ✓, Q1 and Q3 ✗, Q4 进行中. The big blocks for this month and quarter carry no ✗."""
    with freeze_time(MID_NOVEMBER):
        tree = _my_page(client, login_as, db, world["P2D"])
    months = _badges(tree, "months")
    assert months[0] == "1月 ✓" and months[1:10] == [f"{m}月 ✗" for m in range(2, 11)]
    assert months[10] == "11月 进行中" and len(months) == 11
    assert _badges(tree, "quarters") == ["第1季度 ✗", "第2季度 ✓", "第3季度 ✗", "第4季度 进行中"]
    status = tree.get_element_by_id("duty-status").text_content()
    assert "✗" not in status and status.count("进行中") == 2
    text = tree.get_element_by_id("this-year").text_content()
    assert "已结束的 10 个月中 1 个月已进站" in text and "已结束的 3 个季度中 1 个季度已回家" in text


def test_year_duty_per_mandate(client, login_as, world, db):  # noqa: F811
    """白二's one report covers both seats; 邓四 has only planned his (not yet, with time left); 冯五 is
    exempted for 2024; 韩七 began after 30 June and owes no 2024 report."""
    expected = {
        "P2D": ["区第八届： 已述职 2024-06-18", "市第十五届： 已述职 2024-06-18"],
        "P4": ["区第八届： 应述职，尚未述职 尚未安排述职活动，年内还可以述职"],
        "P5": ["区第八届： 本年免述"],
        "P7": ["区第八届： 下半年任职，本年不需述职"],
    }
    for key, lines in expected.items():
        client.get("/logout")
        with freeze_time(MID_NOVEMBER):
            tree = _my_page(client, login_as, db, world[key])
        duty = tree.get_element_by_id("year-duty")
        found = [" ".join(div.text_content().replace("：", "： ").split()) for div in duty.xpath("./div")[1:]]
        assert sorted(found) == sorted(lines), key
