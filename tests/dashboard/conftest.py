"""Dashboard fixtures: the hand-built world of tests/rates (its numbers are worked out by hand there)."""
import io

import pytest
from openpyxl import load_workbook

from tests.rates.conftest import world  # noqa: F401  (the fixture, shared)

AS_OF = "2024-12-31"


@pytest.fixture()
def bulletin_folder(app, tmp_path):
    """Point the bulletin archive at a fresh folder for one test."""
    old = app.config.get("LIAISON_BULLETIN_FOLDER")
    app.config["LIAISON_BULLETIN_FOLDER"] = str(tmp_path / "bulletins")
    yield tmp_path / "bulletins"
    app.config["LIAISON_BULLETIN_FOLDER"] = old


def read_workbook(data, read_only=False):
    """Load workbook bytes back with openpyxl (normal mode keeps charts and merged cells)."""
    return load_workbook(io.BytesIO(data), read_only=read_only)


def header_rows_end(sheet):
    """The last header row of an official sheet: the end of its print titles ($1:$4 → 4)."""
    return int(sheet.print_title_rows.split(":")[1].lstrip("$"))


def sheet_rows(sheet, first_row=None):
    """The data rows of an official sheet (after title, unit and header rows, 合计 rows included),
    as value tuples, without the 序号 column (so a row starts with the table's first column)."""
    first_row = first_row or header_rows_end(sheet) + 1
    skip = 1 if sheet["A3"].value == "序号" else 0
    return [row[skip:] for row in sheet.iter_rows(min_row=first_row, values_only=True)]


@pytest.fixture()
def targets(world, db):  # noqa: F811
    """Make the fixture's 市 and 区 terms the two targets (factories add other terms on the side)."""
    from liaison.reports.operations import set_target_terms

    set_target_terms([world["M"], world["D"]])
    db.session.commit()
    return world
