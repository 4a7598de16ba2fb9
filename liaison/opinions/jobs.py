"""The overdue reminder (逾期提醒): each day, the township's staff hear of every opinion past its due date
without a reply, once per opinion and due date; the constituent who agreed to be told hears of it by
SMS (rule R29); and the phone numbers of opinions closed long enough ago are removed (rule R29).

The mark is ``Opinion.overdue_reminded_on`` (cleared when staff set a new due date, so a new
deadline can be reminded again), with a staff-only ``reminded`` step on the opinion's timeline.
Messages carry a dedupe key naming the opinion and its due date, so a run repeated by hand, or one
that failed after some messages went out, sends nobody the same reminder twice.
"""
import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from liaison.accounts.queries import township_staff
from liaison.audit.operations import record_event
from liaison.clock import utcnow
from liaison.extensions import db
from liaison.jobs.registry import DAILY, job
from liaison.notifications.models import Delivery, Message
from liaison.notifications.operations import send
from liaison.opinions.models import EventKind, Handling, Opinion, OpinionEvent
from liaison.opinions.operations import tell_constituent
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


def tell_overdue(day):
    """Text every constituent who agreed to be told whose opinion is overdue on ``day``: once per
    opinion and due date (the message's key). Returns how many texts were queued."""
    opinions = db.session.scalars(
        sa.select(Opinion).where(overdue_clause(day), Opinion.phone != "",
                                 Opinion.phone_consented_at.is_not(None))
        .order_by(Opinion.due_on, Opinion.id)).all()
    told = sum(tell_constituent(o, "overdue", key_suffix=o.due_on.isoformat()) is not None for o in opinions)
    db.session.flush()
    return told


@job("opinion_overdue_text", title=_l("民意逾期短信告知群众"), cadence=DAILY,
     cron=lambda config: {"hour": 9, "minute": 0}, catch_up=1)
def opinion_overdue_text(period):
    """Tell constituents by SMS that their opinion passed its promised date (each due date once)."""
    told = tell_overdue(period.first_day)
    return str(_l("逾期未答复、群众同意短信告知的意见 %(n)s 件已发短信。", n=told))


def remove_old_phones(day):
    """Empty the phone number of every opinion closed ``LIAISON_OPINION_PHONE_RETENTION_DAYS`` or more
    days before ``day``, and the number on the texts sent to it; one audit event counts them.

    Safe to run twice: an emptied number is not counted again. Returns how many were removed.
    """
    days = current_app.config["LIAISON_OPINION_PHONE_RETENTION_DAYS"]
    cutoff = day - timedelta(days=days)
    opinions = db.session.scalars(
        sa.select(Opinion).where(Opinion.phone != "", Opinion.concluded_on.is_not(None),
                                 Opinion.concluded_on <= cutoff).order_by(Opinion.id)).all()
    now = utcnow()
    for opinion in opinions:
        # The texts' deliveries hold the number too (messages to no account, keyed by the opinion).
        texts = sa.select(Message.id).where(Message.user_id.is_(None),
                                            Message.dedupe_key.like(f"opinion:{opinion.id}:%"))
        db.session.execute(sa.update(Delivery).where(Delivery.message_id.in_(texts)).values(address=""))
        opinion.phone, opinion.phone_removed_at = "", now
        opinion.events.append(OpinionEvent(kind=EventKind.phone_removed, at=now, public=False,
                                           note=str(_l("办结满 %(n)s 天，联系电话已删除", n=days))))
    if opinions:
        record_event("opinion.phones_removed", target_type="opinions",
                     detail=f"{len(opinions)} phone numbers removed, closed on or before "
                            f"{cutoff.isoformat()}")
    db.session.flush()
    log.info("opinion phones removed: count=%s cutoff=%s", len(opinions), cutoff)
    return len(opinions)


@job("opinion_phone_retention", title=_l("按期删除群众联系电话"), cadence=DAILY,
     cron=lambda config: {"hour": 3, "minute": 30}, catch_up=1)
def opinion_phone_retention(period):
    """Remove constituents' phone numbers a set time after their opinion closed (rule R29)."""
    removed = remove_old_phones(period.first_day)
    return str(_l("删除办结满期意见的联系电话 %(n)s 个。", n=removed))
