"""Markdown output: Jinja2 templates filled from document views; tables as GFM, figures linked by relative path."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Template, TemplateError

from ..filters import md_cell, md_text
from .context import TemplateProblem, environment, explain, to_context
from .views import BasicData, Figure, ScoreTable, SimpleTable


def gfm(header: list[str], rows: list[list[str]], align: list[str] | None = None) -> str:
    """A GitHub-flavoured Markdown table; every cell escaped."""
    marks = {"left": ":---", "center": ":---:", "right": "---:"}
    align = align or ["left"] * len(header)
    lines = ["| " + " | ".join(md_cell(h) or " " for h in header) + " |",
             "| " + " | ".join(marks[a] for a in align) + " |"]
    lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _footer(footer: list[tuple[str, str]]) -> str:
    return "　　".join(f"{md_text(label)}：{md_text(value)}" for label, value in footer)


def score_table_md(view: ScoreTable) -> str:
    parts = [f"**{md_text(view.title)}**", ""]
    info = [[view.name_label, view.name]]
    if view.kind == "project":
        info += [["主管部门", view.superior], ["实施单位", view.office]]
    parts += [gfm(info[0], info[1:]), ""]
    funds = [[f.label, f.initial, f.budget, f.actual, f.weight, f.rate, f.score] for f in view.funds]
    parts += [gfm([view.funds_label, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"], funds,
                  ["left"] + ["right"] * 6), ""]
    if view.split:
        parts += [gfm(["收入（万元）", "支出（万元）"], [[a, b] for a, b in view.split]), ""]
    parts += [gfm(["年度总体目标", "内容"], [["预期目标", view.goal or "—"], ["实际完成情况", view.achieved or "—"]]), ""]
    rows: list[list[str]] = []
    for level in view.levels:
        first1 = True
        for group in level.groups:
            first2 = True
            for r in group.rows:
                rows.append([level.label if first1 else "", group.name if first2 else "", r.name, r.target, r.actual,
                             r.weight, r.score, r.deviation])
                first1 = first2 = False
    grade = f"等级：{view.grade}" if view.grade else ""
    rows.append(["总分", "", "", "", "", view.full_score, view.total, grade])
    header = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    table = gfm(header, rows, ["left"] * 5 + ["right", "right", "left"])
    parts += [table, "", _footer(view.footer)]
    return "\n".join(parts)


def basic_data_md(view: BasicData) -> str:
    parts = [f"**{md_text(view.title)}**", ""]
    parts += [gfm(view.staff_header, [view.staff], ["left", "right", "right", "right"]), ""]
    parts += [gfm(view.money_header, [list(row) for row in view.money], ["left", "right", "right", "right"]), ""]
    parts += [gfm(view.buildings_header, [[""] + view.buildings], ["left"] + ["right"] * 6), ""]
    parts += [f"**厉行节约保障措施**：{md_text(view.thrift)}", ""]
    parts += [md_text(view.note), "", _footer(view.footer)]
    return "\n".join(parts)


def simple_table_md(view: SimpleTable) -> str:
    return f"**{md_text(view.title)}**\n\n" + gfm(view.header, view.rows, view.align)


def table_md(view: Any) -> str:
    if isinstance(view, ScoreTable):
        return score_table_md(view)
    if isinstance(view, BasicData):
        return basic_data_md(view)
    if isinstance(view, SimpleTable):
        return simple_table_md(view)
    raise TypeError(type(view))


_CACHE: dict[tuple[str, int, int], Template] = {}


def _compiled(template: Path) -> Template:
    """The template compiled once per process and file version (re-parsing it per document is most of the cost)."""
    try:
        stat = template.stat()
        key = (str(template.resolve()), stat.st_mtime_ns, stat.st_size)
        if key not in _CACHE:
            source = template.read_text(encoding="utf-8-sig")
            try:
                _CACHE[key] = environment(autoescape=False).from_string(source)
            except TemplateError as exc:
                raise explain(exc, template.name) from None
        return _CACHE[key]
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateProblem(f"模板“{template.name}”无法读取（{type(exc).__name__}）：请确认文件存在且为 UTF-8 编码") from None


def render_md(template: Path, view: Any, image_dir: str, extra: dict[str, Any] | None = None) -> str:
    """Fill a Markdown template; figures link to `image_dir`/<key>.png (relative to the .md file)."""
    compiled = _compiled(template)

    def figure(f: Figure) -> str:
        return f"{image_dir}/{f.key}.png"

    context = to_context(view, table_md, figure) if view is not None else {}
    if extra:
        context.update({k: to_context(v, table_md, figure) for k, v in extra.items()})
    try:
        text = compiled.render(context)
    except TemplateError as exc:
        raise explain(exc, template.name) from None
    except (TypeError, ValueError, AttributeError, KeyError) as exc:  # a custom template misusing a value
        raise TemplateProblem(f"模板“{template.name}”无法渲染（{type(exc).__name__}：{exc}）：请对照 templates/ 中的默认模板检查") from None
    return _tidy(text)


def _tidy(text: str) -> str:
    """At most one blank line in a row, one newline at the end."""
    lines: list[str] = []
    for line in text.splitlines():
        if not line.strip() and lines and not lines[-1].strip():
            continue
        lines.append(line.rstrip() if not line.endswith("  ") else line)
    return "\n".join(lines).strip() + "\n"
