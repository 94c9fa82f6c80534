"""Scoring: indicators that cannot be scored as typed, weights against the profile, scores outside their band or range,
deviations without a reason, and projects or a department that cannot be scored at all."""
from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..compute import HUNDRED, IndicatorScore, Scorecard
from ..model import DEPARTMENT, Direction
from ..pack import DEPARTMENT_INDICATORS
from ..problems import Severity
from .engine import Context, Hit, rule, shown, shown_computed

ZERO = Decimal(0)


def cards(ctx: Context) -> Iterator[tuple[Scorecard, str, str, str]]:
    """(card, owner as named in messages, model path of its indicators, path naming the owner) of each scored card."""
    for pr in ctx.results.evaluated_projects:
        yield pr.card, f"项目“{pr.project.name}”", f"projects.{pr.index}.indicators", f"projects.{pr.index}.name"
    yield ctx.results.department, DEPARTMENT, "indicators", "unit.name"


def indicators(ctx: Context) -> Iterator[tuple[IndicatorScore, str, str]]:
    for card, owner, prefix, _ in cards(ctx):
        for s in card.indicators:
            yield s, owner, f"{prefix}.{s.index}"


# ---------------------------------------------------------------- cannot be scored as typed

@rule("no-budget", Severity.ERROR, "开展自评的项目没有全年预算数（或为0），无法计算执行率",
      "项目“{name}”的全年预算数未填写或为0，无法计算执行率：请填写全年预算数（万元）")
def no_budget(ctx: Context):
    for pr in ctx.results.evaluated_projects:
        if pr.card.budget is None or pr.card.budget == 0:
            # At the 合计 cell of 全年预算数: the cell to fill when nothing of it is typed.
            yield Hit(f"projects.{pr.index}.funds.budget.stated_total", {"name": pr.project.name})


ACTUAL_SOURCES = ("current", "carryover", "other", "stated_total")


@rule("no-actual", Severity.ERROR,
      "全年执行数（项目）或本年支出合计的决算数（部门整体）空着，执行率和得分无法计算",
      "{what}未填写，无法计算{whose}执行率{score}：请填写{fill}（万元），当年没有支出的填 0")
def no_actual(ctx: Context):
    for pr in ctx.results.projects:
        project, card = pr.project, pr.card
        prefix = f"projects.{pr.index}.funds.actual"
        # A project neither scored nor budgeted has no rate to lose; an unreadable amount has its own error.
        if card.actual is not None or ctx.unread(prefix) or not project.evaluated and not card.budget:
            continue
        # The cell left empty: the first of the stage's cells the input has (a workbook has them all).
        path = next((f"{prefix}.{name}" for name in ACTUAL_SOURCES if f"{prefix}.{name}" in ctx.report.places),
                    f"{prefix}.stated_total")
        yield Hit(path, {"what": f"项目“{project.name}”的全年执行数", "whose": "该项目的",
                         "score": "和预算执行得分" if project.evaluated else "", "fill": "全年执行数"})
    # The department: only beside a typed 全年预算数 (a unit that reports no statement at all has no rate to lose).
    department = ctx.results.department
    if department.actual is None and department.budget is not None and not ctx.unread("finance."):
        yield Hit("finance.本年支出合计.actual", {
            "what": "收支情况“本年支出合计”的决算数（及其各组成行的决算数）", "whose": "部门整体的", "score": "和得分",
            "fill": "本年支出合计的决算数（或基本支出、项目支出各行的决算数）"})


@rule("no-indicators", Severity.WARNING, "开展自评的项目没有绩效指标",
      "项目“{name}”没有绩效指标，无法计算得分：请在“绩效指标”中按项目名称填写指标，或把“是否开展自评”改为“否”")
def no_indicators(ctx: Context):
    for pr in ctx.results.evaluated_projects:
        if not pr.project.indicators:
            yield Hit(f"projects.{pr.index}.name", {"name": pr.project.name})


@rule("no-department-indicators", Severity.WARNING, "没有部门整体绩效指标",
      "未填写部门整体绩效指标，无法计算部门整体自评得分：请在“绩效指标”中以“部门整体”填写指标")
def no_department_indicators(ctx: Context):
    printed = ctx.printed.unit.get(DEPARTMENT_INDICATORS)
    if not ctx.report.indicators and printed is not None and printed.required:
        yield Hit("unit.name")


@rule("indicator-unscorable", Severity.ERROR, "指标的年度指标值或实际完成值不是数值，也没有填报得分，无法计分",
      "{owner}的指标“{name}”：{note}")
def indicator_unscorable(ctx: Context):
    for s, owner, path in indicators(ctx):
        # A missing 分值 is reported where it is (unless the profile's indicators carry none).
        if s.basis == "无法计分" and (s.indicator.weight is not None or not ctx.profile.weights_given):
            yield Hit(f"{path}.{s.field}", {"owner": owner, "name": s.indicator.name, "note": s.note})


@rule("indicator-score-note", Severity.HINT, "指标按填报得分或按“完成”计分（实际完成值不是数值）",
      "{owner}的指标“{name}”：{note}")
def indicator_score_note(ctx: Context):
    for s, owner, path in indicators(ctx):
        if s.basis in ("填报得分", "按完成计分") and s.note:
            yield Hit(f"{path}.actual", {"owner": owner, "name": s.indicator.name, "note": s.note})


# ---------------------------------------------------------------- scores against weights and bands

@rule("score-out-of-range", Severity.ERROR, "填报的指标得分为负数或高于分值",
      "{owner}的指标“{name}”填报得分{stated}分，超出0–{weight}分：得分不能为负，也不能高于分值，请改正")
def score_out_of_range(ctx: Context):
    for s, owner, path in indicators(ctx):
        stated = s.indicator.stated_score
        if stated is not None and (stated < 0 or s.weight is not None and stated > s.weight):
            yield Hit(f"{path}.stated_score", {"owner": owner, "name": s.indicator.name, "stated": shown(stated),
                                               "weight": shown_computed(s.weight)})
    yield from _level_sums_over(ctx)


def _level_sums_over(ctx: Context):
    """Indicators with no 分值 (指标分值: 不填): each 一级指标's stated scores add up to no more than its weight (or
    all of them to no more than the 指标总分), the one range the profile gives them."""
    profile = ctx.profile
    if profile.weights_given:
        return
    levels = profile.level1_weights or {}
    for card, owner, prefix, _ in cards(ctx):
        if not card.indicators:
            continue
        if levels:
            over = [(sub.level1, sub.score, levels[sub.level1]) for sub in card.subtotals
                    if sub.level1 in levels and sub.score > levels[sub.level1]]
        else:
            scored = sum((sub.score for sub in card.subtotals), ZERO)
            over = [("绩效指标", scored, profile.indicator_total)] if scored > profile.indicator_total else []
        for level1, scored, weight in over:
            first = _first_of(card, level1) if level1 in levels else 0
            yield Hit(f"{prefix}.{first}.stated_score", {
                "owner": owner, "name": f"{level1}（各指标得分之和）", "stated": shown_computed(scored),
                "weight": shown_computed(weight)})


@rule("score-outside-band", Severity.ERROR, "定性指标填报的得分不在所选定性等级的分数区间内",
      "{owner}的定性指标“{name}”选择了“{level}”，得分应在{low}–{high}分之间（分值{weight}分的{band}），"
      "填报得分{stated}分不在其中，已按{used}分计：请调整得分或定性等级")
def score_outside_band(ctx: Context):
    profile = ctx.profile
    for s, owner, path in indicators(ctx):
        stated = s.indicator.stated_score
        if (s.direction is not Direction.QUALITATIVE or not s.applicable or s.level is None or stated is None
                or s.weight is None or stated < 0 or stated > s.weight or s.basis != "按等级计分"):
            continue
        band = profile.bands[s.level]
        upper = "" if band.high >= HUNDRED else "（不含）"
        yield Hit(f"{path}.stated_score", {
            "owner": owner, "name": s.indicator.name, "level": s.level,
            "low": shown_computed(s.weight * band.low / HUNDRED),
            "high": shown_computed(s.weight * band.high / HUNDRED) + upper,
            "weight": shown_computed(s.weight), "band": f"{shown(band.low)}%–{shown(band.high)}%",
            "stated": shown(stated), "used": shown_computed(s.score)})


def _weight_sums(card: Scorecard) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = {}
    for s in card.indicators:
        sums[s.indicator.level1] = sums.get(s.indicator.level1, ZERO) + (s.weight or ZERO)
    return sums


def _unweighed(card: Scorecard) -> set[str]:
    """一级指标 with an indicator whose 分值 is missing or unreadable: already reported, their sums are unknown."""
    return {s.indicator.level1 for s in card.indicators if s.indicator.weight is None}


def _first_of(card: Scorecard, level1: str) -> int | None:
    return next((s.index for s in card.indicators if s.indicator.level1 == level1), None)


@rule("level1-weights", Severity.WARNING, "一级指标的分值合计与评分规则不符（评分规则规定了各一级指标分值时）",
      "{owner}的{level1}分值合计为{actual}分，评分规则“{profile}”规定为{expected}分："
      "请调整该一级指标下各三级指标的分值，或选用与本地做法一致的评分规则")
def level1_weights(ctx: Context):
    expected = ctx.profile.level1_weights
    if not expected:
        return
    for card, owner, prefix, owner_path in cards(ctx):
        if not card.indicators:
            continue
        sums = _weight_sums(card)
        for level1, weight in expected.items():
            actual = sums.get(level1, ZERO)
            if actual != weight and level1 not in _unweighed(card):
                first = _first_of(card, level1)
                yield Hit(f"{prefix}.{first}.weight" if first is not None else owner_path, {
                    "owner": owner, "level1": level1, "actual": shown_computed(actual),
                    "profile": ctx.profile.name, "expected": shown_computed(weight)})


@rule("level1-unknown", Severity.WARNING, "一级指标名称不在评分规则规定的一级指标中",
      "{owner}的一级指标“{level1}”不在评分规则“{profile}”的一级指标（{names}）中，其分值{weight}分无处归属："
      "请改为其中之一，或选用与本地做法一致的评分规则")
def level1_unknown(ctx: Context):
    expected = ctx.profile.level1_weights
    if not expected:
        return
    for card, owner, prefix, _ in cards(ctx):
        for level1, weight in _weight_sums(card).items():
            if level1 not in expected:
                yield Hit(f"{prefix}.{_first_of(card, level1)}.level1", {
                    "owner": owner, "level1": level1, "profile": ctx.profile.name,
                    "names": "、".join(expected), "weight": shown_computed(weight)})


@rule("indicator-weights-total", Severity.WARNING, "绩效指标分值合计与评分规则的指标总分不符（评分规则只规定总分时）",
      "{owner}的绩效指标分值合计为{actual}分，评分规则“{profile}”规定为{expected}分（预算执行率另计{execution}分）："
      "请调整各指标的分值")
def indicator_weights_total(ctx: Context):
    if ctx.profile.level1_weights:
        return
    for card, owner, prefix, owner_path in cards(ctx):
        if not card.indicators:
            continue
        actual = sum(_weight_sums(card).values(), ZERO)
        if actual != ctx.profile.indicator_total and not _unweighed(card):
            yield Hit(f"{prefix}.0.weight", {
                "owner": owner, "actual": shown_computed(actual), "profile": ctx.profile.name,
                "expected": shown_computed(ctx.profile.indicator_total),
                "execution": shown_computed(ctx.profile.execution_weight)})


# ---------------------------------------------------------------- deviations need a reason

def _no_reason(s: IndicatorScore) -> bool:
    return not (s.indicator.deviation and s.indicator.deviation.strip())


def _shortfall(s: IndicatorScore, profile) -> bool:
    if not s.applicable or s.score is None or s.basis in ("无法计分", "不适用"):
        return False
    if s.direction is Direction.QUALITATIVE and s.level is not None:
        return not profile.full_marks(s.level)
    if s.weight is None:        # no 分值: the values say whether it fell short, when they are numbers
        return s.target_value is not None and s.actual_value is not None and not s.reached
    return s.score < s.weight


@rule("shortfall-no-reason", Severity.WARNING, "指标未完成（得分低于分值），但没有填写偏差原因分析及改进措施",
      "{owner}的指标“{name}”未完成（年度指标值“{target}”，实际完成值“{actual}”，得分{score}分/分值{weight}分），"
      "但“偏差原因分析及改进措施”为空：请说明未完成的原因和改进措施")
def shortfall_no_reason(ctx: Context):
    for s, owner, path in indicators(ctx):
        if _shortfall(s, ctx.profile) and _no_reason(s):
            yield Hit(f"{path}.deviation", {
                "owner": owner, "name": s.indicator.name, "target": s.indicator.target or "",
                "actual": s.indicator.actual or "", "score": shown_computed(s.score),
                "weight": shown_computed(s.weight)})


@rule("overshoot-no-reason", Severity.WARNING,
      "正向指标超额完成达到评分规则规定的比例（默认30%）及以上，但没有填写偏差原因分析及改进措施",
      "{owner}的指标“{name}”实际完成值“{actual}”超过年度指标值“{target}”{over}（{threshold}%及以上须说明），"
      "但“偏差原因分析及改进措施”为空：请说明超额完成的原因（如指标值设定偏低）")
def overshoot_no_reason(ctx: Context):
    threshold = ctx.profile.overshoot_percent
    for s, owner, path in indicators(ctx):
        if (not s.applicable or s.basis != "按比例计分" or s.direction not in (Direction.AT_LEAST, Direction.EQUAL)
                or s.target_value is None or s.actual_value is None or s.target_value <= 0 or not _no_reason(s)):
            continue
        over = (s.actual_value - s.target_value) / s.target_value * HUNDRED
        if over >= threshold:
            yield Hit(f"{path}.deviation", {
                "owner": owner, "name": s.indicator.name, "actual": s.indicator.actual or shown(s.actual_value),
                "target": s.indicator.target or "", "over": f"{shown_computed(over)}%",
                "threshold": shown(threshold)})

