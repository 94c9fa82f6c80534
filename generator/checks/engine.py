"""The rule engine: rules declared once (code, severity, message template, test), run over computed results."""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
import re
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from ..catalog import AMOUNT_LABELS
from ..compute import Line, Results
from ..filters import amount
from ..numbers import amount_decimals
from ..pack import DEFAULT_PACK, Printed, load_pack
from ..problems import Problem, Severity

MAX_TYPED_DECIMALS = 4
"""Typed figures are compared at their own precision, but never finer than this (a float cell may carry 15 digits)."""


@dataclass(frozen=True)
class Hit:
    """One place where a rule's test failed, with the values its message template needs."""

    path: str
    fields: dict[str, Any] = field(default_factory=dict)
    details: tuple[str, ...] = ()
    """The breakdown shown folded under the message: the parts of a sum with their cells."""
    involves: tuple[str, ...] = ()
    """Model paths of every figure the finding rests on, besides `path` (the parts of a failed sum)."""


@dataclass(frozen=True)
class Rule:
    """A check: a code, a severity, what it checks, the message a preparer reads, and the test that finds the hits."""

    code: str
    severity: Severity
    summary: str
    template: str
    test: Callable[["Context"], Iterable[Hit]]

    def findings(self, ctx: "Context") -> Iterator[tuple[Problem, Hit]]:
        for hit in self.test(ctx):
            yield Problem(self.severity, ctx.place(hit.path), self.template.format(**hit.fields), self.code,
                          details=hit.details, path=hit.path, root=self.code in ROOT_CAUSES), hit

    def problems(self, ctx: "Context") -> Iterator[Problem]:
        for problem, _ in self.findings(ctx):
            yield problem


RULES: list[Rule] = []
"""Every rule, in the order its findings are listed (errors still come first after sorting)."""

ROOT_CAUSES = frozenset({"amount-scale"})
"""Rules whose finding is a cause: an amount typed in 元 breaks every sum and rate it takes part in, so it is listed
first, and the findings resting on its figure say they follow from it."""


def rule(code: str, severity: Severity, summary: str, template: str):
    """Register a test function as a rule."""
    def register(test: Callable[["Context"], Iterable[Hit]]):
        add_rule(Rule(code, severity, summary, template, test))
        return test
    return register


def add_rule(new: Rule) -> Rule:
    if any(r.code == new.code for r in RULES):
        raise ValueError(f"rule code {new.code} declared twice")
    RULES.append(new)
    return new


IDENTITIES: list[Callable[["Context"], Any]] = []
"""The evaluator of the sum identities, registered by sums.py as the rules are (the engine does not import it)."""


def identities(evaluate: Callable[["Context"], Any]) -> Callable[["Context"], Any]:
    """Register the function that evaluates every sum identity of a report (Context.identities calls it once)."""
    IDENTITIES[:] = [evaluate]
    return evaluate


def rule_by_code(code: str) -> Rule:
    return next(r for r in RULES if r.code == code)


def default_printed() -> Printed:
    """What the default pack's documents print, every document counted: for checks run without a pack."""
    return load_pack(DEFAULT_PACK).printed()


class Context:
    """What rules read: the results, places in the input, figures as presented, and the outcome of the sum identities."""

    def __init__(self, results: Results, unreadable: frozenset[str] = frozenset(),
                 printed: Printed | None = None) -> None:
        self.results = results
        self.report = results.report
        self.profile = results.profile
        self.unreadable = unreadable
        """Model paths of values the reader found but could not read (already reported as errors)."""
        self.printed = printed if printed is not None else default_printed()
        """What the package's documents print (the pack's 内容): a rule about a section or table the package does
        not print stays silent."""

    def unread(self, prefix: str) -> bool:
        """True when a value at or below this model path was typed but could not be read (its error says so)."""
        return any(p.startswith(prefix) for p in self.unreadable)

    def place(self, path: str) -> str:
        """Where the value at a model path was typed; for a field left empty, where its record (row, entry) is."""
        places = self.report.places
        if path in places:
            return places[path]
        sibling = self._first_below.get(path.rpartition(".")[0] + ".")
        return sibling if sibling is not None else self.report.place(path)

    @cached_property
    def _first_below(self) -> dict[str, str]:
        """For every path prefix ending in ".", the place of the first path below it in input order: looked up once
        per prefix instead of scanning every place for each finding at an empty field."""
        out: dict[str, str] = {}
        for key, place in self.report.places.items():
            end = key.find(".")
            while end != -1:
                out.setdefault(key[:end + 1], place)
                end = key.find(".", end + 1)
        return out

    def line(self, table: str, key: str) -> Line:
        return getattr(self.results, table)[key]

    def presented(self, table: str, key: str, column: str) -> Decimal | None:
        """A statement figure as the preparer presents it: as typed where typed, else computed from its parts."""
        line = self.line(table, key)
        stated = line.stated[column]
        return stated if stated is not None else line.values[column]

    @cached_property
    def identities(self):
        """Every sum identity, evaluated once (sums.py); later rules skip figures an identity already found wrong."""
        evaluate, = IDENTITIES
        return evaluate(self)

    def suspect(self, prefix: str) -> bool:
        """True when a failed sum identity involves a figure at or below this model path (its finding already
        covers it, so other rules stay silent about it)."""
        suspects = self._sorted_suspects
        # The first suspect not below the prefix in sorting order starts with it if any does.
        at = bisect_left(suspects, prefix)
        return at < len(suspects) and suspects[at].startswith(prefix)

    @cached_property
    def _sorted_suspects(self) -> list[str]:
        return sorted(self.identities.suspects)


SCOPES = {"单位信息": "unit", "收支情况": "finance", "三公经费": "three_public", "功能分类": "functional",
          "项目": "projects", "绩效指标": "indicators"}
"""The part of the model each sheet of the workbook fills."""

GAP_CODES = {"missing-sheet", "missing-column", "missing-header", "too-many-rows", "unknown-row", "missing-row-name",
             "unknown-project", "missing-owner", "duplicate-project", "structure"}
"""Reading problems after which a part of the input is incomplete: a row or a sheet was left out of the model."""

DEPENDS_ON = {
    "indicators": {"no-indicators", "no-department-indicators", "level1-weights", "indicator-weights-total",
                   "level1-unknown"},
    "finance": {"sum-mismatch", "balance-mismatch", "functional-sum-mismatch", "projects-exceed-spending",
                "no-actual"},
    "three_public": {"sum-mismatch"},
    "functional": {"functional-sum-mismatch"},
    "projects": {"projects-exceed-spending", "no-indicators", "level1-weights", "indicator-weights-total",
                 "no-actual"},
}
"""The rules that judge a whole part (a statement's totals, a project's set of indicators): silent while that part
is incomplete, since what they would report follows from the reading problem already reported."""


def gaps(read: list[Problem]) -> set[str]:
    """The parts of the model (SCOPES values) left incomplete by these reading problems."""
    out: set[str] = set()
    for problem in read:
        if problem.code not in GAP_CODES:
            continue
        if problem.path:
            out.add(problem.path.split(".")[0])
            continue
        named = re.search(r"工作表“([^”]+)”", problem.message)
        sheet = named[1] if named else problem.place.rpartition("!")[0]
        scope = SCOPES.get(sheet.strip())
        if scope is not None:
            out.add(scope)
    if "projects" in out:   # indicators belong to projects: a project left out leaves its indicators nowhere
        out.add("indicators")
    return out


def _in_gap(problem: Problem, hit: Hit, missing: set[str]) -> bool:
    paths = (hit.path, *hit.involves)
    for scope in missing:
        if problem.code in DEPENDS_ON.get(scope, ()) and (
                scope in ("indicators", "projects") or any(p.split(".")[0] == scope for p in paths)):
            return True
    return False


def run_checks(results: Results, read: list[Problem] | None = None,
               printed: Printed | None = None, synonyms: tuple | None = None) -> list[Problem]:
    """Every finding of every rule, in rule order and input order within each rule; a finding resting on a figure
    a root cause is about names that cause (Problem.cause) and says so. `read` are the problems of reading the
    input: a rule judging a part the reader could not complete stays silent. `printed` is what the package's documents
    print (None: what the default pack's documents print); `synonyms` the labels of the pack's wording (None: the
    bundled table)."""
    ctx = Context(results, frozenset(p.path for p in read or [] if p.severity is Severity.ERROR and p.path), printed)
    if synonyms:
        ctx.synonyms = synonyms     # the pack's wording for the text checks (prose.pack_synonyms)
    missing = gaps(read or [])
    # A cell the reader already reported an error at is not judged again: what a rule would say follows from it.
    reported = {p.place for p in read or [] if p.severity is Severity.ERROR and "!" in p.place}
    found = [(problem, hit) for r in RULES for problem, hit in r.findings(ctx)
             if not _in_gap(problem, hit, missing) and problem.place not in reported]
    roots = [(problem, _fed_by(problem.path)) for problem, _ in found if problem.root]
    out: list[Problem] = []
    for problem, hit in found:
        if not problem.root:
            paths = (hit.path, *hit.involves)
            cause = next((root for root, fed in roots
                          if any(p == f or p.startswith(f + ".") for p in paths for f in fed)), None)
            if cause is not None:
                problem = replace(problem, cause=cause.place,
                                  message=f"{problem.message}（由{cause.place}的金额引起，先改正该处）")
        out.append(problem)
    return out


def _fed_by(path: str) -> tuple[str, ...]:
    """The figures a root cause's figure feeds: a project's source amount feeds its stage total and the execution
    rate, score and total stated from it (projects.1.funds.actual.carryover → projects.1.funds.actual, …);
    a statement cell only itself (the sums it is part of name it among the figures they rest on)."""
    if path.startswith("projects.") and ".funds." in path:
        project, _, rest = path.partition(".funds.")
        stage = rest.split(".")[0]
        fed = [f"{project}.funds.{stage}"]
        if stage in ("budget", "actual"):
            fed += [f"{project}.stated_execution_rate", f"{project}.stated_execution_score", f"{project}.stated_total"]
        return tuple(fed)
    return (path,)


# ---------------------------------------------------------------- comparing and showing figures

def typed_decimals(value: Decimal) -> int:
    """How many decimals a typed Decimal carries: Decimal('54.35') → 2, Decimal('100') → 0."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):
        return 0
    return min(max(-exponent, 0), MAX_TYPED_DECIMALS)


def at_precision(value: Decimal, decimals: int) -> Decimal:
    """Round half up to the given number of decimals."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def same_as_typed(typed: Decimal, computed: Decimal) -> bool:
    """The computed figure, rounded to the precision the typed one was written with, equals it."""
    decimals = typed_decimals(typed)
    return at_precision(computed, decimals) == at_precision(typed, decimals)


def same_amount(a: Decimal, b: Decimal) -> bool:
    """Two amounts in 万元 agree when they agree at the coarser of their precisions, never coarser than the cent:
    59.958 and 59.957 differ, 59.958 and 59.96 agree (the second is the first as published)."""
    decimals = min(amount_decimals(a), amount_decimals(b))
    return at_precision(a, decimals) == at_precision(b, decimals)


def shown(value: Decimal | None) -> str:
    """A typed figure for a message: 2 decimals at most as published (1185.0 → 1185, 630.50 → 630.5), but a figure
    typed finer than a cent keeps its digits (0.9997), so the preparer recognises what they typed."""
    if value is None:
        return "（空）"
    if typed_decimals(value) > 2:
        return format(value.normalize(), "f")
    return amount(value)


def shown_computed(value: Decimal | None) -> str:
    """A computed amount or score rounded to 2 decimals, without trailing zeros (83.89, 630.5, 100)."""
    return amount(value) if value is not None else "（空）"


def column_label(column: str) -> str:
    return AMOUNT_LABELS[column]
