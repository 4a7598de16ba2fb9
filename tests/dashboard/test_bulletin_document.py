"""The monthly 通报 (Word): its heading, the two targets and their change on last month, the township
ranking, the improved and below-threshold lists, 未述 counts (names only when chosen), and only
periods that had ended by the month's end (rule R8). Read back with python-docx.

The district below: 2026, four townships (pinyin order 北塘镇, 东城镇, 南山乡, 西湖街道), a 区 and a
市 target term. 区第八届 reports done by 31 October / by 30 November:

==========  ====  ==========  ==========
township    应述   October     November
==========  ====  ==========  ==========
东城镇        5    4 (80.0%)   5 (100.0%)
西湖街道      4    3 (75.0%)   3 (75.0%)
南山乡        5    2 (40.0%)   3 (60.0%)
北塘镇        4    3 (75.0%)   3 (75.0%)
district     18   12 (66.7%)  14 (77.8%)
==========  ====  ==========  ==========

市第十五届: 东城镇 2 (1 → 2), 北塘镇 2 with one exempted (1 → 1 of 1), 西湖街道 1 (0 → 0), 南山乡 1
exempted (nobody due: not ranked); district 2/4 = 50.0% → 3/4 = 75.0%.
"""
import html
import io
import os
import re
import shutil
import subprocess
from datetime import date, datetime
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from docx import Document
from freezegun import freeze_time

from liaison.audit.models import AuditEvent
from liaison.clock import Month
from liaison.dashboard.bulletin_document import month_files
from liaison.deputies.models import ExemptionScope
from liaison.names import stroke_sort_key
from liaison.network.models import StationKind
from liaison.reports.operations import set_target_terms
from liaison.terms.models import Level
from tests import factories
from tests.dashboard.conftest import read_workbook
from tests.rates.conftest import add_checkin, add_exemption, add_report

NOVEMBER = Month(2026, 11)
#: Deputies' names: none of them may appear in a bulletin unless names are chosen.
NAMES = ("甲一 甲二 甲三 甲四 甲五 乙一 乙二 乙三 乙四 丙一 丙二 丙三 丙四 丙五 丁一 丁二 丁三 丁四 "
             "戊一 戊二 己一 己二 庚一 辛一".split())


@pytest.fixture()
def district(db):
    """The district of the module docstring; returns the names the tests look for."""
    d = factories.make_term(level=Level.district, ordinal=8, name="区第八届", start_date=date(2021, 12, 1),
                            end_date=date(2026, 12, 31))
    m = factories.make_term(level=Level.municipal, ordinal=15, name="市第十五届", start_date=date(2022, 1, 1),
                            end_date=date(2027, 1, 10))
    towns = {name: factories.make_township(name=name) for name in ("东城镇", "西湖街道", "南山乡", "北塘镇")}
    places = {name: (factories.make_station(township=town),
                     factories.make_station(township=town, kind=StationKind.home))
              for name, town in towns.items()}
    missing = {}
    names = iter(NAMES)

    def seat(term, town, report_on=None, exempt=False, visits=()):
        deputy = factories.make_deputy(name=next(names))
        station, home = places[town]
        mandate = factories.make_mandate(deputy=deputy, term=term, township=towns[town], station=station,
                                         home=home)
        if report_on is not None:
            add_report(mandate, report_on)
        if exempt:
            add_exemption(mandate, ExemptionScope.term_report, 0, date(2026, 5, 1))
        elif report_on is None or report_on > NOVEMBER.last:
            missing.setdefault((term.name, town), []).append(deputy.name)
        for when in visits:
            add_checkin(deputy, home if when[0] == "home" else station, datetime(*when[1:]))
        return deputy

    early, this_year, in_november = date(2025, 6, 10), date(2026, 3, 15), date(2026, 11, 10)
    # 区第八届.
    for report in (early, early, this_year, this_year, in_november):
        seat(d, "东城镇", report, visits=[("station", 2026, 11, 3, 9), ("home", 2026, 10, 8, 9),
                                          ("home", 2026, 8, 8, 9)])
    for report in (early, this_year, this_year, None):
        seat(d, "西湖街道", report, visits=[("station", 2026, 10, 3, 9)])
    for report in (early, this_year, in_november, None, None):
        seat(d, "南山乡", report, visits=[("station", 2026, 11, 20, 9), ("home", 2026, 9, 1, 9)])
    for report in (early, early, this_year, None):
        seat(d, "北塘镇", report)
    # 市第十五届.
    seat(m, "东城镇", early)
    seat(m, "东城镇", in_november)
    seat(m, "北塘镇", this_year)
    seat(m, "北塘镇", exempt=True)
    seat(m, "西湖街道")
    seat(m, "南山乡", exempt=True)
    set_target_terms([m.id, d.id])
    db.session.commit()
    return {"missing": missing, "D": d.id, "M": m.id}


def read_docx(data):
    """The document's paragraphs (body text, in order) and tables (rows of cell texts)."""
    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs if p.text.strip()]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return paragraphs, tables, document


def bulletin(month=NOVEMBER, **options):
    """The .docx bytes of a month's bulletin, made as the monthly job makes it."""
    name = f"bulletin-{month.year:04d}-{month.month:02d}.docx"
    return month_files(month, [name], "测试", **options)[name]


def all_text(paragraphs, tables):
    return "\n".join(paragraphs + ["|".join(cells) for table in tables for cells in table])


@freeze_time("2026-12-05 10:00:00")
def test_heading_issuer_and_date(app, district):
    """A 通报's head and foot: the title naming the month, the addressee, the issuing office and the
    date it was made, and the workbook it comes with named as the reader will have it."""
    paragraphs, _tables, _document = read_docx(bulletin())
    assert paragraphs[0] == "关于2026年11月代表履职情况的通报"
    assert paragraphs[1] == "各乡镇人大、街道人大工委："
    assert paragraphs[-2:] == ["区人大常委会代表工作室", "2026年12月5日"]
    assert any(p.startswith("附件：") and "述职率通报-2026年11月.xlsx" in p for p in paragraphs)


@freeze_time("2026-12-05 10:00:00")
def test_targets_and_their_change_in_points(app, district):
    """Each target as of 30 November, with its change on 31 October in percentage points and its
    distance to 100%."""
    paragraphs, _tables, _document = read_docx(bulletin())
    assert "区第八届代表应述18人，已述14人，未述4人，届内述职率77.8%，比上月末（66.7%）提高11.1个百分点，" \
           "距100%目标还差22.2个百分点。" in paragraphs
    assert "市第十五届代表应述4人，已述3人，未述1人，届内述职率75.0%，比上月末（50.0%）提高25.0个百分点，" \
           "距100%目标还差25.0个百分点。" in paragraphs


@freeze_time("2026-12-05 10:00:00")
def test_townships_ranked_by_rate_with_their_missing_counts(app, district):
    """One table per target: highest rate first, equal rates share a place (in the district's
    administrative order, here the order the townships were added),
    未述 per township, the change on last month; a township with nobody due is not ranked."""
    _paragraphs, tables, _document = read_docx(bulletin())
    municipal, district_table = tables  # the targets in their order: 市 first
    assert district_table[0] == ["名次", "乡镇（街道）", "应述", "已述", "未述", "述职率", "上月末", "比上月"]
    assert district_table[1:] == [
        ["1", "东城镇", "5", "5", "0", "100.0%", "80.0%", "+20.0"],
        ["2", "西湖街道", "4", "3", "1", "75.0%", "75.0%", "0.0"],
        ["2", "北塘镇", "4", "3", "1", "75.0%", "75.0%", "0.0"],
        ["4", "南山乡", "5", "3", "2", "60.0%", "40.0%", "+20.0"],
    ]
    assert [row[:2] + row[4:6] for row in municipal[1:]] == [
        ["1", "东城镇", "0", "100.0%"], ["1", "北塘镇", "0", "100.0%"], ["3", "西湖街道", "1", "0.0%"]]


@freeze_time("2026-12-05 10:00:00")
def test_improved_and_below_threshold_lists(app, district):
    """Townships whose rate rose, with the points; those below the threshold (default 80%), lowest
    first; another threshold when chosen."""
    paragraphs, _tables, _document = read_docx(bulletin())
    improved = paragraphs.index("（一）述职率比上月提高的乡镇（街道）")
    assert paragraphs[improved + 1:improved + 3] == [
        "市第十五届：东城镇（提高50.0个百分点），共1个。",
        "区第八届：东城镇（提高20.0个百分点）、南山乡（提高20.0个百分点），共2个。"]
    below = paragraphs.index("（二）述职率低于80%的乡镇（街道）")
    assert paragraphs[below + 1:below + 3] == [
        "市第十五届：西湖街道（0.0%，未述1人），共1个。",
        "区第八届：南山乡（60.0%，未述2人）、西湖街道（75.0%，未述1人）、北塘镇（75.0%，未述1人），共3个。"]

    paragraphs, _tables, _document = read_docx(bulletin(threshold_percent=70))
    below = paragraphs.index("（二）述职率低于70%的乡镇（街道）")
    assert paragraphs[below + 2] == "区第八届：南山乡（60.0%，未述2人），共1个。"


@freeze_time("2026-12-05 10:00:00")
def test_missing_deputies_named_only_when_chosen(app, district):
    """By default the bulletin gives 未述 counts and no deputy's name; with names chosen it lists them
    per term and township."""
    paragraphs, tables, _document = read_docx(bulletin())
    text = all_text(paragraphs, tables)
    every_name = [name for names in district["missing"].values() for name in names]
    assert every_name and not [name for name in every_name if name in text]
    assert "未述代表名单" not in text

    paragraphs, tables, _document = read_docx(bulletin(with_names=True))
    assert "五、未述代表名单" in paragraphs
    for (term_name, town), names in district["missing"].items():
        # In 姓氏笔画 order (rule R16).
        names = sorted(names, key=stroke_sort_key)
        assert f"{town}（{len(names)}人）：{'、'.join(names)}。" in paragraphs, (term_name, town)
    assert "南山乡（2人）：丙五、丙四。" in paragraphs  # 五 has 4 strokes, 四 5
    # Those who reported are not named anywhere.
    assert "甲一" not in "\n".join(paragraphs)


@freeze_time("2026-12-05 10:00:00")
def test_month_visits_and_no_period_ended_after_the_month(app, district):
    """October's bulletin, made in December, shows October's 月进站 and nothing of the fourth quarter
    (it ended after 31 October, though its check-ins are in by now); nor an annual rate. September's
    shows the third quarter, which ended with it."""
    paragraphs, tables, _document = read_docx(bulletin(Month(2026, 10)))
    text = all_text(paragraphs, tables)
    assert "2026年10月，" in text and "月进站率" in text
    assert "第4季度" not in text and "季回家率" not in text and "应回家" not in text
    assert "季回家情况按季度统计，待本季度结束后通报。" in text
    assert "年度述职率" not in text.replace("年度述职率待12月通报时公布", "")
    assert "11月" not in text
    # Those who checked in at a station in October: 西湖街道's four.
    assert "区第八届代表应进站18人，已进站4人，月进站率22.2%" in text

    paragraphs, tables, _document = read_docx(bulletin(Month(2026, 9)))
    text = all_text(paragraphs, tables)
    assert "2026年第3季度，" in text
    # 东城镇's five (August) and 南山乡's five (1 September).
    assert "区第八届代表应回家18人，已回家10人，季回家率55.6%" in text
    assert "第4季度" not in text


@freeze_time("2027-01-03 10:00:00")
def test_december_shows_the_quarter_and_the_annual_rate(app, district):
    """December's bulletin closes the fourth quarter and the year: both appear with their rates."""
    paragraphs, _tables, _document = read_docx(bulletin(Month(2026, 12)))
    text = "\n".join(paragraphs)
    assert "2026年第4季度，" in text and "季回家率" in text
    # 2026 reports of 区第八届: 东城镇 3, 西湖街道 2, 南山乡 2, 北塘镇 1.
    assert "区第八届代表应述18人，已述8人，年度述职率44.4%" in text


@freeze_time("2026-12-05 10:00:00")
def test_annual_reporting_so_far_has_no_rate_before_december(app, district):
    """Before December the year's 年述职 is a count so far, said to be unfinished."""
    paragraphs, _tables, _document = read_docx(bulletin())
    text = "\n".join(paragraphs)
    assert "2026年以来（截至2026年11月30日），市第十五届代表已述2人（应述6人）；区第八届代表已述8人（应述18人）。" \
        in text
    assert "全年尚未结束，年度述职率待12月通报时公布。" in text


# --- made by the committee, read by township staff ------------------------------------------------

@freeze_time("2026-12-05 10:00:00")
def test_committee_makes_a_past_month_with_names(client, login_as, district, bulletin_folder, db):
    """The committee's form writes both files for a past month, names included when chosen, through
    one audited transaction."""
    login_as("committee")
    page = client.get("/dashboard/bulletins").get_data(as_text=True)
    assert 'id="make-bulletin"' in page
    response = client.post("/dashboard/bulletins/new", data={"month": "2026-10", "threshold": "80",
                                                             "with_names": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert sorted(os.listdir(bulletin_folder)) == ["bulletin-2026-10.docx", "bulletin-2026-10.xlsx"]
    paragraphs, _tables, _document = read_docx((bulletin_folder / "bulletin-2026-10.docx").read_bytes())
    assert paragraphs[0] == "关于2026年10月代表履职情况的通报"
    assert "五、未述代表名单" in paragraphs
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "bulletin.made"))
    assert event is not None and "names=yes" in event.detail
    listed = client.get("/dashboard/bulletins").get_data(as_text=True)
    assert "2026年10月代表履职情况通报" in listed and "bulletin-2026-10.docx" in listed


@pytest.mark.parametrize("data, message", [
    ({"month": "2026-12", "threshold": "80"}, "2026年12月尚未结束，只能为已经结束的月份生成通报。"),
    ({"month": "2026-13", "threshold": "80"}, "月份格式应为“2026-11”（年-月）。"),
    ({"month": "", "threshold": "80"}, "请选择要通报的月份。"),
    ({"month": "2026-10", "threshold": "0"}, "单列标准应在 1 到 100 之间。"),
    ({"month": "2026-10", "threshold": "八十"}, "应为整数。"),
])
@freeze_time("2026-12-05 10:00:00")
def test_form_refuses_in_chinese_and_writes_nothing(client, login_as, district, bulletin_folder, data,
                                                     message):
    """A month not ended, a malformed month or threshold: the form says why, and no file is written."""
    login_as("committee")
    response = client.post("/dashboard/bulletins/new", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert not bulletin_folder.exists() or os.listdir(bulletin_folder) == []


@freeze_time("2026-12-05 10:00:00")
def test_existing_month_is_replaced_only_when_asked(client, login_as, district, bulletin_folder):
    """A month already archived (it may have been circulated) is kept unless replacing is ticked."""
    from liaison.dashboard.jobs import write_bulletin

    write_bulletin(date(2026, 10, 31))
    before = (bulletin_folder / "bulletin-2026-10.docx").read_bytes()
    login_as("committee")
    response = client.post("/dashboard/bulletins/new", data={"month": "2026-10", "threshold": "80",
                                                             "with_names": "y"})
    assert "2026年10月的通报已存在" in response.get_data(as_text=True)
    assert (bulletin_folder / "bulletin-2026-10.docx").read_bytes() == before
    response = client.post("/dashboard/bulletins/new", data={"month": "2026-10", "threshold": "80",
                                                             "with_names": "y", "replace": "y"})
    assert response.status_code == 302
    paragraphs, _tables, _document = read_docx((bulletin_folder / "bulletin-2026-10.docx").read_bytes())
    assert "五、未述代表名单" in paragraphs
    assert sorted(os.listdir(bulletin_folder)) == ["bulletin-2026-10.docx", "bulletin-2026-10.xlsx"]


@freeze_time("2026-12-05 10:00:00")
def test_township_staff_read_the_district_bulletin(client, login_as, district, bulletin_folder, db):
    """Township staff see the archive on their dashboard and download the 通报 (audited), but not the
    district's workbook (every deputy of the district by name: theirs is their own export), and may
    not make a bulletin."""
    from liaison.dashboard.jobs import write_bulletin
    from liaison.townships.models import Township

    write_bulletin(date(2026, 11, 30))
    town = db.session.scalar(sa.select(Township).where(Township.name == "东城镇"))
    login_as("township_staff", townships=[town])
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'id="bulletins"' in page and "/dashboard/bulletins/bulletin-2026-11.docx" in page
    assert "/dashboard/bulletins/bulletin-2026-11.xlsx" not in page
    assert client.get("/dashboard/bulletins/bulletin-2026-11.xlsx").status_code == 403
    # In its place, their own township's workbook as of the same month end, ended periods only.
    own = re.search(r'href="(/dashboard/export\.xlsx\?[^"]*)"[^>]*>本乡镇统计表', page)
    assert own, "the bulletin archive offers the township's own workbook"
    response = client.get(html.unescape(own.group(1)))
    assert response.status_code == 200
    workbook = read_workbook(response.data)
    assert workbook["分乡镇"]["A1"].value == "东城镇届内述职情况（截至2026-11-30）"
    quarters = [str(v) for sheet in ("季回家", "季回家（分乡镇）") for row in workbook[sheet].iter_rows(values_only=True)
                for v in row if v]
    assert "第3季度" in quarters and not [v for v in quarters if "第4季度" in v or v == "进行中"]
    cells = [str(v) for sheet in workbook for row in sheet.iter_rows(values_only=True) for v in row if v]
    assert not any("西湖街道" in cell for cell in cells)
    for name, saved_as, start in (("bulletin-2026-11.docx", "2026年11月代表履职情况通报.docx", b"PK"),):
        response = client.get(f"/dashboard/bulletins/{name}")
        assert response.status_code == 200, name
        assert response.data[:2] == start
        assert saved_as in unquote(response.headers["Content-Disposition"])
        response.close()
    # The district's bulletin, not a township's cut: every township is ranked.
    response = client.get("/dashboard/bulletins/bulletin-2026-11.docx")
    _paragraphs, tables, _document = read_docx(response.data)
    response.close()
    assert [row[1] for row in tables[1][1:]] == ["东城镇", "西湖街道", "北塘镇", "南山乡"]
    downloads = db.session.scalars(sa.select(AuditEvent.detail).where(AuditEvent.action == "export")).all()
    assert "bulletin-2026-11.docx" in downloads and "bulletin-2026-11.xlsx" not in downloads
    refused = client.post("/dashboard/bulletins/new", data={"month": "2026-10", "threshold": "80"})
    assert refused.status_code == 403


@pytest.mark.parametrize("role", ["deputy", None])
def test_deputies_and_visitors_are_refused(client, login_as, district, bulletin_folder, role):
    """Deputies get 403; someone not signed in (a constituent) is sent to sign in; neither gets a file."""
    from liaison.dashboard.jobs import write_bulletin

    with freeze_time("2026-12-05 10:00:00"):
        write_bulletin(date(2026, 11, 30))
    if role:
        login_as(role)
    for name in ("bulletin-2026-11.docx", "bulletin-2026-11.xlsx"):
        response = client.get(f"/dashboard/bulletins/{name}")
        assert response.status_code == (403 if role else 302), name
        assert response.data[:2] != b"PK"
    page = client.get("/dashboard/bulletins")
    assert page.status_code == (403 if role else 302)


# --- print: the page an office would see -----------------------------------------------------------

def _writer():
    """soffice, when LibreOffice can open Word documents here (the writer component is installed) and
    poppler can read the PDF back."""
    soffice = shutil.which("soffice")
    if soffice is None or not os.path.exists("/usr/lib/libreoffice/program/libswlo.so") \
            or not shutil.which("pdftotext") or not shutil.which("pdfinfo"):
        return None
    return soffice


@pytest.mark.libreoffice
@freeze_time("2026-12-05 10:00:00")
def test_bulletin_prints_on_a4_portrait(app, district, tmp_path):
    """Rendered by LibreOffice, the 通报 is A4 portrait, every page is numbered "— n —", its text is
    all there, and the signing office does not stand alone on the last page."""
    path = tmp_path / "bulletin.docx"
    path.write_bytes(bulletin(with_names=True))
    pdf = tmp_path / "bulletin.pdf"
    subprocess.run([_writer(), "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    fields = {key.strip(): value.strip() for key, value in
              (line.split(":", 1) for line in info.splitlines() if ":" in line)}
    assert fields["Page size"] == "595.304 x 841.89 pts (A4)"
    pages = int(fields["Pages"])

    def page_text(number):
        text = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"], check=True,
                              capture_output=True, text=True).stdout
        return "".join(text.split())

    texts = [page_text(number) for number in range(1, pages + 1)]
    for number, text in enumerate(texts, start=1):
        assert f"—{number}—" in text, number
    whole = "".join(texts)
    for expected in ("关于2026年11月代表履职情况的通报", "表2", "西湖街道", "五、未述代表名单", "附件：",
                     "区人大常委会代表工作室"):
        assert expected in whole, expected
    last = texts[-1].replace(f"—{pages}—", "")
    assert "区人大常委会代表工作室" in last
    assert len(last.replace("区人大常委会代表工作室", "").replace("2026年12月5日", "")) > 30, last
