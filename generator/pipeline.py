"""One input through the stages: read → profile → compute → check; the library entry point of the CLI and the web page."""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path

from .checks import run_checks
from .checks.prose import pack_synonyms
from .checks.texts import apply_pack_texts
from .compute import HELD, ProjectResult, Results, Scorecard, compute
from .filters import percent, score, typed
from .problems import InputError, Problem, Severity, sort_problems
from .model import Report
from .pack import DEFAULT_PACK, PROFILE_FILE, Pack, PackError, bundled_packs, load_pack
from .profile import Profile, load_profile, load_profile_file
from .readers import collector_paused, read_input
from .readers.layout import WEIGHT_COLUMN
from .render.context import package_context

logger = logging.getLogger(__name__)

@dataclass(frozen=True)
class Verdict:
    """One scorecard as every output states it (validate, JSON, web page, manifest, documents).

    `held`: the score and grade rest on a figure reported as wrong and are not given; `total` and `grade` are the
    computed ones, else the unit's own (`stated`) where none can be computed; None where there is nothing to say."""

    rate: Decimal | None
    total: Decimal | None
    grade: str | None
    held: bool = False
    stated: bool = False

    def figures(self) -> dict[str, str]:
        """执行率, 得分, 等级 as the command line and the web page print them (“—” for what is not given)."""
        # The unit's own score as it typed it (92, not 92.00): the report prints it so, and every output says the same.
        return {"执行率": percent(self.rate), "得分": typed(self.total) if self.stated else score(self.total),
                "等级": HELD if self.held else self.grade or "未评分",
                "得分依据": "—" if self.held or self.total is None else "单位填报" if self.stated else "计算"}


@dataclass
class Evaluation:
    """An input file read, scored and checked; `results` is None when the input could not be used."""

    path: Path
    results: Results | None
    problems: list[Problem] = field(default_factory=list)
    unreadable: bool = False
    pack: Pack | None = None
    profile_source: str = ""
    """Where the scoring profile came from: the command line, the input's 评分规则, or the pack's 评分规则.yaml."""
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
        reported as wrong — an error, or a root cause such as an amount in 元 — and are not to be shown beside it.
        The rate rests on the two columns it divides (决算 and the profile's 全年 or 年初 budget), not on the others."""
        columns = (self.results.profile.execution_base, "actual") if self.results is not None else ("budget", "actual")
        if project is None:
            funds = tuple(f"finance.{key}.{column}" for key in _expenditure_rows() for column in columns)
            indicators: tuple[str, ...] = ("indicators.",)
        else:
            funds = tuple(f"projects.{project}.funds.{column}." for column in columns)
            indicators = (f"projects.{project}.indicators.",)
        rate = self._touches(funds, project)
        return rate, rate or self._touches(indicators, project)

    def verdict(self, project: int | None = None) -> Verdict:
        """What every output says of the department's (None) or a project's (its index) rate, score and grade."""
        res = self.results
        if project is None:
            card, unit = res.department, res.report.unit
            stated_total, stated_grade = unit.stated_total, unit.stated_grade
        else:
            card, mine = res.projects[project].card, res.projects[project].project
            stated_total, stated_grade = mine.stated_total, mine.stated_grade
        rate_doubtful, held = self.in_doubt(project)
        rate = None if rate_doubtful else card.execution_rate
        if held:
            return Verdict(rate, None, None, held=True)
        if card.total is not None:
            return Verdict(rate, card.total, card.grade)
        stated = stated_total is not None or bool(stated_grade)
        return Verdict(rate, stated_total, stated_grade or None, stated=stated)

    @cached_property
    def shown(self) -> Results:
        """The results as the documents and the manifest may state them: a card whose score rests on a figure
        reported as wrong (a --force package) has no total, grade or capped score, and `held` set; a doubtful
        execution rate is left out with its score. Every other figure is the computed one."""
        res = self.results
        department = _held_back(res.department, *self.in_doubt(None))
        projects = [ProjectResult(pr.project, pr.index, _held_back(pr.card, *self.in_doubt(pr.index)))
                    for pr in res.projects]
        if department is res.department and all(a.card is b.card for a, b in zip(projects, res.projects)):
            return res
        return dataclasses.replace(res, department=department, projects=projects)

    def _touches(self, prefixes: tuple[str, ...], project: int | None) -> bool:
        return any(path.startswith(prefixes) for path in self._doubts.get(project, ()))

    @cached_property
    def _doubts(self) -> dict[int | None, list[str]]:
        """The paths of the findings a figure may rest on, by project index (None: the rest), gathered once — a
        package asks for every project's verdict, and 20,000 projects must not each scan every finding."""
        out: dict[int | None, list[str]] = {}
        for p in self.problems:
            # A finding that follows from a root cause is counted at its cause, not where it shows.
            if (p.severity is Severity.ERROR and not p.cause or p.root) and p.path:
                parts = p.path.split(".", 2)
                owner = int(parts[1]) if parts[0] == "projects" and len(parts) > 1 and parts[1].isdigit() else None
                out.setdefault(owner, []).append(p.path)
        return out


def _held_back(card: Scorecard, rate_doubtful: bool, held: bool) -> Scorecard:
    """The card as outputs may state it (Evaluation.shown)."""
    if not (rate_doubtful or held):
        return card
    changes: dict = {"held": held}
    if rate_doubtful:
        changes.update(execution_rate=None, execution_score=None,
                       execution_rows=tuple(dataclasses.replace(r, rate=None, score=None) for r in card.execution_rows))
    if held:
        changes.update(total=None, uncapped_total=None, grade=None)
    return dataclasses.replace(card, **changes)


def summary(evaluation: Evaluation) -> dict:
    """The one summary of an evaluation the command line (validate, --json) and the web page show: unit, year,
    the pack and profile it was scored with, the department's and each project's rate, score and grade as
    `Verdict.figures`, and the findings."""
    out: dict = {"文件": str(evaluation.path), "可读取": not evaluation.unreadable}
    res = evaluation.results
    if res is not None:
        unit = res.report.unit
        pack = evaluation.pack
        out.update({
            "单位": unit.name, "年度": unit.year, "评分规则": res.profile.name,
            "评分规则来源": evaluation.profile_source, "模板包": pack.name if pack is not None else "",
            "部门整体": evaluation.verdict(None).figures(),
            "项目": [{"项目名称": p.project.name, "是否开展自评": p.project.evaluated,
                      **evaluation.verdict(p.index).figures()} for p in res.projects],
        })
    out["问题"] = [p.as_dict() for p in evaluation.problems]
    out["错误数"] = len(evaluation.errors)
    out["警告数"] = len(evaluation.warnings)
    return out


def _expenditure_rows() -> tuple[str, ...]:
    """The statement rows the department's execution rate is computed from: 本年支出合计 and what it adds up."""
    from .catalog import ROWS_BY_KEY
    keys, todo = [], ["本年支出合计"]
    while todo:
        key = todo.pop()
        keys.append(key)
        todo += ROWS_BY_KEY[key].parts
    return tuple(keys)


def _is_weight(path: str) -> bool:
    """The model path of an indicator's 分值 (indicators.3.weight, projects.0.indicators.2.weight), or of the
    绩效指标 sheet's 分值 column."""
    parts = path.split(".")
    return len(parts) >= 3 and parts[-1] == "weight" and parts[-3] == "indicators"


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


def choose_profile(report: Report, pack: Pack, profile: str | Path | None = None) -> tuple[Profile, str]:
    """The command line's profile (a name or a file), else the workbook's 评分规则 (a bundled name only), else the
    pack's own 评分规则.yaml; with where it came from, as validate --json says it."""
    if profile:
        return load_profile(profile, allow_path=True), "命令行 --profile"
    if report.unit.profile:
        return (load_profile(report.unit.profile, place=report.place("unit.profile")),
                f"填报的“评分规则”（{report.place('unit.profile')}）")
    return load_profile_file(pack.need(PROFILE_FILE)), f"模板包“{pack.name}”的 {PROFILE_FILE}"


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
        chosen, source = choose_profile(report, chosen_pack, profile)
        read_problems = [*read_problems, *apply_pack_texts(report, chosen_pack)]
        synonyms = pack_synonyms(chosen_pack)
    except PackError as exc:
        return Evaluation(path, None, [Problem(Severity.ERROR, "", str(exc), "pack")], unreadable=True)
    except InputError as exc:
        return Evaluation(path, None, sort_problems(exc.problems), unreadable=exc.unreadable)
    if not chosen.weights_given:
        # A profile whose indicators carry no 分值 (the unit states each score): a blank 分值, or no 分值 column at
        # all, is no mistake.
        read_problems = [p for p in read_problems if not _is_weight(p.path)]
        incomplete = incomplete and any(p.severity is Severity.ERROR for p in read_problems)
    elif any(p.path == WEIGHT_COLUMN for p in read_problems):
        # The missing column is said once, not again for every indicator that lacks its 分值.
        read_problems = [p for p in read_problems if not (p.code == "missing" and _is_weight(p.path))]
    results = compute(report, chosen)
    try:
        context = package_context(results, chosen_pack, report.unit.skip, chosen_pack.condition_names)
        printed = chosen_pack.printed(report.unit.skip, context)
    except PackError as exc:         # a pack.yaml 条件 that cannot be computed
        return Evaluation(path, None, [Problem(Severity.ERROR, "", str(exc), "pack")], unreadable=True)
    problems = sort_problems([*read_problems, *run_checks(results, read_problems, printed, synonyms)])
    return Evaluation(path, results, problems, incomplete=incomplete, pack=chosen_pack, profile_source=source)
