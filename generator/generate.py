"""Generate one unit's publication package: evaluate → views → charts, .docx, .md → one atomic write."""
from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import __version__
from .pipeline import Evaluation, evaluate
from .problems import Problem, Severity
from .render.charts import ChartFontError, render_chart
from .render.context import TemplateProblem
from .render.docx import DocInfo, all_tables_docx, render_docx
from .render.markdown import render_md
from .render.pdf import PdfError, convert
from .render.views import Package, build_package
from .writer import WriteError, write_package

logger = logging.getLogger(__name__)

DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
FORMATS = ("docx", "md", "pdf")
DEPARTMENT_DOCX = "部门整体支出绩效自评报告.docx"
PROJECT_DOCX = "项目支出绩效自评报告.docx"
ALL_TABLES_DOCX = "项目支出绩效自评表（全部项目）.docx"
DEPARTMENT_MD = "部门整体支出绩效自评报告.md.j2"
PROJECT_MD = "项目支出绩效自评报告.md.j2"
CHECKS_MD = "校验报告.md.j2"
PROJECT_DIR = "项目支出绩效自评报告"
TABLES_DIR = "附表"
CHARTS_DIR = "图表"


class GenerationError(Exception):
    """The package of one input was not generated; `problems` (if any) are the input's, `str()` says why."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass
class Generated:
    """One package written: where, which files, what validation found, how long it took."""

    input: Path
    folder: Path
    files: list[str]
    evaluation: Evaluation
    seconds: float
    forced: bool = False
    notes: list[str] = field(default_factory=list)


def parse_formats(text: str) -> tuple[str, ...]:
    """"docx,md,pdf" → ("docx", "md", "pdf"); ValueError with a Chinese message for anything else."""
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in text.replace("，", ",").split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise ValueError(f"不支持的格式“{'、'.join(unknown) or text}”：--format 只能是 docx、md、pdf 中的一个或几个，用逗号分隔")
    return chosen


def template_paths(templates: Path | None) -> dict[str, Path]:
    """Each template in the unit's folder when given and present there, else the bundled default."""
    chosen: dict[str, Path] = {}
    for name in (DEPARTMENT_DOCX, PROJECT_DOCX, ALL_TABLES_DOCX, DEPARTMENT_MD, PROJECT_MD, CHECKS_MD):
        own = templates / name if templates is not None else None
        chosen[name] = own if own is not None and own.is_file() else DEFAULT_TEMPLATES / name
    return chosen


def _file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _stamp(evaluation: Evaluation) -> datetime:
    unit = evaluation.results.report.unit
    day = unit.report_date
    return datetime(day.year, day.month, day.day) if day else datetime(unit.year + 1, 1, 1)


def checks_context(evaluation: Evaluation, forced: bool) -> dict:
    res = evaluation.results
    groups = []
    counts = {}
    for severity in Severity:
        items = [{"place": p.place, "message": p.message} for p in evaluation.problems if p.severity is severity]
        counts[severity.value] = len(items)
        groups.append({"name": severity.value, "problems": items})
    return {"unit_name": res.report.unit.name, "year": res.report.unit.year, "source": evaluation.path.name,
            "profile": res.profile.name, "groups": groups, "counts": counts, "forced": forced}


def render_package(evaluation: Evaluation, formats: tuple[str, ...], templates: dict[str, Path],
                   forced: bool) -> tuple[Package, dict[str, bytes]]:
    """Every file of the package in memory (PDFs excepted: they need the .docx on disk)."""
    results = evaluation.results
    package = build_package(results)
    errors = len(evaluation.errors)
    failed = (f"本材料未通过校验（{errors}个错误，见校验报告.md），仅供核对，改正后请重新生成，不得公开。"
              if errors else "")
    files: dict[str, bytes] = {}
    images = {spec.key: render_chart(spec) for spec in package.charts}
    for key, data in images.items():
        files[f"{CHARTS_DIR}/{key}.png"] = data
    author = results.report.unit.name
    stamp = _stamp(evaluation)
    extra = {"failed_check": failed}
    dept = package.department
    if "docx" in formats or "pdf" in formats:
        files[f"{dept.file_stem}.docx"] = render_docx(
            templates[DEPARTMENT_DOCX], dept, images, DocInfo("".join(dept.title_lines), author, stamp), extra)
        for project in package.projects:
            files[f"{PROJECT_DIR}/{project.file_stem}.docx"] = render_docx(
                templates[PROJECT_DOCX], project, images, DocInfo(project.title_lines[0], author, stamp), extra)
        if package.projects:
            files[f"{TABLES_DIR}/{ALL_TABLES_DOCX}"] = all_tables_docx(
                templates[ALL_TABLES_DOCX], [p.table for p in package.projects], package.all_tables_title,
                DocInfo(package.all_tables_title, author, stamp))
    if "md" in formats:
        files[f"{dept.file_stem}.md"] = render_md(templates[DEPARTMENT_MD], dept, CHARTS_DIR, extra).encode("utf-8")
        for project in package.projects:
            files[f"{PROJECT_DIR}/{project.file_stem}.md"] = render_md(
                templates[PROJECT_MD], project, f"../{CHARTS_DIR}", extra).encode("utf-8")
    checks = render_md(templates[CHECKS_MD], None, CHARTS_DIR, checks_context(evaluation, forced))
    files["校验报告.md"] = checks.encode("utf-8")
    return package, files


def generate(path: str | Path, out_dir: str | Path = "outputs", formats: tuple[str, ...] = ("docx", "md"),
             templates: str | Path | None = None, force: bool = False, profile: str | None = None) -> Generated:
    """Validate one input and write its package; GenerationError (Chinese message) when it cannot be done."""
    started = time.perf_counter()
    path = Path(path)
    if templates is not None and not Path(templates).is_dir():
        raise GenerationError(f"模板文件夹 {templates} 不存在：--templates 应指向放有自定义模板的文件夹")
    evaluation = evaluate(path, profile)
    if evaluation.results is None:
        raise GenerationError(f"{path.name} 无法读取，未生成任何文件：", evaluation.problems)
    if evaluation.errors and not force:
        raise GenerationError(
            f"{path.name} 有 {len(evaluation.errors)} 个错误，未生成：请先改正下列问题（或加 --force 强制生成标注“未通过校验”的材料）：",
            evaluation.errors)
    forced = bool(evaluation.errors)
    try:
        package, files = render_package(evaluation, formats, template_paths(Path(templates) if templates else None),
                                        forced)
    except (TemplateProblem, ChartFontError) as exc:
        raise GenerationError(str(exc)) from None

    def to_pdf(staging: Path) -> None:
        if "pdf" not in formats:
            return
        documents = sorted(staging.rglob("*.docx"))
        convert(documents)
        if "docx" not in formats:
            for doc in documents:
                doc.unlink()

    head = {"生成器": "jxzp", "版本": __version__, "输入文件": path.name, "输入sha256": _file_sha256(path),
            "评分规则": evaluation.results.profile.name, "格式": list(formats), "未通过校验": forced}
    try:
        folder = write_package(Path(out_dir), package.folder, files, head, after_staging=to_pdf)
    except (PdfError, WriteError) as exc:
        raise GenerationError(str(exc)) from None
    written = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return Generated(path, folder, written, evaluation, time.perf_counter() - started, forced)
