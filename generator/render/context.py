"""Template contexts: a document view turned into plain dicts, with tables and figures in the target format."""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from jinja2 import Environment, StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError

from ..filters import FILTERS
from .views import BasicData, Figure, ScoreTable, SimpleTable

TABLE_TYPES = (ScoreTable, BasicData, SimpleTable)


class TemplateProblem(Exception):
    """A template cannot be rendered (unknown variable, syntax error); the message is for the preparer."""


def to_context(value: Any, table: Callable[[Any], Any], figure: Callable[[Figure], Any]) -> Any:
    """Dataclasses → dicts (so templates can use a.b), tables → table(view), figures → dict with `image`."""
    if isinstance(value, TABLE_TYPES):
        return table(value)
    if isinstance(value, Figure):
        return {"key": value.key, "caption": value.caption, "image": figure(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_context(getattr(value, f.name), table, figure) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_context(v, table, figure) for v in value]
    return value


def environment(autoescape: bool, trim: bool = True) -> Environment:
    """The Jinja2 environment of every template: unknown variables are errors, the domain filters are registered.

    Markdown templates trim the newline after a block tag; docx XML is left as docxtpl prepared it.
    """
    env = Environment(undefined=StrictUndefined, autoescape=autoescape, keep_trailing_newline=True,
                      trim_blocks=trim, lstrip_blocks=trim)
    env.filters.update(FILTERS)
    return env


_UNDEFINED = re.compile(r"'([^']+)' is undefined")
_NO_ATTRIBUTE = re.compile(r"'([^']+)' (?:object )?has no attribute '([^']+)'")


def explain(exc: TemplateError, template: str) -> TemplateProblem:
    """A Chinese message naming the template and the variable (or the line) at fault."""
    message = str(exc.message or exc)
    if isinstance(exc, UndefinedError):
        match = _NO_ATTRIBUTE.search(message)
        if match:
            return TemplateProblem(f"模板“{template}”使用了不存在的变量“{match.group(2)}”（在 {match.group(1)} 中）："
                                   "请检查变量名是否写错，可对照 templates/ 中的默认模板")
        match = _UNDEFINED.search(message)
        name = match.group(1) if match else message
        return TemplateProblem(f"模板“{template}”使用了未定义的变量“{name}”：请检查变量名是否写错，可对照 templates/ 中的默认模板")
    if isinstance(exc, TemplateSyntaxError):
        where = f"第{exc.lineno}行" if exc.lineno and template.endswith(".j2") else "中"
        return TemplateProblem(f"模板“{template}”{where}有语法错误（{message}）：请检查 {{{{ }}}} 与 {{% %}} 是否成对")
    return TemplateProblem(f"模板“{template}”无法渲染（{type(exc).__name__}：{message}）")
