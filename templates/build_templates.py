"""Build the default docxtpl templates (.docx) of templates/ reproducibly: python templates/build_templates.py.

Each template carries the official format (GB/T 9704 practice, see shared/domain.md): A4, margins 37/35/28/26 mm,
仿宋_GB2312 三号 body with fixed 29 pt lines and a 2-character first-line indent, 方正小标宋简体 二号 title,
黑体 / 楷体_GB2312 / 仿宋 bold headings, page numbers "— N —" in 宋体 四号 (odd pages right, even pages left),
and the East Asian font set on every style and every run. The Jinja tags inside are documented in README.md.
"""
from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from generator.render import docx_style as st  # noqa: E402
from generator.render.docx import stable_zip  # noqa: E402

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


def define_styles(doc) -> None:
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


def para(doc, text: str, style: str = "Normal") -> None:
    """One paragraph of one run; the run repeats the style's East Asian font."""
    p = doc.add_paragraph(style=style)
    r = p.add_run(text)
    set_fonts(r._r, FONT_OF_STYLE.get(style, st.BODY_FONT))


def tag(doc, text: str) -> None:
    """A paragraph holding only a {%p … %} tag: docxtpl removes it when rendering."""
    para(doc, text, "Normal")


def paragraphs(doc, var: str) -> None:
    tag(doc, f"{{%p for para in {var} %}}")
    para(doc, "{{ para }}")
    tag(doc, "{%p endfor %}")


def sections(doc, var: str) -> None:
    """（一）-numbered sub-sections: heading, paragraphs, figures with captions, an optional table."""
    tag(doc, f"{{%p for s in {var} %}}")
    para(doc, "（{{ loop.index|cn_number }}）{{ s.title }}", "Heading 2")
    paragraphs(doc, "s.paragraphs")
    tag(doc, "{%p for f in s.figures %}")
    para(doc, "{{ f.image }}", "图片")
    para(doc, "{{ f.caption }}", "图题")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if s.table %}")
    para(doc, "{{p s.table }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")


def heading(doc, text: str) -> None:
    para(doc, text, "Heading 1")


def head_block(doc) -> None:
    tag(doc, "{%p for line in title_lines %}")
    para(doc, "{{ line }}", "公文标题")
    tag(doc, "{%p endfor %}")
    para(doc, "", "标题空行")
    tag(doc, "{%p if failed_check %}")
    para(doc, "{{ failed_check }}", "校验提示")
    tag(doc, "{%p endif %}")


def signature(doc) -> None:
    para(doc, "", "Normal")
    tag(doc, "{%p for line in signature %}")
    para(doc, "{{ line }}", "落款")
    tag(doc, "{%p endfor %}")


def new_document(title: str):
    doc = Document()
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    define_styles(doc)
    page_setup(doc)
    core = doc.core_properties
    core.title, core.author, core.last_modified_by = title, "jxzp", "jxzp"
    core.created = core.modified = core.last_printed = STAMP
    core.revision = 1
    core.comments = "由 templates/build_templates.py 生成；变量说明见 templates/README.md"
    return doc


def department_template():
    doc = new_document("部门整体支出绩效自评报告")
    head_block(doc)
    para(doc, "{{ intro }}")
    heading(doc, "一、部门基本情况")
    sections(doc, "basic")
    heading(doc, "二、部门整体支出情况")
    sections(doc, "finance")
    heading(doc, "三、绩效自评工作开展情况")
    paragraphs(doc, "evaluation_work")
    heading(doc, "四、绩效自评结果")
    sections(doc, "results")
    heading(doc, "五、存在问题")
    paragraphs(doc, "problems")
    heading(doc, "六、改进措施")
    paragraphs(doc, "improvements")
    heading(doc, "七、其他需要说明的情况")
    paragraphs(doc, "other_notes")
    signature(doc)
    tag(doc, "{%p for a in attachments %}")
    para(doc, "{{ a.label }}", "附件标题")
    para(doc, "{{p a.table }}")
    tag(doc, "{%p endfor %}")
    return doc


def project_template():
    doc = new_document("项目支出绩效自评报告")
    head_block(doc)
    heading(doc, "一、项目概况")
    sections(doc, "overview")
    heading(doc, "二、项目实施及管理情况")
    sections(doc, "management")
    heading(doc, "三、项目绩效情况")
    sections(doc, "performance")
    heading(doc, "四、问题及建议")
    sections(doc, "issues")
    signature(doc)
    para(doc, "附件", "附件标题")
    para(doc, "{{p table }}")
    return doc


def all_tables_template():
    doc = new_document("项目支出绩效自评表（全部项目）")
    tag(doc, "{%p for t in tables %}")
    para(doc, "{{p t }}")
    tag(doc, "{%p endfor %}")
    return doc


TEMPLATES = {
    "部门整体支出绩效自评报告.docx": department_template,
    "项目支出绩效自评报告.docx": project_template,
    "项目支出绩效自评表（全部项目）.docx": all_tables_template,
}


# python-docx's default document carries leftovers Word repairs or flags: a stylesWithEffects.xml that no longer
# matches styles.xml (Word 2010 may call the file unreadable), <w:zoom> without the w:percent the schema requires,
# and a Japanese East Asian theme language (wrong glyph variants for some Chinese characters).
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def drop_python_docx_leftovers(doc) -> None:
    """Remove the default document's stale parts and settings before the template is saved."""
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype == STYLES_WITH_EFFECTS:
            doc.part.drop_rel(rid)
    settings = doc.settings.element
    for zoom in settings.findall(qn("w:zoom")):
        zoom.set(qn("w:percent"), "100")
    for lang in settings.findall(qn("w:themeFontLang")):
        lang.set(qn("w:eastAsia"), "zh-CN")


def main(target: Path = HERE) -> None:
    import io

    for name, build in TEMPLATES.items():
        buffer = io.BytesIO()
        doc = build()
        drop_python_docx_leftovers(doc)
        doc.save(buffer)
        (target / name).write_bytes(stable_zip(buffer.getvalue()))
        print(f"已生成模板：{target / name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
