"""The rota's scheduled jobs: no-shows of yesterday's slots, the day-before reminder, the publish deadline.

Each runs once per local day (see ``liaison.jobs.registry``); each is also safe to run again for
the same day: attendance is recomputed to the same answer, and messages carry dedupe keys.
"""
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from liaison.accounts.queries import township_staff
from liaison.clock import Month, day_label, times_label
from liaison.jobs.registry import DAILY, job
from liaison.notifications.operations import notify_deputy, send
from liaison.rota import operations, queries
from liaison.rota.models import AssignmentStatus


# Every past day is settled, not only yesterday's: a scheduler that was down for any time still
# records those days' no-shows when it comes back (rule R22), and settling a day twice changes nothing.
@job("rota_no_shows", title=_l("排班缺席登记"), cadence=DAILY, cron=lambda config: {"hour": 1, "minute": 0},
     catch_up=7)
def record_no_shows(period):
    """Mark the places of every published slot before ``period``'s day attended or no-show from the
    check-ins: the day before, and any earlier day with places never settled (catch-up)."""
    day = period.first_day - timedelta(days=1)
    days = sorted(set(queries.unsettled_days(before=period.first_day)) | {day})
    attended = no_shows = 0
    for each in days:
        a, n, _changed = operations.record_attendance(each)
        attended += a
        no_shows += n
    if len(days) == 1:
        return str(_l("%(day)s：到岗 %(a)s 人次，未到 %(n)s 人次。", day=day.isoformat(), a=attended, n=no_shows))
    return str(_l("%(first)s 至 %(last)s 共 %(days)s 天（含此前漏登的日子）：到岗 %(a)s 人次，未到 %(n)s 人次。",
                  first=days[0].isoformat(), last=days[-1].isoformat(), days=len(days), a=attended, n=no_shows))


# A reminder about a day that has begun helps nobody: catch up the latest day only.
@job("rota_day_before_reminder", title=_l("接待前一天提醒"), cadence=DAILY,
     cron=lambda config: {"hour": 16, "minute": 0}, catch_up=1)
def day_before_reminder(period):
    """Remind each deputy with a place in tomorrow's published slots, once per place."""
    day = period.first_day + timedelta(days=1)
    sent = skipped = 0
    for place in queries.places_on(day, statuses=(AssignmentStatus.assigned,)):
        slot = place.slot
        # Rule R20, read at send time: a deputy whose mandate ended or who was suspended or recorded
        # away after the place was given (a change that missed the rota) is not asked to come.
        if not queries.may_receive(place.deputy_id, slot.rota_month.township_id, day):
            skipped += 1
            continue
        message = notify_deputy(
            place.deputy, _l("明天接待选民提醒"),
            _l("明天 %(day)s%(times)s，您在 %(station)s（%(address)s）接待选民。到站后请扫描站点二维码签到；"
               "如不能前往，请尽快联系乡镇人大工作人员。", day=day_label(day),
               times=times_label(slot.starts, slot.ends), station=slot.station.name,
               address=slot.station.address),
            "rota_day_before", dedupe_key=f"rota_day_before:{place.id}")
        sent += message is not None
    if skipped:
        return str(_l("%(day)s 的接待：提醒 %(n)s 人次；%(s)s 人次已不在任、暂停或不能接待，未提醒。",
                      day=day.isoformat(), n=sent, s=skipped))
    return str(_l("%(day)s 的接待：提醒 %(n)s 人次。", day=day.isoformat(), n=sent))


@job("publish_deadline_reminder", title=_l("排班公示截止提醒"), cadence=DAILY,
     cron=lambda config: {"hour": 8, "minute": 30})
def publish_deadline_reminder(period):
    """Tell township staff, once per township and month, that next month's rota is not published
    ``LIAISON_ROTA_PUBLISH_REMINDER_DAYS`` days before the month starts (or less)."""
    today = period.first_day
    next_first = Month.of(today).next().first
    days_left = (next_first - today).days
    if days_left > current_app.config["LIAISON_ROTA_PUBLISH_REMINDER_DAYS"]:
        return str(_l("距下月排班公示截止还早，未发送提醒。"))
    label = operations.month_label(next_first.year, next_first.month)
    sent = townships = 0
    for township in queries.unpublished_townships(next_first.year, next_first.month):
        townships += 1
        for user in township_staff(township.id):
            message = send(
                user, _l("%(township)s %(month)s排班尚未公示", township=township.name, month=label),
                _l("%(township)s %(month)s的进站接待排班还没有公示，距下月开始还有 %(n)s 天。请在“排班”页面生成、调整并公示，"
                   "一般应至少提前 %(notice)s 天公示。", township=township.name, month=label, n=days_left,
                   notice=current_app.config["LIAISON_ROTA_NOTICE_DAYS"]),
                kind="rota_publish_deadline",
                dedupe_key=f"rota_publish_deadline:{next_first:%Y-%m}:{township.id}")
            sent += message is not None
    return str(_l("%(month)s未公示的乡镇（街道）%(t)s 个；提醒工作人员 %(n)s 人次。", month=label, t=townships, n=sent))
