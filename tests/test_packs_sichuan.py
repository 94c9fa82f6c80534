"""The 四川 pack: seed 004's 部门决算说明 outline with its charts, and one report per project followed by its
特定目标类部门预算项目绩效目标自评表."""
from __future__ import annotations

from docx import Document

from generator.generate import generate
from packages import INPUTS, lizhou_input, work_dir

PARTS = ["第一部分 部门概况", "第二部分 2021年度单位决算情况说明", "第三部分 名词解释", "第四部分 附件"]


def _package():
    return generate(lizhou_input(), work_dir("sichuan"), ("docx", "md"), pack="四川", force=True)


def test_department_report_follows_the_final_accounts_outline():
    made = _package()
    doc = Document(str(made.folder / "部门整体支出绩效自评报告.docx"))
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == PARTS
    chapters = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert chapters[:5] == ["一、基本职能及主要工作", "二、机构设置", "一、收入支出决算总体情况说明", "二、收入决算情况说明",
                            "三、支出决算情况说明"]
    assert "一、评价结论及建议" not in chapters and "四、评价结论及建议" in chapters
    text = (made.folder / "部门整体支出绩效自评报告.md").read_text(encoding="utf-8")
    # the charts sit in the chapters they illustrate, numbered in order
    assert text.index("三、支出决算情况说明") < text.index("图3：支出决算结构图") < text.index("四、财政拨款收入支出决算总体情况说明")
    # functional classes with their codes, shares of the functional total (1285.87)
    assert "一般公共服务支出（201）1092.35万元，占84.95%" in text
    # 名词解释 is the pack's fixed text; no Hunan tables are attached
    assert "1.财政拨款收入：指单位从同级财政部门取得的财政预算资金。" in text
    assert "基础数据表" not in text and "部门整体支出绩效自评表" not in text


def test_each_project_report_ends_with_its_own_table():
    made = _package()
    reports = sorted(n for n in made.files if n.startswith("项目支出绩效自评报告/") and n.endswith(".docx"))
    assert len(reports) == 15
    doc = Document(str(made.folder / reports[0]))
    assert doc.paragraphs[0].text == "2021年城市社区党建及城乡综合治理\n项目绩效自评报告"
    table = doc.tables[0]
    cells = [c.text for row in table.rows for c in row.cells]
    assert "中共广元市利州区委组织部（305301）" in cells and "组织二股" in cells
    assert "预算数：100万元" in cells and "执行数：83.89万元" in cells
    heads = [c.text for c in doc.tables[1].rows[0].cells]
    assert heads[1:] == ["一级指标", "二级指标", "三级指标", "预期指标值", "实际完成指标值"]
    # the title of the table comes after the report's last chapter, on a new page
    texts = [p.text for p in doc.paragraphs]
    assert texts.index("（二）相关建议") < texts.index("2021年特定目标类部门预算项目绩效目标自评表")
    # the published goal already starts with its lead words: not doubled
    md = (made.folder / reports[0].replace(".docx", ".md")).read_text(encoding="utf-8")
    assert "本项目绩效目标为：本项目绩效目标为" not in md


def test_a_unit_without_final_accounts_figures_gets_no_empty_chapters():
    made = generate(INPUTS / "shifeng-2023-corrected.yaml", work_dir("sichuan-shifeng"), ("md",), pack="四川", force=True)
    text = (made.folder / "部门整体支出绩效自评报告.md").read_text(encoding="utf-8")
    assert "收入决算情况说明" not in text and "一般公共预算财政拨款支出决算情况说明" not in text
    assert "### 二、支出决算情况说明" in text
