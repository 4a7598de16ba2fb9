"""The roster import pages: committee staff upload, read the check, confirm; others are refused."""
import io
import os
import re
import time
import zipfile
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from liaison.deputies.models import Deputy, Gender
from liaison.extensions import db
from liaison.imports.operations import UPLOAD_MAX_AGE, discard_stale_uploads, keep_upload, load_upload
from liaison.imports.roster import HEADERS
from tests import factories
from tests.imports.conftest import counts, import_events, roster_row, workbook_bytes


def _upload(client, data, name="名单.xlsx"):
    """Post a workbook to the upload form."""
    return client.post("/imports/roster", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _text(response):
    """The response body as text."""
    return response.get_data(as_text=True)


@pytest.fixture()
def committee(login_as):
    """A signed-in member of the committee staff."""
    return login_as("committee")


def test_upload_check_then_confirm_writes_once(client, network, committee, import_folder):
    """The check lists what will change and writes nothing; the confirmation writes it and is audited."""
    page = _text(client.get("/imports/roster"))
    assert "/imports/roster/template.xlsx" in page and "还没有导入过名单" in page
    before = counts()

    checked = _upload(client, workbook_bytes([roster_row(1), roster_row(2, 姓名="李四")]))
    html = _text(checked)
    assert checked.status_code == 200
    assert "检查通过" in html and "新增 2 人，更新 0 项，未变 0 项，新增代表资格 2 项" in html
    assert "李四（139****0002）" in html and "13900000002" not in html  # numbers masked
    assert "确认导入" in html and "正在导入" in html
    assert counts() == before
    assert len(os.listdir(import_folder)) == 1

    confirmed = client.post("/imports/roster/confirm")
    assert confirmed.status_code == 302 and confirmed.headers["Location"].endswith("/imports/roster")
    assert counts()["Deputy"] == before["Deputy"] + 2
    deputy = db.session.scalar(sa.select(Deputy).where(Deputy.name == "李四"))
    assert deputy.account is not None and deputy.account.password_hash is None
    [event] = import_events()
    assert event.detail.startswith("roster rows=2 new=2 updated=0 unchanged=0 new_people=2")
    assert event.actor_id == committee.id
    assert os.listdir(import_folder) == []  # the kept file is gone

    page = _text(client.get("/imports/roster"))
    assert "名单已导入" in page and committee.name in page

    again = client.post("/imports/roster/confirm")  # a second click finds nothing pending
    assert again.status_code == 302
    assert "没有待确认的名单" in _text(client.get("/imports/roster"))
    assert len(import_events()) == 1


def test_a_bad_row_shows_every_problem_and_offers_no_confirmation(client, network, committee, import_folder):
    """Row 317 of a 500-row upload is named on the page; nothing is kept or written."""
    rows = [roster_row(n) for n in range(1, 501)]
    rows[315]["手机号码"] = "1380000000"
    response = _upload(client, workbook_bytes(rows))
    html = _text(response)
    assert "第 317 行「手机号码」：1380000000 不是 11 位手机号码" in html
    assert "共 500 行，发现 1 个问题" in html and "确认导入" not in html
    assert counts()["Deputy"] == 0 and os.listdir(import_folder) == []


def test_reimporting_through_the_pages_changes_nothing(client, network, committee):
    """The same file a second time: the check says 0 new, 0 updated; confirming keeps the counts."""
    data = workbook_bytes([roster_row(n) for n in range(1, 21)])
    _upload(client, data)
    client.post("/imports/roster/confirm")
    before = counts()
    html = _text(_upload(client, data))
    assert "新增 0 人，更新 0 项，未变 20 项" in html and "导入不会改变任何记录" in html
    client.post("/imports/roster/confirm")
    after = counts()
    assert after["AuditEvent"] == before["AuditEvent"] + 1
    written = ("Deputy", "Mandate", "User")
    assert {k: after[k] for k in written} == {k: before[k] for k in written}


def test_confirming_after_the_records_changed_shows_the_new_check(client, network, committee):
    """Someone adds the same person between the check and the confirmation: the new result is shown first."""
    _upload(client, workbook_bytes([roster_row(1), roster_row(2)]))
    factories.make_deputy(name="代表1", mobile="13900000001", gender=Gender.female)
    html = _text(client.post("/imports/roster/confirm"))
    assert "重新检查的结果" in html and "新增 1 人" in html
    assert counts()["Deputy"] == 1
    client.post("/imports/roster/confirm")
    assert counts()["Deputy"] == 2


@pytest.fixture(scope="module")
def zip_bomb():
    """A small upload that declares 300 MB unpacked."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(300):
                f.write(chunk)
    return buf.getvalue()


def test_a_zip_bomb_and_a_binary_file_are_refused_with_the_guard_message(client, network, committee, zip_bomb,
                                                                          import_folder):
    """Neither reaches openpyxl; the form says why; nothing is written or kept. (A CSV is read as one
    since issue 15, whatever its name: see test_office_files.)"""
    before = counts()
    html = _text(_upload(client, zip_bomb))
    assert "文件解压后过大（可能是压缩炸弹），已拒绝。" in html
    html = _text(_upload(client, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", name="roster.xlsx"))
    assert "这不是 Excel 工作簿（.xlsx）或 CSV 文件。" in html
    assert "检查通过" not in html
    assert counts() == before and os.listdir(import_folder) == []


def test_an_upload_without_a_file_asks_for_one(client, network, committee):
    """Submitting the form empty asks for the file in Chinese."""
    html = _text(client.post("/imports/roster", data={}))
    assert "请选择要导入的名单文件（.xlsx 或 .csv）。" in html


@pytest.mark.parametrize("role", ["township_staff", "deputy"])
def test_township_staff_and_deputies_are_refused(client, network, login_as, role):
    """Only committee staff and admins import rosters: the others get 403 on every import page."""
    login_as(role)
    assert client.get("/imports/roster").status_code == 403
    assert client.get("/imports/roster/template.xlsx").status_code == 403
    assert _upload(client, workbook_bytes([roster_row(1)])).status_code == 403
    assert client.post("/imports/roster/confirm").status_code == 403
    assert counts()["Deputy"] == (1 if role == "deputy" else 0)  # only the signed-in deputy


def test_the_nav_offers_the_import_to_the_committee_only(client, network, login_as):
    """Committee staff find 导入名单 in the menu; township staff do not."""
    login_as("committee")
    assert "导入名单" in _text(client.get("/"))
    client.post("/logout")
    login_as("township_staff")
    assert "导入名单" not in _text(client.get("/"))


def test_the_template_downloads_with_the_columns_and_imports_once_filled(client, network, committee):
    """The template reads back with the headers in row 2 and a 说明 sheet; filled in, it imports."""
    response = client.get("/imports/roster/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[2]] == list(HEADERS)
    assert sheet.max_row == 2  # no example row that would be imported by mistake
    drop_downs = {str(dv.sqref): dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert drop_downs["B3:B5000"] == '"男,女"' and drop_downs["E3:E5000"] == '"全国,市,区,乡镇"'
    assert "辞职被接受" in drop_downs["M3:M5000"]
    notes = workbook["说明"]
    explained = {row[0].value: row for row in notes.iter_rows(min_row=3)}
    assert set(HEADERS) <= set(explained)
    assert "2021年12月1日" in explained["日期格式"][2].value and "2021.12.1" in explained["日期格式"][2].value

    for column, value in enumerate(["张三", "男", "汉族", "13900000009", "区", "8", "城关镇", "第一选区",
                                    "城关第一联络站", "城关镇代表之家", date(2021, 12, 1)], start=1):
        sheet.cell(row=3, column=column, value=value)
    filled = io.BytesIO()
    workbook.save(filled)
    assert "新增 1 人" in _text(_upload(client, filled.getvalue()))
    client.post("/imports/roster/confirm")
    assert db.session.scalar(sa.select(Deputy.name).where(Deputy.mobile == "13900000009")) == "张三"


def test_kept_uploads_go_after_an_hour(app, db, import_folder):
    """A file waiting longer than an hour is neither loaded nor kept."""
    with app.test_request_context():
        fresh, old = keep_upload(b"fresh"), keep_upload(b"old")
        path = os.path.join(import_folder, f"{old}.xlsx")
        stale = time.time() - UPLOAD_MAX_AGE - 60
        os.utime(path, (stale, stale))
        assert load_upload(fresh) == b"fresh"
        assert discard_stale_uploads() == 1
        assert load_upload(old) is None and load_upload("../../etc/passwd") is None
        assert os.listdir(import_folder) == [f"{fresh}.xlsx"]


def test_a_broken_workbook_or_one_without_headers_is_explained(client, network, committee):
    """A zip that passes the guard but is no workbook, or a sheet without the headers: a clear message."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<not-a-workbook")
    html = _text(_upload(client, buf.getvalue()))
    assert "无法读取这个 Excel 文件" in html and "确认导入" not in html
    html = _text(_upload(client, workbook_bytes([{"A": "张三"}], headers=["A", "B"])))
    assert "没有找到表头行" in html
    assert counts()["Deputy"] == 0


def test_the_waiting_script_is_served_from_the_package(client, network, committee):
    """The page's only script is a file of this app (the CSP allows no inline script)."""
    page = _text(client.get("/imports/roster"))
    assert '<script src="/imports/static/imports.js"' in page
    response = client.get("/imports/static/imports.js")
    assert response.status_code == 200 and b"busy-form" in response.data
    response.close()


def _with_rows_below(data, rows_xml):
    """The workbook ``data`` with ``rows_xml(last)`` added below its last row (``last``), written
    straight into the sheet's XML, as a hostile or careless file may hold them; still a small file."""
    source = zipfile.ZipFile(io.BytesIO(data))
    sheet_name = next(n for n in source.namelist() if n.startswith("xl/worksheets/sheet"))
    xml = source.read(sheet_name).decode()
    last = max(int(n) for n in re.findall(r'<row r="(\d+)"', xml))
    xml = xml.replace("</sheetData>", rows_xml(last) + "</sheetData>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, xml if item.filename == sheet_name else source.read(item.filename))
    return out.getvalue()


EMPTY_ROWS = {
    # 200,000 empty <row> elements.
    "empty row elements": lambda last: "".join(f'<row r="{n}"/>' for n in range(last + 1, last + 200_001)),
    # One cell on Excel's last row: openpyxl yields every empty row before it.
    "one far-off row": lambda last: '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>',
}


@pytest.mark.parametrize("rows_xml", EMPTY_ROWS.values(), ids=EMPTY_ROWS.keys())
def test_empty_rows_count_towards_the_row_limit(client, network, committee, import_folder, rows_xml):
    """A small file with a huge number of empty rows under one real row is refused at once, the empty
    rows counted, instead of keeping the server busy walking them; nothing is kept or written."""
    data = _with_rows_below(workbook_bytes([roster_row(1)]), rows_xml)
    assert len(data) < 1024 * 1024
    before = counts()
    started = time.monotonic()
    response = _upload(client, data)
    elapsed = time.monotonic() - started
    html = _text(response)
    assert "文件超过 20000 行（空行也计算在内）。请删除表格下方多余的空行，或分成几个文件导入。" in html
    assert "确认导入" not in html
    assert counts() == before and os.listdir(import_folder) == []
    assert elapsed < 5, f"took {elapsed:.1f} s"
