"""Reads for opinions: the staff queue with its filters, one opinion in scope, lookups by number,
and the choices offered by the forms."""
import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload, selectinload

from liaison.accounts.access import ensure_township, visible_township_ids
from liaison.clock import local_today
from liaison.deputies.models import Mandate
from liaison.extensions import db
from liaison.network.models import Station
from liaison.opinions.models import AWAITING_STATUSES, Opinion, OpinionEvent, Status, normalise_lookup_number
from stations.checkin.models import Checkin


def overdue_clause(today):
    """SQL condition: waiting on a department or deputy past its due date, without a reply."""
    return sa.and_(Opinion.status.in_(AWAITING_STATUSES), Opinion.due_on.is_not(None), Opinion.due_on < today)


def queue(status=None, station_id=None, overdue=False, township_ids=None):
    """Opinions in the given townships (None: all), newest first, filtered as the queue page asks.

    Without a status filter, opinions handed over to 信访 or rejected are left out: they are no
    longer the station's work.
    """
    query = sa.select(Opinion).options(joinedload(Opinion.station))
    if township_ids is not None:
        query = query.where(Opinion.township_id.in_(township_ids))
    if status is not None:
        query = query.where(Opinion.status == status)
    else:
        query = query.where(Opinion.status.not_in((Status.handed_over, Status.rejected)))
    if station_id:
        query = query.where(Opinion.station_id == station_id)
    if overdue:
        query = query.where(overdue_clause(local_today()))
    return query.order_by(Opinion.received_at.desc(), Opinion.id.desc())


def status_counts(township_ids=None):
    """How many opinions stand at each status, in the given townships."""
    query = sa.select(Opinion.status, sa.func.count()).group_by(Opinion.status)
    if township_ids is not None:
        query = query.where(Opinion.township_id.in_(township_ids))
    return dict(db.session.execute(query).all())


def get_opinion_or_404(opinion_id):
    """An opinion in the viewer's townships, with its timeline; 404 otherwise (no hint it exists)."""
    opinion = db.session.scalar(
        sa.select(Opinion).where(Opinion.id == opinion_id)
        .options(selectinload(Opinion.events).joinedload(OpinionEvent.by), joinedload(Opinion.station)))
    if opinion is None:
        abort(404)
    ensure_township(opinion.township_id)
    return opinion


def find_by_number(text):
    """The opinion a typed lookup number names, or None (also for malformed numbers)."""
    number = normalise_lookup_number(text)
    if not number:
        return None
    return db.session.scalar(sa.select(Opinion).where(Opinion.number == number)
                             .options(selectinload(Opinion.events), joinedload(Opinion.station)))


def active_station_by_code(code):
    """The active station behind a public page's code, or 404."""
    station = db.session.scalar(sa.select(Station).where(Station.code == code, Station.active.is_(True)))
    if station is None:
        abort(404)
    return station


def stations_in_scope(township_ids):
    """Active stations in the given townships (None: all), by township then pinyin."""
    query = sa.select(Station).where(Station.active.is_(True)).options(joinedload(Station.township))
    if township_ids is not None:
        query = query.where(Station.township_id.in_(township_ids))
    return db.session.scalars(query.order_by(Station.township_id, Station.name_sort_key)).all()


def queue_stations():
    """Stations offered by the queue's filter: those of the viewer's townships."""
    return stations_in_scope(visible_township_ids())


def deputy_stations(deputy, today=None):
    """Stations a deputy may record a reception at: active ones in the townships of their mandates
    in force today (a deputy may receive at another station of the township)."""
    today = today or local_today()
    mandates = db.session.scalars(sa.select(Mandate).where(Mandate.deputy_id == deputy.id)
                                  .options(joinedload(Mandate.term))).all()
    township_ids = {m.township_id for m in mandates if m.held_on(today)}
    return stations_in_scope(township_ids) if township_ids else []


def deputy_opinions(deputy_id):
    """Opinions a deputy received or took up as a suggestion, newest first."""
    return db.session.scalars(
        sa.select(Opinion)
        .where(sa.or_(Opinion.deputy_id == deputy_id, Opinion.suggestion_deputy_id == deputy_id))
        .options(joinedload(Opinion.station)).order_by(Opinion.received_at.desc(), Opinion.id.desc())).all()



def likely_reception_station(deputy, station_ids, today=None):
    """Where the deputy is most likely receiving now: the station of today's latest check-in, else
    their mandate's own station; None when neither is among ``station_ids`` (the form then asks)."""
    today = today or local_today()
    checked_in_at = db.session.scalar(
        sa.select(Checkin.station_id).where(Checkin.deputy_id == deputy.id, Checkin.local_date == today)
        .order_by(Checkin.occurred_at.desc()).limit(1))
    own = [m.station_id for m in deputy.mandates if m.held_on(today) and m.station_id]
    return next((s for s in [checked_in_at, *own] if s in station_ids), None)
