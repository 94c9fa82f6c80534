"""The rule engine: identities come from the catalog, figures compare at the precision typed, one typo is one finding,
the narrative scanner reads only what it is sure of, and `jxzp validate` shows code, severity, place and message."""
from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.catalog import FINANCE_ROWS, ROWS_BY_KEY, THREE_PUBLIC_ROWS
from generator.checks import RULES, run_checks
from generator.checks.engine import same_as_typed, same_amount
from generator.cli import main
from generator.compute import compute
from generator.model import AMOUNT_COLUMNS, Amounts
from generator.profile import load_profile
from generator.readers import read_input

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "checks"
BASE, _ = read_input(FIXTURES / "base.yaml")
PROFILE = load_profile("全国")
COLUMN_NAMES = {"last_year": "上年决算数", "initial_budget": "年初预算数", "budget": "全年预算数", "actual": "决算数"}


def findings(report) -> list:
    return run_checks(compute(report, PROFILE))


def test_rule_codes_are_unique_and_every_rule_has_a_chinese_template():
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes))
    assert all(r.template and r.summary for r in RULES)


@pytest.mark.parametrize("typed, computed, agrees", [
    (D("54.35"), D("23.92") / D("44.03") * 100, False),   # Lizhou: 54.33% typed as 54.35%
    (D("54.33"), D("23.92") / D("44.03") * 100, True),
    (D("100"), D(35) / D(39) * 100, False),                # Ziyang: 89.74% typed as 100%
    (D("90"), D(35) / D(39) * 100, True),                  # typed without decimals: compared without decimals
    (D("95.1"), D("95.104"), True),
    (D("92"), D("91.6"), True),
    (D("0.57"), D(0), False),
])
def test_a_typed_figure_is_compared_at_the_precision_it_was_typed(typed, computed, agrees):
    assert same_as_typed(typed, computed) is agrees


def test_amounts_agree_to_the_cent():
    assert same_amount(D("1"), D("0.9997"))
    assert not same_amount(D("1065.56"), D("1065.48") + D("0.09"))


TOTALS = [(table, row.key, column) for table, rows in (("finance", FINANCE_ROWS), ("three_public", THREE_PUBLIC_ROWS))
          for row in rows if row.parts for column in AMOUNT_COLUMNS]


@pytest.mark.parametrize("table, key, column", TOTALS, ids=[f"{k}-{c}" for _, k, c in TOTALS])
def test_every_total_of_the_catalog_is_checked_in_every_column(table, key, column):
    report = BASE.model_copy(deep=True)
    report.finance, report.three_public, report.functional = {}, {}, []
    parts = ROWS_BY_KEY[key].parts
    rows = getattr(report, table)
    for part in parts:                                     # only this total and its parts: every part 1, the total wrong
        rows[part] = Amounts.model_validate({COLUMN_NAMES[column]: 1})
    rows[key] = Amounts.model_validate({COLUMN_NAMES[column]: D(len(parts)) + D("0.01")})
    found = [p for p in findings(report) if p.code == "sum-mismatch"]
    assert len(found) == 1
    assert f"“{key}”的{COLUMN_NAMES[column]}填报为{len(parts)}.01万元，各项之和为{len(parts)}万元" in found[0].message


def test_one_mistyped_subtotal_gives_one_finding_not_a_cascade():
    report = BASE.model_copy(deep=True)
    report.finance["本年收入合计"].actual = D("1158.00")        # 1185.00 with two digits swapped
    found = findings(report)
    # 收入总计 (1245 = 本年收入合计 + 60), the balance and the prose (1185, as computed) also contain it: all quiet
    assert [p.code for p in found] == ["sum-mismatch"]
    assert "“本年收入合计”的决算数填报为1158万元" in found[0].message


def test_a_wrong_rate_carried_into_score_total_and_grade_is_one_finding():
    report = BASE.model_copy(deep=True)
    p1 = report.projects[0]
    p1.stated_execution_rate, p1.stated_execution_score = D("90"), D("9")   # score worked out from the wrong rate
    p1.stated_total = D("97.5")
    found = findings(report)
    assert [p.code for p in found] == ["stated-execution-rate"]


def test_a_partial_breakdown_is_not_a_sum():
    report = BASE.model_copy(deep=True)
    report.finance["人员经费"] = report.finance["人员经费"].model_copy(update={"actual": None})
    report.unit.budget_management = None                   # only “其中：公用经费” given, as in Ziyang's table
    results = compute(report, PROFILE)
    assert results.finance["基本支出"].actual == D("689.50")   # the typed 基本支出, not 公用经费 alone
    assert run_checks(results) == []


def test_projects_below_project_spending_are_not_a_finding():
    report = BASE.model_copy(deep=True)
    report.projects = report.projects[:2]                    # a unit evaluates some of its projects only
    assert [p.code for p in findings(report) if p.code == "projects-exceed-spending"] == []


# ---------------------------------------------------------------- the narrative scanner

def narrative(text: str, project: bool = False) -> list:
    report = BASE.model_copy(deep=True)
    if project:
        report.projects[0].funds_use = text
    else:
        report.unit.budget_management = text
    return [p for p in findings(report) if p.code.startswith("narrative")]


@pytest.mark.parametrize("text", [
    "一般公共预算财政拨款基本支出630.28万元。",                 # a qualified 基本支出 is another figure
    "当年财政拨款收入合计999万元。",                              # 财政拨款收入合计 is not 本年收入合计
    "项目支出具体明细为：业务经费16.53万元。",                    # the amount belongs to another noun
    "本年收入合计1,185.00万元。",                                  # thousands separator, cents written
    "基本支出690万元。",                                           # 689.50 written without decimals
    "2023年年初预算项目五项合计582.90万元，结余结转234.94万元。",  # a sentence about projects, not the unit
    "基本支出较上年增加39.5万元。",                                 # 689.50 − 650.00
    "基本支出年初预算数为675万元，全年预算数为700万元。",          # each column named
    "发放慰问费1000元/人，人均培训成本445元。",                    # prices and rates in 元
])
def test_the_scanner_stays_quiet_on_what_agrees_or_is_not_its_figure(text):
    assert [p.message for p in narrative(text)] == []


@pytest.mark.parametrize("text, fragment", [
    ("基本支出年初预算数为700万元。", "基本支出年初预算数为700万元"),      # the full-year figure called 年初
    ("其中基本支出434.35万元。", "其中基本支出434.35万元"),
    ("“三公”经费支出决算为5.7万元。", "“三公”经费支出决算为5.7万元"),
    ("2023年本年支出合计1185.10万元。", "2023年本年支出合计1185.10万元"),
])
def test_the_scanner_quotes_the_phrase_and_gives_both_figures(text, fragment):
    found = narrative(text)
    assert len(found) == 1 and f"写“{fragment}”" in found[0].message and "万元：请把文字改为" in found[0].message


def test_a_project_label_is_read_only_in_that_projects_own_texts():
    assert narrative("执行数为315万元，完成预算的98.44%。", project=True) == []
    report = BASE.model_copy(deep=True)
    report.projects[1].funds_use = "执行数为315万元。"          # project 1's figure in project 2's text
    assert [p.code for p in findings(report)] == ["narrative-amount"]


# ---------------------------------------------------------------- where findings go

def test_validate_prints_severity_place_and_message_with_the_parts_indented_under_it():
    result = CliRunner().invoke(main, ["validate", str(FIXTURES / "sum-mismatch.yaml")])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    first = lines.index("  [错误] sum-mismatch.yaml:56：收支情况“本年收入合计”的决算数填报为1185万元，各项之和为1185.1万元，"
                        "相差0.1万元：请核对合计与各项金额，改正填错的一项")
    assert lines[first + 1:first + 3] == ["        · 一般公共预算财政拨款收入 1180.5（sum-mismatch.yaml:47）",
                                          "        · 其他收入 4.6（sum-mismatch.yaml:51）"]
    assert "sum-mismatch]" not in result.output


def test_validate_codes_shows_the_rule_code_for_bureau_staff():
    result = CliRunner().invoke(main, ["validate", "--codes", str(FIXTURES / "sum-mismatch.yaml")])
    assert "  [错误 sum-mismatch] sum-mismatch.yaml:56：收支情况“本年收入合计”的决算数填报为1185万元" in result.output


def test_validate_json_has_code_severity_place_and_message():
    result = CliRunner().invoke(main, ["validate", "--json", str(FIXTURES / "narrative-amount.yaml")])
    problems = json.loads(result.output)[0]["问题"]
    assert [(p["代码"], p["级别"], p["位置"]) for p in problems] == [("narrative-amount", "警告", "narrative-amount.yaml:27")]
    assert problems[0]["说明"].startswith("单位信息“预算编制执行及管理情况”中写“其中：基本支出698.5万元”")


@pytest.mark.parametrize("fixture, plain, strict", [
    ("base.yaml", 0, 0),
    ("narrative-amount.yaml", 0, 1),        # a warning: fails only with --strict
    ("repeated-words.yaml", 0, 0),          # a hint never fails
    ("sum-mismatch.yaml", 1, 1),
])
def test_strict_turns_warnings_into_errors_for_the_exit_code(fixture, plain, strict):
    runner = CliRunner()
    assert runner.invoke(main, ["validate", str(FIXTURES / fixture)]).exit_code == plain
    assert runner.invoke(main, ["validate", "--strict", str(FIXTURES / fixture)]).exit_code == strict


def test_checks_are_pure_and_repeatable():
    results = compute(BASE.model_copy(deep=True), PROFILE)
    before = BASE.model_dump()
    assert run_checks(results) == run_checks(results) == []
    assert BASE.model_dump() == before
