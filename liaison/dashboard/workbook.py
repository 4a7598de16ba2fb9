"""The official workbook (述职率统计表): its tables built from the rates queries, written by the one xlsx writer."""
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext

from liaison.clock import to_local, utcnow
from liaison.dashboard.queries import (latest_closures, period_label, target_terms, targets_of_townships,
                                       township_table)
from liaison.deputies.models import Deputy, Gender, Mandate, last_day_held_in
from liaison.deputies.queries import held_on
from liaison.exports.xlsx import BarChartSpec, OfficialTable, TotalRow, write_official
from liaison.extensions import db
from liaison.network.models import Station
from liaison.rates import queries as rates
from liaison.deputies.models import Exemption
from liaison.reports.models import DutyReport, DutyReportCoverage, ReportForm
from liaison.terms.models import Term
from liaison.townships.models import ADMINISTRATIVE_ORDER, ElectoralDistrict, Township

#: 未述 (and unmet visits) are highlighted in the sheets.
MISSING, DONE, UNMET, MET = "未述", "已述", "×", "√"

#: Header units (统计表 convention: every count and rate says its unit).
PEOPLE, PERCENT = "（人）", "（%）"


class Scope(NamedTuple):
    """Whose workbook it is: the label in its titles and file name, and who signs it (制表单位)."""

    label: str
    unit: str
    #: The whole district (its tables list every township), not some townships' own copy.
    district: bool = False


def workbook_scope(township_ids=None):
    """The district's scope (全区, the committee's office), or the given townships' (their names in
    administrative order, their liaison offices: ``Township.office_label``)."""
    if township_ids is None:
        return Scope(gettext("全区"), gettext("区人大常委会代表工作室"), district=True)
    townships = db.session.scalars(sa.select(Township).where(Township.id.in_(list(township_ids)))
                                   .order_by(*ADMINISTRATIVE_ORDER)).all()
    return Scope("、".join(t.name for t in townships) or gettext("无乡镇（街道）"),
                 "、".join(t.office_label for t in townships) or gettext("区人大常委会代表工作室"))


def workbook_filename(as_of, township_ids=None, year=None, scope=None):
    """The download's name, naming whose it is: 述职率统计表-东城镇-2026-11-26.xlsx (全区 for the
    district's); a year other than the as-of date's is named too."""
    scope = scope or workbook_scope(township_ids)
    name = f"{gettext('述职率统计表')}-{scope.label}-{as_of.isoformat()}"
    if year is not None and year != as_of.year:
        name += gettext("-%(year)s年度", year=year)
    return f"{name}.xlsx"


def build_workbook(as_of, made_by, township_ids=None, terms=None, year=None, ended_only=False, scope=None):
    """The whole workbook as bytes, as of a local date, for the district or the given townships.

    ``terms`` defaults to the two 100% target terms; closing a term passes that term alone.
    ``year`` is the year of the 年述职, month and quarter sheets (default: the as-of date's).
    ``ended_only`` leaves out the month and quarter still running on the as-of date: a bulletin for a
    month shows only the periods that had ended by its last day (rule R8).
    ``scope`` is ``workbook_scope(township_ids)`` when the caller has it already.
    """
    terms = terms if terms is not None else target_terms(as_of)
    year = as_of.year if year is None else year
    made_at = to_local(utcnow())
    scope = scope or workbook_scope(township_ids)
    common = dict(unit=gettext("制表单位：%(unit)s", unit=scope.unit),
                  made_on=gettext("制表日期：%(day)s", day=made_at.strftime("%Y-%m-%d")))
    context = _Context(as_of, year, township_ids, scope, ended_only,
                       _closed_labels(terms))
    townships = township_table(terms, as_of, township_ids)
    annual = _annual_rows(terms, context)
    # 月进站 and 季回家, district and townships, from one statement per term (the dashboard's way):
    # asked kind by kind and level by level, the two sheets ran eight statements of the year's check-ins.
    visits = {term.id: rates.visit_figures(year, term.id, as_of, township_ids) for term in terms}
    tables = [
        _targets_table(terms, context, townships, annual, common),
        _township_table(terms, context, townships, common),
        _annual_table(terms, context, annual, common),
        _visit_summary_table("month", terms, context, visits, common),
        _visit_summary_table("quarter", terms, context, visits, common),
        _detail_table(terms, context, common),
        _visits_table("month", terms, context, common),
        _visits_table("quarter", terms, context, common),
        _notes_table(terms, context, made_at, made_by, common),
    ]
    return write_official(tables)


class _Context(NamedTuple):
    """What every sheet of one workbook shares."""

    as_of: date
    year: int
    township_ids: object
    scope: Scope
    ended_only: bool
    #: term id → how a closed term is named in the workbook (rule R14); open terms are absent.
    closed: dict

    @property
    def day(self):
        return self.as_of.isoformat()

    def term_label(self, term_id, name):
        """A term's name, said to be closed with its frozen version when it is (rule R14)."""
        return self.closed.get(term_id, name)


def _closed_labels(terms):
    """term id → 市第十五届（已于2027-01-10换届，第 1 版冻结数据） for the closed ones among ``terms``: every
    figure of a closed term is its frozen one (rule R14), and the workbook says so."""
    closures = latest_closures([term.id for term in terms if term.closed])
    return {term.id: gettext("%(term)s（已于%(day)s换届，第 %(version)s 版冻结数据）", term=term.name,
                             day=closures[term.id].final_end_date.isoformat(),
                             version=closures[term.id].version)
            for term in terms if term.id in closures}


def _periods(kind, context):
    """The months or quarters of the year shown: begun by the as-of date, and ended by it when
    ``ended_only``."""
    periods = (rates.months if kind == "month" else rates.quarters)(context.year, context.as_of)
    if context.ended_only:
        periods = [period for period in periods if period.last <= context.as_of]
    return periods


def _year_running(context):
    """The year shown has not ended on the as-of date: its 年述职 is a figure 截至目前."""
    return context.as_of < date(context.year, 12, 31)


def _annual_rows(terms, context):
    """term id → (district ``AnnualReportingRow``, its township rows) for the year shown (rule R11)."""
    found = {}
    for term in terms:
        district = rates.annual_reporting(context.year, context.as_of, term.id, township_ids=context.township_ids)
        by_township = rates.annual_reporting(context.year, context.as_of, term.id, group_by="township",
                                             township_ids=context.township_ids)
        found[term.id] = (district[0], by_township)
    return found


def _annual_group(context):
    """The header group of 年述职 figures: 2026年述职, 截至目前 while the year runs."""
    if _year_running(context):
        return gettext("%(year)s年述职（截至目前）", year=context.year)
    return gettext("%(year)s年述职", year=context.year)


def _targets_table(terms, context, townships, annual, common):
    """两个100%目标: one row per target term, its 届内述职率 with target and gap, its 年述职, and a bar
    chart of the rates drawn from this table with the 100% target as a line."""
    rows = []
    for row in targets_of_townships(terms, townships):
        year_row = annual[row.term_id][0]
        rows.append((context.term_label(row.term_id, row.term_name), row.due, row.done, row.missing, row.rate,
                     1.0, row.gap,
                     year_row.due, year_row.done, year_row.exempted, year_row.rate))
    in_term, of_year = gettext("届内述职"), _annual_group(context)
    headers = [gettext("届次"),
               (in_term, gettext("应述") + PEOPLE), (in_term, gettext("已述") + PEOPLE),
               (in_term, gettext("未述") + PEOPLE), (in_term, gettext("述职率") + PERCENT),
               (in_term, gettext("目标") + PERCENT), (in_term, gettext("差距") + PERCENT),
               (of_year, gettext("应述") + PEOPLE), (of_year, gettext("已述") + PEOPLE),
               (of_year, gettext("免") + PEOPLE), (of_year, gettext("述职率") + PERCENT)]
    return OfficialTable(
        title=gettext("两个100%目标"),
        caption=gettext("%(scope)s届内述职率“两个100%%”目标完成情况（截至%(day)s）",
                        scope=context.scope.label, day=context.day),
        # A closed term's longer label (rule R14) gets a wider, wrapped first column.
        headers=headers, rows=rows, widths=[24 if context.closed else 16, 9, 9, 9, 10, 9, 9, 9, 9, 8, 10],
        percent_columns=frozenset({5, 6, 7, 11}), wrap_columns=frozenset({1}) if context.closed else frozenset(),
        chart=BarChartSpec(title=gettext("%(scope)s届内述职率", scope=context.scope.label), category_column=1, value_column=5, target_column=6),
        notes=[gettext("年述职：当年 6 月 30 日前开始任职、统计日仍在任的代表应述，减去经批准免除的；"
                       "当年未结束时为截至目前的进度。")],
        **common)


def _township_table(terms, context, townships, common):
    """分乡镇: 应述, 已述, 未述 and the rate of each target term per township (``township_table`` rows,
    administrative order), then the 合计 row."""
    headers = [gettext("乡镇（街道）")]
    percent = set()
    for term in terms:
        headers += [(term.name, gettext("应述") + PEOPLE), (term.name, gettext("已述") + PEOPLE),
                    (term.name, gettext("未述") + PEOPLE), (term.name, gettext("述职率") + PERCENT)]
        percent.add(len(headers))
    rows = []
    for _township_id, name, by_term in townships:
        row = [name]
        for term in terms:
            found = by_term.get(term.id)
            row += [found.due, found.done, found.missing, found.rate] if found else [0, 0, 0, None]
        rows.append(row)
    total = [gettext("合计")]
    for target in targets_of_townships(terms, townships):
        total += [target.due, target.done, target.missing, target.rate]
    rows.append(TotalRow(total))
    return OfficialTable(
        title=gettext("分乡镇"),
        # A township's copy is not "各乡镇": it lists that township (or a staff member's few) only.
        caption=(gettext("%(scope)s各乡镇（街道）届内述职情况（截至%(day)s）", scope=context.scope.label,
                         day=context.day) if context.scope.district
                 else gettext("%(scope)s届内述职情况（截至%(day)s）", scope=context.scope.label, day=context.day)),
        headers=headers, rows=rows, widths=[16] + [9, 9, 9, 10] * len(terms),
        percent_columns=frozenset(percent), **common)


def _township_order(township_ids):
    """township id → its place in the administrative order."""
    query = sa.select(Township.id).order_by(*ADMINISTRATIVE_ORDER)
    if township_ids is not None:
        query = query.where(Township.id.in_(list(township_ids)))
    return {township_id: place for place, township_id in enumerate(db.session.scalars(query))}


def _annual_table(terms, context, annual, common):
    """年述职: per target term, each township's 应述, 已述, 未述, 免 and rate for the year shown, then
    the district's (the 合计 row is ``annual_reporting``'s district row), rule R11."""
    headers = [gettext("乡镇（街道）")]
    percent = set()
    for term in terms:
        headers += [(term.name, gettext("应述") + PEOPLE), (term.name, gettext("已述") + PEOPLE),
                    (term.name, gettext("未述") + PEOPLE), (term.name, gettext("免") + PEOPLE),
                    (term.name, gettext("述职率") + PERCENT)]
        percent.add(len(headers))
    names, cells = {}, {}
    for term in terms:
        for row in annual[term.id][1]:
            names[row.township_id] = row.township_name
            cells[(row.township_id, term.id)] = row
    order = _township_order(context.township_ids)
    rows = []
    for township_id in sorted(names, key=lambda tid: (order.get(tid, len(order)), tid)):
        row = [names[township_id]]
        for term in terms:
            found = cells.get((township_id, term.id))
            row += [found.due, found.done, found.missing, found.exempted, found.rate] if found \
                else [0, 0, 0, 0, None]
        rows.append(row)
    total = [gettext("合计")]
    for term in terms:
        found = annual[term.id][0]
        total += [found.due, found.done, found.missing, found.exempted, found.rate]
    rows.append(TotalRow(total))
    running = _year_running(context)
    caption = (gettext("%(scope)s%(year)s年代表年述职情况（截至%(day)s，当年未结束，为截至目前进度）",
                       scope=context.scope.label, year=context.year, day=context.day) if running
               else gettext("%(scope)s%(year)s年代表年述职情况", scope=context.scope.label, year=context.year))
    return OfficialTable(
        title=gettext("年述职"), caption=caption, headers=headers, rows=rows,
        widths=[16] + [9, 9, 9, 8, 10] * len(terms), percent_columns=frozenset(percent),
        notes=[gettext("应述：当年 6 月 30 日前开始任职、统计日（不晚于 12 月 31 日）仍在任的代表，减去经批准免除当年述职的；"
                       "已述：当年内有一次已完成述职的。")],
        **common)


def _visit_summary_table(kind, terms, context, visits, common):
    """月进站 (township × month) or 季回家 (township × quarter) of each target term, as the dashboard's
    matrix: the rate of each period, the period still running apart as 截至目前 (rule R8), then the
    ended periods together (应, 已, 完成率); a 合计 row per term (the district's). ``visits``: term id →
    ``rates.visit_figures``."""
    periods = _periods(kind, context)
    ended = [period for period in periods if period.last <= context.as_of]
    running = [period for period in periods if period.last > context.as_of]
    if kind == "month":
        title, per = gettext("月进站（分乡镇）"), gettext("各月进站率")
        caption = gettext("%(scope)s%(year)s年代表月进站情况（分乡镇，截至%(day)s）",
                          scope=context.scope.label, year=context.year, day=context.day)
        total_group = gettext("已结束月份合计")
    else:
        title, per = gettext("季回家（分乡镇）"), gettext("各季度回家率")
        caption = gettext("%(scope)s%(year)s年代表季回家情况（分乡镇，截至%(day)s）",
                          scope=context.scope.label, year=context.year, day=context.day)
        total_group = gettext("已结束季度合计")
    times = gettext("（人次）")
    headers = [gettext("届次"), gettext("乡镇（街道）"),
               *[(per + PERCENT, period_label(kind, p.key)) for p in ended],
               *[(gettext("截至目前") + PERCENT, period_label(kind, p.key) + gettext("（进行中）")) for p in running],
               (total_group, gettext("应完成") + times), (total_group, gettext("已完成") + times),
               (total_group, gettext("完成率") + PERCENT)]
    shown = [p.key for p in ended + running]
    ended_keys = {p.key for p in ended}
    percent = frozenset(range(3, 3 + len(shown))) | {len(headers)}

    def cells(by_period):
        rates_of = [by_period[key].rate if by_period.get(key) else None for key in shown]
        due = sum(by_period[key].due for key in ended_keys if by_period.get(key))
        met = sum(by_period[key].met for key in ended_keys if by_period.get(key))
        return [*rates_of, due, met, met / due if due else None]

    def rows():
        for term in terms:
            district_rows, township_rows = visits[term.id][kind]
            by_township, names = {}, {}
            for row in township_rows:
                names.setdefault(row.township_id, row.township_name)
                by_township.setdefault(row.township_id, {})[row.period_key] = row
            for township_id, name in names.items():  # administrative order, as the rates give them
                yield [term.name, name, *cells(by_township[township_id])]
            district = {row.period_key: row for row in district_rows}
            yield TotalRow([term.name, gettext("合计"), *cells(district)])

    notes = [gettext("进站率 = 已完成 ÷ 应完成（人次）；只任职部分时间、暂停、免除的不计入。") if kind == "month"
             else gettext("回家率 = 已完成 ÷ 应完成（人次）；只任职部分时间、暂停、免除的不计入。")]
    if running:
        notes.append(gettext("“进行中”一列为尚未结束的当期截至目前的进度，未完成的代表仍有时间，"
                             "不计入已结束期间合计。"))
    return OfficialTable(
        title=title, caption=caption, headers=headers, rows=rows(),
        widths=[13, 12, *[7.5 if kind == "month" else 10] * len(shown), 12, 12, 10],
        percent_columns=percent, frozen_columns=2, notes=notes, **common)


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


def _detail_table(terms, context, common):
    """代表明细: every target-term mandate with its latest report and 已述/未述 (未述 highlighted)."""
    where, latest = gettext("所属"), gettext("最近一次述职")
    headers = [gettext("届次"), gettext("姓名"), gettext("性别"), gettext("代表层级"),
               (where, gettext("乡镇（街道）")), (where, gettext("选区")), (where, gettext("联络站")),
               (latest, gettext("日期")), (latest, gettext("形式")), (latest, gettext("到会选民") + "\n" + PEOPLE),
               (latest, gettext("满意") + "\n" + PEOPLE), (latest, gettext("基本满意") + "\n" + PEOPLE),
               (latest, gettext("不满意") + "\n" + PEOPLE), gettext("述职情况")]
    return OfficialTable(
        title=gettext("代表明细"),
        caption=gettext("%(scope)s代表届内述职明细（截至%(day)s）", scope=context.scope.label, day=context.day),
        headers=headers, rows=_detail_rows(terms, context.as_of, context.township_ids),
        widths=[12, 9, 5, 9, 11, 14, 16, 11, 14, 10, 8, 10, 8, 9], alerts=frozenset({MISSING}),
        centred_columns=frozenset({3, 14}),
        frozen_columns=2, autofilter=True, **common)


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


def _visits_rows(kind, terms, context, periods):
    """One row per target-term mandate: its cells per period (√ met, × due and missed, 进行中 due in a
    period still running, else why not due), then due, met and the rate over the ended periods only
    (rule R8: a period still running is never mixed in). The rows are streamed from the database."""
    cell_of = {"met": MET, "unmet": UNMET, "in_progress": gettext("进行中"), None: "", **_visit_labels()}
    ended = [index for index, period in enumerate(periods) if period.last <= context.as_of]
    shown = len(periods)
    for term in terms:
        for row in rates.visits_by_mandate(kind, context.year, term.id, context.as_of, context.township_ids):
            states = row.states[:shown]  # with ``ended_only`` the period still running is left out
            met = sum(1 for index in ended if states[index] == "met")
            due = met + sum(1 for index in ended if states[index] == "unmet")
            yield [term.name, row.deputy_name, row.township_name, *[cell_of[state] for state in states],
                   due, met, met / due if due else None]


def _visits_table(kind, terms, context, common):
    """月进站 (deputy × month) or 季回家 (deputy × quarter) for the year shown."""
    periods = _periods(kind, context)
    scope, year, day = context.scope.label, context.year, context.day
    if kind == "month":
        title, per = gettext("月进站"), gettext("%(year)s年各月进站情况", year=year)
        caption = gettext("%(scope)s%(year)s年代表月进站明细（截至%(day)s）", scope=scope, year=year, day=day)
        totals, due, met = gettext("已结束月份"), gettext("应进站\n（月）"), gettext("已进站\n（月）")
    else:
        title, per = gettext("季回家"), gettext("%(year)s年各季度回家情况", year=year)
        caption = gettext("%(scope)s%(year)s年代表季回家明细（截至%(day)s）", scope=scope, year=year, day=day)
        totals, due, met = gettext("已结束季度"), gettext("应回家\n（季）"), gettext("已回家\n（季）")

    def label(period):
        text = period_label(kind, period.key)
        return text if period.last <= context.as_of else text + "\n" + gettext("（进行中）")

    headers = [gettext("届次"), gettext("姓名"), gettext("乡镇（街道）"),
               *[(per, label(p)) for p in periods],
               (totals, due), (totals, met), (totals, gettext("完成率") + "\n" + PERCENT)]
    return OfficialTable(
        title=title, caption=caption, headers=headers,
        rows=_visits_rows(kind, terms, context, periods),
        widths=[12, 9, 11, *[(6 if kind == "month" else 10) if period.last <= context.as_of else 10
                             for period in periods], 9, 9, 9],
        percent_columns=frozenset({len(headers)}), alerts=frozenset({UNMET}), frozen_columns=3,
        centred_columns=frozenset(range(4, 4 + len(periods))),
        autofilter=True,
        notes=[gettext("√ 已完成；× 已结束而未完成；进行中：当期尚未结束、尚未完成，仍有时间，不计入完成率；"
                       "部分：当期只任职部分时间，不计入完成率；暂停：暂停执行代表职务；免：经批准免除"
                       "（既部分任职又暂停或免除的，标为暂停或免）。")],  # rule R6
        **common)


def _exemption_count(terms, as_of, township_ids):
    """Exemptions approved by the date for the target terms' mandates, counted as the figures count
    them: approved by the date capped at each term's last day (rule R9), and for a closed term only
    those recorded by its freeze, on mandates recorded by it (rule R14)."""
    if not terms:
        return 0
    per_term = []
    for term in terms:
        condition = sa.and_(Mandate.term_id == term.id,
                            Exemption.approved_on <= min(as_of, last_day_held_in(term)))
        if term.figures_frozen_at is not None:
            condition = sa.and_(condition, Exemption.created_at <= term.figures_frozen_at,
                                Mandate.created_at <= term.figures_frozen_at)
        per_term.append(condition)
    query = (sa.select(sa.func.count(Exemption.id)).join(Mandate, Mandate.id == Exemption.mandate_id)
             .where(sa.or_(*per_term)))
    if township_ids is not None:
        query = query.where(Mandate.township_id.in_(township_ids))
    return db.session.scalar(query)


def _notes_table(terms, context, made_at, made_by, common):
    """说明: the definitions the figures follow, the as-of date, exemptions and who made the workbook."""
    rows = [
        (gettext("统计截止日期"), context.day),
        (gettext("统计年度"), gettext("%(year)s年（年述职、月进站、季回家）", year=context.year)),
        (gettext("目标届次"), "、".join(context.term_label(term.id, term.name) for term in terms) or gettext("未设置")),
        (gettext("统计范围"), context.scope.label),
        (gettext("应述"), gettext("本届代表资格，减去截至统计日已提前终止的，减去经批准（有原因、批准人、日期）免除届内述职的；"
                                  "届满正常终止的不减。")),
        (gettext("已述"), gettext("应述代表中，在本届任期内、统计日之前至少有一次已完成述职（本人记录或标注为同时覆盖）的。")),
        (gettext("述职率"), gettext("已述 ÷ 应述；目标为 100%，差距 = 100% − 述职率。")),
        (gettext("年述职"), gettext("当年 6 月 30 日前开始任职、统计日（不晚于 12 月 31 日）仍在任的代表应述，减去经批准免除当年述职的；"
                                    "当年内有一次已完成述职即为已述。当年未结束时为截至目前的进度。")),
        (gettext("月进站"), gettext("代表同级任职覆盖整月、未暂停、未免除的为应进站；当月在任一联络站有一次有效签到即完成。"
                                    "只任职部分月份的单列为“部分”，不计入完成率。")),
        (gettext("季回家"), gettext("同上，按季度计，在任一代表之家有一次有效签到即完成。")),
        (gettext("进行中"), gettext("统计日尚未结束的月份或季度：已签到的为完成，未签到的为“进行中”（仍有时间），不算未完成；"
                                    "完成率只按已结束的月份、季度计算，当期进度另列为“截至目前”。")),
        (gettext("有效签到"), gettext("扫码签到、经核实确认的签到和补登；待核实和已驳回的不计。时间按本地时区的自然月、季度计算。")),
        (gettext("免除记录"), gettext("截至统计日已批准的免除共 %(n)s 条。",
                                      n=_exemption_count(terms, context.as_of, context.township_ids))),
        (gettext("制表时间"), made_at.strftime("%Y-%m-%d %H:%M")),
        (gettext("制表人"), made_by),
    ]
    return OfficialTable(
        title=gettext("说明"), caption=gettext("%(scope)s统计口径说明", scope=context.scope.label),
        headers=[gettext("项目"), gettext("说明")], rows=rows, widths=[16, 96], frozen_columns=1,
        numbered=False, wrap_columns=frozenset({2}), **common)
