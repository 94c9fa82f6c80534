"""The wording-independent narrative scanner: the same planted slip is found whatever the phrasing — the seeds' own
sentences, other provinces' (收入决算X万元, 总支出X万元, “X万元，比上年决算减少…，下降…%”, “共完成…。其中：…”) —
at the text's own cell, with a message naming the figure it contradicts; what agrees, or is not a known figure, is quiet."""
from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
import yaml

from generator.checks import run_checks
from generator.checks import prose
from generator.checks.engine import Context, same_amount
from generator.compute import compute
from generator.filters import amount, money, percent
from generator.profile import load_profile
from generator.readers import read_input

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "checks"
BASE, _ = read_input(FIXTURES / "base.yaml")
PROFILE = load_profile("全国")
UNIT_PLACE = BASE.place("unit.budget_management")
PROJECT_PLACE = BASE.place("projects.0.funds_use")


def narrative(text: str, project: bool = False) -> list:
    report = BASE.model_copy(deep=True)
    if project:
        report.projects[0].funds_use = text
    else:
        report.unit.budget_management = text
    return [p for p in run_checks(compute(report, PROFILE)) if p.code.startswith("narrative")]


# Base figures: 本年收入合计 1185 (上年 1110); 本年支出合计 1185 (上年 1110, 全年预算 1205); 基本支出 689.5 (上年 650,
# 全年预算 700); 项目支出 495.5 (上年 460); project 高标准农田建设 全年预算 320, 执行 315.
# (text, rule, project text?, words the message must carry: the figure contradicted and its value)
PLANTED = [
    # a wrong amount, five phrasings
    ("2023年本年支出合计1158万元。", "narrative-amount", False, ("“本年支出合计”的决算数", "为1185万元")),
    ("支出决算1158万元，主要用于保障机构运转。", "narrative-amount", False, ("“本年支出合计”的决算数", "为1185万元")),
    ("本年度总支出1158万元。", "narrative-amount", False, ("“本年支出合计”", "为1185万元")),
    ("收入决算1158万元，支出决算1185万元。", "narrative-amount", False, ("“本年收入合计”", "为1185万元")),
    ("基本支出：2023年决算数为698.5万元。", "narrative-amount", False, ("“基本支出”的决算数", "为689.5万元")),
    ("共完成预算资金351万元。", "narrative-amount", True, ("项目资金的全年执行数", "为315万元")),
    # a wrong change, five phrasings
    ("支出较去年增加57万元。", "narrative-change", False, ("“本年支出合计”", "= 75万元", "增加75万元")),
    ("基本支出689.5万元，比上年决算增加93.5万元，增长6.08%。", "narrative-change", False,
     ("“基本支出”", "= 39.5万元", "增加39.5万元")),
    ("本年支出合计比上年减少75万元。", "narrative-change", False, ("“本年支出合计”", "= 75万元", "增加75万元")),
    ("项目支出495.5万元，较2022年增长53.5万元。", "narrative-change", False, ("“项目支出”", "= 35.5万元")),
    ("总支出1185万元，同比增加57万元。", "narrative-change", False, ("“本年支出合计”", "= 75万元")),
    # a wrong growth rate, four phrasings
    ("基本支出689.5万元，比上年决算增加39.5万元，增长6.80%。", "narrative-growth", False, ("“基本支出”", "= 6.08%")),
    ("支出较上年增加75万元，增长7.76%。", "narrative-growth", False, ("“本年支出合计”", "= 6.76%")),
    ("项目支出同比增长8.72%。", "narrative-growth", False, ("“项目支出”", "= 7.72%")),
    ("总支出1185万元，较上年下降6.76%。", "narrative-growth", False, ("“本年支出合计”", "= 6.76%", "增长6.76%")),
    # a wrong share, four phrasings
    ("2023年本年支出合计1185万元，其中：基本支出689.5万元，占58.91%；项目支出495.5万元，占41.81%。",
     "narrative-share", False, ("“基本支出”的决算数689.5万元", "“本年支出合计”1185万元", "= 58.19%")),
    ("基本支出689.5万元，占本年支出合计的58.91%。", "narrative-share", False, ("“基本支出”", "= 58.19%")),
    ("项目支出495.5万元，占比43.18%。", "narrative-share", False, ("“项目支出”", "= 41.81%")),
    ("基本支出占总支出的比重为58.91%。", "narrative-share", False, ("“基本支出”", "= 58.19%")),
    # a wrong execution rate, four phrasings
    ("执行数为315万元，完成预算的98.54%。", "narrative-rate", True, ("执行率为98.44%", "全年执行数315万元")),
    ("项目执行率为98.54%。", "narrative-rate", True, ("执行率为98.44%",)),
    ("本年支出合计决算1185万元，预算执行率为98.43%。", "narrative-rate", False, ("“本年支出合计”", "98.34%")),
    ("基本支出执行率98.05%。", "narrative-rate", False, ("“基本支出”", "98.50%")),
    # a wrong breakdown, four phrasings
    ("共完成预算资金315万元。其中：200万元用于土地平整；125万元用于灌溉设施。", "narrative-breakdown", True,
     ("200 + 125 = 325万元", "合计315万元")),
    ("执行数为315万元，包括：设备购置200万元、工程建设125万元。", "narrative-breakdown", True, ("= 325万元", "合计315万元")),
    ("执行数315万元（含材料费200万元，人工费125万元）。", "narrative-breakdown", True, ("= 325万元", "合计315万元")),
    ("项目支出315万元，其中，材料费200万元，人工费115万元，其他支出0.01万元。", "narrative-breakdown", True,
     ("200 + 115 + 0.01 = 315.01万元", "合计315万元")),
]


@pytest.mark.parametrize("text, code, project, words", PLANTED, ids=[f"{p[1]}:{p[0][:16]}" for p in PLANTED])
def test_a_planted_slip_is_found_at_its_cell_naming_the_figure(text, code, project, words):
    found = narrative(text, project)
    assert [(p.code, p.place) for p in found] == [(code, PROJECT_PLACE if project else UNIT_PLACE)], \
        [p.message for p in found]
    for word in words:
        assert word in found[0].message


def _corrected(text: str, code: str) -> str:
    """The planted sentence with its slip put right (the first wrong number replaced by the right one)."""
    fixes = {"1158": "1185", "698.5": "689.5", "351": "315", "57": "75", "93.5": "39.5", "减少75": "增加75",
             "53.5": "35.5", "6.80": "6.08", "7.76": "6.76", "8.72": "7.72", "下降6.76": "增长6.76", "58.91": "58.19",
             "43.18": "41.81", "98.54": "98.44", "98.43": "98.34", "98.05": "98.5", "125万元": "115万元",
             "其他支出0.01万元": "其他支出0万元"}
    for wrong, right in fixes.items():
        if wrong in text:
            return text.replace(wrong, right, 1)
    raise AssertionError(text)


@pytest.mark.parametrize("text, code, project, words", PLANTED, ids=[f"{p[1]}:{p[0][:16]}" for p in PLANTED])
def test_the_same_sentence_put_right_is_quiet(text, code, project, words):
    assert [p.message for p in narrative(_corrected(text, code), project)] == []


@pytest.mark.parametrize("text", [
    "基本支出689.5万元，主要用于人员工资300万元和日常运转。",       # a second amount is another noun's
    "基本支出689.5万元，项目支出比上年增加35.5万元。",             # the change belongs to 项目支出
    "基本支出689.5万元，培训经费比上年增加20万元。",               # the change belongs to an unknown noun
    "支出1185万元，其中基本支出689.5万元。",                     # a partial breakdown stays below its total
    "本年支出合计1185万元，主要用于：业务经费200万元、培训100万元等。",  # no 其中: not a breakdown
    "45岁及以下的占52.6%，大专及以上学历占44.9%。",                # shares of people, no label
    "基本支出比2021年增加100万元。",                               # not the year before: not read
    "支出较上年持平。",                                             # 持平 is not read as a figure
])
def test_what_is_not_the_labels_figure_is_not_read(text):
    assert [p.message for p in narrative(text)] == []


def test_an_ambiguous_synonym_is_dropped_and_a_pack_can_add_its_own():
    labels = prose.load_synonyms([{"收支情况": {"本年支出合计": ["部门开支"]}}])
    assert any(lb.words == "部门开支" and lb.key == "本年支出合计" for lb in labels)
    clash = prose.load_synonyms([{"收支情况": {"基本支出": ["部门开支"], "项目支出": ["部门开支"]}}])
    assert not any(lb.words == "部门开支" for lb in clash)
    with pytest.raises(ValueError, match="不是收支情况的行"):
        prose.load_synonyms([{"收支情况": {"没有这一行": ["x"]}}])


def test_a_pack_synonym_makes_its_phrasing_checked():
    report = BASE.model_copy(deep=True)
    report.unit.budget_management = "部门开支1158万元。"
    ctx = Context(compute(report, PROFILE))
    field = next(f for f in prose.text_fields(ctx) if f.path == "unit.budget_management")
    assert prose.read_text(ctx, field).said == []
    labels = prose.load_synonyms([{"收支情况": {"本年支出合计": ["部门开支"]}}])
    said = prose.read_text(ctx, field, labels).said
    assert [(s.kind, s.number, s.label.key) for s in said] == [("amount", D("1158"), "本年支出合计")]


def test_the_bundled_synonym_table_is_data():
    data = yaml.safe_load(prose.SYNONYMS.read_text(encoding="utf-8"))
    assert "收入决算" in data["收支情况"]["本年收入合计"] and "总支出" in data["收支情况"]["本年支出合计"]


# ---------------------------------------------------------------- precision as typed

def test_an_amount_typed_with_three_decimals_is_shown_with_three():
    assert money(D("59.958")) == "59.958" and amount(D("59.958")) == "59.958"
    assert money(D("20") + D("39.958")) == "59.958"             # a sum keeps the finest precision of its parts
    assert money(D("630.5")) == "630.50" and amount(D("630.50")) == "630.5"
    assert money(D("100") / D("3")) == "33.33"                   # a quotient is not typed: two decimals
    assert percent(D("59.958")) == "59.96%"                      # rates stay at two
    assert money(D("1234.5678"), comma=True) == "1,234.5678"


def test_amounts_typed_with_three_decimals_are_compared_with_three():
    assert not same_amount(D("59.958"), D("59.957"))
    assert same_amount(D("59.958"), D("59.96"))                  # the second is the first as published
    assert same_amount(D("59.96"), D("59.960"))


def test_a_statement_sum_off_by_a_thousandth_is_found_when_typed_to_the_thousandth():
    report = BASE.model_copy(deep=True)
    report.finance["其他收入"].actual = D("4.501")
    report.finance["本年收入合计"].actual = D("1185.002")
    codes = [p.code for p in run_checks(compute(report, PROFILE))]
    assert "sum-mismatch" in codes


# ---------------------------------------------------------------- stated change, growth and 结转结余率

def test_correct_stated_changes_and_balance_rate_are_quiet_and_a_wrong_one_is_found():
    report = BASE.model_copy(deep=True)
    report.finance["基本支出"].stated_change = D("39.5")
    report.finance["基本支出"].stated_growth = D("6.08")
    report.finance["项目支出"].stated_change = D("35.50")
    report.unit.stated_balance_rate = D("5.06")
    assert run_checks(compute(report, PROFILE)) == []
    report.finance["项目支出"].stated_growth = D("7.71")
    found = run_checks(compute(report, PROFILE))
    assert [(p.code, p.message) for p in found] == [
        ("stated-growth", "收支情况“项目支出”的增长率填报为7.71%，按（决算数495.5万元 − 上年决算数460万元）÷ 上年决算数460万元"
                          "计算应为7.72%：请改为7.72%，或核对计算它的数字")]


def test_the_workbook_has_the_new_columns_and_reads_them(tmp_path):
    from click.testing import CliRunner
    from generator.cli import main
    for code in ("stated-change", "stated-growth", "stated-balance-rate"):
        target = tmp_path / f"{code}.xlsx"
        result = CliRunner().invoke(main, ["init", "--from", str(FIXTURES / f"{code}.yaml"), str(target)])
        assert result.exit_code == 0, result.output
        report, problems = read_input(target)
        found = [(p.code, p.place.split("!")[0]) for p in run_checks(compute(report, PROFILE))]
        sheet = "单位信息" if code == "stated-balance-rate" else "收支情况"
        assert found == [(code, f"{code}.xlsx:{sheet}")] or found == [(code, sheet)], found


# ---------------------------------------------------------------- a rate is compared with what its name means

@pytest.mark.parametrize("text, project", [
    ("完成数字化加工18.5万页，完成率92.5%。", True),     # a physical target, no indicator of that name
    ("完成数字化加工18.5万页，完成率92.5%。", False),
    ("人员到位率92.5%。", False),                         # no rate of the budget's at all
])
def test_a_rate_that_does_not_mean_budget_execution_is_not_compared_with_it(text, project):
    assert [p.message for p in narrative(text, project)] == []


@pytest.mark.parametrize("text, project, words", [
    ("本年支出合计决算1185万元，预算执行率为92.5%。", False, ("98.34%",)),
    ("项目资金执行率92.5%。", True, ("执行率为98.44%",)),
    ("全年资金支出进度92.5%。", True, ("执行率为98.44%",)),
    ("资金到位率92.5%。", True, ("执行率为98.44%",)),
])
def test_a_wrong_budget_execution_rate_by_any_of_its_names_is_still_found(text, project, words):
    found = narrative(text, project)
    assert [p.code for p in found] == ["narrative-rate"], [p.message for p in found]
    assert all(word in found[0].message for word in words)


def test_a_completion_rate_is_compared_with_the_indicator_it_names():
    # 新建高标准农田面积: 年度指标值 ≥2000亩, 实际完成值 2000亩 → 100%
    wrong = narrative("新建高标准农田2000亩，完成率92.5%。", project=True)
    assert [p.code for p in wrong] == ["narrative-target-rate"]
    assert "“新建高标准农田面积”" in wrong[0].message and "100.00%" in wrong[0].message
    assert narrative("新建高标准农田2000亩，完成率100%。", project=True) == []


def test_a_pack_can_name_another_budget_execution_rate():
    report = BASE.model_copy(deep=True)
    report.projects[0].funds_use = "项目经费完成率92.5%。"
    ctx = Context(compute(report, PROFILE))
    field = next(f for f in prose.text_fields(ctx) if f.path == "projects.0.funds_use")
    assert [s.target for s in prose.read_text(ctx, field).said] == [True]
    labels = prose.load_synonyms([{"预算执行率": ["经费完成率"]}])
    assert [s.target for s in prose.read_text(ctx, field, labels).said] == [False]
