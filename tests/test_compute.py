"""Scoring rules and computed fields, through the public compute functions."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.compute import quantitative_score, score_card, score_indicator
from generator.filters import percent, score
from generator.model import Direction, Indicator, Level
from generator.profile import load_profile

NATIONAL = load_profile("全国")
SICHUAN = load_profile("四川")


def ind(**kw) -> Indicator:
    base = {"一级指标": "产出指标", "三级指标": "测试指标", "分值": D(10)}
    base.update(kw)
    return Indicator.model_validate(base)


@pytest.mark.parametrize("actual,budget,rate", [
    # Lizhou 2021 project reports, where the published rate is right
    ("83.89", "100", "83.89%"),
    ("5.78", "11", "52.55%"),
    ("106.09", "108.5", "97.78%"),
    ("29.37", "50", "58.74%"),
    # published as 54.35%, which is wrong: 23.92 ÷ 44.03 = 54.33%
    ("23.92", "44.03", "54.33%"),
    ("1485.66", "1485.66", "100.00%"),
])
def test_execution_rate_is_actual_over_full_year_budget(actual, budget, rate):
    card = score_card("p", None, D(budget), D(actual), [ind()], NATIONAL)
    assert percent(card.execution_rate) == rate


def test_execution_score_is_capped_at_its_weight():
    assert score_card("p", None, D(100), D(76), [ind()], NATIONAL).execution_score == D("7.6")
    assert score_card("p", None, D(100), D(130), [ind()], NATIONAL).execution_score == D(10)


@pytest.mark.parametrize("target,actual,expected", [
    ("≥50个", "60个", "10.00"),      # over-completion never scores above the weight
    ("≥50个", "40个", "8.00"),       # weight × actual ÷ target
    ("≥95%", "98", "10.00"),
    ("100%", "58.4%", "5.84"),
    ("≤12个月", "18", "6.67"),       # negative: weight × target ÷ actual
    ("≤100万元", "83.88", "10.00"),
])
def test_quantitative_scores(target, actual, expected):
    assert score(score_indicator(ind(年度指标值=target, 实际完成值=actual), 0, NATIONAL).score) == expected


def test_negative_linear_rule_reaches_zero_at_twice_the_target():
    profile = NATIONAL.model_copy(update={"negative_rule": "线性"})
    assert quantitative_score(Direction.AT_MOST, D(10), D(15), D(10), profile) == D(5)
    assert quantitative_score(Direction.AT_MOST, D(10), D(25), D(10), profile) == D(0)


def test_scoring_value_column_is_used_when_actual_is_text():
    s = score_indicator(ind(年度指标值="≥100%", 实际完成值="年初预算250个，实际支付146个", 计分实际值=D("58.4")), 0, NATIONAL)
    assert score(s.score) == "5.84"


def test_completion_word_scores_full_with_a_note():
    s = score_indicator(ind(年度指标值="≥85%", 实际完成值="完成"), 0, NATIONAL)
    assert s.score == D(10) and "完成" in s.note


@pytest.mark.parametrize("level,stated,expected,noted", [
    (Level.ACHIEVED, None, "10.00", False),          # default: full weight
    (Level.ACHIEVED, D("8.5"), "8.50", False),       # within 80–100%
    (Level.PARTLY, D("7"), "7.00", False),           # within 60–<80%
    (Level.PARTLY, D("8"), "6.00", True),            # 80% is outside 部分达成: band default, with a note
    (Level.MISSED, None, "0.00", False),
])
def test_qualitative_scores_stay_in_their_band(level, stated, expected, noted):
    s = score_indicator(ind(指标方向="定性", 定性等级=level, 得分=stated), 0, NATIONAL)
    assert score(s.score) == expected
    assert (s.note is not None) == noted


def test_not_applicable_indicators_are_rescaled_out_of_the_total():
    indicators = [ind(年度指标值="≥10", 实际完成值="5", 分值=D(45)),
                  ind(年度指标值="≥10", 实际完成值="10", 分值=D(45), 不适用=True)]
    card = score_card("p", None, D(100), D(100), indicators, NATIONAL)
    # (10 + 22.5) of (10 + 45) applicable points, rescaled to 100
    assert score(card.total) == "59.09"
    assert card.grade == "差"


def test_subtotals_per_level1_and_grade():
    indicators = [ind(一级指标="产出指标", 年度指标值="≥10", 实际完成值="10", 分值=D(50)),
                  ind(一级指标="效益指标", 指标方向="定性", 定性等级=Level.PARTLY, 得分=D(20), 分值=D(30)),
                  ind(一级指标="满意度指标", 年度指标值="≥90%", 实际完成值="95%", 分值=D(10))]
    card = score_card("p", None, D(100), D(90), indicators, NATIONAL)
    assert [(s.level1, s.weight, s.score) for s in card.subtotals] == [
        ("产出指标", D(50), D(50)), ("效益指标", D(30), D(20)), ("满意度指标", D(10), D(10))]
    assert score(card.total) == "89.00" and card.grade == "良"


def test_execution_cap_option_limits_the_total():
    from generator.profile import Cap
    profile = NATIONAL.model_copy(update={"caps": [Cap.model_validate({"执行率低于": 60, "总分不高于": 69}),
                                                   Cap.model_validate({"执行率低于": 80, "总分不高于": 89})]})
    card = score_card("p", None, D(100), D(55), [ind(年度指标值="≥1", 实际完成值="1", 分值=D(90))], profile)
    assert card.uncapped_total == D("95.5") and card.total == D(69)


weights = st.decimals(min_value=0, max_value=100, places=2)
amounts = st.decimals(min_value=0, max_value=100000, places=2)
directions = st.sampled_from(["≥", "≤", "="])


@settings(max_examples=300, deadline=None)
@given(weight=weights, target=amounts, actual=amounts, direction=directions)
def test_score_always_lies_between_zero_and_the_weight(weight, target, actual, direction):
    s = score_indicator(ind(分值=weight, 指标方向=direction, 年度指标值=str(target), 实际完成值=str(actual)), 0, NATIONAL)
    assert D(0) <= s.score <= weight


@settings(max_examples=300, deadline=None)
@given(weight=weights, target=amounts, actual=amounts, more=amounts)
def test_score_never_falls_when_a_positive_indicators_actual_rises(weight, target, actual, more):
    lower = score_indicator(ind(分值=weight, 指标方向="≥", 年度指标值=str(target), 实际完成值=str(actual)), 0, NATIONAL)
    higher = score_indicator(ind(分值=weight, 指标方向="≥", 年度指标值=str(target), 实际完成值=str(actual + more)), 0,
                             NATIONAL)
    assert higher.score >= lower.score


def test_profiles_bundled_and_their_weights():
    assert NATIONAL.level1_weights == {"产出指标": D(50), "效益指标": D(30), "满意度指标": D(10)}
    assert SICHUAN.indicator_total == D(90) and SICHUAN.level1_weights is None
    assert load_profile("湖南").level1_weights["效益指标"] == D(40)


def test_ziyang_department_table_totals_100_with_full_execution():
    """Seed 000, 附件2: 年度资金总额 1485.66 of 1485.66 (100%, 10 points) and indicators worth 90 → 总分 100."""
    from pathlib import Path

    from generator.compute import compute
    from generator.readers import read_input

    report, _ = read_input(Path(__file__).resolve().parent.parent / "inputs" / "ziyang-2022.yaml")
    department = compute(report, load_profile(report.unit.profile)).department
    assert percent(department.execution_rate) == "100.00%"
    assert score(department.execution_score) == "10.00"
    assert [(s.level1, s.weight, s.score) for s in department.subtotals] == [
        ("产出指标", D(50), D(50)), ("效益指标", D(40), D(40))]
    assert score(department.total) == "100.00" and department.grade == "优"
