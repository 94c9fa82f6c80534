"""A pack's documents rendered from the package context: Word through the compile-once docxtpl path, Markdown
through Jinja2, both in the pack's sandbox; tables and figures are placed where the templates ask."""
from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jinja2 import TemplateError
from markupsafe import Markup

from ..cache import cache_folder, used
from ..pack import Pack, PackError
from ..packfiles import digest, name_problem, scan
from . import docx_style as st
from .docx_fast import CompiledDocx, _Media
from .environment import PackReference, Sandbox, TemplateProblem, explain, make_environment, render_checked
from .markdown import tidy
from .merge import merge_markdown
from .views import plain


@dataclass(frozen=True)
class DocInfo:
    """Fixed document properties: the same input gives the same bytes."""

    title: str
    author: str
    stamp: datetime


CHART_SUFFIX = ".svg"      # the Markdown documents' charts (render/charts.svg_chart)

_PPR_HEAD = re.compile(r"(<w:pPr>(?:<w:pStyle [^>]*/>)?(?:<w:keepNext/>)?(?:<w:keepLines/>)?)")
"""Where a page break goes in a paragraph's properties: the schema orders pStyle, keepNext, keepLines first."""


class Renderer:
    """One pack's templates, compiled once per process: a sandboxed environment per output format."""

    def __init__(self, pack: Pack, fingerprint: str) -> None:
        self.pack = pack
        # Compiled templates are kept in the user's cache folder, one folder per pack content (its fingerprint).
        self.cache = cache = cache_folder("packs", fingerprint[:32])
        used(cache)
        self.docx_env: Sandbox = make_environment(pack.dirs, "docx", pack.formats, cache / "docx" if cache else None)
        self.md_env: Sandbox = make_environment(pack.dirs, "md", pack.formats, cache / "md" if cache else None)
        self.text_env: Sandbox = make_environment(pack.dirs, "text", pack.formats, cache / "text" if cache else None)
        self._strings: dict[str, Any] = {}
        self._docx: dict[str, CompiledDocx] = {}
        self._memo: dict[Any, Any] = {}
        self.fingerprint = fingerprint

    def _plain(self, context: dict[str, Any]) -> dict[str, Any]:
        """A document's variables as template data, each object converted once per package (the values generate adds
        to the package context, such as the charts, are the same objects for every document of a unit; they are kept
        alive in the memo, so an id cannot be reused while it is there)."""
        owner = context.get("unit")
        memo = self._memo
        if owner is None:                # no package to key on: a memo for this call only
            memo = {}
        elif owner is not memo.get("owner"):
            memo = self._memo = {"owner": owner}
        return {name: plain(value, memo) for name, value in context.items()}

    def compiled(self, name: str) -> CompiledDocx:
        """A Word template of the pack, compiled once (a changed pack file makes a new Renderer, see renderer_for)."""
        found = self._docx.get(name)
        if found is None and name_problem(name):
            raise PackReference(f"引用了“{str(name)[:120]}”：{name_problem(name)}")
        if found is None:
            found = self._docx[name] = CompiledDocx(self.pack.need(name), self.docx_env, name,
                                                      self.cache / "word" if self.cache else None)
        return found

    # ------------------------------------------------------------ short texts (file names, titles)

    def text(self, pattern: str, context: dict[str, Any], what: str = "pack.yaml") -> str:
        """A pattern of pack.yaml (a file name, a chart title) filled from the context."""
        if "{" not in pattern:
            return pattern
        template = self._strings.get(pattern)
        if template is None:
            try:
                template = self._strings[pattern] = self.text_env.from_string(pattern)
            except TemplateError as exc:
                raise explain(exc, what) from None
        return render_checked(template, self._plain(context), what).strip()

    # ------------------------------------------------------------ Word

    def docx(self, stem: str, context: dict[str, Any], images: dict[str, bytes], info: DocInfo) -> bytes:
        name = f"{stem}.docx"
        template = self.compiled(name)
        media = _Media()
        numbers: dict[str, int] = {}
        placed: dict[str, Any] = {}
        ctx = dict(context)

        def figure(key: str, alt: str = "") -> Any:
            if key not in ctx["charts"]:
                return Markup("")
            numbers.setdefault(key, len(numbers) + 1)
            return media.place(images[key], st.IMAGE_WIDTH_MM)

        def table(table_stem: str, new_page: bool = False, **values: Any) -> Markup:
            table_name = f"{table_stem}.docx"
            try:
                part = self.compiled(table_name)
            except PackError as exc:      # named in the message with the template that placed the table
                raise PackReference(f"放入的表格：{exc}") from None
            placed[table_name] = part
            xml = part.body_xml({**ctx, **values})
            if new_page:
                xml = _PPR_HEAD.sub(r"\1<w:pageBreakBefore/>", xml, count=1)
            return Markup(xml)

        ctx.update(figure=figure, figure_no=lambda key: numbers.setdefault(key, len(numbers) + 1), table=table)
        ctx = self._plain(ctx)           # once per document: the tables it places get the same views
        return template.render(ctx, media, info.title, info.author, info.stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
                               placed.values())

    # ------------------------------------------------------------ Markdown

    def md(self, stem: str, context: dict[str, Any], image_dir: str, placed: set[str] | None = None) -> str:
        """A Markdown document; the keys of the charts it links are added to `placed` (their files are written)."""
        name = f"{stem}.md.j2"
        template = self._md_template(name)
        numbers: dict[str, int] = {}
        ctx = dict(context)

        def figure(key: str, alt: str = "") -> str:
            if key not in ctx["charts"]:
                return ""
            numbers.setdefault(key, len(numbers) + 1)
            if placed is not None:
                placed.add(key)
            return f"![{alt}]({image_dir}/{key}{CHART_SUFFIX})"

        def table(table_stem: str, new_page: bool = False, **values: Any) -> str:
            table_name = f"{table_stem}.md.j2"
            problem = name_problem(table_name)
            if problem:
                raise PackReference(f"放入的表格引用了“{table_name[:120]}”：{problem}")
            return render_checked(self._md_template(table_name), {**ctx, **values}, table_name)

        ctx.update(figure=figure, figure_no=lambda key: numbers.setdefault(key, len(numbers) + 1), table=table)
        ctx = self._plain(ctx)           # once per document: the tables it places get the same views
        return tidy(merge_markdown(render_checked(template, ctx, name)))

    def _md_template(self, name: str):
        try:
            return self.md_env.get_template(name)
        except TemplateError as exc:
            if type(exc).__name__ == "TemplateNotFound" and exc.name == name:
                raise TemplateProblem(f"模板包“{self.pack.name}”缺少文件“{name}”：请从 jxzp pack export 导出的模板包中复制这个文件") from None
            raise explain(exc, name) from None


def _pack_fingerprint(pack: Pack) -> str:
    """Every file of the pack's chain by name and content: a changed template changes every fingerprint. Files are
    listed without opening them and hashed in pieces, once per process per path, size and mtime (packfiles.digest)."""
    hasher = hashlib.sha256()
    for folder in pack.dirs:
        for entry in scan(folder, pack.name):
            hasher.update(entry.relative.encode("utf-8"))
            hasher.update(digest(folder / entry.relative, entry))
    return hasher.hexdigest()


_RENDERERS: dict[tuple[str, ...], Renderer] = {}
_LOCK = threading.Lock()


def renderer_for(pack: Pack) -> Renderer:
    """The renderer of a pack, made once per process (a batch worker renders many units with it)."""
    key = tuple(str(d) for d in pack.dirs)
    fingerprint = _pack_fingerprint(pack)
    with _LOCK:
        found = _RENDERERS.get(key)
        if found is None or found.pack != pack or found.fingerprint != fingerprint:
            found = _RENDERERS[key] = Renderer(pack, fingerprint)
        return found
