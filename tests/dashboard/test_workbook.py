"""The official workbook: its layout read back with openpyxl, its numbers, the download and the CLI."""
import io
import re
import zipfile
from datetime import date
from urllib.parse import unquote

import sqlalchemy as sa

from liaison.audit.models import AuditEvent
from liaison.rates import queries as rates
from liaison.townships.models import Township
from tests import factories
from tests.dashboard.conftest import AS_OF, read_workbook, sheet_rows

SHEETS = ["两个100%目标", "分乡镇", "年述职", "月进站（分乡镇）", "季回家（分乡镇）", "代表明细", "月进站", "季回家", "说明"]


def _download(client, as_of=AS_OF):
    response = client.get(f"/dashboard/export.xlsx?as_of={as_of}")
    assert response.status_code == 200, response.status_code
    return response


def test_download_has_a_chinese_name_and_is_audited(client, login_as, targets, db):
    """The district's download is named 述职率统计表-全区-<date>.xlsx and leaves an export event in the
    audit log."""
    login_as("committee")
    response = _download(client)
    assert "述职率统计表-全区-2024-12-31.xlsx" in unquote(response.headers["Content-Disposition"])
    assert response.data[:2] == b"PK"
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert len(events) == 1 and "2024-12-31" in events[0].detail


def test_workbook_has_the_official_layout(client, login_as, targets):
    """Every sheet has a merged title and a unit/date row, repeated header rows, landscape, fit to
    width and frozen panes; rates carry 0.0%; the target sheet's chart draws the table's rate cells.
    (The 统计表 details, borders, footer, filters, are in test_workbook_layout.py.)"""
    login_as("committee")
    workbook = read_workbook(_download(client).data)
    assert workbook.sheetnames == SHEETS
    for sheet in workbook:
        merged = {str(r) for r in sheet.merged_cells.ranges}
        assert any(r.startswith("A1:") for r in merged), sheet.title
        assert sheet["A2"].value.startswith("制表单位：区人大常委会代表工作室")
        assert any("制表日期：" in str(c.value or "") for c in sheet[2])
        assert sheet.print_title_rows in ("$1:$3", "$1:$4"), sheet.title
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.freeze_panes is not None and sheet.freeze_panes[0] in "BCDE"
        assert sheet.column_dimensions["A"].width >= 6
    target = workbook["两个100%目标"]
    assert [c.value for c in target[3]][:3] == ["序号", "届次", "届内述职"]
    assert [c.value for c in target[4]][2:8] == ["应述（人）", "已述（人）", "未述（人）", "述职率（%）", "目标（%）",
                                                "差距（%）"]
    rate_cells = [row[5] for row in target.iter_rows(min_row=5, max_row=6)]
    assert all(cell.number_format == "0.0%" for cell in rate_cells)
    charts = target._charts
    assert len(charts) == 1
    assert charts[0].series[0].val.numRef.f == "'两个100%目标'!$F$5:$F$6"


def test_chart_xml_points_at_the_target_table(client, login_as, targets):
    """The chart part of the file references the rate column of the target table, its names, and the
    目标 column drawn as the 100% line."""
    login_as("committee")
    with zipfile.ZipFile(io.BytesIO(_download(client).data)) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode()
    refs = re.findall(r"<(?:c:)?f>([^<]*)</(?:c:)?f>", chart)
    assert "'两个100%目标'!$F$5:$F$6" in refs and "'两个100%目标'!$B$5:$B$6" in refs
    assert "'两个100%目标'!$G$5:$G$6" in refs


def test_workbook_numbers_match_the_rates_queries(client, login_as, targets, app):
    """The target, township and deputy sheets give exactly the numbers of liaison.rates.queries."""
    login_as("committee")
    workbook = read_workbook(_download(client).data)
    as_of = date.fromisoformat(AS_OF)
    with app.app_context():
        district = {key: rates.in_term_reporting(targets[key], as_of)[0] for key in ("M", "D")}
        towns = rates.in_term_reporting(targets["D"], as_of, group_by="township")
        per_deputy = rates.in_term_reporting(targets["D"], as_of, group_by="deputy")
        visits = rates.monthly_visits(2024, targets["D"], as_of, group_by="deputy")
    found = {row[0]: row for row in sheet_rows(workbook["两个100%目标"])}
    for key, name in (("M", "市第十五届"), ("D", "区第八届")):
        row = district[key]
        assert found[name][1:5] == (row.due, row.done, row.missing, row.rate)
        assert found[name][5] == 1 and abs(found[name][6] - (1 - row.rate)) < 1e-9
    township_sheet = workbook["分乡镇"]
    groups = [c.value for c in township_sheet[3]]
    col = groups.index("区第八届") - 1  # the term's 应述 column, counted without 序号
    by_name = {row[0]: row for row in sheet_rows(township_sheet)}
    for row in towns:
        assert by_name[row.township_name][col:col + 4] == (row.due, row.done, row.missing, row.rate)
    details = [row for row in sheet_rows(workbook["代表明细"]) if row[0] == "区第八届"]
    assert [row[1] for row in details] == [row.deputy_name for row in per_deputy]
    status = {row[1]: row[-1] for row in details}
    assert status == {"安一": "已述", "白二": "已述", "冯五": "未述", "韩七": "未述", "陈三": "资格终止",
                      "邓四": "未述"}
    month_rows = {row[1]: row for row in sheet_rows(workbook["月进站"]) if row[0] == "区第八届"}
    for name in ("安一", "冯五", "邓四"):
        due = sum(1 for v in visits if v.deputy_name == name and v.status == "due")
        met = sum(1 for v in visits if v.deputy_name == name and v.status == "due" and v.met)
        assert month_rows[name][15:17] == (due, met)


def test_missing_is_highlighted(client, login_as, targets):
    """未述 cells in 代表明细 are filled red."""
    login_as("committee")
    sheet = read_workbook(_download(client).data)["代表明细"]
    cells = [row[14] for row in sheet.iter_rows(min_row=5) if row[14].value in ("未述", "已述")]
    assert {c.fill.fgColor.rgb[-6:] for c in cells if c.value == "未述"} == {"FFC7CE"}
    assert all(c.fill.fill_type is None for c in cells if c.value == "已述")


def test_township_staff_get_their_township_only(client, login_as, targets, db):
    """The workbook of 东城镇's staff has no 西湖街道 row in any sheet."""
    login_as("township_staff", townships=[db.session.get(Township, targets["A"])])
    workbook = read_workbook(_download(client).data)
    for sheet in workbook:
        for row in sheet.iter_rows(min_row=4, values_only=True):
            assert "西湖街道" not in row, sheet.title
    assert any(row[1] == "冯五" for row in sheet_rows(workbook["代表明细"]))


def test_formula_like_names_stay_text(client, login_as, targets, db):
    """Names like =HYPERLINK(...), +1 and @SUM(A1) come out as text: the sheet XML has no formula."""
    from liaison.deputies.models import Mandate
    from liaison.terms.models import Term

    term = db.session.get(Term, targets["D"])
    township = db.session.get(Township, targets["A"])
    names = ['=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "-2+3"]
    for name in names:
        factories.make_mandate(deputy=factories.make_deputy(name=name), term=term, township=township)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Mandate.id))) >= 12
    login_as("committee")
    data = _download(client).data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for part in archive.namelist():
            if part.startswith("xl/worksheets/sheet"):
                assert "<f>" not in archive.read(part).decode(), part
    details = read_workbook(data)["代表明细"]
    values = {row[1] for row in sheet_rows(details)}
    assert set(names) <= values


def test_cli_export_gives_the_same_numbers(app, targets, tmp_path):
    """`liaison export rates --as-of ... --out FILE` writes the same workbook figures."""
    out = tmp_path / "rates.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "rates", "--as-of", AS_OF, "--out", str(out)])
    assert result.exit_code == 0, result.output
    workbook = read_workbook(out.read_bytes())
    found = {row[0]: row for row in sheet_rows(workbook["两个100%目标"])}
    assert found["区第八届"][1:5] == (5, 2, 3, 0.4)
    assert found["市第十五届"][1:5] == (1, 1, 0, 1)
    notes = {row[0]: row[1] for row in sheet_rows(workbook["说明"])}
    assert notes["统计截止日期"] == AS_OF and "3 条" in notes["免除记录"]


def test_cli_rejects_a_bad_date(app, tmp_path):
    """A malformed --as-of is refused with a message."""
    result = app.test_cli_runner().invoke(
        args=["export", "rates", "--as-of", "2024-13-01", "--out", str(tmp_path / "x.xlsx")])
    assert result.exit_code != 0 and "as-of" in result.output.lower()
