"""Figures the preparer typed (rates, scores, totals, grades) against the ones computed from the input, at the precision typed.

Each stated figure is compared with the value computed from its inputs *as presented*: a stated 预算执行得分 is
checked against the stated 执行率 where one is typed, a stated 总分 against the stated 预算执行得分 and the
stated indicator scores. A wrong rate then yields one finding, not one for the rate, the score, the total and the grade.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from ..compute import HUNDRED, ZERO, Scorecard, ratio_percent
from ..filters import percent
from ..model import DEPARTMENT, Direction
from ..numbers import round2
from ..problems import Severity
from .engine import Context, Hit, Rule, add_rule, same_as_typed, shown, shown_computed, typed_decimals

GRADE_WORDS = {"优秀": "优", "良好": "良", "中等": "中", "合格": "中", "一般": "中", "较差": "差", "不合格": "差"}


@dataclass(frozen=True)
class Stated:
    """One typed figure and the figure it should equal."""

    code: str
    path: str
    what: str
    stated: Decimal | str
    computed: Decimal | str
    unit: str
    basis: str
    also: tuple[Decimal | str, ...] = ()
    """Values that follow from figures the preparer typed upstream; agreeing with one of them is no mistake here."""
    within: tuple[Decimal, Decimal] | None = None
    """The range `computed` may have, worked out from typed figures at their precision: a value in it agrees."""


def _show(value: Decimal | str, unit: str, typed: bool = False) -> str:
    if isinstance(value, str):
        return value
    if typed:
        return f"{shown(value)}{unit}"
    if unit == "%":
        return percent(value)
    return f"{shown_computed(value)}{unit}"


def _agrees(item: Stated) -> bool:
    for value in (item.computed, *item.also):
        if isinstance(item.stated, str):
            text = item.stated.strip()
            if GRADE_WORDS.get(text, text) == value:
                return True
        elif same_as_typed(item.stated, value):
            return True
    if item.within is not None and not isinstance(item.stated, str):
        return within_typed(item.stated, *item.within)
    return False


def within_typed(typed: Decimal, low: Decimal, high: Decimal) -> bool:
    """The typed figure, read at its own precision, may be a value between low and high."""
    half = Decimal(1).scaleb(-typed_decimals(typed)) / 2
    return min(low, high) - half <= typed <= max(low, high) + half


def growth_from_change(change: Decimal, actual: Decimal) -> tuple[Decimal, Decimal, Decimal] | None:
    """The growth rate (%) a change implies with this year's figure when last year's is not given (last year =
    this year − change), and its range over the precision both were typed with; None when last year would be 0
    or less."""
    def rate(c: Decimal, a: Decimal) -> Decimal | None:
        last = a - c
        return c / last * HUNDRED if last > 0 else None
    central = rate(change, actual)
    if central is None:
        return None
    h_change = Decimal(1).scaleb(-typed_decimals(change)) / 2
    h_actual = Decimal(1).scaleb(-typed_decimals(actual)) / 2
    corners = [r for dc in (-h_change, h_change) for da in (-h_actual, h_actual)
               if (r := rate(change + dc, actual + da)) is not None]
    return central, min(corners, default=central), max(corners, default=central)


# ---------------------------------------------------------------- scorecards as presented

def presented_indicator_score(s) -> Decimal:
    """An indicator's score as the preparer presents it: the typed score where one is typed within [0, weight]."""
    stated = s.indicator.stated_score
    if stated is not None and ZERO <= stated and (s.weight is None or stated <= s.weight):
        return stated
    return s.score or ZERO


def presented_total(ctx: Context, card: Scorecard, rate: Decimal | None, execution_score: Decimal) -> Decimal | None:
    """The total from the presented execution score and indicator scores, rescaled and capped as compute does."""
    profile = ctx.profile
    if card.applicable_weight <= 0:
        return None
    # As compute does: the total is the sum of the rounded scores a table shows.
    raw = round2(execution_score) + sum((round2(presented_indicator_score(s)) for s in card.indicators if s.applicable),
                                        ZERO)
    total = raw / (card.applicable_weight + card.execution_weight) * profile.total
    if rate is not None:
        for cap in profile.caps_by_rate:
            if rate < cap.below:
                total = min(total, cap.cap)
                break
    return total


def card_figures(ctx: Context, card: Scorecard, owner: str, prefix: str, names: dict[str, str],
                 stated: dict[str, Decimal | str | None], budget_words: tuple[str, str]) -> Iterator[Stated]:
    """Stated execution rate, execution score, total and grade of one scorecard (a project or the department).

    Each is shown against the value computed from the input; it also agrees when it follows from the figures
    the preparer typed before it (a total worked out from a mistyped rate is not a second mistake).
    """
    rate = card.execution_rate
    if rate is None or card.execution_score is None:
        return
    profile = ctx.profile
    actual_word, budget_word = budget_words
    # The rate divides by the profile's budget column: 全年预算数, or 年初预算数 where the profile says so.
    budget = card.budget
    if ctx.profile.execution_base == "initial_budget":
        budget, budget_word = card.initial_budget, budget_word.replace("全年预算数", "年初预算数")
    typed_rate, typed_score, typed_total, typed_grade = (stated[k] for k in ("rate", "score", "total", "grade"))
    if typed_rate is not None:
        yield Stated("stated-execution-rate", f"{prefix}.{names['rate']}", f"{owner}的执行率", typed_rate, rate, "%",
                     f"{actual_word}{shown_computed(card.actual)}万元 ÷ {budget_word}{shown_computed(budget)}万元")
    shown_rate = typed_rate if typed_rate is not None else rate
    if card.execution_rows:     # scored row by row: the typed rate is of the whole, not of the rows
        chained_score = card.execution_score
        how = " + ".join(f"{r.label}执行率{percent(r.rate)} × 分值{shown_computed(r.weight)}分" for r in card.execution_rows)
    else:
        chained_score = min(shown_rate, HUNDRED) * card.execution_weight / HUNDRED
        how = f"执行率{percent(rate)} × 分值{shown_computed(card.execution_weight)}分"
    if typed_score is not None:
        yield Stated("stated-execution-score", f"{prefix}.{names['score']}", f"{owner}的预算执行得分", typed_score,
                     card.execution_score, "分", f"{how}（执行率超过100%按100%计）", (chained_score,))
    if card.total is None:
        return
    shown_score = typed_score if typed_score is not None else chained_score
    chained_total = presented_total(ctx, card, shown_rate, shown_score)
    if typed_total is not None:
        indicators = sum((s.score or ZERO for s in card.indicators if s.applicable), ZERO)
        scale = "" if card.applicable_weight + card.execution_weight == profile.total else \
            f"，按适用分值{shown_computed(card.applicable_weight + card.execution_weight)}分折算为{shown_computed(profile.total)}分制"
        cap = "" if card.total == card.uncapped_total else f"，执行率低于规定比例，总分封顶{shown_computed(card.total)}分"
        yield Stated("stated-total", f"{prefix}.{names['total']}", f"{owner}的总分", typed_total, card.total, "分",
                     f"预算执行得分{shown_computed(card.execution_score)}分 + 各绩效指标得分{shown_computed(indicators)}分"
                     f"{scale}{cap}", (chained_total,) if chained_total is not None else ())
    if typed_grade is not None:
        shown_total = typed_total if typed_total is not None else chained_total
        yield Stated("stated-grade", f"{prefix}.{names['grade']}", f"{owner}的等级", typed_grade, card.grade or "", "",
                     f"总分{shown_computed(card.total)}分和评分规则“{profile.name}”的等级划分",
                     (profile.grade_of(shown_total),) if shown_total is not None else ())


def stated_figures(ctx: Context) -> Iterator[Stated]:
    """Every stated figure of the report with its computed counterpart, in input order."""
    project_names = {"rate": "stated_execution_rate", "score": "stated_execution_score",
                     "total": "stated_total", "grade": "stated_grade"}
    for pr in ctx.results.projects:
        p = pr.project
        if ctx.suspect(f"projects.{pr.index}.funds.budget.") or \
                ctx.suspect(f"projects.{pr.index}.funds.actual."):
            continue
        yield from card_figures(ctx, pr.card, f"项目“{p.name}”", f"projects.{pr.index}", project_names,
                                {"rate": p.stated_execution_rate, "score": p.stated_execution_score,
                                 "total": p.stated_total if p.evaluated else None,
                                 "grade": p.stated_grade if p.evaluated else None},
                                ("全年执行数", "全年预算数"))
    unit = ctx.report.unit
    if not (ctx.suspect("finance.本年支出合计.budget") or ctx.suspect("finance.本年支出合计.actual")):
        yield from card_figures(ctx, ctx.results.department, DEPARTMENT, "unit",
                                {"rate": "stated_execution_rate", "score": "stated_execution_score",
                                 "total": "stated_total", "grade": "stated_grade"},
                                {"rate": unit.stated_execution_rate, "score": unit.stated_execution_score,
                                 "total": unit.stated_total, "grade": unit.stated_grade},
                                ("本年支出合计决算数", "本年支出合计全年预算数"))
    yield from _statement_changes(ctx)
    if unit.stated_balance_rate is not None and ctx.results.balance_rate is not None:
        available = ctx.results.finance["收入总计"].actual
        spend = ctx.results.finance["本年支出合计"].actual
        yield Stated("stated-balance-rate", "unit.stated_balance_rate", "结转结余率", unit.stated_balance_rate,
                     ctx.results.balance_rate, "%",
                     f"（收入总计{shown_computed(available)}万元 − 本年支出合计{shown_computed(spend)}万元）"
                     f" ÷ 本年支出合计{shown_computed(spend)}万元")
    staffing = unit.staffing
    if staffing.stated_control_rate is not None and ctx.results.staff_control_rate is not None:
        yield Stated("stated-control-rate", "unit.staffing.stated_control_rate", "在职人员控制率",
                     staffing.stated_control_rate, ctx.results.staff_control_rate, "%",
                     f"实有在职人数{staffing.in_post}人 ÷ 编制数{staffing.establishment}人")
    b = ctx.report.buildings
    if b is not None:
        if b.stated_size_rate is not None and ctx.results.size_control_rate is not None:
            yield Stated("stated-size-rate", "buildings.stated_size_rate", "楼堂馆所规模控制率", b.stated_size_rate,
                         ctx.results.size_control_rate, "%",
                         f"实际规模{shown(b.actual_size)}平方米 ÷ 批复规模{shown(b.approved_size)}平方米")
        if b.stated_investment_rate is not None and ctx.results.investment_control_rate is not None:
            yield Stated("stated-investment-rate", "buildings.stated_investment_rate", "楼堂馆所投资概算控制率",
                         b.stated_investment_rate, ctx.results.investment_control_rate, "%",
                         f"实际投资{shown(b.actual_investment)}万元 ÷ 预算投资{shown(b.budget_investment)}万元")


STATEMENT_NAMES = {"finance": "收支情况", "three_public": "三公经费"}


def _statement_changes(ctx: Context) -> Iterator[Stated]:
    """The stated 增减额 and 增长率 of each statement row, against 决算数 − 上年决算数 as presented (typed where
    typed); a change worked out from the computed totals is no mistake either."""
    for table, name in STATEMENT_NAMES.items():
        for key, typed in getattr(ctx.report, table).items():
            if typed.stated_change is None and typed.stated_growth is None:
                continue
            line = ctx.line(table, key)
            actual, last = ctx.presented(table, key, "actual"), ctx.presented(table, key, "last_year")
            if actual is None:
                continue
            if last is None:
                yield from _changes_without_last_year(name, table, key, typed.stated_change, typed.stated_growth,
                                                      actual)
                continue
            also = [line.change] if line.change is not None else []
            basis = f"决算数{shown_computed(actual)}万元 − 上年决算数{shown_computed(last)}万元"
            if typed.stated_change is not None:
                yield Stated("stated-change", f"{table}.{key}.stated_change", f"{name}“{key}”的增减额",
                             typed.stated_change, actual - last, "万元", basis, tuple(also))
            rate = ratio_percent(actual - last, last)
            if typed.stated_growth is not None and rate is not None:
                computed_rate = line.change_rate
                yield Stated("stated-growth", f"{table}.{key}.stated_growth", f"{name}“{key}”的增长率",
                             typed.stated_growth, rate, "%", f"（{basis}）÷ 上年决算数{shown_computed(last)}万元",
                             (computed_rate,) if computed_rate is not None else ())


def _changes_without_last_year(name: str, table: str, key: str, change: Decimal | None, growth: Decimal | None,
                               actual: Decimal) -> Iterator[Stated]:
    """Without last year's figure, a stated 增减额 and 增长率 still agree with each other through this year's
    figure: 增长率 = 增减额 ÷ (决算数 − 增减额)."""
    if change is None or growth is None:
        return
    implied = growth_from_change(change, actual)
    if implied is None:
        return      # a change as large as this year's figure: last year's figure would be 0 or less, no rate
    central, low, high = implied
    yield Stated("stated-growth", f"{table}.{key}.stated_growth", f"{name}“{key}”的增长率", growth, central, "%",
                 f"填报的增减额{shown(change)}万元 ÷ 由此推算的上年决算数{shown_computed(actual - change)}万元"
                 f"（决算数{shown_computed(actual)}万元减去增减额；上年决算数未填）", within=(low, high))


def _stated_by_code(ctx: Context) -> dict[str, list[Stated]]:
    """Every stated figure grouped by its rule, worked out once per check run though ten rules read it."""
    cache = ctx.__dict__.get("_stated")
    if cache is None:
        cache = ctx.__dict__["_stated"] = {}
        for item in stated_figures(ctx):
            cache.setdefault(item.code, []).append(item)
    return cache


def _stated_hits(code: str):
    def test(ctx: Context):
        for item in _stated_by_code(ctx).get(code, ()):
            if not _agrees(item):
                yield Hit(item.path, {"what": item.what, "stated": _show(item.stated, item.unit, typed=True),
                                      "computed": _show(item.computed, item.unit), "basis": item.basis})
    return test


STATED_RULES = (
    ("stated-execution-rate", "填报的执行率（项目或部门整体）与 全年执行数÷全年预算数 不符"),
    ("stated-execution-score", "填报的预算执行得分与 执行率×分值 不符"),
    ("stated-total", "填报的总分与预算执行得分和各指标得分算出的总分不符"),
    ("stated-grade", "填报的等级与总分对应的等级不符"),
    ("stated-control-rate", "填报的在职人员控制率与 实有在职人数÷编制数 不符"),
    ("stated-size-rate", "填报的楼堂馆所规模控制率与 实际规模÷批复规模 不符"),
    ("stated-investment-rate", "填报的楼堂馆所投资概算控制率与 实际投资÷预算投资 不符"),
    ("stated-change", "收支情况、三公经费某行填报的增减额与 决算数−上年决算数 不符"),
    ("stated-growth", "收支情况、三公经费某行填报的增长率与 (决算数−上年决算数)÷上年决算数 不符；未填上年决算数时，"
                      "与填报的增减额按 增减额÷(决算数−增减额) 推算的不符"),
    ("stated-balance-rate", "填报的结转结余率与 (收入总计−本年支出合计)÷本年支出合计 不符"),
)
for _code, _summary in STATED_RULES:
    add_rule(Rule(_code, Severity.ERROR, _summary,
                  "{what}填报为{stated}，按{basis}计算应为{computed}：请改为{computed}，或核对计算它的数字",
                  _stated_hits(_code)))


def _indicator_cards(ctx: Context):
    for pr in ctx.results.projects:
        if pr.project.evaluated:
            yield pr.card, f"项目“{pr.project.name}”", f"projects.{pr.index}.indicators"
    yield ctx.results.department, DEPARTMENT, "indicators"


def indicator_score_differs(ctx: Context):
    for card, owner, prefix in _indicator_cards(ctx):
        for s in card.indicators:
            stated = s.indicator.stated_score
            if (not s.applicable or s.basis != "按比例计分" or stated is None or s.score is None
                    or not ZERO <= stated <= s.weight or same_as_typed(stated, s.score)):
                continue
            yield Hit(f"{prefix}.{s.index}.stated_score", {
                "owner": owner, "name": s.indicator.name, "stated": shown(stated),
                "target": s.indicator.target or "", "actual": s.indicator.actual or shown(s.actual_value),
                "computed": shown_computed(s.score),
                "rule": "实际值÷指标值" if s.direction is not Direction.AT_MOST else "指标值÷实际值"})


add_rule(Rule(
    "indicator-score-differs", Severity.WARNING,
    "定量指标填报的得分与按年度指标值和实际完成值计算的得分不符（两者都列出）",
    "{owner}指标“{name}”填报得分{stated}分，按年度指标值“{target}”和实际完成值“{actual}”计算为{computed}分"
    "（未达标时按分值×{rule}）：总分按计算得分{computed}分计；请改为{computed}分，或核对指标值和实际完成值",
    indicator_score_differs))

__all__ = ["stated_figures", "presented_total", "presented_indicator_score"]
