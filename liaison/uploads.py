"""The upload guard: what an uploaded file must be before anything parses it, and safe download names.

Workbooks are zip files: a small upload can unpack to gigabytes (a zip bomb) or carry macros.
The central directory is checked first — entry count, total declared size, macro parts — and
only then is the file handed to openpyxl, which reads through defusedxml.
"""
import io
import os
import re
import unicodedata
import zipfile
from urllib.parse import quote

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms.validators import StopValidation

from liaison.errors import InvalidInput

XLSX_MAX_BYTES = 10 * 1024 * 1024
XLSX_MAX_ENTRIES = 1000
XLSX_MAX_UNPACKED = 200 * 1024 * 1024

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, or an encrypted workbook

#: Leading bytes of the file types the product accepts as attachments.
MAGIC_TYPES = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (_ZIP_MAGIC, "zip"),  # docx and xlsx are zip containers; see sniff_type
    (_OLE_MAGIC, "ole"),  # old .doc / .xls
)


def read_limited(stream, max_bytes):
    """Read at most ``max_bytes`` from an upload, refusing anything larger."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InvalidInput(_l("文件太大：不能超过 %(mb)s MB。", mb=max_bytes // (1024 * 1024)), "file")
    if not data:
        raise InvalidInput(_l("文件是空的。"), "file")
    return data


def sniff_type(data):
    """Tell a file's type by its first bytes: pdf, png, jpeg, docx, xlsx, zip, ole, or None."""
    for magic, kind in MAGIC_TYPES:
        if data.startswith(magic):
            if kind == "zip":
                try:
                    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
                except zipfile.BadZipFile:
                    return None
                if "word/document.xml" in names:
                    return "docx"
                if "xl/workbook.xml" in names:
                    return "xlsx"
            return kind
    return None


def checked_xlsx(stream, max_bytes=XLSX_MAX_BYTES, max_entries=XLSX_MAX_ENTRIES, max_unpacked=XLSX_MAX_UNPACKED):
    """Return a file-like object of an uploaded workbook that is safe to give to openpyxl.

    Raises ``InvalidInput`` with a Chinese message for anything else: too large, not a real
    .xlsx (a renamed CSV, an old .xls), too many parts, unpacking too large, macros.
    """
    return _checked_xlsx_bytes(read_limited(stream, max_bytes), max_entries, max_unpacked)


def checked_table_file(stream, max_bytes=XLSX_MAX_BYTES):
    """Like ``checked_xlsx``, but a CSV file (UTF-8, GBK, or UTF-16 as Excel's "Unicode 文本") is
    accepted too, as it is.

    An old .xls, a macro workbook, a zip bomb are refused with the same messages; anything that is
    neither a workbook nor text is refused.
    """
    data = read_limited(stream, max_bytes)
    if data.startswith(_OLE_MAGIC) or data.startswith(_ZIP_MAGIC):
        return _checked_xlsx_bytes(data)
    if decode_table_text(data) is not None:
        return io.BytesIO(data)
    raise InvalidInput(_l("这不是 Excel 工作簿（.xlsx）或 CSV 文件。请上传按模板填写的 .xlsx 或 .csv 文件。"), "file")


def decode_table_text(data):
    """The text of a CSV file as Excel saves it, with the encoding it was read in, or None when the
    bytes are not text: UTF-16 with its BOM (Excel's "Unicode 文本"), else UTF-8 (with or without
    BOM), else GBK (gb18030, a superset)."""
    encodings = ("utf-16",) if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None if "\x00" in text else (text, encoding)
    return None


def _checked_xlsx_bytes(data, max_entries=XLSX_MAX_ENTRIES, max_unpacked=XLSX_MAX_UNPACKED):
    """``checked_xlsx`` on bytes already read."""
    if data.startswith(_OLE_MAGIC):
        raise InvalidInput(_l("这是旧版 .xls 或加密的文件，请在 Excel 中另存为 .xlsx 格式后再上传。"), "file")
    if not data.startswith(_ZIP_MAGIC):
        raise InvalidInput(_l("这不是 Excel 工作簿（.xlsx）文件。如果是 CSV，请在 Excel 中另存为 .xlsx。"), "file")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise InvalidInput(_l("文件已损坏，无法作为 Excel 工作簿打开。"), "file") from None
    if len(entries) > max_entries:
        raise InvalidInput(_l("文件结构异常（包含的部件过多），已拒绝。"), "file")
    # Declared sizes bound what zipfile will ever inflate, so summing them is enough.
    if sum(e.file_size for e in entries) > max_unpacked:
        raise InvalidInput(_l("文件解压后过大（可能是压缩炸弹），已拒绝。"), "file")
    names = {e.filename for e in entries}
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise InvalidInput(_l("这不是 Excel 工作簿（.xlsx）文件。"), "file")
    content_types = archive.read("[Content_Types].xml")
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in content_types:
        raise InvalidInput(_l("不接受包含宏的文件（.xlsm），请另存为普通 .xlsx 后再上传。"), "file")
    return io.BytesIO(data)


def content_disposition(filename, disposition="attachment"):
    """A Content-Disposition value that every browser reads right (RFC 6266 with RFC 5987).

    The plain ``filename`` is an ASCII fallback with quotes and control characters removed;
    ``filename*`` carries the real (Chinese) name percent-encoded in UTF-8.
    """
    filename = re.sub(r"[\x00-\x1f\x7f\"\\/]", "_", filename).strip() or "download"
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]", "_", ascii_name).strip() or "download"
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def clean_sheet_title(title, fallback="Sheet"):
    """A worksheet title Excel accepts: no []:*?/\\, no leading or trailing apostrophe, ≤ 31 characters."""
    title = _SHEET_FORBIDDEN.sub("_", str(title or "")).strip().strip("'")
    return title[:31] or fallback


class UploadField(FileField):
    """A file field that says so when a file arrives without a name it can read, instead of dropping it.

    Flask-WTF keeps only parts that carry a file name: a part whose ``filename`` parameter cannot be
    parsed (an unclosed quote, an empty value) arrives as plain form text, and one named "" is taken
    for "no file chosen", so the attachment vanished and the form was saved without it.
    """

    #: Set while reading the submission: a file was sent under this field without a readable name.
    unnamed = False

    def process_formdata(self, valuelist):
        self.unnamed = any(_sent_without_a_name(value) for value in valuelist)
        super().process_formdata(valuelist)

    def pre_validate(self, form):
        if self.unnamed:
            raise StopValidation(_l("无法识别所选文件的文件名，文件没有上传。请把文件改成简单的名称"
                                    "（例如 述职报告.pdf）后重新选择。"))


def _sent_without_a_name(value):
    """True for content posted under a file field without a file name (a browser sends an empty,
    nameless part when no file is chosen: that is not it)."""
    if isinstance(value, FileStorage):
        if value.filename:
            return False
        first = value.stream.read(1)
        value.stream.seek(0)
        return bool(first)
    return bool(value)


# --- stored attachments ----------------------------------------------------------------------

def attachment_folder():
    """Where attachments are stored: the instance folder's ``attachments/`` (or
    ``LIAISON_ATTACHMENT_FOLDER`` when set, e.g. by tests)."""
    folder = current_app.config.get("LIAISON_ATTACHMENT_FOLDER") or os.path.join(current_app.instance_path,
                                                                                  "attachments")
    os.makedirs(folder, exist_ok=True)
    return folder


def attachment_path(name):
    """The stored file of an attachment name (a random hex name; nothing else is accepted)."""
    if not re.fullmatch(r"[0-9a-f]{32}", name or ""):
        raise ValueError("not an attachment name")
    return os.path.join(attachment_folder(), name)
