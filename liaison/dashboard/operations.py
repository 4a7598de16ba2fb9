"""Closing a term (换届): confirm its end and freeze its final figures and workbook."""
import logging

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from liaison.audit.operations import record_event
from liaison.clock import local_today
from liaison.dashboard.workbook import build_workbook
from liaison.deputies.models import Mandate
from liaison.errors import InvalidInput
from liaison.extensions import db
from liaison.rates.queries import in_term_reporting
from liaison.dashboard.models import TermClosure

log = logging.getLogger(__name__)


def close_term(term, end_date, by):
    """Confirm the term's last day and freeze its in-term figures and workbook as of that day.

    After this, late entries (a back-entered check-in, a corrected report) change the live
    figures but not the frozen ones, which are what the term ended with.
    """
    if db.session.scalar(sa.select(TermClosure.id).where(TermClosure.term_id == term.id)) is not None:
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
    db.session.flush()
    figures = in_term_reporting(term.id, end_date)
    due = sum(row.due for row in figures)
    done = sum(row.done for row in figures)
    closure = TermClosure(term=term, final_end_date=end_date, due=due, done=done, closed_by_id=by.id,
                          workbook=build_workbook(end_date, by.name, terms=[term]))
    db.session.add(closure)
    record_event("term.closed", target=term, actor=by, detail=f"end={end_date.isoformat()} due={due} done={done}")
    db.session.flush()
    log.info("term closed: term=%s by=%s due=%s done=%s", term.id, by.id, due, done)
    return closure


def record_export(kind, detail, term=None):
    """Note a download of the figures (``kind``: workbook, bulletin; a closed term's when ``term``)."""
    if term is not None:
        record_event("export", target=term, detail=detail)
    else:
        record_event("export", target_type=kind, detail=detail)
