"""Demo constituents' opinions (民意) over the last three months, in every state of their handling.

Written as rows with their step dates set in the past (the handling operations stamp today and
refuse past due dates), so the committee's 接、登、转、复 table, the overdue badge and the staff queue
show something realistic on a fresh `make run`.
"""
from datetime import datetime, time, timedelta, timezone

import sqlalchemy as sa

from liaison.clock import local_today, local_zone, utcnow
from liaison.extensions import db
from liaison.network.models import Station
from liaison.opinions.models import (Category, Channel, EventKind, Handling, Opinion, OpinionEvent, Satisfaction,
                                     Status, month_key, new_lookup_number)

#: What constituents say, by category; the demo picks from these.
SAYINGS = {
    Category.construction: ("小区门口路灯坏了两个月，晚上出行很不方便，希望尽快修好。",
                            "老旧小区加装电梯的补贴政策能不能讲得更清楚一些？"),
    Category.transport: ("学校门口上下学时段拥堵严重，建议增设护学岗和临时停车位。",
                         "村里到镇上的公交班次太少，老人看病不方便。"),
    Category.environment: ("河道上游有人倾倒垃圾，夏天气味很重。", "工地夜间施工噪音大，影响休息。"),
    Category.social_security: ("灵活就业人员的医保缴费流程希望简化。", "高龄津贴发放时间能否固定下来？"),
    Category.education_health: ("社区卫生服务站周末不开门，能否轮流值班？",),
    Category.governance: ("小区物业长期不作为，业委会成立遇到困难。",),
    Category.economy: ("农产品销售渠道少，希望镇里组织展销活动。",),
}
DEPARTMENTS = ("镇城管办", "区交通运输局", "区生态环境分局", "区医保局", "镇社会事务办")
REPLIES = ("已转相关部门核实处理，问题已解决，感谢您的反映。",
           "经核实，相关工作已列入本年度计划，将于下月完成。",
           "已与相关单位沟通，具体安排将在村（社区）公示栏公布。")


def _instant(day, rng, hour=9):
    """A working-hours instant on a local date, never later than now."""
    local = datetime.combine(day, time(hour + rng.randrange(0, 6), rng.randrange(0, 60)), tzinfo=local_zone())
    return min(local.astimezone(timezone.utc), utcnow())


def _after(earlier, day, rng, hour=9):
    """An instant on ``day`` that comes after ``earlier`` (a step never precedes the one before)."""
    return min(max(_instant(day, rng, hour), earlier + timedelta(minutes=rng.randrange(5, 90))), utcnow())


def seed_demo_opinions(rng, staff_id, count=36):
    """Add ``count`` opinions at the stations of the first townships (flushed); return the count."""
    today = local_today()
    stations = db.session.scalars(sa.select(Station).where(Station.active.is_(True)).order_by(Station.id)).all()
    # Most opinions go to the first township (the demo staff account's), the rest spread thinly.
    first_township = stations[0].township_id
    own = [s for s in stations if s.township_id == first_township]
    others = [s for s in stations if s.township_id != first_township]
    # Fates spread evenly, then shuffled: every step of the handling is shown, in stable shares.
    fates = [(index + 0.5) / count for index in range(count)]
    rng.shuffle(fates)
    for index, fate in enumerate(fates):
        station = rng.choice(own if index % 3 else others or own)
        category = rng.choice(tuple(SAYINGS))
        received_on = today - timedelta(days=rng.randrange(0, 90))
        received_at = _instant(received_on, rng)
        opinion = Opinion(
            number=new_lookup_number(), station=station, township_id=station.township_id,
            channel=rng.choice((Channel.public_page, Channel.public_page, Channel.reception)),
            category=category, content=rng.choice(SAYINGS[category]),
            phone=f"138{rng.randrange(10**8):08d}" if rng.random() < 0.6 else "",
            received_at=received_at, received_on=received_on, received_month=month_key(received_on),
            status=Status.received)
        # A number is kept only with the constituent's consent (rule R29), given when they left it.
        opinion.phone_consented_at = received_at if opinion.phone else None
        events = [OpinionEvent(kind=EventKind.received, at=received_at, note=str(opinion.channel.label))]
        age = (today - received_on).days
        if fate < 0.06:
            opinion.status = Status.handed_over
            opinion.closing_note = "涉及个人信访事项，已转区人大常委会信访室。"
            opinion.closed_at = received_at + timedelta(days=1)
            opinion.closed_by_id = staff_id
            opinion.concluded_on = received_on + timedelta(days=1)
            events.append(OpinionEvent(kind=EventKind.handed_over, at=opinion.closed_at, by_id=staff_id))
        elif fate < 0.12 and age < 10:
            pass  # left recently, still waiting to be registered
        else:
            registered_on = min(today, received_on + timedelta(days=rng.randrange(0, 3)))
            opinion.registered_on, opinion.registered_by_id = registered_on, staff_id
            opinion.status = Status.registered
            events.append(OpinionEvent(kind=EventKind.registered, at=_after(received_at, registered_on, rng),
                                       by_id=staff_id))
            if fate < 0.25:
                _replied(opinion, events, registered_on, Handling.on_spot, EventKind.answered_on_spot, staff_id, rng)
            elif fate < 0.9:
                referred_on = min(today, registered_on + timedelta(days=1))
                opinion.department = rng.choice(DEPARTMENTS)
                opinion.referred_on, opinion.due_on = referred_on, referred_on + timedelta(days=15)
                opinion.handling, opinion.status = Handling.referral, Status.referred
                events.append(OpinionEvent(
                    kind=EventKind.referred, at=_after(events[-1].at, referred_on, rng), by_id=staff_id,
                    note=f"承办部门：{opinion.department}；办理期限：{opinion.due_on.isoformat()}"))
                # Most departments answer in time; a few are late and one in eight has not answered yet.
                if rng.random() < 0.85:
                    replied_on = referred_on + timedelta(days=rng.randrange(3, 20))
                    if replied_on <= today:
                        _replied(opinion, events, replied_on, Handling.referral, EventKind.replied, staff_id, rng)
        opinion.events = events
        db.session.add(opinion)
    db.session.flush()
    return count


def _replied(opinion, events, day, handling, kind, staff_id, rng):
    opinion.reply = rng.choice(REPLIES)
    opinion.replied_at = _after(events[-1].at, day, rng, hour=14)
    opinion.replied_on, opinion.replied_by_id = day, staff_id
    opinion.handling, opinion.status = opinion.handling or handling, Status.replied
    opinion.concluded_on = day
    events.append(OpinionEvent(kind=kind, at=opinion.replied_at, by_id=staff_id))
    if day < local_today() and rng.random() < 0.7:
        opinion.satisfaction = rng.choice((Satisfaction.satisfied,) * 6 + (Satisfaction.basically,) * 3
                                          + (Satisfaction.unsatisfied,))
        opinion.satisfaction_at = opinion.replied_at + timedelta(days=1)
        events.append(OpinionEvent(kind=EventKind.rated, at=opinion.satisfaction_at,
                                   note=str(opinion.satisfaction.label)))
