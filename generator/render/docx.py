"""Word output: docxtpl templates filled from document views, score tables as real Word tables, byte-stable files."""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import TemplateError

from . import docx_style as st
from .context import TemplateProblem, environment, explain, to_context
from .docx_fast import compiled
from .views import BasicData, Figure, ScoreTable, SimpleTable

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
LONG_CELL = 120  # characters: a cell this long may make its row taller than the rest of a page
BORDER = '<w:{side} w:val="single" w:sz="6" w:space="0" w:color="000000"/>'


class RawXml:
    """Body XML that docxtpl inserts as it is at a {{p … }} placeholder (a table with its title and notes)."""

    def __init__(self, xml: str) -> None:
        self.xml = xml

    def __html__(self) -> str:
        return self.xml

    def __str__(self) -> str:
        return self.xml


# ---------------------------------------------------------------- tables

@dataclass(frozen=True)
class Cell:
    """One cell: its width in mm (cells of a row add up to the text width), text, vertical merge and look."""

    text: str
    width: float
    merge: str | None = None      # "restart" | "continue" (vertical merge)
    bold: bool = False
    align: str = "center"


def table_xml(rows: list[list[Cell]], header_rows: int = 0, split_rows: bool = False, keep_last: int = 0) -> str:
    """A fixed-layout table 156 mm wide; the grid is the union of the rows' cell boundaries.

    Header rows repeat on every page; other rows are kept whole, except that with `split_rows` a row holding a long
    text may break across pages (kept whole, it would leave a half-empty page behind it).
    """
    bounds: set[int] = {0}
    row_edges: list[list[tuple[int, int]]] = []
    for row in rows:
        pos, edges = 0.0, []
        for cell in row:
            start = st.twips(pos)
            pos += cell.width
            edges.append((start, st.twips(pos)))
            bounds.add(st.twips(pos))
        if abs(pos - st.TEXT_WIDTH_MM) > 0.01:
            raise ValueError(f"row width {pos} mm != {st.TEXT_WIDTH_MM} mm: {[c.text for c in row]}")
        row_edges.append(edges)
    grid = sorted(bounds)
    total = grid[-1]
    borders = "".join(BORDER.format(side=s) for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
    out = [
        "<w:tbl><w:tblPr>"
        f'<w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/>'
        f"<w:tblBorders>{borders}</w:tblBorders>"
        '<w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:top w:w="28" w:type="dxa"/><w:left w:w="57" w:type="dxa"/>'
        '<w:bottom w:w="28" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
        'w:noHBand="0" w:noVBand="0"/></w:tblPr><w:tblGrid>'
    ]
    out += [f'<w:gridCol w:w="{b - a}"/>' for a, b in zip(grid, grid[1:])]
    out.append("</w:tblGrid>")
    for index, (row, edges) in enumerate(zip(rows, row_edges)):
        header = "<w:tblHeader/>" if index < header_rows else ""
        long_row = max((len(c.text) for c in row), default=0) > LONG_CELL
        keep = "" if split_rows and index >= header_rows and long_row else "<w:cantSplit/>"
        out.append(f"<w:tr><w:trPr>{keep}{header}</w:trPr>")
        for cell, (start, end) in zip(row, edges):
            span = grid.index(end) - grid.index(start)
            props = f'<w:tcW w:w="{end - start}" w:type="dxa"/>'
            if span > 1:
                props += f'<w:gridSpan w:val="{span}"/>'
            if cell.merge == "restart":
                props += '<w:vMerge w:val="restart"/>'
            elif cell.merge == "continue":
                props += "<w:vMerge/>"
            props += '<w:vAlign w:val="center"/>'
            text = "" if cell.merge == "continue" else cell.text
            lines = [line for line in str(text).splitlines() if line.strip()] or [""]
            # The last rows keep with what follows (the 填表人 lines), so no page starts with a lone footer.
            keep = {"keep_next": True} if index >= len(rows) - keep_last else {}
            body = "".join(st.paragraph(line, align=cell.align, bold=cell.bold, **keep) for line in lines)
            out.append(f"<w:tc><w:tcPr>{props}</w:tcPr>{body}</w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _title(text: str, page_break: bool) -> str:
    return st.paragraph(text, size=st.TABLE_TITLE_PT, bold=True, after=8, page_break=page_break, keep_next=True)


def _gap() -> str:
    """A 1 pt paragraph between two tables drawn as one (Word would otherwise join them)."""
    return st.paragraph("", size=1, line_pt=1, keep_next=True)


def _notes(lines: list[str]) -> str:
    present = [line for line in lines if line]
    return "".join(st.paragraph(line, align="left", size=st.TABLE_NOTE_PT, before=4, keep_next=i < len(present) - 1)
                   for i, line in enumerate(present))


def _footer_lines(footer: list[tuple[str, str]]) -> list[str]:
    items = [f"{label}：{value}" for label, value in footer]
    return ["　　　　".join(items[:2]), "　　　　".join(items[2:])]


LEVEL_WIDTHS = (10, 14, 15, 26, 17, 17, 9, 13, 35)   # 绩效指标 | 一级 | 二级 | 三级 | 指标值 | 实际值 | 分值 | 得分 | 偏差
_FLEX = (3, 4, 5, 8)              # 三级, 指标值, 实际值, 偏差: the columns that share the width left over
_FLEX_MIN = (20.0, 13.0, 13.0, 18.0)


def level_widths(view: ScoreTable) -> tuple[float, ...]:
    """Column widths of the indicator block: fixed for labels and scores, the rest shared by how much text each
    column holds (a table whose 偏差原因 cells are all empty gives that room to the indicator texts)."""
    texts: list[list[str]] = [[], [], [], []]
    for level in view.levels:
        for group in level.groups:
            for r in group.rows:
                for i, value in enumerate((r.name, r.target, r.actual, r.deviation)):
                    texts[i].append(str(value or ""))
    if not any(any(t) for t in texts):
        return LEVEL_WIDTHS
    fixed = sum(w for i, w in enumerate(LEVEL_WIDTHS) if i not in _FLEX)
    spare = st.TEXT_WIDTH_MM - fixed - sum(_FLEX_MIN)
    need = [sum(len(t) for t in column) / max(len(column), 1) + max((len(t) for t in column), default=0) / 4
            for column in texts]
    total = sum(need) or 1.0
    flex = [round(low + spare * n / total) for low, n in zip(_FLEX_MIN, need)]
    flex[0] += round(st.TEXT_WIDTH_MM - fixed - sum(flex), 3)       # rounding remainder to 三级
    widths = list(LEVEL_WIDTHS)
    for i, w in zip(_FLEX, flex):
        widths[i] = w
    return tuple(widths)
FUNDS_WIDTHS = (20, 30, 20, 20, 20, 12, 18, 16)


def score_table_xml(view: ScoreTable, page_break: bool = False) -> str:
    """项目支出绩效自评表 / 部门整体支出绩效自评表 in the standard layout (domain.md)."""
    top: list[list[Cell]] = [[Cell(view.name_label, 20, bold=True), Cell(view.name, 136, align="left")]]
    if view.kind == "project":
        top.append([Cell("主管部门", 20, bold=True), Cell(view.superior, 58, align="left"),
                    Cell("实施单位", 20, bold=True), Cell(view.office, 58, align="left")])
    w = FUNDS_WIDTHS
    heads = ["", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    top.append([Cell(view.funds_label, w[0], merge="restart", bold=True)]
               + [Cell(h, width, bold=True) for h, width in zip(heads, w[1:])])
    for f in view.funds:
        values = [f.initial, f.budget, f.actual, f.weight, f.rate, f.score]
        top.append([Cell("", w[0], merge="continue"), Cell(f.label, w[1], align="left")]
                   + [Cell(v, width) for v, width in zip(values, w[2:])])
    for left, right in view.split:
        top.append([Cell("", w[0], merge="continue"), Cell(left, 68, align="left"), Cell(right, 68, align="left")])
    top.append([Cell("年度总体目标", 20, merge="restart", bold=True), Cell("预期目标", 68, bold=True),
                Cell("实际完成情况", 68, bold=True)])
    top.append([Cell("", 20, merge="continue"), Cell(view.goal or "—", 68, align="left"),
                Cell(view.achieved or "—", 68, align="left")])

    lw = level_widths(view)
    heads = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    rows: list[list[Cell]] = [[Cell("绩效指标", lw[0], merge="restart", bold=True)]
                              + [Cell(h, width, bold=True) for h, width in zip(heads, lw[1:])]]
    for level in view.levels:
        first1 = True
        for group in level.groups:
            first2 = True
            for r in group.rows:
                rows.append([
                    Cell("", lw[0], merge="continue"),
                    Cell(level.label, lw[1], merge="restart" if first1 else "continue"),
                    Cell(group.name, lw[2], merge="restart" if first2 else "continue"),
                    Cell(r.name, lw[3], align="left"), Cell(r.target, lw[4]), Cell(r.actual, lw[5]),
                    Cell(r.weight, lw[6]), Cell(r.score, lw[7]), Cell(r.deviation, lw[8], align="left"),
                ])
                first1 = first2 = False
    if not view.levels:
        rows.append([Cell("", lw[0], merge="continue"), Cell("未填写绩效指标", sum(lw[1:]))])
    grade = f"等级：{view.grade}" if view.grade else ""
    rows.append([Cell("总分", sum(lw[:6]), bold=True), Cell(view.full_score, lw[6], bold=True),
                 Cell(view.total, lw[7], bold=True), Cell(grade, lw[8], bold=True)])
    return (_title(view.title, page_break) + table_xml(top) + _gap()
            + table_xml(rows, header_rows=1, split_rows=True, keep_last=2) + _notes(_footer_lines(view.footer)))


def basic_data_xml(view: BasicData, page_break: bool = False) -> str:
    """部门整体支出绩效评价基础数据表 (seed 000, 附件1)."""
    widths = (52, 34, 36, 34)
    rows: list[list[Cell]] = [
        [Cell(view.staff_header[0], widths[0], merge="restart", bold=True)]
        + [Cell(h, w, bold=True) for h, w in zip(view.staff_header[1:], widths[1:])],
        [Cell("", widths[0], merge="continue")] + [Cell(v, w) for v, w in zip(view.staff[1:], widths[1:])],
        [Cell(h, w, bold=True) for h, w in zip(view.money_header, widths)],
    ]
    for label, *values in view.money:
        rows.append([Cell(label, widths[0], align="left")] + [Cell(v, w) for v, w in zip(values, widths[1:])])
    bw = (40, 19, 19, 19, 20, 20, 19)
    rows.append([Cell(view.buildings_header[0], bw[0], merge="restart", bold=True)]
                + [Cell(h, w, bold=True) for h, w in zip(view.buildings_header[1:], bw[1:])])
    rows.append([Cell("", bw[0], merge="continue")] + [Cell(v, w) for v, w in zip(view.buildings, bw[1:])])
    rows.append([Cell("厉行节约保障措施", bw[0], bold=True), Cell(view.thrift, 116, align="left")])
    return (_title(view.title, page_break) + table_xml(rows, keep_last=2)
            + _notes([view.note, *_footer_lines(view.footer)]))


def simple_table_xml(view: SimpleTable) -> str:
    rows = [[Cell(h, w, bold=True) for h, w in zip(view.header, view.widths)]]
    rows += [[Cell(v, w, align=a) for v, w, a in zip(row, view.widths, view.align)] for row in view.rows]
    title = st.paragraph(view.title, size=st.TABLE_NOTE_PT, bold=True, before=6, after=4, keep_next=True)
    return title + table_xml(rows, header_rows=1) + st.paragraph("", size=st.TABLE_PT, after=4)


_TABLES: dict[tuple[str, bool], str] = {}
_TABLES_KEPT = 512


def _score_table_cached(view: ScoreTable, page_break: bool) -> str:
    """A score table's XML, remembered by its content: a long-running process (the web page, a batch worker)
    re-rendering the all-tables file after one project changed builds only that project's table again."""
    key = (repr(view), page_break)
    xml = _TABLES.get(key)
    if xml is None:
        if len(_TABLES) >= _TABLES_KEPT:
            _TABLES.clear()
        xml = _TABLES[key] = score_table_xml(view, page_break)
    return xml


def table_block(view: Any, page_break: bool = False) -> RawXml:
    if isinstance(view, ScoreTable):
        return RawXml(_score_table_cached(view, page_break))
    if isinstance(view, BasicData):
        return RawXml(basic_data_xml(view, page_break))
    if isinstance(view, SimpleTable):
        return RawXml(simple_table_xml(view))
    raise TypeError(type(view))


# ---------------------------------------------------------------- documents

@dataclass(frozen=True)
class DocInfo:
    """Fixed document properties: the same input gives the same bytes."""

    title: str
    author: str
    stamp: datetime


def render_docx(template: Path, view: Any, images: dict[str, bytes], info: DocInfo,
                extra: dict[str, Any] | None = None) -> bytes:
    """Fill a docxtpl template with a view; tables become Word tables, figures inline PNGs.

    The template is compiled once per process (docx_fast); `render_docx_plain` is the per-document docxtpl loop
    it replaces, kept as the benchmark's baseline and as the reference the fast path is tested against.
    """
    return compiled(template).render(view, images, info.title, info.author,
                                     info.stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), extra, table_block)


def render_docx_plain(template: Path, view: Any, images: dict[str, bytes], info: DocInfo,
                      extra: dict[str, Any] | None = None) -> bytes:
    """The plain docxtpl way: load, render, save — for every document."""
    try:
        tpl = DocxTemplate(str(template))
    except Exception as exc:  # a damaged or non-docx file given with --templates
        raise TemplateProblem(f"模板“{template.name}”不是有效的 Word 文件（{type(exc).__name__}）：请用 Word 另存为 .docx 后重试") from None
    def figure(f: Figure) -> InlineImage:
        return InlineImage(tpl, io.BytesIO(images[f.key]), width=Mm(st.IMAGE_WIDTH_MM))

    def table(v: Any) -> RawXml:
        return table_block(v)

    context = to_context(view, table, figure)
    if extra:
        context.update({k: to_context(v, table, figure) for k, v in extra.items()})
    try:
        tpl.render(context, environment(autoescape=True, trim=False), autoescape=True)
    except TemplateError as exc:
        raise explain(exc, template.name) from None
    except (TypeError, ValueError, AttributeError, KeyError) as exc:  # a custom template misusing a value
        raise TemplateProblem(f"模板“{template.name}”无法渲染（{type(exc).__name__}：{exc}）：请对照 templates/ 中的默认模板检查") from None
    core = tpl.docx.core_properties
    core.title = info.title
    core.author = info.author
    core.subject = "预算绩效自评"
    core.comments = ""
    core.keywords = ""
    core.last_modified_by = "jxzp"
    core.revision = 1
    core.created = info.stamp
    core.modified = info.stamp
    core.last_printed = info.stamp
    buffer = io.BytesIO()
    tpl.save(buffer)
    return stable_zip(buffer.getvalue())


def all_tables_docx(template: Path, tables: list[ScoreTable], title: str, info: DocInfo, plain: bool = False) -> bytes:
    """Every project's 自评表 in one file, one table per page, for printing."""
    blocks = [table_block(t, page_break=i > 0) for i, t in enumerate(tables)]
    return (render_docx_plain if plain else render_docx)(template, _Blocks(title, blocks), {}, info)


@dataclass
class _Blocks:
    """The context of the all-tables file: its title and the ready tables."""

    title: str
    tables: list[RawXml]


def stable_zip(data: bytes) -> bytes:
    """Re-zip with fixed timestamps and a fixed member order, so identical content gives identical bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    ordered = sorted(names, key=lambda n: (n != "[Content_Types].xml", n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in ordered:
            member = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(name))
    return out.getvalue()
