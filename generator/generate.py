"""Generate one unit's publication package: evaluate → the pack's templates (charts, .docx, .md) → one atomic write."""
from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import __version__
from .compute import Results
from .pipeline import Evaluation, evaluate
from .problems import Problem, Severity
from .filters import file_name, money, score
from .model import DEPARTMENT, PROJECT_TEXTS
from .pack import EACH_PROJECT, PACK_FILE, Pack, PackError
from .render.charts import ChartFontError, render_chart, svg_chart
from .render.context import chart_specs, package_context
from .render.documents import CHART_SUFFIX, DocInfo, renderer_for
from .render.environment import TemplateProblem
from .render.views import READS
from .render.pdf import PdfError, convert
from .writer import Keep, Previous, Prints, WriteError, read_previous, write_package

logger = logging.getLogger(__name__)

FORMATS = ("docx", "md", "pdf")
CHART_MODES = ("native", "picture")     # charts in the .docx: Word charts (editable) or PNG pictures


class GenerationError(Exception):
    """The package of one input was not generated; `problems` (if any) are the input's, `str()` says why."""

    def __init__(self, message: str, problems: list[Problem] | None = None,
                 evaluation: Evaluation | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []
        self.evaluation = evaluation


class DuplicateInput(GenerationError):
    """In a batch, an input for a unit and year an earlier input already has (`owner`, its file name)."""

    def __init__(self, message: str, owner: str, evaluation: Evaluation) -> None:
        super().__init__(message, evaluation=evaluation)
        self.owner = owner


@dataclass
class Generated:
    """One package written: where, which files, what validation found, how long it took."""

    input: Path
    folder: Path
    files: list[str]
    evaluation: Evaluation
    seconds: float
    forced: bool = False
    changes: Changes | None = None


@dataclass(frozen=True)
class Changes:
    """What a regeneration changed in an existing package: files rewritten, added, removed; figures that moved."""

    files_changed: list[str]
    files_added: list[str]
    files_removed: list[str]
    figures: list[str]

    @property
    def empty(self) -> bool:
        return not (self.files_changed or self.files_added or self.files_removed or self.figures)


def parse_formats(text: str) -> tuple[str, ...]:
    """"docx,md,pdf" → ("docx", "md", "pdf"); ValueError with a Chinese message for anything else."""
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in text.replace("，", ",").split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise ValueError(f"不支持的格式“{'、'.join(unknown) or text}”：--format 只能是 docx、md、pdf 中的一个或几个，用逗号分隔")
    return chosen


def _file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _stamp(evaluation: Evaluation) -> datetime:
    unit = evaluation.results.report.unit
    day = unit.report_date
    return datetime(day.year, day.month, day.day) if day else datetime(unit.year + 1, 1, 1)


DOCUMENT_VARIABLES = ("failed_check", "texts", "captions", "charts", "fallback", "item", "document_title",
                      "figure", "figure_no", "table")
"""What each document's templates are given besides the package context (render_package; figure, figure_no and
table by render.documents): with package_context and checks_context, every name a template may use (pack check
names any other; tests/test_pack_tools.py checks that a real generation gives no other)."""


def checks_context(evaluation: Evaluation, forced: bool) -> dict:
    res = evaluation.results
    groups = []
    counts = {}
    for severity in Severity:
        items = [{"place": p.place, "message": p.message, "code": p.code, "details": list(p.details), "cause": p.cause}
                 for p in evaluation.problems if p.severity is severity]
        counts[severity.value] = len(items)
        groups.append({"name": severity.value, "problems": items})
    return {"unit_name": res.report.unit.name, "year": res.report.unit.year, "source": evaluation.path.name,
            "profile": res.profile.name, "groups": groups, "counts": counts, "forced": forced}


def fingerprint(*parts: object) -> str:
    """What a file is made from (generator version, template, view): equal fingerprints give equal files."""
    return hashlib.sha256(repr((__version__, *parts)).encode("utf-8")).hexdigest()


def digest(*parts: object) -> str:
    """A part of fingerprints, digested once: the text of the values (repr, or a model's JSON given as text)."""
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


def _names(pattern: str) -> str:
    """A rendered file pattern made safe: each folder and file name cleaned, no empty or climbing segment."""
    parts = [file_name(part, limit=60) for part in pattern.replace("\\", "/").split("/") if part.strip(" .")]
    return "/".join(parts) or "未命名"


def render_package(evaluation: Evaluation, formats: tuple[str, ...], pack: Pack, forced: bool,
                   out_dir: Path | None = None, chart_mode: str = "native",
                   on_folder: Callable[[str], None] | None = None,
                   ) -> tuple[str, dict[str, bytes | Keep], Prints, Previous]:
    """Every file of the package (PDFs excepted: they need the .docx on disk), each file's fingerprint and what it
    read, and the previous package found in `out_dir`; the pack decides which documents, their names and content.
    `on_folder` hears the package folder's name as soon as it is known, before anything is rendered.

    A file whose fingerprint equals the previous package's is not rendered again: it comes back as Keep.
    """
    results = evaluation.shown     # a --force package states no score or grade that validate holds back
    report = results.report
    unit = report.unit
    renderer = renderer_for(pack)
    skip = {name.strip() for name in unit.skip}
    context = package_context(results, pack, skip)
    errors = len(evaluation.errors)
    context.update(failed_check=errors if errors else 0, texts=pack.texts,
                   captions={k: c.caption for k, c in pack.charts.items()})
    produced = pack.produces(skip, context)
    folder = file_name(renderer.text(pack.folder, context, "pack.yaml 文件夹"), limit=80)
    _own_folder(folder, unit, pack)
    if on_folder is not None:
        on_folder(folder)
    plan = _plan(pack, produced, context, renderer)
    previous = read_previous(Path(out_dir) / folder) if out_dir is not None else Previous(Path("."))
    # The charts the pack declares, with the data they need; any document may place one (figure() of the
    # templates), and a chart is drawn and written only where a document places it.
    charts = chart_specs(results, pack.charts, {k: renderer.text(c.title, context, f"pack.yaml 图表.{k}")
                                                for k, c in pack.charts.items()}, pack.chart_font)
    context["charts"] = {spec.key: spec for spec in charts}
    files: dict[str, bytes | Keep] = {}
    prints: dict[str, str] = {}
    reads: dict[str, list[str]] = {}
    failures: list[str] = []
    read_print = _part_prints(evaluation, results)

    def make(relative: str, parts: tuple, build) -> None:
        """The file `relative`, made by `build` unless what it was made from is unchanged: `parts`, and what the
        previous file read of the projects and the department (views.Tracked; the manifest's 依据)."""
        before = previous.reads.get(relative, [])
        key = fingerprint(renderer.fingerprint, *parts, [(r, read_print(r)) for r in before])
        sha = previous.unchanged(relative, key)
        if sha:
            files[relative], prints[relative], reads[relative] = Keep(sha), key, before
            return
        noted: set[str] = set()
        token = READS.set(noted)
        try:
            files[relative] = build()
        except TemplateProblem as exc:      # every template's problem is listed, not only the first one met
            if str(exc) not in failures:
                failures.append(str(exc))
            return
        finally:
            READS.reset(token)
        reads[relative] = sorted(noted)
        prints[relative] = fingerprint(renderer.fingerprint, *parts, [(r, read_print(r)) for r in reads[relative]])

    charts_dir = _names(pack.charts_folder)
    word = "docx" in formats or "pdf" in formats
    placed: set[str] = set()            # charts the rendered Markdown documents link to

    class Pictures(dict):
        """PNG pictures for Word's picture mode, drawn (matplotlib) when a document places one."""

        def __missing__(self, key: str) -> bytes:
            self[key] = value = render_chart(context["charts"][key])
            return value

    # Word charts (native or pictures) are drawn from their specs, which are also what they are made of.
    images = Pictures() if chart_mode == "picture" else {spec.key: spec for spec in charts}
    chart_prints = digest(chart_mode, *charts)
    author = unit.name
    stamp = _stamp(evaluation)
    # What any document may show besides the projects and the department, whose parts it is made again for only when
    # what it read of them changed (make). Each part is put in text once and digested.
    base = digest(unit, report.finance, report.three_public, report.functional, report.buildings,
                  results.project_totals, context["facts"], context["attachments"], results.profile, errors, formats,
                  chart_prints, [(pr.index, pr.project.evaluated) for pr in results.projects])
    # A per-project document is about one project: which one is part of what it is made from.
    subjects = {id(item): pr.index for item, pr in zip(context["projects"], results.evaluated_projects)}

    def document(name: str, stem: str, spec, ctx: dict, parts: tuple, md: bool = "md" in formats) -> None:
        title = renderer.text(spec.title, ctx, f"{PACK_FILE} 文档.{name}.标题") if spec.title else stem.rsplit("/", 1)[-1]
        ctx = {**ctx, "document_title": title}      # a template may print the document's own title (pack.yaml 标题)
        depth = stem.count("/")
        if word:
            info = DocInfo(title, author, stamp)
            make(f"{stem}.docx", (spec, parts, info, chart_prints),
                 lambda: renderer.docx(spec.template, ctx, images, info))
        if md:
            image_dir = "/".join([".."] * depth + [charts_dir])
            make(f"{stem}.md", (spec, parts, image_dir, title),
                 lambda: renderer.md(spec.template, ctx, image_dir, placed).encode("utf-8"))

    checks = None
    for name, stem, spec, item in plan:
        # What a section prints when the unit left it empty: only what the pack's 内容 gives as 空时.
        own = {**context, "fallback": {label: s.fallback for label, s in spec.content.items() if s.fallback}}
        if spec.check_report:
            # Its text version is written in every format: the command line and the web page point the preparer to it.
            checks = checks or checks_context(evaluation, forced)
            document(name, stem, spec, {**own, **checks}, (base, repr(checks)), md=True)
        elif item is not None:
            document(name, stem, spec, {**own, "item": item}, (base, subjects[id(item)]))
        else:
            document(name, stem, spec, own, (base,))
    # One SVG file per chart a Markdown document links to: placed while rendering, or linked by a kept document
    # (unchanged, so it links what it linked before). No chart file that no document uses.
    for relative, data in list(files.items()):
        if len(placed) == len(charts):
            break
        if relative.endswith(".md") and isinstance(data, Keep):
            text = previous.read(relative).decode("utf-8", "replace")
            placed.update(spec.key for spec in charts if f"{charts_dir}/{spec.key}{CHART_SUFFIX})" in text)
    for spec in charts:
        if spec.key in placed:
            make(f"{charts_dir}/{spec.key}{CHART_SUFFIX}", (spec,), lambda spec=spec: svg_chart(spec))
    if failures:
        raise TemplateProblem("\n".join(failures))
    return folder, files, Prints(prints, reads), previous


def _part_prints(evaluation: Evaluation, results: Results) -> Callable[[str], str]:
    """What a document read of a part of the package (views.Tracked), as text to fingerprint, each digested once:
    "3" project 3's model without its free texts, with its number and what its figures are held back for; "3.problems"
    one free text; "3.*" all of it; the department's indicators and scorecard. "-" for a part that is gone."""
    numbers = {pr.index: n for n, pr in enumerate(results.evaluated_projects, 1)}
    done: dict[str, str] = {}

    def read_print(key: str) -> str:
        found = done.get(key)
        if found is not None:
            return found
        part, _, name = key.partition(".")
        if part == DEPARTMENT:
            value = digest(results.report.indicators, results.department)
        elif not (part.isascii() and part.isdigit() and len(part) < 10) or int(part) >= len(results.projects) \
                or name not in ("", "*", *PROJECT_TEXTS):     # (the manifest is a file anybody may have edited)
            value = "-"
        elif name in PROJECT_TEXTS:
            value = digest(getattr(results.projects[int(part)].project, name))
        else:
            pr = results.projects[int(part)]
            model = pr.project.model_dump_json(exclude=None if name == "*" else set(PROJECT_TEXTS))
            value = digest(model, numbers.get(pr.index), evaluation.in_doubt(pr.index))
        done[key] = value
        return value

    return read_print


def _plan(pack: Pack, produced: dict, context: dict, renderer) -> list[tuple[str, str, object, object]]:
    """(document name, file stem, document, project item or None) of every document of the package, in pack order; refused with
    the names when two of them would write one file, so no document silently replaces another."""
    plan = []
    owners: dict[str, str] = {}
    for name, spec in produced.items():
        items = pack.items_for(name, spec, context) if spec.scope == EACH_PROJECT else [None]
        for item in items:
            ctx = {**context, "item": item} if item is not None else context
            stem = _names(renderer.text(spec.file, ctx, f"{PACK_FILE} 文档.{name}.文件"))
            who = f"“{name}”" + (f"（项目“{item.project.name}”）" if item is not None else "")
            other = owners.get(stem.casefold())       # one file on a case-insensitive disk (Windows, macOS)
            if other is not None:
                if other.startswith(f"“{name}”（"):
                    raise PackError(f"模板包“{pack.name}”的 {PACK_FILE} 中“文档.{name}.文件”对不同项目得出同一个文件名“{stem}”"
                                    f"（{other}与{who}）：每个项目的文件会互相覆盖，请在文件名中用 {{{{ item.project.name }}}} 或 "
                                    "{{ item.number }}，使每个项目的文件名不同")
                raise PackError(f"模板包“{pack.name}”的 {PACK_FILE} 中文档{other}与{who}都要写入“{stem}”："
                                "后写的会覆盖先写的，请改其中一个的“文件”")
            owners[stem.casefold()] = who
            plan.append((name, stem, spec, item))
    return plan


def _own_folder(folder: str, unit, pack: Pack) -> None:
    """The package folder names its unit and year, so one unit's package cannot replace another's in an output
    folder shared by several units (a batch, the web server)."""
    names = [n for n in (unit.short_name, unit.name) if n and n.strip()]
    year = str(unit.year)
    if year not in folder or not any(file_name(n, limit=80)[:12] in folder for n in names):
        raise PackError(f"模板包“{pack.name}”的 {PACK_FILE} 中“文件夹”得出的“{folder}”不含单位名称和评价年度：各单位的材料会"
                        "写进同一个文件夹而互相覆盖，请在“文件夹”中用 {{ unit.short_name or unit.name }} 和 {{ year }}")


@dataclass(frozen=True)
class Claims:
    """Who owns a package folder in a batch: of the inputs for one unit and year, the earliest in the batch's order,
    whatever finishes first — so parallel and single-process runs refuse the same input and write the same files.

    Each input leaves a mark in `folder` named by its `index` when it knows its package folder (or that it will
    write none), and an input reaching its folder waits for the marks of the inputs before it. Those were handed
    out earlier and never wait for a later one, so the wait ends."""

    folder: Path
    index: int

    def take(self, name: str, path: Path, evaluation: Evaluation) -> None:
        """Claim the package folder `name` for `path`; GenerationError naming the earlier input that holds it."""
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()
        self._mark(f"{digest} {path}")
        for index in range(self.index):
            held, _, owner = self._wait(index).partition(" ")
            if held == digest:
                raise DuplicateInput(f"{path.name} 与 {Path(owner).name} 是同一单位同一年度（{name}），未生成：同一批次中每个"
                                     "单位每年只能有一份填报文件，请删除重复的一份", Path(owner).name, evaluation)

    def leave(self) -> None:
        """Mark an input that writes no package (it failed before its folder was known), unless it has a mark."""
        if not self._path(self.index).exists():
            self._mark("-")

    def _path(self, index: int) -> Path:
        return self.folder / f"{index:06d}"

    def _mark(self, text: str) -> None:
        temp = self.folder / f".{self.index:06d}.{os.getpid()}"
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, self._path(self.index))          # whole or not there: a reader never sees half a mark

    def _wait(self, index: int) -> str:
        pause = 0.001
        while True:
            try:
                return self._path(index).read_text(encoding="utf-8")
            except FileNotFoundError:
                time.sleep(pause)
                pause = min(pause * 2, 0.05)


def key_figures(evaluation: Evaluation) -> dict[str, str]:
    """The figures a preparer watches, as displayed: department and project rates, amounts, scores, grades — rates,
    scores and grades as validate gives them (pipeline.Verdict)."""
    results = evaluation.shown
    dept = evaluation.verdict(None).figures()
    figures = {
        "部门整体 执行率": dept["执行率"],
        "部门整体 得分": dept["得分"],
        "部门整体 等级": dept["等级"] if dept["等级"] != "未评分" else "—",
        "本年收入合计": money(results.finance["本年收入合计"].actual),
        "本年支出合计": money(results.finance["本年支出合计"].actual),
    }
    for item in results.department.indicators:
        figures[f"部门整体 {item.indicator.name} 得分"] = score(item.score)
    for pr in results.projects:
        name = pr.project.name
        shown = evaluation.verdict(pr.index).figures()
        figures[f"{name} 全年预算数"] = money(pr.card.budget)
        figures[f"{name} 全年执行数"] = money(pr.card.actual)
        figures[f"{name} 执行率"] = shown["执行率"]
        if pr.project.evaluated:
            figures[f"{name} 项目得分"] = shown["得分"]
            figures[f"{name} 等级"] = shown["等级"] if shown["等级"] != "未评分" else "—"
            for item in pr.card.indicators:
                figures[f"{name} {item.indicator.name} 得分"] = score(item.score)
    return figures


def moved(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """「城市社区党建 项目得分 8.50 → 9.00」 for every figure that differs, in the order of the new package."""
    if not before:          # a package written before figures were recorded: nothing to compare with
        return []
    lines = [f"{label} {before[label]} → {value}" for label, value in after.items()
             if label in before and before[label] != value]
    lines += [f"{label} 新增 {value}" for label, value in after.items() if label not in before]
    lines += [f"{label} 已删除（原为 {value}）" for label, value in before.items() if label not in after]
    return lines


def generate(path: str | Path, out_dir: str | Path = "outputs", formats: tuple[str, ...] = ("docx", "md"),
             pack: str | Path | None = None, force: bool = False, profile: str | None = None,
             strict: bool = False, claims: Claims | None = None, charts: str = "native") -> Generated:
    """Validate one input and write its package; GenerationError (Chinese message) when it cannot be done.

    `pack` (a bundled pack's name or a pack folder) overrides the pack the input names; `profile` likewise;
    `claims` (in a batch) refuses an input whose unit and year an earlier input of the batch has.
    """
    started = time.perf_counter()
    path = Path(path)
    if charts not in CHART_MODES:
        raise GenerationError(f"图表方式“{charts}”不支持：--charts 只能是 native（Word 原生图表）或 picture（图片）")
    evaluation = evaluate(path, profile, pack)
    if evaluation.results is None:
        if evaluation.problems and all(p.code in ("pack", "profile") for p in evaluation.problems):
            raise GenerationError("未生成任何文件：" + "；".join(str(p) for p in evaluation.problems),
                                  evaluation.problems, evaluation)
        raise GenerationError(f"{path.name} 无法读取，未生成任何文件：", evaluation.problems, evaluation)
    if evaluation.incomplete:
        raise GenerationError(f"{path.name} 有填错或漏填、无法读取的内容，未生成（--force 也不能生成缺了内容的材料）："
                              "请先改正下列问题：", evaluation.errors, evaluation)
    blocking = [*evaluation.errors, *(evaluation.warnings if strict else [])]
    if blocking and not force:
        counted = f"{len(evaluation.errors)} 个错误" + (f"、{len(evaluation.warnings)} 个警告（--strict）" if strict else "")
        raise GenerationError(
            f"{path.name} 有 {counted}，未生成：请先改正下列问题（或加 --force 强制生成标注“未通过校验”的材料）：",
            blocking, evaluation)
    forced = bool(blocking)
    out_dir = Path(out_dir)
    try:
        # In a batch the folder is claimed before rendering: a later input for the same unit and year waits for
        # the claims of earlier inputs only as long as their checks take.
        claim = (lambda name: claims.take(name, path, evaluation)) if claims is not None else None
        folder, files, prints, previous = render_package(evaluation, formats, evaluation.pack, forced, out_dir, charts,
                                                         on_folder=claim)
    except (TemplateProblem, PackError, ChartFontError) as exc:
        raise GenerationError(str(exc), evaluation=evaluation) from None

    def to_pdf(staging: Path, fresh: list[str]) -> None:
        if "pdf" not in formats:
            return
        documents = sorted(staging / p for p in fresh if p.endswith(".docx"))
        kept = [p for p in files if p.endswith(".docx") and p not in fresh]
        for relative in kept:            # an unchanged document keeps its PDF
            pdf = relative[:-5] + ".pdf"
            if (previous.folder / pdf).is_file():
                os.link(previous.folder / pdf, staging / pdf)
            else:
                documents.append(staging / relative)
        if documents:
            convert(sorted(documents))
        if "docx" not in formats:
            for doc in staging.rglob("*.docx"):
                doc.unlink()

    figures = key_figures(evaluation)
    head = {"生成器": "jxzp", "版本": __version__, "输入文件": path.name, "输入sha256": _file_sha256(path),
            "评分规则": evaluation.results.profile.name, "模板包": evaluation.pack.name, "格式": list(formats),
            "未通过校验": forced, "关键数字": figures}
    if "docx" in formats or "pdf" in formats:
        head["Word图表"] = "原生图表" if charts == "native" else "图片"
    try:
        written = write_package(out_dir, folder, files, head, prints, after_staging=to_pdf)
    except (PdfError, WriteError) as exc:
        raise GenerationError(str(exc), evaluation=evaluation) from None
    folder = written.folder
    files_written = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    changes = None
    if previous.digests:
        changes = Changes(written.changed, written.added, written.removed, moved(previous.figures, figures))
    return Generated(path, folder, files_written, evaluation, time.perf_counter() - started, forced,
                     changes=changes)
