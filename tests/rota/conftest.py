"""The rota tests' network: 安平镇 with three 联络站 that receive on different days, a home, and
deputies in the situations the planner tells apart; plus helpers for check-ins and messages."""
from datetime import date, time
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from liaison.accounts.models import Role
from liaison.deputies.models import Suspension
from liaison.extensions import db as _db
from liaison.network.models import OpeningHours, StationKind
from liaison.notifications.models import Message
from liaison.rota.models import Unavailability
from liaison.terms.models import Level
from tests import factories
from tests.factories import local, make_checkin  # noqa: F401  (shared helpers, re-exported)

MORNING = (time(9), time(11, 30))
AFTERNOON = (time(14, 30), time(17))


def hours(*rows):
    """OpeningHours rows from (weekday, (opens, closes)) pairs."""
    return [OpeningHours(weekday=day, opens=period[0], closes=period[1]) for day, period in rows]


class Town:
    """A township with a district term running 2020–2099, a home, and helpers to add stations and people."""

    def __init__(self, name, term=None):
        """Make the township, its term and its home."""
        self.township = factories.make_township(name=name)
        self.term = term or factories.make_term(name=f"区第八届-{name}", start_date=date(2020, 1, 1),
                                                end_date=date(2099, 12, 31))
        self.home = factories.make_station(township=self.township, kind=StationKind.home, name=f"{name}代表之家",
                                           opening_hours=hours((2, MORNING), (4, MORNING)))
        self.districts = {}

    def station(self, name, *rows, **kw):
        """A 联络站 with its own 选区 and opening hours."""
        district = factories.make_district(term=self.term, township=self.township, name=f"{name}选区")
        station = factories.make_station(township=self.township, electoral_district=district, name=name,
                                         opening_hours=hours(*rows), **kw)
        self.districts[station.id] = district
        return station

    def deputy(self, name, station, account=True, password=None, **mandate):
        """A 区 deputy whose own station is ``station`` (with a deputy account unless told not to).

        Accounts get no password unless given one: hashing dozens of passwords would slow every test.
        """
        deputy = factories.make_deputy(name=name)
        district = self.districts.get(station.id) if station is not None else None
        factories.make_mandate(deputy=deputy, term=self.term, township=self.township,
                               electoral_district=district or factories.make_district(term=self.term,
                                                                                      township=self.township),
                               station=station, home=self.home, **mandate)
        if account:
            factories.make_user(roles={Role.deputy}, deputy=deputy, password=password)
        return deputy

    def staff(self, name="专干"):
        """A township staff member of this township (with a password)."""
        return factories.make_user(roles={Role.township_staff}, townships=[self.township], name=name)


@pytest.fixture()
def october(db):
    """安平镇 for October 2026 (国庆 1–7 October, Saturday 10 October a swapped workday).

    * 东升站 receives on Wednesdays 09:00–11:30 (14, 21, 28; and the 10th by the 调休 rule): 12 places
      for its 13 deputies, so one goes elsewhere.
    * 红旗站 receives on Saturdays 09:00–11:30 (a 接待日) and Tuesdays 14:30–17:00.
    * 新塘站 receives on Mondays and Fridays 14:30–17:00.
    * 全月出差 is unavailable all October; 半月出差 from 8 to 20 October; 暂停职务 is suspended from
      15 October and 补选 took their seat on 12 October (both not due); 市代表 holds a 市 seat 编入
      安平镇 with 红旗站 as their own.
    """
    town = Town("安平镇")
    dongsheng = town.station("东升站", (2, MORNING))
    hongqi = town.station("红旗站", (5, MORNING), (1, AFTERNOON))
    xintang = town.station("新塘站", (0, AFTERNOON), (4, AFTERNOON))
    people = {}
    for i in range(12):
        people[f"东升{i + 1}"] = town.deputy(f"东升{i + 1}", dongsheng)
    people["半月出差"] = town.deputy("半月出差", dongsheng)
    for i in range(9):
        people[f"红旗{i + 1}"] = town.deputy(f"红旗{i + 1}", hongqi)
    people["全月出差"] = town.deputy("全月出差", hongqi)
    for i in range(8):
        people[f"新塘{i + 1}"] = town.deputy(f"新塘{i + 1}", xintang)
    municipal_term = factories.make_term(level=Level.municipal, ordinal=15, name="市第十五届",
                                         start_date=date(2020, 1, 1), end_date=date(2099, 12, 31))
    municipal = factories.make_deputy(name="市代表")
    factories.make_mandate(deputy=municipal, term=municipal_term, township=town.township, station=hongqi,
                           home=town.home)
    factories.make_user(roles={Role.deputy}, deputy=municipal, password=None)
    people["市代表"] = municipal
    suspended = town.deputy("暂停职务", xintang)
    _db.session.add(Suspension(mandate=suspended.mandates[0], start_date=date(2026, 10, 15), reason="测试"))
    late = town.deputy("补选", xintang, start_date=date(2026, 10, 12), by_election=True)
    _db.session.add_all([
        Unavailability(deputy=people["全月出差"], first_day=date(2026, 9, 28), last_day=date(2026, 11, 3),
                       reason="出国考察"),
        Unavailability(deputy=people["半月出差"], first_day=date(2026, 10, 8), last_day=date(2026, 10, 20),
                       reason="出差"),
    ])
    staff = town.staff("安平专干")
    _db.session.commit()
    return SimpleNamespace(town=town, township=town.township, dongsheng=dongsheng, hongqi=hongqi,
                           xintang=xintang, people=people, suspended=suspended, late=late, staff=staff,
                           due=[d for d in people.values()])





def messages(kind=None, user=None):
    """Messages, optionally of one kind or to one user, in order."""
    query = sa.select(Message).order_by(Message.id)
    if kind:
        query = query.where(Message.kind == kind)
    if user is not None:
        query = query.where(Message.user_id == user.id)
    return _db.session.scalars(query).all()
