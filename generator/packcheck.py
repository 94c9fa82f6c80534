"""`jxzp pack check`: every problem of a pack at once, each at its place — pack.yaml, the scoring rules, each
template's syntax, what every document renders against the bundled examples and an empty unit, the Word and text
versions of each document in agreement, and the package's file names."""
from __future__ import annotations

import html
import io
import re
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import TemplateSyntaxError, meta, nodes
from jinja2.exceptions import TemplateError

from .examples import examples
from .pack import PACK_FILE, PROFILE_FILE, Pack, PackError, load_pack
from .packfiles import scan
from .problems import InputError

EMPTY_UNIT = "单位信息:\n  单位名称: 空白单位\n  评价年度: 2024\n"
"""A unit that filled nothing but its name and year: every template must still render, saying nothing false."""


@dataclass(frozen=True)
class PackFinding:
    """One problem of a pack: where (file and line, or a Word paragraph's text) and what to do, in Chinese."""

    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}：{self.message}" if self.place else self.message


@dataclass
class PackReport:
    """What `check_pack` found and what it rendered."""

    findings: list[PackFinding]
    documents: int = 0
    inputs: int = 0


def check_pack(folder: str | Path) -> PackReport:
    """Check a pack folder (or a pack's name); never raises for a problem of the pack."""
    findings: list[PackFinding] = []
    seen: set[str] = set()

    def add(place: str, message: str) -> None:
        key = f"{place}|{re.sub(r'（用示例“[^”]*”生成时）$', '', message)}"
        if key not in seen:
            seen.add(key)
            findings.append(PackFinding(place, message))

    pack: Pack | None = None
    try:
        pack = load_pack(folder)
    except PackError as exc:
        add(PACK_FILE, str(exc))
    root = pack.root if pack else Path(folder)
    report = PackReport(findings)
    if not root.is_dir():
        return report
    if pack is None:
        try:       # nothing of a folder holding a link, a pipe or a device is opened: a pipe would wait forever
            scan(root, root.name)
        except PackError as exc:
            if str(exc) not in {f.message for f in findings}:
                add("", str(exc))
            return report
    broken = _check_sources(root, pack, add)
    with tempfile.TemporaryDirectory(prefix="jxzp-check-") as scratch:
        if pack is None or broken:
            # One mistake must not hide the others: render a copy without pack.yaml's unknown keys and without the
            # broken templates (the pack it is based on lends its own).
            pack = _lenient(root, Path(scratch), broken)
        if pack is None:
            return report
        _check_profile(pack, add)
        _check_rendering(pack, broken, add, report)
    return report


def _lenient(root: Path, scratch: Path, broken: set[str]) -> Pack | None:
    """The pack as if its pack.yaml held only the keys jxzp knows (at the top level) and its broken templates were
    not there; None when that is not enough to load it."""
    from ruamel.yaml import YAML

    from .pack import PackSpec

    copy = scratch / root.name
    shutil.copytree(root, copy, symlinks=True)
    for name in broken:
        (copy / name).unlink(missing_ok=True)
    try:
        with open(root / PACK_FILE, encoding="utf-8-sig") as handle:
            data = YAML(typ="safe").load(handle)
    except Exception:  # noqa: BLE001 - whatever is wrong with it was reported when the pack was loaded
        return None
    if isinstance(data, dict):
        known = {field.alias or name for name, field in PackSpec.model_fields.items()}
        with open(copy / PACK_FILE, "w", encoding="utf-8") as handle:
            YAML(typ="safe").dump({key: value for key, value in data.items() if key in known}, handle)
    try:
        return load_pack(copy)
    except PackError:
        return None


# ---------------------------------------------------------------- the files themselves

def _check_sources(root: Path, pack: Pack | None, add) -> set[str]:
    """Syntax and unknown filters of every template of the pack's own folder; the names of the broken ones."""
    from .render.environment import STYLE_MARK, make_environment

    dirs = pack.dirs if pack else (root,)
    env = make_environment(dirs, "md")
    word_env = make_environment(dirs, "docx")
    broken: set[str] = set()
    for path in sorted(root.rglob("*.j2")):
        name = path.relative_to(root).as_posix()
        try:
            source = STYLE_MARK.sub("", path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError) as exc:
            add(name, f"无法读取（{type(exc).__name__}）：请存为 UTF-8 编码的文本文件")
            broken.add(name)
            continue
        try:
            env.compile(source, name=name, filename=name)
        except TemplateSyntaxError as exc:
            add(f"{name}:{exc.lineno}", _syntax_words(exc))
            broken.add(name)
        if pack is None and name not in broken:
            _undeclared(env, source, name, add)
    for path in sorted(root.rglob("*.docx")):
        name = path.relative_to(root).as_posix()
        problem = _docx_syntax(path, word_env)
        if problem:
            add(*problem)
            broken.add(name)
    return broken


def known_names(env) -> frozenset[str]:
    """Every name a template is given: the package's variables (made for the empty unit), what each document adds,
    the check report's own, and the sandbox's globals."""
    return _given_names() | frozenset(env.globals) | {"loop"}


@lru_cache(maxsize=1)
def _given_names() -> frozenset[str]:
    from .generate import DOCUMENT_VARIABLES, checks_context
    from .pipeline import evaluate
    from .render.context import package_context

    with tempfile.TemporaryDirectory(prefix="jxzp-check-") as scratch:
        empty = Path(scratch) / "空白单位.yaml"
        empty.write_text(EMPTY_UNIT, encoding="utf-8")
        evaluation = evaluate(empty)
    return frozenset({*package_context(evaluation.results), *DOCUMENT_VARIABLES, *checks_context(evaluation, False)})


def _undeclared(env, source: str, name: str, add) -> None:
    """Without a readable pack.yaml nothing renders; a name no template is given is still worth naming (not one the
    template sets itself somewhere: a {% set %} in one branch used in another)."""
    try:
        tree = env.parse(source)
        names = meta.find_undeclared_variables(tree)
    except TemplateError:
        return
    names -= {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    names -= {n.name for n in tree.find_all(nodes.Macro)} | {n.target for n in tree.find_all(nodes.Import)}
    for unknown in sorted(names - known_names(env)):
        line = next((n for n, text in enumerate(source.splitlines(), 1) if re.search(rf"\b{re.escape(unknown)}\b", text)), None)
        add(f"{name}:{line}" if line else name, f"使用了未定义的变量“{unknown}”：请检查变量名是否写错，可对照模板包 README 的变量说明")


def _syntax_words(exc: TemplateSyntaxError) -> str:
    message = str(exc.message or exc)
    match = re.search(r"No filter named '([^']+)'", message)
    if match:
        return f"没有名为“{match.group(1)}”的过滤器：请检查过滤器名是否写错，可对照模板包 README 的过滤器说明"
    match = re.search(r"No test named '([^']+)'", message)
    if match:
        return f"没有名为“{match.group(1)}”的判断（is …）：请检查是否写错"
    return f"语法错误（{message}）：请检查 {{{{ }}}} 与 {{% %}} 是否成对、if/for 是否有对应的 endif/endfor"


def _docx_syntax(path: Path, env) -> tuple[str, str] | None:
    """A Word template's syntax error at the paragraph (or table cell) whose text holds it."""
    from docxtpl import DocxTemplate

    name = path.name
    try:
        template = DocxTemplate(str(path))
        template.init_docx()
        xml = template.patch_xml(template.get_xml())
    except Exception as exc:  # a damaged or non-docx file: say so, whatever python-docx raised
        return name, f"不是有效的 Word 文件（{type(exc).__name__}）：请用 Word 另存为 .docx"
    # One paragraph a line, so that Jinja's line number points at a paragraph a maintainer can find in Word.
    lined = re.sub(r"(?=<w:p[ >])", "\n", xml)
    try:
        env.compile(lined, name=name, filename=name)
    except TemplateSyntaxError as exc:
        lines = lined.splitlines()
        text = _paragraph_text(lines[exc.lineno - 1]) if 0 < (exc.lineno or 0) <= len(lines) else ""
        return (f"{name} 段落“{_short(text)}”" if text else name), _syntax_words(exc)
    return None


def _short(text: str) -> str:
    """A paragraph as a maintainer finds it with Word's search: its start and its end."""
    return text if len(text) <= 40 else f"{text[:18]}…{text[-18:]}"


def _paragraph_text(xml: str) -> str:
    return re.sub(r"\s+", " ", "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))).strip()


# ---------------------------------------------------------------- scoring

def _check_profile(pack: Pack, add) -> None:
    from .profile import load_profile_file

    path = pack.find(PROFILE_FILE)
    if path is None:
        add(PROFILE_FILE, "模板包中没有评分规则：请从 jxzp pack export 导出的模板包中复制 评分规则.yaml")
        return
    try:
        load_profile_file(path)
    except InputError as exc:
        for problem in exc.problems:
            add(PROFILE_FILE if problem.place in ("", str(path)) else problem.place.replace(str(path), PROFILE_FILE),
                problem.message)


# ---------------------------------------------------------------- rendering

def _check_rendering(pack: Pack, broken: set[str], add, report: PackReport) -> None:
    """Render every document of the pack for each bundled example and an empty unit; compare Word with text."""
    from .generate import render_package
    from .pipeline import evaluate
    from .render.environment import TemplateProblem

    with tempfile.TemporaryDirectory(prefix="jxzp-check-") as scratch:
        empty = Path(scratch) / "空白单位.yaml"
        empty.write_text(EMPTY_UNIT, encoding="utf-8")
        inputs = [*examples(), empty]
        compared = False
        for path in inputs:
            evaluation = evaluate(path, pack=str(pack.root))
            if evaluation.results is None:
                continue
            report.inputs += 1
            try:
                _, files, _, _ = render_package(evaluation, ("docx", "md"), evaluation.pack, bool(evaluation.errors))
            except (TemplateProblem, PackError) as exc:
                for line in str(exc).splitlines():
                    if not any(name in line for name in broken):      # already named at its line above
                        add(_place_of(pack.root, line), f"{line}（用示例“{path.stem}”生成时）")
                continue
            report.documents = max(report.documents, sum(1 for f in files if f.endswith(".docx")))
            if not compared and path.name != empty.name:
                compared = True
                for problem in agreement(files):
                    add(*problem)


def _place_of(root: Path, message: str) -> str:
    """The template a rendering message names, with the line (text) or paragraph (Word) of the variable it names."""
    match = re.search(r"模板“([^”]+)”", message)
    if not match:
        return ""
    name = match.group(1)
    variable = re.search(r"变量“([^”]+)”", message)
    path = root / name
    if not variable or not path.is_file():
        return name
    pattern = re.compile(rf"(?<![\w\u4e00-\u9fff]){re.escape(variable.group(1))}(?![\w\u4e00-\u9fff])")
    if name.endswith(".j2"):
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError):
            return name
        line = next((n for n, text in enumerate(lines, 1) if pattern.search(text)), None)
        return f"{name}:{line}" if line else name
    if name.endswith(".docx"):
        try:
            from docx import Document

            document = Document(str(path))
        except Exception:  # noqa: BLE001 - a damaged file was reported when it was compiled
            return name
        texts = [p.text for p in document.paragraphs]
        texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        found = next((t for t in texts if pattern.search(t)), None)
        return f"{name} 段落“{_short(found.strip())}”" if found else name
    return name


# ---------------------------------------------------------------- Word and text in agreement

def agreement(files: dict[str, bytes]) -> list[tuple[str, str]]:
    """(place, message) for each document whose text version says something its Word version does not: a heading
    or a sentence of the .md.j2 missing from the .docx (tables excepted: Markdown cannot merge cells, so the two
    draw them differently)."""
    found = []
    for relative, data in sorted(files.items()):
        if not relative.endswith(".md") or not isinstance(data, bytes):
            continue
        word = files.get(relative[:-3] + ".docx")
        if not isinstance(word, bytes):
            continue
        said = _word_text(word)
        stem = relative[:-3].rsplit("/", 1)[-1]
        missing = [line for line in _markdown_lines(data.decode("utf-8")) if _clean(line.lstrip("#")) not in said]
        if missing:
            more = f"（另有 {len(missing) - 1} 处）" if len(missing) > 1 else ""
            found.append((f"{stem}.docx", f"文本版（.md.j2）有“{missing[0].lstrip('# ')[:40]}”，Word 版没有{more}："
                                          "Word 模板和文本版模板要照样修改"))
    return found


def _clean(text: str) -> str:
    """A line as words only: no Markdown marks, entities, list marks, spaces or the colon a table cell stands for."""
    text = html.unescape(re.sub(r"^\s*(?:[-*+>]|\d+\.)\s+", "", text))
    return re.sub(r"\*\*|__|`|\\|[\s:：]", "", text)


def _markdown_lines(text: str) -> list[str]:
    """Headings and paragraphs of a rendered Markdown document: what a maintainer typed, outside tables."""
    return [line for line in text.splitlines()
            if line.strip() and not line.startswith(("|", "---", "![", "<")) and _clean(line.lstrip("#"))]


def _word_text(data: bytes) -> str:
    """Every paragraph and cell of a Word document, run together without spaces: a sentence broken over two
    paragraphs or a title over two lines is still found in it."""
    from docx import Document

    document = Document(io.BytesIO(data))
    title = document.core_properties.title or ""
    parts = [title] + [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "".join(_clean(part) for part in parts)
