"""The official workbook (述职率统计表): its tables built from the rates queries, written by the one xlsx writer."""
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext

from liaison.clock import to_local, utcnow
from liaison.dashboard.queries import period_label, target_terms, targets_of_townships, township_table
from liaison.deputies.models import Deputy, Gender, Mandate, last_day_held_in
from liaison.deputies.queries import held_on
from liaison.exports.xlsx import BarChartSpec, OfficialTable, write_official
from liaison.extensions import db
from liaison.network.models import Station
from liaison.rates import queries as rates
from liaison.deputies.models import Exemption
from liaison.reports.models import DutyReport, DutyReportCoverage, ReportForm
from liaison.terms.models import Term
from liaison.townships.models import ElectoralDistrict

#: 未述 (and unmet visits) are highlighted in the sheets.
MISSING, DONE, UNMET, MET = "未述", "已述", "×", "√"


def workbook_filename(as_of):
    """The download's name: 述职率统计表-2026-11-26.xlsx."""
    return f"{gettext('述职率统计表')}-{as_of.isoformat()}.xlsx"


def build_workbook(as_of, made_by, township_ids=None, terms=None):
    """The whole workbook as bytes, as of a local date, for the district or the given townships.

    ``terms`` defaults to the two 100% target terms; closing a term passes that term alone.
    """
    terms = terms if terms is not None else target_terms(as_of)
    made_at = to_local(utcnow())
    unit = gettext("制表单位：区人大常委会代表工作室")
    made_on = gettext("制表日期：%(day)s", day=made_at.strftime("%Y-%m-%d"))
    common = dict(unit=unit, made_on=made_on)
    year = as_of.year
    townships = township_table(terms, as_of, township_ids)
    tables = [
        _targets_table(terms, as_of, townships, common),
        _township_table(terms, as_of, townships, common),
        _detail_table(terms, as_of, township_ids, common),
        _visits_table("month", terms, year, as_of, township_ids, common),
        _visits_table("quarter", terms, year, as_of, township_ids, common),
        _notes_table(terms, as_of, township_ids, made_at, made_by, common),
    ]
    return write_official(tables)


def _targets_table(terms, as_of, townships, common):
    """两个100%目标: one row per target term, and a bar chart of the rates drawn from this table."""
    rows = [(row.term_name, row.due, row.done, row.missing, row.rate, 1.0, row.gap)
            for row in targets_of_townships(terms, townships)]
    return OfficialTable(
        title=gettext("两个100%目标"),
        caption=gettext("届内述职率“两个100%%”目标完成情况（截至%(day)s）", day=as_of.isoformat()),
        headers=[gettext("届次"), gettext("应述"), gettext("已述"), gettext("未述"), gettext("述职率"),
                 gettext("目标"), gettext("差距")],
        rows=rows, widths=[18, 10, 10, 10, 12, 10, 10], percent_columns=frozenset({5, 6, 7}),
        chart=BarChartSpec(title=gettext("届内述职率"), category_column=1, value_column=5), **common)


def _township_table(terms, as_of, townships, common):
    """分乡镇: 应述, 已述, 未述 and the rate of each target term per township (``township_table`` rows)."""
    headers = [gettext("乡镇（街道）")]
    percent = set()
    for term in terms:
        headers += [gettext("%(term)s应述", term=term.name), gettext("%(term)s已述", term=term.name),
                    gettext("%(term)s未述", term=term.name), gettext("%(term)s述职率", term=term.name)]
        percent.add(len(headers))
    rows = []
    for _township_id, name, by_term in townships:
        row = [name]
        for term in terms:
            found = by_term.get(term.id)
            row += [found.due, found.done, found.missing, found.rate] if found else [0, 0, 0, None]
        rows.append(row)
    return OfficialTable(
        title=gettext("分乡镇"), caption=gettext("各乡镇（街道）届内述职情况（截至%(day)s）", day=as_of.isoformat()),
        headers=headers, rows=rows, widths=[14] + [12] * (len(headers) - 1),
        percent_columns=frozenset(percent), **common)


def _status_labels():
    """Status → the 述职情况 cell: why the mandate is not due (its early end, an exemption)."""
    return {"ended": gettext("资格终止"), "exempted": gettext("免述")}


def _detail_rows(terms, as_of, township_ids):
    """代表明细 rows, streamed term by term; levels are those held on the date (a mandate ended
    early shows its own term's level). Labels are translated once, not once per row."""
    levels = _levels(as_of)
    statuses = _status_labels()
    forms = {form: str(form.label) for form in ReportForm}
    no_report = [None, "", None, None, None, None]
    for term in terms:
        cap = min(as_of, last_day_held_in(term))  # rule R5: an open term is not capped
        details = _mandate_details(term.id, township_ids)
        reports = _latest_reports(term, cap, township_ids)
        term_level = str(term.level.label)
        for row in rates.in_term_reporting(term.id, as_of, group_by="deputy", township_ids=township_ids):
            gender, district, station = details.get(row.mandate_id, ("", "", ""))
            report = reports.get(row.mandate_id)
            report_cells = (
                [report.report_date, forms[report.form], report.voters_present, report.satisfied,
                 report.basically_satisfied, report.dissatisfied]
                if report is not None else no_report)
            yield [term.name, row.deputy_name, gender, levels.get(row.deputy_id) or term_level,
                   row.township_name, district, station, *report_cells,
                   statuses.get(row.status) or (DONE if row.done else MISSING)]


def _detail_table(terms, as_of, township_ids, common):
    """代表明细: every target-term mandate with its latest report and 已述/未述 (未述 highlighted)."""
    headers = [gettext("届次"), gettext("姓名"), gettext("性别"), gettext("代表层级"), gettext("乡镇（街道）"),
               gettext("选区"), gettext("联络站"), gettext("述职日期"), gettext("述职形式"), gettext("到会选民"),
               gettext("满意"), gettext("基本满意"), gettext("不满意"), gettext("述职情况")]
    return OfficialTable(
        title=gettext("代表明细"), caption=gettext("代表届内述职明细（截至%(day)s）", day=as_of.isoformat()),
        headers=headers, rows=_detail_rows(terms, as_of, township_ids),
        widths=[14, 10, 6, 10, 14, 16, 18, 12, 16, 10, 8, 10, 8, 10], alerts=frozenset({MISSING}),
        frozen_columns=2, **common)


def _mandate_details(term_id, township_ids):
    """mandate id → (gender, electoral district, station) for a term's mandates (one query)."""
    query = (sa.select(Mandate.id, Deputy.gender, ElectoralDistrict.name, Station.name)
             .join(Deputy, Deputy.id == Mandate.deputy_id)
             .outerjoin(ElectoralDistrict, ElectoralDistrict.id == Mandate.electoral_district_id)
             .outerjoin(Station, Station.id == Mandate.station_id)
             .where(Mandate.term_id == term_id))
    if township_ids is not None:
        query = query.where(Mandate.township_id.in_(township_ids))
    genders = {gender: str(gender.label) for gender in Gender}
    return {mandate_id: (genders[gender] if gender else "", district or "", station or "")
            for mandate_id, gender, district, station in rates.plain_rows(query)}


class _Report(NamedTuple):
    """The report fields 代表明细 shows."""

    id: int
    report_date: date
    form: ReportForm
    voters_present: int
    satisfied: int
    basically_satisfied: int
    dissatisfied: int


def _latest_reports(term, cap, township_ids):
    """mandate id → the latest completed report covering it within the term (own or marked as covering).

    The latest is picked in SQL (one row per mandate, not every report); plain columns, not ORM
    objects, so thousands of reports do not fill the session.
    """
    fields = (DutyReport.id, DutyReport.report_date, DutyReport.form, DutyReport.voters_present,
              DutyReport.satisfied, DutyReport.basically_satisfied, DutyReport.dissatisfied)
    dated = sa.and_(DutyReport.completed.is_(True), DutyReport.report_date >= term.start_date,
                    DutyReport.report_date <= cap)
    own = sa.select(DutyReport.mandate_id.label("mandate_id"), *fields) \
        .join(Mandate, Mandate.id == DutyReport.mandate_id).where(dated, Mandate.term_id == term.id)
    also = (sa.select(DutyReportCoverage.mandate_id.label("mandate_id"), *fields)
            .join(DutyReport, DutyReport.id == DutyReportCoverage.report_id)
            .join(Mandate, Mandate.id == DutyReportCoverage.mandate_id)
            .where(dated, Mandate.term_id == term.id))
    if township_ids is not None:
        own = own.where(Mandate.township_id.in_(township_ids))
        also = also.where(Mandate.township_id.in_(township_ids))
    if term.figures_frozen_at is not None:  # a closed term: what its frozen figures count (rule R14)
        own = own.where(DutyReport.created_at <= term.figures_frozen_at)
        also = also.where(DutyReportCoverage.created_at <= term.figures_frozen_at)
    both = sa.union_all(own, also).subquery("covering")
    rank = sa.func.row_number().over(partition_by=both.c.mandate_id,
                                     order_by=(both.c.report_date.desc(), both.c.id.desc()))
    ranked = sa.select(both, rank.label("rank")).subquery("ranked")
    query = sa.select(ranked.c.mandate_id, *[ranked.c[field.key] for field in fields]).where(ranked.c.rank == 1)
    return {mandate_id: _Report(*values) for mandate_id, *values in rates.plain_rows(query)}


def _levels(as_of):
    """deputy id → the levels they hold on the date, e.g. 市、区 (一人多级)."""
    query = (sa.select(Mandate.deputy_id, Term.level).join(Term, Term.id == Mandate.term_id)
             .where(held_on(as_of)).distinct())
    order = {"national": 0, "municipal": 1, "district": 2, "township": 3}
    held = {}
    for deputy_id, level in rates.plain_rows(query):
        held.setdefault(deputy_id, []).append(level)
    # Translated once per combination, not once per deputy.
    names = {}
    for deputy_id, levels in held.items():
        combination = tuple(sorted(levels, key=lambda lv: order[lv.value]))
        if combination not in names:
            names[combination] = "、".join(str(level.label) for level in combination)
        held[deputy_id] = names[combination]
    return held


def _visit_labels():
    """Status → the cell of a period that is not due: partial, suspended, exempted (outside the rate)."""
    return {"partial": gettext("部分"), "suspended": gettext("暂停"), "exempted": gettext("免")}


def _visits_rows(kind, terms, year, as_of, township_ids):
    """One row per target-term mandate: its cells per period (√ met, × due and missed, 进行中 due in a
    period still running, else why not due), then due and met counts. The rows (one per mandate) are
    streamed from the database."""
    # A period still running is not missed (rule R8): 进行中, outside the row's counts.
    cell_of = {"met": MET, "unmet": UNMET, "in_progress": gettext("进行中"), None: "", **_visit_labels()}
    for term in terms:
        for row in rates.visits_by_mandate(kind, year, term.id, as_of, township_ids):
            met = row.states.count("met")
            due = met + row.states.count("unmet")
            yield [term.name, row.deputy_name, row.township_name, *[cell_of[state] for state in row.states],
                   due, met, met / due if due else None]


def _visits_table(kind, terms, year, as_of, township_ids, common):
    """月进站 (deputy × month) or 季回家 (deputy × quarter) for the as-of year."""
    periods = (rates.months if kind == "month" else rates.quarters)(year, as_of)
    if kind == "month":
        title = gettext("月进站")
        caption = gettext("%(year)s年代表月进站情况（截至%(day)s）", year=year, day=as_of.isoformat())
        due, met = gettext("应进站月数"), gettext("已进站月数")
    else:
        title = gettext("季回家")
        caption = gettext("%(year)s年代表季回家情况（截至%(day)s）", year=year, day=as_of.isoformat())
        due, met = gettext("应回家季数"), gettext("已回家季数")
    headers = [gettext("届次"), gettext("姓名"), gettext("乡镇（街道）"),
               *[period_label(kind, p.key) for p in periods], due, met, gettext("完成率")]
    return OfficialTable(
        title=title, caption=caption, headers=headers,
        rows=_visits_rows(kind, terms, year, as_of, township_ids),
        widths=[14, 10, 14, *[8] * len(periods), 12, 12, 10], percent_columns=frozenset({len(headers)}),
        alerts=frozenset({UNMET}), frozen_columns=2,
        notes=[gettext("√ 已完成；× 应完成未完成；部分：当期只任职部分时间，不计入完成率；暂停：暂停执行代表职务；免：经批准免除。")],
        **common)


def _exemption_count(terms, as_of, township_ids):
    """Exemptions approved by the date for the target terms' mandates."""
    query = (sa.select(sa.func.count(Exemption.id)).join(Mandate, Mandate.id == Exemption.mandate_id)
             .where(Mandate.term_id.in_([term.id for term in terms]), Exemption.approved_on <= as_of))
    if township_ids is not None:
        query = query.where(Mandate.township_id.in_(township_ids))
    return db.session.scalar(query) if terms else 0


def _notes_table(terms, as_of, township_ids, made_at, made_by, common):
    """说明: the definitions the figures follow, the as-of date, exemptions and who made the workbook."""
    rows = [
        (gettext("统计截止日期"), as_of.isoformat()),
        (gettext("目标届次"), "、".join(term.name for term in terms) or gettext("未设置")),
        (gettext("统计范围"), gettext("全区") if township_ids is None else gettext("本人负责的乡镇（街道）")),
        (gettext("应述"), gettext("本届代表资格，减去截至统计日已提前终止的，减去经批准（有原因、批准人、日期）免除届内述职的；"
                                  "届满正常终止的不减。")),
        (gettext("已述"), gettext("应述代表中，在本届任期内、统计日之前至少有一次已完成述职（本人记录或标注为同时覆盖）的。")),
        (gettext("述职率"), gettext("已述 ÷ 应述；目标为 100%，差距 = 100% − 述职率。")),
        (gettext("月进站"), gettext("代表同级任职覆盖整月、未暂停、未免除的为应进站；当月在任一联络站有一次有效签到即完成。"
                                    "只任职部分月份的单列为“部分”，不计入完成率。")),
        (gettext("季回家"), gettext("同上，按季度计，在任一代表之家有一次有效签到即完成。")),
        (gettext("有效签到"), gettext("扫码签到、经核实确认的签到和补登；待核实和已驳回的不计。时间按本地时区的自然月、季度计算。")),
        (gettext("免除记录"), gettext("截至统计日已批准的免除共 %(n)s 条。", n=_exemption_count(terms, as_of, township_ids))),
        (gettext("制表时间"), made_at.strftime("%Y-%m-%d %H:%M")),
        (gettext("制表人"), made_by),
    ]
    return OfficialTable(
        title=gettext("说明"), caption=gettext("统计口径说明"), headers=[gettext("项目"), gettext("说明")],
        rows=rows, widths=[16, 90], frozen_columns=1, **common)
