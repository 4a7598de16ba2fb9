"""Reading and checking a roster workbook (代表名单): columns, cell formats, names, cross-row and domain rules.

Nothing here writes. ``plan_roster`` turns an uploaded workbook into a ``RosterPlan``: either the
problems (each naming the row as Excel numbers it, the column and what is wrong, in Chinese) or,
for a file without problems, each row's resolved records and what it would change. The domain
rules are the deputies operations' own (``clean_person``, ``check_mandate``); the writes in
``liaison.imports.operations`` go through the same operations, which check once more.
"""
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time

import openpyxl
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from liaison.deputies.models import Deputy, EndReason, Gender, last_day_held_in
from liaison.deputies.operations import check_mandate, clean_person
from liaison.errors import InvalidInput
from liaison.exports.xlsx import Table
from liaison.extensions import db
from liaison.imports.queries import Directory
from liaison.network.models import StationKind
from liaison.terms.models import NAME_PREFIXES, Level, Term
from liaison.text import ETHNIC_GROUPS, chinese_numeral, is_mobile, mask_mobile, normalize_mobile

log = logging.getLogger(__name__)

#: More rows than any district's roster; a bigger file is a mistake (or an attack on memory).
MAX_ROWS = 20000
#: The header row is looked for among the first rows (the template has a title row above it).
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Column:
    """A roster column: its key, its header in the template, other headers people use for it."""

    key: str
    header: str
    aliases: tuple = ()
    required: bool = False


#: The template's columns, in order. Headers are part of the file format: always Chinese.
COLUMNS = (
    Column("name", "姓名", ("代表姓名",), required=True),
    Column("gender", "性别", required=True),
    Column("ethnicity", "民族"),
    Column("mobile", "手机号码", ("手机号", "手机"), required=True),
    Column("level", "层级", ("级别",), required=True),
    Column("ordinal", "届次", ("届别",), required=True),
    Column("township", "乡镇（街道）", ("乡镇街道", "乡镇/街道", "乡镇、街道"), required=True),
    Column("district", "选区"),
    Column("station", "联络站", ("代表联络站",)),
    Column("home", "代表之家"),
    Column("start_date", "任职开始", ("任职开始日期",), required=True),
    Column("end_date", "任职结束", ("任职结束日期", "提前终止", "终止日期")),
    Column("end_reason", "终止原因"),
)
HEADERS = tuple(c.header for c in COLUMNS)
HEADER_OF = {c.key: c.header for c in COLUMNS}
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

UNREADABLE = _l("无法读取这个 Excel 文件，请在 Excel 中打开后另存为 .xlsx 再上传。")


def _header_key(value):
    """A header as compared: full-width brackets made ASCII, spaces and required-marks (*) dropped."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"[\s*＊]", "", text)


_HEADER_KEYS = {_header_key(name): c.key for c in COLUMNS for name in (c.header, *c.aliases)}


def end_reasons():
    """The 代表法 reasons by their Chinese labels, whatever language the reader has chosen."""
    with force_locale("zh_CN"):
        return {str(reason.label): reason for reason in EndReason}


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


# --- reading the workbook ---------------------------------------------------------------------

@dataclass
class RawRow:
    """A non-empty row as read: its Excel row number and its cells by column key."""

    number: int
    cells: dict


def read_roster(stream):
    """Read the sheet holding the roster; return ``(rows, problems)`` where problems concern the file."""
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # an untrusted file: openpyxl fails in many ways on broken parts
        log.warning("roster workbook unreadable: %s", error.__class__.__name__)
        return [], [Problem(None, None, UNREADABLE)]
    try:
        return _read_sheets(workbook)
    except Exception as error:  # the same, for parts openpyxl only parses while iterating
        log.warning("roster sheet unreadable: %s", error.__class__.__name__)
        return [], [Problem(None, None, UNREADABLE)]
    finally:
        workbook.close()


def _read_sheets(workbook):
    """Find the first sheet with a roster header row and read the rows below it."""
    for sheet in workbook.worksheets:
        # A wrong <dimension> in the file would otherwise cut rows or columns off.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        for number, values in enumerate(rows, start=1):
            if number > HEADER_SEARCH_ROWS:
                break
            columns, twice = _match_headers(values)
            if "name" in columns and "mobile" in columns:
                return _read_body(rows, number, columns, twice)
    return [], [Problem(None, None, _l(
        "没有找到表头行：前 %(n)s 行中应有一行列名，包括「姓名」「手机号码」等。请下载导入模板，按模板填写。",
        n=HEADER_SEARCH_ROWS))]


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


def _read_body(rows, header_number, columns, twice):
    """The data rows under the header, skipping empty ones."""
    problems = [Problem(None, None, _l("表头中「%(column)s」列出现了不止一次，请只保留一列。", column=HEADER_OF[key]))
                for key in twice]
    missing = [c.header for c in COLUMNS if c.required and c.key not in columns]
    if missing:
        problems.append(Problem(None, None, _l("表头缺少这些列：%(columns)s。请下载导入模板，按模板的列名填写。",
                                               columns="、".join(missing))))
    if problems:
        return [], problems
    result = []
    for number, values in enumerate(rows, start=header_number + 1):
        # Every row counts, empty ones too: a small file can hold millions of empty <row> elements
        # (or one far-off row, which openpyxl reaches by yielding every empty row before it), and
        # skipping them uncounted kept a worker busy for a minute.
        if number - header_number > MAX_ROWS:
            return result, [Problem(None, None, _l(
                "文件超过 %(n)s 行（空行也计算在内）。请删除表格下方多余的空行，或分成几个文件导入。", n=MAX_ROWS))]
        cells = {key: (values[i] if i < len(values) else None) for key, i in columns.items()}
        if all(_text(v) == "" for v in cells.values()):
            continue
        result.append(RawRow(number, cells))
    if not result:
        return [], [Problem(None, None, _l("表头下面没有代表数据。"))]
    return result, []


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


def read_mobile(value):
    """The normalised mobile number of a cell, or raise ``_Bad``."""
    text = _required(_plain(value))
    mobile = normalize_mobile(text)
    if not is_mobile(mobile):
        raise _Bad(_l("%(value)s 不是 11 位手机号码。", value=text))
    return mobile


def read_day(value):
    """A date from a real Excel date or typed text (2021-12-01, 2021/12/1, 2021年12月1日, 2021.12.1)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _plain(value)
    match = _DATE.fullmatch(text)
    if not match:
        raise _Bad(_l("“%(value)s”不是日期。请写成 2021-12-01、2021/12/1、2021年12月1日 或 2021.12.1，"
                      "或使用 Excel 的日期格式。", value=text))
    try:
        return date(*(int(part) for part in match.groups()))
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
    """Read and check a roster workbook against the database; write nothing."""
    raw_rows, problems = read_roster(stream)
    if problems:
        return RosterPlan(rows=[], problems=problems, row_count=len(raw_rows))
    mobiles = set()
    for raw in raw_rows:
        try:
            mobiles.add(read_mobile(raw.cells.get("mobile")))
        except _Bad:
            pass
    return check_rows(raw_rows, Directory(mobiles))


def check_rows(raw_rows, directory):
    """Check every row, then the rows against each other, then the domain rules; return the plan."""
    reasons = end_reasons()
    problems, planned = [], []
    for raw in raw_rows:
        row, row_problems = _parse_row(raw, directory, reasons)
        problems += row_problems
        if row is not None:
            planned.append(row)
    problems += _check_across_rows(planned)
    bad_rows, seen = {p.row for p in problems}, set()
    for row in planned:
        first = row.mobile not in seen
        seen.add(row.mobile)
        if row.number not in bad_rows:
            problems += _compare_and_check(row, first)
    problems.sort(key=Problem.sort_key)
    return RosterPlan(rows=[] if problems else planned, problems=problems, row_count=len(raw_rows))


def _parse_row(raw, directory, reasons):
    """Read one row's cells and find the records they name; return ``(RowPlan or None, problems)``."""
    problems, values = [], {}

    def read(key, reader, *args):
        """Read one cell into ``values``; a bad cell becomes a problem and None."""
        try:
            values[key] = reader(raw.cells.get(key), *args)
        except _Bad as bad:
            values[key] = None
            problems.append(Problem(raw.number, key, bad.message))

    read("name", lambda v: _required(_text(v)))
    read("gender", read_gender)
    read("ethnicity", read_ethnicity)
    read("mobile", read_mobile)
    read("level", read_level)
    read("township", lambda v: _township(v, directory))
    read("ordinal", lambda v: _term(v, values["level"], values["township"], directory))
    read("district", lambda v: _district(v, values["ordinal"], values["township"], directory))
    read("station", lambda v: _place(v, StationKind.station, values["township"], directory))
    read("home", lambda v: _place(v, StationKind.home, values["township"], directory))
    read("start_date", lambda v: read_day(v) if _text(v) else _required(""))
    read("end_date", lambda v: read_day(v) if _text(v) else None)
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
        return None, problems
    deputy = directory.deputies.get(values["mobile"])
    row = RowPlan(
        number=raw.number, name=values["name"], gender=values["gender"], ethnicity=values["ethnicity"],
        mobile=values["mobile"], term=values["ordinal"], township=values["township"],
        district=values["district"], station=values["station"], home=values["home"],
        start_date=values["start_date"], end_date=values["end_date"], end_reason=values["end_reason"],
        deputy=deputy, mandate=directory.mandate(deputy, values["ordinal"]),
    )
    return row, []


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
    if candidates:
        raise _Bad(_l("“%(name)s”是 %(other)s 划分的选区，%(term)s 在 %(township)s 没有这个选区。",
                      name=text, other=candidates[-1].term.name, term=term.name, township=township.name))
    raise _Bad(_l("%(term)s 在 %(township)s 没有名为“%(name)s”的选区。", term=term.name, township=township.name,
                  name=text))


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
    if here:
        raise _Bad(_l("“%(name)s”是%(other)s，不是%(kind)s。",
                      name=text, other=here[0].kind.label, kind=kind.label))
    if places:
        raise _Bad(_l("“%(name)s”在 %(other)s，不在 %(township)s。", name=text, other=places[0].township.name,
                      township=township.name))
    raise _Bad(_l("%(township)s 没有名为“%(name)s”的%(kind)s。",
                  township=township.name, name=text, kind=kind.label))


def _check_across_rows(rows):
    """One person per mobile number with one name; one row per person and term."""
    problems, people, seats = [], {}, {}
    for row in rows:
        first = people.setdefault(row.mobile, row)
        if first is not row:
            mobile = mask_mobile(row.mobile)
            if first.name != row.name:
                problems.append(Problem(row.number, "name", _l(
                    "手机号码 %(mobile)s 在第 %(row)s 行登记的姓名是“%(name)s”。同一手机号码只能属于一个人，请核对。",
                    mobile=mobile, row=first.number, name=first.name)))
            if first.gender is not row.gender:
                problems.append(Problem(row.number, "gender", _l(
                    "与第 %(row)s 行（同一手机号码）的性别不一致。", row=first.number)))
            if first.ethnicity and row.ethnicity and first.ethnicity != row.ethnicity:
                problems.append(Problem(row.number, "ethnicity", _l(
                    "与第 %(row)s 行（同一手机号码）的民族不一致。", row=first.number)))
        seat = seats.setdefault((row.mobile, row.term.id), row)
        if seat is not row:
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

def template_tables():
    """The downloadable template: an empty 代表名单 sheet with drop-downs, and a 说明 sheet."""
    reasons = list(end_reasons())
    roster = Table(
        title="代表名单",
        caption=str(_l("代表名单（第 2 行为列名，请勿修改；从第 3 行起每行填写一人的一项代表资格）")),
        headers=list(HEADERS), rows=[],
        widths=[10, 6, 8, 14, 8, 8, 14, 12, 20, 20, 12, 12, 22],
        choices={2: ["男", "女"], 5: list(LEVELS), 13: reasons},
    )
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
        (str(_l("日期格式")), "", _l("可使用 Excel 日期，也可输入文字：2021-12-01、2021/12/1、2021年12月1日 或 2021.12.1。"), ""),
        (str(_l("重复导入")), "", _l("同一文件导入两次不会重复添加：按手机号码识别人员，按人员和届次识别代表资格；"
                                   "有变化的内容会更新，导入前会列出将要新增和修改的内容供确认。"), ""),
        (str(_l("检查")), "", _l("导入前逐行检查，发现任何问题都不会写入，并列出问题所在的行、列和原因。"), ""),
    ]
    explained = Table(
        title="说明", caption=str(_l("代表名单导入说明")),
        headers=[str(_l("列名")), str(_l("是否必填")), str(_l("填写说明")), str(_l("示例"))],
        rows=[[str(v) for v in row] for row in notes], widths=[14, 12, 80, 18],
    )
    return [roster, explained]
