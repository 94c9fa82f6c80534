"""What templates receive: the computed results as typed values (Decimal, dates, grouped indicator rows) and facts
about what the input supports, handed over as plain read-only views (see views.py), never the model objects; no
sentence and no formatted figure is made here — the pack's templates speak."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from collections.abc import Collection, Iterable
from typing import Any

from ..catalog import INCOME_SOURCES
from ..compute import HELD, IndicatorScore, Line, ProjectResult, Results, Scorecard, ratio_percent
from ..model import DEPARTMENT, PROJECT_TEXTS, Indicator, Project
from ..pack import CHART_DATA, CHART_KINDS, DEFAULT_CHART_COLORS, DEFAULT_CHART_FONT, ChartText, Pack
from .views import EXTRA, template_context

EXTRA[Line] = lambda line: line.values       # a statement row answers line.actual, line.last_year … by column


@dataclass(frozen=True)
class ChartSpec:
    """The data of one chart; amounts in 万元 or rates in %, labels in Chinese."""

    key: str                      # file stem under the charts folder
    kind: str                     # "pie" | "bar" | "pair"
    title: str
    labels: list[str]
    values: list[Decimal]
    last_values: list[Decimal | None] = field(default_factory=list)  # "pair": last year's values
    shares: list[Decimal | None] = field(default_factory=list)       # "pie": computed shares in %
    unit: str = "万元"
    colors: tuple[str, ...] = ()  # "#rrggbb" from pack.yaml: pie slices in turn; bar, 100% line; last, this year
    font: str = "宋体"            # East Asian font family of the labels (pack.yaml 图表字体)


@dataclass(frozen=True)
class IndicatorRow:
    """One row of a score table: the indicator, its 一级指标 subtotal and its score (None when not applicable)."""

    level1: str
    level1_weight: Decimal | None
    level1_score: Decimal | None
    level2: str
    indicator: Indicator
    result: IndicatorScore

    @property
    def name(self) -> str:
        return self.indicator.name

    @property
    def target(self) -> str | None:
        return self.indicator.target

    @property
    def actual(self) -> str | None:
        return self.indicator.actual

    @property
    def deviation(self) -> str | None:
        return self.indicator.deviation

    @property
    def weight(self) -> Decimal | None:
        """分值; None where the profile's indicators carry none (指标分值: 不填)."""
        return self.result.weight

    @property
    def applicable(self) -> bool:
        return self.result.applicable

    @property
    def score(self) -> Decimal | None:
        return self.result.score if self.result.applicable else None


@dataclass(frozen=True)
class Evaluated:
    """A scorecard (a project's or the department's) with its table rows and what the unit stated itself."""

    card: Scorecard
    rows: list[IndicatorRow]
    stated_total: Decimal | None
    stated_grade: str | None

    @property
    def all_met(self) -> list[IndicatorRow]:
        """Applicable indicators that earned their full weight."""
        return [r for r in self.rows if r.result.met]

    @property
    def not_met(self) -> list[IndicatorRow]:
        return [r for r in self.rows if r.applicable and not r.result.met]

    @property
    def applicable_rows(self) -> list[IndicatorRow]:
        return [r for r in self.rows if r.applicable]


@dataclass(frozen=True)
class ProjectItem(Evaluated):
    """One evaluated project: its number in the package (1, 2, …), the model and its scorecard."""

    number: int = 0
    project: Project | None = None


@dataclass(frozen=True)
class Facts:
    """What the input supports saying; templates state a count or a total only where a fact allows it."""

    projects_complete: bool
    project_count: int | None              # None when the project list is not marked complete
    listed_count: int
    evaluated_count: int
    has_department_table: bool
    has_basic_data: bool
    last_year_known: bool
    grade_counts: list[tuple[str, int]]
    has_indicators: bool = False            # the department or an evaluated project has performance indicators
    finance_given: bool = False             # any figure of the 收支 statement is given
    three_public_given: bool = False        # any figure of the “三公” table is given


def indicator_rows(card: Scorecard) -> list[IndicatorRow]:
    subtotals = {s.level1: s for s in card.subtotals}
    rows = []
    for result in card.indicators:
        ind = result.indicator
        sub = subtotals.get(ind.level1)
        rows.append(IndicatorRow(ind.level1, sub.weight if sub else None, sub.score if sub else None,
                                 ind.level2 or "", ind, result))
    return rows


def evaluated(card: Scorecard, stated_total: Decimal | None, stated_grade: str | None) -> Evaluated:
    # A held-back card (card.held: its figures were reported as wrong) states no score at all, not even the unit's.
    if card.held:
        stated_total = stated_grade = None
    return Evaluated(card, indicator_rows(card), stated_total, stated_grade)


def project_item(pr: ProjectResult, number: int) -> ProjectItem:
    p = pr.project
    held = pr.card.held
    return ProjectItem(pr.card, indicator_rows(pr.card), None if held else p.stated_total,
                       None if held else p.stated_grade, number=number, project=p)


def has_basic_data(results: Results) -> bool:
    """The 基础数据表 is attached when staffing or any money figure is given."""
    staffing = results.report.unit.staffing
    return (staffing.establishment is not None or staffing.in_post is not None
            or any(any(v is not None for v in ln.values.values()) for ln in results.finance.values())
            or results.report.buildings is not None)


def has_department_table(results: Results) -> bool:
    unit = results.report.unit
    return bool(results.report.indicators or unit.goal or unit.achieved)


def total(values: list[Decimal | None]) -> Decimal | None:
    """The sum when every part is known; None (shown as —) when any part is unknown: never an unknown as zero."""
    if not values or any(v is None for v in values):
        return None
    return sum(values, Decimal(0))


def chart_specs(results: Results, charts: dict[str, ChartText], titles: dict[str, str],
                font: str = DEFAULT_CHART_FONT) -> list[ChartSpec]:
    """The charts the pack declares (pack.yaml 图表: kind, colours) whose data is given: last and this year's totals,
    income and expenditure structure, the projects' execution rates."""
    fin = results.finance
    data: dict[str, dict[str, Any]] = {}
    pair_keys = [k for k in ("收入总计", "支出总计", "本年收入合计", "本年支出合计")
                 if fin[k].actual is not None and fin[k].last_year is not None]
    if pair_keys:
        data["收支变动"] = {"labels": pair_keys, "values": [fin[k].actual for k in pair_keys],
                        "last_values": [fin[k].last_year for k in pair_keys]}
    for key, shares in (("收入结构", results.income_shares), ("支出结构", results.expenditure_shares)):
        given = [s for s in shares if s.amount > 0]
        if given:
            data[key] = {"labels": [s.label for s in given], "values": [s.amount for s in given],
                         "shares": [s.share for s in given]}
    rated = [p for p in results.evaluated_projects if p.card.execution_rate is not None]
    if rated:
        data["项目执行率"] = {"labels": [p.project.name for p in rated],
                          "values": [p.card.execution_rate for p in rated], "unit": "%"}
    specs = []
    for key, chart in charts.items():
        if key in data:
            kind = CHART_KINDS[chart.kind or CHART_DATA[key][0]]
            figures = data[key] if kind != "bar" else {k: v for k, v in data[key].items() if k != "last_values"}
            specs.append(ChartSpec(key, kind, titles.get(key, ""), **figures,
                                   colors=tuple(chart.colors or DEFAULT_CHART_COLORS), font=font))
    return specs


def _given(lines) -> bool:
    return any(v is not None for line in lines for v in line.values.values())


def _parts(results: Results, items: list[ProjectItem], department: Evaluated) -> dict[int, tuple[str, frozenset[str]]]:
    """The objects through which a template reaches one project (by its index) or the department, by id: their views
    note what a document reads of them (views.Tracked; generate.py makes a document again only when that changed)."""
    parts: dict[int, tuple[str, frozenset[str]]] = {}
    for pr in results.projects:
        parts[id(pr.project)] = (str(pr.index), PROJECT_TEXTS)
        parts[id(pr)] = (str(pr.index), frozenset())
    for item, pr in zip(items, results.evaluated_projects):
        parts[id(item)] = (str(pr.index), frozenset())
    for whole in (results.department, department, *results.report.indicators):
        parts[id(whole)] = (DEPARTMENT, frozenset())
    return parts


def package_context(results: Results, pack: Pack | None = None, skip: Iterable[str] = (),
                    names: Collection[str] | None = None) -> dict[str, Any]:
    """The variables every template of a package sees (see the packs' README for the list), as plain views made
    once for the package: an object reached from two places (an indicator in the report and in a row) is one view.
    `attachments` are the tables the pack attaches for this data (their 条件) that the unit did not turn off.
    With `names`, only those variables are made (the checks need what the pack's 条件 name, Pack.condition_names)."""
    report = results.report
    unit = report.unit
    listed = results.projects
    items = [project_item(pr, n) for n, pr in enumerate(results.evaluated_projects, 1)]
    grades: dict[str, int] = {}
    for item in items:
        # A held-back project is counted as such, so the counts add up to the projects evaluated.
        grade = HELD if item.card.held else item.card.grade
        if grade:
            grades[grade] = grades.get(grade, 0) + 1
    fin = results.finance
    named = ("一般公共预算财政拨款收入", "政府性基金预算财政拨款收入", "财政专户管理资金收入")
    others = [fin[k].actual for k in INCOME_SOURCES if k not in named and fin[k].actual is not None]
    facts = Facts(
        projects_complete=unit.projects_complete,
        project_count=len(listed) if unit.projects_complete else None,
        listed_count=len(listed),
        evaluated_count=len(items),
        has_department_table=has_department_table(results),
        has_basic_data=has_basic_data(results),
        last_year_known=fin["本年支出合计"].last_year is not None or fin["本年收入合计"].last_year is not None,
        grade_counts=sorted(grades.items(), key=lambda g: g[0] == HELD),   # held back last
        has_indicators=bool(report.indicators) or any(item.project.indicators for item in items),
        finance_given=_given(fin.values()),
        three_public_given=_given(results.three_public.values()),
    )
    totals = results.project_totals
    department = evaluated(results.department, unit.stated_total, unit.stated_grade)
    variables = {
        "unit": unit,
        "year": unit.year,
        "last_year": unit.year - 1 if unit.year is not None else None,
        "report": report,
        "results": results,
        "profile": results.profile,
        "finance": fin,
        "three_public": results.three_public,
        "functional": report.functional,
        "buildings": report.buildings,
        "department": department,
        "projects": items,
        "listed_projects": listed,
        "project_totals": {**totals, "rate": ratio_percent(totals.get("actual"), totals.get("budget"))},
        "other_income": sum(others, Decimal(0)) if others else None,
        "facts": facts,
        "attachments": [],
        "fallback": {},           # per document: what an empty section prints (the pack's 内容 空时)
        "total": total,
        "ratio": ratio_percent,
    }
    if names is not None:
        variables = {name: value for name, value in variables.items() if name in names}
    context = template_context(variables, _parts(results, items, department))
    if pack is not None:
        context["attachments"] = [a.template for a in pack.attached(skip, context)]
    return context
