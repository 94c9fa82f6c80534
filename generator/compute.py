"""Every computed figure of a package, as pure functions of the model and a scoring profile (no I/O)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .catalog import EXPENDITURE_PARTS, FINANCE_ROWS, INCOME_SOURCES, ROWS_BY_KEY, THREE_PUBLIC_ROWS
from .model import AMOUNT_COLUMNS, DEPARTMENT, Amounts, Direction, Indicator, Level, Project, Report
from .numbers import normalize_text, parse_target, round2
from .profile import Profile

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
    weight: Decimal
    score: Decimal | None
    basis: str
    target_value: Decimal | None = None
    actual_value: Decimal | None = None
    level: Level | None = None
    note: str | None = None


@dataclass(frozen=True)
class Subtotal:
    """Weight and score of one 一级指标, shown as e.g. 产出指标（50分）."""

    level1: str
    weight: Decimal
    score: Decimal


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


def _band_contains(profile: Profile, level: Level, weight: Decimal, score: Decimal) -> bool:
    band = profile.bands[level]
    low, high = weight * band.low / HUNDRED, weight * band.high / HUNDRED
    return low <= score <= high if band.high >= HUNDRED else low <= score < high


def score_indicator(indicator: Indicator, index: int, profile: Profile) -> IndicatorScore:
    """Score one indicator by the rules of the profile (domain.md, 评分规则)."""
    direction = infer_direction(indicator)
    weight = indicator.weight
    if weight is None:   # 分值 left empty or unreadable (reported by the reader): nothing to score against
        return IndicatorScore(indicator=indicator, index=index, direction=direction, weight=ZERO,
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


def _score_qualitative(indicator: Indicator, base: dict, profile: Profile) -> IndicatorScore:
    weight = indicator.weight
    level = indicator.level
    stated = indicator.stated_score
    if level is None:
        if stated is not None:
            level = next((lv for lv in Level if _band_contains(profile, lv, weight, stated)), None)
        elif _is_completion(indicator.actual) or (
            indicator.actual and indicator.target and normalize_text(indicator.actual) == normalize_text(indicator.target)
        ):
            level = Level.ACHIEVED
    if level is None:
        return IndicatorScore(**base, applicable=True, score=ZERO, basis="无法计分",
                              note="定性指标未选择定性等级：请在“定性等级”中选择 达成年度指标、部分达成并具有一定效果 或 未达成且效果较差")
    if stated is not None and _band_contains(profile, level, weight, stated):
        return IndicatorScore(**base, applicable=True, score=stated, basis="填报得分", level=level)
    default = weight * profile.bands[level].default / HUNDRED
    note = None
    if stated is not None:
        band = profile.bands[level]
        note = (f"填报得分{stated}不在“{level.value}”的分数区间（分值的{band.low}%–{band.high}%）内，"
                f"已按{default.normalize()}分计")
    return IndicatorScore(**base, applicable=True, score=default, basis="按等级计分", level=level, note=note)


def score_card(owner: str, initial_budget: Decimal | None, budget: Decimal | None, actual: Decimal | None,
               indicators: list[Indicator], profile: Profile) -> Scorecard:
    """Execution rate and score, indicator scores, subtotals per 一级指标, total (rescaled for 不适用) and grade."""
    rate = ratio_percent(actual, budget)
    exec_weight = profile.execution_weight
    exec_score = None if rate is None else min(rate, HUNDRED) * exec_weight / HUNDRED
    scores = [score_indicator(ind, i, profile) for i, ind in enumerate(indicators)]

    order: list[str] = []
    sums: dict[str, list[Decimal]] = {}
    for s in scores:
        if s.indicator.level1 not in sums:
            order.append(s.indicator.level1)
            sums[s.indicator.level1] = [ZERO, ZERO]
        if s.applicable:
            sums[s.indicator.level1][0] += s.weight
            sums[s.indicator.level1][1] += round2(s.score or ZERO)
    subtotals = [Subtotal(name, *sums[name]) for name in order]

    applicable_weight = sum((s.weight for s in scores if s.applicable), ZERO)
    total = uncapped = grade = None
    # A profile that does not score the execution rate (weight 0) scores on the indicators alone, so the unknown
    # rate of a unit that reports only 决算 figures does not stop its score.
    execution_known = exec_score is not None or exec_weight == 0
    weighed = all(s.indicator.weight is not None for s in scores if s.applicable)
    if applicable_weight > 0 and execution_known and weighed:
        # Each row's score is a published figure (rounded at display); the total is the sum of what the
        # table shows, so a reader adding up the 得分 column gets the 总分 printed under it.
        raw = (round2(exec_score) if exec_score is not None and exec_weight else ZERO) + sum(
            (round2(s.score or ZERO) for s in scores if s.applicable), ZERO)
        uncapped = raw / (applicable_weight + exec_weight) * profile.total
        total = uncapped
        for cap in profile.caps:
            if rate is not None and rate < cap.below:
                total = min(total, cap.cap)
                break
        grade = profile.grade_of(total)
    return Scorecard(owner=owner, initial_budget=initial_budget, budget=budget, actual=actual,
                     execution_rate=rate, execution_weight=exec_weight, execution_score=exec_score,
                     indicators=scores, subtotals=subtotals, total=total, uncapped_total=uncapped,
                     grade=grade, applicable_weight=applicable_weight)


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

    department = score_card(DEPARTMENT, spend.initial_budget, spend.budget, spend.actual, report.indicators, profile)
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


__all__ = ["compute", "score_card", "score_indicator", "quantitative_score", "Results",
           "Scorecard", "IndicatorScore", "Line", "Share", "ProjectResult", "ratio_percent", "infer_direction"]
