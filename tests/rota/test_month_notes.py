"""What the rota says about a month (rule R21): a term's provisional end does not stop the rota (its
deputies are scheduled past it, and the page says so), zero slots always come with their reason, and
a month of a year whose holidays nobody recorded warns loudly, naming the year."""
from datetime import date

import sqlalchemy as sa
from freezegun import freeze_time

from liaison.calendar.models import CalendarDay, DayKind
from liaison.rota.models import RotaMonth, Slot, SlotAssignment
from liaison.rota.operations import propose_rota
from tests import factories
from tests.rota.conftest import MORNING, Town

#: 10:00 on 20 December 2026 in Shanghai.
DEC_20 = "2026-12-20 02:00:00"


def january_town(provisional=True):
    """安和镇 with a 区 term recorded to end on 10 January 2027 (provisional unless told), one station
    receiving on Mondays and Fridays (1 January 2027 is a Friday: 元旦), and six deputies."""
    term = factories.make_term(name="区第八届", start_date=date(2022, 1, 10), end_date=date(2027, 1, 10),
                               end_provisional=provisional)
    town = Town("安和镇", term=term)
    station = town.station("安和站", (0, MORNING), (4, MORNING))
    people = [town.deputy(f"安和{i}", station) for i in range(6)]
    return town, station, people


def text(response):
    return response.get_data(as_text=True)


@freeze_time(DEC_20)
def test_deputies_are_scheduled_past_a_provisional_end_and_the_page_says_so(client, db, login_as):
    """Proposing January 2027 places every deputy although the term's recorded end is 10 January (it is
    provisional until the term is closed); the proposal and the month page say why, and warn that
    2027's holidays are not recorded."""
    town, _station, people = january_town()
    db.session.commit()
    login_as("township_staff", townships=[town.township])
    response = client.post("/rota/propose", data={"township_id": town.township.id, "year": 2027, "month": 1,
                                                  "capacity": 3, "theme": ""}, follow_redirects=True)
    page = text(response)
    placed = db.session.scalars(sa.select(SlotAssignment.deputy_id)).all()
    assert sorted(placed) == sorted(d.id for d in people)
    days = db.session.scalars(sa.select(Slot.local_date)).all()
    assert max(days) > date(2027, 1, 10)
    assert "安排 6 位代表" in page
    assert "区第八届的届满日期 2027-01-10 是暂定的" in page and "本届代表照常排班" in page
    assert "2027年的法定节假日和调休尚未录入" in page
    # The month page keeps both notes for as long as they hold.
    month = db.session.scalar(sa.select(RotaMonth))
    again = text(client.get(f"/rota/{month.id}"))
    assert 'id="holidays-missing"' in again and "2027年的法定节假日和调休尚未录入" in again
    assert "是暂定的" in again
    # Publishing says it once more: the public page will list these days as they are (rule R21).
    published = text(client.post(f"/rota/{month.id}/publish", follow_redirects=True))
    assert "已公示" in published
    assert published.count("2027年的法定节假日和调休尚未录入") == 2  # the flash and the page's own note


@freeze_time(DEC_20)
def test_recorded_holidays_silence_the_warning_and_keep_new_year_free(client, db, login_as):
    """Once the committee has recorded 2027's 元旦, the warning is gone and 1 January gets no slot."""
    town, _station, _people = january_town()
    db.session.add(CalendarDay(local_date=date(2027, 1, 1), kind=DayKind.holiday, name="元旦"))
    db.session.commit()
    login_as("township_staff", townships=[town.township])
    page = text(client.post("/rota/propose", data={"township_id": town.township.id, "year": 2027, "month": 1,
                                                   "capacity": 3, "theme": ""}, follow_redirects=True))
    assert "尚未录入" not in page
    assert date(2027, 1, 1) not in db.session.scalars(sa.select(Slot.local_date)).all()


@freeze_time(DEC_20)
def test_zero_slots_say_why(client, db, login_as):
    """With the term's end confirmed (10 January) nobody holds the whole of January: the proposal says
    0 slots and why (the term has ended, the next roster is not in); with no station, it says that."""
    town, _station, _people = january_town(provisional=False)
    db.session.commit()
    login_as("township_staff", townships=[town.township])
    page = text(client.post("/rota/propose", data={"township_id": town.township.id, "year": 2027, "month": 1,
                                                   "capacity": 3, "theme": ""}, follow_redirects=True))
    assert "没有生成接待时段" in page and "区第八届（2027-01-10）已届满" in page and "新一届代表名单尚未导入" in page
    month = db.session.scalar(sa.select(RotaMonth))
    assert "新一届代表名单尚未导入" in text(client.get(f"/rota/{month.id}"))

    empty = factories.make_township(name="无站镇")
    db.session.commit()
    _month, proposal = propose_rota(empty, 2027, 1, today=date(2026, 12, 20))
    assert "没有启用的联络站" in str(proposal.why_empty)


def test_a_known_year_has_no_warning(db):
    """2026 is known to chinesecalendar: no warning."""
    from liaison.rota.queries import holidays_missing

    assert holidays_missing(2026, 10) is None and holidays_missing(2027, 1) == 2027
