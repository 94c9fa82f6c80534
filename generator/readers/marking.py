"""Mark the preparer's own workbook: every cell with a finding filled and commented, a first sheet listing them all."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import quote_sheetname
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.writer.excel import ExcelWriter

from ..problems import Problem, Severity
from .excel_template import AUTHOR, _comment, _height, _stable_zip, _write_atomically

FINDINGS_SHEET = "问题清单"
"""The sheet put first in the marked workbook; the reader does not know it, so a marked workbook reads as before."""
MARKED_SUFFIX = "（已标注）"
FILLS = {Severity.ERROR: PatternFill("solid", fgColor="FFC7CE"), Severity.WARNING: PatternFill("solid", fgColor="FFEB9C")}
"""Red for 错误, yellow for 警告 (Excel's own “bad” and “neutral” colours); 提示 are listed but not filled."""
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_LINK_FONT = Font(color="0563C1", underline="single")
_CELL = re.compile(r"^(?P<sheet>.+)!\$?(?P<column>[A-Z]{1,3})\$?(?P<row>\d+)$")
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
    if FINDINGS_SHEET in wb.sheetnames:   # marking a marked workbook again: the old list goes, the new one comes
        del wb[FINDINGS_SHEET]
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
    for (title, coordinate), found in marks.items():
        cell = wb[title][coordinate]
        worst = min((p.severity for p in found), key=list(Severity).index)
        if worst in FILLS:
            cell.fill = FILLS[worst]
        text = "\n".join(f"【{p.severity.value}】{p.message}" for p in found)
        if cell.comment is not None:
            text = f"{text}\n——\n{cell.comment.text}"
        cell.comment = _comment(text)
        cell.comment.author = AUTHOR
    _findings_sheet(wb, linked)
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
        raise MarkError(f"无法写出标注版 {target}（{exc.strerror or exc}）：请关闭在 Excel/WPS 中打开的同名文件，"
                        "或用 -o 指定其他文件名") from None
    return target


def _top_left(ws, coordinate: str) -> str:
    """A cell inside a merged range is marked on the range's first cell, the one Excel shows and keeps."""
    for merged in ws.merged_cells.ranges:
        if coordinate in merged:
            return merged.start_cell.coordinate
    return coordinate


def _findings_sheet(wb, linked: list[tuple[Problem, tuple[str, str] | None]]) -> None:
    ws = wb.create_sheet(FINDINGS_SHEET, 0)
    headers = (("序号", 6), ("级别", 8), ("位置", 18), ("说明", 80), ("明细", 50))
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


__all__ = ["FINDINGS_SHEET", "MarkError", "mark_workbook", "marked_path", "cell_of"]
