"""The official document format (GB/T 9704 practice) as constants and WordprocessingML snippets.

Shared by render/docx.py and templates/build_templates.py; no python-docx import here, only strings.
"""
from __future__ import annotations

from xml.sax.saxutils import escape

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"

BODY_PT = 16            # 三号
TITLE_PT = 22           # 二号
TABLE_PT = 10.5         # 五号
SCORE_TABLE_PT = 9      # 小五: a project's 自评表 on one page
SCORE_TABLE_LINE_PT = 11.5
TABLE_TITLE_PT = 16
TABLE_NOTE_PT = 12      # 小四
PAGE_NUMBER_PT = 14     # 四号
LINE_PT = 29            # fixed line spacing: 22 lines on the 225 mm text height

PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]   # 156
FOOTER_DISTANCE_MM = 24
IMAGE_WIDTH_MM = 140


def twips(mm: float) -> int:
    """Millimetres → twentieths of a point."""
    return round(mm / 25.4 * 1440)


def half_points(pt: float) -> int:
    return round(pt * 2)


_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def xml_text(text: str) -> str:
    """Text escaped for XML, with characters XML cannot hold removed."""
    return escape(str(text).translate(_CONTROL))


def rpr(east_asia: str = BODY_FONT, size: float = TABLE_PT, bold: bool = False, color: str | None = None) -> str:
    """Run properties with the East Asian font always set (Word/WPS otherwise fall back to a wrong font)."""
    bold_xml = "<w:b/><w:bCs/>" if bold else ""
    color_xml = f'<w:color w:val="{color}"/>' if color else ""
    hp = half_points(size)
    return (f'<w:rPr><w:rFonts w:ascii="{LATIN_FONT}" w:hAnsi="{LATIN_FONT}" w:eastAsia="{east_asia}" '
            f'w:cs="{LATIN_FONT}" w:hint="eastAsia"/>{bold_xml}{color_xml}'
            f'<w:kern w:val="0"/><w:sz w:val="{hp}"/><w:szCs w:val="{hp}"/></w:rPr>')


def run(text: str, **kwargs) -> str:
    return f'<w:r>{rpr(**kwargs)}<w:t xml:space="preserve">{xml_text(text)}</w:t></w:r>'


def ppr(align: str = "center", before: float = 0, after: float = 0, line_pt: float | None = None,
        page_break: bool = False, keep_next: bool = False, size: float = TABLE_PT, bold: bool = False,
        east_asia: str = BODY_FONT) -> str:
    """Paragraph properties that override the body style: no first-line indent, single (or exact) spacing."""
    spacing = (f'<w:spacing w:before="{round(before * 20)}" w:after="{round(after * 20)}" '
               + (f'w:line="{round(line_pt * 20)}" w:lineRule="exact"/>' if line_pt
                  else 'w:line="240" w:lineRule="auto"/>'))
    jc = {"left": "left", "center": "center", "right": "right", "both": "both"}[align]
    return ("<w:pPr>" + ("<w:keepNext/>" if keep_next else "") + ("<w:pageBreakBefore/>" if page_break else "")
            + '<w:snapToGrid w:val="0"/>' + spacing
            + '<w:ind w:left="0" w:right="0" w:firstLine="0" w:firstLineChars="0"/>'
            + f'<w:jc w:val="{jc}"/>' + rpr(east_asia=east_asia, size=size, bold=bold) + "</w:pPr>")


TABLE_STYLE, TABLE_HEAD_STYLE = "表格文字", "表格表头"
"""Paragraph styles of table cells (五号仿宋, single spacing, no indent; the head bold), defined in every bundled
template: a cell names its style instead of repeating a run's fonts, which made tables four times their size."""
SCORE_TABLE_STYLE, SCORE_TABLE_HEAD_STYLE = "自评表文字", "自评表表头"
"""The project score tables' cell styles (小五, exact 12 pt lines): defined only in the table templates, so a report
placing the table borrows them and a maintainer's change to them in the table's .docx shows everywhere."""


def table_paragraph(text: str, align: str = "center", bold: bool = False, keep_next: bool = False,
                    compact: bool = False) -> str:
    """A table cell's paragraph in the table style (compact: the score tables' 小五); line breaks become w:br."""
    if compact:
        style = SCORE_TABLE_HEAD_STYLE if bold else SCORE_TABLE_STYLE
    else:
        style = TABLE_HEAD_STYLE if bold else TABLE_STYLE
    lines = str(text).splitlines() or [""]
    runs = "<w:r><w:br/></w:r>".join(f'<w:r><w:t xml:space="preserve">{xml_text(line)}</w:t></w:r>' for line in lines)
    jc = "" if align == "center" else f'<w:jc w:val="{align}"/>'
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{"<w:keepNext/>" if keep_next else ""}{jc}</w:pPr>{runs}</w:p>'


def paragraph(text: str, align: str = "center", size: float = TABLE_PT, bold: bool = False,
              east_asia: str = BODY_FONT, **kwargs) -> str:
    """A paragraph of one run; line breaks in the text become separate lines (w:br)."""
    lines = str(text).splitlines() or [""]
    br = f"<w:r>{rpr(east_asia=east_asia, size=size, bold=bold)}<w:br/></w:r>"
    runs = br.join(run(line, east_asia=east_asia, size=size, bold=bold) for line in lines)
    return f"<w:p>{ppr(align=align, size=size, bold=bold, east_asia=east_asia, **kwargs)}{runs}</w:p>"
