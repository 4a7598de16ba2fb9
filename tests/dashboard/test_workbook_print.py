"""The official workbook printed as an office would: LibreOffice renders it to PDF, poppler reads it back.

Every page is A4 landscape; no sheet is split across the page width (each page of a sheet shows its
first column, the 序号, under the repeated title and header rows); every page is numbered.
"""
import os
import shutil
import subprocess
from datetime import date

import pytest

from liaison.terms.models import Term
from liaison.townships.models import Township
from tests import factories
from tests.dashboard.conftest import read_workbook

A4_LANDSCAPE = "841.89 x 595.304 pts (A4)"


def _calc():
    """soffice, when LibreOffice can open spreadsheets here (the calc component is installed) and
    poppler can read the PDF back."""
    soffice = shutil.which("soffice")
    if soffice is None or not os.path.exists("/usr/lib/libreoffice/program/libsclo.so") \
            or not shutil.which("pdftotext") or not shutil.which("pdfinfo"):
        return None
    return soffice


def _pages(pdf):
    """The text of each page, whitespace removed (pdftotext)."""
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    count = int(next(line.split(":")[1] for line in info.splitlines() if line.startswith("Pages:")))
    sizes = subprocess.run(["pdfinfo", "-f", "1", "-l", str(count), str(pdf)], check=True, capture_output=True,
                           text=True).stdout
    sizes = [line.split(":", 1)[1].strip() for line in sizes.splitlines()
             if line.startswith("Page") and " size:" in line]
    texts = [
        "".join(subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], check=True,
                               capture_output=True, text=True).stdout.split())
        for n in range(1, count + 1)]
    return sizes, texts


@pytest.mark.libreoffice
def test_workbook_prints_a4_landscape_one_page_wide(app, targets, db, tmp_path):
    """With 60 more 区 deputies in 东城镇 (so the detail sheets run over several pages), every page of
    the rendered workbook is A4 landscape and numbered "第 n 页 共 N 页"; each sheet's pages come in
    order, each under its title, and each shows the 序号 column (说明: 项目): a sheet cut across the
    page width would put its right-hand columns on pages without them."""
    township = db.session.get(Township, targets["A"])
    term = db.session.get(Term, targets["D"])
    for number in range(60):
        factories.make_mandate(deputy=factories.make_deputy(name=f"测试{number:02d}"), term=term,
                               township=township, start_date=date(2021, 12, 1))
    db.session.commit()
    from liaison.dashboard.workbook import build_workbook

    with app.app_context():
        data = build_workbook(date(2024, 12, 15), "测试")
    path = tmp_path / "workbook.xlsx"
    path.write_bytes(data)
    subprocess.run([_calc(), "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=240)
    sizes, texts = _pages(tmp_path / "workbook.pdf")
    assert sizes and set(sizes) == {A4_LANDSCAPE}
    total = len(texts)
    for number, text in enumerate(texts, start=1):
        assert f"第{number}页共{total}页" in text, number

    workbook = read_workbook(data)
    titles = [("".join(str(sheet["A1"].value).split()), "项目" if sheet.title == "说明" else "序号")
              for sheet in workbook]
    sheet_of_page = []
    for number, text in enumerate(texts, start=1):
        found = [index for index, (title, _first) in enumerate(titles) if title in text]
        assert len(found) == 1, (number, text[:80])
        sheet_of_page.append(found[0])
        assert titles[found[0]][1] in text, (number, workbook.sheetnames[found[0]])
    assert sheet_of_page == sorted(sheet_of_page) and set(sheet_of_page) == set(range(len(titles)))
    by_sheet = {name: sheet_of_page.count(index) for index, name in enumerate(workbook.sheetnames)}
    # The small tables fit one page each; the 区 detail runs over more than one (header rows repeat).
    for name in ("两个100%目标", "分乡镇", "年述职", "月进站（分乡镇）", "季回家（分乡镇）", "说明"):
        assert by_sheet[name] == 1, by_sheet
    assert by_sheet["代表明细"] >= 2 and by_sheet["月进站"] >= 2, by_sheet
    detail_pages = [text for text, index in zip(texts, sheet_of_page)
                    if workbook.sheetnames[index] == "月进站"]
    assert all("已结束月份" in text and "12月（进行中）" in text for text in detail_pages)
