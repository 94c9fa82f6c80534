"""What the web page's worker processes do: check an upload, generate a package; plain data in, plain data out."""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from ..generate import GenerationError, generate
from ..pipeline import Evaluation, evaluate, summary
from ..problems import Problem, Severity, sort_problems
from .compare import compare
from .package import write_zip

logger = logging.getLogger(__name__)

OUT_DIR = "out"
ZIP_NAME = "package.zip"


def prepare(warm: bool) -> None:
    """A worker's start: generating the example once fills the per-process caches (compiled templates, fonts), so
    the first preparer served by this worker does not wait for them."""
    if not warm:
        return
    from ..examples import EXAMPLE

    with tempfile.TemporaryDirectory(prefix="jxzp-warm-") as scratch:
        try:
            generate(EXAMPLE, scratch, ("docx", "md"))
        except Exception:  # noqa: BLE001 — warming is an optimisation; a real generation will report the problem
            logger.warning("warming a worker failed", exc_info=True)


def check(path: str, shown_name: str, pack: str = "") -> dict:
    """The upload's evaluation under the chosen bundled pack ("" = the workbook's own) as the page shows it, with the
    unit's row of the bureau's 汇总表 (`overview`)."""
    evaluation = evaluate(Path(path), None, pack or None)
    out = summarize(evaluation, shown_name)
    out["overview"] = overview_data(evaluation, shown_name)
    return out


def overview_data(evaluation: Evaluation, shown_name: str) -> dict:
    """The unit's row of the 汇总表 as `jxzp generate 文件夹/` makes it, as plain data (Decimals as text)."""
    from dataclasses import asdict

    from ..batch import _row

    row = asdict(_row(evaluation, shown_name, ""))
    return {key: str(value) if isinstance(value, Decimal) else value for key, value in row.items()}


def summarize(evaluation: Evaluation, shown_name: str) -> dict:
    """What the page shows right after upload, formatted once by the shared filters; places name the browser's file."""
    problems = problem_dicts(evaluation.problems, evaluation.path.name, shown_name)
    out: dict = {
        "readable": evaluation.results is not None,
        "unreadable": evaluation.unreadable,
        # some values could not be read: the rest is checked and shown, but no package is made from it
        "incomplete": evaluation.incomplete,
        "problems": problems,
        "counts": {s.value: sum(1 for p in evaluation.problems if p.severity is s) for s in Severity},
    }
    shared = summary(evaluation)    # the command line's summary: the same verdict, the same figures
    if evaluation.results is not None:
        out.update({
            "unit": shared["单位"],
            "year": shared["年度"],
            "profile": shared["评分规则"],
            "pack": shared["模板包"],
            "department": _card(shared["部门整体"]),
            "projects": [{"name": p["项目名称"], "evaluated": bool(p["是否开展自评"]), **_card(p)}
                         for p in shared["项目"]],
        })
    return out


def _card(figures: dict) -> dict:
    return {"execution_rate": figures["执行率"], "total": figures["得分"], "grade": figures["等级"]}


def problem_dicts(problems: list[Problem], internal: str, shown: str) -> list[dict]:
    """Findings as plain dicts. `details` (the parts of a sum and their cells) is read defensively: findings made
    before the field existed have none. The rule code is kept for bureau staff and the JSON, not shown on the page."""
    return [{"severity": p.severity.value,
             "place": shown + p.place[len(internal):] if p.place.startswith(internal) else p.place,
             "message": p.message, "details": [str(d) for d in (getattr(p, "details", None) or [])],
             "code": p.code} for p in sort_problems(list(problems))]


def build(task: dict) -> dict:
    """Generate one upload's package in its folder, zip it and compare it with the unit's last package.

    task: folder (the job's folder), input_name, source_name, formats, force, base (the last package's folder, or
    None). The returned dict is what the job records; "failed" is set when the input cannot be generated.
    """
    started = time.perf_counter()
    folder = Path(task["folder"])
    out = folder / OUT_DIR
    base = Path(task["base"]) if task.get("base") else None
    if base is not None:
        _seed(base, out)
    try:
        generated = generate(folder / task["input_name"], out, tuple(task["formats"]), pack=task.get("pack"),
                             force=task["force"])
    except GenerationError as exc:
        return {"failed": str(exc).replace(task["input_name"], task["source_name"]),
                "failure": problem_dicts(exc.problems, task["input_name"], task["source_name"]),
                "seconds": time.perf_counter() - started}
    package = generated.folder
    for stray in out.iterdir():     # a seeded package of another folder name (the unit was renamed meanwhile)
        if stray.is_dir() and stray.name != package.name:
            shutil.rmtree(stray, ignore_errors=True)
    files = _ordered(list(generated.files), task.get("files_before") or [])
    write_zip(package, files, folder / ZIP_NAME)
    changes = None
    if base is not None and base.is_dir():
        changes = compare(base, package)
    return {"folder": package.name, "files": files, "sizes": [(package / f).stat().st_size for f in files],
            "forced": bool(generated.forced), "changes": changes, "seconds": time.perf_counter() - started}


def _seed(base: Path, out: Path) -> None:
    """The unit's last package as hard links where this one will be written: the library then re-renders only what
    the new input changes (the same as regenerating into one output folder at the command line). Links, not copies:
    no file is duplicated, and the earlier package is never written to (the writer replaces files, it does not edit
    them)."""
    target = out / base.name
    try:
        for path in sorted(base.rglob("*")):
            if path.is_file():
                link = target / path.relative_to(base)
                link.parent.mkdir(parents=True, exist_ok=True)
                os.link(path, link)
    except OSError:     # another file system, or the earlier package was cleaned up meanwhile: generate in full
        shutil.rmtree(target, ignore_errors=True)


def _ordered(files: list[str], before: list[str]) -> list[str]:
    """Files already listed keep their place (the page addresses them by index), new ones follow."""
    if not before:
        return files
    kept = [f for f in before if f in files]
    return kept + [f for f in files if f not in kept]
