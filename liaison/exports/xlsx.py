"""The only xlsx writer: tables as ``(headers, rows)`` in write-only mode, never a formula.

Write-only mode keeps memory flat however many rows there are. Any text that a user or an
imported file supplied is written as text: a name such as ``=HYPERLINK(...)`` stays a name.
"""
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from liaison.uploads import clean_sheet_title

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Characters that make spreadsheet programs treat a cell as a formula or a command.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
TITLE_FONT = Font(bold=True, size=14)
#: Data rows that offer a column's drop-down (a template's blank rows).
CHOICE_ROWS = 5000


@dataclass
class Table:
    """One sheet: a title row, a header row, then the rows; widths in characters."""

    title: str
    headers: list
    rows: object  # any iterable of sequences; consumed once
    widths: list = field(default_factory=list)
    caption: str = ""
    #: Column number (1-based) → the values offered as a drop-down in that column's data cells.
    choices: dict = field(default_factory=dict)


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


def header_cells(sheet, headers):
    """A table's header row: bold, shaded, centred, wrapped."""
    cells = []
    for header in headers:
        cell = text_cell(sheet, header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cells.append(cell)
    return cells


def write_tables(tables):
    """Write ``tables`` into one workbook and return its bytes."""
    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(clean_sheet_title(table.title))
        for index, width in enumerate(table.widths, start=1):
            sheet.column_dimensions[_column_letter(index)].width = width
        sheet.freeze_panes = "A3"
        for index, values in table.choices.items():
            letter = _column_letter(index)
            validation = DataValidation(type="list", formula1='"{}"'.format(",".join(values)),
                                        allow_blank=True)
            validation.add(f"{letter}3:{letter}{CHOICE_ROWS}")
            sheet.data_validations.append(validation)
        title = text_cell(sheet, table.caption or table.title)
        title.font = TITLE_FONT
        sheet.append([title])
        sheet.append(header_cells(sheet, table.headers))
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


# --- the official layout (制表 tables for leaders and reports) -------------------------------------

#: 未述 and other cells that must catch the eye: a light red fill with dark red text.
ALERT_FILL = PatternFill("solid", fgColor="FFC7CE")
ALERT_FONT = Font(color="9C0006")
PERCENT_FORMAT = "0.0%"
#: Rows above the header row: the merged title, then 制表单位 / 制表日期.
OFFICIAL_HEADER_ROW = 3


@dataclass
class BarChartSpec:
    """A native Excel bar chart drawn from two columns (1-based) of the sheet's own table."""

    title: str
    category_column: int
    value_column: int
    y_title: str = ""
    percent: bool = True


@dataclass
class OfficialTable:
    """One sheet in the official layout.

    Row 1 is the merged title, row 2 carries 制表单位 (left) and 制表日期 (right), row 3 the
    headers, then the rows; header rows repeat on every printed page, which is landscape and
    one page wide. ``percent_columns`` (1-based) get the 0.0% format; a cell whose value is in
    ``alerts`` is highlighted. ``notes`` are plain text lines written after the table.
    """

    title: str
    caption: str
    headers: list
    rows: object  # any iterable of sequences; consumed once
    widths: list = field(default_factory=list)
    unit: str = ""
    made_on: str = ""
    percent_columns: frozenset = frozenset()
    alerts: frozenset = frozenset()
    #: Columns (count from the left) that stay in view when scrolling sideways.
    frozen_columns: int = 1
    chart: BarChartSpec | None = None
    notes: list = field(default_factory=list)


def write_official(tables):
    """Write ``tables`` (``OfficialTable``) into one write-only workbook and return its bytes."""
    workbook = Workbook(write_only=True)
    for table in tables:
        _write_official_sheet(workbook, table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_official_sheet(workbook, table):
    """One official sheet; settings that write-only mode needs before the first row come first."""
    sheet = workbook.create_sheet(clean_sheet_title(table.title))
    columns = max(len(table.headers), 2)
    last = _column_letter(columns)
    for index, width in enumerate(table.widths, start=1):
        sheet.column_dimensions[_column_letter(index)].width = width
    sheet.freeze_panes = f"{_column_letter(table.frozen_columns + 1)}{OFFICIAL_HEADER_ROW + 1}"
    sheet.print_title_rows = f"1:{OFFICIAL_HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    title = text_cell(sheet, table.caption or table.title)
    title.font = TITLE_FONT
    title.alignment = Alignment(horizontal="center", vertical="center")
    sheet.append([title])
    sheet.merged_cells.add(f"A1:{last}1")

    split = max(columns // 2, 1)
    unit = text_cell(sheet, table.unit)
    made = text_cell(sheet, table.made_on)
    made.alignment = Alignment(horizontal="right")
    sheet.append([unit] + [None] * (split - 1) + [made])
    if split > 1:
        sheet.merged_cells.add(f"A2:{_column_letter(split)}2")
    if columns > split + 1:
        sheet.merged_cells.add(f"{_column_letter(split + 1)}2:{last}2")

    sheet.append(header_cells(sheet, table.headers))

    count = 0
    cell_of = _DataCells(sheet, table)
    for row in table.rows:
        sheet.append([cell_of(index, value) for index, value in enumerate(row, start=1)])
        count += 1
    for note in table.notes:
        sheet.append([text_cell(sheet, note)])

    if table.chart is not None and count:
        _add_bar_chart(sheet, table.chart, OFFICIAL_HEADER_ROW, count)


class _DataCells:
    """Makes an official table's data cells as cheaply as the sheet allows (tens of thousands of rows).

    Most values go to openpyxl as they are: its own typing stores them right and write-only mode
    then reuses one cell object. Percent, alert and date cells copy the style of one cell styled up
    front (assigning a font, a fill or a format hashes it again for every cell). Text that a
    spreadsheet would read as a formula or an error code goes through ``text_cell``.
    """

    def __init__(self, sheet, table):
        self.sheet, self.percent_columns, self.alerts = sheet, table.percent_columns, table.alerts
        percent = WriteOnlyCell(sheet)
        percent.number_format = PERCENT_FORMAT
        alert = WriteOnlyCell(sheet)
        alert.fill, alert.font = ALERT_FILL, ALERT_FONT
        # The style index arrays; Cell copies the one it is given. (Row and column 1 as WriteOnlyCell
        # gives: openpyxl names the cell while appending; the writer sets the real position.)
        self.percent_style, self.alert_style = percent._style, alert._style
        self.day_style = text_cell(sheet, date.min)._style
        self.moment_style = text_cell(sheet, datetime.min)._style

    def __call__(self, index, value):
        if value is None:
            return None
        if isinstance(value, str):
            if value.startswith(FORMULA_TRIGGERS) or value in ERROR_CODES:
                cell = text_cell(self.sheet, value)
                if value in self.alerts:
                    cell.fill, cell.font = ALERT_FILL, ALERT_FONT
                return cell
            if value in self.alerts:
                return Cell(self.sheet, row=1, column=1, value=value, style_array=self.alert_style)
            return value
        if isinstance(value, (int, float)):
            if index in self.percent_columns:
                return Cell(self.sheet, row=1, column=1, value=value, style_array=self.percent_style)
            return value
        if isinstance(value, datetime):
            return Cell(self.sheet, row=1, column=1, value=value, style_array=self.moment_style)
        if isinstance(value, date):
            return Cell(self.sheet, row=1, column=1, value=value, style_array=self.day_style)
        return text_cell(self.sheet, value)


def _add_bar_chart(sheet, spec, header_row, count):
    """A clustered bar chart whose data is the table's value column (its header names the series)."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.data_source import AxDataSource, StrRef

    chart = BarChart()
    chart.type = "col"
    chart.title = spec.title
    chart.y_axis.title = spec.y_title or None
    if spec.percent:
        chart.y_axis.number_format = PERCENT_FORMAT
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
    data = Reference(sheet, min_col=spec.value_column, min_row=header_row, max_row=header_row + count)
    categories = Reference(sheet, min_col=spec.category_column, min_row=header_row + 1,
                           max_row=header_row + count)
    chart.add_data(data, titles_from_data=True)
    # Category labels are text (term or township names): a string reference, so Excel shows the
    # names rather than 1, 2, 3 (set_categories would make a numeric one).
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=str(categories)))
    chart.width, chart.height = 16, 8
    anchor_row = header_row + count + 3
    sheet.add_chart(chart, f"A{anchor_row}")
