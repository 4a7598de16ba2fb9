"""The roster workbook (代表名单): the one layout the export writes and the import reads.

The export is the import template filled with data, so a roster can go round — export, edit in
Excel, import back — without renaming columns. The columns are defined here, next to the data
they hold; ``liaison.imports.roster`` reads them. The workbook offers drop-downs for every column
whose values come from a fixed list (性别, 层级, 终止原因) or from the network (乡镇, 选区, 联络站,
代表之家: a hidden sheet of names), and prints one page wide, landscape, with the title and the
header row on every page.
"""
import io
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from liaison.deputies.models import EndReason
from liaison.exports.xlsx import CHOICE_ROWS, TITLE_FONT, fill_table_sheet, header_cells, text_cell
from liaison.extensions import db
from liaison.network.models import Station, StationKind
from liaison.terms.models import NAME_PREFIXES
from liaison.townships.models import ADMINISTRATIVE_ORDER, ElectoralDistrict, Township
from liaison.uploads import clean_sheet_title


@dataclass(frozen=True)
class Column:
    """A roster column: its key, its header in the template, other headers people use for it."""

    key: str
    header: str
    aliases: tuple = ()
    required: bool = False
    width: int = 12


#: The template's columns, in order. Headers are part of the file format: always Chinese.
COLUMNS = (
    Column("name", "姓名", ("代表姓名",), required=True, width=10),
    Column("gender", "性别", required=True, width=6),
    Column("ethnicity", "民族", width=8),
    Column("mobile", "手机号码", ("手机号", "手机"), required=True, width=14),
    Column("level", "层级", ("级别",), required=True, width=6),
    Column("ordinal", "届次", ("届别",), required=True, width=14),
    Column("township", "乡镇（街道）", ("乡镇街道", "乡镇/街道", "乡镇、街道"), required=True, width=14),
    Column("district", "选区", width=12),
    Column("station", "联络站", ("代表联络站",), width=20),
    Column("home", "代表之家", width=20),
    Column("start_date", "任职开始", ("任职开始日期",), required=True, width=12),
    Column("end_date", "任职结束", ("任职结束日期", "提前终止", "终止日期"), width=12),
    Column("end_reason", "终止原因", width=22),
)
HEADERS = tuple(c.header for c in COLUMNS)
HEADER_OF = {c.key: c.header for c in COLUMNS}
#: 1-based column numbers by key.
NUMBER_OF = {c.key: i for i, c in enumerate(COLUMNS, start=1)}
#: The 层级 column's words (全国, 市, 区, 乡镇) by level value.
LEVEL_WORDS = dict(NAME_PREFIXES)

ROSTER_SHEET = "代表名单"
#: The hidden sheet the network drop-downs read their names from.
NAMES_SHEET = "名称"
#: Rows above the data: the title, then the header row.
HEADER_ROW = 2
#: Data rows that offer the drop-downs beyond the filled ones (room to add people).
SPARE_ROWS = 2000


def end_reasons():
    """The 代表法 reasons by their Chinese labels, whatever language the reader has chosen."""
    with force_locale("zh_CN"):
        return {str(reason.label): reason for reason in EndReason}


def network_names():
    """The names the drop-downs offer, each list once per name, in administrative order."""
    townships = db.session.scalars(sa.select(Township.name).order_by(*ADMINISTRATIVE_ORDER)).all()
    districts = db.session.scalars(
        sa.select(ElectoralDistrict.name).join(Township, Township.id == ElectoralDistrict.township_id)
        .order_by(*ADMINISTRATIVE_ORDER, ElectoralDistrict.name)).all()

    def places(kind):
        return db.session.scalars(
            sa.select(Station.name).join(Township, Township.id == Station.township_id)
            .where(Station.kind == kind).order_by(*ADMINISTRATIVE_ORDER, Station.name_sort_key)).all()

    return {"township": _once(townships), "district": _once(districts),
            "station": _once(places(StationKind.station)), "home": _once(places(StationKind.home))}


def _once(names):
    return list(dict.fromkeys(n for n in names if n))


def reason_labels():
    """The 终止原因 column's words by reason (Chinese, as the import reads them)."""
    return {reason: label for label, reason in end_reasons().items()}


def roster_row(mandate_row, mobile, reasons=None):
    """One exported row in the template's column order (``mobile``: full or masked, as allowed;
    ``reasons``: ``reason_labels()``, made once for many rows)."""
    r = mandate_row
    reasons = reasons or reason_labels()
    return [r.name, "男" if r.gender.value == "male" else "女", r.ethnicity or "", mobile,
            LEVEL_WORDS[r.level.value], r.term, r.township, r.district or "", r.station or "", r.home or "",
            r.start_date, r.end_date, reasons[r.end_reason] if r.end_reason else ""]


def write_roster_book(rows, caption, names, extra_tables=()):
    """The roster workbook: the 代表名单 sheet with ``rows`` under the header, drop-downs and print
    settings; then ``extra_tables`` (``liaison.exports.xlsx.Table``, e.g. the template's 说明); last
    the hidden sheet of names. Returns the bytes."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(ROSTER_SHEET)
    last = get_column_letter(len(COLUMNS))
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = f"B{HEADER_ROW + 1}"
    # One page wide, landscape, the title and header row repeated on every printed page.
    sheet.print_title_rows = f"1:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    rows = list(rows)
    end = max(CHOICE_ROWS, HEADER_ROW + len(rows) + SPARE_ROWS)
    fixed = {"gender": ["男", "女"], "level": list(dict.fromkeys(LEVEL_WORDS.values())),
             "end_reason": list(end_reasons())}
    for key, values in fixed.items():
        _validation(sheet, key, '"{}"'.format(",".join(values)), end)
    sheet_ref = clean_sheet_title(NAMES_SHEET)
    for index, key in enumerate(("township", "district", "station", "home"), start=1):
        count = len(names.get(key, ()))
        if count:
            letter = get_column_letter(index)
            _validation(sheet, key, f"'{sheet_ref}'!${letter}$2:${letter}${count + 1}", end)

    title = text_cell(sheet, caption)
    title.font = TITLE_FONT
    title.alignment = Alignment(horizontal="left", vertical="center")
    sheet.append([title])
    sheet.merged_cells.add(f"A1:{last}1")
    sheet.append(header_cells(sheet, HEADERS))
    for row in rows:
        sheet.append([text_cell(sheet, value) if value not in (None, "") else None for value in row])

    for table in extra_tables:
        fill_table_sheet(workbook.create_sheet(clean_sheet_title(table.title)), table)

    hidden = workbook.create_sheet(sheet_ref)
    hidden.sheet_state = "hidden"
    lists = [names.get(k, []) for k in ("township", "district", "station", "home")]
    hidden.append([HEADER_OF[k] for k in ("township", "district", "station", "home")])
    for i in range(max((len(v) for v in lists), default=0)):
        hidden.append([text_cell(hidden, v[i]) if i < len(v) else None for v in lists])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _validation(sheet, key, formula, end):
    """A drop-down on the column's data cells; other values are still allowed (the import says why
    a name is wrong, with the valid ones), so an office's pasted values are not blocked."""
    letter = get_column_letter(NUMBER_OF[key])
    validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False)
    validation.add(f"{letter}{HEADER_ROW + 1}:{letter}{end}")
    sheet.data_validations.append(validation)
