"""The only xlsx writer: tables as ``(headers, rows)`` in write-only mode, never a formula.

Write-only mode keeps memory flat however many rows there are. Any text that a user or an
imported file supplied is written as text: a name such as ``=HYPERLINK(...)`` stays a name.
"""
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

from liaison.uploads import clean_sheet_title

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Characters that make spreadsheet programs treat a cell as a formula or a command.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

HEADER_FONT = Font(name="Calibri", bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
TITLE_FONT = Font(name="Calibri", bold=True, size=14)
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
        sheet.freeze_panes = "A3"
        for index, values in table.choices.items():
            letter = _column_letter(index)
            validation = DataValidation(type="list", formula1='"{}"'.format(",".join(values)),
                                        allow_blank=True)
            validation.add(f"{letter}3:{letter}{CHOICE_ROWS}")
            sheet.data_validations.append(validation)
        # Printed as the office receives it: A4 landscape, one page wide, the header row on every page
        # (the undelivered-messages list printed as three portrait pages with its columns split).
        _print_setup(sheet)
        sheet.print_title_rows = "2:2"
        fill_table_sheet(sheet, table)
        if table.headers:
            sheet.merged_cells.add(f"A1:{_column_letter(len(table.headers))}1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def fill_table_sheet(sheet, table):
    """Write ``table`` into an empty sheet: column widths, the title row, the header row, the rows.
    Widths come first because a write-only sheet fixes them at its first row.

    A text longer than its column wraps, and its row is made tall enough for it: on paper a long
    SMS text (发送内容) was cut at the column's edge, with the rest of the message lost.
    """
    widths = table.widths
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[_column_letter(index)].width = width
    title = text_cell(sheet, table.caption or table.title)
    title.font = TITLE_FONT
    sheet.append([title])
    sheet.append(header_cells(sheet, table.headers))
    for number, row in enumerate(table.rows, start=3):
        cells, lines = [], 1
        for index, value in enumerate(row):
            cell = text_cell(sheet, value)
            # From the top of the row, so a row made tall by one long text still reads across.
            cell.alignment = TOP
            if isinstance(value, str) and index < len(widths):
                needed = _lines(value, widths[index])
                if needed > 1:
                    cell.alignment = WRAPPED
                    lines = max(lines, needed)
            cells.append(cell)
        _set_height(sheet, number, min(lines, MOST_LINES))
        sheet.append(cells)


def _column_letter(index):
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


# --- the official layout (统计表 tables for leaders and reports) -----------------------------------

#: 未述 and other cells that must catch the eye: a light red fill with dark red text.
ALERT_FILL = PatternFill("solid", fgColor="FFC7CE")
ALERT_FONT = Font(name="Calibri", color="9C0006")
PERCENT_FORMAT = "0.0%"
THIN = Side(style="thin", color="000000")
#: Every cell of an official table (headers, data, 合计) has a thin border all round.
TABLE_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
#: Named as the workbook's default font: without a name LibreOffice falls back to a serif face.
TOTAL_FONT = Font(name="Calibri", bold=True)
#: Rows above the header rows: the merged title, then 制表单位 / 制表日期.
OFFICIAL_HEADER_ROW = 3
#: The footer of every printed page (Excel and LibreOffice fill in &P and &N).
PAGE_FOOTER = "第 &P 页 共 &N 页"


@dataclass
class BarChartSpec:
    """A native Excel bar chart drawn from columns (1-based, of the table's own columns) of the
    sheet's table; ``target_column`` adds a line of the target (100%) over the bars."""

    title: str
    category_column: int
    value_column: int
    y_title: str = ""
    percent: bool = True
    target_column: int | None = None


class TotalRow(tuple):
    """A 合计 row among or after a table's rows: bold, and without a 序号."""


@dataclass
class OfficialTable:
    """One sheet in the official (统计表) layout.

    Row 1 is the merged title, row 2 carries 制表单位 (left) and 制表日期 (right), then the header
    rows, then the rows. A header is a string, or a ``(group, header)`` pair: consecutive pairs of
    one group share a merged cell above their own headers (two-level headers), and a string header
    then spans both header rows. ``numbered`` puts a 序号 column first; column numbers given here
    (``percent_columns``, the chart's, ``frozen_columns``) count the table's own columns, without it.
    Header rows repeat on every printed page (A4 landscape, one page wide, numbered in the footer);
    every table cell has a thin border. ``percent_columns`` get the 0.0% format; a cell whose value
    is in ``alerts`` is highlighted; ``TotalRow`` rows are bold. ``autofilter`` puts filter buttons
    on the header row (detail sheets). ``notes`` are plain text lines written after the table.
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
    #: Columns (count from the left, without 序号) that stay in view when scrolling sideways.
    frozen_columns: int = 1
    chart: BarChartSpec | None = None
    notes: list = field(default_factory=list)
    numbered: bool = True
    autofilter: bool = False
    #: Columns whose text wraps (long explanations).
    wrap_columns: frozenset = frozenset()
    #: Columns whose text is centred (marks such as √, ×, 进行中).
    centred_columns: frozenset = frozenset()


def write_official(tables):
    """Write ``tables`` (``OfficialTable``) into one write-only workbook and return its bytes."""
    workbook = Workbook(write_only=True)
    for table in tables:
        _write_official_sheet(workbook, table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _display_width(text):
    """Columns a text needs in a cell: a CJK character takes two."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


#: Points per line of 11-point text, and the padding of a row (row heights are set, not left to the
#: program: LibreOffice keeps a wrapped row one line high when opening a file).
LINE_HEIGHT, ROW_PADDING = 14.5, 3


def _lines(text, width):
    """How many lines a text wraps to in a column ``width`` characters wide."""
    room = max(width - 1.5, 1)
    return sum(max(1, -(-_display_width(part) // int(room))) for part in str(text).split("\n"))


#: Cells of a plain list, and those of its texts that wrap.
TOP = Alignment(vertical="top")
WRAPPED = Alignment(wrap_text=True, vertical="top")
#: The most lines a row is given: Excel's tallest row is 409 points.
MOST_LINES = 28


def _set_height(sheet, row, lines):
    """Give a row the height of ``lines`` lines (write-only mode: before the row is appended)."""
    if lines > 1:
        sheet.row_dimensions[row] = {"ht": f"{lines * LINE_HEIGHT + ROW_PADDING:.1f}", "customHeight": "1"}


def _print_setup(sheet):
    """A4 landscape, one page wide and as many long as needed, centred, numbered in the footer."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top, sheet.page_margins.bottom = 0.6, 0.7
    sheet.oddFooter.center.text = PAGE_FOOTER
    sheet.oddFooter.center.size = 9


def _write_official_sheet(workbook, table):
    """One official sheet; settings that write-only mode needs before the first row come first."""
    sheet = workbook.create_sheet(clean_sheet_title(table.title))
    shift = 1 if table.numbered else 0
    headers = ([gettext("序号")] if table.numbered else []) + list(table.headers)
    widths = ([6] if table.numbered else []) + list(table.widths)
    columns = max(len(headers), 2)
    last = _column_letter(columns)
    grouped = any(isinstance(header, tuple) for header in headers)
    header_rows = 2 if grouped else 1
    leaf_row = OFFICIAL_HEADER_ROW + header_rows - 1
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[_column_letter(index)].width = width
    sheet.freeze_panes = f"{_column_letter(table.frozen_columns + shift + 1)}{leaf_row + 1}"
    sheet.print_title_rows = f"1:{leaf_row}"
    _print_setup(sheet)

    title = text_cell(sheet, table.caption or table.title)
    title.font = TITLE_FONT
    title.alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1] = {"ht": "24", "customHeight": "1"}
    sheet.append([title])
    sheet.merged_cells.add(f"A1:{last}1")
    _append_unit_row(sheet, table, widths, columns)
    _append_headers(sheet, headers, grouped, widths)

    count = 0
    cell_of = _DataCells(sheet, table, shift)
    number = 0
    wraps = [(index, widths[index + shift - 1]) for index in sorted(table.wrap_columns)]
    for row in table.rows:
        total = isinstance(row, TotalRow)
        if wraps:
            _set_height(sheet, leaf_row + count + 1,
                        max(_lines(row[index - 1] or "", width) for index, width in wraps))
        if table.numbered:
            number += 0 if total else 1
            first = [cell_of.bordered(None if total else number, total)]
        else:
            first = []
        cells = [cell_of(index, value, total) for index, value in enumerate(row, start=1)]
        sheet.append(first + cells + [cell_of.bordered(None, total)] * (columns - len(first) - len(cells)))
        count += 1
    for note in table.notes:
        sheet.append([text_cell(sheet, note)])

    if table.autofilter and count:
        sheet.auto_filter.ref = f"A{leaf_row}:{last}{leaf_row + count}"
    if table.chart is not None and count:
        _add_bar_chart(sheet, table.chart, leaf_row, count, shift, len(table.notes))


def _append_unit_row(sheet, table, widths, columns):
    """Row 2: 制表单位 on the left over as many columns as it needs to be read whole, 制表日期 on the
    right; when the table is too narrow for both, one merged cell says both."""
    needed = _display_width(table.unit) + 2
    span, room = 0, 0
    while span < columns and room < needed:
        room += widths[span] if span < len(widths) else 8.43
        span += 1
    last = _column_letter(columns)
    if span >= columns:
        both = text_cell(sheet, f"{table.unit}\u3000\u3000{table.made_on}".strip())
        sheet.append([both])
        sheet.merged_cells.add(f"A2:{last}2")
        return
    unit = text_cell(sheet, table.unit)
    made = text_cell(sheet, table.made_on)
    made.alignment = Alignment(horizontal="right")
    sheet.append([unit] + [None] * (span - 1) + [made])
    if span > 1:
        sheet.merged_cells.add(f"A2:{_column_letter(span)}2")
    if columns > span + 1:
        sheet.merged_cells.add(f"{_column_letter(span + 1)}2:{last}2")


def _header_cell(sheet, value):
    """One header cell: bold, shaded, centred, wrapped, bordered (also the covered cells of a merge,
    so the merged cell's border is drawn whole)."""
    cell = text_cell(sheet, value) if value is not None else WriteOnlyCell(sheet)
    cell.font = HEADER_FONT
    cell.fill = HEADER_FILL
    cell.border = TABLE_BORDER
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    return cell


def _append_headers(sheet, headers, grouped, widths):
    """The header row, or two: group labels merged across their columns above their own headers;
    an ungrouped header merged down both rows. Rows are as high as their longest header wraps."""
    def width(index):
        return widths[index] if index < len(widths) else 8.43

    leaves = [(header[1] if isinstance(header, tuple) else header) for header in headers]
    if not grouped:
        _set_height(sheet, OFFICIAL_HEADER_ROW, max(_lines(text, width(i)) for i, text in enumerate(leaves)))
        sheet.append([_header_cell(sheet, header) for header in headers])
        return
    _set_height(sheet, OFFICIAL_HEADER_ROW + 1,
                max(_lines(text, width(i)) for i, text in enumerate(leaves) if isinstance(headers[i], tuple)))
    spans = {}
    for index, header in enumerate(headers):
        if isinstance(header, tuple):
            spans.setdefault(header[0], []).append(width(index))
    _set_height(sheet, OFFICIAL_HEADER_ROW, max(_lines(group, sum(w)) for group, w in spans.items()))
    top, bottom = [], []
    row, below = OFFICIAL_HEADER_ROW, OFFICIAL_HEADER_ROW + 1
    index = 0
    while index < len(headers):
        header = headers[index]
        letter = _column_letter(index + 1)
        if not isinstance(header, tuple):
            top.append(_header_cell(sheet, header))
            bottom.append(_header_cell(sheet, None))
            sheet.merged_cells.add(f"{letter}{row}:{letter}{below}")
            index += 1
            continue
        group = header[0]
        end = index
        while end + 1 < len(headers) and isinstance(headers[end + 1], tuple) and headers[end + 1][0] == group:
            end += 1
        for position in range(index, end + 1):
            top.append(_header_cell(sheet, group if position == index else None))
            bottom.append(_header_cell(sheet, headers[position][1]))
        if end > index:
            sheet.merged_cells.add(f"{letter}{row}:{_column_letter(end + 1)}{row}")
        index = end + 1
    sheet.append(top)
    sheet.append(bottom)


class _DataCells:
    """Makes an official table's data cells as cheaply as the sheet allows (tens of thousands of rows).

    Every cell copies the style of one cell styled up front (bordered; percent, alert, date or bold
    as needed): assigning a font, a fill, a border or a format hashes it again for every cell. Text
    that a spreadsheet would read as a formula or an error code goes through ``text_cell``.
    """

    def __init__(self, sheet, table, shift):
        self.sheet, self.alerts = sheet, table.alerts
        self.percent_columns = frozenset(table.percent_columns)
        self.wrap_columns = frozenset(table.wrap_columns)
        self.centred_columns = frozenset(table.centred_columns)
        self.styles = {}
        middle = Alignment(vertical="center")
        for total in (False, True):
            self.styles[("plain", total)] = self._style(total, alignment=middle)
            self.styles[("percent", total)] = self._style(total, number_format=PERCENT_FORMAT)
            self.styles[("alert", total)] = self._style(
                total, fill=ALERT_FILL, font=ALERT_FONT, alignment=Alignment(horizontal="center", vertical="center"))
            self.styles[("day", total)] = self._style(total, number_format="yyyy-mm-dd")
            self.styles[("moment", total)] = self._style(total, number_format="yyyy-mm-dd hh:mm")
            self.styles[("wrap", total)] = self._style(
                total, alignment=Alignment(wrap_text=True, vertical="center"))
            self.styles[("centre", total)] = self._style(
                total, alignment=Alignment(horizontal="center", vertical="center"))

    def _style(self, total, **attributes):
        cell = WriteOnlyCell(self.sheet)
        cell.border = TABLE_BORDER
        if total:
            cell.font = TOTAL_FONT
        for name, value in attributes.items():
            setattr(cell, name, value)
        if total and "font" in attributes:
            cell.font = Font(name="Calibri", bold=True, color=attributes["font"].color)
        return cell._style

    def _cell(self, value, kind, total):
        # Row and column 1 as WriteOnlyCell gives: openpyxl names the cell while appending; the
        # writer sets the real position.
        return Cell(self.sheet, row=1, column=1, value=value, style_array=self.styles[(kind, total)])

    def bordered(self, value, total=False):
        """A plain bordered cell (序号, padding)."""
        return self._cell(value, "centre", total)

    def __call__(self, index, value, total=False):
        if isinstance(value, str):
            alert = value in self.alerts
            if value.startswith(FORMULA_TRIGGERS) or value in ERROR_CODES:
                cell = text_cell(self.sheet, value)
                cell.border = TABLE_BORDER
                if alert:
                    cell.fill, cell.font = ALERT_FILL, ALERT_FONT
                return cell
            if alert:
                kind = "alert"
            elif index in self.centred_columns:
                kind = "centre"
            else:
                kind = "wrap" if index in self.wrap_columns else "plain"
            return self._cell(value, kind, total)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return self._cell(value, "percent" if index in self.percent_columns else "plain", total)
        if isinstance(value, datetime):
            return self._cell(value, "moment", total)
        if isinstance(value, date):
            return self._cell(value, "day", total)
        if value is None:
            return self._cell(None, "plain", total)
        cell = text_cell(self.sheet, value)
        cell.border = TABLE_BORDER
        return cell


def _add_bar_chart(sheet, spec, header_row, count, shift, notes):
    """A clustered bar chart of the table's value column (its header names the series), with value
    labels, both axes shown, and the target column drawn as a line over the bars."""
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.chart.data_source import AxDataSource, StrRef
    from openpyxl.chart.label import DataLabelList

    chart = BarChart()
    chart.type = "col"
    chart.title = spec.title
    chart.y_axis.title = spec.y_title or None
    # Excel may hide axes left unspecified; LibreOffice shows them either way.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    if spec.percent:
        chart.y_axis.number_format = PERCENT_FORMAT
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1.1
        chart.y_axis.majorUnit = 0.2
    data = Reference(sheet, min_col=spec.value_column + shift, min_row=header_row, max_row=header_row + count)
    categories = Reference(sheet, min_col=spec.category_column + shift, min_row=header_row + 1,
                           max_row=header_row + count)
    chart.add_data(data, titles_from_data=True)
    # Category labels are text (term or township names): a string reference, so Excel shows the
    # names rather than 1, 2, 3 (set_categories would make a numeric one).
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=str(categories)))
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showVal = True
    chart.dataLabels.showSerName = chart.dataLabels.showCatName = False
    chart.dataLabels.showLegendKey = chart.dataLabels.showPercent = False
    chart.dataLabels.position = "outEnd"
    chart.dataLabels.numFmt = PERCENT_FORMAT if spec.percent else None
    if spec.target_column is not None:
        line = LineChart()
        target = Reference(sheet, min_col=spec.target_column + shift, min_row=header_row,
                           max_row=header_row + count)
        line.add_data(target, titles_from_data=True)
        for series in line.series:
            series.cat = AxDataSource(strRef=StrRef(f=str(categories)))
            series.graphicalProperties.line.solidFill = "C00000"
            series.graphicalProperties.line.width = 28575  # 2.25 pt
            series.graphicalProperties.line.dashStyle = "dash"
            series.smooth = False
        line.y_axis.axId = chart.y_axis.axId
        line.y_axis.delete = False
        line.x_axis.delete = False
        chart += line
    chart.legend.position = "b"
    chart.width, chart.height = 16, 8
    anchor_row = header_row + count + notes + 3
    sheet.add_chart(chart, f"B{anchor_row}")
