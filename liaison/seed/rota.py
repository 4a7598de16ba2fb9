"""The demo's rota: this month's published rota in every township (made by the planner), two collective
activities at each home this quarter, and a few messages in the demo deputy's inbox."""
import logging
from datetime import time, timedelta

import sqlalchemy as sa

from liaison.activities.models import ActivityType
from liaison.activities.operations import create_activity, notify_invited
from liaison.calendar import queries as calendar
from liaison.clock import Quarter, local_today
from liaison.deputies.models import Deputy
from liaison.deputies.queries import deputies_in_force
from liaison.errors import InvalidInput
from liaison.extensions import db
from liaison.network.models import Station, StationKind
from liaison.rota import operations, queries
from liaison.townships.models import ADMINISTRATIVE_ORDER, Township

log = logging.getLogger(__name__)

#: Two activities per home and quarter: (month of the quarter, day to start looking from, type, title).
ACTIVITIES = (
    (0, 15, ActivityType.study, "学习新修订的代表法"),
    (2, 10, ActivityType.discussion, "听取民生实事项目意见"),
)
THEMES = ("听取群众意见建议", "乡村振兴与村庄环境整治", "养老服务与医疗保障", "社区治理与物业管理")


def _workday_from(day):
    """The first working day on or after ``day`` (the calendar decides, any year)."""
    while not calendar.is_workday(day):
        day += timedelta(days=1)
    return day


def _give_upcoming_place(rota_month, deputy, station_id, today, first):
    """When the planner put the demo deputy on a day already past, add a place after today too, so
    "我的排班" has something to show (at their station if it has room, else anywhere in the township)."""
    month_slots = queries.month_slots(rota_month.id)
    if any(s.local_date > today and deputy.id in {a.deputy_id for a in s.holding} for s in month_slots):
        return
    upcoming = [s for s in month_slots if s.local_date > today and s.free_places > 0]
    upcoming.sort(key=lambda s: (s.station_id != station_id, s.local_date))
    for slot in upcoming:
        try:
            operations.assign_deputy(slot, deputy, today=first)
        except InvalidInput:
            continue
        return


def seed_demo_rota(demo_mobile):
    """Add the rota, activities and demo messages to the session (flushed, not committed); returns counts."""
    today = local_today()
    first = today.replace(day=1)
    demo = db.session.scalar(sa.select(Deputy).where(Deputy.mobile == demo_mobile))
    slots = 0
    months = []
    townships = db.session.scalars(sa.select(Township).order_by(*ADMINISTRATIVE_ORDER)).all()
    for index, township in enumerate(townships):
        rota_month, proposal = operations.propose_rota(township, today.year, today.month,
                                                       theme=THEMES[index % len(THEMES)], first_day=first,
                                                       today=first)
        if demo is not None and demo.id in proposal.placed:
            _give_upcoming_place(rota_month, demo, proposal.placed[demo.id].station_id, today, first)
        operations.publish_rota(rota_month, notify=False, today=first)
        slots += len(proposal.filled_windows)
        months.append(rota_month)

    quarter_start = Quarter.of(today).first
    activities = []
    homes = db.session.scalars(sa.select(Station).where(Station.kind == StationKind.home)
                               .order_by(Station.name_sort_key)).all()
    for home in homes:
        for month_offset, start_day, kind, title in ACTIVITIES:
            month = quarter_start.month + month_offset
            day = _workday_from(quarter_start.replace(month=month, day=start_day))
            invited = deputies_in_force(home.township_id, day)
            activities.append(create_activity(home, day, time(14, 30), time(16, 30), kind, title,
                                                         invited, notify=False))

    sent = 0
    if demo is not None and demo.account is not None:
        for rota_month in months:
            slots_of_month = queries.month_slots(rota_month.id)
            sent += operations.notify_published(rota_month, slots_of_month, only={demo.id})
        for activity in (a for a in activities if any(i.deputy_id == demo.id for i in a.invitations)):
            notify_invited(activity, [demo])
            sent += 1
    db.session.flush()
    log.info("demo rota seeded: months=%s slots=%s activities=%s messages=%s", len(months), slots,
             len(activities), sent)
    return {"rota_months": len(months), "slots": slots, "activities": len(activities), "messages": sent}
