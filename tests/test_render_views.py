"""Document views: the computed sentences and formatted cells every output is laid out from."""
from __future__ import annotations

from decimal import Decimal

import pytest

from generator.filters import file_name, md_text
from generator.pipeline import evaluate
from generator.render.views import build_package, funds_sentence, project_title
from packages import FIXTURES


@pytest.fixture(scope="module")
def package():
    ev = evaluate(FIXTURES / "small.yaml")
    assert not ev.errors
    return build_package(ev.results)


def test_funds_sentence_is_the_formulaic_one(package):
    assert package.projects[0].funds_sentence == "项目全年预算数100万元，执行数为83.89万元，完成预算的83.89%。"


def test_project_report_narrative_carries_the_scored_figures(package):
    report = package.projects[0]
    text = "".join(p for s in report.performance for p in s.paragraphs)
    assert "得分为97.39分，等级为“优”" in text
    assert "预算执行率83.89%，得分8.39分（满分10分）" in text
    assert "产出指标得分49.00分（满分50分）" in text


def test_income_sentence_lists_sources_with_shares_and_year_on_year_change(package):
    income = package.department.finance[0]
    assert income.title == "收入情况"
    text = "".join(income.paragraphs)
    assert "一般公共预算财政拨款收入1000万元，占99.45%" in text
    assert "其他收入5.5万元，占0.55%" in text
    assert "收入总计与2020年相比增加145.5万元，增长15.99%" in text


def test_balance_sentence_gives_the_balance_rate(package):
    text = "".join(p for s in package.department.finance for p in s.paragraphs)
    # 结转结余 90 ÷ 本年支出合计 965.5 = 9.32%
    assert "年末结转和结余90万元，结转结余率9.32%，支出总计1055.5万元。" in text


def test_three_public_decrease_is_worded_as_decrease(package):
    text = "".join(p for s in package.department.finance for p in s.paragraphs)
    assert "“三公”经费与2020年相比减少0.88万元，下降26.04%" in text


def test_empty_optional_sections_read_naturally(package):
    dept = package.department
    assert dept.other_notes == ["无其他需要说明的情况。"]
    second = package.projects[1]
    assert [s.paragraphs for s in second.issues] == [["无。"], ["无。"]]


def test_only_evaluated_projects_get_reports_numbered_from_01(package):
    assert [p.file_stem for p in package.projects] == ["01-城市社区党建及城乡综合治理", "02-组织系统网络宣传 A&B 专项"]


def test_score_table_groups_indicators_under_level1_with_subtotal_weights(package):
    table = package.projects[0].table
    assert [lv.label for lv in table.levels] == ["产出指标（50分）", "效益指标（30分）", "满意度指标（10分）"]
    assert [g.name for g in table.levels[0].groups] == ["数量指标", "质量指标", "时效指标"]
    assert table.funds[0].rate == "83.89%" and table.funds[0].score == "8.39"
    assert (table.total, table.grade, table.full_score) == ("97.39", "优", "100")


def test_attachments_are_the_department_table_then_the_basic_data_table(package):
    labels = [(a.label, a.table.title) for a in package.department.attachments]
    assert labels == [("附件1", "2021年度部门整体支出绩效自评表"), ("附件2", "2021年度部门整体支出绩效评价基础数据表")]


def test_charts_are_only_made_for_given_data(package):
    assert [c.key for c in package.charts] == ["收支变动", "收入结构", "支出结构", "项目执行率"]
    pie = package.charts[1]
    assert pie.values == [Decimal(1000), Decimal("5.5")]


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
    ("门球场管理", "2021年度门球场管理项目支出绩效自评报告"),
    ("乡村振兴项目", "2021年度乡村振兴项目支出绩效自评报告"),
])
def test_project_titles_do_not_double_the_word_project(name, title):
    from generator.model import Project
    assert project_title(Project(name=name), 2021) == title
