"""The 全国 pack's sentences and tables as a reader finds them in the generated Markdown."""
from __future__ import annotations

import pytest

from generator.filters import file_name, md_text
from packages import FIXTURES, generated


@pytest.fixture(scope="module")
def package():
    made = generated(FIXTURES / "small.yaml")
    assert not made.evaluation.errors
    return made


def md(package, relative: str) -> str:
    return (package.folder / relative).read_text(encoding="utf-8")


DEPT = "部门整体支出绩效自评报告.md"
FIRST = "项目支出绩效自评报告/01-城市社区党建及城乡综合治理.md"
SECOND = "项目支出绩效自评报告/02-组织系统网络宣传 A&B 专项.md"


def test_funds_sentence_is_the_formulaic_one(package):
    assert "项目全年预算数100万元，执行数为83.89万元，完成预算的83.89%。" in md(package, FIRST)


def test_project_report_narrative_carries_the_scored_figures(package):
    text = md(package, FIRST)
    assert "得分为97.39分，等级为“优”" in text
    assert "预算执行率83.89%，得分8.39分（满分10分）" in text
    assert "产出指标得分49.00分（满分50分）" in text


def test_income_sentence_lists_sources_with_shares_and_year_on_year_change(package):
    text = md(package, DEPT)
    assert "### （一）收入情况" in text
    assert "一般公共预算财政拨款收入1000万元，占99.45%" in text
    assert "其他收入5.5万元，占0.55%" in text
    # 2020's 收入总计 is unknown (its 年初结转和结余 was not given): no change is stated for it, never one that takes
    # the unknown part as zero; 本年收入合计 is known both years: 1005.5 − 910 = 95.5, ÷ 910 = 10.49%
    assert "收入总计与2020年" not in text
    assert "本年收入合计与2020年相比增加95.5万元，增长10.49%" in text


def test_balance_sentence_gives_the_balance_rate(package):
    # 结转结余 90 ÷ 本年支出合计 965.5 = 9.32%
    assert "年末结转和结余90万元，结转结余率9.32%，支出总计1055.5万元。" in md(package, DEPT)


def test_three_public_decrease_is_worded_as_decrease(package):
    assert "“三公”经费与2020年相比减少0.88万元，下降26.04%" in md(package, DEPT)


def test_sections_the_unit_left_empty_are_left_out_not_written_for_it(package):
    # small.yaml has no 其他需要说明的情况, and its second project no 存在问题 or 改进建议: nothing is invented.
    dept, second = md(package, DEPT), md(package, SECOND)
    assert "其他需要说明的情况" not in dept and "## 六、改进措施" in dept
    assert "问题及建议" not in second and "\n无。\n" not in second
    warned = {(p.code, p.path) for p in package.evaluation.problems}
    assert ("section-empty", "unit.other_notes") in warned


def test_only_evaluated_projects_get_reports_numbered_from_01(package):
    reports = sorted(p.name for p in (package.folder / "项目支出绩效自评报告").glob("*.md"))
    assert reports == ["01-城市社区党建及城乡综合治理.md", "02-组织系统网络宣传 A&B 专项.md"]


def test_score_table_groups_indicators_under_level1_with_subtotal_weights(package):
    rows = [line for line in md(package, FIRST).splitlines() if line.startswith("| ")]
    level1 = [r.split("|")[1].strip() for r in rows if "指标（" in r.split("|")[1]]
    assert level1 == ["产出指标（50分）", "效益指标（30分）", "满意度指标（10分）"]
    assert "| 年度资金总额 | 100.00 | 100.00 | 83.89 | 10 | 83.89% | 8.39 |" in rows
    assert "| 总分 |  |  |  |  | 100 | 97.39 |  |" in rows
    assert "自评等级：优" in md(package, FIRST).splitlines()


def test_attachments_are_the_department_table_then_the_basic_data_table(package):
    text = md(package, DEPT)
    first, second = text.index("## 附件1"), text.index("## 附件2")
    assert first < text.index("**2021年度部门整体支出绩效自评表**") < second < text.index("**2021年度部门整体支出绩效评价基础数据表**")


def test_charts_are_only_made_for_given_data(package):
    assert sorted(p.stem for p in (package.folder / "图表").glob("*.svg")) == ["支出结构", "收入结构", "收支变动", "项目执行率"]


@pytest.mark.parametrize("name, expected", [
    ("2021年利州区委组织部绩效自评", "2021年利州区委组织部绩效自评"),
    ('a/b\\c:d*e?f"g<h>i|j', "abcdefghij"),
    ("  ..名称..  ", "名称"),
    ("CON", "_CON"),
    ("\x00\x1f", "未命名"),
    ("长" * 100, "长" * 60),
])
def test_file_names_are_safe_on_windows_and_linux(name, expected):
    assert file_name(name) == expected


@pytest.mark.parametrize("text, expected", [
    ("A&B <c> \"d\"", "A&B &lt;c&gt; \"d\""),
    ("*强调* _x_ |", "\\*强调\\* \\_x\\_ \\|"),
    ("第一行\n第二行", "第一行  \n第二行"),
    ("&amp;", "&amp;amp;"),
])
def test_markdown_text_is_literal(text, expected):
    assert md_text(text) == expected


@pytest.mark.parametrize("name, title", [
    ("城市社区党建及城乡综合治理", "# 2021年度城市社区党建及城乡综合治理项目支出绩效自评报告"),
])
def test_project_titles_do_not_double_the_word_project(package, name, title):
    assert md(package, FIRST).startswith(title)
