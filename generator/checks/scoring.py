"""Findings of scoring: indicators that could not be scored as typed, missing budgets."""
from __future__ import annotations

from ..compute import Results, Scorecard
from ..model import DEPARTMENT
from ..problems import Problem, Severity


def _card_findings(results: Results, card: Scorecard, prefix: str, who: str) -> list[Problem]:
    report = results.report
    out: list[Problem] = []
    for s in card.indicators:
        if s.note is None:
            continue
        severity = Severity.ERROR if s.basis == "无法计分" else Severity.HINT
        if s.basis == "按等级计分" and s.note:
            severity = Severity.ERROR
        place = report.place(f"{prefix}.{s.index}.actual" if severity is not Severity.ERROR or s.basis != "按等级计分"
                             else f"{prefix}.{s.index}.stated_score")
        out.append(Problem(severity, place, f"{who}指标“{s.indicator.name}”：{s.note}", "indicator-score"))
    return out


def scoring_findings(results: Results) -> list[Problem]:
    report = results.report
    out: list[Problem] = []
    for pr in results.evaluated_projects:
        prefix = f"projects.{pr.index}"
        name = pr.project.name
        if pr.card.budget is None or pr.card.budget == 0:
            out.append(Problem(Severity.ERROR, report.place(f"{prefix}.funds.budget"),
                               f"项目“{name}”的全年预算数未填写或为0，无法计算执行率：请填写全年预算数（万元）", "no-budget"))
        if not pr.project.indicators:
            out.append(Problem(Severity.WARNING, report.place(f"{prefix}.name"),
                               f"项目“{name}”没有绩效指标，无法计算得分：请在“绩效指标”中按项目名称填写指标，或把“是否开展自评”改为“否”",
                               "no-indicators"))
        out += _card_findings(results, pr.card, f"{prefix}.indicators", f"项目“{name}”的")
    out += _card_findings(results, results.department, "indicators", f"{DEPARTMENT}")
    if not report.indicators:
        out.append(Problem(Severity.WARNING, report.place("unit.name"),
                           "未填写部门整体绩效指标，无法计算部门整体自评得分：请在“绩效指标”中以“部门整体”填写指标", "no-department-indicators"))
    return out
