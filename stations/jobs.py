"""Check-in reminder jobs: 月进站 near month end, 季回家 near quarter end.

Each reminder goes to every deputy who holds a mandate in force (and not suspended) on the
reminder day and has no counted check-in at a station (or home) in the period, once per deputy and
period (the dedupe key names rule and period); each township's staff get one list of their
deputies who have not come. Who is absent is decided in SQL (NOT EXISTS), not by loops.
"""
from collections import defaultdict

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from liaison.accounts.models import User
from liaison.accounts.queries import staff_of_townships
from liaison.clock import Month, Quarter, local_today
from liaison.deputies.models import Deputy, Mandate, Suspension
from liaison.deputies.queries import held_on
from liaison.extensions import db
from liaison.jobs.registry import MONTHLY, QUARTERLY, job, parse_days
from liaison.network.models import StationKind
from liaison.notifications.operations import send
from liaison.terms.models import Term
from liaison.text import chinese_numeral
from liaison.townships.models import Township
from stations.checkin.models import COUNTED, Checkin

#: Reminders go out at this local hour.
REMINDER_HOUR = 9


def absent_deputies(station_kind, key_column, key, day):
    """(deputy_id, township_id) of mandates in force and not suspended on ``day`` whose deputy has no
    counted check-in at a ``station_kind`` with ``key_column == key``; one row per deputy and township."""
    suspended = sa.exists().where(
        Suspension.mandate_id == Mandate.id, Suspension.start_date <= day,
        sa.or_(Suspension.end_date.is_(None), Suspension.end_date >= day))
    visited = sa.exists().where(
        Checkin.deputy_id == Mandate.deputy_id, Checkin.status.in_(COUNTED),
        Checkin.station_kind == station_kind, key_column == key)
    return (
        sa.select(Mandate.deputy_id, Mandate.township_id)
        .join(Term, Term.id == Mandate.term_id)
        .where(held_on(day), ~suspended, ~visited)
        .distinct()
    )


def _remind(period, rule, words, station_kind, key_column, key):
    """Send one period's reminders to absent deputies and their townships' staff; returns the detail."""
    today = local_today()
    day = min(max(today, period.first_day), period.last_day)
    ended = today > period.last_day
    absent = absent_deputies(station_kind, key_column, key, day).subquery()

    deputies_sent = 0
    subject = words["subject_ended"] if ended else words["subject"]
    body = words["body_ended"] if ended else words["body"]
    recipients = db.session.scalars(
        sa.select(User).where(User.deputy_id.in_(sa.select(absent.c.deputy_id)), User.enabled.is_(True))
        .order_by(User.id))
    for user in recipients:
        if send(user, subject, body, kind=rule, dedupe_key=f"{rule}:{period.key}"):
            deputies_sent += 1

    names = defaultdict(list)
    rows = db.session.execute(
        sa.select(absent.c.township_id, Deputy.name).join(Deputy, Deputy.id == absent.c.deputy_id)
        .order_by(absent.c.township_id, Deputy.name_sort_key, Deputy.id))
    for township_id, name in rows:
        names[township_id].append(name)
    townships = dict(db.session.execute(
        sa.select(Township.id, Township.name).where(Township.id.in_(list(names)))).all()) if names else {}
    lists_sent = 0
    for user, township_id in staff_of_townships(list(names)):
        people = names[township_id]
        list_subject = _l("%(title)s：%(township)s（%(n)s 人）", title=words["list_title"],
                          township=townships[township_id], n=len(people))
        list_body = _l("截至 %(day)s，%(township)s有 %(n)s 位代表%(what)s：%(names)s。",
                       day=day.isoformat(), township=townships[township_id], n=len(people),
                       what=words["list_what"], names="、".join(people))
        if send(user, list_subject, list_body, kind=f"{rule}_list",
                dedupe_key=f"{rule}_list:{period.key}:{township_id}"):
            lists_sent += 1
    absent_count = db.session.scalar(sa.select(sa.func.count(sa.distinct(absent.c.deputy_id))))
    return str(_l("未签到代表 %(a)s 人；提醒代表 %(d)s 人，发给乡镇工作人员名单 %(l)s 份。",
                  a=absent_count, d=deputies_sent, l=lists_sent))


def _month_end_cron(config):
    return {"day": parse_days(config["LIAISON_MONTH_END_REMINDER_DAYS"], "LIAISON_MONTH_END_REMINDER_DAYS"),
            "hour": REMINDER_HOUR}


def _quarter_end_cron(config):
    return {"month": "3,6,9,12", "hour": REMINDER_HOUR,
            "day": parse_days(config["LIAISON_QUARTER_END_REMINDER_DAYS"],
                              "LIAISON_QUARTER_END_REMINDER_DAYS")}


# A reminder for a period two periods back helps nobody: catch up the latest one only.
@job("month_end_station_reminder", title=_l("月末未进站提醒"), cadence=MONTHLY, cron=_month_end_cron,
     catch_up=1)
def month_end_station_reminder(period):
    """月进站: remind deputies with no counted station check-in this month, and list them to staff."""
    month_period = Month.of(period.first_day)
    month = month_period.label
    words = {
        "subject": _l("本月尚未进站"),
        "subject_ended": _l("%(month)s未进站", month=month),
        "body": _l("您本月（%(month)s）还没有到代表联络站签到。按照“月进站”的要求，请在月底前到联络站接待选民，"
                   "并扫描站点二维码签到。", month=month),
        "body_ended": _l("%(month)s没有您到代表联络站签到的记录。如果您去过但没有签到，请联系乡镇人大工作人员补登。",
                         month=month),
        "list_title": _l("%(month)s尚未进站的代表", month=month),
        "list_what": _l("在%(month)s尚未到代表联络站签到", month=month),
    }
    return _remind(period, "month_end_station", words, StationKind.station, Checkin.month_key,
                   month_period.key)


@job("quarter_end_home_reminder", title=_l("季末未回家提醒"), cadence=QUARTERLY, cron=_quarter_end_cron,
     catch_up=1)
def quarter_end_home_reminder(period):
    """季回家: remind deputies with no counted home check-in this quarter, and list them to staff."""
    quarter = Quarter.of(period.first_day)
    name = _l("%(y)s年第%(q)s季度", y=quarter.year, q=chinese_numeral(quarter.quarter))
    words = {
        "subject": _l("本季度尚未回家"),
        "subject_ended": _l("%(quarter)s未回家", quarter=name),
        "body": _l("您本季度（%(quarter)s）还没有到代表之家签到。按照“季回家”的要求，请在季度结束前回到代表之家"
                   "参加活动，并扫描二维码签到。", quarter=name),
        "body_ended": _l("%(quarter)s没有您到代表之家签到的记录。如果您参加过活动但没有签到，请联系乡镇人大工作人员补登。",
                         quarter=name),
        "list_title": _l("%(quarter)s尚未回家的代表", quarter=name),
        "list_what": _l("在%(quarter)s尚未到代表之家签到", quarter=name),
    }
    return _remind(period, "quarter_end_home", words, StationKind.home, Checkin.quarter_key, quarter.key)


# publish_deadline_reminder lives with the rota it is about: liaison/rota/jobs.py.
