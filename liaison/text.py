"""Small text rules shared by every domain: pinyin sort keys, mobile numbers, Chinese numerals."""
import re
import unicodedata

from pypinyin import Style, lazy_pinyin

MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")

_DIGITS = "零一二三四五六七八九"


def sort_key(name: str) -> str:
    """Return the stored key that sorts Chinese names by pinyin (李 before 王 before 张).

    Each syllable is padded to six characters with ``0`` (the longest syllable, zhuang, has six),
    so 詹 (zhan) sorts before 张 (zhang) under any collation that puts digits before letters,
    which both SQLite's and PostgreSQL's do; the name itself follows to break ties.
    """
    name = (name or "").strip()
    return syllables_key(pinyin_syllables(name), name)


def pinyin_syllables(text: str) -> list[str]:
    """The toneless pinyin of ``text``, one item per character (a non-Han character stands for itself)."""
    return lazy_pinyin(text, style=Style.NORMAL, errors=lambda chars: list(chars))


def syllables_key(syllables: list[str], name: str) -> str:
    """The stored key of :func:`sort_key` from a name's syllables: each padded to six, then the name."""
    return ("".join(p.lower()[:6].ljust(6, "0") for p in syllables) + "0" + name)[:255]


#: Unicode categories with no place in a one-line name: control characters (CR, LF, tab, NUL…),
#: invisible format characters (zero-width space, bidi overrides), line and paragraph separators,
#: lone surrogates. Private-use characters stay allowed: some systems encode rare name characters so.
_NOT_IN_ONE_LINE = {"Cc", "Cf", "Zl", "Zp", "Cs"}


def is_single_line(text: str) -> bool:
    """Tell whether a name is one line of visible text (what is stored is what pages and exports show)."""
    return not any(unicodedata.category(ch) in _NOT_IN_ONE_LINE for ch in text or "")


def normalize_mobile(value: str) -> str:
    """Strip spaces, dashes and a +86 prefix from a mobile number as people type it."""
    value = re.sub(r"[\s\-]", "", value or "")
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    return value


def is_mobile(value: str) -> bool:
    """Tell whether a normalised value is a mainland mobile number (11 digits starting 13–19)."""
    return bool(MOBILE_PATTERN.match(value or ""))


def mask_mobile(value: str) -> str:
    """Mask the middle of a mobile number: 13812341234 → 138****1234."""
    if not value or len(value) < 7:
        return value or ""
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_address(value: str) -> str:
    """Mask a delivery address: an email keeps its first letter and domain (w***@example.com), a mobile
    number its ends."""
    name, at, domain = (value or "").partition("@")
    if at:
        return f"{name[:1]}***@{domain}"
    return mask_mobile(value)


#: What a masked mobile number shows: ``d`` a visible digit, ``*`` a hidden one (138****1234).
SHOWN_MOBILE = "ddd****dddd"


def shown_mobile_patterns(query: str) -> list[str]:
    """LIKE patterns for the numbers a phone search may find: only what staff already see.

    A search matches a number when the typed text is the start or the end of its masked form,
    typed as shown (``158``, ``4917``, ``158****``, ``****4917``, ``158****4917``), or when it is the
    whole 11-digit number. Digits from the hidden middle never match, so no series of searches
    recovers a number: the audited reveal stays the only way to it. Each pattern is 11 characters,
    ``_`` standing for one digit, so ``LIKE`` anchors it at both ends.
    """
    text = normalize_mobile(query).replace("＊", "*")
    if is_mobile(text):
        return [text]
    if not text or len(text) > len(SHOWN_MOBILE) or set(text) - set("0123456789*"):
        return []
    patterns = []
    # The typed text is laid over the start, then over the end, of the shown form.
    for offset in sorted({0, len(SHOWN_MOBILE) - len(text)}):
        shown = SHOWN_MOBILE[offset:offset + len(text)]
        if all((typed == "*") == (kind == "*") for typed, kind in zip(text, shown)):
            pattern = "_" * offset + text.replace("*", "_")
            patterns.append(pattern.ljust(len(SHOWN_MOBILE), "_"))
    return patterns


def mobile_conditions(column, query: str) -> list:
    """SQL conditions (any one suffices) under which ``column``, a mobile number, matches ``query``
    by :func:`shown_mobile_patterns`; none when the query cannot match a shown number."""
    return [column.like(pattern) for pattern in shown_mobile_patterns(query)]


def chinese_numeral(number: int) -> str:
    """Write 1–99 the way congress terms are named: 8 → 八, 15 → 十五, 20 → 二十."""
    if not 0 < number < 100:
        return str(number)
    tens, ones = divmod(number, 10)
    if tens == 0:
        return _DIGITS[ones]
    prefix = ("" if tens == 1 else _DIGITS[tens]) + "十"
    return prefix + (_DIGITS[ones] if ones else "")


#: The 56 ethnic groups, as written on identity cards plus 族.
ETHNIC_GROUPS = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 "
    "哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 "
    "达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 "
    "俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()
