"""A township of four deputies in December 2026 for the 进行中 list and its reminders (rule R24)."""
from datetime import date, time
from types import SimpleNamespace

from liaison.accounts.models import Role
from liaison.network.models import StationKind
from liaison.rota.models import AssignmentStatus, RotaMonth, RotaStatus, Slot, SlotAssignment
from tests import factories


def build(db, today=date(2026, 12, 10)):
    """东镇: 甲 came this month (met); 乙 (an account, a slot on the 18th) and 丙 (no account) have not;
    丁 of 西镇 has not either. Two stations in 东镇: 乙 belongs to 站一, 丙 to 站二."""
    term = factories.make_term(start_date=date(2024, 1, 1), end_date=date(2028, 12, 31), end_provisional=True)
    east, west = factories.make_township(name="东镇"), factories.make_township(name="西镇")
    east_district = factories.make_district(term=term, township=east)
    one = factories.make_station(east, name="东镇站一", electoral_district=east_district)
    two = factories.make_station(east, name="东镇站二", electoral_district=east_district)
    home = factories.make_station(east, kind=StationKind.home, name="东镇之家")
    west_station = factories.make_station(west, name="西镇站",
                                          electoral_district=factories.make_district(term=term, township=west))
    people = {}
    for name, township, station, mobile in (("甲", east, one, "13800000011"), ("乙", east, one, "13800004917"),
                                            ("丙", east, two, "13800000033"), ("丁", west, west_station,
                                                                              "13800000044")):
        deputy = factories.make_deputy(name=name, mobile=mobile)
        factories.make_mandate(deputy, term, township, station_id=station.id, home_id=home.id
                               if township is east else None)
        people[name] = deputy
    for name in ("甲", "乙", "丁"):
        factories.make_user(roles=(Role.deputy,), deputy=people[name])
    factories.make_checkin(people["甲"], one, factories.local(2026, 12, 2, 9, 0))
    factories.make_checkin(people["乙"], one, factories.local(2026, 11, 20, 9, 0))
    rota = RotaMonth(township_id=east.id, year=2026, month=12, status=RotaStatus.published)
    slot = Slot(rota_month=rota, station_id=one.id, local_date=date(2026, 12, 18), starts=time(9), ends=time(11))
    db.session.add_all([rota, slot, SlotAssignment(slot=slot, deputy_id=people["乙"].id,
                                                   status=AssignmentStatus.assigned)])
    staff = factories.make_user(roles=(Role.township_staff,), townships=[east])
    db.session.flush()
    return SimpleNamespace(term=term, east=east, west=west, one=one, two=two, home=home, staff=staff,
                           today=today, **people)


def list_url(world, **extra):
    args = dict(figure="month", term=world.term.id, year=2026, period=202612, what="in_progress",
                as_of=world.today.isoformat(), **extra)
    return "/dashboard/people?" + "&".join(f"{k}={v}" for k, v in args.items())
