"""One input through the stages: read → profile → compute → check; the library entry point of the CLI and the web page."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from .checks import run_checks
from .checks.prose import pack_synonyms
from .checks.texts import apply_pack_texts
from .compute import Results, compute
from .problems import InputError, Problem, Severity, sort_problems
from .model import Report
from .pack import DEFAULT_PACK, PROFILE_FILE, Pack, PackError, bundled_packs, load_pack
from .profile import Profile, load_profile, load_profile_file
from .readers import collector_paused, read_input
from .render.context import package_context

logger = logging.getLogger(__name__)


@dataclass
class Evaluation:
    """An input file read, scored and checked; `results` is None when the input could not be used."""

    path: Path
    results: Results | None
    problems: list[Problem] = field(default_factory=list)
    unreadable: bool = False
    pack: Pack | None = None
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


def choose_pack(report: Report, pack: str | Path | None = None) -> Pack:
    """The command line's pack (a name or a folder), else the workbook's 模板 (a bundled name only), else the pack
    named as the workbook's 评分规则, else 全国."""
    if pack:
        return load_pack(pack)
    unit = report.unit
    if unit.pack:
        try:
            return load_pack(unit.pack, allow_dir=False)
        except PackError as exc:
            raise InputError(report.source, [Problem(Severity.ERROR, report.place("unit.pack"), str(exc), "pack")],
                             unreadable=True) from None
    if unit.profile and unit.profile.strip() in bundled_packs():
        return load_pack(unit.profile.strip(), allow_dir=False)
    return load_pack(DEFAULT_PACK)


def choose_profile(report: Report, pack: Pack, profile: str | Path | None = None) -> Profile:
    """The command line's profile (a name or a file), else the workbook's 评分规则 (a bundled name only), else the
    pack's own 评分规则.yaml."""
    if profile:
        return load_profile(profile, allow_path=True)
    if report.unit.profile:
        return load_profile(report.unit.profile, place=report.place("unit.profile"))
    return load_profile_file(pack.need(PROFILE_FILE))


def evaluate(path: str | Path, profile: str | Path | None = None, pack: str | Path | None = None) -> Evaluation:
    """Read, compute and check one input; never raises for a problem of the input (a bad --pack or --profile of
    the command line is reported as this input's problem too)."""
    with collector_paused():
        return _evaluate(Path(path), profile, pack)


def _evaluate(path: Path, profile: str | Path | None, pack: str | Path | None) -> Evaluation:
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
        chosen_pack = choose_pack(report, pack)
        chosen = choose_profile(report, chosen_pack, profile)
        read_problems = [*read_problems, *apply_pack_texts(report, chosen_pack)]
        synonyms = pack_synonyms(chosen_pack)
    except PackError as exc:
        return Evaluation(path, None, [Problem(Severity.ERROR, "", str(exc), "pack")], unreadable=True)
    except InputError as exc:
        return Evaluation(path, None, sort_problems(exc.problems), unreadable=exc.unreadable)
    results = compute(report, chosen)
    try:
        printed = chosen_pack.printed(report.unit.skip, package_context(results, chosen_pack, report.unit.skip))
    except PackError as exc:         # a pack.yaml 条件 that cannot be computed
        return Evaluation(path, None, [Problem(Severity.ERROR, "", str(exc), "pack")], unreadable=True)
    problems = sort_problems([*read_problems, *run_checks(results, read_problems, printed, synonyms)])
    return Evaluation(path, results, problems, incomplete=incomplete, pack=chosen_pack)
