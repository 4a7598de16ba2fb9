"""The roster goes round (issue 15, R17): export, edit one cell in the workbook, import it back — and
exactly that cell changes, from an export with full numbers and from a township's masked copy."""
import io
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from liaison.audit.models import AuditEvent
from liaison.deputies.models import Deputy, EndReason, Mandate
from liaison.extensions import db
from liaison.townships.models import ElectoralDistrict
from liaison.imports.roster import HEADERS
from tests import factories
from tests.imports.conftest import counts

COLUMN = {h: i for i, h in enumerate(HEADERS, start=1)}


@pytest.fixture()
def roster(network):
    """Deputies of both townships: a district and a township seat for one person, a by-election, an early
    end, a 市 deputy without 选区, and two people whose masked numbers are the same (139****1234)."""
    n = network
    township_district = db.session.scalar(sa.select(ElectoralDistrict).where(ElectoralDistrict.name == "镇第一选区"))
    zhang = factories.make_deputy(name="张三", mobile="13900001234", ethnicity="回族")
    factories.make_mandate(deputy=zhang, term=n.district_term, township=n.chengguan, electoral_district=n.first,
                           station=n.station, home=n.home)
    factories.make_mandate(deputy=zhang, term=n.township_term, township=n.chengguan,
                           electoral_district=township_district)
    li = factories.make_deputy(name="李四", mobile="13911111234")
    factories.make_mandate(deputy=li, term=n.district_term, township=n.chengguan, electoral_district=n.second,
                           start_date=date(2023, 3, 1), by_election=True)
    wang = factories.make_deputy(name="王五", mobile="13822223333")
    factories.make_mandate(deputy=wang, term=n.district_term, township=n.anping, electoral_district=n.anping_first,
                           home=n.anping_home, end_date=date(2024, 5, 6), end_reason=EndReason.resigned)
    zhao = factories.make_deputy(name="赵六", mobile="13744445555")
    factories.make_mandate(deputy=zhao, term=n.city_term, township=n.chengguan, electoral_district=None)
    db.session.commit()
    return n


def _snapshot():
    """Every stored field of every person and mandate, keyed so one changed cell shows as one difference."""
    people = {d.id: {"name": d.name, "gender": d.gender, "ethnicity": d.ethnicity, "mobile": d.mobile}
              for d in db.session.scalars(sa.select(Deputy))}
    mandates = {m.id: {"deputy": m.deputy_id, "term": m.term_id, "township": m.township_id,
                       "district": m.electoral_district_id, "station": m.station_id, "home": m.home_id,
                       "start": m.start_date, "end": m.end_date, "reason": m.end_reason, "by": m.by_election}
                for m in db.session.scalars(sa.select(Mandate))}
    return people, mandates


def _differences(before, after):
    found = []
    for kind, old, new in (("person", before[0], after[0]), ("mandate", before[1], after[1])):
        assert old.keys() == new.keys()
        for key in old:
            found += [(kind, key, field, old[key][field], new[key][field])
                      for field in old[key] if old[key][field] != new[key][field]]
    return found


def _export(client, url="/deputies/export.xlsx"):
    response = client.get(url)
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.data))


def _row_of(sheet, name, term):
    return next(r for r in range(3, sheet.max_row + 1)
                if sheet.cell(r, COLUMN["姓名"]).value == name and sheet.cell(r, COLUMN["届次"]).value == term)


def _import(client, workbook):
    out = io.BytesIO()
    workbook.save(out)
    html = client.post("/imports/roster", data={"file": (io.BytesIO(out.getvalue()), "名单.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "检查通过" in html, html[html.find("problems"):][:2000]
    assert client.post("/imports/roster/confirm").status_code == 302
    db.session.expire_all()
    return html


def test_a_full_export_edited_in_one_cell_changes_exactly_that_cell(client, roster, login_as):
    login_as("committee")
    before, counted = _snapshot(), counts()
    workbook = _export(client)
    sheet = workbook["代表名单"]
    assert [c.value for c in sheet[2]] == list(HEADERS)
    mobiles = {sheet.cell(r, COLUMN["手机号码"]).value for r in range(3, sheet.max_row + 1)}
    assert mobiles == {"13900001234", "13911111234", "13822223333", "13744445555"}
    revealed = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "mobile.revealed")).all()
    assert len(revealed) == 1 and "full numbers of 4 deputies" in revealed[0].detail
    assert "139" not in revealed[0].detail

    row = _row_of(sheet, "李四", "区第八届")
    sheet.cell(row, COLUMN["联络站"]).value = "城关第一联络站"
    html = _import(client, workbook)
    assert "共 5 行：新增 0 人，更新 1 项，未变 4 项，新增代表资格 0 项。" in html
    li = db.session.scalar(sa.select(Deputy).where(Deputy.name == "李四"))
    assert _differences(before, _snapshot()) == [
        ("mandate", li.mandates[0].id, "station", None, roster.station.id)]
    assert counts()["Deputy"] == counted["Deputy"] and counts()["User"] == counted["User"]


def test_a_townships_masked_copy_sent_back_loses_nothing(client, roster, login_as):
    """Township staff export their township (numbers masked); the committee imports the edited copy."""
    login_as("township_staff", townships=[roster.chengguan])
    workbook = _export(client)
    sheet = workbook["代表名单"]
    mobiles = {sheet.cell(r, COLUMN["手机号码"]).value for r in range(3, sheet.max_row + 1)}
    assert mobiles == {"139****1234", "137****5555"}  # 王五 is in 安平街道
    assert not db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "mobile.revealed")).all()
    before = _snapshot()

    # The one edit: 赵六 is 赵陆 on the certificate. (张三 and 李四 share 139****1234: their names tell.)
    sheet.cell(_row_of(sheet, "赵六", "市第十五届"), COLUMN["姓名"]).value = "赵陆"
    login_as("committee")
    html = _import(client, workbook)
    assert "第 3–6 行的手机号码隐去了中间四位（导出的名单），按系统中已登记的号码处理，号码不变。" in html
    assert "姓名：赵六 → 赵陆" in html
    zhao = db.session.scalar(sa.select(Deputy).where(Deputy.mobile == "13744445555"))
    assert _differences(before, _snapshot()) == [("person", zhao.id, "name", "赵六", "赵陆")]


def test_renaming_someone_whose_masked_number_is_shared_asks_for_the_full_number(client, roster, login_as):
    """139****1234 is 张三's and 李四's: with a new name the row could be either, so it is refused."""
    login_as("committee")
    workbook = _export(client, "/deputies/export.xlsx?masked=1")
    sheet = workbook["代表名单"]
    row = _row_of(sheet, "李四", "区第八届")
    sheet.cell(row, COLUMN["姓名"]).value = "李肆"
    before = _snapshot()
    out = io.BytesIO()
    workbook.save(out)
    html = client.post("/imports/roster", data={"file": (io.BytesIO(out.getvalue()), "名单.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert (f"第 {row} 行「手机号码」：系统中有 2 位代表的号码是“139****1234”，无法确定是哪一位。"
            "请填写完整的 11 位手机号码。") in html
    assert "确认导入" not in html and _differences(before, _snapshot()) == []


def test_the_committees_masked_copy_round_trips_unchanged(client, roster, login_as):
    login_as("committee")
    before = _snapshot()
    workbook = _export(client, "/deputies/export.xlsx?masked=1")
    html = _import(client, workbook)
    assert "文件与系统中的记录一致，导入不会改变任何记录。" in html
    assert _differences(before, _snapshot()) == []


def test_a_masked_number_nobody_has_is_refused_and_a_new_person_needs_the_full_number(client, roster, login_as):
    login_as("committee")
    workbook = _export(client, "/deputies/export.xlsx?masked=1")
    sheet = workbook["代表名单"]
    row = sheet.max_row + 1
    for column in range(1, len(HEADERS) + 1):
        sheet.cell(row, column).value = sheet.cell(row - 1, column).value
    sheet.cell(row, COLUMN["姓名"]).value = "钱七"
    sheet.cell(row, COLUMN["手机号码"]).value = "150****0000"
    before = counts()
    out = io.BytesIO()
    workbook.save(out)
    html = client.post("/imports/roster", data={"file": (io.BytesIO(out.getvalue()), "名单.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert (f"第 {row} 行「手机号码」：“150****0000”隐去了中间四位，系统中没有号码相符的代表。"
            "新增代表或更换号码，请填写完整的 11 位手机号码。") in html
    assert counts() == before


def test_the_export_and_the_template_offer_the_network_as_drop_downs_and_print_one_page_wide(
        client, roster, login_as):
    login_as("committee")
    for url in ("/deputies/export.xlsx", "/imports/roster/template.xlsx"):
        workbook = _export(client, url)
        sheet = workbook["代表名单"]
        names = workbook["名称"]
        assert names.sheet_state == "hidden" and workbook.worksheets[0].title == "代表名单"
        lists = {c.value: [r[i].value for r in names.iter_rows(min_row=2) if r[i].value]
                 for i, c in enumerate(names[1])}
        assert lists["乡镇（街道）"] == ["城关镇", "安平街道"]
        assert lists["联络站"] == ["城关第一联络站"] and lists["代表之家"] == ["城关镇代表之家", "安平街道代表之家"]
        assert "第一选区" in lists["选区"]
        drop_downs = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in sheet.data_validations.dataValidation}
        assert drop_downs["G3"] == "'名称'!$A$2:$A$3"
        assert drop_downs["I3"] == "'名称'!$C$2:$C$2" and drop_downs["J3"] == "'名称'!$D$2:$D$3"
        assert drop_downs["H3"].startswith("'名称'!$B$2:$B$")
        assert sheet.print_title_rows == "$1:$2"
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.orientation == "landscape"


@pytest.mark.libreoffice
def test_the_export_prints_one_page_wide_with_title_and_headers_on_every_page(client, roster, login_as, tmp_path):
    """Rendered by LibreOffice: each printed page carries the title, the header row and the last column."""
    import shutil
    import subprocess

    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if soffice is None or pdftotext is None:
        pytest.skip("LibreOffice (soffice) and poppler-utils (pdftotext) are needed to render the print layout")
    for n in range(80):  # enough rows for several pages
        deputy = factories.make_deputy(name=f"代表甲{n}", mobile=f"1590000{n:04d}")
        factories.make_mandate(deputy=deputy, term=roster.district_term, township=roster.chengguan,
                               electoral_district=roster.first, station=roster.station, home=roster.home)
    db.session.commit()
    login_as("committee")
    response = client.get("/deputies/export.xlsx")
    source = tmp_path / "roster.xlsx"
    source.write_bytes(response.data)
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=180)
    text = subprocess.run([pdftotext, "-layout", str(tmp_path / "roster.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 2
    for page in pages:
        assert "代表名单（" in page and "姓名" in page and "终止原因" in page
    assert sum(page.count("代表甲") for page in pages) == 80


@pytest.mark.libreoffice
def test_an_export_resaved_by_libreoffice_and_edited_changes_exactly_that_cell(client, roster, login_as, tmp_path):
    """A township that works in LibreOffice (or WPS) saves the file again: its dates, text numbers,
    hidden names sheet and drop-downs are written its own way, and the round trip still holds."""
    from tests.imports.test_office_files import _libreoffice_resave

    login_as("committee")
    before = _snapshot()
    data = _libreoffice_resave(client.get("/deputies/export.xlsx?masked=1").data, tmp_path)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook["代表名单"]
    sheet.cell(_row_of(sheet, "王五", "区第八届"), COLUMN["任职结束"]).value = "2024年6月"
    html = _import(client, workbook)
    assert "「任职结束」“2024年6月”只写到月份，按当月第一天 2024-06-01 读取" in html
    wang = db.session.scalar(sa.select(Deputy).where(Deputy.name == "王五"))
    assert _differences(before, _snapshot()) == [
        ("mandate", wang.mandates[0].id, "end", date(2024, 5, 6), date(2024, 6, 1))]


def test_a_closed_terms_mandates_come_back_unchanged_or_are_refused(client, roster, login_as):
    """After 城关镇第十八届 is closed (换届), its rows go round unchanged, but a row that would change one
    of its mandates (an early end, a start date) is refused with the term and its closing day, and
    nothing is written: the term's record is closed with its frozen figures (rule R14)."""
    login_as("committee")
    closed = client.post(f"/dashboard/terms/{roster.township_term.id}/close",
                         data={"end_date": "2026-11-30", "confirm": "y"})
    assert closed.status_code == 302
    _import(client, _export(client))  # nothing changed: accepted, every row unchanged
    before = _snapshot()

    workbook = _export(client)
    sheet = workbook["代表名单"]
    row = _row_of(sheet, "张三", "城关镇第十八届")
    sheet.cell(row, COLUMN["任职结束"]).value = "2025-06-01"
    sheet.cell(row, COLUMN["终止原因"]).value = str(EndReason.resigned.label)
    out = io.BytesIO()
    workbook.save(out)
    html = client.post("/imports/roster", data={"file": (io.BytesIO(out.getvalue()), "名单.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "检查通过" not in html
    assert "城关镇第十八届已于2026-11-30换届，该届的代表资格已随最终统计冻结，记录已经封存" in html
    db.session.expire_all()
    assert _differences(before, _snapshot()) == []
