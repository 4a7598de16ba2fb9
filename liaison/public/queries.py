"""Reads for the public pages: who a station serves, its deputies and its rota of a month.

Names and levels only: no mobile number, no opinion text, nothing of a constituent.
"""
from collections import OrderedDict
import sqlalchemy as sa

from liaison.clock import Month
from liaison.deputies.models import Deputy, Mandate
from liaison.deputies.queries import held_on
from liaison.extensions import db
from liaison.rota.models import HOLDING_PLACE
from liaison.rota.queries import published_slots
from liaison.terms.models import Level, Term

#: The order levels are named in (四级代表, highest first).
LEVEL_ORDER = [Level.national, Level.municipal, Level.district, Level.township]


def station_deputies(station_id, day):
    """``[(name, [Level, …])]`` of the people whose mandate held on ``day`` names this home or station
    as their own, in pinyin order, each person once with every level they sit at."""
    rows = db.session.execute(
        sa.select(Deputy.id, Deputy.name, Term.level)
        .join(Mandate, Mandate.deputy_id == Deputy.id).join(Term, Term.id == Mandate.term_id)
        .where(sa.or_(Mandate.home_id == station_id, Mandate.station_id == station_id),
               held_on(day))
        .order_by(Deputy.name_sort_key, Deputy.id)).all()
    people = OrderedDict()
    for deputy_id, name, level in rows:
        levels = people.setdefault(deputy_id, (name, set()))[1]
        levels.add(level)
    return [(name, [lv for lv in LEVEL_ORDER if lv in levels]) for name, levels in people.values()]


def month_rota(station_id, month: Month):
    """The published reception slots of a station from the first day of ``month`` on (the whole month,
    and a next month already published): ``{day: [(slot, names)]}``, in order."""
    days = OrderedDict()
    for slot in published_slots(station_id, month.first):
        names = [a.deputy.name for a in slot.assignments if a.status in HOLDING_PLACE]
        if names:
            days.setdefault(slot.local_date, []).append((slot, names))
    return days


