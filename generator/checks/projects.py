"""Projects against their own budgets, against the statement's 项目支出, and against each other."""
from __future__ import annotations

import heapq
from decimal import Decimal

from ..model import FUND_STAGES, Funds, Project
from ..numbers import normalize_text
from ..problems import Severity
from .engine import Context, Hit, column_label, rule, same_amount, shown_computed
from .sums import FUND_STAGE_LABELS

ZERO = Decimal(0)

DUPLICATE_TEXTS = (("goal", "预期目标"), ("achieved", "实际完成情况"), ("completion", "项目完成情况"),
                   ("benefits", "项目效益情况"))
"""Texts that, identical in two projects with identical funds, mark the second as a likely duplicate."""
MIN_DUPLICATE_TEXT = 10


def fund_path(index: int, stage: str, funds: Funds) -> str:
    """The model path of the figure that carries a project's total at a stage: the typed 合计, else its first source."""
    prefix = f"projects.{index}.funds.{stage}"
    if funds.stated_total is not None:
        return f"{prefix}.stated_total"
    for name in ("current", "carryover", "other"):
        if getattr(funds, name) is not None:
            return f"{prefix}.{name}"
    return f"{prefix}.stated_total"   # nothing typed: the 合计 cell, where the figure is to be filled


@rule("over-budget", Severity.WARNING,
      "项目全年执行数超过全年预算数（执行率高于100%）",
      "项目“{name}”全年执行数{actual}万元超过全年预算数{budget}万元（执行率{rate}）："
      "请核对执行数和预算数；确有超预算支出的，请在“资金使用情况”中说明原因")
def over_budget(ctx: Context):
    from ..filters import percent
    for pr in ctx.results.projects:
        card = pr.card
        if card.actual is None or card.budget is None or card.budget <= 0:
            continue
        if ctx.suspect(f"projects.{pr.index}.funds.actual.") or ctx.suspect(f"projects.{pr.index}.funds.budget."):
            continue
        if card.actual > card.budget and not same_amount(card.actual, card.budget):
            yield Hit(fund_path(pr.index, "actual", pr.project.funds.actual), {
                "name": pr.project.name, "actual": shown_computed(card.actual),
                "budget": shown_computed(card.budget), "rate": percent(card.execution_rate)})


@rule("projects-exceed-spending", Severity.ERROR,
      "各项目资金之和超过收支情况中的项目支出（低于项目支出不算问题：单位只对部分项目自评）",
      "项目表中{count}个项目的{stage}合计为{total}万元，超过收支情况“项目支出”的{column}{spending}万元，"
      "多出{diff}万元：项目资金是项目支出的一部分，请核对各项目金额或项目支出")
def projects_exceed_spending(ctx: Context):
    # All listed projects count, evaluated or not: a project left out of self-evaluation is still 项目支出.
    for stage in FUND_STAGES:
        column = stage
        spending = ctx.presented("finance", "项目支出", column)
        if spending is None or any(p.startswith(f"finance.项目支出.{column}") for p in ctx.identities.suspects):
            continue
        values = [(pr, getattr(pr.card, stage)) for pr in ctx.results.projects]
        values = [(pr, v) for pr, v in values if v is not None]
        if not values or any(ctx.suspect(f"projects.{pr.index}.funds.{stage}.") for pr, _ in values):
            continue
        total = sum((v for _, v in values), ZERO)
        if total > spending and not same_amount(total, spending):
            details = tuple(f"项目“{pr.project.name}” {shown_computed(v)}"
                            f"（{ctx.place(fund_path(pr.index, stage, getattr(pr.project.funds, stage)))}）"
                            for pr, v in values)
            yield Hit(f"finance.项目支出.{column}", details=details,
                      involves=tuple(f"projects.{pr.index}.funds.{stage}" for pr, _ in values), fields={
                "count": len(values), "stage": FUND_STAGE_LABELS[stage], "total": shown_computed(total),
                "column": column_label(column), "spending": shown_computed(spending),
                "diff": shown_computed(total - spending)})


def _totals(project: Project) -> tuple[Decimal | None, ...]:
    return tuple(getattr(project.funds, stage).total for stage in FUND_STAGES)


@rule("duplicate-content", Severity.WARNING,
      "两个项目资金完全相同、文字也相同：可能重复填报",
      "项目“{name}”与第{other_no}个项目“{other}”的资金完全相同（全年预算数{budget}万元，全年执行数{actual}万元），"
      "“{field}”也一字不差：可能重复填报，请删除重复的项目，或改正其资金和文字")
def duplicate_content(ctx: Context):
    projects = ctx.report.projects
    # The first earlier project with the same totals and the same text, per text: each project is looked up, not
    # compared with every project before it (Decimal hashes agree with equality: 310 and 310.00 meet).
    first: dict[tuple, int] = {}
    for j, project in enumerate(projects):
        totals = _totals(project)
        if all(t is None or t == 0 for t in totals):
            continue
        keys = [(totals, name, text) for name, _ in DUPLICATE_TEXTS
                if (a := getattr(project, name)) and len(text := normalize_text(a)) >= MIN_DUPLICATE_TEXT]
        earlier = [first[key] for key in keys if key in first]
        for key in keys:
            first.setdefault(key, j)
        if not earlier:
            continue
        i = min(earlier)
        same = next(label for name, label in DUPLICATE_TEXTS
                    if (a := getattr(project, name)) and (b := getattr(projects[i], name))
                    and len(normalize_text(a)) >= MIN_DUPLICATE_TEXT and normalize_text(a) == normalize_text(b))
        yield Hit(f"projects.{j}.name", {
            "name": project.name, "other_no": i + 1, "other": projects[i].name,
            "budget": shown_computed(totals[1]), "actual": shown_computed(totals[2]), "field": same})


GOAL_SIMILARITY = 0.95
"""Two projects' 预期目标 this alike (after spaces and punctuation) were copied, not written for each project."""
MIN_GOAL = 20


@rule("goal-copied", Severity.WARNING, "两个项目的预期目标几乎一字不差：多半是照搬了另一个项目的目标",
      "项目“{name}”的“预期目标”与第{other_no}个项目“{other}”的几乎一字不差（相同{similarity}）："
      "请写本项目自己的预期目标")
def goal_copied(ctx: Context):
    from difflib import SequenceMatcher
    projects = ctx.report.projects
    goals = [normalize_text(p.goal) if p.goal else "" for p in projects]
    matcher = SequenceMatcher(None, autojunk=False)
    # Earlier goals by length: a goal is compared only with those whose length allows the similarity at all
    # (the bound real_quick_ratio checks), in input order, not with every project before it.
    by_length: dict[int, list[int]] = {}
    for j, goal in enumerate(goals):
        if len(goal) < MIN_GOAL:
            continue
        size = len(goal)
        near = [indexes for other, indexes in by_length.items()
                if 2.0 * min(other, size) / (other + size) >= GOAL_SIMILARITY]
        matcher.set_seq2(goal)          # indexes this goal once for all the comparisons below
        for i in heapq.merge(*near):
            matcher.set_seq1(goals[i])
            # The cheap upper bounds rule out almost every pair before the full comparison.
            if matcher.real_quick_ratio() < GOAL_SIMILARITY or matcher.quick_ratio() < GOAL_SIMILARITY:
                continue
            ratio = matcher.ratio()
            if ratio >= GOAL_SIMILARITY:
                yield Hit(f"projects.{j}.goal", {"name": projects[j].name, "other_no": i + 1,
                                                 "other": projects[i].name, "similarity": f"{ratio:.0%}"})
                break
        by_length.setdefault(size, []).append(j)
