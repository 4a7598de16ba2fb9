"""The dashboard's writes: closing a term (换届) and freezing its figures and workbook, reopening them as a
new frozen version; a month's 通报 made by hand."""
import logging
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from liaison.audit.operations import record_event
from liaison.clock import Month, Quarter, day_label, local_today, utcnow
from liaison.dashboard import bulletins
from liaison.dashboard.bulletin_document import month_files
from liaison.dashboard.queries import target_terms
from liaison.dashboard.workbook import build_workbook
from liaison.deputies.models import Deputy, Mandate
from liaison.errors import InvalidInput
from liaison.extensions import db
from liaison.rates.queries import in_term_reporting
from liaison.dashboard.models import TermClosure, VisitReminder
from liaison.notifications.operations import notify_deputy
from liaison.transaction import after_commit, after_rollback

log = logging.getLogger(__name__)

#: The longest reason for reopening a closed term's figures.
REASON_MAX = 500


def close_term(term, end_date, by):
    """Confirm the term's last day and freeze its in-term figures and workbook as of that day
    (version 1 of its frozen figures).

    After this, what is recorded for the term (a late report, coverage or exemption) is kept but
    stays outside its figures everywhere until the committee reopens them (rule R14).
    """
    if term.closed or latest_closure(term.id) is not None:
        raise InvalidInput(_l("%(term)s 已经闭届，最终数据已冻结。", term=term.name), "end_date")
    if end_date is None:
        raise InvalidInput(_l("请填写本届的最后一天。"), "end_date")
    if end_date <= term.start_date:
        raise InvalidInput(_l("本届的最后一天应晚于开始日期 %(day)s。", day=term.start_date.isoformat()), "end_date")
    if end_date > local_today():
        raise InvalidInput(_l("本届尚未结束：闭届日期不能晚于今天。"), "end_date")
    latest_start = db.session.scalar(sa.select(sa.func.max(Mandate.start_date)).where(Mandate.term_id == term.id))
    if latest_start is not None and latest_start > end_date:
        raise InvalidInput(_l("有代表资格在 %(day)s 才开始，闭届日期不能早于此日。", day=latest_start.isoformat()),
                           "end_date")
    # Until the closing the mandates were held past the provisional end (rule R5), so an early end
    # may have been recorded after it; the real last day may not cut such a mandate short (rule R13).
    latest_end = db.session.scalar(sa.select(sa.func.max(Mandate.end_date)).where(Mandate.term_id == term.id))
    if latest_end is not None and latest_end - timedelta(days=1) > end_date:
        raise InvalidInput(_l("有代表资格登记为 %(day)s 提前终止（任职至 %(last)s），闭届日期不能早于 %(last)s。",
                              day=latest_end.isoformat(), last=(latest_end - timedelta(days=1)).isoformat()),
                           "end_date")
    term.end_date = end_date
    term.end_provisional = False
    closure = _freeze(term, 1, by)
    record_event("term.closed", target=term, actor=by,
                 detail=f"end={end_date.isoformat()} due={closure.due} done={closure.done}")
    log.info("term closed: term=%s by=%s due=%s done=%s", term.id, by.id, closure.due, closure.done)
    return closure


def reopen_term(term, reason, by):
    """Reopen a closed term's figures and freeze them again as a new version (rule R14): the new
    version takes in everything recorded up to now, the earlier versions are kept unchanged."""
    previous = latest_closure(term.id)
    if previous is None or not term.closed:
        raise InvalidInput(_l("%(term)s 尚未闭届，没有可重新冻结的数据。", term=term.name), "reason")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_l("请填写重新冻结的原因（如补录了换届前完成的述职）。"), "reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(_l("原因太长了（最多 %(n)s 个字）。", n=REASON_MAX), "reason")
    closure = _freeze(term, previous.version + 1, by, reason)
    record_event("term.reopened", target=term, actor=by,
                 detail=(f"version={closure.version} due={previous.due}->{closure.due} "
                         f"done={previous.done}->{closure.done} reason={reason}")[:500])
    log.info("term figures refrozen: term=%s version=%s by=%s due=%s done=%s", term.id, closure.version,
             by.id, closure.due, closure.done)
    return closure


def _freeze(term, version, by, reason=""):
    """Freeze the term's figures now, as of its (confirmed) last day, as ``version``.

    The freeze instant is set first, so the figures and the workbook are computed exactly as every
    page computes them afterwards: from the rows recorded up to that instant.
    """
    frozen_at = utcnow()
    term.figures_frozen_at = frozen_at
    db.session.flush()
    figures = in_term_reporting(term.id, term.end_date)
    due = sum(row.due for row in figures)
    done = sum(row.done for row in figures)
    closure = TermClosure(term=term, version=version, final_end_date=term.end_date, due=due, done=done,
                          closed_at=frozen_at, closed_by_id=by.id, reason=reason, workbook=b"")
    db.session.add(closure)
    db.session.flush()
    # Built once the version exists, so the workbook names itself as this version (rule R14).
    closure.workbook = build_workbook(term.end_date, by.name, terms=[term])
    db.session.flush()
    return closure


def latest_closure(term_id):
    """The term's current frozen version (the highest), or None for a term never closed."""
    return db.session.scalar(sa.select(TermClosure).where(TermClosure.term_id == term_id)
                             .order_by(TermClosure.version.desc()).limit(1))


def record_export(kind, detail, term=None):
    """Note a download of the figures (``kind``: workbook, bulletin; a closed term's when ``term``)."""
    if term is not None:
        record_event("export", target=term, detail=detail)
    else:
        record_event("export", target_type=kind, detail=detail)


#: The first month a bulletin may be made for (the platform holds no earlier figures worth a 通报).
EARLIEST_BULLETIN_YEAR = 2000


def make_bulletin(month_text, threshold_percent, with_names, replace, by):
    """Make the 通报 and workbook of a past month now, for the archive (both files, as of the month's
    last day). The files appear under their archive names only when the transaction commits.

    An existing month is replaced only when asked (``replace``): the archived files may have been
    circulated already.
    """
    month = bulletins.month_of(month_text)
    if month is None:
        raise InvalidInput(_l("月份格式应为“2026-11”（年-月）。"), "month")
    today = local_today()
    if month.last >= today:
        raise InvalidInput(_l("%(month)s尚未结束，只能为已经结束的月份生成通报。", month=month.label), "month")
    if month.year < EARLIEST_BULLETIN_YEAR:
        raise InvalidInput(_l("月份太早了。"), "month")
    if threshold_percent is None or not 1 <= threshold_percent <= 100:
        raise InvalidInput(_l("单列标准应在 1 到 100 之间。"), "threshold")
    if not target_terms(month.last):
        raise InvalidInput(_l("%(month)s没有“两个100%%”目标届次（市、区届次），无法生成通报。", month=month.label),
                           "month")
    names = [bulletins.file_name(month.year, month.month, kind) for kind in ("xlsx", "docx")]
    if not replace and len(bulletins.missing_files(month)) < len(names):
        raise InvalidInput(_l("%(month)s的通报已存在。如需按现在的数据重新生成，请勾选“替换该月已有的通报”。",
                              month=month.label), "replace")
    files = month_files(month, names, by.name, threshold_percent, with_names)
    staged = bulletins.stage(files)
    after_commit(lambda: bulletins.put_in_place(staged))
    after_rollback(lambda: bulletins.discard(staged))
    record_event("bulletin.made", target_type="bulletin", target_id=month.key, actor=by,
                 detail=f"{month.year:04d}-{month.month:02d} threshold={threshold_percent}% "
                        f"names={'yes' if with_names else 'no'} replace={'yes' if replace else 'no'}")
    log.info("bulletin made: month=%s by=%s names=%s", month.key, by.id, with_names)
    return month


def remind_deputies(people, figure, period_key, by):
    """Remind deputies whose 月进站 / 季回家 of a period is still in progress (rule R24): an inbox
    message and its SMS (rows, sent by the delivery job after the commit) and one ``VisitReminder``
    each, numbered per deputy and period. ``people`` are ``queries.MissingPerson`` rows the caller
    took from the list of that period (so only in-progress deputies in the caller's scope). Returns
    (reminded, without_account): deputies without an enabled account get the record but no message."""
    if not people:
        raise InvalidInput(_l("请先勾选要提醒的代表。"), "ids")
    period = (Month if figure == "month" else Quarter).from_key(period_key)
    last = dict(db.session.execute(
        sa.select(VisitReminder.deputy_id, sa.func.max(VisitReminder.sequence))
        .where(VisitReminder.figure == figure, VisitReminder.period_key == period_key,
               VisitReminder.deputy_id.in_([p.deputy_id for p in people]))
        .group_by(VisitReminder.deputy_id)).all())
    deputies = {d.id: d for d in db.session.scalars(
        sa.select(Deputy).options(selectinload(Deputy.account))
        .where(Deputy.id.in_([p.deputy_id for p in people])))}
    now = utcnow()
    reminded, without_account = [], []
    for person in people:
        sequence = (last.get(person.deputy_id) or 0) + 1
        with force_locale("zh_CN"):
            subject, body = _reminder_text(figure, period, person)
        message = notify_deputy(deputies[person.deputy_id], subject, body, kind=f"visit_reminder_{figure}",
                                dedupe_key=f"visit_reminder:{figure}:{period_key}:{sequence}")
        try:
            # A savepoint: a colleague who reminded the same deputy at the same moment took this
            # number; this reminder is then theirs (one message, one record), not an error.
            with db.session.begin_nested():
                db.session.add(VisitReminder(deputy_id=person.deputy_id, figure=figure, period_key=period_key,
                                             sequence=sequence, message_id=message.id if message else None,
                                             sent_at=now, sent_by_id=by.id))
        except IntegrityError:
            continue
        (reminded if message else without_account).append(person)
    record_event("visit.reminded", actor=by, township_id=people[0].township_id if len(
        {p.township_id for p in people}) == 1 else None,
        detail=f"{figure} {period_key}: {len(reminded)} reminded, {len(without_account)} without account")
    log.info("visit reminders: figure=%s period=%s reminded=%s without_account=%s by=%s", figure, period_key,
             len(reminded), len(without_account), by.id)
    return reminded, without_account


def _reminder_text(figure, period, person):
    """The reminder's subject and a body short enough for one SMS with the signature."""
    if person.next_slot:
        day, starts, station_name, _published = person.next_slot
        slot = str(_l("您的下次接待安排：%(day)s %(time)s %(station)s。", day=day_label(day),
                      time=starts.strftime("%H:%M"), station=station_name))
    else:
        slot = ""
    if figure == "month":
        subject = str(_l("月进站提醒：%(period)s尚未进站", period=period.label))
        body = str(_l("%(name)s代表：%(period)s您还没有到联络站签到，请在%(last)s前到任一联络站扫码签到。",
                      name=person.deputy_name, period=period.label, last=day_label(period.last)))
    else:
        subject = str(_l("季回家提醒：%(period)s尚未回家", period=period.label))
        body = str(_l("%(name)s代表：%(period)s您还没有到代表之家签到，请在%(last)s前到代表之家扫码签到。",
                      name=person.deputy_name, period=period.label, last=day_label(period.last)))
    return subject, body + slot
