"""Writes on congress terms (届); each validates, flushes and logs, the view commits."""
import logging

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from liaison.audit.operations import record_event
from liaison.deputies.models import Mandate
from liaison.errors import InvalidInput
from liaison.extensions import db
from liaison.terms.models import Level, Term
from liaison.townships.models import ElectoralDistrict, TownshipKind

log = logging.getLogger(__name__)

ORDINAL_RANGE = (1, 99)
NAME_MAX = 80
#: A congress sits five years; a term further than this from five years is flagged, not refused
#: (the next first session can come some weeks early or late).
NORMAL_YEARS = 5
TOLERANCE_DAYS = 183


def _count(query):
    """The number a ``count()`` select returns."""
    return db.session.scalar(query) or 0


def _check_term(level, ordinal, township, start_date, end_date, name, term=None, end_provisional=True):
    """Validate a term's fields and return the name to store (``term`` is the one being edited, if any)."""
    if level is None:
        raise InvalidInput(_l("请选择层级：全国、市、区或乡镇。"), "level")
    low, high = ORDINAL_RANGE
    if ordinal is None or not low <= ordinal <= high:
        raise InvalidInput(_l("届次应为 %(low)s 到 %(high)s 之间的整数，如第八届填 8。", low=low, high=high),
                           "ordinal")
    if level is Level.township:
        if township is None:
            raise InvalidInput(_l("乡镇人大届次须选择所属乡镇。"), "township_id")
        if township.kind is not TownshipKind.township:
            raise InvalidInput(_l("“%(name)s”是街道，街道不设人大，不能建立乡镇人大届次。", name=township.name),
                               "township_id")
    elif township is not None:
        raise InvalidInput(_l("只有乡镇人大届次才选择所属乡镇；%(level)s届次请不要选择乡镇。", level=level.label),
                           "township_id")
    if start_date is None:
        raise InvalidInput(_l("请填写开始日期（本届人大第一次会议的日期）。"), "start_date")
    if end_date is None:
        raise InvalidInput(_l("请填写结束日期（下一届人大第一次会议的日期，未定时填计划日期）。"), "end_date")
    if end_date <= start_date:
        raise InvalidInput(_l("结束日期应晚于开始日期。"), "end_date")

    name = (name or "").strip() or Term.default_name(level, ordinal, township)
    if len(name) > NAME_MAX:
        raise InvalidInput(_l("名称最多 %(n)s 个字。", n=NAME_MAX), "name")
    duplicate = sa.select(Term.id).where(Term.name == name)
    if term is not None:
        duplicate = duplicate.where(Term.id != term.id)
    if db.session.scalar(duplicate) is not None:
        raise InvalidInput(_duplicate_name(name), "name")

    if term is not None:
        _check_term_change(term, level, township, start_date, end_date, end_provisional)
    return name


def _duplicate_name(name):
    """The message for a term name already taken."""
    return _l("已有名为“%(name)s”的届次。请检查是否重复添加，或填写其他名称。", name=name)


def _check_term_change(term, level, township, start_date, end_date, end_provisional=True):
    """Refuse edits that would strand the term's districts or mandates.

    A provisional end bounds no mandate: until the term is closed its mandates are held past it, and
    a by-election or an early end may fall after it (rule R5). Only a confirmed end must cover them.
    """
    township_id = township.id if township is not None else None
    if level is not term.level or township_id != term.township_id:
        districts = _count(
            sa.select(sa.func.count(ElectoralDistrict.id)).where(ElectoralDistrict.term_id == term.id))
        mandates = _count(sa.select(sa.func.count(Mandate.id)).where(Mandate.term_id == term.id))
        if districts or mandates:
            # Districts and mandates were recorded for this congress; another level would misfile them.
            raise InvalidInput(_l("此届次已有 %(d)s 个选区、%(m)s 个代表资格，不能再修改层级或所属乡镇。",
                                  d=districts, m=mandates),
                               "level" if level is not term.level else "township_id")
    if start_date != term.start_date:
        early = _count(sa.select(sa.func.count(Mandate.id)).where(
            Mandate.term_id == term.id, Mandate.start_date < start_date))
        if early:
            raise InvalidInput(_l("有 %(n)s 个代表资格在新的开始日期 %(day)s 之前就已开始，会落在届期之外。"
                                  "请先调整这些代表资格的日期，或改用更早的开始日期。",
                                  n=early, day=start_date.isoformat()), "start_date")
    if not end_provisional and (end_date != term.end_date or term.end_provisional):
        late = _count(sa.select(sa.func.count(Mandate.id)).where(
            Mandate.term_id == term.id,
            sa.or_(Mandate.start_date > end_date, Mandate.end_date > end_date)))
        if late:
            raise InvalidInput(_l("有 %(n)s 个代表资格在新的结束日期 %(day)s 之后才开始或结束，会落在届期之外。"
                                  "请先调整这些代表资格的日期，或改用更晚的结束日期。",
                                  n=late, day=end_date.isoformat()), "end_date")


def _flush(name):
    """Flush; a name another request took in the meantime gives the same message as the check."""
    try:
        db.session.flush()
    except IntegrityError:
        raise InvalidInput(_duplicate_name(name), "name") from None


def _term_detail(term):
    """A term's name and dates for the audit trail: its dates bound every mandate's count."""
    return (f"{term.name} {term.start_date.isoformat()}–{term.end_date.isoformat()}"
            f"{' (provisional end)' if term.end_provisional else ''}")


def create_term(level, ordinal, start_date, end_date, end_provisional=True, township=None, name=None):
    """Create a congress term; the name defaults to the usual one (区第八届, 某某镇第十八届)."""
    name = _check_term(level, ordinal, township, start_date, end_date, name)
    term = Term(level=level, ordinal=ordinal, name=name, township=township, start_date=start_date,
                end_date=end_date, end_provisional=bool(end_provisional))
    db.session.add(term)
    _flush(name)
    log.info("term created: term=%s level=%s", term.id, level.value)
    record_event("term.created", target=term, detail=_term_detail(term))
    return term


def update_term(term, level, ordinal, start_date, end_date, end_provisional=True, township=None, name=None):
    """Change a term; its dates must still cover every one of its mandates, and a closed term's dates
    stay those its figures were frozen with (rule R14)."""
    if term.closed and (start_date != term.start_date or end_date != term.end_date or end_provisional):
        raise InvalidInput(_l("%(term)s 已闭届，起止日期已随最终数据冻结，不能再修改。", term=term.name),
                           "end_date" if start_date == term.start_date else "start_date")
    name = _check_term(level, ordinal, township, start_date, end_date, name, term, end_provisional)
    term.level = level
    term.ordinal = ordinal
    term.name = name
    term.township = township
    term.start_date = start_date
    term.end_date = end_date
    term.end_provisional = bool(end_provisional)
    _flush(name)
    log.info("term updated: term=%s level=%s", term.id, level.value)
    record_event("term.updated", target=term, detail=_term_detail(term))
    return term


def term_length_warning(term):
    """A caution (not a refusal) when a term is not about five years long, or None."""
    days = (term.end_date - term.start_date).days
    if abs(days - NORMAL_YEARS * 365.25) <= TOLERANCE_DAYS:
        return None
    return _l("“%(name)s”的届期约 %(years)s 年（%(days)s 天），通常为 %(normal)s 年，请核对开始和结束日期。",
              name=term.name, years=f"{days / 365.25:.1f}", days=days, normal=NORMAL_YEARS)
