"""Builders for notification and reminder tests: deputies with accounts, check-ins, staff."""
from liaison.accounts.models import Role
from liaison.network.models import StationKind
from liaison.terms.models import Level
from tests import factories
from tests.factories import local, make_checkin  # noqa: F401  (shared helpers, re-exported)





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
