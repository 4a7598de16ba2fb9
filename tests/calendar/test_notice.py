"""The State Council's holiday notice pasted and read into a year's days (rule R27): the 2024–2026
notices give exactly chinesecalendar's holidays and swapped workdays; bad text names its line."""
from datetime import date
from pathlib import Path

import chinese_calendar
import pytest
import sqlalchemy as sa

from liaison.calendar.models import CalendarDay, DayKind
from liaison.calendar.notice import parse_notice
from liaison.errors import InvalidInput

#: The arrangement sections of the 2024–2026 notices, as offices paste them (copied from the shared
#: texts, whose dates were checked day by day against chinesecalendar).
NOTICES = Path(__file__).parent / "notices"


def _text(year):
    return (NOTICES / f"{year}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_each_notice_gives_the_days_chinesecalendar_has(app, year):
    """Every 放假 day and every 调休上班 weekend day of the year, no more, no fewer."""
    with app.test_request_context():
        notice = parse_notice(_text(year), year)
    holidays = {d for d in chinese_calendar.holidays if d.year == year}
    workdays = {d for d in chinese_calendar.workdays if d.year == year and d.weekday() >= 5}
    assert {d.day for d in notice.holidays} == holidays
    assert {d.day for d in notice.workdays} == workdays
    assert len(notice.days) == len(holidays) + len(workdays)


def test_names_and_lines_are_kept(app):
    with app.test_request_context():
        notice = parse_notice(_text(2025), 2025)
    by_day = {d.day: d for d in notice.days}
    assert by_day[date(2025, 10, 8)].name == "国庆节、中秋节" and by_day[date(2025, 10, 8)].line == 6
    assert by_day[date(2025, 1, 26)].kind is DayKind.swapped_workday and by_day[date(2025, 1, 26)].name == "春节"


def test_the_whole_notice_with_title_and_closing_is_read_and_its_year_taken_from_the_title(app):
    text = ("国务院办公厅关于2025年部分节假日安排的通知\n国办发明电〔2024〕12号\n"
            "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：\n"
            "经国务院批准，现将2025年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。\n"
            + _text(2025) + "\n节假日期间，各地区、各部门要妥善安排好值班和安全、保卫、疫情防控等工作。\n国务院办公厅\n2024年11月12日\n")
    with app.test_request_context():
        notice = parse_notice(text)
    assert notice.year == 2025 and len(notice.days) == 33
    assert [number for number, _ in notice.ignored] == [1, 2, 3, 4, 12, 13, 14]  # 11 is blank


def test_explicit_years_across_new_year(app):
    """The 2023 notice's 元旦 ran from 2022年12月31日 to 2023年1月2日."""
    with app.test_request_context():
        notice = parse_notice("一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。", 2023)
    assert [d.day for d in notice.days] == [date(2022, 12, 31), date(2023, 1, 1), date(2023, 1, 2)]


@pytest.mark.parametrize("text, year, message", [
    (None, 2026, "第 1 行：1月1日 在 2026 年是星期四，通知写的是周三。请核对年份是否选对。"),
    ("一、元旦：1月1日至3日放假，共4天。", 2026, "第 1 行：写的是共 4 天，但 1月1日 至 1月3日 是 3 天。"),
    ("一、元旦：1月1日放假。\n二、春节：2月30日放假。", 2026, "第 2 行：2026年2月30日不是有效的日期。"),
    ("三、清明节：4月4日至6日放假。4月8日（周三）上班。", 2026, "第 1 行：4月8日 是星期三，本来就是工作日"),
    ("一、元旦：1月1日放假。\n\n三、劳动节5月1日", 2026, "第 3 行：看不懂这一行"),
    ("一、元旦：1月3日至1月1日放假。", 2026, "第 1 行：放假的结束日期 1月1日 早于开始日期 1月3日"),
    ("一、元旦：1月1日放假。\n二、春节：1月1日放假。", 2026, "第 2 行：1月1日 在第 1 行已经出现过"),
    ("各位同事：请注意安排。", 2026, "没有找到放假安排"),
    ("国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日放假。", 2026, "通知写的是 2027 年"),
])
def test_bad_text_is_refused_naming_the_line(app, text, year, message):
    with app.test_request_context(), pytest.raises(InvalidInput) as refused:
        parse_notice(_text(2025) if text is None else text, year)
    assert message in str(refused.value.message)


def _paste(client, text, year, action="review"):
    return client.post("/calendar/notice", data={"year": year, "text": text, "action": action})


def test_paste_review_and_save_a_year(client, db, login_as):
    """Committee staff paste the 2026 notice: the review lists 39 days and agrees with the built-in
    data; saving records them all; pasting again keeps them (nothing doubled)."""
    login_as("committee")
    page = _paste(client, _text(2026), 2026).get_data(as_text=True)
    assert "识别出放假 33 天、调休上班 6 天" in page and "完全一致" in page
    response = _paste(client, _text(2026), 2026, "save")
    assert response.status_code == 302
    days = db.session.scalars(sa.select(CalendarDay).order_by(CalendarDay.local_date)).all()
    assert len(days) == 39
    assert {d.local_date for d in days if d.kind is DayKind.swapped_workday} == {
        date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20),
        date(2026, 10, 10)}
    again = _paste(client, _text(2026), 2026, "save")
    assert "新增 0 天，已有 39 天保持不变" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(CalendarDay.id))) == 39


def test_a_day_recorded_by_hand_as_the_other_kind_is_never_overwritten(client, db, login_as):
    """2026-01-04 entered by hand as a holiday: saving the notice (a workday then) is refused, naming it."""
    user = login_as("committee")
    db.session.add(CalendarDay(local_date=date(2026, 1, 4), kind=DayKind.holiday, name="元旦", recorded_by=user))
    db.session.commit()
    page = _paste(client, _text(2026), 2026, "save").get_data(as_text=True)
    assert "2026-01-04（法定节假日）" in page and "请先在日历页删除这些记录" in page
    assert db.session.scalar(sa.select(sa.func.count(CalendarDay.id))) == 1


def test_a_bad_paste_shows_the_line_and_keeps_the_text(client, db, login_as):
    login_as("committee")
    page = _paste(client, "一、元旦：1月1日放假。\n二、春节：2月30日放假。", 2027).get_data(as_text=True)
    assert "第 2 行：2027年2月30日不是有效的日期。" in page and "二、春节：2月30日放假。" in page


def test_township_staff_cannot_paste(client, db, login_as):
    login_as("township_staff")
    assert _paste(client, _text(2026), 2026).status_code == 403
