"""Properties of the checks on the correct base input: any one amount off by 0.01 万元 or more is found, at its place;
statements that add up, whatever their figures, give no finding.

Amounts covered by the first property: every amount that takes part in a sum identity of the input —
- each typed total of 收支情况 and 三公经费 (catalog rows with parts) and each typed part of it, in every column;
- 一般公共预算财政拨款支出 and every 功能分类 amount, in the columns where both are given;
- each project's 合计 and its sources (当年财政拨款, 上年结转资金, 其他资金) at every stage where 合计 is typed.
Not covered, and why: 政府采购支出 and 机关运行经费 are in no identity (only the 元-among-万元 scale rule sees them,
at 1000×); 楼堂馆所 investments meet only a control rate typed to 0.01%, which cannot resolve 0.01 万元 in 500 万元;
headcounts are not amounts.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.catalog import FINANCE_ROWS, THREE_PUBLIC_ROWS
from generator.checks import run_checks
from generator.compute import compute
from generator.model import AMOUNT_COLUMNS, FUND_STAGES, Amounts, Report
from generator.profile import load_profile
from generator.readers import read_input

BASE = Path(__file__).resolve().parent / "fixtures" / "checks" / "base.yaml"
REPORT, _ = read_input(BASE)
PROFILE = load_profile("全国")
SOURCES = ("current", "carryover", "other")


def covered_paths(report: Report) -> list[str]:
    out: set[str] = set()
    for table, rows in (("finance", FINANCE_ROWS), ("three_public", THREE_PUBLIC_ROWS)):
        typed = getattr(report, table)
        for row in rows:
            for column in AMOUNT_COLUMNS:
                if not row.parts or row.key not in typed or getattr(typed[row.key], column) is None:
                    continue
                out.add(f"{table}.{row.key}.{column}")
                out |= {f"{table}.{p}.{column}" for p in row.parts
                        if p in typed and getattr(typed[p], column) is not None}
    total = report.finance.get("一般公共预算财政拨款支出")
    for column in AMOUNT_COLUMNS:
        parts = [f"functional.{i}.amounts.{column}" for i, f in enumerate(report.functional)
                 if getattr(f.amounts, column) is not None]
        if total is not None and getattr(total, column) is not None and parts:
            out |= {f"finance.一般公共预算财政拨款支出.{column}", *parts}
    for i, project in enumerate(report.projects):
        for stage in FUND_STAGES:
            funds = getattr(project.funds, stage)
            if funds.stated_total is not None and funds.parts:
                out.add(f"projects.{i}.funds.{stage}.stated_total")
                out |= {f"projects.{i}.funds.{stage}.{s}" for s in SOURCES if getattr(funds, s) is not None}
    return sorted(out)


COVERED = covered_paths(REPORT)


def _owner(report: Report, path: str):
    """The object holding the amount at a model path, and the attribute name."""
    *head, attribute = path.split(".")
    node = report
    for part in head:
        node = node[part] if isinstance(node, dict) else node[int(part)] if isinstance(node, list) else getattr(node, part)
    return node, attribute


def test_the_covered_amounts_are_all_the_identity_amounts_of_the_base_input():
    assert len(COVERED) == 83
    assert "finance.政府采购支出.actual" not in COVERED and "finance.机关运行经费.actual" not in COVERED
    places = [REPORT.place(p) for p in COVERED]
    assert len(set(places)) == len(places), "each covered amount has a place of its own"


deltas = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(5000), places=2)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(COVERED), delta=deltas, up=st.booleans())
def test_one_amount_off_by_a_cent_or_more_is_found_at_its_place(path, delta, up):
    report = REPORT.model_copy(deep=True)
    node, attribute = _owner(report, path)
    setattr(node, attribute, getattr(node, attribute) + (delta if up else -delta))
    problems = run_checks(compute(report, PROFILE))
    place = report.place(path)
    assert any(p.place == place or any(f"（{place}）" in line for line in p.details) for p in problems), \
        (path, [str(p) for p in problems])


money = st.decimals(min_value=Decimal(1), max_value=Decimal(900), places=2)


@st.composite
def consistent_statements(draw) -> Report:
    """The base input with fresh figures everywhere a total is typed, each total the exact sum of its parts."""
    report = REPORT.model_copy(deep=True)
    unit = report.unit
    unit.budget_management = unit.conclusion = None           # prose about the old figures
    unit.stated_execution_rate = unit.stated_execution_score = unit.stated_total = unit.stated_grade = None
    finance, three = report.finance, report.three_public
    for column in AMOUNT_COLUMNS:
        if column not in ("last_year", "actual"):
            continue
        income = [draw(money) for _ in range(2)]
        finance["一般公共预算财政拨款收入"].__setattr__(column, income[0])
        finance["其他收入"].__setattr__(column, income[1])
        finance["本年收入合计"].__setattr__(column, sum(income))
        staff, office = draw(money), draw(money)
        projects = sum((getattr(p.funds, column if column != "last_year" else "actual").total or 0
                        for p in report.projects), Decimal(0)) if column == "actual" else draw(money)
        project_spending = projects + (draw(money) if column == "last_year" else Decimal(0))
        for key, value in (("人员经费", staff), ("公用经费", office), ("基本支出", staff + office),
                           ("项目支出", project_spending), ("本年支出合计", staff + office + project_spending)):
            setattr(finance[key], column, value)
        parts = [draw(money) for _ in range(2)]
        setattr(three["公务用车运行维护费"], column, parts[0])
        setattr(three["公务接待费"], column, parts[1])
        setattr(three["三公经费合计"], column, sum(parts))
    opening = draw(money)
    closing = opening + finance["本年收入合计"].actual - finance["本年支出合计"].actual
    finance["年初结转和结余"] = Amounts(决算数=opening)
    finance["年末结转和结余"] = Amounts(决算数=closing)
    finance["收入总计"] = Amounts(决算数=opening + finance["本年收入合计"].actual)
    finance["支出总计"] = Amounts(决算数=finance["本年支出合计"].actual + closing)
    functional = [draw(money) for _ in report.functional]
    for item, value in zip(report.functional, functional):
        item.amounts.actual = value
    finance["一般公共预算财政拨款支出"].actual = sum(functional)
    for row in ("本年收入合计", "本年支出合计", "基本支出", "人员经费", "公用经费", "项目支出", "一般公共预算财政拨款收入",
                "其他收入"):
        finance[row].initial_budget = finance[row].budget = None
    for row in three.values():
        row.initial_budget = row.budget = None
    finance["一般公共预算财政拨款支出"].budget = None
    for item in report.functional:
        item.amounts.budget = None
    return report


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report=consistent_statements())
def test_statements_that_add_up_give_no_finding(report):
    problems = run_checks(compute(report, PROFILE))
    assert [str(p) for p in problems] == []
