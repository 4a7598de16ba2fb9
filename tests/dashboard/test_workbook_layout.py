"""The official workbook as a 统计表 (issue 14 §1, 2, 3, 5, 7): read back with openpyxl, cell by cell.

Merged two-level headers with units, 序号, thin borders, 合计 rows, percent formats, page numbers,
print titles, filters on detail sheets; periods in progress (rule R8); the 年述职 sheet (rule R11);
the township × month and × quarter summaries; the scope in every label; the export's year and
as-of date.
"""
from datetime import date
from urllib.parse import unquote

import pytest
from openpyxl.utils import get_column_letter

from liaison.clock import Month
from liaison.rates import queries as rates
from liaison.townships.models import Township, TownshipKind
from tests.dashboard.conftest import AS_OF, header_rows_end, read_workbook, sheet_rows

DETAIL_SHEETS = ("代表明细", "月进站", "季回家")
SUMMARY_SHEETS = ("两个100%目标", "分乡镇", "年述职", "月进站（分乡镇）", "季回家（分乡镇）")


def _export(client, query=f"as_of={AS_OF}"):
    response = client.get(f"/dashboard/export.xlsx?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def _merged(sheet):
    return {str(r) for r in sheet.merged_cells.ranges}


def _is_thin_box(cell):
    return all(getattr(cell.border, side).style == "thin" for side in ("left", "right", "top", "bottom"))


def _by_first(rows):
    return {row[0]: row for row in rows}


def test_two_level_headers_are_merged_with_units(client, login_as, targets):
    """The targets sheet: 序号 and 届次 span both header rows; 届内述职 spans its six columns and the
    year's 年述职 its four; every count says （人） and every rate （%）."""
    login_as("committee")
    sheet = read_workbook(_export(client).data)["两个100%目标"]
    merged = _merged(sheet)
    assert {"A3:A4", "B3:B4", "C3:H3", "I3:L3"} <= merged
    assert sheet["C3"].value == "届内述职" and sheet["I3"].value == "2024年述职"
    leaves = [c.value for c in sheet[4]][2:]
    assert leaves == ["应述（人）", "已述（人）", "未述（人）", "述职率（%）", "目标（%）", "差距（%）",
                      "应述（人）", "已述（人）", "免（人）", "述职率（%）"]
    assert sheet.print_title_rows == "$1:$4" and sheet.freeze_panes == "C5"


def test_every_table_cell_has_a_thin_border_and_rates_a_percent_format(client, login_as, targets):
    """Headers, data and 合计 cells of every sheet are boxed in thin lines; rate cells read 0.0%."""
    login_as("committee")
    workbook = read_workbook(_export(client).data)
    for sheet in workbook:
        first, last_header = 3, header_rows_end(sheet)
        rows = list(sheet.iter_rows(min_row=first, max_row=sheet.max_row, max_col=sheet.max_column))
        table = [row for row in rows if any(_is_thin_box(c) for c in row)]
        assert len(table) >= last_header - first + 2, sheet.title  # headers and at least one row
        assert [row[0].row for row in table] == list(range(first, first + len(table))), sheet.title
        for row in table:
            # openpyxl redraws the covered cells of a merge from its edges when reading: skip those.
            assert all(_is_thin_box(c) for c in row if type(c).__name__ != "MergedCell"), \
                (sheet.title, row[0].coordinate)
    target = workbook["两个100%目标"]
    for column in "FGHL":
        assert target[f"{column}5"].number_format == "0.0%", column
    towns = workbook["分乡镇"]
    rate_columns = [c.column_letter for c in towns[4] if c.value == "述职率（%）"]
    assert len(rate_columns) == 2
    for row in range(5, towns.max_row + 1):
        for column in rate_columns:
            if towns[f"{column}{row}"].value is not None:
                assert towns[f"{column}{row}"].number_format == "0.0%"


def test_township_sheet_numbers_rows_and_ends_with_a_total(client, login_as, targets, app):
    """分乡镇: 序号 1, 2 for the townships; the 合计 row (bold, no 序号) adds them up and its rate is
    its own 已述 ÷ 应述 — the district's rate."""
    login_as("committee")
    sheet = read_workbook(_export(client).data)["分乡镇"]
    numbers = [sheet[f"A{row}"].value for row in range(5, sheet.max_row + 1)]
    assert numbers == [1, 2, None]
    total = sheet[sheet.max_row]
    assert total[1].value == "合计" and total[1].font.b and total[0].value is None
    rows = sheet_rows(sheet)
    towns, summed = rows[:-1], rows[-1]
    for column in (1, 2, 3, 5, 6, 7):
        assert summed[column] == sum(row[column] for row in towns)
    with app.app_context():
        district = rates.in_term_reporting(targets["D"], date.fromisoformat(AS_OF))[0]
    col = [c.value for c in sheet[3]].index("区第八届") - 1
    assert summed[col:col + 4] == (district.due, district.done, district.missing, district.rate)
    assert (district.due, district.done) == (5, 2)


def test_footer_numbers_pages_and_print_setup(client, login_as, targets):
    """Every sheet prints A4 landscape, one page wide, as many long as needed, with "第 &P 页 共 &N 页"."""
    login_as("committee")
    for sheet in read_workbook(_export(client).data):
        assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页", sheet.title
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == \
            ("landscape", 9, 1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == f"$1:${header_rows_end(sheet)}"


def test_detail_sheets_have_a_filter_on_their_header_row(client, login_as, targets):
    """代表明细, 月进站 and 季回家 carry an autofilter over the header row and every data row; the
    summary sheets do not."""
    login_as("committee")
    workbook = read_workbook(_export(client).data)
    for name in DETAIL_SHEETS:
        sheet = workbook[name]
        rows = [row for row in sheet_rows(sheet) if len([v for v in row if v is not None]) > 1]
        last_column = get_column_letter(sheet.max_column)
        assert sheet.auto_filter.ref == f"A4:{last_column}{4 + len(rows)}", name
    for name in SUMMARY_SHEETS:
        assert not workbook[name].auto_filter.ref, name


def test_notes_sheet_shows_the_whole_unit(client, login_as, targets):
    """说明 is narrow: 制表单位 and 制表日期 share one cell merged across the sheet, wide enough for
    "制表单位：区人大常委会代表工作室" to be read whole (a CJK character takes two widths)."""
    login_as("committee")
    sheet = read_workbook(_export(client).data)["说明"]
    assert "A2:B2" in _merged(sheet)
    assert sheet["A2"].value.startswith("制表单位：区人大常委会代表工作室") and "制表日期：" in sheet["A2"].value
    unit = "制表单位：区人大常委会代表工作室"
    assert sheet.column_dimensions["A"].width + sheet.column_dimensions["B"].width >= 2 * len(unit)
    assert sheet["B7"].alignment.wrap_text  # the long explanations wrap


def test_chart_has_value_labels_a_target_line_and_visible_axes(client, login_as, targets):
    """The chart labels each bar with its rate, draws the 目标 column (100%) as a line, and says its
    axes are shown (Excel may hide axes left unspecified)."""
    login_as("committee")
    chart = read_workbook(_export(client).data)["两个100%目标"]._charts[0]
    assert chart.dataLabels.showVal and not chart.dataLabels.showSerName and not chart.dataLabels.showCatName
    assert chart.x_axis.delete is False and chart.y_axis.delete is False
    lines = [part for part in chart._charts if part.tagname == "lineChart"]
    assert len(lines) == 1 and lines[0].series[0].val.numRef.f == "'两个100%目标'!$G$5:$G$6"


def test_annual_sheet_matches_annual_reporting(client, login_as, targets, app):
    """年述职 (rule R11): each township's and the district's 应述, 已述, 未述, 免 and rate per target term
    are exactly ``annual_reporting``'s; the targets sheet repeats the district's."""
    login_as("committee")
    workbook = read_workbook(_export(client).data)
    as_of = date.fromisoformat(AS_OF)
    with app.app_context():
        district = {key: rates.annual_reporting(2024, as_of, targets[key])[0] for key in ("M", "D")}
        towns = {key: rates.annual_reporting(2024, as_of, targets[key], group_by="township") for key in ("M", "D")}
    sheet = workbook["年述职"]
    groups = [c.value for c in sheet[3]]
    rows = _by_first(sheet_rows(sheet))
    for key, name in (("M", "市第十五届"), ("D", "区第八届")):
        col = groups.index(name) - 1
        for row in towns[key]:
            assert rows[row.township_name][col:col + 5] == (row.due, row.done, row.missing, row.exempted, row.rate)
        found = district[key]
        assert rows["合计"][col:col + 5] == (found.due, found.done, found.missing, found.exempted, found.rate)
    # 冯五's 2024 report is exempted, 韩七 began after 30 June: 区 due 安一, 白二, 邓四; 安一 and 白二 reported.
    d = district["D"]
    assert (d.due, d.done, d.exempted) == (3, 2, 1)
    targets_rows = _by_first(sheet_rows(workbook["两个100%目标"]))
    assert targets_rows["区第八届"][7:11] == (d.due, d.done, d.exempted, d.rate)


def test_as_of_mid_month_the_running_month_is_apart(client, login_as, targets):
    """Rule R8, as of 2024-01-15: January is running. The 月进站 sheet heads it "1月（进行中）"; 安一,
    who came on the 15th, is √ but the ended-months rate has nothing yet (应 0, 已 0, no rate). The
    township summary shows January's running rate under 截至目前 (东城镇 区: 安一 and 白二 of 安一,
    白二, 冯五 → 2/3), outside the ended-months totals."""
    login_as("committee")
    workbook = read_workbook(_export(client, "as_of=2024-01-15").data)
    detail = workbook["月进站"]
    assert [c.value for c in detail[4]][4] == "1月\n（进行中）"
    an_yi = next(row for row in sheet_rows(detail) if row[0] == "区第八届" and row[1] == "安一")
    assert an_yi[3:] == ("√", 0, 0, None)
    summary = workbook["月进站（分乡镇）"]
    assert summary["D3"].value == "截至目前（%）" and summary["D4"].value == "1月（进行中）"
    dongcheng = next(row for row in sheet_rows(summary) if row[:2] == ("区第八届", "东城镇"))
    assert abs(dongcheng[2] - 2 / 3) < 1e-9 and dongcheng[3:] == (0, 0, None)
    assert "×" not in [v for row in sheet_rows(detail) for v in row]


def test_ended_periods_rate_leaves_out_the_running_period(app, targets):
    """As of 2024-12-15 (December running): 安一's 区 row counts January, March ... none of December;
    the ended months give the 完成率, December's cell shows only 进行中 or √."""
    from liaison.dashboard.workbook import build_workbook

    with app.app_context():
        workbook = read_workbook(build_workbook(date(2024, 12, 15), "测试"))
    row = next(row for row in sheet_rows(workbook["月进站"]) if row[:2] == ("区第八届", "安一"))
    months, (due, met, rate) = row[3:15], row[15:18]
    assert months[-1] == "进行中"  # 安一's December check-in is on the 31st, after the date
    assert due == 11 and met == months[:-1].count("√") == 1 and abs(rate - 1 / 11) < 1e-9


def test_bulletin_workbook_shows_only_ended_periods(app, targets):
    """Rule R8/R15: the October bulletin's workbook (ended_only) has months January–October and the
    quarters 1–3: the fourth quarter, running on 31 October, is not shown at all."""
    from liaison.dashboard.bulletin_document import month_files
    from liaison.dashboard import bulletins

    with app.app_context():
        name = bulletins.file_name(2024, 10, "xlsx")
        workbook = read_workbook(month_files(Month(2024, 10), [name], "测试")[name])
    quarter_headers = [c.value for c in workbook["季回家"][4]]
    assert "第3季度" in quarter_headers and not any("第4季度" in str(v) for v in quarter_headers)
    summary = [c.value for c in workbook["季回家（分乡镇）"][4]]
    assert not any("第4季度" in str(v) or "进行中" in str(v) for v in summary)
    assert "截至目前（%）" not in [c.value for c in workbook["季回家（分乡镇）"][3]]
    month_headers = [c.value for c in workbook["月进站"][4]]
    assert "10月" in month_headers and "11月" not in month_headers
    assert "进行中" not in [v for row in sheet_rows(workbook["季回家"]) for v in row]


def test_summaries_match_the_dashboard_matrix(client, login_as, targets, app):
    """月进站（分乡镇）: each ended month's rate per township is ``monthly_visits``'s, and the 合计 row's
    is the district's; the ended totals are the sums of 应 and 已 over the months."""
    login_as("committee")
    workbook = read_workbook(_export(client).data)
    as_of = date.fromisoformat(AS_OF)
    with app.app_context():
        towns = rates.monthly_visits(2024, targets["D"], as_of, group_by="township")
        district = rates.monthly_visits(2024, targets["D"], as_of, group_by=None)
    rows = {row[1]: row for row in sheet_rows(workbook["月进站（分乡镇）"]) if row[0] == "区第八届"}
    for row in towns:
        assert rows[row.township_name][2 + row.period_key % 100 - 1] == row.rate
    assert [rows["合计"][2 + i] for i in range(12)] == [row.rate for row in district]
    assert rows["合计"][14:16] == (sum(r.due for r in district), sum(r.met for r in district))
    quarters = {row[1]: row for row in sheet_rows(workbook["季回家（分乡镇）"]) if row[0] == "区第八届"}
    assert set(quarters) == {"东城镇", "西湖街道", "合计"}


def test_townships_follow_the_administrative_order(client, login_as, targets, db):
    """Put 西湖街道 first in the administrative order: every township table lists it first."""
    db.session.get(Township, targets["B"]).position = 0
    db.session.get(Township, targets["A"]).position = 5
    db.session.commit()
    login_as("committee")
    workbook = read_workbook(_export(client).data)
    for name in ("分乡镇", "年述职"):
        assert [row[0] for row in sheet_rows(workbook[name])][:2] == ["西湖街道", "东城镇"], name
    summary = [row[1] for row in sheet_rows(workbook["月进站（分乡镇）"]) if row[0] == "区第八届"]
    assert summary[:2] == ["西湖街道", "东城镇"]


def test_township_workbook_names_its_township_everywhere(client, login_as, targets, db):
    """东城镇's staff get a workbook whose titles say 东城镇, signed by its liaison office (the
    township's setting), named after it; nothing says 全区 or the committee's office."""
    township = db.session.get(Township, targets["A"])
    township.office_name = "东城镇人大代表联络办公室"
    db.session.commit()
    login_as("township_staff", townships=[township])
    response = _export(client)
    assert "述职率统计表-东城镇-2024-12-31.xlsx" in unquote(response.headers["Content-Disposition"])
    workbook = read_workbook(response.data)
    for sheet in workbook:
        assert sheet["A1"].value.startswith("东城镇"), sheet.title
        assert sheet["A2"].value.startswith("制表单位：东城镇人大代表联络办公室"), sheet.title
        for row in sheet.iter_rows(values_only=True):
            assert not any("全区" in str(v) or "区人大常委会代表工作室" in str(v) for v in row), sheet.title
    assert workbook["分乡镇"]["A1"].value.startswith("东城镇届内述职情况")  # not "东城镇各乡镇（街道）…"
    targets_sheet = _by_first(sheet_rows(workbook["两个100%目标"]))
    assert targets_sheet["区第八届"][1:3] == (4, 2)  # 东城镇's 区 deputies only, not the district's (5, 2)


def test_township_office_has_a_default(client, login_as, targets, db):
    """Without a setting, a 街道's workbook is signed by its 人大工委."""
    township = db.session.get(Township, targets["B"])
    township.kind = TownshipKind.subdistrict
    db.session.commit()
    login_as("township_staff", townships=[township])
    workbook = read_workbook(_export(client).data)
    assert workbook["分乡镇"]["A2"].value.startswith("制表单位：西湖街道人大工委")


def test_export_follows_year_and_as_of(client, login_as, targets):
    """year=2024 with as_of=2025-02-10: the month sheets show all twelve months of 2024, ended, and the
    年述职 is 2024's; the file name says both."""
    login_as("committee")
    response = _export(client, "as_of=2025-02-10&year=2024")
    assert "述职率统计表-全区-2025-02-10-2024年度.xlsx" in unquote(response.headers["Content-Disposition"])
    workbook = read_workbook(response.data)
    assert workbook["月进站"]["A1"].value.startswith("全区2024年代表月进站明细（截至2025-02-10）")
    headers = [c.value for c in workbook["月进站"][4]]
    assert headers[4:16] == [f"{month}月" for month in range(1, 13)]
    assert workbook["年述职"]["A1"].value == "全区2024年代表年述职情况"
    default = read_workbook(_export(client, "as_of=2025-02-10").data)
    assert [c.value for c in default["月进站"][4]][4:6] == ["1月", "2月\n（进行中）"]


@pytest.mark.parametrize("query, words", [
    ("as_of=2024-13-01", "统计日期“2024-13-01”无效"),
    ("as_of=yesterday", "统计日期“yesterday”无效"),
    ("as_of=2999-01-01", "晚于今天"),
    ("as_of=1999-12-31", "不能早于 2000 年"),
    ("as_of=2024-06-30&year=2025", "年度“2025”无效"),
    ("as_of=2024-06-30&year=1999", "年度“1999”无效"),
    ("as_of=2024-06-30&year=abc", "年度“abc”无效"),
])
def test_export_refuses_bad_dates_with_a_reason(client, login_as, targets, query, words):
    """A malformed or impossible as_of or year answers 400 with a Chinese reason, not a 500 or a
    workbook of something else."""
    login_as("committee")
    response = client.get(f"/dashboard/export.xlsx?{query}")
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)


def test_townships_with_the_same_order_number_keep_their_import_order(client, login_as, targets, db):
    """Two townships given the same 排序号 are listed in the order they were added (rule R16), and
    the per-deputy sheets keep each township's deputies together instead of interleaving them."""
    first, second = sorted((targets["A"], targets["B"]))
    for township_id in (first, second):
        db.session.get(Township, township_id).position = 3
    db.session.commit()
    names = {township_id: db.session.get(Township, township_id).name for township_id in (first, second)}
    login_as("committee")
    workbook = read_workbook(_export(client).data)
    assert [row[0] for row in sheet_rows(workbook["分乡镇"])][:2] == [names[first], names[second]]
    for sheet in ("代表明细", "月进站"):
        # (term, township) of each row: the sheets list a term's deputies township by township.
        places = [(next((v for v in row[:4] if isinstance(v, str) and v.endswith("届")), None),
                   next(v for v in row[:4] if v in names.values()))
                  for row in sheet_rows(workbook[sheet]) if any(v in names.values() for v in row[:4])]
        runs = [place for index, place in enumerate(places) if index == 0 or places[index - 1] != place]
        assert len(runs) == len(set(runs)), (sheet, runs)
