"""The report as a Word document for the office (python-docx).

Contract: ``docx_bytes(outline, t)`` returns the bytes of an A4 document in Times New Roman (the
office's usual face): the title and organisation, the narrative as justified paragraphs, then
per section a heading, its charts and its table (a header row repeated on every page, numbers
right-aligned, below-target cells in bold red, a legend under a table that marks cells). Every
text from the data is neutralised (``dashkit.report.cells``); spreadsheet-only columns are left
out.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from dashkit.i18n import Translator
from dashkit.report import cells
from dashkit.report.model import ReportTable
from dashkit.report.outline import Outline, Picture
from dashkit.report.safe import neutralise

FONT = "Times New Roman"
BODY_PT = 13
TITLE_PT = 15
TABLE_PT = 10
TEXT_WIDTH_CM = 16.0  # A4 (21 cm) less 3 cm left and 2 cm right margins
MARK_COLOUR = RGBColor(0xB0, 0x1E, 0x2D)
HEADER_FILL = "D9E2F3"
BLACK = RGBColor(0, 0, 0)


def docx_bytes(outline: Outline, t: Translator) -> bytes:
    document = Document()
    _page_and_styles(document)
    _title(document, outline)
    document.add_heading(str(neutralise(outline.narrative_heading)), level=1)
    for text in outline.narrative:
        paragraph = document.add_paragraph(str(neutralise(text)))
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Cm(1)
    for note in outline.notes:
        _note(document, note)
    for section in outline.sections:
        document.add_heading(str(neutralise(section.heading)), level=1)
        pictures = section.pictures
        for picture in pictures if section.pictures_first else ():
            _picture(document, picture)
        _table(document, section.table.printed(), t)
        for picture in () if section.pictures_first else pictures:
            _picture(document, picture)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _page_and_styles(document: Any) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    _page_number(section.footer.paragraphs[0])
    styles = document.styles
    for name, size in (("Normal", BODY_PT), ("Heading 1", 14), ("Heading 2", 13)):
        style = styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        _plain_fonts(style.element)
        if name != "Normal":
            style.font.color.rgb = BLACK
            style.font.bold = True
    styles["Normal"].paragraph_format.space_after = Pt(6)


def _plain_fonts(element: Any) -> None:
    """Drop theme font references, which would override the face we set."""
    fonts = element.find(qn("w:rPr") + "/" + qn("w:rFonts"))
    if fonts is None:
        return
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:eastAsia"), FONT)
    fonts.set(qn("w:cs"), FONT)


def _page_number(paragraph: Any) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    paragraph._p.append(field)


def _title(document: Any, outline: Outline) -> None:
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(4)
    run = title.add_run(str(neutralise(outline.title)).upper())
    run.bold = True
    run.font.size = Pt(TITLE_PT)
    subtitle = document.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.paragraph_format.space_after = Pt(12)
    run = subtitle.add_run(str(neutralise(outline.subtitle)))
    run.italic = True


def _note(document: Any, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(4)
    run = paragraph.add_run(str(neutralise(text)))
    run.italic = True
    run.font.size = Pt(TABLE_PT + 1)


def _picture(document: Any, picture: Picture) -> None:
    width_cm = TEXT_WIDTH_CM
    # A tall ranking would run off the page: keep it within about 22 cm of height.
    if picture.height / picture.width * width_cm > 22:
        width_cm = 22 * picture.width / picture.height
    document.add_picture(io.BytesIO(picture.png), width=Cm(width_cm))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _table(document: Any, table: ReportTable, t: Translator) -> None:
    if not table.rows:
        _note(document, t("report.empty_table"))
        return
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    total = sum(column.width for column in table.columns)
    widths = [Cm(TEXT_WIDTH_CM * column.width / total) for column in table.columns]
    for grid_column, width in zip(grid.columns, widths, strict=True):
        grid_column.width = width  # the grid: what LibreOffice and Word lay out by
    header = grid.rows[0]
    _repeat_header(header)
    _keep_whole(header)
    for cell, column, width in zip(header.cells, table.columns, widths, strict=True):
        cell.width = width
        _fill(cell, HEADER_FILL)
        _write(cell, cells.header(t, column), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for row in table.rows:
        out = grid.add_row()
        _keep_whole(out)
        for index, (cell, column, width) in enumerate(
            zip(out.cells, table.columns, widths, strict=True)
        ):
            cell.width = width
            marked = index in row.marked
            _write(
                cell,
                cells.text(t, column, row.values[index]),
                bold=marked,
                colour=MARK_COLOUR if marked else None,
                align=WD_ALIGN_PARAGRAPH.RIGHT if cells.is_numeric(column) else None,
            )
    if table.legend_key and any(row.marked for row in table.rows):
        _note(document, t(table.legend_key))
    else:
        document.add_paragraph()


def _write(
    cell: Any,
    text: str,
    *,
    bold: bool = False,
    colour: RGBColor | None = None,
    align: Any = None,
) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run(text)
    run.font.size = Pt(TABLE_PT)
    run.bold = bold or None
    if colour is not None:
        run.font.color.rgb = colour


def _fill(cell: Any, colour: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(row: Any) -> None:
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


def _keep_whole(row: Any) -> None:
    """A row is never split across two pages."""
    marker = OxmlElement("w:cantSplit")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)
