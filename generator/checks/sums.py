"""Sum identities, declared as data: every total against the figures it is the sum of, as the preparer presents them.

A typed total is compared with the sum of its parts *as presented* (a typed sub-total where there is one, the
computed one otherwise), and a figure already found in a failed identity is not compared again, so one typo
yields one finding, not a cascade up the statement.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..catalog import FINANCE_ROWS, ROWS_BY_KEY, THREE_PUBLIC_ROWS, Row
from ..model import AMOUNT_COLUMNS, FUND_STAGES
from ..problems import Severity
from .engine import Context, Hit, Rule, add_rule, column_label, identities, same_amount, shown, shown_computed

ZERO = Decimal(0)

TABLES = {"finance": ("收支情况", FINANCE_ROWS), "three_public": ("三公经费", THREE_PUBLIC_ROWS)}
"""The statements whose rows declare sums (catalog.Row.parts): every column of each is checked."""

FUND_SOURCES = (("current", "当年财政拨款"), ("carryover", "上年结转资金"), ("other", "其他资金"))
"""A project's 合计 at each stage = these sources (model.Funds)."""

FUND_STAGE_LABELS = {"initial_budget": "年初预算数", "budget": "全年预算数", "actual": "全年执行数"}

BALANCE = (("年初结转和结余", "本年收入合计"), ("本年支出合计", "年末结转和结余"))
"""年初结转和结余 + 本年收入合计 = 本年支出合计 + 年末结转和结余, checked where 年末结转和结余 is given."""

FUNCTIONAL_TOTAL = "一般公共预算财政拨款支出"
"""The statement row that expenditure by functional class (功能分类) must add up to, where both are given."""


@dataclass(frozen=True)
class Term:
    """A figure taking part in an identity: its model path, its name, its value as presented."""

    path: str
    label: str
    value: Decimal | None
    typed: bool = True
    leaves: tuple["Term", ...] = ()

    def describe(self, ctx: Context) -> str:
        """'项目支出 655.59（x.yaml:33）', or for a computed sub-total the typed figures it was computed from."""
        if self.typed or not self.leaves:
            return f"{self.label} {shown(self.value)}（{ctx.place(self.path)}）"
        inner = " + ".join(leaf.describe(ctx) for leaf in self.leaves if leaf.value is not None)
        return f"{self.label} {shown_computed(self.value)}（未填，按 {inner} 计算）"

    def paths(self) -> set[str]:
        out = {self.path}
        for leaf in self.leaves:
            out |= leaf.paths()
        return out


@dataclass(frozen=True)
class Identity:
    """left = right, one column of one identity; `code` names the rule that reports it."""

    code: str
    column: str
    left: tuple[Term, ...]
    right: tuple[Term, ...]
    where: str
    subject: str
    complete: bool = False


@dataclass(frozen=True)
class Failure:
    identity: Identity
    left: Decimal
    right: Decimal


@dataclass
class Identities:
    """The failed identities, and every figure they involve (suspects, not compared again)."""

    failures: list[Failure] = field(default_factory=list)
    suspects: set[str] = field(default_factory=set)


# ---------------------------------------------------------------- terms

def statement_term(ctx: Context, table: str, key: str, column: str) -> Term:
    line = ctx.line(table, key)
    path = f"{table}.{key}.{column}"
    stated = line.stated[column]
    if stated is not None:
        return Term(path, key, stated)
    row = ROWS_BY_KEY[key]
    leaves = tuple(statement_term(ctx, table, p, column) for p in row.parts)
    return Term(path, key, line.values[column], typed=False, leaves=leaves)


def _depth(row: Row) -> int:
    return 1 + max((_depth(ROWS_BY_KEY[p]) for p in row.parts), default=0) if row.parts else 0


# ---------------------------------------------------------------- the identities of a report

def statement_identities(ctx: Context) -> list[Identity]:
    out: list[Identity] = []
    for table, (table_label, rows) in TABLES.items():
        totals = sorted((r for r in rows if r.parts), key=_depth)    # sub-totals before the totals built on them
        for row in totals:
            for column in AMOUNT_COLUMNS:
                total = statement_term(ctx, table, row.key, column)
                if not total.typed:
                    continue
                parts = tuple(statement_term(ctx, table, p, column) for p in row.parts)
                out.append(Identity("sum-mismatch", column, (total,), parts, total.path,
                                    f"{table_label}“{row.key}”的{column_label(column)}",
                                    complete=row.itemized))
    return out


def balance_identities(ctx: Context) -> list[Identity]:
    out: list[Identity] = []
    for column in AMOUNT_COLUMNS:
        closing = ctx.line("finance", "年末结转和结余").stated[column]
        if closing is None or any(ctx.presented("finance", k, column) is None for k in ("本年收入合计", "本年支出合计")):
            continue
        left = tuple(statement_term(ctx, "finance", k, column) for k in BALANCE[0])
        right = tuple(statement_term(ctx, "finance", k, column) for k in BALANCE[1])
        out.append(Identity("balance-mismatch", column, left, right, f"finance.年末结转和结余.{column}",
                            f"收支情况的{column_label(column)}"))
    return out


def functional_identities(ctx: Context) -> list[Identity]:
    out: list[Identity] = []
    items = ctx.report.functional
    for column in AMOUNT_COLUMNS:
        total = ctx.line("finance", FUNCTIONAL_TOTAL).stated[column]
        parts = tuple(Term(f"functional.{i}.amounts.{column}", f"{item.code or ''}{item.name}",
                           getattr(item.amounts, column)) for i, item in enumerate(items))
        if total is None or all(p.value is None for p in parts):
            continue
        path = f"finance.{FUNCTIONAL_TOTAL}.{column}"
        out.append(Identity("functional-sum-mismatch", column, (Term(path, FUNCTIONAL_TOTAL, total),), parts, path,
                            f"收支情况“{FUNCTIONAL_TOTAL}”的{column_label(column)}"))
    return out


def fund_identities(ctx: Context) -> list[Identity]:
    out: list[Identity] = []
    for i, project in enumerate(ctx.report.projects):
        for stage in FUND_STAGES:
            funds = getattr(project.funds, stage)
            if funds.stated_total is None or not funds.parts:
                continue
            prefix = f"projects.{i}.funds.{stage}"
            parts = tuple(Term(f"{prefix}.{name}", label, getattr(funds, name)) for name, label in FUND_SOURCES)
            total = Term(f"{prefix}.stated_total", "合计", funds.stated_total)
            out.append(Identity("fund-sum-mismatch", stage, (total,), parts, total.path,
                                f"项目“{project.name}”{FUND_STAGE_LABELS[stage]}的合计"))
    return out


@identities
def evaluate_identities(ctx: Context) -> Identities:
    """Check every identity in order; skip one whose figures a failed identity already involves."""
    found = Identities()
    for identity in (*statement_identities(ctx), *balance_identities(ctx), *functional_identities(ctx),
                     *fund_identities(ctx)):
        terms = (*identity.left, *identity.right)
        if any(t.path in found.suspects for t in terms):
            continue
        if identity.complete and any(t.value is None for t in identity.right):
            continue
        if all(t.value is None for t in identity.right):
            continue
        left = sum((t.value for t in identity.left if t.value is not None), ZERO)
        right = sum((t.value for t in identity.right if t.value is not None), ZERO)
        if same_amount(left, right):
            continue
        found.failures.append(Failure(identity, left, right))
        for t in terms:
            found.suspects |= t.paths()
    return found


# ---------------------------------------------------------------- the rules

def _same_failure(a: Failure, b: Failure) -> bool:
    """The same identity failing with the same figures in two columns (one typing, copied across): one finding."""
    ia, ib = a.identity, b.identity
    return (ia.code == ib.code and ia.subject.rsplit("的", 1)[0] == ib.subject.rsplit("的", 1)[0]
            and [t.value for t in (*ia.left, *ia.right)] == [t.value for t in (*ib.left, *ib.right)]
            and [t.label for t in ia.right] == [t.label for t in ib.right])


def _merged(failures: list[Failure], code: str) -> list[tuple[Failure, list[str]]]:
    out: list[tuple[Failure, list[str]]] = []
    for failure in failures:
        if failure.identity.code != code:
            continue
        twin = next((entry for entry in out if _same_failure(entry[0], failure)), None)
        if twin is not None:
            twin[1].append(failure.identity.column)
        else:
            out.append((failure, [failure.identity.column]))
    return out


def _sum_hits(code: str):
    def test(ctx: Context):
        for failure, columns in _merged(ctx.identities.failures, code):
            identity = failure.identity
            subject = identity.subject
            if len(columns) > 1:
                subject = subject.rsplit("的", 1)[0] + "的" + "、".join(column_label(c) for c in columns)
            terms = (*identity.left, *identity.right) if len(identity.left) > 1 else identity.right
            details = tuple(t.describe(ctx) for t in terms if t.value is not None) or ("各项均未填",)
            involved = tuple(sorted(set().union(*(t.paths() for t in (*identity.left, *identity.right)))))
            yield Hit(identity.where, {
                "subject": subject,
                "stated": shown(identity.left[0].value) if len(identity.left) == 1 else shown_computed(failure.left),
                "computed": shown_computed(failure.right),
                "left_sum": shown_computed(failure.left),
                "diff": shown_computed(abs(failure.left - failure.right)),
            }, details=details, involves=involved)
    return test


add_rule(Rule(
    "sum-mismatch", Severity.ERROR,
    "收支情况、三公经费的合计行与其各项之和不符（每一列；基本支出＝人员经费＋公用经费在两项都填时核对）",
    "{subject}填报为{stated}万元，各项之和为{computed}万元，相差{diff}万元：请核对合计与各项金额，改正填错的一项",
    _sum_hits("sum-mismatch")))

add_rule(Rule(
    "balance-mismatch", Severity.ERROR,
    "年初结转和结余＋本年收入合计≠本年支出合计＋年末结转和结余（填了年末结转和结余的列）",
    "{subject}不平衡：年初结转和结余＋本年收入合计为{left_sum}万元，本年支出合计＋年末结转和结余为{computed}万元，"
    "相差{diff}万元：请核对这几项金额，收支应平衡",
    _sum_hits("balance-mismatch")))

add_rule(Rule(
    "functional-sum-mismatch", Severity.ERROR,
    "功能分类各科目之和与一般公共预算财政拨款支出不符（两者都填的列）",
    "{subject}填报为{stated}万元，功能分类各科目之和为{computed}万元，相差{diff}万元："
    "请核对功能分类金额或一般公共预算财政拨款支出",
    _sum_hits("functional-sum-mismatch")))

add_rule(Rule(
    "fund-sum-mismatch", Severity.ERROR,
    "项目资金的合计与当年财政拨款＋上年结转资金＋其他资金不符（年初预算数、全年预算数、全年执行数）",
    "{subject}填报为{stated}万元，各来源之和为{computed}万元，相差{diff}万元：请核对合计与各来源金额",
    _sum_hits("fund-sum-mismatch")))
