"""Build liaison/han_strokes.txt.gz, the stroke data behind 姓氏笔画 order (rule R16, liaison/names.py).

Two maintained, permissively licensed sources, read at build time only (the app ships the result):

* the stroke order (笔顺) of 6,939 common characters from the npm package ``cnchar-order``
  (MIT, © theajack; https://github.com/theajack/cnchar): ``npm pack cnchar-order@3.2.6`` and pass
  ``package/cnchar.order.min.js``;
* the total stroke count (kTotalStrokes) of every other CJK ideograph from the Unicode Character
  Database's Unihan (Unicode License Agreement, https://www.unicode.org/license.txt): Debian's
  ``unicode-data`` package (15.0.0) ships it as ``/usr/share/unicode/Unihan_IRGSources.txt.bz2``.

Each stroke is classed into the five stroke types of the 横竖撇点折 order as the 笔顺规范 does
(GB 13000.1 字符集汉字笔顺规范, 通用规范汉字笔顺规范): 1 横 (with 提), 2 竖 (with 竖钩),
3 撇, 4 点 (with 捺), 5 折 (every other stroke that turns or hooks, 撇点 included). So 小 is 234,
女 531, 李 1234521. Output lines: ``字<TAB>笔顺`` (digits 1–5, one a stroke) for characters with a
known order, then ``#N<TAB>字字字…`` listing the characters known only to have N strokes.

Usage: python tools/build_han_strokes.py ORDER_JS UNIHAN_IRGSOURCES_BZ2 [OUT]
"""
import bz2
import gzip
import io
import json
import re
import sys
from collections import defaultdict

#: cnchar's stroke letters (its ``strokeTable``) → the five types: these by their name, every
#: other stroke (a turn or a hook: foldCount > 0) is 折.
BY_NAME = {"j": "1",   # 横
            "i": "1",   # 提 (classed with 横)
            "f": "2",   # 竖
            "g": "2",   # 亅 竖钩 (classed with 竖)
            "s": "3",   # 丿 撇
            "k": "4",   # 丶 点
            "d": "4",   # 点 written rising (心, 必, 火)
            "l": "4"}   # 捺 (classed with 点)


def read_order(path):
    source = open(path, encoding="utf-8").read()
    tables = [json.loads(text) for text in re.findall(r"JSON\.parse\('([^']*)'\)", source)]
    letters = next(t for t in tables if "j" in t and isinstance(t["j"], dict))
    orders = next(t for t in tables if "一" in t)
    classes = {}
    for letter, info in letters.items():
        if letter in BY_NAME:
            classes[letter] = BY_NAME[letter]
        elif int(info["foldCount"]) > 0:
            classes[letter] = "5"
        else:
            raise SystemExit(f"stroke {letter} {info['name']}: class it in BY_NAME")
    return {char: "".join(classes[letter] for letter in seq) for char, seq in orders.items()}


def read_counts(path):
    counts = {}
    with bz2.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3 and parts[1] == "kTotalStrokes":
                # The first value is the count for the mainland (G) form.
                counts[chr(int(parts[0][2:], 16))] = int(parts[2].split()[0])
    return counts


def main(order_js, unihan, out="liaison/han_strokes.txt.gz"):
    orders = read_order(order_js)
    counts = read_counts(unihan)
    only_count = defaultdict(list)
    for char, count in sorted(counts.items()):
        if char not in orders:
            only_count[count].append(char)
    differ = sum(1 for c, seq in orders.items() if c in counts and counts[c] != len(seq))
    with io.StringIO() as f:
        f.write("# Stroke data for 姓氏笔画 order (rule R16), made by tools/build_han_strokes.py.\n"
                "# 笔顺: cnchar-order 3.2.6, MIT License, Copyright (c) 2017 - present theajack.\n"
                "# Stroke counts of the rest: Unicode 15.0 Unihan kTotalStrokes, Copyright (c) 1991-2022\n"
                "# Unicode, Inc., Unicode License Agreement (https://www.unicode.org/license.txt).\n"
                "# 1 横(提) 2 竖(竖钩) 3 撇 4 点(捺) 5 折\n")
        for char, seq in sorted(orders.items()):
            f.write(f"{char}\t{seq}\n")
        for count in sorted(only_count):
            f.write(f"#{count}\t{''.join(only_count[count])}\n")
        text = f.getvalue()
    # mtime=0: the same sources give the same bytes.
    with open(out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(text.encode("utf-8"))
    print(f"{len(orders)} characters with their order, {sum(map(len, only_count.values()))} with a count "
          f"only; {differ} whose order has another length than Unihan's count (the order wins)")


if __name__ == "__main__":
    main(*sys.argv[1:])
