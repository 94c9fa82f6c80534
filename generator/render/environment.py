"""The sandbox every pack template renders in: templates pass from unit to unit, so they can reach no Python
internals, read no file outside their pack, and a runaway template ends in a Chinese message, not a hang."""
from __future__ import annotations

import os
import re
import threading
import time
import types
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    Undefined,
    UndefinedError,
    nodes,
)
from jinja2.compiler import CodeGenerator
from jinja2.environment import TemplateModule
from jinja2.exceptions import SecurityError
from jinja2.runtime import BlockReference, LoopContext, Macro, TemplateReference
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace
from markupsafe import Markup, escape

from ..cache import TemplateCache
from ..filters import FILTERS, md_cell, md_text, pack_filters
from ..packfiles import PackError, name_problem, read_file
from ..titles import TITLE_WIDTH, title_lines
from .views import MAPPING_METHODS, Helper, View, template_context

MAX_TEMPLATE_BYTES = 2 * 1024 * 1024
MAX_OUTPUT_CHARS = 20_000_000          # one rendered document; a real report is well under 1 MB
MAX_RANGE_ITEMS = 1_000_000            # all range() calls of one document together
MAX_SECONDS = 30.0                     # one document
MAX_SEQUENCE = 1_000_000               # a string or list made by * or +
MAX_STEPS = 500_000                    # loop iterations and calls of one document; Lizhou's largest takes ~300
CLOCK_EVERY = 1024                     # steps between two looks at the clock

MERGE_OPEN, MERGE_CLOSE = "\ue000", "\ue001"
"""A cell marked by the `merge` filter starts with MERGE_OPEN key MERGE_CLOSE (private-use characters no input
holds: the readers remove them); the merge pass joins equal marked cells of a column and removes the marks."""


class TemplateProblem(Exception):
    """A template cannot be rendered; the message names the pack file and what is wrong, in Chinese."""


class PackReference(SecurityError):
    """A template names a file the pack cannot give (outside it, not a regular file, too large, missing)."""


class OverBudget(SecurityError):
    """A document's rendering spent its budget (steps, range items, time, output); the message says which."""


STYLE_MARK = re.compile(r"\{#\s*(?:样式[:：]\s*\S+?|换行)\s*#\}")
"""Directives for the Word builder inside a .md.j2 (a paragraph style, a line break in a title); not text."""


class PackLoader(BaseLoader):
    """Templates of a pack and of the packs it is based on; no path outside them, no symbolic link."""

    def __init__(self, dirs: Iterable[Path]) -> None:
        self.dirs = tuple(Path(d) for d in dirs)

    def get_source(self, environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        problem = name_problem(template)
        if problem:      # refused, not "not found": the message names the template and line that asked
            raise PackReference(f"引用了“{str(template)[:120]}”：{problem}")
        for folder in self.dirs:
            path = folder.joinpath(*template.split("/"))
            if not os.path.lexists(path) or (path.is_dir() and not path.is_symlink()):
                continue
            try:
                source = read_file(path, template, MAX_TEMPLATE_BYTES).decode("utf-8-sig")
            except PackError as exc:
                raise PackReference(f"引用的{exc}") from None
            except UnicodeDecodeError:
                raise TemplateProblem(f"模板“{template}”无法读取（UnicodeDecodeError）：请确认它是 UTF-8 编码的文本文件") from None
            source = STYLE_MARK.sub("", source)
            mtime = path.stat().st_mtime_ns
            return source, str(path), lambda path=path, mtime=mtime: path.is_file() and path.stat().st_mtime_ns == mtime
        pieces = template.split("/")
        base = bundled_file(pieces)
        if base is not None and base.dirs != self.dirs:
            # “全国/句子.j2”: a file of a bundled pack by its name (Pelican's “!simple/”), so a pack based on it
            # imports or extends it and keeps only what differs.
            return base.get_source(environment, "/".join(pieces[1:]))
        raise TemplateNotFound(template)


def bundled_file(pieces: list[str]) -> PackLoader | None:
    """The loader of the bundled pack a template name starts with (“全国/…”), None for any other name."""
    from ..pack import PACKS_DIR, bundled_packs      # the pack module renders its conditions here

    if len(pieces) < 2 or pieces[0] not in bundled_packs():
        return None
    return PackLoader((PACKS_DIR / pieces[0],))


class _Budget(threading.local):
    """What one document's rendering may still spend; reset at the start of each document."""

    def __init__(self) -> None:
        self.depth = 0
        self.reset("")

    def reset(self, name: str) -> None:
        self.name = name
        self.range_items = MAX_RANGE_ITEMS
        self.steps = MAX_STEPS
        self.clock = CLOCK_EVERY
        self.deadline = time.monotonic() + MAX_SECONDS

    def step(self) -> None:
        """One unit of work (a loop iteration, a call): a template that prints nothing still runs out."""
        self.steps -= 1
        self.clock -= 1
        if self.clock <= 0:
            self.clock = CLOCK_EVERY
            if self.steps <= 0:
                raise OverBudget(f"循环和宏调用次数过多（超过 {MAX_STEPS:,} 次）")
            if time.monotonic() > self.deadline:
                raise OverBudget(f"渲染超时（超过 {MAX_SECONDS:.0f} 秒）")


BUDGET = _Budget()


class _Counted:
    """A for loop's iterable that spends one budget step per item; its length stays known to the loop."""

    __slots__ = ("iterable",)

    def __init__(self, iterable: Any) -> None:
        self.iterable = iterable

    def __len__(self) -> int:
        return len(self.iterable)

    def __iter__(self) -> Iterator[Any]:
        step = BUDGET.step
        for item in self.iterable:
            step()
            yield item


class _CountingCodeGenerator(CodeGenerator):
    """Jinja2's code generator with every for loop's iterable counted (a recursive loop's `loop(…)` too)."""

    def visit_For(self, node: nodes.For, frame) -> None:
        counted = self.__dict__.setdefault("_counted_iters", set())
        counted.add(id(node.iter))
        super().visit_For(node, frame)

    def visit(self, node: nodes.Node, *args: Any, **kwargs: Any) -> Any:
        if id(node) in self.__dict__.get("_counted_iters", ()):
            self.write("environment.counted(")
            super().visit(node, *args, **kwargs)
            self.write(")")
            return None
        return super().visit(node, *args, **kwargs)

    def write(self, x: str) -> None:
        # The recursive loop's function iterates its argument `reciter`, written by Jinja2 as this one word.
        super().write("environment.counted(reciter)" if x == "reciter" else x)


def _limited_range(*args: int) -> range:
    items = range(*args)
    BUDGET.range_items -= len(items)
    if BUDGET.range_items < 0:
        raise OverBudget("range 循环次数过多")
    if time.monotonic() > BUDGET.deadline:
        raise OverBudget(f"渲染超时（超过 {MAX_SECONDS:.0f} 秒）")
    return items


STR_METHODS = frozenset({
    "strip", "lstrip", "rstrip", "startswith", "endswith", "split", "rsplit", "splitlines", "partition",
    "rpartition", "upper", "lower", "title", "capitalize", "count", "find", "rfind", "isdigit", "isdecimal",
    "isnumeric", "isalpha", "isalnum", "isspace", "removeprefix", "removesuffix",
})
"""The str methods a template may call: each returns text or a number no longer than its input."""

ALLOWED: dict[type, frozenset[str]] = {
    str: STR_METHODS,
    Markup: STR_METHODS,
    Decimal: frozenset({"is_zero", "is_signed", "is_finite"}),
    datetime: frozenset({"year", "month", "day", "hour", "minute", "second", "isoformat", "weekday", "isoweekday"}),
    date: frozenset({"year", "month", "day", "isoformat", "weekday", "isoweekday"}),
    LoopContext: frozenset({"index", "index0", "revindex", "revindex0", "first", "last", "length", "depth",
                            "depth0", "previtem", "nextitem", "cycle", "changed"}),
    BlockReference: frozenset({"super"}),
}
"""Per type, every attribute a template can reach; a type not listed has none (views and mappings answer their
keys, see Sandbox.allowed)."""


class Counter:
    """A heading counter for templates: {% set sec = counter() %} … （{{ sec.next()|cn_number }}）."""

    def __init__(self) -> None:
        self.value = 0

    def next(self) -> int:
        self.value += 1
        return self.value


ALLOWED[Counter] = frozenset({"next", "value"})


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, narrowed to an allow list: templates reach the keys of views and mappings, the
    attributes listed in ALLOWED, and call only macros, helpers and the allowed methods; loops and calls spend a
    budget of steps, arithmetic a bound on what it builds."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _CountingCodeGenerator
    _verdicts: dict[tuple[type, str], bool] = {}

    @staticmethod
    def counted(iterable: Any) -> _Counted:
        return _Counted(iterable)

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):  # type: ignore[override]
        """Jinja2's compile; a template nested deeper than its parser can recurse is a syntax error, not a crash."""
        try:
            return super().compile(source, name, filename, raw, defer_init)
        except RecursionError:
            raise TemplateSyntaxError("嵌套层次过深", 1, name, filename) from None

    def allowed(self, obj: Any, attribute: str) -> bool:
        """Whether a template may reach `obj.attribute`: decided by the object's type and the name alone, except for
        the objects whose names are their data (views, mappings, imported templates, namespaces)."""
        if not isinstance(attribute, str) or attribute.startswith("_"):
            return False
        if isinstance(obj, (View, dict)):
            return attribute in obj or attribute in MAPPING_METHODS
        if isinstance(obj, TemplateModule):
            return attribute in vars(obj)
        if isinstance(obj, (Namespace, TemplateReference)):
            return True
        if isinstance(obj, tuple) and hasattr(type(obj), "_fields"):    # groupby's (grouper, list)
            return attribute in type(obj)._fields
        key = (type(obj), attribute)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = any(attribute in ALLOWED.get(klass, ()) for klass in type(obj).__mro__)
            if len(self._verdicts) < 100_000:
                self._verdicts[key] = verdict
        return verdict

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return self.allowed(obj, attr)

    def is_safe_callable(self, obj: Any) -> bool:
        """Macros, helpers handed by Python, the globals below, loops (recursive `loop(…)`, cycle, changed), and
        methods the allow list names; nothing else, whatever a template got hold of."""
        if isinstance(obj, (Macro, Helper, LoopContext, BlockReference)):
            return True
        if isinstance(obj, type):
            return obj in (Counter, Namespace)
        if isinstance(obj, (types.MethodType, types.BuiltinMethodType)):
            owner = getattr(obj, "__self__", None)
            return owner is not None and not isinstance(owner, type) and self.allowed(owner, obj.__name__)
        return obj is _limited_range or obj is _template_dict

    def getattr(self, obj: Any, attribute: str) -> Any:
        """A view's field, a mapping's key, or an attribute the allow list names; anything else is undefined
        (unsafe when the object has it: a template asking for __class__ or parse_raw is refused, not told no)."""
        if isinstance(obj, View):       # the common case first: most lookups are a record's fields (made plain
            try:                        # when first read; a Tracked view notes the read)
                return obj[attribute]
            except (KeyError, TypeError):
                pass
        elif isinstance(obj, dict):
            try:
                return obj[attribute]
            except (KeyError, TypeError):
                pass
        elif isinstance(obj, TemplateReference):
            try:
                return obj[attribute]
            except KeyError:
                pass
        elif isinstance(obj, Undefined):
            obj._fail_with_undefined_error()
        if self.allowed(obj, attribute):
            try:
                return getattr(obj, attribute)
            except AttributeError:
                pass
        return self._refused(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        """`obj[argument]` on data (views, mappings, sequences, text); by name on anything else, as getattr."""
        if isinstance(obj, (View, dict, tuple, list, str, range)):
            try:
                return obj[argument]
            except (TypeError, LookupError):
                pass
        if isinstance(argument, str):
            return self.getattr(obj, argument)
        return self.undefined(obj=obj, name=argument)

    def _refused(self, obj: Any, attribute: Any) -> Any:
        if isinstance(attribute, str) and (attribute.startswith("_") or hasattr(type(obj), attribute)):
            return self.unsafe_undefined(obj, attribute)
        return self.undefined(obj=obj, name=attribute)

    def call(__self, __context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (Jinja2's signature)
        BUDGET.step()
        if isinstance(__obj, Undefined):      # `unit.parse_raw(…)`: the name is unknown, say so
            __obj._fail_with_undefined_error()
        if not __self.is_safe_callable(__obj):
            raise SecurityError(f"不允许调用“{getattr(__obj, '__name__', type(__obj).__name__)}”")
        return __context.call(__obj, *args, **kwargs)

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        if operator == "%" and isinstance(left, str) and _WIDE_FORMAT.search(left):
            raise SecurityError("宽度过大")
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


def _template_dict(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """Jinja2's dict() global: a mapping of what the template gives it."""
    return dict(*args, **kwargs)


def _bounded(filter_func: Callable[..., str], *size_args: int) -> Callable[..., str]:
    """A text-padding filter (center, indent, wordwrap) whose width cannot ask for gigabytes."""
    def checked(value, *args, **kwargs):
        for index in size_args:
            if len(args) > index and isinstance(args[index], int) and abs(args[index]) > 10_000:
                raise SecurityError("宽度过大")
        return filter_func(value, *args, **kwargs)
    return checked


def _bounded_replace(filter_func: Callable[..., str]) -> Callable[..., str]:
    """The replace filter, refusing a result longer than any string a template may build."""
    def checked(eval_ctx, value, old, new, count=None):
        text, old, new = str(value), str(old), str(new)
        if len(new) > len(old) and len(text) + text.count(old) * (len(new) - len(old)) > MAX_SEQUENCE:
            raise SecurityError("字符串或列表过长")
        return filter_func(eval_ctx, value, old, new, count)
    checked.jinja_pass_arg = filter_func.jinja_pass_arg  # type: ignore[attr-defined]   (it takes the eval context)
    return checked


_WIDE_FORMAT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d{5,}|\d*\.(?:\*|\d{5,}))")


def _bounded_format(filter_func: Callable[..., str]) -> Callable[..., str]:
    """The format filter ('%05d'|format(n)), refusing a width or precision that asks for megabytes."""
    def checked(value, *args, **kwargs):
        if _WIDE_FORMAT.search(str(value)):
            raise SecurityError("宽度过大")
        return filter_func(value, *args, **kwargs)
    return checked


def _merge_mark(key: object) -> str:
    return f"{MERGE_OPEN}{key if key is not None else ''}{MERGE_CLOSE}"


def paragraphs(text: object) -> list[str]:
    """A typed text as its paragraphs (split at line breaks, empty lines dropped); a list stays a list."""
    if text is None:
        return []
    items = text if isinstance(text, (list, tuple)) else [text]
    lines = (line for item in items if item is not None for line in str(item).splitlines())
    return [s for s in (line.strip() for line in lines) if s]


def _title_lines(value: object, *whole: object, width: float = TITLE_WIDTH) -> tuple[str, ...]:
    """The `title_lines` filter's lines: a title, the names it keeps whole, characters a line holds (1 to 100)."""
    width = min(max(float(width), 1.0), 100.0)
    return title_lines("" if value is None else str(value), tuple(str(w) for w in whole if w), width)


def make_environment(dirs: Iterable[Path], target: str, formats: dict | None = None,
                     cache: Path | None = None) -> Sandbox:
    """The environment of one pack for one output format ("docx": escaped XML, "md": Markdown text); `formats`:
    the pack's number formats (Pack.formats); `cache` is the folder of its compiled templates (see generator.cache),
    None to compile every template in every process."""
    env = Sandbox(loader=PackLoader(dirs), undefined=StrictUndefined, autoescape=(target == "docx"),
                  keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
                  finalize=lambda value: "" if value is None else value,
                  bytecode_cache=TemplateCache(cache) if cache is not None else None)
    env.filters.update(FILTERS)
    env.filters.update(pack_filters(formats or {}))
    env.filters.update(center=_bounded(env.filters["center"], 0), indent=_bounded(env.filters["indent"], 0),
                       wordwrap=_bounded(env.filters["wordwrap"], 0), batch=_bounded(env.filters["batch"], 0),
                       slice=_bounded(env.filters["slice"], 0), replace=_bounded_replace(env.filters["replace"]),
                       format=_bounded_format(env.filters["format"]), paragraphs=paragraphs)
    env.filters.pop("random", None)        # the same input gives the same bytes
    if target == "md":
        # A Markdown heading is one line: the title as one text (the break is the Word version's).
        env.filters["title_lines"] = lambda value, *whole, width=TITLE_WIDTH: md_text("".join(_title_lines(value, *whole, width=width)))
        env.filters["text"] = md_text
        env.filters["cell"] = md_cell
        env.filters["merge"] = lambda value, key="": _merge_mark(key) + md_cell(value)
    else:
        # Lines joined by a line break, which the Word renderer turns into w:br inside the title's paragraph.
        env.filters["title_lines"] = lambda value, *whole, width=TITLE_WIDTH: "\n".join(_title_lines(value, *whole, width=width))
        env.filters["text"] = lambda value: "" if value is None else value
        env.filters["cell"] = lambda value: "" if value is None else value
        env.filters["merge"] = lambda value, key="": Markup(_merge_mark(escape(str(key)))) + escape("" if value is None else value)
    for unsafe in ("lipsum", "cycler", "joiner"):
        env.globals.pop(unsafe, None)
    env.globals.update(range=_limited_range, counter=Counter, dict=_template_dict)
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
        for chunk in template.generate(template_context(context)):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise OverBudget("生成的内容过多")
            if time.monotonic() > BUDGET.deadline:
                raise OverBudget(f"渲染超时（超过 {MAX_SECONDS:.0f} 秒）")
            chunks.append(chunk)
        return "".join(chunks)
    except TemplateProblem:
        raise
    except PackReference as exc:
        raise TemplateProblem(f"模板“{name}”{_line_of(exc, name)}{exc}") from None
    except OverBudget as exc:
        raise TemplateProblem(f"模板“{name}”{_line_of(exc, name)}已停止：{exc}。请检查循环和宏调用是否停不下来，"
                              "一份文档的渲染次数和时间有上限") from None
    except SecurityError as exc:
        raise TemplateProblem(f"模板“{name}”{_line_of(exc, name)}被拒绝：{_security_words(exc)}。模板只能使用提供的变量和过滤器，"
                              "请对照 jxzp pack export 导出的默认模板修改") from None
    except TemplateError as exc:
        raise explain(exc, name, _line_of(exc, name)) from None
    except RecursionError as exc:
        raise TemplateProblem(f"模板“{name}”{_line_of(exc, name)}中的宏调用自身过深（递归）：请检查宏是否无限调用自己") from None
    except MemoryError:
        raise TemplateProblem(f"模板“{name}”生成的内容过多，内存不足：请检查循环") from None
    except (TypeError, ValueError, AttributeError, KeyError, ArithmeticError, IndexError) as exc:
        raise TemplateProblem(f"模板“{name}”{_line_of(exc, name)}无法渲染（{_plain_error(exc)}）：请对照 jxzp pack export 导出的默认模板检查") from None
    finally:
        BUDGET.depth -= 1


def _line_of(exc: BaseException, name: str = "") -> str:
    """「（句子.j2 第12行）」: the pack file and line being rendered when `exc` was raised, the deepest .j2 frame of
    the traceback (Jinja2 rewrites it to template lines), 「（第12行）」 when that file is `name` itself; empty for a
    Word template or a pack.yaml pattern."""
    found = ""
    tb = exc.__traceback__
    depth = 0
    while tb is not None and depth < 10_000:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            file = Path(filename).name
            found = f"（第{tb.tb_lineno}行）" if file == name else f"（{file} 第{tb.tb_lineno}行）"
        tb = tb.tb_next
        depth += 1
    return found


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


def explain(exc: TemplateError, template: str, where: str = "") -> TemplateProblem:
    """A Chinese message naming the template (and the .j2 file and line being rendered) and the variable at fault."""
    message = str(exc.message or exc)
    who = f"模板“{template}”{where}"
    if isinstance(exc, SecurityError):
        return TemplateProblem(f"{who}被拒绝：{_security_words(exc)}。模板只能使用提供的变量和过滤器")
    if isinstance(exc, TemplateNotFound):
        return TemplateProblem(f"{who}引用的“{exc.name}”在模板包中找不到：请检查文件名")
    if isinstance(exc, UndefinedError):
        match = _NO_ATTRIBUTE.search(message)
        if match:
            # A view's type name means nothing to a maintainer; another object's (a str, a number) does.
            owner = "" if "View" in match.group(1) else f"（在 {match.group(1)} 中）"
            return TemplateProblem(f"{who}使用了不存在的变量“{match.group(2)}”{owner}："
                                   "请检查变量名是否写错，可对照模板包 README 的变量说明")
        match = _UNDEFINED.search(message)
        name = match.group(1) if match else message
        return TemplateProblem(f"{who}使用了未定义的变量“{name}”：请检查变量名是否写错，可对照模板包 README 的变量说明")
    if isinstance(exc, TemplateSyntaxError):
        source = exc.filename or template
        line = f"（{Path(source).name} 第{exc.lineno}行）" if exc.lineno and str(source).endswith(".j2") else ""
        return TemplateProblem(f"模板“{template}”有语法错误{line}（{message}）：请检查 {{{{ }}}} 与 {{% %}} 是否成对")
    return TemplateProblem(f"{who}无法渲染（{type(exc).__name__}：{message}）")
