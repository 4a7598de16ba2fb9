"""Where the 民意 counters show: the dashboard (committee and township staff), the deputy's record and the
duty-report session page, with the figures of the hand-computed district."""
import re
from datetime import date

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from liaison.opinions.models import Status
from liaison.reports.models import PlaceKind, ReportSession
from tests import factories
from tests.core.test_translations import compiled_catalog  # noqa: F401  (the fixture)
from tests.opinions.conftest import sign_in_as
from tests.opinions.sample import hand_computed_district, make_opinion, make_station

#: Noon on 26 November 2026 in Shanghai.
NOW = "2026-11-26 04:00:00"


@pytest.fixture()
def district(db):
    return hand_computed_district(db)


def table_rows(page, table_id):
    """The rows of a table as lists of cell texts (tags stripped, whitespace squeezed)."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.S)
    assert table, f"no table #{table_id}"
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(0), re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells])
    return rows


@freeze_time(NOW)
def test_committee_sees_each_township_for_the_year_and_a_month(client, district):
    """2026: 安平镇 接 6 登 5 转 4 复 3, overdue 1, 2 of 3 rated replies satisfied, 1 to 信访; 清河镇 and
    the total below; the overdue count links to the queue's overdue filter. October alone differs."""
    sign_in_as(client, district.committee)
    page = client.get("/dashboard?year=2026").get_data(as_text=True)
    assert "民意办理（接、登、转、复）：2026年" in page
    assert table_rows(page, "opinion-townships") == [
        ["乡镇（街道）", "接收", "登记", "转办", "答复", "逾期", "满意率", "转信访", "重新办理", "平均答复天数"],
        # Days to answer: 安平 #1 29, #2 0, #8 53 (82 / 3); 清河 #9 1; all 83 / 4.
        ["安平镇", "6", "5", "4", "3", "1", "66.7% 3 件评价", "1", "0", "27.3"],
        ["清河镇", "2", "2", "1", "1", "1", "—", "1", "0", "1.0"],
        ["合计", "8", "7", "5", "4", "2", "66.7% 3 件评价", "2", "0", "20.8"],
    ]
    assert re.search(r'id="overdue-link"\s+href="/opinions\?overdue=1"', page)
    assert "逾期未答复 2 件" in page
    october = client.get("/dashboard?year=2026&opinion_month=10").get_data(as_text=True)
    assert "民意办理（接、登、转、复）：2026年10月" in october and "期末逾期 2 件" in october
    assert table_rows(october, "opinion-townships")[1:] == [
        ["安平镇", "2", "3", "2", "1", "2", "100.0% 1 件评价", "1", "0", "0.0"],
        ["清河镇", "1", "1", "1", "0", "0", "—", "0", "0", "—"],
        ["合计", "3", "4", "3", "1", "2", "100.0% 1 件评价", "1", "0", "0.0"],
    ]
    assert 'id="opinion-stations"' not in page


@freeze_time(NOW)
def test_township_staff_see_their_township_and_its_stations(client, district):
    """安平镇's staff: their township only, and its stations for November; 清河镇 is not shown."""
    sign_in_as(client, district.anping_staff)
    page = client.get("/dashboard?year=2026&opinion_month=11").get_data(as_text=True)
    rows = table_rows(page, "opinion-townships")
    assert rows[1:] == [["安平镇", "3", "2", "2", "2", "1", "50.0% 2 件评价", "0", "0", "41.0"]]
    assert "清河镇" not in page
    assert table_rows(page, "opinion-stations")[1:] == [
        ["安平镇代表之家", "0", "0", "0", "0", "0", "—", "0", "0", "—"],
        ["东升联络站", "2", "1", "1", "1", "1", "100.0% 1 件评价", "0", "0", "29.0"],
        ["红旗联络站", "1", "1", "1", "1", "0", "0.0% 1 件评价", "0", "0", "53.0"],
    ]
    queue = client.get("/opinions?overdue=1").get_data(as_text=True)
    assert district.opinions[2].grouped_number in queue


def _dashboard_statements(client, db):
    statements = []

    def count(_conn, _cursor, statement, *_args, **_kwargs):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get("/dashboard?year=2026").status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


@freeze_time(NOW)
def test_the_dashboard_runs_as_many_statements_with_more_townships_and_deputies(client, db, district):
    """Adding four townships, each with stations, deputies and opinions, adds no statement to the page."""
    sign_in_as(client, district.committee)
    client.get("/dashboard?year=2026")
    before = _dashboard_statements(client, db)
    for n in range(4):
        township = factories.make_township(name=f"新增镇{n}")
        station = make_station(district.term, township)
        for _ in range(3):
            factories.make_mandate(term=district.term, township=township, station=station)
        make_opinion(station, date(2026, 11, 1), Status.received)
    db.session.commit()
    page = client.get("/dashboard?year=2026").get_data(as_text=True)
    assert len(table_rows(page, "opinion-townships")) == 1 + 6 + 1
    assert _dashboard_statements(client, db) == before


@freeze_time(NOW)
def test_the_record_counts_and_lists_the_deputys_opinions(client, district):
    """李明's 履职档案: received 4, took up 1 as a suggestion, 2 answered in 2026; each listed with its
    number and status; the petition handed over to 信访 is listed as such but not counted."""
    sign_in_as(client, district.committee)
    page = client.get(f"/dashboard/deputies/{district.li.id}").get_data(as_text=True)
    summary = re.search(r'id="opinion-record".*?</section>', page, re.S).group(0)
    text = " ".join(re.sub(r"<[^>]+>", " ", summary).split())
    assert "2026年：接待群众意见 4 件，转为建议 1 件，已答复 2 件" in text
    for index in (1, 3, 5, 7):  # #2 #4 #6 #8
        assert district.opinions[index].grouped_number in summary
    assert district.opinions[4].grouped_number in summary and "已转信访" in summary
    assert district.opinions[0].grouped_number not in summary  # not his
    staff_view = client.get(f"/dashboard/deputies/{district.wang.id}").get_data(as_text=True)
    assert "接待群众意见 1 件" in staff_view


@freeze_time(NOW)
def test_the_deputy_sees_the_years_counts_on_their_own_page(client, district):
    """我接待的民意 opens with the same year's counts as the deputy's record: 4 received, 1 taken up as
    a suggestion, 2 answered (the petition handed over to 信访 is not counted)."""
    sign_in_as(client, district.li_user)
    page = client.get("/my/opinions").get_data(as_text=True)
    counts = re.search(r'id="mine-counts">(.*?)</p>', page, re.S).group(1)
    assert " ".join(counts.split()) == "2026年：接待群众意见 4 件，转为建议 1 件，已答复 2 件。"


@freeze_time(NOW)
def test_township_staff_see_only_their_townships_opinions_in_a_record(client, db, district):
    """清河镇's staff looking at 李明 (a deputy of 安平镇 only) get 404; with a 清河 mandate too, they
    see him, but none of his 安平 opinions."""
    sign_in_as(client, district.qinghe_staff)
    factories.make_mandate(deputy=district.li, term=factories.make_term(name="镇第十九届"),
                           township=district.qinghe)
    db.session.commit()
    page = client.get(f"/dashboard/deputies/{district.li.id}").get_data(as_text=True)
    assert "接待群众意见 0 件" in page
    assert district.opinions[1].grouped_number not in page


@freeze_time(NOW)
def test_the_duty_report_session_summarises_each_deputys_year(client, db, district):
    """A 述职活动 on 20 December 2026 lists, per deputy reporting, what they handled that year."""
    li_mandate = district.li.mandates[0]
    report_session = ReportSession(township=district.anping, session_date=date(2026, 12, 20),
                                   place_kind=PlaceKind.home, station=district.home, mandates=[li_mandate])
    db.session.add(report_session)
    db.session.commit()
    sign_in_as(client, district.anping_staff)
    page = client.get(f"/reports/sessions/{report_session.id}").get_data(as_text=True)
    assert table_rows(page, "session-opinions") == [
        ["代表", "接待意见", "转为建议", "已答复"], ["李明", "4", "1", "2"]]
    assert "2026年" in page


@freeze_time(NOW)
def test_the_panel_reads_in_english(client, district, compiled_catalog):
    """In English the panel keeps its figures and reads as English, placeholders filled."""
    sign_in_as(client, district.committee)
    client.post("/lang/en", data={"next": "/dashboard"})
    page = client.get("/dashboard?year=2026&opinion_month=10").get_data(as_text=True)
    assert "Constituents' opinions (received, registered, referred, replied): 2026-10" in page
    assert "2 overdue at period end" in page
    assert table_rows(page, "opinion-townships")[1] == ["安平镇", "2", "3", "2", "1", "2", "100.0% 1 rated", "1",
                                                        "0", "0.0"]
    # The short headings are counts, not the verbs on the handling buttons ("Record", "Refer").
    assert table_rows(page, "opinion-townships")[0][1:] == [
        "Received", "Registered", "Referred", "Replied", "Overdue", "Satisfaction", "To petitions",
        "Reopened", "Average days to answer"]
