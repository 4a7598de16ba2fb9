"""Helpers for the network tests: two townships with a district each, and a valid station form."""
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from liaison.clock import local_today
from liaison.deputies.models import EndReason
from liaison.extensions import db as _db
from liaison.network.models import Station, StationKind
from tests import factories


@pytest.fixture()
def network(db):
    """城关镇 (A) and 柳溪乡 (B), each with one 选区 in a 区 term running today."""
    today = local_today()
    term = factories.make_term(name="区第八届", start_date=today - timedelta(days=365),
                               end_date=today + timedelta(days=4 * 365))
    a = factories.make_township(name="城关镇")
    b = factories.make_township(name="柳溪乡")
    return SimpleNamespace(
        term=term, a=a, b=b,
        a_district=factories.make_district(term=term, township=a, name="城关第一选区"),
        b_district=factories.make_district(term=term, township=b, name="柳溪第一选区"),
    )


def station_form(township, district=None, **overrides):
    """The POST body of a valid 联络站 (or home, with kind="home"); ``None`` leaves a field out."""
    data = {
        "kind": "station", "name": f"{township.name}第一联络站", "township_id": str(township.id),
        "electoral_district_id": str(district.id) if district else "",
        "address": "人民路 1 号", "latitude": "", "longitude": "", "radius_m": "200", "active": "y",
        "am_opens": "", "am_closes": "", "pm_opens": "", "pm_closes": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def make_station(township, kind=StationKind.station, name=None, **kw):
    """A station with an explicit name (the shared factory's default name needs a request)."""
    if kind is StationKind.station and "electoral_district" not in kw:
        raise AssertionError("give a 联络站 its electoral_district")
    return factories.make_station(township=township, kind=kind, name=name or f"{township.name}站点", **kw)


def make_mandate(network, township, ended=False, **kw):
    """A mandate in the network's term, current unless ``ended`` (then it ended 10 days ago)."""
    deputy = factories.make_deputy(name=kw.pop("name", "王建国"))
    if ended:
        kw.update(end_date=local_today() - timedelta(days=10), end_reason=EndReason.moved_away)
    district = network.a_district if township is network.a else network.b_district
    return factories.make_mandate(deputy=deputy, term=network.term, township=township,
                                  electoral_district=district, **kw)


def count(model):
    """Rows of a model in the database, read fresh."""
    _db.session.expire_all()
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))


def station_named(name):
    """The station with that name, read fresh, or None."""
    _db.session.expire_all()
    return _db.session.scalar(sa.select(Station).where(Station.name == name))



def checked_values(page, name):
    """The values of the ticked checkboxes or radios called ``name`` on a page."""
    values = set()
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag and re.search(r"\schecked[\s>]", tag):
            values.add(re.search(r'value="([^"]*)"', tag).group(1))
    return values
