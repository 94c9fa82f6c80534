"""The sandbox every pack template renders in: templates pass from unit to unit, so they can reach no Python
internals, read no file outside their pack, and a runaway template ends in a Chinese message, not a hang."""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from ..cache import TemplateCache
from ..filters import FILTERS, md_cell, md_text

MAX_TEMPLATE_BYTES = 2 * 1024 * 1024
MAX_OUTPUT_CHARS = 20_000_000          # one rendered document; a real report is well under 1 MB
MAX_RANGE_ITEMS = 1_000_000            # all range() calls of one document together
MAX_SECONDS = 30.0                     # one document
MAX_SEQUENCE = 1_000_000               # a string or list made by * or +

MERGE_OPEN, MERGE_CLOSE = "\ue000", "\ue001"
"""A cell marked by the `merge` filter starts with MERGE_OPEN key MERGE_CLOSE (private-use characters no input
holds: the readers remove them); the merge pass joins equal marked cells of a column and removes the marks."""


class TemplateProblem(Exception):
    """A template cannot be rendered; the message names the pack file and what is wrong, in Chinese."""


STYLE_MARK = re.compile(r"\{#\s*(?:样式[:：]\s*\S+?|换行)\s*#\}")
"""Directives for the Word builder inside a .md.j2 (a paragraph style, a line break in a title); not text."""


class PackLoader(BaseLoader):
    """Templates of a pack and of the packs it is based on; no path outside them, no symbolic link."""

    def __init__(self, dirs: Iterable[Path]) -> None:
        self.dirs = tuple(Path(d) for d in dirs)

    def get_source(self, environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        try:
            pieces = split_template_path(template)     # refuses "..", so no climbing out of the pack
        except TemplateNotFound:
            raise TemplateProblem(f"模板引用了“{template}”：只能引用模板包中的文件，不能用 .. 或绝对路径") from None
        for folder in self.dirs:
            path = folder.joinpath(*pieces)
            if path.is_symlink() or any(p.is_symlink() for p in path.parents if folder in p.parents or p == folder):
                raise TemplateProblem(f"模板包中的“{template}”是符号链接：为安全起见不接受符号链接，请放入文件本身")
            if not path.is_file():
                continue
            if path.stat().st_size > MAX_TEMPLATE_BYTES:
                raise TemplateProblem(f"模板“{template}”过大（超过 2 MB）：请检查是否选错了文件")
            try:
                source = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                raise TemplateProblem(f"模板“{template}”无法读取（{type(exc).__name__}）：请确认它是 UTF-8 编码的文本文件") from None
            source = STYLE_MARK.sub("", source)
            mtime = path.stat().st_mtime_ns
            return source, str(path), lambda path=path, mtime=mtime: path.is_file() and path.stat().st_mtime_ns == mtime
        raise TemplateNotFound(template)


class _Budget(threading.local):
    """What one document's rendering may still spend; reset at the start of each document."""

    def __init__(self) -> None:
        self.depth = 0
        self.reset("")

    def reset(self, name: str) -> None:
        self.name = name
        self.range_items = MAX_RANGE_ITEMS
        self.deadline = time.monotonic() + MAX_SECONDS


BUDGET = _Budget()


def _limited_range(*args: int) -> range:
    items = range(*args)
    BUDGET.range_items -= len(items)
    if BUDGET.range_items < 0:
        raise SecurityError("range 循环次数过多")
    if time.monotonic() > BUDGET.deadline:
        raise SecurityError("渲染超时")
    return items


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox with bounds on what arithmetic and loops may build."""

    intercepted_binops = frozenset({"*", "**", "+"})
    _verdicts: dict[tuple[type, str], bool] = {}

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Jinja2's sandboxed attribute lookup with its verdict remembered per (type, name): whether an attribute
        is safe depends only on the object's type and the name, and checking it anew on every access was a fifth
        of a document's rendering time."""
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            try:
                return obj[attribute]
            except (TypeError, LookupError):
                return self.undefined(obj=obj, name=attribute)
        key = (type(obj), attribute)
        safe = self._verdicts.get(key)
        if safe is None:
            safe = self.is_safe_attribute(obj, attribute, value)
            if len(self._verdicts) < 100_000:
                self._verdicts[key] = safe
        if not safe:
            return self.unsafe_undefined(obj, attribute)
        if callable(value):
            formatter = self.wrap_str_format(value)
            if formatter is not None:
                return formatter
        return value

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
            raise SecurityError("乘方过大")
        if operator == "*" and isinstance(left, (str, list, tuple)) and isinstance(right, int) and len(left) * right > MAX_SEQUENCE:
            raise SecurityError("字符串或列表过长")
        if operator == "*" and isinstance(right, (str, list, tuple)) and isinstance(left, int) and len(right) * left > MAX_SEQUENCE:
            raise SecurityError("字符串或列表过长")
        result = super().call_binop(context, operator, left, right)
        if operator == "+" and isinstance(result, (str, list, tuple)) and len(result) > MAX_SEQUENCE:
            raise SecurityError("字符串或列表过长")
        return result


def _bounded(filter_func: Callable[..., str], *size_args: int) -> Callable[..., str]:
    """A text-padding filter (center, indent, wordwrap) whose width cannot ask for gigabytes."""
    def checked(value, *args, **kwargs):
        for index in size_args:
            if len(args) > index and isinstance(args[index], int) and abs(args[index]) > 10_000:
                raise SecurityError("宽度过大")
        return filter_func(value, *args, **kwargs)
    return checked


def _merge_mark(key: object) -> str:
    return f"{MERGE_OPEN}{key if key is not None else ''}{MERGE_CLOSE}"


class Counter:
    """A heading counter for templates: {% set sec = counter() %} … （{{ sec.next()|cn_number }}）."""

    def __init__(self) -> None:
        self.value = 0

    def next(self) -> int:
        self.value += 1
        return self.value


def paragraphs(text: object) -> list[str]:
    """A typed text as its paragraphs (split at line breaks, empty lines dropped); a list stays a list."""
    if text is None:
        return []
    items = text if isinstance(text, (list, tuple)) else [text]
    lines = (line for item in items if item is not None for line in str(item).splitlines())
    return [s for s in (line.strip() for line in lines) if s]


def make_environment(dirs: Iterable[Path], target: str, cache: Path | None = None) -> Sandbox:
    """The environment of one pack for one output format ("docx": escaped XML, "md": Markdown text); `cache` is
    the folder of its compiled templates (see generator.cache), None to compile every template in every process."""
    env = Sandbox(loader=PackLoader(dirs), undefined=StrictUndefined, autoescape=(target == "docx"),
                  keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
                  finalize=lambda value: "" if value is None else value,
                  bytecode_cache=TemplateCache(cache) if cache is not None else None)
    env.filters.update(FILTERS)
    env.filters.update(center=_bounded(env.filters["center"], 0), indent=_bounded(env.filters["indent"], 0),
                       wordwrap=_bounded(env.filters["wordwrap"], 0), paragraphs=paragraphs)
    if target == "md":
        env.filters["text"] = md_text
        env.filters["cell"] = md_cell
        env.filters["merge"] = lambda value, key="": _merge_mark(key) + md_cell(value)
    else:
        env.filters["text"] = lambda value: "" if value is None else value
        env.filters["cell"] = lambda value: "" if value is None else value
        env.filters["merge"] = lambda value, key="": Markup(_merge_mark(escape(str(key)))) + escape("" if value is None else value)
    for unsafe in ("lipsum", "cycler", "joiner"):
        env.globals.pop(unsafe, None)
    env.globals.update(range=_limited_range, counter=Counter)
    return env


def render_checked(template, context: dict[str, Any], name: str) -> str:
    """Render with the document's budget; every failure becomes a TemplateProblem naming the pack file.

    A table placed inside a document renders within the document's budget, so calling table() again and again
    cannot renew it."""
    if BUDGET.depth == 0:
        BUDGET.reset(name)
    BUDGET.depth += 1
    try:
        size = 0
        chunks: list[str] = []
        for chunk in template.generate(context):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise SecurityError("生成的内容过多")
            if time.monotonic() > BUDGET.deadline:
                raise SecurityError("渲染超时")
            chunks.append(chunk)
        return "".join(chunks)
    except TemplateProblem:
        raise
    except SecurityError as exc:
        raise TemplateProblem(f"模板“{name}”被拒绝：{_security_words(exc)}。模板只能使用提供的变量和过滤器，"
                              "请对照 jxzp pack export 导出的默认模板修改") from None
    except TemplateError as exc:
        raise explain(exc, name) from None
    except RecursionError:
        raise TemplateProblem(f"模板“{name}”中的宏调用自身过深（递归）：请检查宏是否无限调用自己") from None
    except MemoryError:
        raise TemplateProblem(f"模板“{name}”生成的内容过多，内存不足：请检查循环") from None
    except (TypeError, ValueError, AttributeError, KeyError, ArithmeticError, IndexError) as exc:
        raise TemplateProblem(f"模板“{name}”无法渲染（{_plain_error(exc)}）：请对照 jxzp pack export 导出的默认模板检查") from None
    finally:
        BUDGET.depth -= 1


def _security_words(exc: SecurityError) -> str:
    text = str(exc)
    if re.search(r"[\u4e00-\u9fff]", text):
        return text
    match = re.search(r"access to attribute '([^']+)'", text)
    if match:
        return f"不允许访问“{match.group(1)}”"
    return "使用了不允许的操作"


def _plain_error(exc: Exception) -> str:
    if isinstance(exc, ZeroDivisionError):
        return "除数为零"
    if isinstance(exc, ArithmeticError):
        return "数值运算出错"
    return f"{type(exc).__name__}：{str(exc)[:200]}"


_UNDEFINED = re.compile(r"'([^']+)' is undefined")
_NO_ATTRIBUTE = re.compile(r"'([^']+)' (?:object )?has no attribute '([^']+)'")


def explain(exc: TemplateError, template: str) -> TemplateProblem:
    """A Chinese message naming the template and the variable (or the line) at fault."""
    message = str(exc.message or exc)
    if isinstance(exc, SecurityError):
        return TemplateProblem(f"模板“{template}”被拒绝：{_security_words(exc)}。模板只能使用提供的变量和过滤器")
    if isinstance(exc, TemplateNotFound):
        return TemplateProblem(f"模板“{template}”引用的“{exc.name}”在模板包中找不到：请检查文件名")
    if isinstance(exc, UndefinedError):
        match = _NO_ATTRIBUTE.search(message)
        if match:
            return TemplateProblem(f"模板“{template}”使用了不存在的变量“{match.group(2)}”（在 {match.group(1)} 中）："
                                   "请检查变量名是否写错，可对照模板包 README 的变量说明")
        match = _UNDEFINED.search(message)
        name = match.group(1) if match else message
        return TemplateProblem(f"模板“{template}”使用了未定义的变量“{name}”：请检查变量名是否写错，可对照模板包 README 的变量说明")
    if isinstance(exc, TemplateSyntaxError):
        source = exc.filename or template
        where = f"（{Path(source).name} 第{exc.lineno}行）" if exc.lineno and str(source).endswith(".j2") else ""
        return TemplateProblem(f"模板“{template}”有语法错误{where}（{message}）：请检查 {{{{ }}}} 与 {{% %}} 是否成对")
    return TemplateProblem(f"模板“{template}”无法渲染（{type(exc).__name__}：{message}）")
