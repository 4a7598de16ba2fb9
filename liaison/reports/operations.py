"""Writes on reporting sessions, duty reports, exemptions and the target terms: rules checked, then
flush and log (ids only); the caller commits once or rolls back.

Attachments are files under the instance folder's ``attachments/``, named at random. A file
written by a write that is then rolled back is removed after the rollback, and one replaced by a
newer upload after the commit (``liaison.transaction`` runs both).
"""
import json
import logging
import os
import re
import secrets
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from liaison.audit.operations import record_event
from liaison.clock import Month, Quarter, local_today, utcnow
from liaison.deputies.models import Mandate
from liaison.errors import InvalidInput
from liaison.extensions import db
from liaison.network.models import Station, StationKind
from liaison.deputies.models import Exemption, ExemptionScope
from liaison.reports.models import (TARGET_TERMS_KEY, DutyReport, DutyReportCoverage, PlaceKind,
                                    ReportForm, ReportSession, Setting)
from liaison.terms.models import Term
from liaison.transaction import after_commit, after_rollback
from liaison.uploads import attachment_path, read_limited, sniff_type

log = logging.getLogger(__name__)

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
#: Kinds told by ``sniff_type`` that an attachment may be: content type and the extension to show.
ATTACHMENT_TYPES = {
    "pdf": ("application/pdf", ".pdf"),
    "png": ("image/png", ".png"),
    "jpeg": ("image/jpeg", ".jpg"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "ole": ("application/msword", ".doc"),
}
MAX_COUNT = 100_000
PLACE_MAX, NOTES_MAX, REASON_MAX, APPROVER_MAX, NAME_MAX = 200, 2000, 200, 100, 200


class StaleReport(InvalidInput):
    """Someone else saved the report since this person opened it (optimistic lock)."""

    def __init__(self):
        super().__init__(_l("此述职记录已被他人修改，请刷新后重试"))


def _in_scope(township_id, township_ids):
    """Whether a township lies in the user's scope (None: the whole district)."""
    return township_ids is None or township_id in township_ids


# --- reporting sessions ----------------------------------------------------------------------

def create_session(township, session_date, place_kind, station_id, place, notes, mandate_ids, by=None):
    """Plan a reporting session (述职活动) in a township with the deputies reporting at it."""
    if township is None:
        raise InvalidInput(_l("请选择乡镇（街道）。"), "township_id")
    if session_date is None:
        raise InvalidInput(_l("请填写述职活动的日期。"), "session_date")
    if not isinstance(place_kind, PlaceKind):
        raise InvalidInput(_l("请选择述职地点的类型。"), "place_kind")
    place = (place or "").strip()
    notes = (notes or "").strip()
    station = None
    if place_kind is PlaceKind.other:
        if not place:
            raise InvalidInput(_l("地点类型为“其他地点”时，请填写具体地点。"), "place")
    else:
        station = db.session.get(Station, station_id) if station_id else None
        kind = StationKind(place_kind.value)
        if station is None or station.kind is not kind:
            raise InvalidInput(_l("请选择一个%(kind)s。", kind=kind.label), "station_id")
        if station.township_id != township.id:
            raise InvalidInput(_l("%(place)s 不在 %(township)s，请选择本乡镇（街道）的%(kind)s。",
                                  place=station.name, township=township.name, kind=kind.label), "station_id")
    if len(place) > PLACE_MAX:
        raise InvalidInput(_l("地点太长了（最多 %(n)s 个字）。", n=PLACE_MAX), "place")
    if len(notes) > NOTES_MAX:
        raise InvalidInput(_l("备注太长了（最多 %(n)s 个字）。", n=NOTES_MAX), "notes")
    mandates = _session_mandates(township, session_date, mandate_ids)
    session = ReportSession(township=township, session_date=session_date, place_kind=place_kind,
                            station=station, place=place, notes=notes, created_by=by, mandates=mandates)
    db.session.add(session)
    db.session.flush()
    log.info("report session planned: session=%s township=%s mandates=%s",
             session.id, township.id, len(mandates))
    return session


def _session_mandates(township, session_date, mandate_ids):
    """The mandates chosen to report: at least one, each of this township and held on the date."""
    ids = sorted({int(i) for i in (mandate_ids or []) if i})
    if not ids:
        raise InvalidInput(_l("请至少选择一名述职的代表。"), "mandate_ids")
    mandates = db.session.scalars(sa.select(Mandate).where(Mandate.id.in_(ids))).all()
    if len(mandates) != len(ids):
        raise InvalidInput(_l("所选代表不存在，请重新选择。"), "mandate_ids")
    for mandate in mandates:
        if mandate.township_id != township.id:
            raise InvalidInput(_l("%(name)s（%(term)s）不属于 %(township)s，不能在这里述职。", name=mandate.deputy.name,
                                  term=mandate.term.name, township=township.name), "mandate_ids")
        if not mandate.held_on(session_date):
            raise InvalidInput(_l("%(day)s %(name)s 不在 %(term)s 代表任期内，请核对日期或代表。",
                                  day=session_date.isoformat(), name=mandate.deputy.name,
                                  term=mandate.term.name),
                               "mandate_ids")
    return mandates


# --- duty reports ----------------------------------------------------------------------------

def _count(value, field, label):
    """A whole, non-negative number of people from the form (text or int)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    text = str(value).strip()
    if not re.fullmatch(r"-?\d+", text):
        raise InvalidInput(_l("%(label)s应为整数（如 0、12）。", label=label), field)
    number = int(text)
    if number < 0:
        raise InvalidInput(_l("%(label)s不能是负数。", label=label), field)
    if number > MAX_COUNT:
        raise InvalidInput(_l("%(label)s不能超过 %(n)s。", label=label, n=MAX_COUNT), field)
    return number


def _check_report(mandate, session, fields, also_cover_ids, township_ids, report=None):
    """Check a report's fields; return the values to store and the other mandates it covers."""
    day = fields.get("report_date")
    if day is None:
        raise InvalidInput(_l("请填写述职日期。"), "report_date")
    if not mandate.held_on(day):
        raise InvalidInput(
            _l("述职日期应在 %(term)s 代表资格的任职期间内（%(start)s 至 %(end)s）。", term=mandate.term.name,
               start=mandate.start_date.isoformat(), end=mandate.last_held_label), "report_date")
    completed = bool(fields.get("completed"))
    today = local_today()
    if completed and day > today:
        raise InvalidInput(_l("已完成的述职日期不能晚于今天（%(today)s）；尚未进行的述职请不要勾选“已完成”。",
                              today=today.isoformat()), "report_date")
    form = fields.get("form")
    if not isinstance(form, ReportForm):
        raise InvalidInput(_l("请选择述职形式。"), "form")
    if session is not None:
        if session.township_id != mandate.township_id:
            raise InvalidInput(_l("此代表资格不属于该述职活动的乡镇（街道）。"), "session_id")
        clash = db.session.scalar(sa.select(DutyReport.id).where(
            DutyReport.session_id == session.id, DutyReport.mandate_id == mandate.id))
        if clash is not None and (report is None or clash != report.id):
            raise InvalidInput(_l("该代表在这次述职活动中已有述职记录，请修改原记录。"), "session_id")
    voters = _count(fields.get("voters_present"), "voters_present", _l("到场选民人数"))
    satisfied = _count(fields.get("satisfied"), "satisfied", _l("满意人数"))
    basically = _count(fields.get("basically_satisfied"), "basically_satisfied", _l("基本满意人数"))
    dissatisfied = _count(fields.get("dissatisfied"), "dissatisfied", _l("不满意人数"))
    total = satisfied + basically + dissatisfied
    if total > voters:
        raise InvalidInput(
            _l("满意、基本满意、不满意人数之和（%(total)s）不能超过到场选民人数（%(voters)s），请核对。",
               total=total, voters=voters), "voters_present")
    values = {"report_date": day, "form": form, "completed": completed, "voters_present": voters,
              "satisfied": satisfied, "basically_satisfied": basically, "dissatisfied": dissatisfied}
    return values, _covered_mandates(mandate, day, also_cover_ids, township_ids)


def _covered_mandates(mandate, day, also_cover_ids, township_ids):
    """The same person's other mandates the report also covers, each held on the report's date."""
    ids = sorted({int(i) for i in (also_cover_ids or []) if i} - {mandate.id})
    if not ids:
        return []
    others = db.session.scalars(sa.select(Mandate).where(Mandate.id.in_(ids))).all()
    if len(others) != len(ids):
        raise InvalidInput(_l("所选代表资格不存在，请重新选择。"), "also_cover")
    for other in others:
        if other.deputy_id != mandate.deputy_id:
            raise InvalidInput(_l("只能同时计入同一代表本人的其他代表资格。"), "also_cover")
        if not _in_scope(other.township_id, township_ids):
            raise InvalidInput(_l("%(term)s 代表资格属于其他乡镇（街道），请由其工作人员或区人大常委会登记。",
                                  term=other.term.name), "also_cover")
        if not other.held_on(day):
            raise InvalidInput(
                _l("述职日期 %(day)s 不在 %(term)s 代表资格的任职期间内（%(start)s 至 %(end)s），不能同时计入。",
                   day=day.isoformat(), term=other.term.name, start=other.start_date.isoformat(),
                   end=other.last_held_label), "also_cover")
    return others


def _read_attachment(upload):
    """The upload's bytes, kind and safe original name; refuses what is not PDF, Word or an image."""
    data = read_limited(upload.stream, ATTACHMENT_MAX_BYTES)
    original = os.path.basename((upload.filename or "").replace("\\", "/")).strip()
    original = re.sub(r"[\x00-\x1f\x7f]", "", original)[:NAME_MAX] or "附件"
    kind = sniff_type(data)
    # An OLE container may be an old .doc or an old .xls; only a .doc is taken as Word.
    if kind == "ole" and not original.lower().endswith(".doc"):
        kind = None
    if kind not in ATTACHMENT_TYPES:
        raise InvalidInput(
            _l("附件只能是 PDF、Word（.docx 或 .doc）或图片（JPG、PNG）文件；此文件的内容不是这些格式，请转换后再上传。"),
            "attachment")
    content_type, extension = ATTACHMENT_TYPES[kind]
    # The name shown and offered for download carries the extension of what the file really is.
    stem, current = os.path.splitext(original)
    if current.lower() != extension and not (kind == "jpeg" and current.lower() == ".jpeg"):
        original = (stem or "附件")[:NAME_MAX - len(extension)] + extension
    return data, content_type, original


def _store_attachment(report, upload):
    """Write an upload's file under a random name and point the report at it."""
    data, content_type, original = _read_attachment(upload)
    name = secrets.token_hex(16)
    with open(attachment_path(name), "wb") as handle:
        handle.write(data)
    after_rollback(lambda: _remove_file(name))
    if report.attachment_name:
        _remove_after_commit(report.attachment_name)
    report.attachment_name, report.attachment_original = name, original
    report.attachment_type, report.attachment_size = content_type, len(data)


def _drop_attachment(report):
    """Forget a report's attachment; its file goes once the change is committed."""
    if report.attachment_name:
        _remove_after_commit(report.attachment_name)
    report.attachment_name, report.attachment_original = None, ""
    report.attachment_type, report.attachment_size = "", None


def _remove_after_commit(name):
    """Remove a replaced attachment's file once the change is saved (kept if it is rolled back)."""
    after_commit(lambda: _remove_file(name))


def _remove_file(name):
    """Remove a stored attachment file; one already gone is fine."""
    try:
        os.remove(attachment_path(name))
    except FileNotFoundError:
        pass


def _set_coverage(report, others, township_ids=None):
    """Make the report's extra covered mandates ``others`` within the editor's townships.

    Coverage of a mandate outside them (recorded by the committee) is kept as it is: the editor
    was never offered it, so leaving it out of the form must not remove it.
    """
    wanted = {m.id for m in others}
    for coverage in list(report.coverages):
        outside = township_ids is not None and coverage.mandate.township_id not in township_ids
        if coverage.mandate_id not in wanted and not outside:
            report.coverages.remove(coverage)
    present = {c.mandate_id for c in report.coverages}
    for mandate in others:
        if mandate.id not in present:
            report.coverages.append(DutyReportCoverage(mandate=mandate))


#: The database rules a duty report can break (checked above first; a parallel request can still
#: break them), by constraint name: each with its own message and the field it concerns.
_BROKEN_RULES = {
    "uq_duty_reports_session_id_mandate_id": (
        _l("该代表在这次述职活动中已有述职记录，请修改原记录。"), "session_id"),
    "uq_duty_report_coverages_report_id_mandate_id": (
        _l("同一项代表资格只能计入一次，请刷新页面后重新选择。"), "also_cover"),
    "ck_duty_reports_counts_not_negative": (
        _l("到场选民人数和各项评价人数都不能是负数。"), "voters_present"),
    "ck_duty_reports_evaluations_within_voters": (
        _l("满意、基本满意、不满意人数之和不能超过到场选民人数，请核对。"), "voters_present"),
    "fk_duty_reports_session_id_report_sessions": (
        _l("这次述职活动已不存在，请刷新页面后重新登记。"), "session_id"),
    "fk_duty_reports_mandate_id_mandates": (
        _l("这项代表资格已不存在，请刷新页面后重新登记。"), None),
    "fk_duty_report_coverages_mandate_id_mandates": (
        _l("所选的其他代表资格已不存在，请刷新页面后重新选择。"), "also_cover"),
}
#: A foreign key SQLite does not name ("FOREIGN KEY constraint failed").
_MISSING_RECORD = (_l("述职记录引用的述职活动或代表资格已不存在，请刷新页面后重新登记。"), None)
_OTHER_RULE = (_l("保存失败：数据不符合系统规则，请刷新页面，核对后重新提交。"), None)


def _broken_constraint(error):
    """The name of the constraint an IntegrityError broke, or None when the database does not say.

    PostgreSQL names it; SQLite names a CHECK, lists a UNIQUE key's columns (looked up in the
    metadata, whose naming convention gives the same names on both) and never names a foreign key.
    """
    name = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
    if name:
        return name
    message = str(error.orig)
    check = re.match(r"CHECK constraint failed: (\w+)", message)
    if check:
        return check.group(1)
    unique = re.match(r"UNIQUE constraint failed: (\w+)\.(.+)", message)
    if unique and unique.group(1) in db.metadata.tables:
        columns = [c.strip().split(".")[-1] for c in unique.group(2).split(",")]
        for constraint in db.metadata.tables[unique.group(1)].constraints:
            if isinstance(constraint, sa.UniqueConstraint) and [c.name for c in constraint.columns] == columns:
                return constraint.name
    return None


def _flush_report():
    """Flush, turning a lost race into the broken rule's own message (the caller rolls back)."""
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleReport() from None
    except IntegrityError as error:
        name = _broken_constraint(error)
        fallback = _MISSING_RECORD if "FOREIGN KEY" in str(error.orig) else _OTHER_RULE
        message, field = _BROKEN_RULES.get(name, fallback)
        log.warning("duty report refused by the database: constraint=%s", name)
        raise InvalidInput(message, field) from None


def create_duty_report(mandate, session=None, also_cover_ids=(), attachment=None, by=None, township_ids=None,
                       **fields):
    """Record a deputy's duty report (年述职) for a mandate, possibly also covering their other mandates.

    ``fields``: report_date, form (``ReportForm``), voters_present, satisfied, basically_satisfied,
    dissatisfied (whole numbers, the three evaluations add up to at most the voters present),
    completed. ``attachment``: an uploaded file or None. ``township_ids``: the writer's scope.
    """
    values, others = _check_report(mandate, session, fields, also_cover_ids, township_ids)
    report = DutyReport(mandate=mandate, session=session, created_by=by, updated_by=by, **values)
    _set_coverage(report, others)
    if attachment is not None and attachment.filename:
        _store_attachment(report, attachment)
    db.session.add(report)
    _flush_report()
    log.info("duty report recorded: report=%s mandate=%s also=%s",
             report.id, mandate.id, [m.id for m in others])
    return report


def update_duty_report(report, expected_version, also_cover_ids=(), attachment=None, remove_attachment=False,
                       by=None, township_ids=None, **fields):
    """Correct a duty report; refused (``StaleReport``) when it changed since ``expected_version``
    was read."""
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        expected = None
    if expected != report.version:
        raise StaleReport()
    values, others = _check_report(report.mandate, report.session, fields, also_cover_ids, township_ids,
                                   report)
    _keep_frozen(report, values["completed"], others, township_ids)
    # One flush, one UPDATE: the version moves by one per save (lazy loads would autoflush early).
    with db.session.no_autoflush:
        for key, value in values.items():
            setattr(report, key, value)
        _set_coverage(report, others, township_ids)
        if attachment is not None and attachment.filename:
            _store_attachment(report, attachment)
        elif remove_attachment:
            _drop_attachment(report)
        report.updated_by = by
        # Always an UPDATE of the row, so the version moves even when only the coverage changed.
        report.updated_at = utcnow()
    _flush_report()
    log.info("duty report updated: report=%s version=%s", report.id, report.version)
    return report


def _keep_frozen(report, completed, others, township_ids):
    """Refuse a change that would move a closed term's frozen figures (rule R14).

    A report recorded before a term's freeze is counted there as it then stood: whether it was
    completed, and which of the term's mandates it covered. Other corrections (voters, form,
    attachment, a date within the term) change no count and are accepted.
    """
    wanted = {mandate.id for mandate in others}
    counted = [(report.mandate.term, report.created_at, None)] + [
        (coverage.mandate.term, coverage.created_at, coverage) for coverage in report.coverages]
    for term, recorded_at, coverage in counted:
        if not term.closed or term.recorded_after_freeze(recorded_at):
            continue
        if completed != report.completed:
            raise InvalidInput(_l("%(term)s已于%(day)s换届，已冻结的统计按此记录当时的“已完成”状态计算，不能再更改；"
                                  "换届前完成而未登记的述职，请另行登记一条述职记录。", term=term.name,
                                  day=term.end_date.isoformat()), "completed")
        outside = township_ids is not None and coverage is not None \
            and coverage.mandate.township_id not in township_ids
        if coverage is not None and coverage.mandate_id not in wanted and not outside:
            raise InvalidInput(_l("%(term)s已于%(day)s换届，此述职记录已计入该届冻结的统计，不能取消同时计入。",
                                  term=term.name, day=term.end_date.isoformat()), "also_cover")


# --- exemptions ------------------------------------------------------------------------------

def _period_key(scope, year, month, quarter):
    """The stored period key of an exemption (see ``ExemptionScope``) and its first and last day."""
    if scope is ExemptionScope.term_report:
        return 0, None, None
    if not year:
        raise InvalidInput(_l("请选择年份。"), "year")
    if scope is ExemptionScope.year_report:
        return year, date(year, 1, 1), date(year, 12, 31)
    if scope is ExemptionScope.month:
        if not month or not 1 <= month <= 12:
            raise InvalidInput(_l("请选择月份。"), "month")
        period = Month(year, month)
    else:
        if not quarter or not 1 <= quarter <= 4:
            raise InvalidInput(_l("请选择季度。"), "quarter")
        period = Quarter(year, quarter)
    return period.key, period.first, period.last


def create_exemption(mandate, scope, reason, approver, approved_on, year=None, month=None, quarter=None,
                     by=None):
    """Record an approved exemption (应述尽述): the mandate leaves that duty's denominator."""
    if mandate is None:
        raise InvalidInput(_l("请选择代表。"), "mandate_id")
    if not isinstance(scope, ExemptionScope):
        raise InvalidInput(_l("请选择免除的事项。"), "scope")
    key, first, last = _period_key(scope, year, month, quarter)
    if first is not None and (last < mandate.start_date or first > mandate.last_held):
        raise InvalidInput(_l("所选期间不在 %(term)s 代表资格的任职期间内（%(start)s 至 %(end)s）。",
                              term=mandate.term.name, start=mandate.start_date.isoformat(),
                              end=mandate.last_held_label), "year")
    reason, approver = (reason or "").strip(), (approver or "").strip()
    if not reason:
        raise InvalidInput(_l("请填写免除的原因（如因病、外出挂职）。"), "reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(_l("原因太长了（最多 %(n)s 个字）。", n=REASON_MAX), "reason")
    if not approver:
        raise InvalidInput(_l("请填写批准人或批准机构。"), "approver")
    if len(approver) > APPROVER_MAX:
        raise InvalidInput(_l("批准人太长了（最多 %(n)s 个字）。", n=APPROVER_MAX), "approver")
    if approved_on is None:
        raise InvalidInput(_l("请填写批准日期。"), "approved_on")
    if approved_on > local_today():
        raise InvalidInput(_l("批准日期不能晚于今天。"), "approved_on")
    clash = db.session.scalar(sa.select(Exemption.id).where(
        Exemption.mandate_id == mandate.id, Exemption.scope == scope, Exemption.period_key == key))
    if clash is not None:
        raise InvalidInput(_l("该代表资格在这一期间已有同类免除记录。"), "scope")
    exemption = Exemption(mandate=mandate, scope=scope, period_key=key, reason=reason, approver=approver,
                          approved_on=approved_on, recorded_by=by)
    db.session.add(exemption)
    try:
        db.session.flush()
    except IntegrityError:
        raise InvalidInput(_l("该代表资格在这一期间已有同类免除记录。"), "scope") from None
    log.info("exemption recorded: exemption=%s mandate=%s scope=%s period=%s",
             exemption.id, mandate.id, scope.value, key)
    record_event("exemption.recorded", target=exemption, township_id=mandate.township_id,
                 detail=f"mandate #{mandate.id} {scope.value} {key}")
    return exemption


# --- the two 100% targets --------------------------------------------------------------------

def set_target_terms(term_ids, reset=False):
    """Choose the terms whose in-term reporting rates are the "two 100%" targets; ``reset``
    restores the default (the 市 and 区 terms in force on the day the figures are made)."""
    setting = db.session.scalar(sa.select(Setting).where(Setting.key == TARGET_TERMS_KEY))
    ids = sorted({int(i) for i in (term_ids or []) if i})
    if not ids and not reset:
        raise InvalidInput(_l("请至少选择一个届次；要使用现任市、区两级届次，请点击“恢复默认”。"), "term_ids")
    if reset:
        if setting is not None:
            db.session.delete(setting)
        db.session.flush()
        log.info("target terms reset to the default")
        record_event("targets.changed", target_type="settings", target_id=TARGET_TERMS_KEY, detail="default")
        return []
    found = set(db.session.scalars(sa.select(Term.id).where(Term.id.in_(ids))))
    if found != set(ids):
        raise InvalidInput(_l("所选届次不存在，请重新选择。"), "term_ids")
    if setting is None:
        setting = Setting(key=TARGET_TERMS_KEY)
        db.session.add(setting)
    setting.value = json.dumps(ids)
    db.session.flush()
    log.info("target terms set: terms=%s", ids)
    record_event("targets.changed", target_type="settings", target_id=TARGET_TERMS_KEY, detail=f"terms={ids}")
    return ids

