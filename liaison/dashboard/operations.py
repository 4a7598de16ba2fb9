"""Closing a term (换届): confirm its end and freeze its final figures and workbook; reopening them as a new
frozen version."""
import logging

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from liaison.audit.operations import record_event
from liaison.clock import local_today, utcnow
from liaison.dashboard.workbook import build_workbook
from liaison.deputies.models import Mandate
from liaison.errors import InvalidInput
from liaison.extensions import db
from liaison.rates.queries import in_term_reporting
from liaison.dashboard.models import TermClosure

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
                          closed_at=frozen_at, closed_by_id=by.id, reason=reason,
                          workbook=build_workbook(term.end_date, by.name, terms=[term]))
    db.session.add(closure)
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
