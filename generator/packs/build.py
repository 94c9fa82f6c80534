"""An author's helper that draws Word templates: python -m generator.packs.build [PACK …].

A report's .docx is made from its .md.j2 (one paragraph per line, see the packs' README); a table's .docx is drawn
here as a real Word table with row loops. The committed .docx are the source of their packs and may be edited in
Word afterwards; tests/test_pack_build.py keeps each pack's Word and text versions saying the same.

Every template carries the official format (GB/T 9704 practice): A4, margins 37/35/28/26 mm, 仿宋_GB2312 三号 body
with fixed 29 pt lines and a 2-character first-line indent, 方正小标宋简体 二号 title, 黑体 / 楷体_GB2312 / 仿宋 bold
headings, page numbers "— N —" in 宋体 四号 (odd pages right, even pages left), the East Asian font set on every style
and every run.
"""
from __future__ import annotations

import io
import re
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from ..render import docx_style as st
from ..render.environment import STYLE_MARK

from ..pack import PACKS_DIR as HERE
from ..zips import restamped

STAMP = datetime(2024, 1, 1)
THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def set_fonts(element, east_asia: str, latin: str = st.LATIN_FONT) -> None:
    """rFonts with an explicit East Asian font and no theme fonts (which would win over the named fonts)."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in THEME_ATTRS:
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:hint"), "eastAsia")


def first_line_chars(style_or_paragraph, chars: int) -> None:
    """Indent the first line by whole characters (firstLineChars wins over the absolute value in Word and WPS)."""
    ppr = style_or_paragraph.element.get_or_add_pPr() if hasattr(style_or_paragraph, "element") else style_or_paragraph
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.append(ind)
    ind.set(qn("w:firstLineChars"), str(chars * 100))
    ind.set(qn("w:firstLine"), str(chars * st.BODY_PT * 20))


def paragraph_style(doc, name: str, font: str, size: float, *, bold: bool = False, align=None, indent: int = 0,
                    line_pt: float | None = st.LINE_PT, before: float = 0, after: float = 0, base: str | None = None,
                    color: RGBColor | None = None, page_break: bool = False, keep_next: bool = False):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if base:
        style.base_style = styles[base]
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = color or RGBColor(0, 0, 0)
    set_fonts(style.element, font)
    pf = style.paragraph_format
    pf.alignment = align if align is not None else WD_ALIGN_PARAGRAPH.JUSTIFY
    if line_pt:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(line_pt)
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    pf.page_break_before = page_break
    pf.keep_with_next = keep_next
    pf.widow_control = False
    pf.left_indent = Pt(0)
    pf.right_indent = Pt(0)
    if indent:
        first_line_chars(style, indent)
    else:
        pf.first_line_indent = Pt(0)
        style.element.get_or_add_pPr().find(qn("w:ind")).set(qn("w:firstLineChars"), "0")
    return style


def define_styles(doc, compact: bool = False) -> None:
    # Document defaults: every run without an explicit font still gets 仿宋_GB2312 for Chinese.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr_default.find(qn("w:rFonts"))
    for attr in THEME_ATTRS:
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    for attr, value in (("w:ascii", st.LATIN_FONT), ("w:hAnsi", st.LATIN_FONT), ("w:eastAsia", st.BODY_FONT),
                        ("w:cs", st.LATIN_FONT)):
        fonts.set(qn(attr), value)
    lang = rpr_default.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr_default.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")

    center = WD_ALIGN_PARAGRAPH.CENTER
    paragraph_style(doc, "Normal", st.BODY_FONT, st.BODY_PT, indent=2)
    paragraph_style(doc, "公文标题", st.TITLE_FONT, st.TITLE_PT, align=center, line_pt=36, base="Normal", keep_next=True)
    paragraph_style(doc, "标题空行", st.BODY_FONT, st.BODY_PT, align=center, base="Normal")
    paragraph_style(doc, "Heading 1", st.HEADING1_FONT, st.BODY_PT, indent=2, base="Normal", keep_next=True)
    paragraph_style(doc, "Heading 2", st.HEADING2_FONT, st.BODY_PT, indent=2, base="Normal", keep_next=True)
    paragraph_style(doc, "Heading 3", st.BODY_FONT, st.BODY_PT, bold=True, indent=2, base="Normal", keep_next=True)
    paragraph_style(doc, "附件标题", st.HEADING1_FONT, st.BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT, base="Normal",
                    page_break=True, after=st.LINE_PT, keep_next=True)
    paragraph_style(doc, "图片", st.BODY_FONT, st.BODY_PT, align=center, line_pt=None, before=6, base="Normal",
                    keep_next=True)
    paragraph_style(doc, "图题", st.BODY_FONT, 14, align=center, line_pt=None, after=10, base="Normal")
    paragraph_style(doc, "落款", st.BODY_FONT, st.BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, base="Normal")
    paragraph_style(doc, "校验提示", st.HEADING1_FONT, 14, align=center, line_pt=None, after=6, base="Normal",
                    color=RGBColor(0xC0, 0, 0))
    paragraph_style(doc, "页码", st.PAGE_NUMBER_FONT, st.PAGE_NUMBER_PT, line_pt=None, base="Normal")
    cell_styles = [(st.TABLE_STYLE, False, st.TABLE_PT, None), (st.TABLE_HEAD_STYLE, True, st.TABLE_PT, None)]
    if compact:
        cell_styles += [(st.SCORE_TABLE_STYLE, False, st.SCORE_TABLE_PT, st.SCORE_TABLE_LINE_PT),
                        (st.SCORE_TABLE_HEAD_STYLE, True, st.SCORE_TABLE_PT, st.SCORE_TABLE_LINE_PT)]
    for name, bold, size, line_pt in cell_styles:
        style = paragraph_style(doc, name, st.BODY_FONT, size, bold=bold, align=center, line_pt=line_pt,
                                base="Normal")
        # cells do not snap to the page's line grid (the body's 29 pt grid would make every table line tall)
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        style.element.get_or_add_pPr().insert_element_before(snap, "w:spacing", "w:ind", "w:jc")
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        # Built-in headings carry theme colours and spacing in the default template: reset to black, no spacing.
        style = doc.styles[name]
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.italic = False
    for style in doc.styles:
        if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE):
            rpr = style.element.rPr
            if rpr is not None and rpr.find(qn("w:rFonts")) is not None:
                font = rpr.find(qn("w:rFonts")).get(qn("w:eastAsia")) or st.BODY_FONT
                set_fonts(style.element, font)
            elif style.type != WD_STYLE_TYPE.TABLE:
                set_fonts(style.element, st.BODY_FONT)


def add_page_number(paragraph, font: str = st.PAGE_NUMBER_FONT) -> None:
    """— PAGE — as a field, every run with its East Asian font."""
    def run(text: str | None = None, field: str | None = None, instr: str | None = None):
        r = paragraph.add_run(text or "")
        set_fonts(r._r, font)
        r.font.size = Pt(st.PAGE_NUMBER_PT)
        if field:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), field)
            r._r.append(fld)
        if instr:
            node = OxmlElement("w:instrText")
            node.set(qn("xml:space"), "preserve")
            node.text = instr
            r._r.append(node)
        return r

    run("— ")
    run(field="begin")
    run(instr=" PAGE ")
    run(field="separate")
    run("1")
    run(field="end")
    run(" —")


def page_setup(doc) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(st.PAGE_MM[0]), Mm(st.PAGE_MM[1])
    section.top_margin = Mm(st.MARGINS_MM["top"])
    section.bottom_margin = Mm(st.MARGINS_MM["bottom"])
    section.left_margin = Mm(st.MARGINS_MM["left"])
    section.right_margin = Mm(st.MARGINS_MM["right"])
    section.header_distance = Mm(15)
    section.footer_distance = Mm(st.FOOTER_DISTANCE_MM)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(st.LINE_PT * 20))
    doc.settings.odd_and_even_pages_header_footer = True
    one_char = Pt(st.PAGE_NUMBER_PT)
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        para = footer.paragraphs[0]
        para.style = doc.styles["页码"]
        para.alignment = align
        para.paragraph_format.right_indent = one_char if align == WD_ALIGN_PARAGRAPH.RIGHT else Pt(0)
        para.paragraph_format.left_indent = one_char if align == WD_ALIGN_PARAGRAPH.LEFT else Pt(0)
        para.paragraph_format.first_line_indent = Pt(0)
        add_page_number(para)
    for header in (section.header, section.even_page_header):
        header.is_linked_to_previous = False
        set_fonts(header.paragraphs[0].style.element, st.BODY_FONT)


FONT_OF_STYLE = {"公文标题": st.TITLE_FONT, "Heading 1": st.HEADING1_FONT, "Heading 2": st.HEADING2_FONT,
                 "附件标题": st.HEADING1_FONT, "校验提示": st.HEADING1_FONT}


BORDER = '<w:{side} w:val="single" w:sz="6" w:space="0" w:color="000000"/>'
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


_BOLD_SPLIT = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\*\*)")


def para(doc, text: str, style: str = "Normal") -> None:
    """One paragraph; each run repeats the style's East Asian font. **…** outside template tags is a bold run
    (the Markdown mark of the same line), so a line reads the same in Word as in the text version."""
    if style not in {s.name for s in doc.styles} and style in EXTRA_STYLES:
        EXTRA_STYLES[style](doc)
    p = doc.add_paragraph(style=style)
    for piece, bold in _runs(text):
        r = p.add_run(piece)
        if bold:
            r.bold = True
        set_fonts(r._r, FONT_OF_STYLE.get(style, st.BODY_FONT))


def _runs(text: str) -> list[tuple[str, bool]]:
    """A line's runs and whether each is bold; an unpaired ** is text, not a mark."""
    pieces = _BOLD_SPLIT.split(text) if "**" in text else [text]
    if len(pieces) == 1 or pieces.count("**") % 2:
        return [(text, False)]
    out: list[tuple[str, bool]] = []
    bold, current = False, ""
    for piece in pieces:
        if piece == "**":
            if current:
                out.append((current, bold))
            bold, current = not bold, ""
        else:
            current += piece
    if current:
        out.append((current, bold))
    return out or [("", False)]


def _check_styles(doc) -> None:
    """The 校验报告's own paragraph styles, made only in the documents that use them: the facts at the top and each
    finding flush left, a finding's breakdown indented two characters under it in 四号."""
    left = WD_ALIGN_PARAGRAPH.LEFT
    paragraph_style(doc, "校验信息", st.BODY_FONT, st.BODY_PT, align=left, base="Normal")
    paragraph_style(doc, "校验问题", st.BODY_FONT, st.BODY_PT, align=left, base="Normal", before=6)
    detail = paragraph_style(doc, "校验明细", st.BODY_FONT, 14, align=left, line_pt=24, base="Normal")
    detail.paragraph_format.left_indent = Pt(2 * st.BODY_PT)


EXTRA_STYLES = {name: _check_styles for name in ("校验信息", "校验问题", "校验明细")}


def new_document(title: str, compact: bool = False):
    """An empty bundled template with the official styles; compact: also the score tables' 小五 cell styles."""
    doc = Document()
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    define_styles(doc, compact)
    page_setup(doc)
    core = doc.core_properties
    core.title, core.author, core.last_modified_by = title, "jxzp", "jxzp"
    core.created = core.modified = core.last_printed = STAMP
    core.revision = 1
    core.comments = "jxzp 模板包的 Word 模板；变量说明见模板包 README"
    return doc


def stable_zip(data: bytes) -> bytes:
    """Re-zip with fixed timestamps and member order, so the same template gives the same bytes; python-docx's
    leftovers Word would repair are dropped (stylesWithEffects, w:zoom without a percentage, Japanese theme font)."""
    def edit(name: str, data: bytes) -> bytes:
        if name == "word/settings.xml":
            data = re.sub(rb'<w:zoom(?![^>]*w:percent)[^>]*/>', b'<w:zoom w:percent="100"/>', data)
            return data.replace(b'w:eastAsia="ja-JP"', b'w:eastAsia="zh-CN"')
        if name == "word/_rels/document.xml.rels":
            return re.sub(rb'<Relationship [^>]*Target="stylesWithEffects.xml"/>', b"", data)
        if name == "[Content_Types].xml":
            return re.sub(rb'<Override PartName="/word/stylesWithEffects.xml"[^>]*/>', b"", data)
        return data

    return restamped(data, edit, drop=frozenset({"word/stylesWithEffects.xml"}))


# ---------------------------------------------------------------- reports: .md.j2 → .docx

_STYLE_MARK = re.compile(r"\{#\s*样式[:：]\s*(\S+?)\s*#\}\s*$")
_BLOCK_CALL = re.compile(r"^\{\{\s*table\(.*\)\s*\}\}$")
_HEADINGS = {1: "公文标题", 2: "Heading 1", 3: "Heading 2", 4: "Heading 3"}


def report_from_markdown(source: str, title: str):
    """The Word template of a report whose .md.j2 is `source`: each line a paragraph, a line holding only a
    {% %} tag a docxtpl paragraph tag, {{ table(…) }} a paragraph-level table, '#' lines titles and headings,
    a trailing {#样式:名称#} the paragraph style; Markdown marks (> - ** ---) are dropped (inline **…** becomes
    a bold run), comments removed."""
    doc = new_document(title)
    text = re.sub(r"\{#-?(?:(?!#\}).)*?-?#\}", lambda m: m.group(0) if STYLE_MARK.fullmatch(m.group(0)) else "",
                  source, flags=re.S)
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line == "---":
            continue
        style = "Normal"
        mark = _STYLE_MARK.search(line)
        if mark:
            style, line = mark.group(1), line[:mark.start()].rstrip()
        if re.fullmatch(r"\{%-?.*?-?%\}", line) and line.count("%}") == 1:
            para(doc, "{%p" + line[2:].lstrip("-"), "Normal")
            continue
        if _BLOCK_CALL.match(line):
            para(doc, "{{p" + line[2:], "Normal")
            continue
        heading = re.match(r"^(#{1,4})\s+", line)
        if heading:
            line = line[heading.end():]
            if style == "Normal":
                style = _HEADINGS[len(heading.group(1))]
        if line.startswith("> ") or line.startswith("- "):    # a quote or list mark of the text version
            line = line[2:]
        if line.startswith("**") and line.endswith("**"):
            line = line[2:-2]
        for piece in line.split("{#换行#}"):
            para(doc, piece, style)
    return doc


# ---------------------------------------------------------------- tables drawn in Word

@dataclass(frozen=True)
class Cell:
    """One cell: its width in mm (cells of a row add up to the text width), text, static vertical merge, look."""

    text: str
    width: float
    merge: str | None = None      # "restart" | "continue" (a merge fixed in the template)
    bold: bool = False
    align: str = "center"


def table_xml(rows: list[list[Cell]], header_rows: int = 0, keep_last: int = 0, compact: bool = False,
              keep_rows: tuple[int, ...] = ()) -> str:
    """A fixed-layout table 156 mm wide; the grid is the union of the rows' cell boundaries. Every row is kept whole
    on one page (a row cut by a page break reads as two rows); header rows repeat on every page. The last
    `keep_last` rows and the rows at `keep_rows` keep with what follows them (the 总分 row with the sign-off, the
    last indicator row with 总分). compact: the score tables' 小五 cell styles."""
    bounds: set[int] = {0}
    row_edges: list[list[tuple[int, int]]] = []
    for row in rows:
        pos, edges = 0.0, []
        for cell in row:
            start = st.twips(pos)
            pos += cell.width
            edges.append((start, st.twips(pos)))
            bounds.add(st.twips(pos))
        if abs(pos - st.TEXT_WIDTH_MM) > 0.01:
            raise ValueError(f"row width {pos} mm != {st.TEXT_WIDTH_MM} mm: {[c.text for c in row]}")
        row_edges.append(edges)
    grid = sorted(bounds)
    borders = "".join(BORDER.format(side=s) for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
    # cell padding in twips: the score tables' exact 12 pt lines already leave air above and below the text
    pad_v, pad_h = (0, 45) if compact else (28, 57)
    out = [
        f"<w:tbl {W_NS}><w:tblPr>"
        f'<w:tblW w:w="{grid[-1]}" w:type="dxa"/><w:jc w:val="center"/>'
        f"<w:tblBorders>{borders}</w:tblBorders>"
        '<w:tblLayout w:type="fixed"/>'
        f'<w:tblCellMar><w:top w:w="{pad_v}" w:type="dxa"/><w:left w:w="{pad_h}" w:type="dxa"/>'
        f'<w:bottom w:w="{pad_v}" w:type="dxa"/><w:right w:w="{pad_h}" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
        'w:noHBand="0" w:noVBand="0"/></w:tblPr><w:tblGrid>'
    ]
    out += [f'<w:gridCol w:w="{b - a}"/>' for a, b in zip(grid, grid[1:])]
    out.append("</w:tblGrid>")
    for index, (row, edges) in enumerate(zip(rows, row_edges)):
        header = "<w:tblHeader/>" if index < header_rows else ""
        keep_next = index >= len(rows) - keep_last or index in keep_rows
        out.append(f"<w:tr><w:trPr><w:cantSplit/>{header}</w:trPr>")
        for cell, (start, end) in zip(row, edges):
            span = grid.index(end) - grid.index(start)
            props = f'<w:tcW w:w="{end - start}" w:type="dxa"/>'
            if span > 1:
                props += f'<w:gridSpan w:val="{span}"/>'
            if cell.merge == "restart":
                props += '<w:vMerge w:val="restart"/>'
            elif cell.merge == "continue":
                props += "<w:vMerge/>"
            props += '<w:vAlign w:val="center"/>'
            text = "" if cell.merge == "continue" else cell.text
            body = st.table_paragraph(text, align=cell.align, bold=cell.bold, keep_next=keep_next, compact=compact)
            out.append(f"<w:tc><w:tcPr>{props}</w:tcPr>{body}</w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def loop_row(tag: str) -> list[Cell]:
    """A row holding only a {%tr … %} tag: docxtpl replaces the whole row by the tag."""
    return [Cell(tag, st.TEXT_WIDTH_MM, align="left")]


def table_title(doc, text: str) -> None:
    doc.element.body.append(parse_xml(st.paragraph(text, size=st.TABLE_TITLE_PT, bold=True, after=8, keep_next=True)
                                      .replace("<w:p>", f"<w:p {W_NS}>", 1)))


def small_title(doc, text: str) -> None:
    doc.element.body.append(parse_xml(st.paragraph(text, size=st.TABLE_NOTE_PT, bold=True, before=6, after=4,
                                                   keep_next=True).replace("<w:p>", f"<w:p {W_NS}>", 1)))


def add_table(doc, rows: list[list[Cell]], header_rows: int = 0, keep_last: int = 0, compact: bool = False,
              keep_rows: tuple[int, ...] = ()) -> None:
    doc.element.body.append(parse_xml(table_xml(rows, header_rows, keep_last, compact, keep_rows)))


def gap(doc) -> None:
    """A hairline paragraph between two tables (Word joins adjacent tables otherwise)."""
    doc.element.body.append(parse_xml(st.paragraph("", size=1, line_pt=1, keep_next=True).replace("<w:p>", f"<w:p {W_NS}>", 1)))


def note(doc, text: str, keep_next: bool = False) -> None:
    doc.element.body.append(parse_xml(st.paragraph(text, align="left", size=st.TABLE_NOTE_PT, before=4,
                                                   keep_next=keep_next).replace("<w:p>", f"<w:p {W_NS}>", 1)))


def finish(doc):
    """Move the section properties back to the end of the body (tables were appended after them)."""
    body = doc.element.body
    sect = body.find(qn("w:sectPr"))
    body.remove(sect)
    body.append(sect)
    return doc


FOOTER = ("填表人：{{ unit.preparer }}　　　　联系电话：{{ unit.phone }}",
          "填报日期：{{ unit.report_date|cn_date }}　　　　单位负责人签字：")
# Column widths of the score tables in mm (小五, about 3.2 mm a character): one character for the merged 绩效指标,
# four for the 一级/二级 names, narrow figures, and the rest for the texts (三级指标, 偏差原因).
LEVEL_WIDTHS = (7, 15, 15, 24, 15, 24, 9, 12, 35)   # 绩效指标 | 一级 | 二级 | 三级 | 指标值 | 实际值 | 分值 | 得分 | 偏差
LABEL = 16                                           # the label column: 项目名称, 项目资金（万元）, 年度总体目标
FUNDS_WIDTHS = (LABEL, 32, 19, 19, 19, 12, 20, 19)
HALF = (st.TEXT_WIDTH_MM - LABEL) / 2
# Heads broken by hand where the column holds fewer characters than the head, so no line holds a lone character.
INDICATOR_HEADS = ("一级指标", "二级指标", "三级指标", "年度\n指标值", "实际完成值", "分值", "得分", "偏差原因分析\n及改进措施")


def indicator_table(doc, rows_var: str, card: str, total: str, grade: str) -> None:
    """The indicator block of a score table: 一级 and 二级 cells merged by the merge pass, a row loop, 总分."""
    lw = LEVEL_WIDTHS
    rows = [[Cell('{{ "绩效指标"|merge }}', lw[0], bold=True)] + [Cell(h, w, bold=True) for h, w in zip(INDICATOR_HEADS, lw[1:])]]
    indicator = [
        Cell('{{ "绩效指标"|merge }}', lw[0], bold=True),
        Cell("{{ row.level1|merge }}（{{ row.level1_weight|weight }}分）", lw[1]),
        Cell("{{ row.level2|merge(row.level1) }}", lw[2]),
        Cell("{{ row.name|cell }}", lw[3], align="left"), Cell('{{ row.target or "—" }}', lw[4]),
        Cell('{{ row.actual or "—" }}', lw[5]), Cell("{{ row.weight|weight }}", lw[6]),
        Cell('{{ row.score|score if row.applicable else "不适用" }}', lw[7]),
        Cell("{{ row.deviation|cell }}", lw[8], align="left"),
    ]
    rows += last_kept(rows_var, indicator)
    rows.append([Cell("总分", sum(lw[:6]), bold=True), Cell("{{ profile.total|weight }}", lw[6], bold=True),
                 Cell(total, lw[7], bold=True), Cell("", lw[8])])
    # The grade has a row of its own: in the 偏差原因分析及改进措施 column it would read as a deviation.
    rows.append([Cell("自评等级", sum(lw[:6]), bold=True), Cell(grade, sum(lw[6:]), bold=True)])
    add_table(doc, rows, header_rows=1, keep_last=2, compact=True, keep_rows=(len(rows) - 4,))


def last_kept(rows_var: str, row: list[Cell]) -> list[list[Cell]]:
    """A row loop drawn twice, over all rows but the last and over the last one, so that the last row (and only it)
    can keep with the row after it: no page then holds only 总分 and the sign-off."""
    return [loop_row(f"{{%tr for row in {rows_var}[:-1] %}}"), row, loop_row("{%tr endfor %}"),
            loop_row(f"{{%tr for row in {rows_var}[-1:] %}}"), row, loop_row("{%tr endfor %}")]


def goal_rows(owner: str) -> list[list[Cell]]:
    """The 年度总体目标 rows of a score table: the goal and what was achieved, side by side."""
    return [[Cell("年度总体目标", LABEL, merge="restart", bold=True), Cell("预期目标", HALF, bold=True),
             Cell("实际完成情况", HALF, bold=True)],
            [Cell("", LABEL, merge="continue"), Cell(f'{{{{ {owner}.goal or "—" }}}}', HALF, align="left"),
             Cell(f'{{{{ {owner}.achieved or "—" }}}}', HALF, align="left")]]


def project_score_table(current_label: str = "当年财政拨款", codes: bool = False):
    """项目支出绩效自评表: the national layout (安徽: 本年财政拨款)."""
    doc = new_document("项目支出绩效自评表", compact=True)
    table_title(doc, "项目支出绩效自评表（{{ year }}年度）")
    w = FUNDS_WIDTHS
    top = [[Cell("项目名称", LABEL, bold=True), Cell("{{ item.project.name }}", 2 * HALF, align="left")],
           [Cell("主管部门", LABEL, bold=True), Cell("{{ item.project.superior or unit.superior or unit.name }}", HALF - 10,
                                                  align="left"),
            Cell("实施单位", 20, bold=True), Cell("{{ item.project.office or unit.name }}", HALF - 10, align="left")],
           [Cell("项目资金（万元）", w[0], merge="restart", bold=True)]
           + [Cell(h, width, bold=True) for h, width in zip(("", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"), w[1:])],
           [Cell("", w[0], merge="continue"), Cell("年度资金总额", w[1], align="left"),
            Cell("{{ item.card.initial_budget|money }}", w[2]), Cell("{{ item.card.budget|money }}", w[3]),
            Cell("{{ item.card.actual|money }}", w[4]), Cell("{{ item.card.execution_weight|weight }}", w[5]),
            Cell("{{ item.card.execution_rate|percent }}", w[6]), Cell("{{ item.card.execution_score|score }}", w[7])]]
    for key, label in (("current", f"其中：{current_label}"), ("carryover", "上年结转资金"), ("other", "其他资金")):
        top.append([Cell("", w[0], merge="continue"), Cell(label, w[1], align="left")]
                   + [Cell(f"{{{{ item.project.funds.{stage}.{key}|money }}}}", width)
                      for stage, width in zip(("initial_budget", "budget", "actual"), w[2:5])]
                   + [Cell("—", width) for width in w[5:]])
    top += goal_rows("item.project")
    add_table(doc, top, compact=True)
    gap(doc)
    indicator_table(doc, "item.rows", "item.card", "{{ item.card.total|score }}",
                    '{{ "待改正后评定" if item.card.held else item.card.grade or "—" }}')
    note(doc, FOOTER[0], keep_next=True)
    note(doc, FOOTER[1])
    return finish(doc)


def department_score_table():
    """部门整体支出绩效自评表 (the Hunan layout of its 附件, used by the national pack too)."""
    doc = new_document("部门整体支出绩效自评表", compact=True)
    table_title(doc, "{{ year }}年度部门整体支出绩效自评表")
    w = FUNDS_WIDTHS
    card = "department.card"
    top = [[Cell("预算部门", LABEL, bold=True), Cell("{{ unit.name }}", 2 * HALF, align="left")],
           [Cell("年度预算\n申请\n（万元）", w[0], merge="restart", bold=True)]
           + [Cell(h, width, bold=True) for h, width in zip(("", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"), w[1:])],
           [Cell("", w[0], merge="continue"), Cell("年度资金总额", w[1], align="left"),
            Cell(f"{{{{ {card}.initial_budget|money }}}}", w[2]), Cell(f"{{{{ {card}.budget|money }}}}", w[3]),
            Cell(f"{{{{ {card}.actual|money }}}}", w[4]), Cell(f"{{{{ {card}.execution_weight|weight }}}}", w[5]),
            Cell(f"{{{{ {card}.execution_rate|percent }}}}", w[6]), Cell(f"{{{{ {card}.execution_score|score }}}}", w[7])]]
    split = [('按收入性质分：{{ finance["本年收入合计"].actual|money }}', '按支出性质分：{{ finance["本年支出合计"].actual|money }}'),
             ('其中：一般公共预算：{{ finance["一般公共预算财政拨款收入"].actual|money }}', '其中：基本支出：{{ finance["基本支出"].actual|money }}'),
             ('政府性基金拨款：{{ finance["政府性基金预算财政拨款收入"].actual|money }}', '项目支出：{{ finance["项目支出"].actual|money }}'),
             ('纳入专户管理的非税收入拨款：{{ finance["财政专户管理资金收入"].actual|money }}', ""),
             ("其他资金：{{ other_income|money }}", "")]
    for left, right in split:
        top.append([Cell("", w[0], merge="continue"), Cell(left, HALF, align="left"), Cell(right, HALF, align="left")])
    top += goal_rows("unit")
    add_table(doc, top, compact=True)
    gap(doc)
    indicator_table(doc, "department.rows", card,
                    "{{ (department.card.total if department.card.total is not none else department.stated_total)|score }}",
                    '{{ "待改正后评定" if department.card.held else department.card.grade or department.stated_grade or "—" }}')
    note(doc, FOOTER[0], keep_next=True)
    note(doc, FOOTER[1])
    return finish(doc)


def basic_data_table():
    """部门整体支出绩效评价基础数据表 (Hunan's 附件1)."""
    doc = new_document("部门整体支出绩效评价基础数据表")
    table_title(doc, "{{ year }}年度部门整体支出绩效评价基础数据表")
    widths = (52, 34, 36, 34)

    def line(label: str, ref: str) -> list[Cell]:
        return [Cell(label, widths[0], align="left")] + [Cell(f"{{{{ {ref}.{col}|money }}}}", w)
                                                         for col, w in zip(("last_year", "initial_budget", "actual"), widths[1:])]

    tp = 'three_public["{}"]'
    fin = 'finance["{}"]'
    staff = [[Cell("财政供养人员情况（人）", widths[0], merge="restart", bold=True), Cell("编制数", widths[1], bold=True),
              Cell("{{ year }}年实际在职人数", widths[2], bold=True), Cell("控制率", widths[3], bold=True)],
             [Cell("", widths[0], merge="continue"),
              Cell('{{ unit.staffing.establishment if unit.staffing.establishment is not none else "—" }}', widths[1]),
              Cell('{{ unit.staffing.in_post if unit.staffing.in_post is not none else "—" }}', widths[2]),
              Cell("{{ results.staff_control_rate|percent }}", widths[3])]]
    # Three tables that read as one: the money part, which grows with the projects and may go over a page, repeats
    # its head row on the next page; each head stays with its first row, the last part with the notes.
    rows = [[Cell(h, w, bold=True) for h, w in zip(("经费控制情况（万元）", "{{ last_year }}年决算数", "{{ year }}年预算数", "{{ year }}年决算数"), widths)],
            line("支出总额", fin.format("本年支出合计")), line("基本支出", fin.format("基本支出")),
            line("其中：公用经费", fin.format("公用经费")), line("项目支出", fin.format("项目支出")),
            loop_row("{%tr for pr in results.projects %}"),
            [Cell('{{ "其中：" if loop.first }}{{ loop.index }}、{{ pr.project.name }}', widths[0], align="left"),
             Cell("{{ pr.project.last_year_actual|money }}", widths[1]), Cell("{{ pr.card.initial_budget|money }}", widths[2]),
             Cell("{{ pr.card.actual|money }}", widths[3])],
            loop_row("{%tr endfor %}"),
            line("三公经费", tp.format("三公经费合计")),
            [Cell("1、公务用车购置和维护经费", widths[0], align="left")]
            + [Cell(f'{{{{ total([three_public["公务用车购置费"].{col}, three_public["公务用车运行维护费"].{col}])|money }}}}', w)
               for col, w in zip(("last_year", "initial_budget", "actual"), widths[1:])],
            line("其中：公车购置", tp.format("公务用车购置费")), line("公车运行维护", tp.format("公务用车运行维护费")),
            line("2、出国经费", tp.format("因公出国（境）费")), line("3、公务接待", tp.format("公务接待费")),
            line("政府采购金额", fin.format("政府采购支出"))]
    bw = (40, 19, 19, 19, 20, 20, 19)
    heads = ("楼堂馆所控制情况（{{ year }}年完工项目）", "批复规模（㎡）", "实际规模（㎡）", "规模控制率", "预算投资（万元）",
             "实际投资（万元）", "投资概算控制率")
    buildings = [[Cell(heads[0], bw[0], merge="restart", bold=True)] + [Cell(h, w, bold=True) for h, w in zip(heads[1:], bw[1:])]]
    values = ('{{ buildings.approved_size|amount if buildings else "—" }}', '{{ buildings.actual_size|amount if buildings else "—" }}',
              "{{ results.size_control_rate|percent }}", '{{ buildings.budget_investment|money if buildings else "—" }}',
              '{{ buildings.actual_investment|money if buildings else "—" }}', "{{ results.investment_control_rate|percent }}")
    buildings.append([Cell("", bw[0], merge="continue")] + [Cell(v, w) for v, w in zip(values, bw[1:])])
    buildings.append([Cell("厉行节约保障措施", bw[0], bold=True), Cell('{{ unit.thrift_measures or texts["无"] }}', 116, align="left")])
    add_table(doc, staff, keep_last=2)
    gap(doc)
    add_table(doc, rows, header_rows=1, keep_rows=(0,))
    gap(doc)
    add_table(doc, buildings, keep_last=3)
    note(doc, "说明：“公用经费”填报基本支出中的一般商品和服务支出；“项目支出”填报基本支出以外的所有项目支出情况；"
              "“{{ year }}年预算数”为年初预算数。", keep_next=True)
    note(doc, FOOTER[0], keep_next=True)
    note(doc, FOOTER[1])
    return finish(doc)


def project_summary_table():
    """项目支出绩效自评结果汇总: one row per evaluated project and a total row."""
    doc = new_document("项目支出绩效自评结果汇总")
    small_title(doc, "{{ year }}年度项目支出绩效自评结果汇总")
    widths = (11, 55, 22, 22, 18, 16, 12)
    heads = ("序号", "项目名称", "全年预算数（万元）", "全年执行数（万元）", "执行率", "自评得分", "等级")
    rows = [[Cell(h, w, bold=True) for h, w in zip(heads, widths)],
            loop_row("{%tr for item in projects %}"),
            [Cell("{{ item.number }}", widths[0]), Cell("{{ item.project.name }}", widths[1], align="left"),
             Cell("{{ item.card.budget|money }}", widths[2], align="right"), Cell("{{ item.card.actual|money }}", widths[3], align="right"),
             Cell("{{ item.card.execution_rate|percent }}", widths[4], align="right"),
             Cell("{{ item.card.total|score }}", widths[5], align="right"), Cell('{{ item.card.grade or "—" }}', widths[6])],
            loop_row("{%tr endfor %}"),
            [Cell("", widths[0]), Cell("合计", widths[1], align="left"), Cell("{{ project_totals.budget|money }}", widths[2], align="right"),
             Cell("{{ project_totals.actual|money }}", widths[3], align="right"),
             Cell("{{ project_totals.rate|percent }}", widths[4], align="right"), Cell("", widths[5]), Cell("", widths[6])]]
    add_table(doc, rows, header_rows=1)
    doc.element.body.append(parse_xml(st.paragraph("", size=st.TABLE_PT, after=4).replace("<w:p>", f"<w:p {W_NS}>", 1)))
    return finish(doc)


def all_tables_report(table: str = "项目支出绩效自评表"):
    """Every project's score table, one per page."""
    doc = new_document("项目支出绩效自评表（全部项目）")
    para(doc, "{%p for item in projects %}")
    para(doc, f'{{{{p table("{table}", item=item, new_page=not loop.first) }}}}')
    para(doc, "{%p endfor %}")
    return doc


REPORTS = ("部门整体支出绩效自评报告", "项目支出绩效自评报告", "校验报告")
TABLES = {
    "项目支出绩效自评表": project_score_table,
    "部门整体支出绩效自评表": department_score_table,
    "基础数据表": basic_data_table,
    "项目支出汇总表": project_summary_table,
    "项目支出绩效自评表（全部项目）": all_tables_report,
}


def save(doc, path: Path) -> None:
    buffer = io.BytesIO()
    doc.save(buffer)
    path.write_bytes(stable_zip(buffer.getvalue()))


def build(pack_dir: Path, tables: dict | None = None) -> list[Path]:
    """Write every Word template a bundled pack holds: reports from their .md.j2, tables from `tables`."""
    written = []
    for stem in REPORTS:
        source = pack_dir / f"{stem}.md.j2"
        if source.is_file():
            save(report_from_markdown(source.read_text(encoding="utf-8"), stem), pack_dir / f"{stem}.docx")
            written.append(pack_dir / f"{stem}.docx")
    for stem, make in (tables if tables is not None else TABLES).items():
        save(make(), pack_dir / f"{stem}.docx")
        written.append(pack_dir / f"{stem}.docx")
    return written


PACK_TABLES: dict[str, dict] = {"全国": TABLES}


# ---------------------------------------------------------------- 广东 and 安徽 packs (tables of these two packs only)

ANHUI_CODED = {
    "{{ item.project.superior or unit.superior or unit.name }}": "item.project.superior or unit.superior or unit.name",
    "{{ item.project.office or unit.name }}": "item.project.office or unit.name",
}


def anhui_project_table():
    """安徽's 项目支出绩效自评表 as the province's budget-integration system exports it: 其中：本年财政拨款, and the
    主管部门 / 实施单位 cell prefixed with the unit's code ("219-某某镇人民政府") when it names the unit itself and a
    code was typed; a name typed otherwise is shown as typed, so no code is ever invented."""
    doc = project_score_table(current_label="本年财政拨款", codes=True)
    for node in doc.element.body.iter(qn("w:t")):
        name = ANHUI_CODED.get(node.text or "")
        if name:
            node.text = f'{{{{ unit.code ~ "-" ~ ({name}) if unit.code and ({name}) == unit.name else ({name}) }}}}'
    # The table is the whole document here (no report around it carries the mark): a package forced through
    # failed checks says so on every table.
    body = doc.element.body
    for line, style in (('{%p import "句子.j2" as 句 with context %}', "Normal"), ("{%p if failed_check %}", "Normal"),
                        ("{{ 句.未通过校验() }}", "校验提示"), ("{%p endif %}", "Normal")):
        para(doc, line, style)
    for index, element in enumerate(body.findall(qn("w:p"))[-4:]):
        body.insert(index, element)
    return finish(doc)


def guangdong_department_table():
    """广东's 部门整体支出绩效自评表: the department's own indicator system (预算编制 / 预算执行 / 预算使用效益 as the
    preparer typed them) and the total; no 预算 columns, since many Guangdong units publish 决算 figures only."""
    doc = new_document("部门整体支出绩效自评表", compact=True)
    table_title(doc, "{{ year }}年度部门整体支出绩效自评表")
    add_table(doc, [[Cell("部门名称", LABEL, bold=True), Cell("{{ unit.name }}", 2 * HALF, align="left")]], compact=True)
    gap(doc)
    indicator_table(doc, "department.rows", "department.card",
                    "{{ (department.card.total if department.card.total is not none else department.stated_total)|score }}",
                    '{{ "待改正后评定" if department.card.held else department.card.grade or department.stated_grade or "—" }}')
    note(doc, FOOTER[0], keep_next=True)
    note(doc, FOOTER[1])
    return finish(doc)


PACK_TABLES.update({
    "广东": {"部门整体支出绩效自评表": guangdong_department_table},
    "安徽": {"项目支出绩效自评表": anhui_project_table},
})

# ---------------------------------------------------------------- 湖南、四川 packs
# 湖南 takes every table from 全国 (seed 000's 附件 are the national layout); 四川 has its own project table.

def sichuan_project_table():
    """四川's 特定目标类部门预算项目绩效目标自评表 (seed 004): 主管部门及代码, 预算数/执行数 with 财政拨款 and 其他资金,
    预期目标/目标实际完成情况, and the indicators with 预期指标值/实际完成指标值 only (the seed's table has no score
    columns; the score is stated in the report)."""
    doc = new_document("特定目标类部门预算项目绩效目标自评表", compact=True)
    table_title(doc, "{{ year }}年特定目标类部门预算项目绩效目标自评表")
    small_title(doc, "（{{ item.project.name }}）")
    funds = ("{% set f = item.project.funds %}{{ item.card.budget|amount }}", "{{ item.card.actual|amount }}")
    appropriated = "{{ (f.%s.current if f.%s.carryover is none else total([f.%s.current, f.%s.carryover]))|amount }}"
    top = [[Cell("主管部门及代码", 26, bold=True),
            Cell('{{ item.project.superior or unit.superior or unit.name }}{{ "（" ~ unit.code ~ "）" if unit.code }}', 52,
                 align="left"),
            Cell("实施单位", 26, bold=True), Cell("{{ item.project.office or unit.name }}", 52, align="left")],
           [Cell("项目预算\n执行情况", 26, merge="restart", bold=True),
            Cell(f"预算数：{funds[0]}万元", 65, align="left"), Cell(f"执行数：{funds[1]}万元", 65, align="left")],
           [Cell("", 26, merge="continue"),
            Cell("其中：财政拨款 " + appropriated % (("budget",) * 4) + "万元", 65, align="left"),
            Cell("其中：财政拨款 " + appropriated % (("actual",) * 4) + "万元", 65, align="left")],
           [Cell("", 26, merge="continue"),
            Cell('其他资金 {{ f.budget.other|amount if f.budget.other is not none else "" }}', 65, align="left"),
            Cell('其他资金 {{ f.actual.other|amount if f.actual.other is not none else "" }}', 65, align="left")],
           [Cell("年度总体目标\n完成情况", 26, merge="restart", bold=True), Cell("预期目标", 65, bold=True),
            Cell("目标实际完成情况", 65, bold=True)],
           [Cell("", 26, merge="continue"), Cell('{{ item.project.goal or "—" }}', 65, align="left"),
            Cell('{{ item.project.achieved or "—" }}', 65, align="left")]]
    add_table(doc, top, compact=True)
    gap(doc)
    widths = (LABEL, 15, 15, 38, 36, 36)
    heads = ("一级指标", "二级指标", "三级指标", "预期指标值", "实际完成指标值")
    rows = [[Cell('{{ "年度绩效指标完成情况"|merge }}', widths[0], bold=True)]
            + [Cell(h, w, bold=True) for h, w in zip(heads, widths[1:])],
            loop_row("{%tr for row in item.rows %}"),
            [Cell('{{ "年度绩效指标完成情况"|merge }}', widths[0], bold=True),
             Cell("{{ row.level1|merge }}", widths[1]), Cell("{{ row.level2|merge(row.level1) }}", widths[2]),
             Cell("{{ row.name|cell }}", widths[3], align="left"), Cell('{{ row.target or "—" }}', widths[4]),
             Cell('{{ row.actual or "—" }}', widths[5])],
            loop_row("{%tr endfor %}")]
    add_table(doc, rows, header_rows=1, compact=True)
    return finish(doc)


PACK_TABLES["湖南"] = {}
PACK_TABLES["四川"] = {"项目支出绩效自评表": sichuan_project_table}


def main(names: list[str]) -> None:
    for name in names or sorted(PACK_TABLES):
        for path in build(HERE / name, PACK_TABLES.get(name, {})):
            print(f"已生成模板：{path.relative_to(HERE)}")


if __name__ == "__main__":
    main(sys.argv[1:])
