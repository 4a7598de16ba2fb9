"""Reads on activities: the homes in scope, the list, and who attended (counted check-ins in its window)."""
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from liaison.accounts.access import scope
from liaison.activities.models import Activity, ActivityInvitation
from liaison.clock import Quarter, local_zone
from liaison.deputies.models import Deputy
from liaison.extensions import db
from liaison.network.models import Station, StationKind
from stations.checkin.models import COUNTED, Checkin

#: Check-ins this long before an activity starts count as attending it (people arrive early).
ARRIVE_EARLY = timedelta(minutes=30)


def homes_in_scope():
    """Active homes (代表之家) in the user's townships, by pinyin."""
    return db.session.scalars(
        scope(sa.select(Station).where(Station.kind == StationKind.home, Station.active.is_(True)),
              Station.township_id).order_by(Station.name_sort_key)).all()


def activity_list(since=None):
    """Activities at homes in the user's townships, newest first; from ``since`` on when given."""
    invited = (sa.select(sa.func.count(ActivityInvitation.id))
               .where(ActivityInvitation.activity_id == Activity.id).scalar_subquery())
    query = (sa.select(Activity, invited).join(Station, Station.id == Activity.station_id)
             .options(joinedload(Activity.station).joinedload(Station.township))
             .order_by(Activity.local_date.desc(), Activity.starts.desc(), Activity.id.desc()))
    if since is not None:
        query = query.where(Activity.local_date >= since)
    return scope(query, Station.township_id)


def local_instant(day, clock_time):
    """A local date and wall-clock time as an aware instant."""
    return datetime.combine(day, clock_time, tzinfo=local_zone())


class Attendee(NamedTuple):
    deputy_id: int
    name: str
    invited: bool
    #: The first counted check-in in the activity's window (UTC), or None.
    checked_in_at: datetime | None


def attendance(activity):
    """Invited deputies with their check-in (or none), then uninvited deputies who checked in.

    A counted check-in at the activity's home on its date between 30 minutes before it starts and
    its end (local time) is attendance.
    """
    start = local_instant(activity.local_date, activity.starts) - ARRIVE_EARLY
    end = local_instant(activity.local_date, activity.ends)
    rows = db.session.execute(
        sa.select(Checkin.deputy_id, sa.func.min(Checkin.occurred_at))
        .where(Checkin.station_id == activity.station_id, Checkin.local_date == activity.local_date,
               Checkin.status.in_(COUNTED), Checkin.occurred_at >= start, Checkin.occurred_at <= end)
        .group_by(Checkin.deputy_id)).all()
    # MIN keeps the column's type, so the instants come back aware (UTC) on both databases.
    came = dict(rows)
    invited = db.session.execute(
        sa.select(Deputy.id, Deputy.name).join(ActivityInvitation, ActivityInvitation.deputy_id == Deputy.id)
        .where(ActivityInvitation.activity_id == activity.id).order_by(Deputy.name_sort_key, Deputy.id)).all()
    invited_ids = {row.id for row in invited}
    result = [Attendee(row.id, row.name, True, came.get(row.id)) for row in invited]
    others = [d for d in came if d not in invited_ids]
    if others:
        rows = db.session.execute(sa.select(Deputy.id, Deputy.name).where(Deputy.id.in_(others))
                                  .order_by(Deputy.name_sort_key, Deputy.id))
        result += [Attendee(row.id, row.name, False, came[row.id]) for row in rows]
    return result


def deputy_invitations(deputy_id, today):
    """The 季回家 activities the deputy is invited to from this quarter's first day on, soonest first,
    each as ``(activity, came)``: ``came`` is True when a counted check-in at that home that day exists,
    False when the day is past without one, None while still to come (我的履职, rule R34)."""
    activities = db.session.scalars(
        sa.select(Activity).join(ActivityInvitation, ActivityInvitation.activity_id == Activity.id)
        .where(ActivityInvitation.deputy_id == deputy_id, Activity.local_date >= Quarter.of(today).first)
        .options(joinedload(Activity.station))
        .order_by(Activity.local_date, Activity.starts, Activity.id)).all()
    if not activities:
        return []
    visited = set(db.session.execute(
        sa.select(Checkin.station_id, Checkin.local_date)
        .where(Checkin.deputy_id == deputy_id, Checkin.status.in_(COUNTED),
               Checkin.local_date.between(activities[0].local_date, activities[-1].local_date))).all())
    return [(a, True if (a.station_id, a.local_date) in visited else (None if a.local_date >= today else False))
            for a in activities]
