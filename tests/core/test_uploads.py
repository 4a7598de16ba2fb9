"""The upload guard refuses what must never reach openpyxl, and download names stay safe."""
import io
import tracemalloc
import zipfile
from urllib.parse import unquote

import openpyxl
import pytest

from liaison.errors import InvalidInput
from liaison.uploads import checked_xlsx, clean_sheet_title, content_disposition, sniff_type


def _workbook_bytes():
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "手机号码"])
    wb.active.append(["张三", "13800000000"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def zip_bomb():
    """A 2 MB upload that would unpack to 2 GB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            chunk = b"\0" * (16 * 1024 * 1024)
            for _ in range(128):
                f.write(chunk)
    return buf.getvalue()


def test_a_real_workbook_passes_and_opens():
    workbook = openpyxl.load_workbook(checked_xlsx(io.BytesIO(_workbook_bytes())))
    assert workbook.active["A2"].value == "张三"


def test_zip_bomb_is_refused_with_memory_staying_low(zip_bomb):
    """Unpacking to gigabytes is refused from the zip directory alone; memory stays near the upload's size."""
    tracemalloc.start()
    with pytest.raises(InvalidInput, match="解压后过大"):
        checked_xlsx(io.BytesIO(zip_bomb))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(zip_bomb) < 5 * 1024 * 1024
    assert peak < 20 * 1024 * 1024


def test_csv_renamed_to_xlsx_is_refused():
    with pytest.raises(InvalidInput, match="不是 Excel"):
        checked_xlsx(io.BytesIO("姓名,手机号码\n张三,13800000000\n".encode()))


def test_old_xls_is_refused_with_a_way_forward():
    with pytest.raises(InvalidInput, match="另存为 .xlsx"):
        checked_xlsx(io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600))


def test_macro_enabled_workbook_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_workbook_bytes())) as source, zipfile.ZipFile(buf, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"macro")
    with pytest.raises(InvalidInput, match="宏"):
        checked_xlsx(io.BytesIO(buf.getvalue()))


def test_too_many_parts_and_too_large_uploads_are_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i in range(1200):
            z.writestr(f"xl/part{i}.xml", "")
        z.writestr("xl/workbook.xml", "")
        z.writestr("[Content_Types].xml", "")
    with pytest.raises(InvalidInput, match="部件过多"):
        checked_xlsx(io.BytesIO(buf.getvalue()))
    with pytest.raises(InvalidInput, match="不能超过"):
        checked_xlsx(io.BytesIO(b"PK\x03\x04" + b"\0" * 2048), max_bytes=1024)


def test_sniff_type_reads_content_not_names():
    assert sniff_type(b"%PDF-1.7 ...") == "pdf"
    assert sniff_type(b"\x89PNG\r\n\x1a\n....") == "png"
    assert sniff_type(_workbook_bytes()) == "xlsx"
    assert sniff_type(b"<html>") is None


def test_download_names_are_encoded_for_every_browser():
    value = content_disposition('两个100%目标"\r\n/报表.xlsx')
    assert "\r" not in value and "\n" not in value
    plain = value.split('filename="')[1].split('"')[0]
    assert plain.isascii() and "/" not in plain
    encoded = value.split("filename*=UTF-8''")[1]
    assert unquote(encoded) == "两个100%目标____报表.xlsx"


@pytest.mark.parametrize("title,expected", [
    ("月进站[2026]", "月进站_2026_"), ("a/b\\c?d*e:f", "a_b_c_d_e_f"), ("'引号'", "引号"),
    ("很" * 40, "很" * 31), ("", "Sheet"),
])
def test_sheet_titles_are_cleaned(title, expected):
    assert clean_sheet_title(title) == expected
