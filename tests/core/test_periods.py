"""Month and Quarter (liaison/clock.py): the calendar periods of rule R1 and their stored keys (rule R2)."""
from datetime import date

import pytest

from liaison.clock import Month, Quarter


def test_month_bounds_and_key():
    """February of a leap year has 29 days; its stored key is 202402."""
    february = Month(2024, 2)
    assert (february.key, february.first, february.last, february.after) == (
        202402, date(2024, 2, 1), date(2024, 2, 29), date(2024, 3, 1))
    assert Month(2023, 2).last == date(2023, 2, 28)


def test_december_runs_into_january():
    """December's day after is 1 January of the next year, and the months step across the year."""
    december = Month(2024, 12)
    assert (december.last, december.after) == (date(2024, 12, 31), date(2025, 1, 1))
    assert december.next() == Month(2025, 1)
    assert Month(2025, 1).previous() == december
    assert Quarter(2024, 4).next() == Quarter(2025, 1)
    assert Quarter(2025, 1).previous() == Quarter(2024, 4)
    assert Quarter(2024, 4).after == date(2025, 1, 1)


@pytest.mark.parametrize("day, month, quarter", [
    (date(2024, 1, 1), 202401, 20241), (date(2024, 3, 31), 202403, 20241), (date(2024, 4, 1), 202404, 20242),
    (date(2024, 9, 30), 202409, 20243), (date(2024, 10, 1), 202410, 20244),
    (date(2024, 12, 31), 202412, 20244),
])
def test_of_a_day(day, month, quarter):
    """A day belongs to the month and quarter whose bounds contain it, on either side of a boundary."""
    assert Month.of(day).key == month and Quarter.of(day).key == quarter
    assert day in Month.of(day) and day in Quarter.of(day)
    assert Month.of(day).quarter == Quarter.of(day)


def test_keys_round_trip():
    """Every month and quarter of two years comes back from its stored key, in order."""
    months = [Month(year, month) for year in (2024, 2025) for month in range(1, 13)]
    assert [Month.from_key(m.key) for m in months] == months
    assert [m.next() for m in months[:-1]] == months[1:]
    assert sorted(m.key for m in months) == [m.key for m in months]
    quarters = [Quarter(year, quarter) for year in (2024, 2025) for quarter in range(1, 5)]
    assert [Quarter.from_key(q.key) for q in quarters] == quarters
    assert [q.next() for q in quarters[:-1]] == quarters[1:]


def test_quarter_months_and_bounds():
    """A quarter is its three months: the third quarter runs from 1 July to 30 September."""
    third = Quarter(2024, 3)
    assert third.months == (Month(2024, 7), Month(2024, 8), Month(2024, 9))
    assert (third.first, third.last, third.after) == (date(2024, 7, 1), date(2024, 9, 30), date(2024, 10, 1))
    assert Month(2024, 8).months == (Month(2024, 8),)


def test_no_such_period():
    """A month 13 or a quarter 0 (a corrupt key) is refused, not rolled into another period."""
    with pytest.raises(ValueError):
        Month(2024, 13)
    with pytest.raises(ValueError):
        Quarter.from_key(20240)


def test_labels(app):
    """Labels read as on the pages: 2024年3月, 2024年第1季度, 3月, 第1季度."""
    with app.test_request_context():
        assert str(Month(2024, 3).label) == "2024年3月"
        assert str(Quarter(2024, 1).label) == "2024年第1季度"
        assert str(Month(2024, 3).short_label) == "3月"
        assert str(Quarter(2024, 1).short_label) == "第1季度"
