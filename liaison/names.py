"""How people's names sort (rule R16): 姓氏笔画 order for official tables, pinyin order as a choice.

Both keys are plain strings stored beside the name (``Deputy.stroke_sort_key``,
``Deputy.name_sort_key``), so SQL orders by them across pages and in every export.

*姓氏笔画*: characters compare one by one from the surname on, each by its number of strokes, then
by its strokes in writing order, each stroke one of the five types in the order 横 竖 撇 点 折
(1–5, as the 笔顺规范 classes them: 提 counts as 横, 竖钩 as 竖, 捺 as 点, every other stroke that
turns or hooks as 折; so 小 is 234, 女 531, 李 1234521). A name that is the start of
another sorts first. The data (liaison/han_strokes.txt.gz) is made by tools/build_han_strokes.py
from cnchar-order's stroke orders (MIT) and Unihan's kTotalStrokes (Unicode License). A character
known only by its stroke count sorts after the characters of that count whose order is known; a
character with no stroke data (a Latin letter) after all Han characters, by code point. Spaces and
the middle dot of transcribed names (·) are not compared.

*Pinyin*: the surname is read as a surname (曾 zeng, 单 shan, 解 xie, …; compound surnames first:
尉迟 yuchi, 万俟 moqi), the given name as pypinyin reads it; pypinyin has no surname mode.

The keys are stored: a change to the data or to the readings below needs a migration that rewrites
every deputy's keys, as migrations/versions/*_deputy_stroke_order.py does.
"""
import gzip
from functools import lru_cache
from importlib import resources

from liaison.text import pinyin_syllables, syllables_key

#: Compound surnames (复姓) whose reading differs from the characters' usual one. Taken as the
#: surname only when a given name follows (a two-character name is surname + given name).
COMPOUND_SURNAMES = {
    "尉迟": ["yu", "chi"], "万俟": ["mo", "qi"], "长孙": ["zhang", "sun"], "单于": ["chan", "yu"],
    "澹台": ["tan", "tai"], "乐正": ["yue", "zheng"], "中行": ["zhong", "hang"],
}

#: Single-character surnames read otherwise than the character's most common reading.
SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "区": "ou", "查": "zha", "朴": "piao",
    "盖": "ge", "乐": "yue", "覃": "qin", "缪": "miao", "翟": "zhai", "繁": "po", "隗": "wei",
    "种": "chong", "秘": "bi", "燕": "yan", "召": "shao", "尉": "wei", "员": "yun", "阚": "kan",
    "藏": "zang", "卜": "bu", "薄": "bo", "祭": "zhai", "折": "she", "宓": "fu", "都": "du",
    "能": "nai", "郇": "xun", "粘": "nian", "句": "gou", "重": "chong", "长": "chang", "沈": "shen",
    "柏": "bai", "华": "hua", "任": "ren", "纪": "ji", "贾": "jia", "瞿": "qu", "冼": "xian",
}

#: Characters not compared in stroke order: spaces and the separators of transcribed names.
_SKIPPED = set(" \u3000·•・.．")

#: Per character: ``count`` as two digits, then one digit a stroke, so equal counts compare stroke
#: by stroke and the next character's part starts at the same place.
_UNKNOWN_COUNT = 99


@lru_cache(maxsize=1)
def _stroke_data():
    orders, counts = {}, {}
    raw = resources.files("liaison").joinpath("han_strokes.txt.gz").read_bytes()
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        if line.startswith("# "):
            continue
        key, _, value = line.partition("\t")
        if key.startswith("#"):
            count = int(key[1:])
            counts.update(dict.fromkeys(value, count))
        else:
            orders[key] = value
    return orders, counts


def stroke_order(char: str) -> str | None:
    """The character's strokes as digits 1–5 (横竖撇点折) in writing order, or None when unknown."""
    return _stroke_data()[0].get(char)


def stroke_count(char: str) -> int | None:
    """The character's number of strokes, or None when it is not a known Han character."""
    order = stroke_order(char)
    if order is not None:
        return len(order)
    return _stroke_data()[1].get(char)


def _char_key(char: str) -> str:
    order = stroke_order(char)
    if order is not None:
        return f"{len(order):02d}{order}"
    count = stroke_count(char)
    if count is not None:
        # After every character of that count whose order is known (6 is beyond 折).
        return f"{count:02d}" + "6" * count
    return f"{_UNKNOWN_COUNT}{ord(char):07d}"


def stroke_sort_key(name: str) -> str:
    """The stored key that sorts names in 姓氏笔画 order (rule R16): digits only, so every
    collation orders it the same; ties (names of identical strokes) are broken by the pinyin key."""
    name = (name or "").strip()
    return "".join(_char_key(c) for c in name if c not in _SKIPPED)[:255]


def name_syllables(name: str) -> list[str]:
    """The pinyin of a person's name with the surname read as a surname (rule R16)."""
    name = (name or "").strip()
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return COMPOUND_SURNAMES[name[:2]] + pinyin_syllables(name[2:])
    if name and name[0] in SURNAME_READINGS:
        return [SURNAME_READINGS[name[0]]] + pinyin_syllables(name[1:])
    # The given name is read on its own: a phrase across the surname would change its reading.
    return pinyin_syllables(name[:1]) + pinyin_syllables(name[1:])


def pinyin_sort_key(name: str) -> str:
    """The stored key that sorts names in pinyin order with surnames read right (rule R16)."""
    name = (name or "").strip()
    return syllables_key(name_syllables(name), name)
