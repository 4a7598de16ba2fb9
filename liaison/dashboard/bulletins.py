"""The bulletin archive (通报): per month a Word 通报 and its workbook in a folder, listed and served
by strict name, written so that a half-written file never appears under an archive name."""
import os
import re
import tempfile
from datetime import date
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext

from liaison.clock import Month
from liaison.exports.docx import DOCX_MIMETYPE
from liaison.exports.xlsx import XLSX_MIMETYPE

#: Archive files: bulletin-2026-10.xlsx (the workbook) and bulletin-2026-10.docx (the 通报), named
#: after the month the bulletin reports on.
NAME_PATTERN = re.compile(r"bulletin-(\d{4})-(0[1-9]|1[0-2])\.(xlsx|docx)")
MIMETYPES = {"xlsx": XLSX_MIMETYPE, "docx": DOCX_MIMETYPE}
#: A file being written, beside the archive until it is complete.
PART_SUFFIX = ".part"


class ArchivedFile(NamedTuple):
    """One file of a month's bulletin."""

    name: str
    size: int


class ArchivedMonth(NamedTuple):
    """A month's bulletin: the 通报 and the workbook (either may be missing in an old archive)."""

    month: date
    docx: ArchivedFile | None
    xlsx: ArchivedFile | None

    @property
    def last_day(self):
        """The month's last day: the date its bulletin's figures run to."""
        return Month.of(self.month).last


def folder():
    """The archive folder: LIAISON_BULLETIN_FOLDER, else instance/bulletins."""
    configured = current_app.config.get("LIAISON_BULLETIN_FOLDER")
    return configured or os.path.join(current_app.instance_path, "bulletins")


def file_name(year, month, kind="xlsx"):
    """The archive name of a month's workbook (``kind`` xlsx) or 通报 (docx)."""
    return f"bulletin-{year:04d}-{month:02d}.{kind}"


def download_name(name):
    """The name a downloaded archive file is saved under: 2026年11月代表履职情况通报.docx,
    述职率通报-2026年11月.xlsx (the 通报 names its workbook by this name)."""
    match = NAME_PATTERN.fullmatch(name)
    year, month, kind = int(match[1]), int(match[2]), match[3]
    if kind == "docx":
        return gettext("%(y)s年%(m)s月代表履职情况通报", y=year, m=month) + ".docx"
    return gettext("述职率通报-%(y)s年%(m)s月", y=year, m=month) + ".xlsx"


def archive():
    """The archived bulletins, newest month first, as ``ArchivedMonth`` rows."""
    path = folder()
    if not os.path.isdir(path):
        return []
    months = {}
    for name in os.listdir(path):
        match = NAME_PATTERN.fullmatch(name)
        full = os.path.join(path, name)
        if match and os.path.isfile(full):
            files = months.setdefault(date(int(match[1]), int(match[2]), 1), {})
            files[match[3]] = ArchivedFile(name, os.path.getsize(full))
    return [ArchivedMonth(month, files.get("docx"), files.get("xlsx"))
            for month, files in sorted(months.items(), reverse=True)]


def path_of(name):
    """The full path of an archived file, or None when the name is not one (no other file is served)."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        return None
    full = os.path.join(folder(), name)
    return full if os.path.isfile(full) else None


def missing_files(month, written_after=None):
    """The archive names of ``month``'s files not written yet, workbook first; with ``written_after``
    (an aware instant) also those written before it: a file made before its month ended did not see
    the whole month and is made again (rule R22)."""
    names = [file_name(month.year, month.month, kind) for kind in ("xlsx", "docx")]
    missing = []
    for name in names:
        path = path_of(name)
        if path is None or (written_after is not None and os.path.getmtime(path) < written_after.timestamp()):
            missing.append(name)
    return missing


def stage(files):
    """Write ``{archive name: bytes}`` beside the archive under temporary names; returns the
    ``(temporary path, final path)`` pairs for ``put_in_place`` or ``discard``."""
    path = folder()
    os.makedirs(path, exist_ok=True)
    staged = []
    try:
        for name, data in files.items():
            if not NAME_PATTERN.fullmatch(name):
                raise ValueError(f"not an archive name: {name!r}")
            handle, partial = tempfile.mkstemp(prefix=name + ".", suffix=PART_SUFFIX, dir=path)
            staged.append((partial, os.path.join(path, name)))
            with os.fdopen(handle, "wb") as out:
                out.write(data)
    except BaseException:
        discard(staged)
        raise
    return staged


def put_in_place(staged):
    """Rename staged files to their archive names (each rename replaces the file at once)."""
    for partial, final in staged:
        os.replace(partial, final)


def discard(staged):
    """Remove staged files that were not put in place."""
    for partial, _final in staged:
        if os.path.exists(partial):
            os.remove(partial)


def month_of(value):
    """The ``Month`` of a YYYY-MM text, or None when it is not one."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", value or "")
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    return Month(int(match[1]), int(match[2]))
