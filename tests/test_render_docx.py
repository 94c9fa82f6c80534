"""Word output: real tables in the standard layout, the official page format, fonts on every run, stable bytes."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from docx import Document

from generator.generate import GenerationError, generate
from generator.pack import export_pack
from packages import FIXTURES, generated, table_rows, work_dir

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def small():
    return generated(FIXTURES / "small.yaml")


@pytest.fixture(scope="module")
def project_docx(small) -> Path:
    return small.folder / "项目支出绩效自评报告" / "01-城市社区党建及城乡综合治理.docx"


def xml_of(path: Path, member: str = "word/document.xml") -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(member).decode("utf-8")


def test_score_table_is_a_real_word_table_with_the_computed_figures(project_docx):
    rows = table_rows(project_docx)
    total = next(r for r in rows if r[0] == "总分")
    assert total[-3:] == ["100", "97.39", ""]          # nothing in the 偏差原因 column
    grade = next(r for r in rows if r[0] == "自评等级")
    assert grade[-1] == "优"
    funds = next(r for r in rows if "年度资金总额" in r)
    assert funds[-6:] == ["100.00", "100.00", "83.89", "10", "83.89%", "8.39"]
    header = next(r for r in rows if "三级指标" in r)
    assert header[-8:] == ["一级指标", "二级指标", "三级指标", "年度\n指标值", "实际完成值", "分值", "得分", "偏差原因分析\n及改进措施"]
    assert any(r[-8:-5] == ["产出指标（50分）", "数量指标", "培训基层治理骨干"] for r in rows)


def test_level1_and_level2_cells_are_merged_vertically(project_docx):
    doc = Document(str(project_docx))
    table = doc.tables[-1]
    level1 = [row.cells[1] for row in table.rows[1:5]]
    assert all(c._tc is level1[0]._tc for c in level1), "产出指标 spans its four rows"
    level2 = [row.cells[2] for row in table.rows[1:3]]
    assert level2[0]._tc is level2[1]._tc, "数量指标 spans its two rows"
    assert table.rows[3].cells[2]._tc is not level2[0]._tc


def test_indicator_header_repeats_and_tables_fit_the_text_width(project_docx):
    xml = xml_of(project_docx)
    assert "<w:tblHeader/>" in xml
    widths = re.findall(r'<w:tblW w:w="(\d+)" w:type="dxa"/>', xml)
    assert widths and set(widths) == {"8844"}     # 156 mm
    assert xml.count('<w:tblLayout w:type="fixed"/>') == len(widths)


def test_every_run_and_style_sets_the_east_asian_font(project_docx):
    """Every run gets an explicit East Asian font, on the run or from its paragraph's style (table cells name a
    style rather than repeating the fonts); no run is left to a theme font."""
    from lxml import etree
    package = zipfile.ZipFile(project_docx)
    styles = etree.fromstring(package.read("word/styles.xml"))
    east_asian = set()
    for style in styles.iter(f"{W}style"):
        if style.get(f"{W}type") in ("paragraph", "character"):
            fonts = style.find(f"{W}rPr/{W}rFonts")
            assert fonts is not None and fonts.get(f"{W}eastAsia"), style.get(f"{W}styleId")
            east_asian.add(style.get(f"{W}styleId"))
    for member in ("word/document.xml", "word/footer1.xml"):
        tree = etree.fromstring(package.read(member))
        for paragraph in tree.iter(f"{W}p"):
            style = paragraph.find(f"{W}pPr/{W}pStyle")
            from_style = style is not None and style.get(f"{W}val") in east_asian
            for r in paragraph.iter(f"{W}r"):
                fonts = r.find(f"{W}rPr/{W}rFonts")
                assert from_style or (fonts is not None and fonts.get(f"{W}eastAsia")), \
                    etree.tostring(r, encoding="unicode")[:200]


def test_official_page_format(project_docx):
    doc = Document(str(project_docx))
    section = doc.sections[0]
    mm = lambda v: round(v.mm)  # noqa: E731
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.bottom_margin), mm(section.left_margin), mm(section.right_margin)) == (37, 35, 28, 26)
    normal = doc.styles["Normal"]
    assert normal.font.size.pt == 16
    assert normal.paragraph_format.line_spacing.pt == 29
    assert doc.styles["公文标题"].font.size.pt == 22
    fonts = {name: doc.styles[name].element.rPr.rFonts.get(f"{W}eastAsia")
             for name in ("Normal", "公文标题", "Heading 1", "Heading 2")}
    assert fonts == {"Normal": "仿宋_GB2312", "公文标题": "方正小标宋简体", "Heading 1": "黑体", "Heading 2": "楷体_GB2312"}
    assert doc.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.alignment == 2 and even.alignment == 0          # right, left
    assert "PAGE" in odd._p.xml and odd.text.startswith("— ") and odd.text.endswith(" —")


def test_headings_follow_the_project_outline(project_docx):
    doc = Document(str(project_docx))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["一、项目概况", "二、项目实施及管理情况", "三、项目绩效情况", "四、问题及建议"]
    body = [p.text for p in doc.paragraphs]
    assert "项目全年预算数100万元，执行数为83.89万元，完成预算的83.89%。" in body


def test_special_characters_and_line_breaks_survive(small):
    doc = Document(str(small.folder / "项目支出绩效自评报告" / "02-组织系统网络宣传 A&B 专项.docx"))
    # the title breaks between the project's name and 项目支出绩效自评报告, the name kept whole
    assert doc.paragraphs[0].text == '2021年度组织系统网络宣传 <A&B> "专项"\n项目支出绩效自评报告'
    body = [p.text for p in doc.paragraphs]
    assert "上稿20篇；" in body and "编发信息10期。" in body        # a typed line break → two paragraphs
    cells = [c for row in table_rows(small.folder / "项目支出绩效自评报告" / "02-组织系统网络宣传 A&B 专项.docx") for c in row]
    assert "上稿20篇；\n编发信息10期。" in cells
    md = (small.folder / "项目支出绩效自评报告" / "02-组织系统网络宣传 A&B 专项.md").read_text(encoding="utf-8")
    assert '# 2021年度组织系统网络宣传 &lt;A&B&gt; "专项"项目支出绩效自评报告' in md


def test_same_input_gives_identical_bytes(small):
    again = generate(FIXTURES / "small.yaml", work_dir("small-again"), ("docx", "md"))
    for relative in small.files:
        if relative.endswith((".docx", ".md", ".svg")):
            assert (small.folder / relative).read_bytes() == (again.folder / relative).read_bytes(), relative
    with zipfile.ZipFile(small.folder / "项目支出绩效自评报告" / "01-城市社区党建及城乡综合治理.docx") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "2022-03-30T00:00:00Z" in core


def _exported(name: str) -> Path:
    folder = work_dir(name) / "包"
    if not folder.exists():
        export_pack("全国", folder)
    return folder


def test_unknown_variable_in_a_docx_template_is_reported_by_name():
    pack = _exported("custom-docx")
    doc = Document(str(pack / "项目支出绩效自评报告.docx"))
    doc.add_paragraph("{{ 项目负责人 }}")
    doc.save(str(pack / "项目支出绩效自评报告.docx"))
    with pytest.raises(GenerationError) as caught:
        generate(FIXTURES / "small.yaml", work_dir("custom-docx-out"), ("docx",), pack=pack)
    assert "项目支出绩效自评报告.docx" in str(caught.value) and "项目负责人" in str(caught.value)


def test_unknown_attribute_in_a_markdown_template_is_reported_by_name():
    pack = _exported("custom-md")
    template = pack / "项目支出绩效自评报告.md.j2"
    template.write_text("# {{ item.project.name }}\n{{ item.nothing }}\n", encoding="utf-8")
    with pytest.raises(GenerationError) as caught:
        generate(FIXTURES / "small.yaml", work_dir("custom-md-out"), ("md",), pack=pack)
    assert "项目支出绩效自评报告.md.j2" in str(caught.value) and "nothing" in str(caught.value)
    template.write_text("{{ 不存在的变量 }}", encoding="utf-8")
    with pytest.raises(GenerationError, match="不存在的变量"):
        generate(FIXTURES / "small.yaml", work_dir("custom-md-out"), ("md",), pack=pack)
