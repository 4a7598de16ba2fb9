"""A year of plausible check-in history for the demo district, with gaps so rates are not all 100%."""
import secrets
from datetime import datetime, time, timedelta, timezone

import sqlalchemy as sa

from liaison.clock import Month, local_today, local_zone
from liaison.deputies.models import Mandate
from liaison.extensions import db
from liaison.network.models import Station, StationKind
from stations.checkin.models import Checkin, Method, PendingReason, Status
from stations.checkin.queries import period_keys

#: How often deputies of a township keep their cadence: some townships lag, as in real life.
DILIGENCE = (0.97, 0.93, 0.88, 0.95, 0.8, 0.9, 0.85, 0.96, 0.91, 0.75)


def _months_back(today, count):
    """The first days of the last ``count`` months, oldest first, ending with this month."""
    firsts, month = [], Month.of(today)
    for _ in range(count):
        firsts.append(month.first)
        month = month.previous()
    return list(reversed(firsts))


def _weekday_in_month(rng, first, today):
    """A random Monday–Friday of the month that is not after today."""
    last = Month.of(first).last
    days = [first + timedelta(days=i) for i in range((min(last, today) - first).days + 1)]
    workdays = [d for d in days if d.weekday() < 5] or days
    return rng.choice(workdays)


def _instant(day, rng):
    """A morning reception time on a local date, as a UTC instant."""
    local = datetime.combine(day, time(9 + rng.randrange(0, 3), rng.randrange(0, 60)), tzinfo=local_zone())
    return local.astimezone(timezone.utc)


def seed_checkin_history(rng, entered_by_id, months=12):
    """Insert about a year of check-ins for the mandates in force; returns how many were written.

    ``entered_by_id`` is the staff account shown as having back-entered (补登) the few paper ones.
    """
    today = local_today()
    mandates = db.session.scalars(sa.select(Mandate)).all()
    townships = sorted({m.township_id for m in mandates})
    diligence = {t: DILIGENCE[i % len(DILIGENCE)] for i, t in enumerate(townships)}
    stations_by_township = {}
    for station in db.session.scalars(sa.select(Station).where(Station.kind == StationKind.station)):
        stations_by_township.setdefault(station.township_id, []).append(station.id)
    people = {}
    for mandate in mandates:
        people.setdefault(mandate.deputy_id, mandate)  # one person, one cadence
    rows = []
    for deputy_id, mandate in people.items():
        keen = diligence[mandate.township_id]
        for first in _months_back(today, months):
            last_of_month = Month.of(first).last
            if not (mandate.start_date <= first and mandate.held_on(min(last_of_month, today))):
                continue
            if first.month == today.month and first.year == today.year and rng.random() < 0.35:
                continue  # this month is not over: many have not come yet
            if rng.random() < keen and mandate.station_id:
                away = rng.random() < 0.06
                station_id = rng.choice(stations_by_township[mandate.township_id]) if away else mandate.station_id
                rows.append(_row(rng, deputy_id, station_id, StationKind.station, first, today, entered_by_id,
                                 away=station_id != mandate.station_id))
            if first.month in (2, 5, 8, 11) and mandate.home_id and rng.random() < keen - 0.05:
                rows.append(_row(rng, deputy_id, mandate.home_id, StationKind.home, first, today, entered_by_id))
    if rows:
        db.session.execute(sa.insert(Checkin), rows)
    return len(rows)


def _row(rng, deputy_id, station_id, kind, first, today, entered_by_id, away=False):
    """One check-in row; most count, a few recent ones wait for staff, a few were back-entered."""
    day = _weekday_in_month(rng, first, today)
    occurred = _instant(day, rng)
    local_date, month_key, quarter_key = period_keys(occurred)
    roll = rng.random()
    recent = (today - local_date).days < 10
    if recent and roll < 0.15:
        method, status, pending = Method.poster, Status.pending, PendingReason.no_location
    elif roll < 0.05:
        method, status, pending = Method.back_entry, Status.accepted, None
    elif roll < 0.55:
        method, status, pending = Method.kiosk, Status.accepted, None
    else:
        method, status, pending = Method.poster, Status.accepted, None
    return {
        "deputy_id": deputy_id, "station_id": station_id, "station_kind": kind, "occurred_at": occurred,
        "local_date": local_date, "month_key": month_key, "quarter_key": quarter_key, "method": method,
        "status": status, "pending_reason": pending, "inside_fence": True if method is Method.poster and
        status is Status.accepted else None, "accuracy_m": 20 if method is Method.poster else None,
        "client_nonce": secrets.token_urlsafe(16), "away_from_own": away,
        "back_entry_reason": "纸质签到簿补登" if method is Method.back_entry else "",
        "entered_by_id": entered_by_id if method is Method.back_entry else None,
        "checked_out_at": occurred + timedelta(minutes=90) if roll > 0.3 else None,
        "duration_minutes": 90 if roll > 0.3 else None,
        "constituents_received": rng.randrange(0, 9) if kind is StationKind.station and roll > 0.3 else None,
        "matters_raised": "", "created_at": occurred,
    }
