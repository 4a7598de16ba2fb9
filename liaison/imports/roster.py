"""Reading and checking a roster workbook (代表名单): columns, cell formats, names, cross-row and domain rules.

Nothing here writes. ``plan_roster`` turns an uploaded workbook into a ``RosterPlan``: either the
problems (each naming the row as Excel numbers it, the column and what is wrong, in Chinese) or,
for a file without problems, each row's resolved records and what it would change. The domain
rules are the deputies operations' own (``clean_person``, ``check_mandate``); the writes in
``liaison.imports.operations`` go through the same operations, which check once more.
"""
import csv
import io
import logging
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

import openpyxl
from openpyxl.worksheet.cell_range import CellRange
from flask_babel import lazy_gettext as _l

from liaison.deputies.models import Deputy, EndReason, Gender, last_day_held_in
from liaison.deputies.roster_book import (COLUMNS, HEADER_OF, HEADERS, end_reasons,  # noqa: F401 (HEADERS re-exported)
                                          network_names, write_roster_book)
from liaison.deputies.operations import check_mandate, clean_person
from liaison.errors import InvalidInput
from liaison.exports.xlsx import Table
from liaison.extensions import db
from liaison.imports.queries import Directory
from liaison.network.models import StationKind
from liaison.terms.models import NAME_PREFIXES, Level, Term
from liaison.text import ETHNIC_GROUPS, chinese_numeral, is_mobile, mask_mobile, normalize_mobile
from liaison.uploads import decode_table_text

log = logging.getLogger(__name__)

#: More rows than any district's roster; a bigger file is a mistake (or an attack on memory).
MAX_ROWS = 20000
#: The header row is looked for among the first rows (the template has a title row above it).
HEADER_SEARCH_ROWS = 10


_ORDER = {c.key: i for i, c in enumerate(COLUMNS)}

#: Which column a deputies-operations error is about, by the form field it names.
FIELD_COLUMNS = {
    "name": "name", "gender": "gender", "ethnicity": "ethnicity", "mobile": "mobile",
    "term_id": "ordinal", "township_id": "township", "electoral_district_id": "district",
    "home_id": "home", "station_id": "station", "start_date": "start_date", "end_date": "end_date",
    "end_reason": "end_reason",
}

GENDERS = {"男": Gender.male, "男性": Gender.male, "女": Gender.female, "女性": Gender.female}
LEVELS = {prefix: Level(value) for value, prefix in NAME_PREFIXES.items()}
_NUMERALS = {chinese_numeral(n): n for n in range(1, 100)}
#: 2021-12-01, 2021/12/1, 2021年12月1日, 2021.12.1, optionally followed by a time of day.
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                   r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")

NOT_A_TABLE = _l("这不是 Excel 工作簿（.xlsx）或 CSV 文件，无法读取。")
UNREADABLE = _l("无法读取这个 Excel 文件，请在 Excel 中打开后另存为 .xlsx 再上传。")


def _header_key(value):
    """A header as compared: full-width brackets made ASCII, spaces and required-marks (*) dropped."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"[\s*＊]", "", text)


_HEADER_KEYS = {_header_key(name): c.key for c in COLUMNS for name in (c.header, *c.aliases)}


# --- problems and the plan --------------------------------------------------------------------

@dataclass
class Problem:
    """One thing wrong with the file: row as Excel numbers it (None for the whole file), column key."""

    row: int | None
    column: str | None
    message: object

    @property
    def text(self):
        """The message as shown: "第 N 行「列」：…"."""
        if self.row and self.column:
            return _l("第 %(row)s 行「%(column)s」：%(problem)s",
                      row=self.row, column=HEADER_OF[self.column], problem=self.message)
        if self.row:
            return _l("第 %(row)s 行：%(problem)s", row=self.row, problem=self.message)
        return self.message

    def __str__(self):
        return str(self.text)

    def sort_key(self):
        """File problems first, then by row and column order."""
        return self.row or 0, _ORDER.get(self.column, -1)


@dataclass
class Change:
    """One field a row changes on a record already stored."""

    column: str
    old: object
    new: object

    @property
    def text(self):
        """The change as shown: 列：旧 → 新."""
        return _l("%(column)s：%(old)s → %(new)s", column=HEADER_OF[self.column], old=_shown(self.old),
                  new=_shown(self.new))


def _shown(value):
    """A stored value as the report shows it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, date):
        return value.isoformat()
    label = getattr(value, "label", None)
    if label is not None:
        return label
    return getattr(value, "name", value)


@dataclass
class RowPlan:
    """One valid row with the records it names and what it would change."""

    number: int
    name: str
    gender: Gender
    ethnicity: str | None  # None: leave as stored (汉族 for a new person)
    mobile: str
    term: object
    township: object
    district: object
    station: object  # None: leave as stored
    home: object  # None: leave as stored
    start_date: date
    end_date: date | None  # None with end_reason None: leave as stored
    end_reason: EndReason | None
    deputy: Deputy | None = None  # the person already stored under this mobile number
    mandate: object = None  # their mandate already stored in this term
    new_person: bool = False  # the first row of a person not stored yet
    person_changes: list = field(default_factory=list)
    mandate_changes: list = field(default_factory=list)
    end_changes: bool = False
    cells: dict = field(default_factory=dict, repr=False)  # the row's cells as read (duplicate checks)

    @property
    def action(self):
        """new (a new mandate), updated, or unchanged."""
        if self.mandate is None:
            return "new"
        return "updated" if self.person_changes or self.mandate_changes else "unchanged"

    @property
    def who(self):
        """The person as the report names them: name and masked mobile number."""
        return f"{self.name}（{mask_mobile(self.mobile)}）"

    def mandate_fields(self):
        """The keyword arguments of create_mandate / update_mandate."""
        mandate = self.mandate
        home = self.home if self.home is not None else (mandate.home if mandate else None)
        station = self.station if self.station is not None else (mandate.station if mandate else None)
        return {
            "term_id": self.term.id, "township_id": self.township.id,
            "electoral_district_id": self.district.id if self.district else None,
            "home_id": home.id if home else None, "station_id": station.id if station else None,
            "start_date": self.start_date,
            # The template has no by-election column: a seat starting after the term did is a 补选.
            "by_election": mandate.by_election if mandate else self.start_date > self.term.start_date,
        }


@dataclass
class RosterPlan:
    """What a roster file would do: its problems, or each row's plan."""

    rows: list
    problems: list
    row_count: int = 0
    #: What the check did with the file (merged cells, hidden rows, spaces, footer, dates): ``Note``.
    notes: list = field(default_factory=list)

    @property
    def ok(self):
        """True when the file can be written."""
        return not self.problems

    @property
    def counts(self):
        """Rows, new people, and rows that add a mandate, update, or change nothing."""
        actions = [r.action for r in self.rows]
        return {
            "rows": self.row_count, "new_people": sum(r.new_person for r in self.rows),
            "new": actions.count("new"), "updated": actions.count("updated"),
            "unchanged": actions.count("unchanged"),
        }

    @property
    def summary(self):
        """The one-line report: 共 N 行：新增 a 人，更新 b 项，未变 c 项，新增代表资格 d 项。"""
        c = self.counts
        return _l("共 %(rows)s 行：新增 %(people)s 人，更新 %(updated)s 项，未变 %(unchanged)s 项，新增代表资格 %(mandates)s 项。",
                  rows=c["rows"], people=c["new_people"], updated=c["updated"], unchanged=c["unchanged"],
                  mandates=c["new"])

    @property
    def changed_rows(self):
        """The rows that add or change something."""
        return [r for r in self.rows if r.action != "unchanged"]

    def audit_detail(self, filename=""):
        """The audit trail's note: counts only, no names or numbers."""
        c = self.counts
        detail = (f"roster rows={c['rows']} new={c['new']} updated={c['updated']} unchanged={c['unchanged']} "
                  f"new_people={c['new_people']}")
        return f"{detail} file={filename[:100]}" if filename else detail


# --- reading the file -------------------------------------------------------------------------

@dataclass
class Note:
    """Something the check did with the file as an office made it, said on the result page.

    ``warning``: rows were left out (hidden rows); the rest are readings (merged cells filled down,
    spaces removed, a footer ignored, a text date read). Notes never stop an import: problems do.
    """

    message: object
    warning: bool = False

    @property
    def text(self):
        return self.message

    def __str__(self):
        return str(self.message)


@dataclass
class RawRow:
    """A non-empty row as read: its row number (as Excel or a text editor numbers it), its cells by
    column key, and every value of the row (a footer may sit in any column)."""

    number: int
    cells: dict
    values: tuple = ()


#: A footer line's first cell: 填报人：…, 联系电话 0571-…, 审核人, 日期：… (R17).
_FOOTER = re.compile(r"(填报人|填表人|制表人|经办人|联系人|联系电话|电话|审核人|审核|负责人|分管领导|签字|签名|盖章|"
                     r"填报单位|报送单位|制表单位|填报日期|填表日期|制表日期|报送日期|日期)(\s*[:：].*|\s.*|)",
                     re.S)


def rows_text(numbers):
    """Row numbers as a short list: 7、9、12–14."""
    numbers, parts, start = sorted(set(numbers)), [], None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            parts.append(str(start) if start == n else f"{start}–{n}")
            start = None
    return "、".join(parts)


def read_roster(stream):
    """Read the roster from an .xlsx workbook or a CSV file (UTF-8 or GBK).

    Returns ``(rows, problems, notes)``; problems concern the whole file.
    """
    data = stream.read() if hasattr(stream, "read") else stream
    if not data.startswith(b"PK"):
        return _read_csv(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # an untrusted file: openpyxl fails in many ways on broken parts
        log.warning("roster workbook unreadable: %s", error.__class__.__name__)
        return [], [Problem(None, None, UNREADABLE)], []
    try:
        return _read_sheets(workbook)
    except Exception as error:  # the same, for parts openpyxl only parses while iterating
        log.warning("roster sheet unreadable: %s", error.__class__.__name__)
        return [], [Problem(None, None, UNREADABLE)], []
    finally:
        workbook.close()


class _SheetRows:
    """A read-only sheet's rows as ``(number, values)``, streamed, with what read-only mode hides:
    which rows are hidden (seen while streaming) and the merged ranges (after the last row)."""

    def __init__(self, sheet):
        self.sheet, self.hidden, self.merged = sheet, set(), []

    def __iter__(self):
        from openpyxl.worksheet._reader import WorkSheetParser

        workbook = self.sheet.parent
        with self.sheet._get_source() as source:
            parser = WorkSheetParser(source, self.sheet._shared_strings, data_only=True, epoch=workbook.epoch,
                                     date_formats=workbook._date_formats,
                                     timedelta_formats=workbook._timedelta_formats)
            for number, cells in parser.parse():
                # Excel writes hidden="1", LibreOffice hidden="true".
                if str(parser.row_dimensions.get(str(number), {}).get("hidden", "")).lower() in ("1", "true"):
                    self.hidden.add(number)
                yield number, self.sheet._get_row(cells, 1, None, values_only=True) if cells else ()
            if parser.merged_cells is not None:
                self.merged = [CellRange(m.ref) for m in parser.merged_cells.mergeCell if m.ref]


def _read_sheets(workbook):
    """Find the first sheet with a roster header row and read the rows below it."""
    for sheet in workbook.worksheets:
        if getattr(sheet, "sheet_state", "visible") != "visible":
            continue  # the template's hidden sheet of names
        source = _SheetRows(sheet)
        rows = iter(source)
        for number, values in rows:
            if number > HEADER_SEARCH_ROWS:
                break
            columns, twice = _match_headers(values)
            if "name" in columns and "mobile" in columns:
                return _read_body(rows, number, columns, twice, source)
    return [], [Problem(None, None, _l(
        "没有找到表头行：前 %(n)s 行中应有一行列名，包括「姓名」「手机号码」等。请下载导入模板，按模板填写。",
        n=HEADER_SEARCH_ROWS))], []


def _read_csv(data):
    """A CSV file as Excel saves it: UTF-8 (with or without BOM) or GBK, comma- or tab-separated."""
    decoded = decode_table_text(data)
    if decoded is None:
        return [], [Problem(None, None, NOT_A_TABLE)], []
    text, encoding = decoded
    notes = [Note(_l("CSV 文件按 GBK（简体中文）编码读取。"))] if encoding == "gb18030" else []
    lines = text.splitlines()
    first = next((line for line in lines[:HEADER_SEARCH_ROWS] if "姓名" in line), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    numbered = enumerate(csv.reader(lines, delimiter=delimiter), start=1)
    for number, values in numbered:
        if number > HEADER_SEARCH_ROWS:
            break
        columns, twice = _match_headers(values)
        if "name" in columns and "mobile" in columns:
            rows, problems, read_notes = _read_body(numbered, number, columns, twice, None)
            return rows, problems, notes + read_notes
    return [], [Problem(None, None, _l(
        "没有找到表头行：前 %(n)s 行中应有一行列名，包括「姓名」「手机号码」等。请下载导入模板，按模板填写。",
        n=HEADER_SEARCH_ROWS))], []


def _match_headers(values):
    """Column positions by key for one row of headers, and the keys found twice."""
    columns, twice = {}, []
    for index, value in enumerate(values or ()):
        key = _HEADER_KEYS.get(_header_key(value))
        if key is None:
            continue
        if key in columns:
            twice.append(key)
        else:
            columns[key] = index
    return columns, twice


def _read_body(rows, header_number, columns, twice, source):
    """The data rows under the header as an office fills them (R17).

    Vertically merged cells are filled down, hidden rows left out, a footer (填报人, 联系电话, 审核人,
    日期) ignored — each said in a note. ``source``: the sheet's ``_SheetRows`` (None for a CSV).
    """
    problems = [Problem(None, None, _l("表头中「%(column)s」列出现了不止一次，请只保留一列。", column=HEADER_OF[key]))
                for key in twice]
    missing = [c.header for c in COLUMNS if c.required and c.key not in columns]
    if missing:
        problems.append(Problem(None, None, _l("表头缺少这些列：%(columns)s。请下载导入模板，按模板的列名填写。",
                                               columns="、".join(missing))))
    if problems:
        return [], problems, []
    body = {}
    for number, values in rows:
        # Every row counts, empty ones too: a small file can hold millions of empty <row> elements
        # (or one far-off row), and reading them uncounted kept a worker busy for a minute.
        if number - header_number > MAX_ROWS:
            return [], [Problem(None, None, _l(
                "文件超过 %(n)s 行（空行也计算在内）。请删除表格下方多余的空行，或分成几个文件导入。", n=MAX_ROWS))], []
        if any(_text(v) != "" for v in values):
            body[number] = list(values)
    notes = []
    footer = _footer(body)
    if footer:
        for number in footer:
            del body[number]
        notes.append(Note(_l("第 %(rows)s 行是表尾（填报人、联系电话、审核人、日期等），不是代表名单，已忽略。",
                             rows=rows_text(footer))))
    if source is not None:
        notes += _fill_merged(body, source.merged, header_number, columns)
        hidden = sorted(n for n in body if n in source.hidden)
        if hidden:
            for number in hidden:
                del body[number]
            notes.append(Note(_l("第 %(rows)s 行是隐藏行，没有导入。如果这些代表也要导入，请在 Excel 中取消隐藏后重新上传。",
                                 rows=rows_text(hidden)), warning=True))
    result = []
    for number, values in sorted(body.items()):
        cells = {key: (values[i] if i < len(values) else None) for key, i in columns.items()}
        if all(_text(v) == "" for v in cells.values()):
            continue  # something outside the roster's columns (a remark beside the table)
        result.append(RawRow(number, cells, tuple(values)))
    if not result:
        return [], [Problem(None, None, _l("表头下面没有代表数据。"))], notes
    return result, [], notes


def _footer(body):
    """The rows of a footer block at the end of the sheet: each line's first filled cell starts with
    填报人, 联系电话, 审核人, 日期 or the like (usually below a blank row; directly under the table
    too, since no deputy's row starts that way)."""
    footer = []
    for number in sorted(body, reverse=True):
        first = next((_text(v) for v in body[number] if _text(v) != ""), "")
        if not _FOOTER.fullmatch(unicodedata.normalize("NFKC", first)):
            break
        footer.append(number)
    return sorted(footer)


def _fill_merged(body, merged, header_number, columns):
    """Copy a vertically merged cell's value into every row of its block; a note per block."""
    notes, keys = [], {index: key for key, index in columns.items()}
    for block in sorted(merged, key=lambda r: (r.min_col, r.min_row)):
        key = keys.get(block.min_col - 1)
        if key is None or block.max_row == block.min_row or block.min_row <= header_number:
            continue
        top = body.get(block.min_row)
        value = top[block.min_col - 1] if top is not None and block.min_col - 1 < len(top) else None
        if _text(value) == "":
            continue
        filled = []
        for number in range(block.min_row + 1, block.max_row + 1):
            values = body.get(number)
            if values is None:
                continue  # a blank row inside the block stays blank
            while len(values) < block.min_col:
                values.append(None)
            # What Excel shows is the top cell: a value hidden under the merge (LibreOffice can keep
            # one) is not what the office sees, so the top value wins.
            values[block.min_col - 1] = value
            filled.append(number)
        if filled:
            notes.append(Note(_l("第 %(rows)s 行「%(column)s」是合并单元格，已把“%(value)s”填入其中每一行。",
                                 rows=rows_text([block.min_row, *filled]), column=HEADER_OF[key],
                                 value=_text(value))))
    return notes


# --- cells ------------------------------------------------------------------------------------

class _Bad(Exception):
    """A cell that cannot be read; ``message`` says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _text(value):
    """A cell as text: numbers without a trailing .0, dates in ISO form, surrounding spaces dropped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _plain(value):
    """A cell's text for matching words and numbers: full-width characters made ordinary."""
    return unicodedata.normalize("NFKC", _text(value)).strip()


def _required(text):
    """Refuse an empty cell."""
    if not text:
        raise _Bad(_l("必须填写。"))
    return text


#: A number as the export masks it: 138****1234 (full-width asterisks too, once NFKC-normalised).
MASKED_MOBILE = re.compile(r"(1\d{2})\*{4}(\d{4})")


def read_mobile(value):
    """The normalised mobile number of a cell, or raise ``_Bad``."""
    text = _required(_plain(value))
    mobile = normalize_mobile(text)
    if re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", mobile):
        # Excel showed the number as 1.39E+10 and saved the CSV as shown: the digits are lost.
        raise _Bad(_l("“%(value)s”是 Excel 以科学计数法显示的号码，保存成 CSV 时号码已丢失。请把该列设为“文本”格式"
                      "重新填写，或直接上传 .xlsx 文件。", value=text))
    if not is_mobile(mobile):
        raise _Bad(_l("%(value)s 不是 11 位手机号码。", value=text))
    return mobile


def masked_mobile(value):
    """The (first three, last four) digits of a masked number such as 138****1234, else None."""
    match = MASKED_MOBILE.fullmatch(normalize_mobile(_plain(value)))
    return match.groups() if match else None


def read_name(value):
    """A name with its inner spaces collapsed (R17): none between Chinese characters (张 三, 李　四),
    one between Latin words. Returns ``(name, changed)``."""
    typed = _text(value)
    name = re.sub(r"\s+", " ", typed.replace("\u3000", " ")).strip()
    name = re.sub(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])", "", name)
    return _required(name), name != typed


#: Text dates with a month but no day: 2022年1月, 2022.01, 2022-1, 2022/1 (R17).
_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")
#: 20220110: eight digits, year month day.
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


def read_day_noted(value):
    """A date from a real Excel date or typed text (2021-12-01, 2021/12/1, 2021年12月1日, 2021.12.1), as
    ``(date, how)``: ``how`` is None for a full date, "month" for a month read as its first day,
    "compact" for 20220110 read as that day (R17)."""
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    text = _plain(value)
    if isinstance(value, float) and re.fullmatch(r"\d{4}\.1", text):
        # Excel keeps 2022.10 typed in a number cell as the number 2022.1: January or October?
        raise _Bad(_l("“%(value)s”是数字，看不出是 1 月还是 10 月（Excel 会把 2022.10 存成 2022.1）。"
                      "请写成 2022-10-01 或 2022年10月，或使用 Excel 的日期格式。", value=text))
    parts, how = None, None
    match = _DATE.fullmatch(text)
    if match:
        parts = [int(p) for p in match.groups()]
    elif _MONTH.fullmatch(text):
        parts, how = [*(int(p) for p in _MONTH.fullmatch(text).groups()), 1], "month"
    elif _COMPACT.fullmatch(text):
        parts, how = [int(p) for p in _COMPACT.fullmatch(text).groups()], "compact"
    if parts is None:
        raise _Bad(_l("“%(value)s”不是日期。请写成 2021-12-01、2021/12/1、2021年12月1日 或 2021.12.1，"
                      "或使用 Excel 的日期格式。", value=text))
    try:
        return date(*parts), how
    except ValueError:
        raise _Bad(_l("“%(value)s”不是有效的日期（没有这一天）。", value=text)) from None


def read_ordinal(value):
    """A term's ordinal: 8, 八, 第八届 or 第8届."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == int(value) and value > 0:
        return int(value)
    text = _plain(value)
    core = text.removeprefix("第").removesuffix("届")
    if core.isdigit() and int(core) > 0:
        return int(core)
    if core in _NUMERALS:
        return _NUMERALS[core]
    raise _Bad(_l("“%(value)s”不是届次。请写届次的序号，如 8、八 或 第八届。", value=text))


def read_level(value):
    """全国, 市, 区 or 乡镇 (a trailing 级 or 人大 is tolerated)."""
    text = _required(_plain(value))
    core = re.sub(r"(级|人大代表|人大)$", "", text)
    if core not in LEVELS:
        raise _Bad(_l("“%(value)s”不是层级。请填写 全国、市、区 或 乡镇。", value=text))
    return LEVELS[core]


def read_gender(value):
    """男 or 女 (男性, 女性 too)."""
    text = _required(_plain(value))
    if text not in GENDERS:
        raise _Bad(_l("“%(value)s”不是性别。请填写“男”或“女”。", value=text))
    return GENDERS[text]


def read_ethnicity(value):
    """An ethnic group's full name (汉 is read as 汉族); blank means none given."""
    text = _plain(value)
    if not text:
        return None
    for candidate in (text, text + "族"):
        if candidate in ETHNIC_GROUPS:
            return candidate
    raise _Bad(_l("“%(value)s”不是民族名称。请写全称，如“汉族”“回族”。", value=text))


def read_end_reason(value, reasons):
    """One of the 代表法 reasons, by its label or an unambiguous part of it (辞职, 罢免)."""
    text = _plain(value)
    if not text:
        return None
    if text in reasons:
        return reasons[text]
    matches = [reason for label, reason in reasons.items() if len(text) >= 2 and text in label]
    if len(matches) == 1:
        return matches[0]
    raise _Bad(_l("“%(value)s”不是代表法规定的终止原因。请填写其中之一：%(reasons)s。",
                  value=text, reasons="、".join(reasons)))


# --- checking the rows ------------------------------------------------------------------------

def plan_roster(stream):
    """Read and check a roster workbook or CSV file against the database; write nothing."""
    raw_rows, problems, notes = read_roster(stream)
    if problems:
        return RosterPlan(rows=[], problems=problems, row_count=len(raw_rows), notes=notes)
    masked = _resolve_masked(raw_rows)
    mobiles = {m for m in masked.values() if isinstance(m, str)}
    for raw in raw_rows:
        try:
            mobiles.add(read_mobile(raw.cells.get("mobile")))
        except _Bad:
            pass
    plan = check_rows(raw_rows, Directory(mobiles), masked)
    plan.notes = notes + plan.notes
    return plan


def _resolve_masked(raw_rows):
    """Row number → the stored full number for each row whose number is masked (138****1234), or a
    ``_Bad`` saying why it cannot be matched (R17).

    A masked number comes from an export: it means "the number stored for this person, unchanged".
    The person is the one stored with those first three and last four digits and the row's name;
    when nobody with that name has them, the only person with them (whose name the row then corrects).
    """
    wanted = {}
    for raw in raw_rows:
        parts = masked_mobile(raw.cells.get("mobile"))
        if parts:
            wanted[raw.number] = parts
    if not wanted:
        return {}
    by_mask = defaultdict(list)
    for mobile, name in Directory.people_by_mask({parts for parts in wanted.values()}):
        by_mask[(mobile[:3], mobile[-4:])].append((mobile, name))
    result = {}
    for raw in raw_rows:
        parts = wanted.get(raw.number)
        if parts is None:
            continue
        shown = f"{parts[0]}****{parts[1]}"
        candidates = by_mask.get(parts, [])
        try:
            name = read_name(raw.cells.get("name"))[0]
        except _Bad:
            name = ""
        named = [mobile for mobile, stored in candidates if _same_name(stored, name)]
        if len(named) == 1 or (not named and len(candidates) == 1):
            result[raw.number] = (named or [candidates[0][0]])[0]
        elif not candidates:
            result[raw.number] = _Bad(_l(
                "“%(mobile)s”隐去了中间四位，系统中没有号码相符的代表。新增代表或更换号码，请填写完整的 11 位手机号码。",
                mobile=shown))
        else:
            result[raw.number] = _Bad(_l(
                "系统中有 %(n)s 位代表的号码是“%(mobile)s”，无法确定是哪一位。请填写完整的 11 位手机号码。",
                n=len(named) or len(candidates), mobile=shown))
    return result


def _same_name(stored, name):
    """The stored name and the row's, both with inner spaces collapsed."""
    return read_name(stored)[0] == name if stored else False


def check_rows(raw_rows, directory, masked=None):
    """Check every row, then the rows against each other, then the domain rules; return the plan.

    Every problem is found in this one pass (R17): rows with a bad cell still take part in the
    cross-row checks (duplicates) with the cells that could be read.
    """
    reasons, masked = end_reasons(), masked or {}
    problems, planned, partial, said = [], [], [], _Said()
    for raw in raw_rows:
        row, row_problems, values = _parse_row(raw, directory, reasons, masked, said)
        problems += row_problems
        if row is not None:
            planned.append(row)
        else:
            partial.append(values)
    problems += _check_across_rows(planned + partial)
    bad_rows, seen = {p.row for p in problems}, set()
    for row in planned:
        first = row.mobile not in seen
        seen.add(row.mobile)
        if row.number not in bad_rows:
            problems += _compare_and_check(row, first)
    problems.sort(key=Problem.sort_key)
    return RosterPlan(rows=[] if problems else planned, problems=problems, row_count=len(raw_rows),
                      notes=said.notes())


class _Said:
    """The readings of cells worth a note, gathered by kind and value with their rows (R17)."""

    def __init__(self):
        self.names, self.dates, self.masked = [], defaultdict(list), []

    def notes(self):
        notes = []
        if self.masked:
            notes.append(Note(_l("第 %(rows)s 行的手机号码隐去了中间四位（导出的名单），按系统中已登记的号码处理，号码不变。",
                                 rows=rows_text(self.masked))))
        if self.names:
            notes.append(Note(_l("「姓名」中的空格已去掉：%(names)s。", names="，".join(
                f"第 {n} 行“{typed}”→“{name}”" for n, typed, name in self.names))))
        for (key, text, day, how), rows in self.dates.items():
            if how == "month":
                message = _l("「%(column)s」“%(value)s”只写到月份，按当月第一天 %(day)s 读取：第 %(rows)s 行。",
                             column=HEADER_OF[key], value=text, day=day.isoformat(), rows=rows_text(rows))
            else:
                message = _l("「%(column)s」“%(value)s”按 %(day)s 读取：第 %(rows)s 行。",
                             column=HEADER_OF[key], value=text, day=day.isoformat(), rows=rows_text(rows))
            notes.append(Note(message))
        return notes


@dataclass
class _Partial:
    """What could be read of a row with a bad cell, for the duplicate checks."""

    number: int
    mobile: str | None
    name: str | None
    gender: object
    ethnicity: str | None
    term: object
    cells: dict


def _parse_row(raw, directory, reasons, masked, said):
    """Read one row's cells and find the records they name.

    Returns ``(RowPlan or None, problems, _Partial or None)``.
    """
    problems, values = [], {}

    def read(key, reader, *args):
        """Read one cell into ``values``; a bad cell becomes a problem and None."""
        try:
            values[key] = reader(raw.cells.get(key), *args)
        except _Bad as bad:
            values[key] = None
            problems.append(Problem(raw.number, key, bad.message))

    def name(value):
        text, changed = read_name(value)
        if changed and _text(value):
            said.names.append((raw.number, _text(value), text))
        return text

    def mobile(value):
        found = masked.get(raw.number)
        if isinstance(found, _Bad):
            raise found
        if found:
            said.masked.append(raw.number)
            return found
        return read_mobile(value)

    def day(key):
        def reader(value):
            if not _text(value):
                return _required("") if key == "start_date" else None
            result, how = read_day_noted(value)
            if how:
                said.dates[(key, _plain(value), result, how)].append(raw.number)
            return result
        return reader

    read("name", name)
    read("gender", read_gender)
    read("ethnicity", read_ethnicity)
    read("mobile", mobile)
    read("level", read_level)
    read("township", lambda v: _township(v, directory))
    read("ordinal", lambda v: _term(v, values["level"], values["township"], directory))
    read("district", lambda v: _district(v, values["ordinal"], values["township"], directory))
    read("station", lambda v: _place(v, StationKind.station, values["township"], directory))
    read("home", lambda v: _place(v, StationKind.home, values["township"], directory))
    read("start_date", day("start_date"))
    read("end_date", day("end_date"))
    read("end_reason", read_end_reason, reasons)
    # An early end needs both its date and its reason (a cell with its own problem is reported already).
    end_date_blank = not _text(raw.cells.get("end_date"))
    reason_blank = not _text(raw.cells.get("end_reason"))
    if values["end_date"] is not None and reason_blank:
        problems.append(Problem(raw.number, "end_reason", _l(
            "填写了任职结束日期，请同时填写终止原因；届满不是提前终止，无需填写任职结束。")))
    if values["end_reason"] is not None and end_date_blank:
        problems.append(Problem(raw.number, "end_date", _l("填写了终止原因，请同时填写任职结束日期。")))
    if problems:
        partial = _Partial(raw.number, values["mobile"], values["name"], values["gender"], values["ethnicity"],
                           values["ordinal"], raw.cells)
        return None, problems, partial
    deputy = directory.deputies.get(values["mobile"])
    row = RowPlan(
        number=raw.number, name=values["name"], gender=values["gender"], ethnicity=values["ethnicity"],
        mobile=values["mobile"], term=values["ordinal"], township=values["township"],
        district=values["district"], station=values["station"], home=values["home"],
        start_date=values["start_date"], end_date=values["end_date"], end_reason=values["end_reason"],
        deputy=deputy, mandate=directory.mandate(deputy, values["ordinal"]), cells=raw.cells,
    )
    return row, [], None


def _township(value, directory):
    """The township or subdistrict of that exact name."""
    text = _required(_text(value))
    township = directory.townships.get(text)
    if township is None:
        raise _Bad(_l("没有名为“%(name)s”的乡镇（街道）。请与系统中的名称完全一致。", name=text))
    return township


def _term(value, level, township, directory):
    """The term named by level and ordinal (and, for a 乡镇 congress, the township); or by its full name."""
    text = _required(_text(value))
    named = directory.terms_by_name.get(text)
    if named is not None:
        if level is not None and named.level is not level:
            raise _Bad(_l("“%(term)s”是%(level)s的届次，与「层级」不一致。", term=named.name, level=named.level.label))
        return named
    ordinal = read_ordinal(value)
    if level is None or (level is Level.township and township is None):
        return None  # the level or township cell already has its own problem
    township_id = township.id if level is Level.township else None
    found = directory.terms_by_key.get((level, ordinal, township_id), [])
    label = Term.default_name(level, ordinal, township)
    if not found:
        raise _Bad(_l("系统中没有 %(term)s。请先在“届次”页面添加，或核对层级与届次。", term=label))
    if len(found) > 1:
        raise _Bad(_l("系统中有不止一个 %(term)s（%(names)s），请在“届次”页面核对后再导入。",
                      term=label, names="、".join(t.name for t in found)))
    return found[0]


def _district(value, term, township, directory):
    """The 选区 of that term in that township; blank gives None (the rules then say if one is needed)."""
    text = _text(value)
    if not text or term is None or township is None:
        return None
    if not term.level.directly_elected:
        raise _Bad(_l("%(level)s人大代表由人民代表大会选举产生，没有选区，请将此格留空。", level=term.level.label))
    candidates = directory.districts.get((township.id, text), [])
    for district in candidates:
        if district.term_id == term.id:
            return district
    valid = _valid_names(directory.districts_of(township, term))
    if candidates:
        raise _Bad(_l("“%(name)s”是 %(other)s 划分的选区，%(term)s 在 %(township)s 没有这个选区。%(valid)s",
                      name=text, other=candidates[-1].term.name, term=term.name, township=township.name,
                      valid=valid))
    raise _Bad(_l("%(term)s 在 %(township)s 没有名为“%(name)s”的选区。%(valid)s", term=term.name,
                  township=township.name, name=text, valid=valid))


def _valid_names(names):
    """The names a cell may hold, said after a wrong one (R17)."""
    if not names:
        return _l("该乡镇（街道）还没有登记可选的名称，请留空或先在系统中添加。")
    return _l("可填写：%(names)s。", names="、".join(names))


def _place(value, kind, township, directory):
    """A home or station of the row's township, by name; blank gives None."""
    text = _text(value)
    if not text or township is None:
        return None
    places = directory.places.get(text, [])
    for place in places:
        if place.township_id == township.id and place.kind is kind:
            return place
    here = [p for p in places if p.township_id == township.id]
    valid = _valid_names(directory.places_of(township, kind))
    if here:
        raise _Bad(_l("“%(name)s”是%(other)s，不是%(kind)s。%(valid)s",
                      name=text, other=here[0].kind.label, kind=kind.label, valid=valid))
    if places:
        raise _Bad(_l("“%(name)s”在 %(other)s，不在 %(township)s。%(valid)s", name=text,
                      other=places[0].township.name, township=township.name, valid=valid))
    raise _Bad(_l("%(township)s 没有名为“%(name)s”的%(kind)s。%(valid)s",
                  township=township.name, name=text, kind=kind.label, valid=valid))


def _check_across_rows(rows):
    """One person per mobile number with one name; one row per person and term.

    ``rows``: valid rows and what could be read of the others (None where a cell was bad).
    """
    problems, people, seats = [], {}, {}
    for row in sorted(rows, key=lambda r: r.number):
        if row.mobile is None:
            continue
        first = people.setdefault(row.mobile, row)
        if first is not row:
            mobile = mask_mobile(row.mobile)
            if first.name and row.name and first.name != row.name:
                problems.append(Problem(row.number, "name", _l(
                    "手机号码 %(mobile)s 在第 %(row)s 行登记的姓名是“%(name)s”。同一手机号码只能属于一个人，请核对。",
                    mobile=mobile, row=first.number, name=first.name)))
            if first.gender and row.gender and first.gender is not row.gender:
                problems.append(Problem(row.number, "gender", _l(
                    "与第 %(row)s 行（同一手机号码）的性别不一致。", row=first.number)))
            if first.ethnicity and row.ethnicity and first.ethnicity != row.ethnicity:
                problems.append(Problem(row.number, "ethnicity", _l(
                    "与第 %(row)s 行（同一手机号码）的民族不一致。", row=first.number)))
        if row.term is None:
            continue
        seat = seats.setdefault((row.mobile, row.term.id), row)
        if seat is not row:
            if [_text(v) for v in seat.cells.values()] == [_text(v) for v in row.cells.values()]:
                problems.append(Problem(row.number, None, _l(
                    "与第 %(row)s 行完全相同（重复的行），请删除其中一行。", row=seat.number)))
            else:
                problems.append(Problem(row.number, "ordinal", _l(
                    "与第 %(row)s 行重复：同一人在 %(term)s 只能有一项代表资格，请合并为一行。",
                    row=seat.number, term=row.term.name)))
    return problems


def _compare_and_check(row, first):
    """Work out what the row changes; check what it would write with the deputies operations' rules.

    ``first``: the first row naming this person, which carries the person's own changes.
    """
    problems = []
    try:
        clean_person(row.name, row.gender, row.ethnicity, row.mobile)
    except InvalidInput as error:
        problems.append(Problem(row.number, FIELD_COLUMNS.get(error.field, "name"), error.message))
    deputy, mandate = row.deputy, row.mandate
    if first:
        row.new_person = deputy is None
        _person_changes(row)
    if mandate is not None:
        _mandate_changes(row)
    if mandate is None or row.mandate_changes:
        try:
            with db.session.no_autoflush:
                # A stand-in for a person not stored yet: the rules only need "no id".
                check_mandate(deputy or Deputy(), row.mandate_fields(), mandate)
        except InvalidInput as error:
            problems.append(Problem(row.number, FIELD_COLUMNS.get(error.field, "ordinal"), error.message))
    if row.end_date is not None:
        problems += _check_end(row)
    return problems


def _person_changes(row):
    """Person fields differing from the stored person (only on the first row naming the person)."""
    deputy = row.deputy
    if deputy is None:
        return
    changes = []
    if row.name != deputy.name:
        changes.append(Change("name", deputy.name, row.name))
    if row.gender is not deputy.gender:
        changes.append(Change("gender", deputy.gender, row.gender))
    if row.ethnicity and row.ethnicity != deputy.ethnicity:
        changes.append(Change("ethnicity", deputy.ethnicity, row.ethnicity))
    row.person_changes = changes


def _mandate_changes(row):
    """Mandate fields differing from the stored mandate; blank 联络站, 代表之家 and end keep what is stored."""
    mandate, changes = row.mandate, []
    pairs = (("township", mandate.township, row.township),
             ("district", mandate.electoral_district, row.district),
             ("station", mandate.station, row.station), ("home", mandate.home, row.home))
    for key, old, new in pairs:
        if key in ("station", "home") and new is None:
            continue
        if old is not new:
            changes.append(Change(key, old, new))
    if row.start_date != mandate.start_date:
        changes.append(Change("start_date", mandate.start_date, row.start_date))
    if row.end_date is not None:
        if row.end_date != mandate.end_date:
            changes.append(Change("end_date", mandate.end_date, row.end_date))
        if row.end_reason is not mandate.end_reason:
            changes.append(Change("end_reason", mandate.end_reason, row.end_reason))
    row.end_changes = any(c.column in ("end_date", "end_reason") for c in changes)
    row.mandate_changes = changes


def _check_end(row):
    """The rules ``end_mandate`` applies to an early end (it checks them again when writing)."""
    term, end = row.term, row.end_date
    if end <= row.start_date:
        return [Problem(row.number, "end_date", _l("任职结束日期应晚于任职开始日期（%(start)s）。",
                                                   start=row.start_date.isoformat()))]
    if end > last_day_held_in(term):  # an open term is held past its provisional end (rule R5)
        return [Problem(row.number, "end_date", _l(
            "任职结束日期不能晚于 %(term)s 的届满日期（%(end)s）；届满不是提前终止，请留空。",
            term=term.name, end=term.end_date.isoformat()))]
    late = [s for s in (row.mandate.suspensions if row.mandate else ()) if s.start_date >= end]
    if late:
        return [Problem(row.number, "end_date", _l(
            "已有从 %(day)s 开始的暂停执行代表职务记录，任职结束日期应晚于它。", day=late[0].start_date.isoformat()))]
    return []


# --- the template -----------------------------------------------------------------------------

def template_workbook():
    """The downloadable template: the empty 代表名单 sheet with its drop-downs (the export's layout),
    a 说明 sheet, and the hidden sheet of names."""
    caption = str(_l("代表名单（第 2 行为列名，请勿修改；从第 3 行起每行填写一人的一项代表资格）"))
    return write_roster_book([], caption, network_names(), extra_tables=[explanation_table()])


def explanation_table():
    """The template's 说明 sheet: each column and the habits the import understands."""
    reasons = list(end_reasons())
    yes, no = str(_l("是")), str(_l("否"))
    notes = [
        ("姓名", yes, _l("代表本人姓名，按单元格中的文字原样保存。"), "张三"),
        ("性别", yes, _l("男 或 女。"), "女"),
        ("民族", no, _l("民族全称，如 汉族、回族。新增代表留空时登记为汉族；已登记的代表留空则不修改。"), "汉族"),
        ("手机号码", yes, _l("11 位手机号码，也是代表的登录账号，可带 +86、空格或短横线。系统按手机号码识别同一人："
                            "连任的代表保留原有记录和账号。"), "13800000000"),
        ("层级", yes, _l("全国、市、区 或 乡镇。"), "区"),
        ("届次", yes, _l("届次序号，如 8、八 或 第八届；与层级一起确定届次（乡镇人大还要看所填的乡镇）。"
                        "届次须已在“届次”页面添加。"), "第八届"),
        ("乡镇（街道）", yes, _l("代表所属（或编入）的乡镇（街道），名称与系统中一致。"), "城关镇"),
        ("选区", _l("区、乡镇必填"), _l("该届次在该乡镇（街道）划分的选区；市、全国人大代表没有选区，留空。"), "第一选区"),
        ("联络站", no, _l("代表所在的代表联络站，须在同一乡镇（街道）。已登记的代表留空则不修改。"), "城关镇第一联络站"),
        ("代表之家", no, _l("代表所在的代表之家，须在同一乡镇（街道）。已登记的代表留空则不修改。"), "城关镇代表之家"),
        ("任职开始", yes, _l("任职开始日期，应在届次任期内；晚于届次开始的，按补选产生登记。"), "2021-12-01"),
        ("任职结束", no, _l("仅在代表资格提前终止时填写：终止之日（自该日起不再担任）。届满无需填写。"
                           "须与终止原因同时填写；留空不会撤销已登记的提前终止。"), ""),
        ("终止原因", no, _l("代表法规定的原因之一：%(reasons)s。须与任职结束同时填写。", reasons="、".join(reasons)), ""),
        (str(_l("日期格式")), "", _l("可使用 Excel 日期，也可输入文字：2021-12-01、2021/12/1、2021年12月1日 或 2021.12.1；"
                                   "只写到月份的（2022年1月、2022.01、2022-1）按当月第一天，20220110 按当天读取，检查结果中会说明。"), ""),
        (str(_l("导出的名单")), "", _l("“代表”页面导出的名单就是本模板，可修改后直接导入。手机号码隐去中间四位（138****1234）的，"
                                    "表示号码不变，按系统中已登记的号码处理。"), ""),
        (str(_l("常见写法")), "", _l("合并单元格会填入合并范围的每一行；隐藏的行不导入；姓名中的空格会去掉；表格下方空一行后的"
                                   "填报人、联系电话、审核人、日期等表尾会忽略。检查结果中会一一说明。也可上传 CSV 文件（UTF-8 或 GBK 编码）。"), ""),
        (str(_l("重复导入")), "", _l("同一文件导入两次不会重复添加：按手机号码识别人员，按人员和届次识别代表资格；"
                                   "有变化的内容会更新，导入前会列出将要新增和修改的内容供确认。"), ""),
        (str(_l("检查")), "", _l("导入前逐行检查，发现任何问题都不会写入，并列出问题所在的行、列和原因。"), ""),
    ]
    return Table(
        title="说明", caption=str(_l("代表名单导入说明")),
        headers=[str(_l("列名")), str(_l("是否必填")), str(_l("填写说明")), str(_l("示例"))],
        rows=[[str(v) for v in row] for row in notes], widths=[14, 12, 80, 18],
    )
