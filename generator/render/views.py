"""Document views: every text, table cell and chart of a package as formatted strings, built from Results (pure).

A view knows nothing about docx or Markdown: render/docx.py and render/markdown.py lay the same view out,
so a figure printed in a Word table, in a narrative sentence and in the .md is the same string.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..catalog import THREE_PUBLIC_PARTS
from ..compute import ProjectResult, Results, Scorecard, ratio_percent
from ..filters import amount, change_words, cn_date, file_name, money, percent, score, weight
from ..model import Funds, Project

DASH = "—"
FUND_SOURCES = (("current", "当年财政拨款"), ("carryover", "上年结转资金"), ("other", "其他资金"))


# ---------------------------------------------------------------- building blocks

@dataclass(frozen=True)
class ChartSpec:
    """The data of one chart; amounts in 万元 or rates in %, labels in Chinese."""

    key: str                      # file stem under 图表/
    kind: str                     # "pie" | "bar" | "pair"
    title: str
    labels: list[str]
    values: list[Decimal]
    last_values: list[Decimal | None] = field(default_factory=list)  # "pair": last year's values
    shares: list[Decimal | None] = field(default_factory=list)       # "pie": computed shares in %
    unit: str = "万元"


@dataclass(frozen=True)
class Figure:
    """A chart placed in a report, with its caption (图1：…)."""

    key: str
    caption: str


@dataclass(frozen=True)
class SimpleTable:
    """A plain grid with one header row (e.g. the project overview); widths in mm."""

    title: str
    header: list[str]
    rows: list[list[str]]
    widths: list[float]
    align: list[str]              # per column: "left" | "center" | "right"


@dataclass
class Section:
    """A numbered sub-section （一）… of a report chapter."""

    title: str
    paragraphs: list[str]
    figures: list[Figure] = field(default_factory=list)
    table: SimpleTable | None = None


@dataclass(frozen=True)
class FundsRow:
    label: str
    initial: str
    budget: str
    actual: str
    weight: str = DASH
    rate: str = DASH
    score: str = DASH


@dataclass(frozen=True)
class IndicatorRow:
    name: str
    target: str
    actual: str
    weight: str
    score: str
    deviation: str


@dataclass(frozen=True)
class Level2Group:
    name: str
    rows: list[IndicatorRow]


@dataclass(frozen=True)
class Level1Group:
    label: str                    # 产出指标（50分）
    groups: list[Level2Group]

    @property
    def size(self) -> int:
        return sum(len(g.rows) for g in self.groups)


@dataclass(frozen=True)
class ScoreTable:
    """项目支出绩效自评表 or 部门整体支出绩效自评表, every cell formatted."""

    kind: str                     # "project" | "department"
    title: str
    name_label: str               # 项目名称 | 预算部门
    name: str
    superior: str
    office: str
    funds_label: str              # 项目资金（万元） | 年度预算申请（万元）
    funds: list[FundsRow]
    split: list[tuple[str, str]]  # department only: 按收入性质分 | 按支出性质分 lines
    goal: str
    achieved: str
    levels: list[Level1Group]
    full_score: str
    total: str
    grade: str
    footer: list[tuple[str, str]]


@dataclass(frozen=True)
class BasicData:
    """部门整体支出绩效评价基础数据表 (seed 000, 附件1)."""

    title: str
    staff_header: list[str]
    staff: list[str]
    money_header: list[str]
    money: list[tuple[str, str, str, str]]
    buildings_header: list[str]
    buildings: list[str]
    thrift: str
    note: str
    footer: list[tuple[str, str]]


@dataclass(frozen=True)
class Attachment:
    label: str                    # 附件1
    table: ScoreTable | BasicData


@dataclass
class DepartmentReport:
    """部门整体支出绩效自评报告."""

    file_stem: str
    title_lines: list[str]
    intro: str
    basic: list[Section]
    finance: list[Section]
    evaluation_work: list[str]
    results: list[Section]
    problems: list[str]
    improvements: list[str]
    other_notes: list[str]
    signature: list[str]
    attachments: list[Attachment]


@dataclass
class ProjectReport:
    """项目支出绩效自评报告 of one project, followed by its 自评表."""

    number: int
    file_stem: str                # 01-项目名
    name: str
    title_lines: list[str]
    overview: list[Section]
    management: list[Section]
    performance: list[Section]
    issues: list[Section]
    signature: list[str]
    table: ScoreTable
    execution_rate: str
    total: str
    funds_sentence: str


@dataclass
class Package:
    """Every document of one unit's year."""

    folder: str
    unit_name: str
    year: int
    department: DepartmentReport
    projects: list[ProjectReport]
    charts: list[ChartSpec]
    all_tables_title: str


# ---------------------------------------------------------------- helpers

def paragraphs(text: str | None) -> list[str]:
    """A typed text split into paragraphs at line breaks; empty lines dropped."""
    if not text:
        return []
    return [line.strip() for line in str(text).splitlines() if line.strip()]


def _or(text: str | None, fallback: str) -> list[str]:
    return paragraphs(text) or [fallback]


def _join(parts: list[str], sep: str = "；") -> str:
    return sep.join(p for p in parts if p)


def unit_label(results: Results) -> str:
    unit = results.report.unit
    return unit.short_name or unit.name


def package_folder(results: Results) -> str:
    """e.g. 2021年利州区委组织部绩效自评 (safe as a folder name)."""
    unit = results.report.unit
    return file_name(f"{unit.year}年{unit_label(results)}绩效自评", limit=80)


def project_title(project: Project, year: int) -> str:
    name = project.name.strip()
    suffix = "支出绩效自评报告" if name.endswith("项目") else "项目支出绩效自评报告"
    return f"{year}年度{name}{suffix}"


def _footer(results: Results) -> list[tuple[str, str]]:
    unit = results.report.unit
    return [("填表人", unit.preparer or ""), ("联系电话", unit.phone or ""),
            ("填报日期", cn_date(unit.report_date)), ("单位负责人签字", "")]


# ---------------------------------------------------------------- score tables

def _level_groups(card: Scorecard, results: Results) -> list[Level1Group]:
    subtotals = {s.level1: s for s in card.subtotals}
    out: list[Level1Group] = []
    by_level1: dict[str, list] = {}
    for s in card.indicators:
        by_level1.setdefault(s.indicator.level1, []).append(s)
    for level1, scores in by_level1.items():
        sub = subtotals.get(level1)
        label = f"{level1}（{weight(sub.weight)}分）" if sub is not None else level1
        groups: list[Level2Group] = []
        for s in scores:
            ind = s.indicator
            row = IndicatorRow(
                name=ind.name, target=ind.target or DASH, actual=ind.actual or DASH,
                weight=weight(s.weight), score=score(s.score) if s.applicable else "不适用",
                deviation=ind.deviation or "",
            )
            name2 = ind.level2 or ""
            if groups and groups[-1].name == name2:
                groups[-1].rows.append(row)
            else:
                groups.append(Level2Group(name2, [row]))
        out.append(Level1Group(label, groups))
    return out


def _fund_row(label: str, funds: tuple[Funds, Funds, Funds], attr: str) -> FundsRow:
    initial, budget, actual = (getattr(f, attr) for f in funds)
    return FundsRow(label, money(initial), money(budget), money(actual))


def project_table(pr: ProjectResult, results: Results) -> ScoreTable:
    project, card = pr.project, pr.card
    unit = results.report.unit
    f = project.funds
    stages = (f.initial_budget, f.budget, f.actual)
    funds = [FundsRow("年度资金总额", money(card.initial_budget), money(card.budget), money(card.actual),
                      weight(card.execution_weight), percent(card.execution_rate), score(card.execution_score))]
    funds += [_fund_row(f"其中：{label}" if i == 0 else label, stages, attr)
              for i, (attr, label) in enumerate(FUND_SOURCES)]
    return ScoreTable(
        kind="project", title=f"项目支出绩效自评表（{unit.year}年度）", name_label="项目名称", name=project.name,
        superior=project.superior or unit.superior or unit.name, office=project.office or unit.name,
        funds_label="项目资金（万元）", funds=funds, split=[],
        goal=project.goal or "", achieved=project.achieved or "",
        levels=_level_groups(card, results), full_score=weight(results.profile.total),
        total=score(card.total), grade=card.grade or "", footer=_footer(results),
    )


def department_table(results: Results) -> ScoreTable:
    unit = results.report.unit
    card = results.department
    fin = results.finance
    funds = [FundsRow("年度资金总额", money(card.initial_budget), money(card.budget), money(card.actual),
                      weight(card.execution_weight), percent(card.execution_rate), score(card.execution_score))]
    # The split of the executed money (决算数) by income nature and by expenditure nature, as seed 000 附件2.
    named = ("一般公共预算财政拨款收入", "政府性基金预算财政拨款收入", "财政专户管理资金收入")
    others = [line.actual for key, line in fin.items()
              if line.group == "收入" and not line.is_total and key not in (*named, "年初结转和结余")
              and line.actual is not None]
    other_total = sum(others, Decimal(0)) if others else None
    split = [
        (f"按收入性质分：{money(fin['本年收入合计'].actual)}", f"按支出性质分：{money(fin['本年支出合计'].actual)}"),
        (f"其中：一般公共预算：{money(fin['一般公共预算财政拨款收入'].actual)}",
         f"其中：基本支出：{money(fin['基本支出'].actual)}"),
        (f"政府性基金拨款：{money(fin['政府性基金预算财政拨款收入'].actual)}", f"项目支出：{money(fin['项目支出'].actual)}"),
        (f"纳入专户管理的非税收入拨款：{money(fin['财政专户管理资金收入'].actual)}", ""),
        (f"其他资金：{money(other_total)}", ""),
    ]
    return ScoreTable(
        kind="department", title=f"{unit.year}年度部门整体支出绩效自评表", name_label="预算部门", name=unit.name,
        superior=unit.superior or unit.name, office=unit.name, funds_label="年度预算申请（万元）", funds=funds,
        split=split, goal=unit.goal or "", achieved=unit.achieved or "",
        levels=_level_groups(card, results), full_score=weight(results.profile.total),
        total=score(card.total), grade=card.grade or "", footer=_footer(results),
    )


def _sum_present(values: list[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


def basic_data(results: Results) -> BasicData:
    unit = results.report.unit
    year = unit.year
    fin, tp = results.finance, results.three_public
    staffing = unit.staffing

    def line(label: str, ln) -> tuple[str, str, str, str]:
        return (label, money(ln.last_year), money(ln.initial_budget), money(ln.actual))

    rows = [line("支出总额", fin["本年支出合计"]), line("基本支出", fin["基本支出"]),
            line("其中：公用经费", fin["公用经费"]), line("项目支出", fin["项目支出"])]
    for i, pr in enumerate(results.projects, 1):
        p = pr.project
        label = f"其中：{i}、{p.name}" if i == 1 else f"{i}、{p.name}"
        rows.append((label, money(p.last_year_actual), money(pr.card.initial_budget), money(pr.card.actual)))
    cars = [tp["公务用车购置费"], tp["公务用车运行维护费"]]
    rows += [
        line("三公经费", tp["三公经费合计"]),
        ("1、公务用车购置和维护经费", *(money(_sum_present([getattr(c, col) for c in cars]))
                                  for col in ("last_year", "initial_budget", "actual"))),
        line("其中：公车购置", tp["公务用车购置费"]),
        line("公车运行维护", tp["公务用车运行维护费"]),
        line("2、出国经费", tp["因公出国（境）费"]),
        line("3、公务接待", tp["公务接待费"]),
        line("政府采购金额", fin["政府采购支出"]),
    ]
    b = results.report.buildings
    buildings = [
        amount(b.approved_size) if b else DASH, amount(b.actual_size) if b else DASH,
        percent(results.size_control_rate), money(b.budget_investment) if b else DASH,
        money(b.actual_investment) if b else DASH, percent(results.investment_control_rate),
    ]
    return BasicData(
        title=f"{year}年度部门整体支出绩效评价基础数据表",
        staff_header=["财政供养人员情况（人）", "编制数", f"{year}年实际在职人数", "控制率"],
        staff=["", str(staffing.establishment) if staffing.establishment is not None else DASH,
               str(staffing.in_post) if staffing.in_post is not None else DASH, percent(results.staff_control_rate)],
        money_header=["经费控制情况（万元）", f"{year - 1}年决算数", f"{year}年预算数", f"{year}年决算数"],
        money=rows,
        buildings_header=[f"楼堂馆所控制情况（{year}年完工项目）", "批复规模（㎡）", "实际规模（㎡）", "规模控制率",
                          "预算投资（万元）", "实际投资（万元）", "投资概算控制率"],
        buildings=buildings,
        thrift=unit.thrift_measures or "无。",
        note=("说明：“公用经费”填报基本支出中的一般商品和服务支出；“项目支出”填报基本支出以外的所有项目支出情况；"
              f"“{year}年预算数”为年初预算数。"),
        footer=_footer(results),
    )


def has_basic_data(results: Results) -> bool:
    """The 基础数据表 is attached when staffing or any money figure is given."""
    staffing = results.report.unit.staffing
    return (staffing.establishment is not None or staffing.in_post is not None
            or any(any(v is not None for v in ln.values.values()) for ln in results.finance.values())
            or results.report.buildings is not None)


def has_department_table(results: Results) -> bool:
    unit = results.report.unit
    return bool(results.report.indicators or unit.goal or unit.achieved)


# ---------------------------------------------------------------- narrative sentences

def funds_sentence(card: Scorecard) -> str:
    """项目全年预算数100万元，执行数为83.89万元，完成预算的83.89%。"""
    if card.budget is None:
        return f"项目全年预算数未填报，执行数为{amount(card.actual)}万元。"
    return (f"项目全年预算数{amount(card.budget)}万元，执行数为{amount(card.actual)}万元，"
            f"完成预算的{percent(card.execution_rate)}。")


def score_sentence(card: Scorecard, who: str) -> str:
    """经自评，…得分为97.39分，等级为“优”。其中：预算执行率83.89%，得分8.39分（满分10分）；产出指标得分…"""
    if card.total is None:
        reason = "未填写绩效指标" if not card.indicators else "全年预算数未填报"
        return f"因{reason}，{who}未计算自评得分。"
    parts = [f"预算执行率{percent(card.execution_rate)}，得分{score(card.execution_score)}分"
             f"（满分{weight(card.execution_weight)}分）"]
    parts += [f"{s.level1}得分{score(s.score)}分（满分{weight(s.weight)}分）" for s in card.subtotals]
    text = f"经自评，{who}绩效自评得分为{score(card.total)}分，等级为“{card.grade}”。其中：{_join(parts)}。"
    if card.uncapped_total is not None and card.total != card.uncapped_total:
        text += f"按评分规则，预算执行率偏低，总分由{score(card.uncapped_total)}分封顶为{score(card.total)}分。"
    return text


def indicator_summary(card: Scorecard, who: str) -> str:
    applicable = [s for s in card.indicators if s.applicable]
    if not applicable:
        return ""
    full = [s for s in applicable if s.score is not None and s.score >= s.weight]
    missed = [s.indicator.name for s in applicable if s.score is None or s.score < s.weight]
    text = f"{who}共设置绩效指标{len(card.indicators)}项，其中{len(full)}项全部达成"
    if missed:
        text += f"，“{'”“'.join(missed)}”等{len(missed)}项未全部达成"
    return text + "。"


def _change_clause(label: str, line, last_year: int) -> str:
    words = change_words(line.change, line.change_rate)
    if not words:
        return ""
    if words == "持平":
        return f"{label}与{last_year}年持平。"
    return f"{label}与{last_year}年相比{words}。"


def income_paragraphs(results: Results) -> list[str]:
    fin = results.finance
    year = results.report.unit.year
    out: list[str] = []
    total, own, carried = fin["收入总计"], fin["本年收入合计"], fin["年初结转和结余"]
    if total.actual is not None:
        head = f"{year}年度本单位收入总计{amount(total.actual)}万元"
        if own.actual is not None and carried.actual is not None:
            head += f"，其中本年收入合计{amount(own.actual)}万元，年初结转和结余{amount(carried.actual)}万元"
        out.append(head + "。" + _change_clause("收入总计", total, year - 1))
    if own.actual is not None and results.income_shares:
        parts = [f"{s.label}{amount(s.amount)}万元，占{percent(s.share)}" for s in results.income_shares]
        text = f"本年收入合计{amount(own.actual)}万元，其中：{_join(parts)}。"
        out.append(text + _change_clause("本年收入合计", own, year - 1))
    return out


def expenditure_paragraphs(results: Results) -> list[str]:
    fin = results.finance
    year = results.report.unit.year
    out: list[str] = []
    spend, total = fin["本年支出合计"], fin["支出总计"]
    if spend.actual is not None and results.expenditure_shares:
        parts = [f"{s.label}{amount(s.amount)}万元，占{percent(s.share)}" for s in results.expenditure_shares]
        out.append(f"{year}年度本年支出合计{amount(spend.actual)}万元，其中：{_join(parts)}。"
                   + _change_clause("本年支出合计", spend, year - 1))
    people, office = fin["人员经费"], fin["公用经费"]
    if people.actual is not None or office.actual is not None:
        bits = [f"人员经费{amount(people.actual)}万元" if people.actual is not None else "",
                f"公用经费{amount(office.actual)}万元" if office.actual is not None else ""]
        out.append(f"基本支出{amount(fin['基本支出'].actual)}万元，其中{_join(bits, '，')}。")
    if spend.budget is not None and spend.actual is not None:
        out.append(f"本年支出全年预算数{amount(spend.budget)}万元，决算数{amount(spend.actual)}万元，"
                   f"预算执行率{percent(results.department.execution_rate)}。")
    if results.functional_shares:
        parts = [f"{s.label}{amount(s.amount)}万元，占{percent(s.share)}" for s in results.functional_shares]
        out.append(f"按支出功能分类，{_join(parts)}。")
    ending = fin["年末结转和结余"]
    if ending.actual is not None:
        text = f"年末结转和结余{amount(ending.actual)}万元"
        if results.balance_rate is not None:
            text += f"，结转结余率{percent(results.balance_rate)}"
        if total.actual is not None:
            text += f"，支出总计{amount(total.actual)}万元"
        out.append(text + "。")
    return out


def other_spending_paragraphs(results: Results) -> list[str]:
    tp, fin = results.three_public, results.finance
    year = results.report.unit.year
    out: list[str] = []
    total = tp["三公经费合计"]
    if total.actual is not None:
        parts = [f"{k}{amount(tp[k].actual)}万元" for k in THREE_PUBLIC_PARTS if tp[k].actual is not None]
        text = f"{year}年度“三公”经费支出{amount(total.actual)}万元"
        if parts:
            text += f"，其中：{_join(parts, '，')}"
        text += "。"
        if total.budget is not None:
            text += f"“三公”经费全年预算数{amount(total.budget)}万元，完成预算的{percent(ratio_percent(total.actual, total.budget))}。"
        out.append(text + _change_clause("“三公”经费", total, year - 1))
    for key, label in (("政府采购支出", "政府采购支出"), ("机关运行经费", "机关运行经费")):
        ln = fin[key]
        if ln.actual is not None:
            out.append(f"{year}年度{label}{amount(ln.actual)}万元。" + _change_clause(label, ln, year - 1))
    return out


# ---------------------------------------------------------------- charts

def chart_specs(results: Results) -> list[ChartSpec]:
    """The charts whose data is given: year-on-year bar, income and expenditure pies, execution-rate bar."""
    fin = results.finance
    year = results.report.unit.year
    specs: list[ChartSpec] = []
    pair_keys = [k for k in ("收入总计", "支出总计", "本年收入合计", "本年支出合计")
                 if fin[k].actual is not None and fin[k].last_year is not None]
    if pair_keys:
        specs.append(ChartSpec("收支变动", "pair", f"{year - 1}年与{year}年收支决算对比（万元）", pair_keys,
                               [fin[k].actual for k in pair_keys], [fin[k].last_year for k in pair_keys]))
    income = [s for s in results.income_shares if s.amount > 0]
    if income:
        specs.append(ChartSpec("收入结构", "pie", f"{year}年度收入结构", [s.label for s in income],
                               [s.amount for s in income], shares=[s.share for s in income]))
    spend = [s for s in results.expenditure_shares if s.amount > 0]
    if spend:
        specs.append(ChartSpec("支出结构", "pie", f"{year}年度支出结构", [s.label for s in spend],
                               [s.amount for s in spend], shares=[s.share for s in spend]))
    rated = [p for p in results.evaluated_projects if p.card.execution_rate is not None]
    if rated:
        specs.append(ChartSpec("项目执行率", "bar", f"{year}年度项目预算执行率（%）",
                               [p.project.name for p in rated], [p.card.execution_rate for p in rated], unit="%"))
    return specs


CHART_CAPTIONS = {
    "收支变动": "收支决算总计变动情况",
    "收入结构": "收入决算结构",
    "支出结构": "支出决算结构",
    "项目执行率": "项目预算执行率",
}


# ---------------------------------------------------------------- documents

def _overview_table(results: Results) -> SimpleTable | None:
    rows = []
    for i, pr in enumerate(results.evaluated_projects, 1):
        c = pr.card
        rows.append([str(i), pr.project.name, money(c.budget), money(c.actual), percent(c.execution_rate),
                     score(c.total), c.grade or DASH])
    if not rows:
        return None
    totals = results.project_totals
    rows.append(["", "合计", money(totals.get("budget")), money(totals.get("actual")),
                 percent(ratio_percent(totals.get("actual"), totals.get("budget"))), "", ""])
    return SimpleTable(
        title=f"{results.report.unit.year}年度项目支出绩效自评结果汇总",
        header=["序号", "项目名称", "全年预算数（万元）", "全年执行数（万元）", "执行率", "自评得分", "等级"],
        rows=rows, widths=[11, 55, 22, 22, 18, 16, 12],
        align=["center", "left", "right", "right", "right", "right", "center"],
    )


def department_report(results: Results, figures: dict[str, Figure], project_count: int) -> DepartmentReport:
    report = results.report
    unit = report.unit
    year = unit.year
    staffing = unit.staffing
    evaluated = results.evaluated_projects

    intro_basis = f"根据{unit.notice}要求" if unit.notice else "根据预算绩效管理工作要求"
    intro = (f"{intro_basis}，{unit.name}对{year}年度部门整体支出和{len(evaluated)}个项目支出开展了绩效自评。"
             f"现将{year}年度部门整体支出绩效自评情况报告如下：")

    basic: list[Section] = []
    if unit.functions:
        basic.append(Section("职能职责", list(unit.functions)))
    org = paragraphs(unit.offices)
    if unit.subordinates:
        org.append(f"纳入{year}年度部门决算编制范围的下属预算单位{len(unit.subordinates)}个：{'、'.join(unit.subordinates)}。")
    if org:
        basic.append(Section("机构设置", org))
    staff_bits = []
    if staffing.establishment is not None:
        staff_bits.append(f"核定编制{staffing.establishment}人")
    if staffing.in_post is not None:
        staff_bits.append(f"年末实有在职人员{staffing.in_post}人")
    if results.staff_control_rate is not None:
        staff_bits.append(f"在职人员控制率{percent(results.staff_control_rate)}")
    if staffing.retired is not None:
        staff_bits.append(f"离退休人员{staffing.retired}人")
    if staff_bits:
        basic.append(Section("人员情况", [f"本单位{'，'.join(staff_bits)}。"]))
    if unit.tasks:
        basic.append(Section("年度工作任务", paragraphs(unit.tasks)))
    if unit.goal:
        basic.append(Section("整体绩效目标", paragraphs(unit.goal)))
    if not basic:
        basic.append(Section("单位概况", [f"{unit.name}为{year}年度部门预算编制单位。"]))

    finance: list[Section] = []
    income = income_paragraphs(results)
    if income:
        finance.append(Section("收入情况", income, [figures[k] for k in ("收支变动", "收入结构") if k in figures]))
    spend = expenditure_paragraphs(results)
    if spend:
        finance.append(Section("支出情况", spend, [figures[k] for k in ("支出结构",) if k in figures]))
    other = other_spending_paragraphs(results)
    if other:
        finance.append(Section("“三公”经费及其他支出情况", other))
    totals = results.project_totals
    if results.projects:
        text = f"{year}年度本单位共有项目{len(results.projects)}个，其中开展绩效自评的项目{len(evaluated)}个"
        if totals.get("budget") is not None and totals.get("actual") is not None:
            text += (f"，全年预算数合计{amount(totals['budget'])}万元，执行数合计{amount(totals['actual'])}万元，"
                     f"预算执行率{percent(ratio_percent(totals['actual'], totals['budget']))}")
        finance.append(Section("项目支出情况", [text + "。"],
                               [figures[k] for k in ("项目执行率",) if k in figures], _overview_table(results)))
    if not finance:
        finance.append(Section("收支情况", ["本单位未填报收支数据。"]))

    notice = f"根据{unit.notice}要求，" if unit.notice else ""
    evaluation_work = paragraphs(unit.evaluation_work) or [
        f"{notice}本单位对{year}年度部门整体支出及{len(evaluated)}个项目支出开展了绩效自评，"
        "对照年初设定的绩效目标，逐项核实预算执行和绩效指标完成情况，形成本报告。"]

    result_sections = [Section("自评得分及等级", [score_sentence(results.department, f"{year}年度部门整体支出")])]
    grades: dict[str, int] = {}
    for pr in evaluated:
        if pr.card.grade:
            grades[pr.card.grade] = grades.get(pr.card.grade, 0) + 1
    if evaluated:
        counts = "、".join(f"“{g}”{n}个" for g, n in grades.items())
        text = f"{len(evaluated)}个项目开展了绩效自评"
        text += f"，自评等级为{counts}。" if counts else "。"
        result_sections[0].paragraphs.append(text)
    if unit.budget_management:
        result_sections.append(Section("预算编制、执行及管理情况", paragraphs(unit.budget_management)))
    outputs = paragraphs(unit.achieved)
    summary = indicator_summary(results.department, "部门整体")
    if summary:
        outputs.append(summary)
    if outputs:
        result_sections.append(Section("产出及效益情况", outputs))
    if unit.key_work:
        result_sections.append(Section("重点工作完成情况", paragraphs(unit.key_work)))
    if unit.conclusion:
        result_sections.append(Section("自评结论", paragraphs(unit.conclusion)))

    attachments: list[Attachment] = []
    if has_department_table(results):
        attachments.append(Attachment(f"附件{len(attachments) + 1}", department_table(results)))
    if has_basic_data(results):
        attachments.append(Attachment(f"附件{len(attachments) + 1}", basic_data(results)))

    return DepartmentReport(
        file_stem="部门整体支出绩效自评报告",
        title_lines=[unit.name, f"{year}年度部门整体支出绩效自评报告"],
        intro=intro, basic=basic, finance=finance, evaluation_work=evaluation_work,
        results=result_sections,
        problems=_or(unit.problems, "无。"),
        improvements=_or(unit.improvements, "无。"),
        other_notes=_or(unit.other_notes, "无其他需要说明的情况。"),
        signature=[unit.name, cn_date(unit.report_date)] if unit.report_date else [unit.name],
        attachments=attachments,
    )


def project_report(pr: ProjectResult, number: int, results: Results) -> ProjectReport:
    project, card = pr.project, pr.card
    unit = results.report.unit
    year = unit.year
    office = project.office or unit.name

    approval = []
    bits = [f"本项目根据{project.basis}立项"] if project.basis else []
    if card.initial_budget is not None:
        bits.append(f"年初预算数{amount(card.initial_budget)}万元")
    if card.budget is not None:
        bits.append(f"全年预算数{amount(card.budget)}万元")
    bits.append(f"由{office}负责具体实施")
    text = "，".join(bits)
    approval.append(text if text.startswith("本项目") else f"本项目{text}")
    approval[-1] += "。"
    approval += paragraphs(project.approval)
    overview = [Section("项目资金申报及批复情况", approval)]
    if project.goal:
        overview.append(Section("项目绩效目标", [f"本项目绩效目标为：{paragraphs(project.goal)[0]}",
                                                 *paragraphs(project.goal)[1:]]))
    if project.conformity:
        overview.append(Section("项目资金申报相符性", paragraphs(project.conformity)))

    funds = [funds_sentence(card)]
    sources = [(label, getattr(project.funds.actual, attr)) for attr, label in FUND_SOURCES]
    given = [(label, value) for label, value in sources if value is not None]
    if len(given) > 1:
        funds.append("执行数中，" + "，".join(f"{label}{amount(value)}万元" for label, value in given) + "。")
    funds += paragraphs(project.funds_use)
    management = [Section("资金计划、到位及使用情况", funds)]
    if project.financial_management:
        management.append(Section("项目财务管理情况", paragraphs(project.financial_management)))
    management.append(Section("项目组织实施情况",
                              paragraphs(project.implementation) or [f"本项目由{office}负责组织实施。"]))

    completion = paragraphs(project.completion) or paragraphs(project.achieved)
    completion.append(score_sentence(card, "该项目"))
    summary = indicator_summary(card, "该项目")
    if summary:
        completion.append(summary)
    performance = [Section("项目完成情况", completion)]
    if project.benefits:
        performance.append(Section("项目效益情况", paragraphs(project.benefits)))

    issues = [Section("存在的问题", _or(project.problems, "无。")),
              Section("相关建议", _or(project.suggestions, "无。"))]

    stem = f"{number:02d}-{file_name(project.name, limit=50)}"
    return ProjectReport(
        number=number, file_stem=stem, name=project.name,
        title_lines=[project_title(project, year)],
        overview=overview, management=management, performance=performance, issues=issues,
        signature=[unit.name, cn_date(unit.report_date)] if unit.report_date else [unit.name],
        table=project_table(pr, results),
        execution_rate=percent(card.execution_rate), total=score(card.total), funds_sentence=funds_sentence(card),
    )


def build_package(results: Results) -> Package:
    """Every view of a package."""
    unit = results.report.unit
    charts = chart_specs(results)
    figures = {spec.key: Figure(spec.key, f"图{i}：{CHART_CAPTIONS[spec.key]}") for i, spec in enumerate(charts, 1)}
    projects = [project_report(pr, n, results) for n, pr in enumerate(results.evaluated_projects, 1)]
    return Package(
        folder=package_folder(results), unit_name=unit.name, year=unit.year,
        department=department_report(results, figures, len(projects)),
        projects=projects, charts=charts,
        all_tables_title=f"{unit.year}年度项目支出绩效自评表（全部项目）",
    )
