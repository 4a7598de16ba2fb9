"""The only xlsx writer: tables as ``(headers, rows)`` in write-only mode, never a formula.

Write-only mode keeps memory flat however many rows there are. Any text that a user or an
imported file supplied is written as text: a name such as ``=HYPERLINK(...)`` stays a name.
"""
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from liaison.uploads import clean_sheet_title

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Characters that make spreadsheet programs treat a cell as a formula or a command.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
TITLE_FONT = Font(bold=True, size=14)


@dataclass
class Table:
    """One sheet: a title row, a header row, then the rows; widths in characters."""

    title: str
    headers: list
    rows: object  # any iterable of sequences; consumed once
    widths: list = field(default_factory=list)
    caption: str = ""


def text_cell(sheet, value):
    """A cell holding ``value``; strings are always stored as text, never as formulas."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # Assign first, then force the type: setting data_type before the value does not stick.
        cell.data_type = "s"
        if value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
    elif isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def write_tables(tables):
    """Write ``tables`` into one workbook and return its bytes."""
    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(clean_sheet_title(table.title))
        for index, width in enumerate(table.widths, start=1):
            sheet.column_dimensions[_column_letter(index)].width = width
        sheet.freeze_panes = "A3"
        title = text_cell(sheet, table.caption or table.title)
        title.font = TITLE_FONT
        sheet.append([title])
        header_cells = []
        for header in table.headers:
            cell = text_cell(sheet, header)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in table.rows:
            sheet.append([text_cell(sheet, value) for value in row])
        if table.headers:
            sheet.merged_cells.add(f"A1:{_column_letter(len(table.headers))}1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _column_letter(index):
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)
