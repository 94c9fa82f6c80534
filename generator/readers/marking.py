"""Mark the preparer's own workbook: every cell with a finding filled and commented, a first sheet listing them all."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.fills import Fill
from openpyxl.utils import quote_sheetname
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.functions import fromstring, tostring

from ..problems import Problem, Severity, os_reason
from .excel_template import AUTHOR, _comment, _height, _stable_zip, _write_atomically

FINDINGS_SHEET = "问题清单"
"""The sheet put first in the marked workbook; the reader does not know it, so a marked workbook reads as before."""
MARKED_SUFFIX = "（已标注）"
FILLS = {Severity.ERROR: PatternFill("solid", fgColor="FFC7CE"), Severity.WARNING: PatternFill("solid", fgColor="FFEB9C")}
"""Red for 错误, yellow for 警告 (Excel's own “bad” and “neutral” colours); 提示 are listed but not filled."""
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_LINK_FONT = Font(color="0563C1", underline="single")
_CELL = re.compile(r"^(?P<sheet>.+)!\$?(?P<column>[A-Z]{1,3})\$?(?P<row>\d+)$")
RECORD_SHEET = "jxzp标注记录"
"""A very hidden sheet of the marked workbook: each cell we marked, the fill it had before and the comment text we
added, so that marking the marked copy again first takes off exactly our marks and gives back the preparer's."""
_OURS = re.compile(r"^【(?:错误|警告|提示)】")
_SEPARATOR = "\n——\n"       # between our comment and the preparer's own comment on the same cell
_FINDINGS_HEADERS = ("序号", "级别", "位置", "说明", "明细")
_STAMP = datetime(2000, 1, 1)


class MarkError(Exception):
    """The marked workbook cannot be written; the message says why and what to do, in Chinese."""


def marked_path(source: Path) -> Path:
    """填报表.xlsx → 填报表（已标注）.xlsx, next to it."""
    return source.with_name(f"{source.stem}{MARKED_SUFFIX}{source.suffix}")


def cell_of(place: str) -> tuple[str, str] | None:
    """(sheet, cell) of a place such as 项目!R4; None for a file, a row (绩效指标!1:1) or a YAML line."""
    match = _CELL.match(place)
    if match is None:
        return None
    return match["sheet"], f"{match['column']}{match['row']}"


def mark_workbook(source: Path, problems: list[Problem], target: Path) -> Path:
    """Write target: source with every cell a problem names filled (red 错误, yellow 警告) and commented, and a
    first sheet listing every problem with a link to its cell. Values and formulas are left exactly as typed."""
    source, target = Path(source), Path(target)
    try:
        wb = load_workbook(source, keep_links=True)   # formulas as written, not their cached values
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise MarkError(f"{source.name}：无法打开这个工作簿来标注（{type(exc).__name__}）：请在 Excel/WPS 中打开并另存后重试") from None
    _unmark(wb)
    marks: dict[tuple[str, str], list[Problem]] = {}
    linked: list[tuple[Problem, tuple[str, str] | None]] = []
    for problem in problems:
        where = cell_of(problem.place)
        if where is not None and where[0] in wb.sheetnames:
            where = (where[0], _top_left(wb[where[0]], where[1]))
            marks.setdefault(where, []).append(problem)
        else:
            where = None
        linked.append((problem, where))
    record: list[tuple[str, str, str, str, str]] = []
    for (title, coordinate), found in marks.items():
        cell = wb[title][coordinate]
        worst = min((p.severity for p in found), key=list(Severity).index)
        before_fill = tostring(cell.fill.to_tree()).decode() if cell.has_style else ""
        if worst in FILLS:
            cell.fill = FILLS[worst]
        ours = "\n".join(f"【{p.severity.value}】{p.message}" for p in found)
        text = ours
        before_author = ""
        if cell.comment is not None:
            text = f"{ours}{_SEPARATOR}{cell.comment.text}"
            before_author = cell.comment.author or ""
        cell.comment = _comment(text)
        cell.comment.author = AUTHOR
        record.append((title, coordinate, before_fill, ours, before_author))
    _findings_sheet(wb, linked)
    _record_sheet(wb, record)
    # The preparer's own save time, so that marking the same file with the same findings gives the same bytes.
    stamp = wb.properties.modified or _STAMP
    stamp = stamp if 1980 <= stamp.year <= 2100 else _STAMP
    wb.properties.modified = stamp
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).write_data()   # not wb.save(): that stamps the current time into the file
    try:
        _write_atomically(target, _stable_zip(raw.getvalue(), stamp))
    except OSError as exc:
        raise MarkError(f"无法写出标注版 {target.name[:60]}（{os_reason(exc)}）：请关闭在 Excel/WPS 中打开的同名文件，"
                        "或用 -o 指定其他文件名") from None
    return target


def _unmark(wb) -> None:
    """Take off every mark an earlier marking made (fills, comments, the 问题清单 and record sheets), giving back the
    preparer's own fill and comment; a sheet of the preparer's own named 问题清单 is kept under another name.

    A cell marked before and fixed since must not keep a red fill and a comment about its old value. The record
    sheet says exactly what we did; without it (a copy whose record was lost) a comment that starts as ours do
    (【错误】…) is ours, and so is our own fill on such a cell."""
    record = wb[RECORD_SHEET] if RECORD_SHEET in wb.sheetnames else None
    if record is not None:
        for title, coordinate, before_fill, ours, before_author in record.iter_rows(min_row=2, values_only=True):
            if title in wb.sheetnames and coordinate:
                _take_off(wb[title][coordinate], before_fill or "", ours or "", before_author or "")
        del wb[RECORD_SHEET]
    else:
        for ws in wb.worksheets:
            for cell in [c for c in ws._cells.values() if c.comment is not None and _OURS.match(c.comment.text or "")]:
                text = cell.comment.text
                ours = text.split(_SEPARATOR, 1)[0]
                _take_off(cell, None, ours, "")
    if FINDINGS_SHEET in wb.sheetnames:
        sheet = wb[FINDINGS_SHEET]
        heads = tuple(sheet.cell(1, column).value for column in range(1, len(_FINDINGS_HEADERS) + 1))
        if heads == _FINDINGS_HEADERS and (record is not None or sheet.sheet_properties.tabColor is not None):
            del wb[FINDINGS_SHEET]
        else:           # the preparer's own sheet of that name: theirs to keep, under a name ours does not take
            sheet.title = next(name for n in range(1, 100)
                               if (name := f"{FINDINGS_SHEET}（原有{'' if n == 1 else n}）") not in wb.sheetnames)


def _take_off(cell, before_fill: str | None, ours: str, before_author: str) -> None:
    """Our fill and comment off one cell; what the preparer had there back. A fill or comment the preparer changed
    since is theirs now and stays."""
    comment = cell.comment
    ours_still = comment is not None and ours and (comment.text == ours or comment.text.startswith(ours + _SEPARATOR))
    if ours_still:
        rest = comment.text[len(ours) + len(_SEPARATOR):] if comment.text != ours else ""
        cell.comment = None
        if rest:
            cell.comment = _comment(rest)
            cell.comment.author = before_author or comment.author
    if any(_same_fill(cell.fill, fill) for fill in FILLS.values()) and (before_fill is not None or ours_still):
        cell.fill = Fill.from_tree(fromstring(before_fill)) if before_fill else PatternFill()


def _same_fill(one, other: PatternFill) -> bool:
    return (getattr(one, "patternType", None) == other.patternType
            and str(getattr(one.fgColor, "rgb", ""))[-6:] == str(other.fgColor.rgb)[-6:])


def _record_sheet(wb, record: list[tuple[str, str, str, str, str]]) -> None:
    ws = wb.create_sheet(RECORD_SHEET)
    ws.append(("工作表", "单元格", "原填充", "标注", "原批注作者"))
    for row in record:
        ws.append(row)
    ws.sheet_state = "veryHidden"


def _top_left(ws, coordinate: str) -> str:
    """A cell inside a merged range is marked on the range's first cell, the one Excel shows and keeps."""
    for merged in ws.merged_cells.ranges:
        if coordinate in merged:
            return merged.start_cell.coordinate
    return coordinate


def _findings_sheet(wb, linked: list[tuple[Problem, tuple[str, str] | None]]) -> None:
    ws = wb.create_sheet(FINDINGS_SHEET, 0)
    headers = tuple(zip(_FINDINGS_HEADERS, (6, 8, 18, 80, 50)))
    for index, (text, width) in enumerate(headers, 1):
        cell = ws.cell(1, index, text)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[cell.column_letter].width = width
    counts = {s: sum(1 for p, _ in linked if p.severity is s) for s in Severity}
    summary = "，".join(f"{s.value} {n} 个" for s, n in counts.items())
    ws.cell(1, 6, f"共 {len(linked)} 条：{summary}。点“位置”跳到单元格；有问题的单元格已填色（红色为错误、黄色为警告），"
                  "批注中是说明。按顺序改正：排在前面的往往是后面问题的起因。")
    ws.cell(1, 6).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["F"].width = 40
    for row, (problem, where) in enumerate(linked, 2):
        ws.cell(row, 1, row - 1)
        level = ws.cell(row, 2, problem.severity.value)
        if problem.severity in FILLS:
            level.fill = FILLS[problem.severity]
        place = ws.cell(row, 3, problem.place)
        if where is not None:
            place.hyperlink = Hyperlink(ref=place.coordinate, location=f"{quote_sheetname(where[0])}!{where[1]}",
                                        display=problem.place)
            place.font = _LINK_FONT
        ws.cell(row, 4, problem.message)
        ws.cell(row, 5, "\n".join(problem.details) or None)
        for column in range(1, 6):
            ws.cell(row, column).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = max(_height([problem.message], 80, 200),
                                            _height(["\n".join(problem.details)], 50, 200))
    ws.freeze_panes = "A2"
    ws.sheet_properties.tabColor = "C00000"
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    wb.active = 0


__all__ = ["FINDINGS_SHEET", "RECORD_SHEET", "MarkError", "mark_workbook", "marked_path", "cell_of"]
