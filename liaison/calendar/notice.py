"""Reading the State Council's yearly holiday notice (国务院办公厅关于…部分节假日安排的通知) into days (rule R27).

Staff paste the notice, or only its arrangement lines, as they appear:

    一、元旦：1月1日（周三）放假1天，不调休。
    二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。

An arrangement line is one that starts with a Chinese ordinal (一、) or with a holiday's name and a
colon followed by a date. Its first sentence with 放假 gives the days off: one date, or a range
"A至B" whose end may omit the month ("4日" = same month) or carry its own year ("2023年1月2日"); every
sentence with 上班 gives swapped workdays (调休上班). Every other line (the title, the address line,
the closing paragraph) is ignored and listed on the review page. What is checked, each with a
Chinese message naming the line: each date exists; a weekday written beside a date (周三, 星期日)
is that date's weekday in the year given (a notice pasted under the wrong year is caught here);
"共N天" is the range's length; a range runs forward and is at most 15 days; a swapped workday
falls on a Saturday or Sunday; no date is given twice.
"""
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from liaison.calendar.models import DayKind
from liaison.errors import InvalidInput

#: Longest holiday the parser accepts: the longest State Council arrangement so far is 9 days.
MAX_RANGE_DAYS = 15
NAME_MAX = 20

_FULL_WIDTH = str.maketrans("０１２３４５６７８９：（），。", "0123456789:(),.")
_ORDINAL = re.compile(r"^[一二三四五六七八九十]+[、.]\s*")
_HEADED = re.compile(r"^(?P<name>[^:,.;\d]{1,20}):(?P<rest>.*\d.*)$")
#: A date as notices write it: 2023年1月2日, 1月2日, or (in a range's end) 2日; then an optional
#: parenthesis (周三 / 农历除夕、周二 / 星期日).
_DATE = re.compile(r"(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月)?(?P<d>\d{1,2})日(?:\((?P<note>[^)]*)\))?")
_WEEKDAY = re.compile(r"(?:周|星期)([一二三四五六日天])")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAY_LABELS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
_TOTAL = re.compile(r"共(\d{1,2})天")
_TITLE_YEAR = re.compile(r"(\d{4})年(?:部分节假日|元旦)")


@dataclass(frozen=True)
class NoticeDay:
    """One day the notice fixes: off (放假) or a weekend day worked (调休上班), and its line."""

    day: date
    kind: DayKind
    #: The holiday's name as the line gives it (国庆节、中秋节); for a workday, the holiday it makes up for.
    name: str
    line: int


@dataclass
class Notice:
    """What a pasted notice says for one year."""

    year: int
    days: list = field(default_factory=list)
    #: (line number, text) of lines that are not arrangement lines.
    ignored: list = field(default_factory=list)

    @property
    def holidays(self):
        return [d for d in self.days if d.kind is DayKind.holiday]

    @property
    def workdays(self):
        return [d for d in self.days if d.kind is DayKind.swapped_workday]


def _refuse(number, message):
    """The error of one line, its number first (第3行：…)."""
    return InvalidInput(_l("第 %(n)s 行：%(message)s", n=number, message=message), "text")


def notice_year(text):
    """The year named in the notice's title or first paragraph (2026年部分节假日 / 2026年元旦), or None."""
    found = _TITLE_YEAR.search((text or "").translate(_FULL_WIDTH))
    return int(found.group(1)) if found else None


def parse_notice(text, year=None):
    """Read a pasted notice into a ``Notice`` for ``year`` (or the year its title names); raise
    ``InvalidInput`` on the field ``text`` with a message naming the line at the first problem."""
    text = text or ""
    named = notice_year(text)
    if year is None:
        year = named
    if year is None:
        raise InvalidInput(_l("请填写年份：粘贴的内容里没有“2027年部分节假日安排”这样的标题。"), "year")
    if named is not None and named != year:
        raise InvalidInput(_l("通知写的是 %(named)s 年，您选择的是 %(year)s 年，请核对。", named=named, year=year),
                           "year")
    notice = Notice(year)
    seen = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().translate(_FULL_WIDTH).replace(" ", "").replace("\u3000", "")
        if not line:
            continue
        ordinal = _ORDINAL.match(line)
        body = line[ordinal.end():] if ordinal else line
        headed = _HEADED.match(body)
        if headed is None:
            if ordinal:
                raise _refuse(number, _l("看不懂这一行，应为“节日名称：日期放假……”，如“元旦：1月1日放假”。"))
            notice.ignored.append((number, raw.strip()))
            continue
        name = headed.group("name").strip()
        if len(name) > NAME_MAX:
            raise _refuse(number, _l("节日名称最多 %(n)s 个字。", n=NAME_MAX))
        for day in _read_line(number, name, headed.group("rest"), year):
            if day.day in seen:
                raise _refuse(number, _l("%(day)s 在第 %(other)s 行已经出现过。", day=_label(day.day),
                                         other=seen[day.day]))
            seen[day.day] = number
            notice.days.append(day)
    if not notice.days:
        raise InvalidInput(_l("没有找到放假安排。请粘贴通知中“一、元旦：1月1日放假……”这样的各行。"), "text")
    notice.days.sort(key=lambda d: d.day)
    return notice


def _read_line(number, name, rest, year):
    """The days of one arrangement line."""
    sentences = [s for s in rest.split(".") if s]
    off = next((s for s in sentences if "放假" in s), None)
    if off is None:
        raise _refuse(number, _l("没有找到“放假”的日期。"))
    dates = _dates(number, off[:off.index("放假")], year)
    if len(dates) == 1:
        first = last = dates[0][0]
    elif len(dates) == 2 and "至" in off[dates[0][1]:dates[1][2]]:
        first, last = dates[0][0], dates[1][0]
    else:
        raise _refuse(number, _l("放假日期应为一天（如“1月1日放假”）或一段（如“10月1日至7日放假”）。"))
    if last < first:
        raise _refuse(number, _l("放假的结束日期 %(last)s 早于开始日期 %(first)s。", last=_label(last),
                                 first=_label(first)))
    length = (last - first).days + 1
    if length > MAX_RANGE_DAYS:
        raise _refuse(number, _l("放假 %(n)s 天，超过 %(max)s 天，请检查日期。", n=length, max=MAX_RANGE_DAYS))
    total = _TOTAL.search(off)
    if total and int(total.group(1)) != length:
        raise _refuse(number, _l("写的是共 %(said)s 天，但 %(first)s 至 %(last)s 是 %(n)s 天。",
                                 said=total.group(1), first=_label(first), last=_label(last), n=length))
    days = [NoticeDay(first + timedelta(days=i), DayKind.holiday, name, number) for i in range(length)]
    for sentence in sentences:
        # Workdays come after the days off, in the same sentence or (usually) the next one.
        part = sentence[sentence.index("放假") + 2:] if sentence is off else sentence
        if "上班" not in part:
            continue
        for day, _start, _end in _dates(number, part[:part.rindex("上班")], year):
            if day.weekday() < 5:
                raise _refuse(number, _l("%(day)s 是%(weekday)s，本来就是工作日；调休上班日应为周六或周日。",
                                         day=_label(day), weekday=_WEEKDAY_LABELS[day.weekday()]))
            days.append(NoticeDay(day, DayKind.swapped_workday, name, number))
    return days


def _dates(number, text, year):
    """The dates in ``text`` as (date, start, end) with their places; a date without a month takes the
    month (and year) of the date before it. Each weekday written beside a date is checked."""
    found = []
    current_year, month = year, None
    for match in _DATE.finditer(text):
        if match.group("y"):
            current_year = int(match.group("y"))
        if match.group("m"):
            month = int(match.group("m"))
        elif month is None:
            raise _refuse(number, _l("“%(text)s”没有写月份。", text=match.group(0)))
        try:
            day = date(current_year, month, int(match.group("d")))
        except ValueError:
            raise _refuse(number, _l("%(y)s年%(m)s月%(d)s日不是有效的日期。", y=current_year, m=month,
                                     d=match.group("d"))) from None
        weekday = _WEEKDAY.search(match.group("note") or "")
        if weekday and _WEEKDAYS[weekday.group(1)] != day.weekday():
            raise _refuse(number, _l("%(day)s 在 %(year)s 年是%(actual)s，通知写的是%(said)s。请核对年份是否选对。",
                                     day=_label(day), year=day.year, actual=_WEEKDAY_LABELS[day.weekday()],
                                     said=weekday.group(0)))
        found.append((day, match.start(), match.end()))
    return found


def _label(day):
    return f"{day.month}月{day.day}日"
