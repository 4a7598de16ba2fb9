"""Reads for the deputy pages: the scoped, searchable list, single records by id, and select options."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from liaison.accounts.access import refuse_out_of_scope, visible_township_ids
from liaison.deputies.models import Deputy, Mandate, last_day_held_in
from liaison.extensions import db
from liaison.network.models import Station
from liaison.terms.models import Term
from liaison.text import mobile_conditions
from liaison.townships.models import ADMINISTRATIVE_ORDER, ElectoralDistrict, Township


# --- rule R5 in SQL ----------------------------------------------------------------------------
# The Python form is ``Mandate.held_on`` / ``Mandate.held_end``; tests/deputies/test_held_on.py
# checks that the two agree. Each expression takes the mandate and term entities (or aliases of
# them: the rates statements use several); the caller joins the term to the mandate.

def held_on(day, mandate=Mandate, term=Term):
    """SQL: the mandate is held on the local date ``day`` (rule R5), suspension aside."""
    return sa.and_(mandate.start_date <= day, held_end_after(day, mandate, term))


def held_end_after(day, mandate=Mandate, term=Term):
    """SQL: the mandate's ``held_end`` is after ``day``: held on ``day`` or begun later (rule R5).

    Written without date arithmetic (not portable): the day after the term's last day held is
    after ``day`` exactly when that last day is on or after it.
    """
    return sa.or_(mandate.end_date > day, sa.and_(mandate.end_date.is_(None), last_day_held_in(term) >= day))


def held_end(mandate, term_held_end):
    """SQL: the mandate's ``held_end`` (rule R5), given ``term_held_end``: a column holding
    ``first_day_not_held(None, last_day_held_in(term))`` of its term, computed in Python (no portable
    date arithmetic)."""
    return sa.func.coalesce(mandate.end_date, term_held_end)


#: The orders a list of deputies can take (rule R16): 姓氏笔画, the official one and the default,
#: or pinyin. Identical strokes fall back on pinyin, then on the id, so pages never overlap.
NAME_ORDERS = {
    "strokes": (Deputy.stroke_sort_key, Deputy.name_sort_key, Deputy.id),
    "pinyin": (Deputy.name_sort_key, Deputy.id),
}


def deputy_list(q=None, term_id=None, township_id=None, township_ids=None, order="strokes"):
    """Deputies in 姓氏笔画 order, or pinyin with ``order="pinyin"`` (rule R16), with their mandates loaded.

    ``township_ids`` is the viewer's scope (``None``: the whole district). A deputy is listed when
    one mandate matches the scope and the term and township filters together.
    """
    query = sa.select(Deputy).options(
        selectinload(Deputy.mandates).selectinload(Mandate.term),
        selectinload(Deputy.mandates).selectinload(Mandate.township),
    )
    conditions = []
    if township_ids is not None:
        conditions.append(Mandate.township_id.in_(township_ids))
    if term_id:
        conditions.append(Mandate.term_id == term_id)
    if township_id:
        conditions.append(Mandate.township_id == township_id)
    if conditions:
        query = query.where(sa.exists().where(Mandate.deputy_id == Deputy.id, *conditions))
    q = (q or "").strip()
    if q:
        matches = [Deputy.name.icontains(q, autoescape=True), *mobile_conditions(Deputy.mobile, q)]
        query = query.where(sa.or_(*matches))
    return query.order_by(*NAME_ORDERS.get(order, NAME_ORDERS["strokes"]))


def visible_mandates(deputy, township_ids):
    """The deputy's mandates the viewer may see: all for the committee, their townships' for staff."""
    if township_ids is None:
        return list(deputy.mandates)
    return [m for m in deputy.mandates if m.township_id in township_ids]


def get_deputy_or_404(deputy_id):
    """A deputy the signed-in user may see; 404 for staff when no mandate lies in their townships."""
    deputy = db.get_or_404(Deputy, deputy_id)
    ids = visible_township_ids()
    if ids is not None and not visible_mandates(deputy, ids):
        refuse_out_of_scope()
    return deputy


def get_mandate_or_404(mandate_id):
    """A mandate the signed-in user may see (404 outside a staff member's townships)."""
    mandate = db.get_or_404(Mandate, mandate_id)
    ids = visible_township_ids()
    if ids is not None and mandate.township_id not in ids:
        refuse_out_of_scope(mandate.township_id)
    return mandate


def terms():
    """Every term, newest first, for filters and forms."""
    return db.session.scalars(sa.select(Term).order_by(Term.start_date.desc(), Term.name)).all()


def townships(township_ids=None):
    """Townships in administrative order, limited to ``township_ids`` when given."""
    query = sa.select(Township).order_by(*ADMINISTRATIVE_ORDER)
    if township_ids is not None:
        query = query.where(Township.id.in_(township_ids))
    return db.session.scalars(query).all()


def district_rows():
    """Every electoral district with its term and township names, for a grouped select."""
    query = (
        sa.select(ElectoralDistrict.id, ElectoralDistrict.name, Term.name.label("term"),
                  Township.name.label("township"))
        .join(Term, Term.id == ElectoralDistrict.term_id)
        .join(Township, Township.id == ElectoralDistrict.township_id)
        .order_by(*ADMINISTRATIVE_ORDER, Term.start_date.desc(), ElectoralDistrict.name_sort_key)
    )
    return db.session.execute(query).all()


def station_rows(kind, keep_ids=()):
    """Active homes or stations (plus ``keep_ids``, already chosen ones) with township names."""
    wanted = Station.active.is_(True)
    keep_ids = [i for i in keep_ids if i]
    if keep_ids:
        wanted = sa.or_(wanted, Station.id.in_(keep_ids))
    query = (
        sa.select(Station.id, Station.name, Station.active, Township.name.label("township"))
        .join(Township, Township.id == Station.township_id)
        .where(Station.kind == kind, wanted)
        .order_by(*ADMINISTRATIVE_ORDER, Station.name_sort_key)
    )
    return db.session.execute(query).all()


def roster_rows(township_ids=None, today=None):
    """One plain row per mandate the viewer may see, in 姓氏笔画 order (rule R16), for the roster export."""
    from sqlalchemy.orm import aliased

    home = aliased(Station)
    station = aliased(Station)
    query = (
        sa.select(Deputy.name, Deputy.gender, Deputy.ethnicity, Deputy.mobile, Term.name.label("term"),
                  Term.level,
                  Township.name.label("township"), ElectoralDistrict.name.label("district"),
                  station.name.label("station"), home.name.label("home"), Mandate.start_date,
                  Mandate.end_date, Mandate.end_reason)
        .join(Mandate, Mandate.deputy_id == Deputy.id)
        .join(Term, Term.id == Mandate.term_id)
        .join(Township, Township.id == Mandate.township_id)
        .outerjoin(ElectoralDistrict, ElectoralDistrict.id == Mandate.electoral_district_id)
        .outerjoin(station, station.id == Mandate.station_id)
        .outerjoin(home, home.id == Mandate.home_id)
        .order_by(*NAME_ORDERS["strokes"], Term.level, Term.start_date)
    )
    if township_ids is not None:
        query = query.where(Mandate.township_id.in_(township_ids))
    return db.session.execute(query)


def deputies_in_force(township_id, day):
    """Deputies with a mandate in that township held and not suspended on ``day``, by pinyin."""
    mandates = db.session.scalars(
        sa.select(Mandate).where(Mandate.township_id == township_id, Mandate.start_date <= day)
        .options(joinedload(Mandate.term), selectinload(Mandate.suspensions), joinedload(Mandate.deputy))
    ).unique().all()
    people = {m.deputy_id: m.deputy for m in mandates if m.held_on(day) and not m.suspended_on(day)}
    return sorted(people.values(), key=lambda d: (d.name_sort_key, d.id))


def deputy_township_ids(deputy_id):
    """The townships where the deputy holds or held a mandate."""
    return set(db.session.scalars(sa.select(Mandate.township_id).where(Mandate.deputy_id == deputy_id)))
