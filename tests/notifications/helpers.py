"""Builders for notification and reminder tests: deputies with accounts, check-ins, staff."""
import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

from liaison.accounts.models import Role
from liaison.extensions import db
from liaison.terms.models import Level
from stations.checkin.models import Checkin, Method, Status
from stations.models import StationKind
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
_nonce = itertools.count(1)


def local(*args):
    """An aware instant from local (Shanghai) wall-clock fields."""
    return datetime(*args, tzinfo=SHANGHAI)


def make_checkin(deputy, station, when, status=Status.accepted, method=Method.poster):
    """A check-in at ``when`` (an aware local instant), with its period keys as the product writes them."""
    day = when.astimezone(SHANGHAI).date()
    checkin = Checkin(deputy=deputy, station=station, station_kind=station.kind, occurred_at=when,
                      local_date=day, month_key=day.year * 100 + day.month,
                      quarter_key=day.year * 10 + (day.month - 1) // 3 + 1, method=method, status=status,
                      client_nonce=f"test-nonce-{next(_nonce):08d}")
    db.session.add(checkin)
    db.session.flush()
    return checkin


class Network:
    """One township with a home and a station, a district term, and helpers to add people."""

    def __init__(self, name="安平镇", term=None):
        self.township = factories.make_township(name=name)
        self.term = term or factories.make_term(level=Level.district)
        self.district = factories.make_district(term=self.term, township=self.township)
        self.station = factories.make_station(township=self.township, electoral_district=self.district)
        self.home = factories.make_station(township=self.township, kind=StationKind.home)

    def deputy(self, name, account=True, **mandate):
        """A deputy of this township with a mandate in force (and a deputy account unless told not to)."""
        deputy = factories.make_deputy(name=name)
        factories.make_mandate(deputy=deputy, term=self.term, township=self.township,
                               electoral_district=self.district, station=self.station, home=self.home,
                               **mandate)
        if account:
            factories.make_user(roles={Role.deputy}, deputy=deputy)
        return deputy

    def staff(self, name="专干"):
        """A township staff member scoped to this township."""
        return factories.make_user(roles={Role.township_staff}, townships=[self.township], name=name)
