"""The only Word writer: an official document (公文) such as the monthly 通报, from plain parts.

The layout follows what an office expects of a 公文 (GB/T 9704 as far as a 通报 needs it): A4 with
37/35/28/26 mm margins, the title in 二号 宋体 bold and centred, the body in 三号 仿宋 with a first-line
indent of two characters and a fixed line pitch, 一、 headings in 黑体, tables in 小四 with thin
borders and a header row repeated on each page, the signing office and date at the foot on the
right, and "— 1 —" page numbers. Text is written as text: nothing a user typed becomes markup.
"""
import io
import re
from dataclasses import dataclass, field

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

#: Chinese type sizes in points: 二号, 三号, 四号, 小四.
SIZE_TITLE, SIZE_BODY, SIZE_CAPTION, SIZE_TABLE = 22, 16, 14, 12
#: Fonts every Chinese Windows and WPS installation has; Latin text and digits in Times New Roman.
FONT_TITLE, FONT_BODY, FONT_HEADING, FONT_SUBHEADING, FONT_LATIN = "宋体", "仿宋", "黑体", "楷体", "Times New Roman"
#: 三号 at a fixed 28 pt pitch: the 22 lines a page of a 公文 has.
BODY_PITCH = 28

#: Characters XML 1.0 cannot hold (python-docx refuses them); a stray one in a name must not stop a bulletin.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class Heading:
    """A numbered heading: level 1 (一、) in 黑体, level 2 (（一）) in 楷体."""

    text: str
    level: int = 1


@dataclass
class Paragraph:
    """A body paragraph with the usual two-character first-line indent."""

    text: str


@dataclass
class Table:
    """A table with its caption above and notes below; ``widths`` in centimetres.

    ``left_columns`` (1-based) are aligned left, the others centred (numbers, rates).
    """

    caption: str
    headers: list
    rows: list
    widths: list
    notes: list = field(default_factory=list)
    left_columns: frozenset = frozenset()


@dataclass
class OfficialDocument:
    """A 通报 or similar: title, addressee (主送), body parts, attachments, signing office and date."""

    title: str
    addressee: str
    body: list
    issuer: str
    #: The date as it is written under the issuer: 2026年12月1日.
    issued_on: str
    #: Lines after the label (附件：), each naming one attachment.
    attachments: list = field(default_factory=list)
    attachments_label: str = "附件："


def clean(text):
    """Text as a Word document can hold it (no control characters)."""
    return _NOT_XML.sub("", str(text))


def write_document(document):
    """The document as .docx bytes."""
    doc = Document()
    _page_setup(doc)
    _default_font(doc)
    _title(doc, document.title)
    _paragraph(doc, document.addressee, indent=False)
    last = None
    for part in document.body:
        if isinstance(part, Heading):
            _heading(doc, part)
        elif isinstance(part, Table):
            _table(doc, part)
        else:
            last = _paragraph(doc, part.text)
    if last is not None:
        # The signing office never stands alone on the last page: body text goes over with it.
        last.paragraph_format.keep_with_next = True
    if document.attachments:
        _attachments(doc, document.attachments_label, document.attachments)
    _signature(doc, document.issuer, document.issued_on)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _page_setup(doc):
    """A4 portrait, 公文 margins, "— n —" page numbers in the footer."""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(footer, "— ", FONT_TITLE, SIZE_CAPTION)
    _page_field(footer)
    _run(footer, " —", FONT_TITLE, SIZE_CAPTION)


def _page_field(paragraph):
    """The PAGE field (Word fills in the number when it lays out the page)."""
    run = _run(paragraph, "", FONT_LATIN, SIZE_CAPTION)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = " PAGE "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _default_font(doc):
    """The Normal style: 三号 仿宋 (Latin in Times New Roman), fixed 28 pt pitch, no space between."""
    style = doc.styles["Normal"]
    _set_fonts(style.element.get_or_add_rPr(), FONT_BODY)
    style.font.size = Pt(SIZE_BODY)
    spacing = style.paragraph_format
    spacing.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    spacing.line_spacing = Pt(BODY_PITCH)
    spacing.space_before = spacing.space_after = Pt(0)


def _set_fonts(rpr, east_asian):
    """Latin and East Asian fonts of a run or style (Word picks by script)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), FONT_LATIN)
    fonts.set(qn("w:eastAsia"), east_asian)


def _run(paragraph, text, font, size, bold=False):
    """Add a run of text in a font and size."""
    run = paragraph.add_run(clean(text))
    _set_fonts(run._r.get_or_add_rPr(), font)
    run.font.size = Pt(size)
    run.bold = bold
    return run


def _title(doc, text):
    """The title: centred, 二号 宋体 bold, a blank line's space before the addressee."""
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.line_spacing = Pt(36)
    paragraph.paragraph_format.space_after = Pt(BODY_PITCH)
    _run(paragraph, text, FONT_TITLE, SIZE_TITLE, bold=True)


def _paragraph(doc, text, indent=True, align=None, font=FONT_BODY, size=SIZE_BODY):
    """A body paragraph (first line indented by two characters unless ``indent`` is False)."""
    paragraph = doc.add_paragraph()
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(2 * size)
    if align is not None:
        paragraph.alignment = align
    _run(paragraph, text, font, size)
    return paragraph


def _heading(doc, heading):
    """一、 in 黑体, （一） in 楷体; indented like the body, kept with what follows."""
    paragraph = _paragraph(doc, heading.text, font=FONT_HEADING if heading.level == 1 else FONT_SUBHEADING)
    paragraph.paragraph_format.keep_with_next = True


def _table(doc, table):
    """Caption, the bordered table (header repeated on every page, rows never split), then notes."""
    caption = _paragraph(doc, table.caption, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, font=FONT_HEADING,
                         size=SIZE_CAPTION)
    caption.paragraph_format.space_before = Pt(6)
    caption.paragraph_format.keep_with_next = True
    grid = doc.add_table(rows=1, cols=len(table.headers))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    _fill_row(grid.rows[0], table.headers, table, bold=True)
    _repeat_header(grid.rows[0])
    for values in table.rows:
        _fill_row(grid.add_row(), values, table)
    # Word reads the cells' widths, LibreOffice and WPS the grid's: set both.
    for index, width in enumerate(table.widths):
        grid.columns[index].width = Cm(width)
        for cell in grid.columns[index].cells:
            cell.width = Cm(width)
    for note in table.notes:
        _paragraph(doc, note, indent=True, size=SIZE_TABLE).paragraph_format.line_spacing = Pt(20)
    # A little air after the table before the next paragraph.
    doc.add_paragraph().paragraph_format.line_spacing = Pt(10)


def _fill_row(row, values, table, bold=False):
    """One table row: each value as text, centred unless its column is a left column."""
    _keep_together(row)
    for index, (cell, value) in enumerate(zip(row.cells, values), start=1):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paragraph = cell.paragraphs[0]
        paragraph.paragraph_format.first_line_indent = Pt(0)
        paragraph.paragraph_format.line_spacing = Pt(20)
        paragraph.alignment = (WD_ALIGN_PARAGRAPH.LEFT if index in table.left_columns and not bold
                               else WD_ALIGN_PARAGRAPH.CENTER)
        _run(paragraph, "" if value is None else value, FONT_HEADING if bold else FONT_BODY, SIZE_TABLE)


def _repeat_header(row):
    """Repeat the row at the top of each page the table runs onto."""
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    properties.append(element)


def _keep_together(row):
    """A row is never split across two pages."""
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:cantSplit")
    element.set(qn("w:val"), "true")
    properties.append(element)


def _attachments(doc, label, attachments):
    """附件：1. … after a blank line, as a 公文 puts it after the body; lines that wrap are aligned
    under the attachment's name, not under the label."""
    _blank(doc)
    numbered = len(attachments) > 1
    for number, line in enumerate(attachments, start=1):
        prefix = f"{number}. " if numbered else ""
        paragraph = _paragraph(doc, (label if number == 1 else "") + prefix + line, indent=False)
        hanging = len(label) + (1 if numbered else 0)
        paragraph.paragraph_format.left_indent = Pt((2 + hanging) * SIZE_BODY)
        paragraph.paragraph_format.first_line_indent = Pt(-hanging * SIZE_BODY if number == 1 else 0)
        paragraph.paragraph_format.keep_with_next = True


def _blank(doc):
    """An empty line kept with what follows."""
    doc.add_paragraph().paragraph_format.keep_with_next = True


def _signature(doc, issuer, issued_on):
    """The signing office and the date at the foot, on the right, four characters from the edge."""
    _blank(doc)
    _blank(doc)
    for text in (issuer, issued_on):
        paragraph = _paragraph(doc, text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
        paragraph.paragraph_format.right_indent = Pt(4 * SIZE_BODY)
        paragraph.paragraph_format.keep_with_next = True
