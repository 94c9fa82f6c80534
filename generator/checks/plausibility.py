"""Plausibility: amounts out of scale with their siblings (元 typed among 万元), headcount above establishment,
a report dated before its year ended, required sections empty or still holding the template's instructions."""
from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from functools import lru_cache

from ..catalog import FINANCE_ROWS, THREE_PUBLIC_ROWS
from ..model import AMOUNT_COLUMNS, FUND_STAGES, Project, Unit
from ..pack import THREE_PUBLIC, UNIT_TABLES, Section
from ..problems import Severity
from .engine import Context, Hit, column_label, rule, shown, shown_computed
from .projects import fund_path
from .sums import FUND_STAGE_LABELS
from .texts import alias, project_field_name, quote, text_fields, unit_field_name

SCALE_RATIO = Decimal(1000)
"""An amount this many times the median of its non-zero siblings looks like 元 typed where 万元 was asked."""
SCALE_FLOOR = Decimal(1000)
"""…but only from 1000 万元 up: a small amount beside tiny ones (0.09 万元 of interest beside 5 万元) is normal."""
MIN_SIBLINGS = 2

TEMPLATE_MARKERS = re.compile(
    r"没有请写明|没有的?请填写?|请填写|请写明|请在此|此处填写|[（(]可以按|请根据(?:本|各)单位"
    r"|(?<![A-Za-z])(?:[xX]{2,}|×{2,}|X{2,})(?![A-Za-z])"
)
"""Instructions of a report template left in the text, and placeholders such as “人才xx名”."""


# ---------------------------------------------------------------- 元 among 万元

def _sibling_groups(ctx: Context) -> Iterator[tuple[str, list[tuple[str, str, Decimal]]]]:
    """(what the group is, [(model path, name, amount)]) for each group of amounts of the same kind and scale."""
    for table, table_label, rows in (("finance", "收支情况", FINANCE_ROWS), ("three_public", "三公经费", THREE_PUBLIC_ROWS)):
        for row in rows:
            line = ctx.line(table, row.key)
            items = [(f"{table}.{row.key}.{c}", f"{table_label}“{row.key}”的{column_label(c)}", line.stated[c])
                     for c in AMOUNT_COLUMNS]
            yield f"“{row.key}”的其他各列", [(p, n, v) for p, n, v in items if v is not None]
    for column in AMOUNT_COLUMNS:
        items = [(f"functional.{i}.amounts.{column}", f"功能分类“{f.name}”的{column_label(column)}",
                  getattr(f.amounts, column)) for i, f in enumerate(ctx.report.functional)]
        yield f"其他功能分类科目的{column_label(column)}", [(p, n, v) for p, n, v in items if v is not None]
    projects = ctx.report.projects
    for stage in FUND_STAGES:
        items = [(fund_path(i, stage, getattr(p.funds, stage)), f"项目“{p.name}”的{FUND_STAGE_LABELS[stage]}",
                  getattr(p.funds, stage).total) for i, p in enumerate(projects)]
        yield f"其他项目的{FUND_STAGE_LABELS[stage]}", [(p, n, v) for p, n, v in items if v is not None]
    for i, p in enumerate(projects):
        items = [(fund_path(i, s, getattr(p.funds, s)), f"项目“{p.name}”的{FUND_STAGE_LABELS[s]}",
                  getattr(p.funds, s).total) for s in FUND_STAGES]
        items.append((f"projects.{i}.last_year_actual", f"项目“{p.name}”的上年决算数", p.last_year_actual))
        yield "该项目的其他各列", [(path, n, v) for path, n, v in items if v is not None]


YUAN_PER_WANYUAN = Decimal(10000)


def _culprit(ctx: Context, path: str, value: Decimal) -> tuple[str, Decimal]:
    """The typed cell behind an out-of-scale amount: for a project's stage total, its largest typed source (or the
    typed 合计), since that is the cell the preparer filled in 元; any other amount is its own cell."""
    if not (path.startswith("projects.") and ".funds." in path):
        return path, value
    prefix = path.rpartition(".")[0]
    index, stage = int(prefix.split(".")[1]), prefix.rpartition(".")[2]
    funds = getattr(ctx.report.projects[index].funds, stage)
    typed = [(f"{prefix}.{name}", getattr(funds, name)) for name in ("current", "carryover", "other", "stated_total")]
    typed = [(p, v) for p, v in typed if v is not None]
    return max(typed, key=lambda item: item[1], default=(path, value))


def _source_label(path: str) -> str:
    name = path.rpartition(".")[2]
    return {"current": "中的当年财政拨款", "carryover": "中的上年结转资金", "other": "中的其他资金"}.get(name, "")


def _median_without(ordered: list[Decimal], value: Decimal) -> Decimal:
    """statistics.median of the sorted non-zero amounts with one amount equal to `value` left out, without
    copying and sorting them again for each amount (a group holds every project: 20,000 amounts)."""
    gone = bisect_left(ordered, value)

    def at(i: int) -> Decimal:
        return ordered[i] if i < gone else ordered[i + 1]
    n = len(ordered) - 1
    if n % 2 == 1:
        return at(n // 2)
    return (at(n // 2 - 1) + at(n // 2)) / 2


@rule("amount-scale", Severity.WARNING,
      "金额是同类金额中位数的1000倍以上（且不小于1000万元）：可能把元当作万元填写",
      "{name}为{amount}万元，是同类金额的{ratio}倍，像是按“元”填写：应为 {likely} 万元？请改正（金额单位为万元）")
def amount_scale(ctx: Context):
    seen: set[str] = set()
    for group, items in _sibling_groups(ctx):
        ordered: list[Decimal] | None = None     # the group's non-zero amounts sorted, once per group
        for k, (path, name, value) in enumerate(items):
            if path in seen or value < SCALE_FLOOR:
                continue
            if ordered is None:
                ordered = sorted(v for _, _, v in items if v != 0)
            if len(ordered) - 1 < MIN_SIBLINGS:
                continue
            middle = Decimal(_median_without(ordered, value))
            if middle > 0 and value >= SCALE_RATIO * middle:
                siblings = [(p, v) for j, (p, _, v) in enumerate(items) if j != k and v != 0]
                cell, typed = _culprit(ctx, path, value)
                if cell in seen:
                    continue
                seen |= {path, cell}
                details = [f"{group}：" + "、".join(f"{shown(v)}（{ctx.place(p)}）" for p, v in siblings[:6])
                           + ("等" if len(siblings) > 6 else "") + f"，中位数{shown_computed(middle)}万元"]
                if cell != path:
                    details.insert(0, f"{name}合计{shown(value)}万元，其中这一格{shown(typed)}万元")
                yield Hit(cell, {"name": name + _source_label(cell), "amount": shown(typed),
                                 "ratio": f"{int(value / middle):,}",
                                 "likely": f"{typed / YUAN_PER_WANYUAN:,.2f}"},
                          details=tuple(details))


# ---------------------------------------------------------------- people and dates

@rule("staff-over-establishment", Severity.WARNING, "实有在职人数超过编制数",
      "实有在职人数{in_post}人超过编制数{establishment}人：请核对人数；确实超编的，请在“其他需要说明的情况”中说明")
def staff_over_establishment(ctx: Context):
    staffing = ctx.report.unit.staffing
    if staffing.in_post is not None and staffing.establishment is not None and staffing.in_post > staffing.establishment:
        yield Hit("unit.staffing.in_post", {"in_post": staffing.in_post, "establishment": staffing.establishment})


@rule("report-date-early", Severity.ERROR, "报告日期不晚于评价年度的最后一天",
      "报告日期{date}不在评价年度{year}年结束之后：自评是对已结束年度的评价，"
      "请核对报告日期（应在{next_year}年）或评价年度")
def report_date_early(ctx: Context):
    unit = ctx.report.unit
    if unit.year is not None and unit.report_date is not None and unit.report_date <= date(unit.year, 12, 31):
        d = unit.report_date
        yield Hit("unit.report_date", {"date": f"{d.year}年{d.month}月{d.day}日", "year": unit.year,
                                       "next_year": unit.year + 1})


# ---------------------------------------------------------------- sections

def _empty(value) -> bool:
    if isinstance(value, list):
        return not any(v and v.strip() for v in value)
    return not (value and value.strip())


def _documents(section: Section) -> str:
    return "、".join(f"“{d}”" for d in section.documents)


def _unit_sections(ctx: Context):
    """(model name, section) of the unit's text fields the package prints, tables left out."""
    return [(name, s) for name, s in ctx.printed.unit.items() if name not in UNIT_TABLES]


def _project_sections(ctx: Context):
    """(index in the input, project, model name, section) of each evaluated project's text fields the package
    prints (numbered as in the package: the n-th evaluated project)."""
    every = ctx.printed.projects.get(0, {})          # printed without data: every project's
    for number, pr in enumerate(ctx.results.evaluated_projects, 1):
        for name, section in {**every, **ctx.printed.projects.get(number, {})}.items():
            yield pr.index, pr.project, name, section


@rule("section-empty", Severity.WARNING, "模板包的文档必须有的文字部分为空",
      "{field}未填写：{why}")
def section_empty(ctx: Context):
    unit = ctx.report.unit
    for name, section in _unit_sections(ctx):
        if section.required and not section.fallback and _empty(getattr(unit, name)):
            why = ("没有需要说明的情况也要写明，请填写“无”" if name == "other_notes"
                   else f"{_documents(section)[1:-1]}必须有“{alias(Unit, name)}”一节，请填写")
            yield Hit(f"unit.{name}", {"field": unit_field_name(name), "why": why})
    for i, project, name, section in _project_sections(ctx):
        if section.required and not section.fallback and _empty(getattr(project, name)):
            yield Hit(f"projects.{i}.{name}", {
                "field": project_field_name(project, name),
                "why": f"{_documents(section)}要列出“{alias(Project, name)}”，请填写"})


@rule("section-fallback", Severity.WARNING, "文字部分为空，模板包的文档将印上代替的文字（如“无。”）",
      "{field}未填写：{documents}将在这里印“{fallback}”；如不是这样，请填写")
def section_fallback(ctx: Context):
    unit = ctx.report.unit
    for name, section in _unit_sections(ctx):
        if section.fallback and _empty(getattr(unit, name)):
            yield Hit(f"unit.{name}", {"field": unit_field_name(name), "documents": _documents(section),
                                       "fallback": section.fallback})
    for i, project, name, section in _project_sections(ctx):
        if section.fallback and _empty(getattr(project, name)):
            yield Hit(f"projects.{i}.{name}", {"field": project_field_name(project, name),
                                               "documents": _documents(section), "fallback": section.fallback})


@rule("three-public-empty", Severity.WARNING, "模板包的文档印“三公”经费，而“三公”经费一项也未填写",
      "“三公”经费未填写：{documents}中“三公”经费各行将印“—”。没有“三公”经费支出的，请在合计一行的决算数中填 0")
def three_public_empty(ctx: Context):
    section = ctx.printed.unit.get(THREE_PUBLIC)
    if section is not None and section.required and not any(
            v is not None for line in ctx.results.three_public.values() for v in line.values.values()):
        yield Hit("three_public.三公经费合计.actual", {"documents": _documents(section)})


@rule("template-text", Severity.ERROR, "文字中还留有模板的填写说明或占位符（如“没有请写明”“请填写”“（可以按”“xx名”）",
      "{field}中还留有模板的填写说明或占位符“{fragment}”：请删去说明文字，写上实际内容")
def template_text(ctx: Context):
    for field in text_fields(ctx):
        found = _template_marker(field.text)
        if found:
            yield Hit(field.path, {"field": field.name, "fragment": quote(field.text, *found, 14)})


@lru_cache(maxsize=8192)
def _template_marker(text: str) -> tuple[int, int] | None:
    """Where the first template marker of a text is (the search tries every position: remembered per text, so a
    regeneration searches only the changed texts)."""
    match = TEMPLATE_MARKERS.search(text)
    return (match.start(), match.end()) if match else None
