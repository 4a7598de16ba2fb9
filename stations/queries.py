"""Reads on the network: the scoped station list, form choices, and the mandates naming a station."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from liaison.accounts.access import scope
from liaison.clock import local_today
from liaison.deputies.models import Deputy, Mandate
from liaison.deputies.queries import held_end_after
from liaison.extensions import db
from liaison.network.models import Station, StationKind
from liaison.terms.models import Term
from liaison.townships.models import ADMINISTRATIVE_ORDER, ElectoralDistrict, Township


def station_list(q=None, kind=None, township_id=None, active=None, user=None):
    """Select the stations the user may see, filtered and in pinyin order of their names.

    ``q`` matches part of the name or address, or the whole QR code.
    """
    query = (
        sa.select(Station)
        .options(joinedload(Station.township), joinedload(Station.electoral_district))
    )
    query = scope(query, Station.township_id, user)
    if q:
        # Staff handed a scanned URL or a poster's code find the station by its code too.
        query = query.where(sa.or_(Station.name.icontains(q, autoescape=True),
                                   Station.address.icontains(q, autoescape=True),
                                   Station.code == q.strip().lower()))
    if kind is not None:
        query = query.where(Station.kind == kind)
    if township_id is not None:
        query = query.where(Station.township_id == township_id)
    if active is not None:
        query = query.where(Station.active.is_(active))
    return query.order_by(Station.name_sort_key, Station.id)


def townships_in_scope(user=None):
    """The townships the user may pick in a form or filter, in pinyin order."""
    query = scope(sa.select(Township), Township.id, user)
    return db.session.scalars(query.order_by(*ADMINISTRATIVE_ORDER)).all()


def districts_in_scope(user=None):
    """The electoral districts of the user's townships: by township, newest term first, then name."""
    query = (
        sa.select(ElectoralDistrict)
        .join(ElectoralDistrict.township)
        .join(ElectoralDistrict.term)
        .options(joinedload(ElectoralDistrict.township), joinedload(ElectoralDistrict.term))
    )
    query = scope(query, ElectoralDistrict.township_id, user)
    return db.session.scalars(query.order_by(
        *ADMINISTRATIVE_ORDER, Term.start_date.desc(), Term.name, ElectoralDistrict.name_sort_key,
    )).all()


def _names_station(station_id):
    """Mandates that name the station as the deputy's own home or own station."""
    return sa.or_(Mandate.home_id == station_id, Mandate.station_id == station_id)


def _not_over(day):
    """Mandates still running on ``day`` or yet to begin.

    Upcoming ones count too: a roster imported before a new term starts already assigns
    deputies to their station, and it must not be switched off under them.
    """
    return held_end_after(day)


def count_mandates_naming(station_id):
    """How many mandates, of any term and state, name the station as own home or station."""
    return db.session.scalar(
        sa.select(sa.func.count(Mandate.id)).where(_names_station(station_id))
    )


def count_deputies_relying_on(station_id, day=None):
    """How many people have a current or upcoming mandate naming the station as their own."""
    day = day or local_today()
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Mandate.deputy_id)))
        .join(Mandate.term)
        .where(_names_station(station_id), _not_over(day))
    )


def deputies_of_station(station_id, day=None):
    """Rows (deputy_id, name, term name, own home?, own station?, current) for the detail page.

    Current and upcoming mandates come first, then past ones; each group in pinyin order.
    """
    day = day or local_today()
    current = _not_over(day)
    query = (
        sa.select(
            Deputy.id.label("deputy_id"),
            Deputy.name.label("name"),
            Term.name.label("term_name"),
            (Mandate.home_id == station_id).label("is_home"),
            (Mandate.station_id == station_id).label("is_station"),
            sa.case((current, True), else_=False).label("current"),
            Mandate.end_date.label("end_date"),
        )
        .join(Mandate.deputy)
        .join(Mandate.term)
        .where(_names_station(station_id))
        .order_by(sa.case((current, 0), else_=1), Deputy.name_sort_key, Term.start_date.desc())
    )
    return db.session.execute(query).all()


def other_active_homes(station):
    """Names of the other active 代表之家 in the station's township."""
    return db.session.scalars(
        sa.select(Station.name)
        .where(Station.township_id == station.township_id, Station.kind == StationKind.home,
               Station.active.is_(True), Station.id != station.id)
        .order_by(Station.name_sort_key)
    ).all()


def name_taken(township_id, name, except_id=None):
    """Tell whether another station of the township already has this name."""
    query = sa.select(Station.id).where(Station.township_id == township_id, Station.name == name)
    if except_id is not None:
        query = query.where(Station.id != except_id)
    return db.session.scalar(query.limit(1)) is not None

