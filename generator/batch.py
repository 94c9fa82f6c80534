"""Many inputs at once: find them, generate each (in parallel), collect outcomes for the bureau's overview."""
from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from .pipeline import HELD
from .problems import Problem, Severity
from .readers import SUFFIXES, other_format
from .render.overview import OverviewRow, overview_md, overview_xlsx

logger = logging.getLogger(__name__)

OVERVIEW_DIR = "汇总"
OVERVIEW_NAME = "各单位绩效自评汇总表"


@dataclass
class Outcome:
    """What became of one input: generated (with its overview row) or not (with the reasons)."""

    path: Path
    ok: bool
    row: OverviewRow
    folder: Path | None = None
    files: int = 0
    seconds: float = 0.0
    message: str = ""
    problems: list[Problem] = field(default_factory=list)
    forced: bool = False
    changes: object | None = None


def collect_inputs(paths: Iterable[Path], out_dir: Path | None = None) -> tuple[list[Path], list[str]]:
    """Input files given directly or found in folders (not recursing into hidden ones, nor into `out_dir`'s 汇总
    folder: an output folder inside the inputs' folder holds the 汇总表, no unit's input); messages for what is not."""
    found: list[Path] = []
    missing: list[str] = []
    overview = (Path(out_dir) / OVERVIEW_DIR).resolve() if out_dir is not None else None
    for path in paths:
        path = Path(path)
        if path.is_dir():
            # A workbook saved in another format is a unit's all the same: listed, and refused by the reader.
            inside = sorted(p for p in path.rglob("*") if p.is_file()
                            and (p.suffix.lower() in SUFFIXES or other_format(p) is not None)
                            and not p.name.startswith(("~$", ".")) and not any(part.startswith(".") for part in
                                                                                 p.relative_to(path).parts[:-1])
                            and p.resolve().parent != overview)
            if not inside:
                missing.append(f"{path}：文件夹中没有 .xlsx 或 .yaml 填报文件")
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            missing.append(f"{path}：找不到这个文件或文件夹，请检查路径")
    unique = list(dict.fromkeys(p.resolve() for p in found))
    return unique, missing


def _row(evaluation, source: str, status: str) -> OverviewRow:
    if evaluation is None or evaluation.results is None:
        errors = len(evaluation.errors) if evaluation is not None else 1
        return OverviewRow(unit=source, year=None, budget=None, actual=None, score=None, grade=None, projects=None,
                           lowest=None, errors=max(errors, 1), warnings=0, source=source, status=status)
    res = evaluation.results
    unit = res.report.unit
    dept = res.department
    verdict = evaluation.verdict(None)      # the score and grade validate gives (held back, or the unit's own)
    evaluated = res.evaluated_projects
    verdicts = [evaluation.verdict(p.index) for p in evaluated]
    scores = [v.total for v in verdicts if v.total is not None and not v.stated]
    return OverviewRow(unit=unit.short_name or unit.name, year=unit.year, budget=dept.budget, actual=dept.actual,
                       score=verdict.total, stated=verdict.stated, grade=HELD if verdict.held else verdict.grade,
                       projects=len(evaluated),
                       lowest=min(scores) if scores and len(scores) == len(verdicts) else None,
                       errors=len(evaluation.errors), warnings=len(evaluation.warnings), source=source, status=status)


def generate_one(path: Path, options: dict, index: int = 0) -> Outcome:
    """Generate one input; never raises for a problem of the input (the worker of a batch). `options["claims"]`,
    when given, is the batch's folder of claims and `index` this input's place in the batch."""
    from .generate import Claims, DuplicateInput, GenerationError, generate

    claims = Claims(Path(options["claims"]), index) if options.get("claims") else None
    try:
        done = generate(path, **{**options, "claims": claims})
    except DuplicateInput as exc:
        row = replace(_row(exc.evaluation, path.name, f"未生成：与 {exc.owner} 重复"), duplicate=True)
        return Outcome(path, False, row, message=str(exc))
    except GenerationError as exc:
        status = "未生成：" + ("无法读取" if exc.evaluation is None or exc.evaluation.unreadable else "有错误")
        return Outcome(path, False, _row(exc.evaluation, path.name, status), message=str(exc),
                       problems=list(exc.problems))
    finally:
        if claims is not None:
            claims.leave()
    status = "已生成（未通过校验）" if done.forced else "已生成"
    return Outcome(path, True, _row(done.evaluation, path.name, status), folder=done.folder, files=len(done.files),
                   seconds=done.seconds, forced=done.forced, changes=getattr(done, "changes", None))


def _worker(job: tuple[Path, dict, int]) -> Outcome:
    return generate_one(*job)


def _quiet_worker() -> None:
    """Workers leave Ctrl-C to the main process, which stops them with SIGTERM; they then end as a plain exit
    (the package being written is cleaned up by the writer), not with a traceback of their own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(130))


def generate_batch(paths: list[Path], options: dict, jobs: int = 1, progress: bool = False,
                   on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Every input generated, in parallel when jobs > 1; outcomes in input order whatever finishes first.

    `progress` shows a rich progress bar (for a terminal); `on_done` sees each outcome as it arrives, in order.
    """
    bar = None
    if progress:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        bar = Progress(TextColumn("生成中"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       TextColumn("{task.description}"), transient=True)
    outcomes: list[Outcome] = []

    def done(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if bar is not None:
            bar.update(task, advance=1, description=outcome.path.name)
        if on_done is not None:
            on_done(outcome)

    with bar if bar is not None else _Null():
        task = bar.add_task("", total=len(paths)) if bar is not None else None
        if jobs <= 1 or len(paths) <= 1:
            for index, path in enumerate(paths):
                done(generate_one(path, options, index))
        else:
            # Each worker process compiles the templates once and keeps them for all the units it renders.
            pool = ProcessPoolExecutor(max_workers=min(jobs, len(paths)), initializer=_quiet_worker)
            try:
                for outcome in pool.map(_worker, [(p, options, i) for i, p in enumerate(paths)], chunksize=1):
                    done(outcome)
            except BaseException:
                for process in list((getattr(pool, "_processes", None) or {}).values()):
                    process.terminate()
                pool.shutdown(wait=True, cancel_futures=True)
                raise
            pool.shutdown(wait=True)
    return outcomes


class _Null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc) -> None:
        return None


def overview_files(outcomes: list[Outcome]) -> dict[str, bytes]:
    """汇总/各单位绩效自评汇总表.xlsx and .md for the outcomes of a batch."""
    rows = [o.row for o in outcomes]
    years = sorted({r.year for r in rows if r.year is not None})
    span = f"{years[0]}年度" if len(years) == 1 else (f"{years[0]}—{years[-1]}年度" if years else "")
    title = f"{span}各单位绩效自评汇总表"
    return {
        f"{OVERVIEW_DIR}/{OVERVIEW_NAME}.xlsx": overview_xlsx(rows, title),
        f"{OVERVIEW_DIR}/{OVERVIEW_NAME}.md": overview_md(rows, title).encode("utf-8"),
    }


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


__all__ = ["collect_inputs", "generate_batch", "generate_one", "overview_files", "Outcome", "Severity"]
