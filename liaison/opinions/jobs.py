"""The overdue reminder (逾期提醒): each day, the township's staff hear of every opinion past its due date
without a reply, once per opinion and due date.

The mark is ``Opinion.overdue_reminded_on`` (cleared when staff set a new due date, so a new
deadline can be reminded again), with a staff-only ``reminded`` step on the opinion's timeline.
Messages carry a dedupe key naming the opinion and its due date, so a run repeated by hand, or one
that failed after some messages went out, sends nobody the same reminder twice.
"""
import logging

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from liaison.accounts.queries import township_staff
from liaison.clock import utcnow
from liaison.extensions import db
from liaison.jobs.registry import DAILY, job
from liaison.notifications.operations import send
from liaison.opinions.models import EventKind, Handling, Opinion, OpinionEvent
from liaison.opinions.queries import overdue_clause

log = logging.getLogger(__name__)


def overdue_unreminded(day):
    """Opinions overdue on ``day`` whose reminder has not gone out, oldest due date first."""
    return db.session.scalars(
        sa.select(Opinion).where(overdue_clause(day), Opinion.overdue_reminded_on.is_(None))
        .options(joinedload(Opinion.station), joinedload(Opinion.suggestion_deputy))
        .order_by(Opinion.due_on, Opinion.id)).all()


def _staff_link(opinion):
    """The opinion's staff page as a full address (messages are read outside the site too)."""
    base = current_app.config["LIAISON_PUBLIC_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base):
        return url_for("opinions.detail", opinion_id=opinion.id, _external=True)


def _waiting_on(opinion):
    """Who the reply is awaited from: the department, or the deputy who took it up."""
    if opinion.handling is Handling.suggestion and opinion.suggestion_deputy is not None:
        return _l("%(name)s 代表（转为建议）", name=opinion.suggestion_deputy.name)
    return _l("%(department)s（转办）", department=opinion.department)


def remind_overdue(day):
    """Send the reminders due on ``day`` and mark each opinion reminded; returns (opinions, messages).

    An opinion whose township has no enabled staff is left unmarked, so it is reminded once
    someone is appointed.
    """
    staff_of = {}
    reminded = messages = 0
    for opinion in overdue_unreminded(day):
        if opinion.township_id not in staff_of:
            staff_of[opinion.township_id] = township_staff(opinion.township_id)
        recipients = staff_of[opinion.township_id]
        if not recipients:
            log.warning("overdue opinion without township staff to remind: opinion=%s", opinion.id)
            continue
        late = (day - opinion.due_on).days
        subject = _l("民意逾期未答复：%(number)s", number=opinion.grouped_number)
        body = _l("%(station)s收到的意见 %(number)s（%(category)s），办理期限 %(due)s，已逾期 %(n)s 天仍未答复。"
                  "等待答复：%(who)s。请督办并及时把答复登记给群众：%(link)s",
                  station=opinion.station.name, number=opinion.grouped_number,
                  category=opinion.category.label, due=opinion.due_on.isoformat(), n=late,
                  who=_waiting_on(opinion), link=_staff_link(opinion))
        for user in recipients:
            sent = send(user, subject, body, kind="opinion_overdue",
                        dedupe_key=f"opinion_overdue:{opinion.id}:{opinion.due_on.isoformat()}")
            messages += sent is not None
        opinion.overdue_reminded_on = day
        opinion.events.append(OpinionEvent(
            kind=EventKind.reminded, at=utcnow(), public=False,
            note=str(_l("已提醒乡镇工作人员 %(n)s 人（办理期限 %(due)s）", n=len(recipients),
                        due=opinion.due_on.isoformat()))))
        reminded += 1
    db.session.flush()
    return reminded, messages


# Every opinion is reminded once whatever day the run is for: catching up the latest day is enough.
@job("opinion_overdue_reminder", title=_l("民意逾期提醒"), cadence=DAILY,
     cron=lambda config: {"hour": 8, "minute": 0}, catch_up=1)
def opinion_overdue_reminder(period):
    """Remind township staff of opinions past their due date without a reply (each opinion once)."""
    reminded, messages = remind_overdue(period.first_day)
    return str(_l("逾期未答复的意见 %(o)s 件已提醒；发出消息 %(m)s 条。", o=reminded, m=messages))
