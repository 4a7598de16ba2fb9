"""Holidays and working days: chinesecalendar for the years it knows, staff records and the weekend
fallback for the others, and the committee's page to record them."""
from datetime import date

import pytest
import sqlalchemy as sa

from liaison.audit.models import AuditEvent
from liaison.calendar import queries
from liaison.calendar.models import CalendarDay, DayKind
from liaison.calendar.operations import record_calendar_day
from liaison.calendar.queries import Source
from liaison.clock import Month
from liaison.errors import InvalidInput
from liaison.extensions import db
from tests import factories


def _holiday(day):
    """A statutory holiday (not an ordinary weekend)."""
    return queries.day_info(day).holiday


def _month(year, month):
    """Every date of a month as a ``DayInfo``."""
    period = Month(year, month)
    return queries.days_between(period.first, period.last)


def _workdays_in_month(year, month):
    """The working dates of a month, swapped workdays included."""
    return [d.day for d in _month(year, month) if d.workday]


def _holidays_in_month(year, month):
    """The statutory holiday dates of a month."""
    return [d.day for d in _month(year, month) if d.holiday]


def recorded():
    """Every recorded day, by date."""
    return db.session.scalars(sa.select(CalendarDay).order_by(CalendarDay.local_date)).all()


def test_national_day_2026_is_a_holiday_week(db):
    """1–7 October 2026 are holidays (国庆节) from the built-in data, not working days."""
    for day in range(1, 8):
        info = queries.day_info(date(2026, 10, day))
        assert info.holiday and not info.workday
        assert (info.name, info.source) == ("国庆节", Source.builtin)
        assert _holiday(date(2026, 10, day))
        assert not queries.is_workday(date(2026, 10, day))


def test_saturday_10_october_2026_is_a_swapped_workday(db):
    """Saturday 10 October 2026 is worked in exchange for the holiday (调休上班); Sunday 11 is not."""
    saturday = queries.day_info(date(2026, 10, 10))
    assert saturday.workday and saturday.swapped_workday and not saturday.holiday
    assert queries.is_workday(date(2026, 10, 10))
    assert not queries.is_workday(date(2026, 10, 11))
    assert not _holiday(date(2026, 10, 11)), "an ordinary Sunday is a rest day, not a holiday"
    workdays = _workdays_in_month(2026, 10)
    assert date(2026, 10, 10) in workdays
    assert not any(date(2026, 10, d) in workdays for d in range(1, 8))
    assert _holidays_in_month(2026, 10) == [date(2026, 10, d) for d in range(1, 8)]


def test_2027_falls_back_to_weekends(db):
    """The library stops at 2026: in 2027 Saturdays rest and Mondays work, without errors."""
    assert not queries.library_knows(2027)
    assert not queries.is_workday(date(2027, 1, 2))
    assert not queries.is_workday(date(2027, 1, 2))
    assert queries.is_workday(date(2027, 1, 4))
    assert queries.day_info(date(2027, 1, 4)).source is Source.weekends
    # Friday 1 January is an ordinary weekday until staff record New Year's Day.
    assert queries.is_workday(date(2027, 1, 1)) and not _holiday(date(2027, 1, 1))
    assert len(_workdays_in_month(2027, 1)) == 21
    assert queries.year_source(2027) is Source.weekends


def test_2027_with_days_recorded_by_staff(db):
    """元旦 recorded for 1 January 2027 makes it a holiday; a recorded Sunday becomes a workday."""
    record_calendar_day(date(2027, 1, 1), DayKind.holiday, "元旦")
    record_calendar_day(date(2027, 2, 7), DayKind.swapped_workday, "春节")
    db.session.commit()
    new_year = queries.day_info(date(2027, 1, 1))
    assert new_year.holiday and not new_year.workday
    assert (new_year.name, new_year.source) == ("元旦", Source.recorded)
    assert _holiday(date(2027, 1, 1))
    assert date(2027, 2, 7).weekday() == 6
    assert queries.is_workday(date(2027, 2, 7))
    assert queries.day_info(date(2027, 2, 7)).swapped_workday
    assert date(2027, 1, 1) not in _workdays_in_month(2027, 1)
    assert date(2027, 2, 7) in _workdays_in_month(2027, 2)
    # The rest of the year still follows the weekend rule.
    assert queries.is_workday(date(2027, 1, 4)) and not queries.is_workday(date(2027, 1, 2))
    assert queries.year_source(2027) is Source.recorded


def test_a_recorded_day_wins_over_the_library(db):
    """A correction recorded for a year the library knows takes precedence."""
    record_calendar_day(date(2026, 10, 12), DayKind.holiday, "地方假日")
    assert _holiday(date(2026, 10, 12))
    assert queries.day_info(date(2026, 10, 12)).source is Source.recorded
    assert queries.day_info(date(2026, 10, 13)).source is Source.builtin


def test_the_page_shows_which_source_decides_each_year(client, login_as):
    """The committee sees 2026 as 内置, a year with records as 人工录入, an unknown year as 仅按周末."""
    login_as("committee")
    record_calendar_day(date(2027, 1, 1), DayKind.holiday, "元旦")
    page = client.get("/calendar?year=2027").get_data(as_text=True)
    years = page.split('id="years"')[1].split("</table>")[0]
    rows = {row.split("<td>")[1].split("</td>")[0]: row for row in years.split("<tr")[2:]}
    assert "人工录入" in rows["2027"] and "放假 1 天，调休上班 0 天" in rows["2027"]
    assert "依据：人工录入" in page and "元旦" in page and "2027-01-01" in page
    page_2026 = client.get("/calendar?year=2026").get_data(as_text=True)
    assert "依据：内置" in page_2026
    assert "国庆节" in page_2026 and "调休上班" in page_2026 and "2026-10-10" in page_2026
    page_2031 = client.get("/calendar?year=2031").get_data(as_text=True)
    assert "依据：仅按周末" in page_2031 and "待录入" in page_2031
    assert "2031 年没有内置或录入的节假日" in page_2031


def test_committee_records_a_holiday_through_the_form(client, login_as):
    """A holiday posted through the form is saved with who recorded it, and listed under its year."""
    user = login_as("committee")
    response = client.post("/calendar/days/new", data={"local_date": "2027-01-01", "kind": "holiday",
                                                       "name": " 元旦 "})
    assert response.status_code == 302 and response.headers["Location"] == "/calendar?year=2027"
    [day] = recorded()
    assert (day.local_date, day.kind, day.name, day.recorded_by_id) == (date(2027, 1, 1), DayKind.holiday,
                                                                         "元旦", user.id)
    assert "已录入 2027-01-01" in client.get("/calendar?year=2027").get_data(as_text=True)


def test_recording_a_day_in_a_known_year_warns(client, login_as):
    """Staff are told that the year has built-in data and their record takes precedence."""
    login_as("committee")
    client.post("/calendar/days/new", data={"local_date": "2026-10-12", "kind": "holiday", "name": "地方假日"})
    assert "人工录入的日期优先于内置数据" in client.get("/calendar?year=2026").get_data(as_text=True)


@pytest.mark.parametrize("form,message", [
    ({"local_date": "", "kind": "holiday", "name": "元旦"}, "请填写日期"),
    ({"local_date": "2027-01-01", "kind": "", "name": "元旦"}, "请选择类型"),
    ({"local_date": "2027-01-01", "kind": "holiday", "name": ""}, "请填写节日名称"),
    ({"local_date": "2027-01-01", "kind": "holiday", "name": "元" * 21}, "名称最多 20 个字"),
    ({"local_date": "2027-01-04", "kind": "swapped_workday", "name": ""}, "2027-01-04 是星期一，本来就是工作日"),
    ({"local_date": "1927-01-01", "kind": "holiday", "name": "元旦"}, "年份应在 2000 到 2100 之间"),
])
def test_bad_input_shows_the_chinese_message_and_saves_nothing(client, login_as, form, message):
    """Each rule's message appears on the form and nothing is written."""
    login_as("committee")
    response = client.post("/calendar/days/new", data=form)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert recorded() == []


def test_a_date_cannot_be_recorded_twice(client, login_as):
    """A second record for the same date is refused with a message saying what to do."""
    login_as("committee")
    record_calendar_day(date(2027, 1, 1), DayKind.holiday, "元旦")
    response = client.post("/calendar/days/new", data={"local_date": "2027-01-01", "kind": "holiday",
                                                       "name": "新年"})
    assert "2027-01-01 已经录入过" in response.get_data(as_text=True)
    assert [d.name for d in recorded()] == ["元旦"]
    with pytest.raises(InvalidInput):
        record_calendar_day(date(2027, 1, 1), DayKind.swapped_workday, "")


def test_deleting_a_recorded_day_is_audited(client, login_as):
    """Deleting a record brings the weekend rule back for that date and leaves an audit event."""
    login_as("committee")
    day = record_calendar_day(date(2027, 1, 1), DayKind.holiday, "元旦")
    day_id = day.id
    response = client.post(f"/calendar/days/{day_id}/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/calendar?year=2027"
    assert recorded() == []
    assert queries.is_workday(date(2027, 1, 1))
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "record.deleted"))
    assert (event.target_type, event.target_id) == ("calendar_days", str(day_id))
    assert "2027-01-01" in event.detail
    assert client.post(f"/calendar/days/{day_id}/delete").status_code == 404


def test_township_staff_cannot_record_holidays(client, login_as):
    """Holidays are the district's to record: township staff are refused and nothing is saved."""
    login_as("township_staff", townships=[factories.make_township()])
    assert client.get("/calendar").status_code == 403
    response = client.post("/calendar/days/new", data={"local_date": "2027-01-01", "kind": "holiday",
                                                       "name": "元旦"})
    assert response.status_code == 403
    assert recorded() == []
