"""One input through the stages: read → profile → compute → check; the library entry point of the CLI and the web page."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from .checks import run_checks
from .compute import Results, compute
from .problems import InputError, Problem, Severity, sort_problems
from .profile import load_profile
from .readers import read_input

logger = logging.getLogger(__name__)


@dataclass
class Evaluation:
    """An input file read, scored and checked; `results` is None when the input could not be used."""

    path: Path
    results: Results | None
    problems: list[Problem] = field(default_factory=list)
    unreadable: bool = False
    incomplete: bool = False
    """Some values could not be read (a blank 分值, a text where an amount belongs): the rest is scored and checked,
    but no package is made from it, not even with --force."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    def in_doubt(self, project: int | None = None) -> tuple[bool, bool]:
        """(execution rate, score and grade) of the department (None) or of a project (its index) rest on a figure
        reported as wrong — an error, or a root cause such as an amount in 元 — and are not to be shown beside it."""
        if project is None:
            funds = tuple(f"finance.{key}." for key in _expenditure_rows())
            indicators: tuple[str, ...] = ("indicators.",)
        else:
            funds, indicators = (f"projects.{project}.funds.",), (f"projects.{project}.indicators.",)
        rate = self._touches(funds)
        return rate, rate or self._touches(indicators)

    def _touches(self, prefixes: tuple[str, ...]) -> bool:
        # A finding that follows from a root cause is counted at its cause, not where it shows.
        return any((p.severity is Severity.ERROR and not p.cause or p.root) and p.path.startswith(prefixes)
                   for p in self.problems)


def _expenditure_rows() -> tuple[str, ...]:
    """The statement rows the department's execution rate is computed from: 本年支出合计 and what it adds up."""
    from .catalog import ROWS_BY_KEY
    keys, todo = [], ["本年支出合计"]
    while todo:
        key = todo.pop()
        keys.append(key)
        todo += ROWS_BY_KEY[key].parts
    return tuple(keys)


def evaluate(path: str | Path, profile: str | None = None) -> Evaluation:
    """Read, compute and check one input; never raises for a problem of the input."""
    path = Path(path)
    incomplete = False
    try:
        try:
            report, read_problems = read_input(path)
        except InputError as exc:
            if exc.report is None:
                raise
            # Values that could not be read stop only what depends on them: the rest is checked in this pass.
            report, read_problems = exc.report, exc.problems
            incomplete = True
        chosen = load_profile(profile or report.unit.profile, base_dir=path.parent)
    except InputError as exc:
        return Evaluation(path, None, sort_problems(exc.problems), unreadable=exc.unreadable)
    results = compute(report, chosen)
    problems = sort_problems([*read_problems, *run_checks(results, read_problems)])
    return Evaluation(path, results, problems, incomplete=incomplete)
