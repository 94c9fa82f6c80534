"""Every computed figure of a package, as pure functions of the model and a scoring profile (no I/O)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .catalog import EXPENDITURE_PARTS, FINANCE_ROWS, INCOME_SOURCES, ROWS_BY_KEY, THREE_PUBLIC_ROWS
from .model import AMOUNT_COLUMNS, DEPARTMENT, Amounts, Direction, Indicator, Project, Report
from .numbers import normalize_text, parse_target, round2
from .profile import Profile

HELD = "待改正后评定"
"""What every output says instead of a score and grade that rest on a figure reported as wrong."""

HUNDRED = Decimal(100)
ZERO = Decimal(0)

COMPLETION_WORDS = frozenset({"完成", "已完成", "全部完成", "按时完成", "按期完成", "达成", "已达成", "达到", "已达到", "是", "优",
                              "达成预期指标", "达成预期目标", "达到预期", "达到预期目标"})
"""Actual-value texts that say "achieved" without a number; scored as achieved, with a note."""


def ratio_percent(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """part ÷ whole in percent, unrounded; None when either is missing or whole is 0."""
    if part is None or whole is None or whole == 0:
        return None
    return part / whole * HUNDRED


@dataclass(frozen=True)
class IndicatorScore:
    """The score of one indicator and how it was reached."""

    indicator: Indicator
    index: int
    direction: Direction
    applicable: bool
    weight: Decimal | None
    """分值; None for an indicator of a profile whose indicators carry none (指标分值: 不填), or whose 分值 could
    not be read (reported by the reader; nothing is checked against an unknown weight)."""
    score: Decimal | None
    basis: str
    target_value: Decimal | None = None
    actual_value: Decimal | None = None
    level: str | None = None
    """The profile's grade word (定性等级) the indicator was scored by."""
    note: str | None = None
    field: str = "actual"
    """The input field a note about it points at (实际完成值, 定性等级 or 得分)."""
    reached: bool | None = None
    """For an indicator with no 分值: whether its grade word or its values say it was fully achieved."""

    @property
    def met(self) -> bool:
        """Applicable and fully achieved: its whole weight earned (or, with no 分值, its values or grade say so)."""
        if not self.applicable or self.score is None:
            return False
        return bool(self.reached) if self.weight is None else self.score >= self.weight


@dataclass(frozen=True)
class Subtotal:
    """Weight and score of one 一级指标, shown as e.g. 产出指标（50分）."""

    level1: str
    weight: Decimal
    score: Decimal


@dataclass(frozen=True)
class ExecutionScore:
    """One row of an execution score scored row by row (预算执行分项: 基本支出, 项目支出): 执行率 × 分值."""

    label: str
    budget: Decimal | None
    actual: Decimal | None
    rate: Decimal | None
    weight: Decimal
    score: Decimal | None


@dataclass(frozen=True)
class Scorecard:
    """The self-evaluation of a project or of the department: execution, indicators, total, grade."""

    owner: str
    initial_budget: Decimal | None
    budget: Decimal | None
    actual: Decimal | None
    execution_rate: Decimal | None
    execution_weight: Decimal
    execution_score: Decimal | None
    indicators: list[IndicatorScore]
    subtotals: list[Subtotal]
    total: Decimal | None
    uncapped_total: Decimal | None
    grade: str | None
    applicable_weight: Decimal
    execution_rows: tuple[ExecutionScore, ...] = ()
    """The rows of an execution score scored row by row (the department under 预算执行分项); empty otherwise."""
    held: bool = False
    """The total and grade rest on a figure reported as wrong and are held back (pipeline.Evaluation.shown):
    documents say 待改正后评定 instead."""

    @property
    def scored(self) -> bool:
        return self.total is not None


@dataclass(frozen=True)
class Line:
    """A statement row with its computed value per column and the value the preparer typed."""

    key: str
    label: str
    group: str
    values: dict[str, Decimal | None]
    stated: dict[str, Decimal | None]
    is_total: bool
    stated_change: Decimal | None = None
    """增减额（填报）, 万元; printed when last year's figure is not given (checks.stated compares it)."""
    stated_growth: Decimal | None = None
    """增长率（填报）, %; likewise."""

    def __getattr__(self, name: str) -> Decimal | None:
        if name in AMOUNT_COLUMNS:
            return self.values[name]
        raise AttributeError(name)

    @property
    def last_year_known(self) -> bool:
        return self.values["actual"] is not None and self.values["last_year"] is not None

    @property
    def change(self) -> Decimal | None:
        """决算 − 上年决算; without last year's figure, the 增减额 the preparer stated (None when neither)."""
        if not self.last_year_known:
            return self.stated_change
        return self.values["actual"] - self.values["last_year"]

    @property
    def change_rate(self) -> Decimal | None:
        """增长率 in percent; without last year's figure, the stated 增长率, else the stated 增减额 over this year's
        figure less that change; None when last year is 0 or nothing is known."""
        if self.last_year_known:
            return ratio_percent(self.change, self.values["last_year"])
        if self.stated_growth is not None:
            return self.stated_growth
        actual = self.values["actual"]
        if self.stated_change is None or actual is None:
            return None
        return ratio_percent(self.stated_change, actual - self.stated_change)


@dataclass(frozen=True)
class Share:
    """A part of a total in the 决算 column, with its share in percent."""

    label: str
    amount: Decimal
    share: Decimal | None


@dataclass(frozen=True)
class ProjectResult:
    """A project and its computed figures."""

    project: Project
    index: int
    card: Scorecard


@dataclass
class Results:
    """Everything computed for one report: the only thing renderers and checks read besides the model."""

    report: Report
    profile: Profile
    finance: dict[str, Line]
    three_public: dict[str, Line]
    functional_total: dict[str, Decimal | None]
    income_shares: list[Share]
    expenditure_shares: list[Share]
    functional_shares: list[Share]
    three_public_shares: list[Share]
    department: Scorecard
    projects: list[ProjectResult]
    staff_control_rate: Decimal | None
    size_control_rate: Decimal | None
    investment_control_rate: Decimal | None
    balance: Decimal | None
    balance_rate: Decimal | None
    project_totals: dict[str, Decimal | None] = field(default_factory=dict)

    @property
    def evaluated_projects(self) -> list[ProjectResult]:
        return [p for p in self.projects if p.project.evaluated]


# ---------------------------------------------------------------- indicators

def infer_direction(indicator: Indicator) -> Direction:
    """The typed direction, else the target's comparator (≥50个 → ≥), else 定性 for non-numeric targets."""
    if indicator.direction is not None:
        return indicator.direction
    cmp, value, _ = parse_target(indicator.target)
    if value is None:
        return Direction.QUALITATIVE
    if cmp in ("≤", "<"):
        return Direction.AT_MOST
    if cmp in ("≥", ">"):
        return Direction.AT_LEAST
    return Direction.EQUAL


def _is_completion(text: str | None) -> bool:
    return text is not None and normalize_text(text).rstrip("。.") in COMPLETION_WORDS


def _band_contains(profile: Profile, level: str, weight: Decimal, score: Decimal) -> bool:
    band = profile.bands[level]
    low, high = weight * band.low / HUNDRED, weight * band.high / HUNDRED
    return low <= score <= high if band.high >= HUNDRED else low <= score < high


def score_indicator(indicator: Indicator, index: int, profile: Profile) -> IndicatorScore:
    """Score one indicator by the rules of the profile (domain.md, 评分规则)."""
    direction = infer_direction(indicator)
    weight = indicator.weight
    if weight is None and not profile.weights_given:
        return _score_stated(indicator, index, direction, profile)
    if weight is None:   # 分值 left empty or unreadable (reported by the reader): nothing to score against
        return IndicatorScore(indicator=indicator, index=index, direction=direction, weight=None,
                              applicable=not indicator.not_applicable, score=None, basis="无法计分",
                              note="分值未填写或填错，无法计分")
    base = dict(indicator=indicator, index=index, direction=direction, weight=weight)
    if indicator.not_applicable:
        return IndicatorScore(**base, applicable=False, score=None, basis="不适用")
    if direction is Direction.QUALITATIVE:
        return _score_qualitative(indicator, base, profile)

    _, target_value, _ = parse_target(indicator.target)
    actual_value = indicator.actual_for_scoring
    if actual_value is None:
        _, actual_value, _ = parse_target(indicator.actual)
    base.update(target_value=target_value, actual_value=actual_value)
    if target_value is None or actual_value is None:
        if indicator.stated_score is not None:
            score = min(max(indicator.stated_score, ZERO), weight)
            return IndicatorScore(**base, applicable=True, score=score, basis="填报得分",
                                  note="实际完成值不是数值，按填报得分计分")
        if target_value is not None and _is_completion(indicator.actual):
            return IndicatorScore(**base, applicable=True, score=weight, basis="按完成计分",
                                  note=f"实际完成值为“{indicator.actual}”，未填写数值，按达成计满分")
        missing = "年度指标值" if target_value is None else "实际完成值"
        return IndicatorScore(**base, applicable=True, score=ZERO, basis="无法计分",
                              note=f"{missing}不是数值，无法计分：请填写数值、填写“计分实际值”，或把指标方向改为“定性”")
    return IndicatorScore(**base, applicable=True,
                          score=quantitative_score(direction, target_value, actual_value, weight, profile),
                          basis="按比例计分")


def quantitative_score(direction: Direction, target: Decimal, actual: Decimal, weight: Decimal,
                       profile: Profile) -> Decimal:
    """Full weight when the target is met; otherwise proportional (or linear to 0 at twice the target)."""
    if direction is Direction.AT_MOST:
        if actual <= target:
            return weight
        if profile.negative_rule == "线性":
            if target <= 0:
                return ZERO
            return max(ZERO, weight * (2 * target - actual) / target)
        return weight * target / actual if actual > 0 else ZERO
    if actual >= target or target <= 0:
        return weight
    return max(ZERO, weight * actual / target)


def _score_stated(indicator: Indicator, index: int, direction: Direction, profile: Profile) -> IndicatorScore:
    """An indicator of a profile whose indicators carry no 分值: the unit states its score (checked against the
    一级指标's weight by checks.scoring); nothing is computed, no weight invented."""
    base = dict(indicator=indicator, index=index, direction=direction, weight=None)
    if indicator.not_applicable:
        return IndicatorScore(**base, applicable=False, score=None, basis="不适用")
    level = profile.level_named(indicator.level)
    if indicator.level and level is None:
        return _unknown_level(indicator, base, profile)
    if indicator.stated_score is None:
        return IndicatorScore(**base, applicable=True, score=None, basis="无法计分", level=level, field="stated_score",
                              note=f"评分规则“{profile.name}”的指标不设分值，由单位填报得分：请填写该指标的得分")
    target = actual = None
    if direction is Direction.QUALITATIVE:
        reached = level is not None and profile.full_marks(level)
    else:
        _, target, _ = parse_target(indicator.target)
        actual = indicator.actual_for_scoring
        if actual is None:
            _, actual, _ = parse_target(indicator.actual)
        reached = (target is not None and actual is not None
                   and quantitative_score(direction, target, actual, HUNDRED, profile) >= HUNDRED)
    return IndicatorScore(**base, applicable=True, score=indicator.stated_score, basis="填报得分", level=level,
                          target_value=target, actual_value=actual, reached=reached)


def _unknown_level(indicator: Indicator, base: dict, profile: Profile) -> IndicatorScore:
    return IndicatorScore(**base, applicable=True, score=ZERO, basis="无法计分", field="level",
                          note=f"定性等级“{indicator.level}”不是评分规则“{profile.name}”的等级：请从 "
                               f"{'、'.join(profile.bands)} 中选择")


def _score_qualitative(indicator: Indicator, base: dict, profile: Profile) -> IndicatorScore:
    weight = indicator.weight
    stated = indicator.stated_score
    level = profile.level_named(indicator.level)
    if indicator.level and level is None:
        return _unknown_level(indicator, base, profile)
    if level is None:
        if stated is not None:
            level = next((lv for lv in profile.bands if _band_contains(profile, lv, weight, stated)), None)
        elif _is_completion(indicator.actual) or (
            indicator.actual and indicator.target and normalize_text(indicator.actual) == normalize_text(indicator.target)
        ):
            level = next((lv for lv in profile.bands if profile.full_marks(lv)), None)
    if level is None:
        return IndicatorScore(**base, applicable=True, score=ZERO, basis="无法计分", field="level",
                              note=f"定性指标未选择定性等级：请在“定性等级”中选择 {'、'.join(profile.bands)}")
    if stated is not None and _band_contains(profile, level, weight, stated):
        return IndicatorScore(**base, applicable=True, score=stated, basis="填报得分", level=level)
    default = weight * profile.bands[level].default / HUNDRED
    note = None
    if stated is not None:
        band = profile.bands[level]
        note = (f"填报得分{stated}不在“{level}”的分数区间（分值的{band.low}%–{band.high}%）内，"
                f"已按{default.normalize()}分计")
    return IndicatorScore(**base, applicable=True, score=default, basis="按等级计分", level=level, note=note)


def execution_score(rate: Decimal | None, weight: Decimal) -> Decimal | None:
    """执行率 × 分值, a rate above 100 % counting as 100 %."""
    return None if rate is None else min(rate, HUNDRED) * weight / HUNDRED


def score_card(owner: str, initial_budget: Decimal | None, budget: Decimal | None, actual: Decimal | None,
               indicators: list[Indicator], profile: Profile,
               rows: list[tuple[str, Decimal | None, Decimal | None]] | None = None) -> Scorecard:
    """Execution rate and score, indicator scores, subtotals per 一级指标, total (rescaled for 不适用) and grade.

    The rate divides 决算 by the profile's budget column (全年预算数 or 年初预算数). `rows` (label, that budget,
    决算) score the execution row by row with the profile's 预算执行分项 weights instead of as one row."""
    base = initial_budget if profile.execution_base == "initial_budget" else budget
    rate = ratio_percent(actual, base)
    exec_weight = profile.execution_weight
    exec_rows: tuple[ExecutionScore, ...] = ()
    if rows is not None and profile.execution_rows:
        exec_rows = tuple(ExecutionScore(label, row_base, row_actual, row_rate, weight,
                                         execution_score(row_rate, weight))
                          for (label, row_base, row_actual), weight in
                          zip(rows, (r.weight for r in profile.execution_rows))
                          for row_rate in (ratio_percent(row_actual, row_base),))
        scores = [r.score for r in exec_rows]
        # Each row's score is a published figure: the execution score is the sum of what the rows show.
        exec_score = None if any(v is None for v in scores) else sum((round2(v) for v in scores), ZERO)
    else:
        exec_score = execution_score(rate, exec_weight)
    scores = [score_indicator(ind, i, profile) for i, ind in enumerate(indicators)]

    order: list[str] = []
    sums: dict[str, list[Decimal]] = {}
    for s in scores:
        if s.indicator.level1 not in sums:
            order.append(s.indicator.level1)
            sums[s.indicator.level1] = [ZERO, ZERO]
        if s.applicable:
            sums[s.indicator.level1][0] += s.weight or ZERO
            sums[s.indicator.level1][1] += round2(s.score or ZERO)
    if not profile.weights_given:       # no 分值: a 一级指标 weighs what the profile gives it
        levels = profile.level1_weights or {}
        for name in order:
            sums[name][0] = levels.get(name, ZERO)
    subtotals = [Subtotal(name, *sums[name]) for name in order]

    if profile.weights_given:
        applicable_weight = sum((s.weight for s in scores if s.applicable and s.weight is not None), ZERO)
        weighed = all(s.indicator.weight is not None for s in scores if s.applicable)
    else:
        applicable_weight = profile.indicator_total if scores else ZERO
        weighed = all(s.score is not None for s in scores if s.applicable)
    total = uncapped = grade = None
    # A profile that does not score the execution rate (weight 0) scores on the indicators alone, so the unknown
    # rate of a unit that reports only 决算 figures does not stop its score.
    execution_known = exec_score is not None or exec_weight == 0
    if applicable_weight > 0 and execution_known and weighed:
        # Each row's score is a published figure (rounded at display); the total is the sum of what the
        # table shows, so a reader adding up the 得分 column gets the 总分 printed under it.
        raw = (round2(exec_score) if exec_score is not None and exec_weight else ZERO) + sum(
            (round2(s.score or ZERO) for s in scores if s.applicable), ZERO)
        uncapped = raw / (applicable_weight + exec_weight) * profile.total
        total = uncapped
        for cap in profile.caps_by_rate:
            if rate is not None and rate < cap.below:
                total = min(total, cap.cap)
                break
        grade = profile.grade_of(total)
    return Scorecard(owner=owner, initial_budget=initial_budget, budget=budget, actual=actual,
                     execution_rate=rate, execution_weight=exec_weight, execution_score=exec_score,
                     indicators=scores, subtotals=subtotals, total=total, uncapped_total=uncapped,
                     grade=grade, applicable_weight=applicable_weight, execution_rows=exec_rows)


def project_card(project: Project, profile: Profile) -> Scorecard:
    funds = project.funds
    return score_card(project.name, funds.initial_budget.total, funds.budget.total, funds.actual.total,
                      project.indicators, profile)


# ---------------------------------------------------------------- statements

def _lines(rows, typed: dict[str, Amounts]) -> dict[str, Line]:
    """Each row's value per column: a total is the sum of its parts where any part is given, else as typed.

    An itemized total (基本支出 = 其中：人员经费 + 其中：公用经费) is the sum only when every part is given.
    """
    out: dict[str, Line] = {}

    def value(key: str, column: str) -> Decimal | None:
        row = ROWS_BY_KEY[key]
        if row.parts:
            parts = [value(p, column) for p in row.parts]
            given = all(p is not None for p in parts) if row.itemized else any(p is not None for p in parts)
            if given:
                return sum((p for p in parts if p is not None), ZERO)
        amounts = typed.get(key)
        return getattr(amounts, column) if amounts is not None else None

    for row in rows:
        amounts = typed.get(row.key) or Amounts()
        out[row.key] = Line(
            key=row.key, label=row.display, group=row.group,
            values={c: value(row.key, c) for c in AMOUNT_COLUMNS},
            stated={c: getattr(amounts, c) for c in AMOUNT_COLUMNS},
            is_total=bool(row.parts),
            stated_change=amounts.stated_change, stated_growth=amounts.stated_growth,
        )
    return out


def shares(items: list[tuple[str, Decimal | None]], total: Decimal | None) -> list[Share]:
    """Non-empty parts with their share of the total, in the given order."""
    return [Share(label, amount, ratio_percent(amount, total)) for label, amount in items if amount is not None]


def compute(report: Report, profile: Profile) -> Results:
    """All computed fields of a report."""
    finance = _lines(FINANCE_ROWS, report.finance)
    three_public = _lines(THREE_PUBLIC_ROWS, report.three_public)

    functional_total = {
        c: (sum(vals, ZERO) if (vals := [getattr(f.amounts, c) for f in report.functional
                                        if getattr(f.amounts, c) is not None]) else None)
        for c in AMOUNT_COLUMNS
    }
    income_total = finance["本年收入合计"].actual
    spend_total = finance["本年支出合计"].actual
    spend = finance["本年支出合计"]

    column = profile.execution_base
    rows = [(r.row, getattr(finance[r.row], column), finance[r.row].actual) for r in profile.execution_rows]
    department = score_card(DEPARTMENT, spend.initial_budget, spend.budget, spend.actual, report.indicators, profile,
                            rows)
    projects = [ProjectResult(p, i, project_card(p, profile)) for i, p in enumerate(report.projects)]

    staffing = report.unit.staffing
    buildings = report.buildings
    available = finance["收入总计"].actual
    balance = None if available is None or spend_total is None else available - spend_total
    evaluated = [p for p in projects if p.project.evaluated]
    project_totals = {
        c: (sum(vals, ZERO) if (vals := [getattr(p.card, c) for p in evaluated if getattr(p.card, c) is not None])
            else None)
        for c in ("initial_budget", "budget", "actual")
    }
    return Results(
        report=report,
        profile=profile,
        finance=finance,
        three_public=three_public,
        functional_total=functional_total,
        income_shares=shares([(k, finance[k].actual) for k in INCOME_SOURCES], income_total),
        expenditure_shares=shares([(k, finance[k].actual) for k in EXPENDITURE_PARTS], spend_total),
        functional_shares=shares([(f.name, f.amounts.actual) for f in report.functional],
                                 functional_total["actual"]),
        three_public_shares=shares([(r.key, three_public[r.key].actual) for r in THREE_PUBLIC_ROWS[:-1]],
                                   three_public["三公经费合计"].actual),
        department=department,
        projects=projects,
        staff_control_rate=ratio_percent(
            Decimal(staffing.in_post) if staffing.in_post is not None else None,
            Decimal(staffing.establishment) if staffing.establishment is not None else None),
        size_control_rate=ratio_percent(buildings.actual_size, buildings.approved_size) if buildings else None,
        investment_control_rate=(ratio_percent(buildings.actual_investment, buildings.budget_investment)
                                 if buildings else None),
        balance=balance,
        balance_rate=ratio_percent(balance, spend_total),
        project_totals=project_totals,
    )


__all__ = ["HELD", "compute", "score_card", "score_indicator", "quantitative_score", "Results",
           "Scorecard", "IndicatorScore", "ExecutionScore", "execution_score", "Line", "Share", "ProjectResult", "ratio_percent", "infer_direction"]
