"""The dashboard's writes: closing a term (换届) with its frozen figures; a month's 通报 made by hand."""
import logging

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from liaison.audit.operations import record_event
from liaison.clock import local_today
from liaison.dashboard import bulletins
from liaison.dashboard.bulletin_document import month_files
from liaison.dashboard.queries import target_terms
from liaison.dashboard.workbook import build_workbook
from liaison.deputies.models import Mandate
from liaison.errors import InvalidInput
from liaison.extensions import db
from liaison.rates.queries import in_term_reporting
from liaison.dashboard.models import TermClosure
from liaison.transaction import after_commit, after_rollback

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
