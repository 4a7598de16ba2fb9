"""Rosters as offices really make them (issue 15, R17): each file is built the way an office builds it,
uploaded, and the test reads the notes the check shows and the rows stored after the confirmation.

Merged cells, hidden rows, a footer, spaces in names, text dates, full-width digits, duplicates,
wrong place names, GBK and UTF-8 CSV, an old .xls; LibreOffice re-saves where its way of writing
the file differs from openpyxl's (hidden="true", its own merged-cell and date storage).
"""
import csv
import io
import shutil
import subprocess
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from liaison.deputies.models import Deputy, Mandate
from liaison.extensions import db
from liaison.imports.roster import HEADERS
from tests.imports.conftest import counts, roster_row


@pytest.fixture()
def committee(login_as):
    return login_as("committee")


def _upload(client, data, name="名单.xlsx"):
    return client.post("/imports/roster", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data").get_data(as_text=True)


def _book(rows, title="城关镇代表名单"):
    """A workbook as an office makes it: a title row, the header row, rows as dicts by header."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    sheet.append([title])
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append([row.get(h) for h in HEADERS])
    return workbook, sheet


def _bytes(workbook):
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _stored():
    """Every mandate as (name, mobile, term, township, district, station, home, start, end, reason)."""
    rows = db.session.execute(
        sa.select(Deputy.name, Deputy.gender, Deputy.ethnicity, Deputy.mobile, Mandate.term_id,
                  Mandate.township_id, Mandate.electoral_district_id, Mandate.station_id, Mandate.home_id,
                  Mandate.start_date, Mandate.end_date, Mandate.end_reason, Mandate.by_election)
        .join(Mandate, Mandate.deputy_id == Deputy.id).order_by(Deputy.mobile, Mandate.term_id)).all()
    return [tuple(r) for r in rows]


def _confirm(client):
    response = client.post("/imports/roster/confirm")
    assert response.status_code == 302
    db.session.expire_all()


def _names():
    return db.session.scalars(sa.select(Deputy.name).order_by(Deputy.mobile)).all()


COLUMN = {h: i for i, h in enumerate(HEADERS, start=1)}


def test_merged_blocks_are_filled_down_with_a_note_per_block(client, network, committee):
    workbook, sheet = _book([roster_row(n) for n in range(1, 6)])
    for header in ("层级", "届次", "乡镇（街道）", "任职开始"):
        column = COLUMN[header]
        for row in range(4, 8):
            sheet.cell(row=row, column=column).value = None
        sheet.merge_cells(start_row=3, end_row=7, start_column=column, end_column=column)
    html = _upload(client, _bytes(workbook))
    assert "必须填写" not in html
    assert "第 3–7 行「乡镇（街道）」是合并单元格，已把“城关镇”填入其中每一行。" in html
    assert "第 3–7 行「层级」是合并单元格，已把“区”填入其中每一行。" in html
    assert "第 3–7 行「任职开始」是合并单元格，已把“2021-12-01”填入其中每一行。" in html
    assert "新增 5 人" in html
    _confirm(client)
    assert {m.township_id for m in db.session.scalars(sa.select(Mandate))} == {network.chengguan.id}
    assert counts()["Mandate"] == 5


def test_hidden_rows_are_skipped_with_a_warning_that_lists_them(client, network, committee):
    workbook, sheet = _book([roster_row(n) for n in range(1, 7)])
    sheet.row_dimensions[4].hidden = True  # someone who left
    sheet.row_dimensions[6].hidden = True
    html = _upload(client, _bytes(workbook))
    assert "第 4、6 行是隐藏行，没有导入。如果这些代表也要导入，请在 Excel 中取消隐藏后重新上传。" in html
    assert "共 4 行：新增 4 人" in html
    _confirm(client)
    assert _names() == ["代表1", "代表3", "代表5", "代表6"]


def test_spaces_inside_names_are_collapsed_and_said(client, network, committee):
    rows = [roster_row(1, 姓名="张 三"), roster_row(2, 姓名="李\u3000四"), roster_row(3, 姓名=" 王五 "),
            roster_row(4, 姓名="John  Smith")]
    html = _upload(client, _bytes(_book(rows)[0]))
    assert "「姓名」中的空格已去掉：第 3 行“张 三”→“张三”，第 4 行“李\u3000四”→“李四”，第 6 行“John  Smith”→“John Smith”。" in html
    _confirm(client)
    assert _names() == ["张三", "李四", "王五", "John Smith"]
    assert db.session.scalar(sa.select(Deputy.name_sort_key).where(Deputy.name == "张三")).startswith("zhang")


def test_a_footer_below_a_blank_row_is_ignored_with_a_note(client, network, committee):
    workbook, sheet = _book([roster_row(n) for n in range(1, 4)])
    sheet.append([])
    sheet.append(["填报人：王五", None, None, "联系电话:0571-88886666"])
    sheet.append(["审核人：", "赵六"])
    sheet.append(["日期：2026年12月1日"])
    sheet.merge_cells("A8:C8")
    html = _upload(client, _bytes(workbook))
    assert "第 7–9 行是表尾（填报人、联系电话、审核人、日期等），不是代表名单，已忽略。" in html
    assert "不是民族名称" not in html and "新增 3 人" in html
    _confirm(client)
    assert counts()["Deputy"] == 3


def test_a_footer_right_under_the_table_is_recognised_too(client, network, committee):
    workbook, sheet = _book([roster_row(n) for n in range(1, 3)])
    sheet.append(["制表人：王五", None, "联系电话：0571-88886666"])
    html = _upload(client, _bytes(workbook))
    assert "第 5 行是表尾（填报人、联系电话、审核人、日期等），不是代表名单，已忽略。" in html
    assert "新增 2 人" in html


def test_every_problem_comes_in_one_pass_duplicates_included(client, network, committee):
    """A bad date on row 3 and its duplicate on row 6, a bad cell elsewhere: all said at once."""
    rows = [roster_row(1, 任职开始="2021-13-45"), roster_row(2), roster_row(3, 性别="未知"),
            roster_row(1, 任职开始="2021-13-45"), roster_row(2)]
    before = counts()
    html = _upload(client, _bytes(_book(rows)[0]))
    assert "第 3 行「任职开始」：“2021-13-45”不是有效的日期（没有这一天）。" in html
    assert "第 5 行「性别」：“未知”不是性别。" in html
    assert "第 6 行：与第 3 行完全相同（重复的行），请删除其中一行。" in html
    assert "第 7 行：与第 4 行完全相同（重复的行），请删除其中一行。" in html
    assert "确认导入" not in html and counts() == before


def test_a_wrong_place_name_lists_the_valid_ones_of_the_township(client, network, committee):
    rows = [roster_row(1, 选区="一选区"), roster_row(2, 联络站="第一联络站"), roster_row(3, 代表之家="城关代表之家"),
            roster_row(4, **{"乡镇（街道）": "安平街道", "选区": "第一选区", "联络站": "安平联络站", "代表之家": None})]
    html = _upload(client, _bytes(_book(rows)[0]))
    assert "第 3 行「选区」：区第八届 在 城关镇 没有名为“一选区”的选区。可填写：第一选区、第二选区。" in html
    assert "第 4 行「联络站」：城关镇 没有名为“第一联络站”的代表联络站。可填写：城关第一联络站。" in html
    assert "第 5 行「代表之家」：城关镇 没有名为“城关代表之家”的代表之家。可填写：城关镇代表之家。" in html
    assert "第 6 行「联络站」：安平街道 没有名为“安平联络站”的代表联络站。该乡镇（街道）还没有登记可选的名称" in html
    assert counts()["Deputy"] == 0


def test_text_dates_are_read_with_a_note_each(client, network, committee):
    rows = [roster_row(1, 任职开始="2022年2月", 层级="市", 届次="第十五届", 选区=None),
            roster_row(2, 任职开始="2022.02", 层级="市", 届次="十五", 选区=None),
            roster_row(3, 任职开始="2022-2"),
            roster_row(4, 任职开始="20220110"),
            roster_row(5, 任职开始=20220110)]
    for row in rows[:2]:
        row.update(联络站=None, 代表之家=None)
    html = _upload(client, _bytes(_book(rows)[0]))
    assert "「任职开始」“2022年2月”只写到月份，按当月第一天 2022-02-01 读取：第 3 行。" in html
    assert "「任职开始」“2022.02”只写到月份，按当月第一天 2022-02-01 读取：第 4 行。" in html
    assert "「任职开始」“2022-2”只写到月份，按当月第一天 2022-02-01 读取：第 5 行。" in html
    assert "「任职开始」“20220110”按 2022-01-10 读取：第 6–7 行。" in html
    _confirm(client)
    starts = dict(db.session.execute(sa.select(Deputy.name, Mandate.start_date).join(Mandate)).all())
    assert starts == {"代表1": date(2022, 2, 1), "代表2": date(2022, 2, 1), "代表3": date(2022, 2, 1),
                      "代表4": date(2022, 1, 10), "代表5": date(2022, 1, 10)}


def test_a_number_that_may_be_january_or_october_is_refused(client, network, committee):
    html = _upload(client, _bytes(_book([roster_row(1, 任职开始=2022.1)])[0]))
    assert "“2022.1”是数字，看不出是 1 月还是 10 月" in html and counts()["Deputy"] == 0


def test_full_width_digits_are_read(client, network, committee):
    row = roster_row(1, 手机号码="１３９ ０００ ０００ ０１", 届次="第８届", 任职开始="２０２１年１２月１日")
    html = _upload(client, _bytes(_book([row])[0]))
    assert "新增 1 人" in html
    _confirm(client)
    assert db.session.scalar(sa.select(Deputy.mobile)) == "13900000001"


def _csv(rows, encoding, delimiter=","):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(["城关镇代表名单"])
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow(["" if row.get(h) is None else row.get(h) for h in HEADERS])
    return out.getvalue().encode(encoding)


@pytest.mark.parametrize("encoding, delimiter, said", [("gbk", ",", True), ("utf-8-sig", ",", False),
                                                       ("utf-8", ",", False), ("utf-16", "\t", False)])
def test_csv_in_gbk_or_utf8_follows_the_same_rules(client, network, committee, encoding, delimiter, said):
    """GBK (Excel's "CSV (逗号分隔)" on Chinese Windows), UTF-8 with or without BOM ("CSV UTF-8"), and
    Excel's tab-separated "Unicode 文本" (UTF-16)."""
    rows = [roster_row(1, 姓名="张 三", 任职开始="2022年2月"), roster_row(2), roster_row(3),
            {"姓名": "填报人：王五"}]
    rows.insert(3, {})
    html = _upload(client, _csv(rows, encoding, delimiter), name="名单.csv")
    assert ("CSV 文件按 GBK（简体中文）编码读取。" in html) is said
    assert "「姓名」中的空格已去掉：第 3 行“张 三”→“张三”。" in html
    assert "「任职开始」“2022年2月”只写到月份，按当月第一天 2022-02-01 读取：第 3 行。" in html
    assert "第 7 行是表尾" in html and "新增 3 人" in html
    _confirm(client)
    assert _names() == ["张三", "代表2", "代表3"]


def test_a_csv_whose_numbers_excel_showed_as_1e10_says_what_happened(client, network, committee):
    html = _upload(client, _csv([roster_row(1, 手机号码="1.39E+10"), roster_row(2)], "gbk"), name="名单.csv")
    assert ("第 3 行「手机号码」：“1.39E+10”是 Excel 以科学计数法显示的号码，保存成 CSV 时号码已丢失。"
            "请把该列设为“文本”格式重新填写，或直接上传 .xlsx 文件。") in html
    assert counts()["Deputy"] == 0


def test_an_old_xls_is_refused_with_the_current_message(client, network, committee):
    html = _upload(client, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, name="名单.xls")
    assert "这是旧版 .xls 或加密的文件，请在 Excel 中另存为 .xlsx 格式后再上传。" in html


# --- LibreOffice re-saves ---------------------------------------------------------------------

def _libreoffice_resave(data, tmp_path):
    """The file as LibreOffice Calc saves it again (its own XML: hidden="true", merges, dates)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: the re-save cases need it")
    source = tmp_path / "in" / "名单.xlsx"
    source.parent.mkdir()
    source.write_bytes(data)
    out = tmp_path / "out"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=180)
    return (out / "名单.xlsx").read_bytes()


@pytest.mark.libreoffice
def test_a_libreoffice_resave_keeps_merges_hidden_rows_and_footer_readings(client, network, committee, tmp_path):
    rows = [roster_row(n, 任职开始=date(2021, 12, 1)) for n in range(1, 6)]
    rows[0].update(任职开始="2022年2月", 手机号码="１３９０００００００１", 姓名="张 三")
    workbook, sheet = _book(rows)
    column = COLUMN["乡镇（街道）"]
    for row in range(4, 8):
        sheet.cell(row=row, column=column).value = None
    sheet.merge_cells(start_row=3, end_row=7, start_column=column, end_column=column)
    sheet.row_dimensions[5].hidden = True
    sheet.append([])
    sheet.append(["填报人：王五"])
    data = _libreoffice_resave(_bytes(workbook), tmp_path)
    html = _upload(client, data)
    assert "第 3–7 行「乡镇（街道）」是合并单元格，已把“城关镇”填入其中每一行。" in html
    assert "第 5 行是隐藏行，没有导入。" in html
    assert "第 9 行是表尾" in html
    assert "「任职开始」“2022年2月”只写到月份，按当月第一天 2022-02-01 读取：第 3 行。" in html
    assert "「姓名」中的空格已去掉：第 3 行“张 三”→“张三”。" in html
    assert "新增 4 人" in html
    _confirm(client)
    assert _names() == ["张三", "代表2", "代表4", "代表5"]
    assert db.session.scalar(sa.select(Mandate.start_date).join(Deputy).where(Deputy.mobile == "13900000001")) \
        == date(2022, 2, 1)


def test_after_an_import_the_new_accounts_without_a_password_are_one_link_away(client, network, committee):
    from tests import factories

    active = factories.make_deputy(name="老代表", mobile="13500000000")
    factories.make_user(roles=("deputy",), deputy=active)
    db.session.commit()
    _upload(client, _bytes(_book([roster_row(1), roster_row(2)])[0]))
    _confirm(client)
    page = client.get("/imports/roster").get_data(as_text=True)
    assert "本次导入新增 2 人，他们的代表账号尚未激活（还没有密码）。" in page
    assert 'href="/users?role=deputy&amp;pending=1"' in page
    listed = client.get("/users?role=deputy&pending=1").get_data(as_text=True)
    assert "代表1" in listed and "代表2" in listed and "老代表" not in listed
    assert "本次导入新增" not in client.get("/imports/roster").get_data(as_text=True)  # said once
