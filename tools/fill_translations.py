"""Fill empty English entries of the catalog from a Python file holding a dict T {msgid: msgstr}.

Used after `make extract-messages`: python tools/fill_translations.py TRANSLATIONS.py
It refuses a translation whose %(name)s placeholders differ from the msgid's.
"""
import re
import runpy
import sys

from babel.messages.pofile import read_po, write_po

PO = "liaison/translations/en/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def main(path):
    table = runpy.run_path(path)["T"]
    with open(PO, "rb") as fh:
        catalog = read_po(fh)
    filled, left = 0, []
    for message in catalog:
        if not message.id or isinstance(message.id, tuple) or message.string:
            continue
        english = table.get(message.id)
        if english is None:
            left.append(message.id)
            continue
        if set(PLACEHOLDER.findall(message.id)) != set(PLACEHOLDER.findall(english)):
            sys.exit(f"placeholders differ: {message.id!r} -> {english!r}")
        message.string = english
        filled += 1
    with open(PO, "wb") as fh:
        write_po(fh, catalog, width=76)
    print(f"filled {filled}; still empty {len(left)}")
    for msgid in left:
        print("  ", repr(msgid))


if __name__ == "__main__":
    main(sys.argv[1])
