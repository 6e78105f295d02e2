"""Lays a ``ReportDocument`` out as an editable Word file in the form of Nghị định 30/2020/NĐ-CP.

Why a module apart from the content: the decree's form (A4, Times New Roman, margins, the two-column
header without borders, the lines under the issuing body and the motto, the signature block) is a
matter of layout that changes nothing the report says; the content module can be tested without
Word and this one without a warehouse. Headings use Word's own "Heading 1/2" styles (restyled to the
decree's font) so the navigation pane and a table of contents work when officials edit the file.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from pipelines.report.content import Bullet, Heading, Paragraph, ReportDocument, Table

FONT = "Times New Roman"
BODY_PT = 14
HEADER_PT = 13
TABLE_PT = 12
PAGE = (Mm(210), Mm(297))                          # A4
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}  # the decree: 20–25, 20–25, 30–35, 15–20
TEXT_WIDTH_CM = (210 - 30 - 15) / 10
HEADER_COLUMNS_CM = (6.3, TEXT_WIDTH_CM - 6.3)
LANGUAGE = "vi-VN"
SIGNATURE_LINES = 4
"""Empty lines under the signer's title: room for the signature and the seal."""


def _fonts(r_pr) -> None:
    """Times New Roman for every script, theme fonts removed (Word prefers a theme font when one is set)."""
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme"):
            del fonts.attrib[attr]
    for script in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(script), FONT)


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
    _fonts(normal.element.get_or_add_rPr())
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), LANGUAGE)
    normal.element.get_or_add_rPr().append(lang)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(6), 1.15
    for name in ("Heading 1", "Heading 2"):
        style = doc.styles[name]
        style.font.name, style.font.size, style.font.bold, style.font.italic = FONT, Pt(BODY_PT), True, False
        style.font.color.rgb = RGBColor(0, 0, 0)
        _fonts(style.element.get_or_add_rPr())
        pf = style.paragraph_format
        pf.space_before, pf.space_after, pf.first_line_indent, pf.keep_with_next = Pt(6), Pt(6), Cm(1), True
        pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    doc.styles["Table Grid"].font.size = Pt(TABLE_PT)


def _page(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE
    for side, length in MARGINS.items():
        setattr(section, f"{side}_margin", length)
    # The decree numbers pages from the second one, at the top, centred.
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    number._p.append(field)


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _widths(table, widths_cm: tuple[float, ...]) -> None:
    """Column widths in the grid (LibreOffice reads these) and on every cell (Word reads those)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_cm):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm):
            cell.width = Cm(width)


def _line(container, text: str, size: int, bold: bool = False, italic: bool = False,
          align=WD_ALIGN_PARAGRAPH.CENTER, first=False):
    """One line of text in a cell or the body (``first``: reuse the cell's empty first paragraph)."""
    paragraph = container.paragraphs[0] if first else container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.first_line_indent = Cm(0)
    run = paragraph.add_run(text)
    run.font.size, run.bold, run.italic = Pt(size), bold, italic
    return paragraph


def _rule(container, length_cm: float, width_cm: float) -> None:
    """The decree's short solid line under the issuing body and the motto: a bottom border on an empty
    paragraph indented to ``length_cm``, centred in ``width_cm``."""
    paragraph = container.add_paragraph()
    fmt = paragraph.paragraph_format
    side = max((width_cm - 0.4 - length_cm) / 2, 0)
    fmt.left_indent = fmt.right_indent = Cm(side)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(2)
    p_pr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    p_pr.append(border)


def _header(doc, report: ReportDocument) -> None:
    """Issuing body | national motto, then number | place and date (the decree's two columns, no borders)."""
    table = doc.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _widths(table, HEADER_COLUMNS_CM)
    left, right = table.cell(0, 0), table.cell(0, 1)
    lines = [(report.superior, False)] if report.superior else []
    lines += [(line, True) for line in report.issuer]
    for i, (text, bold) in enumerate(lines):
        _line(left, text, HEADER_PT, bold=bold, first=i == 0)
    _rule(left, HEADER_COLUMNS_CM[0] / 3, HEADER_COLUMNS_CM[0])
    _line(right, report.motto, 12, bold=True, first=True)
    _line(right, report.motto_sub, BODY_PT, bold=True)
    _rule(right, 6.0, HEADER_COLUMNS_CM[1])
    _line(table.cell(1, 0), report.number, HEADER_PT, first=True).paragraph_format.space_before = Pt(6)
    _line(table.cell(1, 1), report.date_line, BODY_PT, italic=True, first=True).paragraph_format.space_before = Pt(6)


def _title(doc, report: ReportDocument) -> None:
    _line(doc, report.title, BODY_PT, bold=True).paragraph_format.space_before = Pt(18)
    _line(doc, report.subtitle, BODY_PT, bold=True)
    _rule(doc, 3.0, TEXT_WIDTH_CM)
    recipient = _line(doc, f"{report.recipient_prefix} {report.recipient}", BODY_PT)
    recipient.paragraph_format.space_before = recipient.paragraph_format.space_after = Pt(12)


def _body_paragraph(doc, text: str) -> None:
    paragraph = doc.add_paragraph(text)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.first_line_indent = Cm(1)


def _repeat_header(row) -> None:
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _table(doc, block: Table) -> None:
    """A bordered table: bold header repeated on each page, group rows merged and bold, numbers centred."""
    table = doc.add_table(rows=1 + len(block.rows), cols=len(block.columns), style="Table Grid")
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    if block.widths:
        total = sum(block.widths)
        _widths(table, tuple(TEXT_WIDTH_CM * w / total for w in block.widths))
    _repeat_header(table.rows[0])
    for cell, text in zip(table.rows[0].cells, block.columns):
        _line(cell, text, TABLE_PT, bold=True, first=True)
    for i, values in enumerate(block.rows):
        cells = table.rows[i + 1].cells
        if i in block.group_rows:
            merged = cells[0].merge(cells[-1])
            _line(merged, values[0], TABLE_PT, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, first=True)
            continue
        for j, (cell, text) in enumerate(zip(cells, values)):
            align = WD_ALIGN_PARAGRAPH.LEFT if j == 1 else WD_ALIGN_PARAGRAPH.CENTER
            _line(cell, text, TABLE_PT, align=align, first=True)
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _signature(doc, report: ReportDocument) -> None:
    """'Nơi nhận' on the left (12 and 11 pt), the signer's title on the right, room to sign below it."""
    doc.paragraphs[-1].paragraph_format.keep_with_next = True  # the closing sentence stays with the signature
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, (TEXT_WIDTH_CM / 2, TEXT_WIDTH_CM / 2))
    cant_split = OxmlElement("w:cantSplit")
    table.rows[0]._tr.get_or_add_trPr().append(cant_split)
    left, right = table.cell(0, 0), table.cell(0, 1)
    _line(left, report.copies_heading, 12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, first=True)
    for line in report.copies_to:
        _line(left, f"- {line}", 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    for i, line in enumerate(report.signer):
        _line(right, line, BODY_PT, bold=True, first=i == 0)
    _line(right, report.signature_note, HEADER_PT, italic=True)
    for _ in range(SIGNATURE_LINES):
        _line(right, "", BODY_PT)


def write_docx(report: ReportDocument, out: str | Path | BinaryIO) -> None:
    """Write the report as .docx to a path or a binary stream."""
    doc = Document()
    _styles(doc)
    _page(doc)
    doc.core_properties.title = report.subtitle
    doc.core_properties.author = doc.core_properties.last_modified_by = "dvcq"
    doc.core_properties.language = LANGUAGE
    _header(doc, report)
    _title(doc, report)
    for block in report.blocks:
        if isinstance(block, Heading):
            doc.add_paragraph(block.text, style=f"Heading {block.level}")
        elif isinstance(block, Paragraph):
            _body_paragraph(doc, block.text)
        elif isinstance(block, Bullet):
            _body_paragraph(doc, f"- {block.text}")
        elif isinstance(block, Table):
            _table(doc, block)
    _signature(doc, report)
    doc.save(out)


def docx_bytes(report: ReportDocument) -> bytes:
    buffer = io.BytesIO()
    write_docx(report, buffer)
    return buffer.getvalue()
