"""Write the 填报模板 workbook of layout.py — blank, or filled from a model — for a preparer to fill in Excel or WPS."""
from __future__ import annotations

import io
import logging
import math
import os
import sys
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from itertools import groupby
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from ..catalog import ROWS_BY_KEY
from ..model import DEPARTMENT, Report
from .layout import INDICATOR_SHEET, INSTRUCTIONS_SHEET, OWNER, PROJECT_SHEET, SHEETS, Column, Sheet, current_choices, pack_text_rows

logger = logging.getLogger(__name__)

AUTHOR = "jxzp"
LISTS_SHEET = "_lists"
"""The hidden helper sheet holding dropdown lists; the reader ignores it."""
OWNER_LIST_NAME = "所属项目列表"
"""The defined name of the 所属项目 dropdown: 部门整体 and every name typed on the 项目 sheet."""
UNIT_HEADERS = ("填报项目", "填报内容", "说明")
"""Columns A–C of the key–value 单位信息 sheet; A1 is UNIT_SHEET.anchor."""
LAST_ROW = {"项目": 500, "绩效指标": 1000, "功能分类": 200}
"""How far down dropdowns and number checks reach on the open-ended sheets (more when a report needs it)."""

NUMBER_FORMATS = {
    "money": "#,##0.00",
    "number": "#,##0.00",
    "percent": "0.00",   # percent units, 54.35 means 54.35%: never Excel's % format, which would store 0.5435
    "score": "0.00",
    "int": "0",          # no thousands separator: 评价年度 2023 must not show as 2,023
    "date": 'yyyy"年"m"月"d"日"',
    "text": "@",         # codes and phone numbers stay text; not on long text (Excel shows #### past 255 chars)
}
_UNIT_WORDS = {"money": "万元", "number": "", "percent": "%", "score": "分", "int": ""}
# Fields whose model type is free text: the dropdown proposes the usual names but accepts others after a warning.
_FREE_CHOICES = {"一级指标", "二级指标", "评分规则"}
_BLANK_WHEN_FALSE = {"不适用"}
_WRAPPED = {"long", "text", "choice"}   # a long project name or level wraps rather than hides behind the next cell   # 否 is the default: an empty cell reads the same and keeps the sheet quiet
_GROUP_NOTES = {
    "年初预算数": "年初预算数（万元）：年初批复的预算；下面四列按资金来源分列，可只填“合计”",
    "全年预算数": "*（必填）全年预算数（万元）：调整后的全年预算，是执行率的分母，开展自评的项目必须填写；可只填“合计”",
    "全年执行数": "全年执行数（万元）：全年实际支出；可只填“合计”",
}
_SHEET_GUIDE = {
    "单位信息": "单位名称、评价年度、填报人等基本信息，部门概况（职能职责、机构设置、人员情况）和部门整体报告的各段文字，"
               "以及楼堂馆所控制情况。每行一项，在 B 列“填报内容”中填写，C 列是填写说明。",
    "收支情况": "部门收入、支出和结转结余，按上年决算数、年初预算数、全年预算数、决算数四列填写。行名已按标准格式列出，"
               "请勿修改，只填金额；没有的行留空。",
    "项目": "每行一个项目。资金分年初预算数、全年预算数、全年执行数三组，每组按当年财政拨款、上年结转资金、其他资金分列，"
           "也可只填“合计”。后面各列是项目自评报告的各段文字。“是否开展自评”选“否”的项目不出自评报告。",
    "绩效指标": "每行一个三级指标，项目的指标和部门整体的指标都填在这里，用“所属项目”区分。",
    "三公经费": "因公出国（境）费、公务用车购置及运行维护费、公务接待费。",
    "功能分类": "一般公共预算财政拨款支出按功能分类科目（类级，如 201 一般公共服务支出）列示，每行一个科目。",
}
REQUIRED_MARK = "*"
"""Follows the header of a column that must be filled, in red; the readers accept headers with and without it."""
REQUIRED_GROUPS = {"全年预算数"}
"""Column groups an evaluated project must fill (its 合计 or its sources): the denominator of the execution rate."""
_RED = InlineFont(color="FF0000", b=True)
SERVE_COMMAND = "jxzp serve"
VALIDATE_COMMAND = "jxzp validate 填报表.xlsx"
GENERATE_COMMAND = "jxzp generate 填报表.xlsx"
EXAMPLE_COMMAND = "jxzp init --example"

_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_GROUP_BORDER = Border(left=_THIN, right=_THIN, top=Side(style="medium", color="595959"), bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_BOLD = Font(bold=True)
_NOTE_FONT = Font(color="595959", size=10)
_LINE_HEIGHT = 15.0     # points per line of 11-point text, CJK included
_MAX_ROW_HEIGHT = 409.0  # Excel's limit
_MAX_LIST_ROW_HEIGHT = 120.0  # on the record sheets a row stays navigable; the full text is in the formula bar


def write_workbook(path: Path, report: Report | None = None, pack=None) -> None:
    """Write the input workbook at path: blank when report is None, else holding every value of report; with
    `pack` (a loaded Pack), its own text fields as rows of 单位信息."""
    path = Path(path)
    data = workbook_bytes(report, pack)
    _write_atomically(path, data)
    logger.info("wrote %s", path)


def workbook_bytes(report: Report | None = None, pack=None) -> bytes:
    """The .xlsx file as bytes; the same report (and pack) always gives the same bytes."""
    book = _TemplateBook(report, pack.text_fields if pack is not None else {})
    wb = book.build()
    # A fixed time, so that equal reports give equal files; zip timestamps cannot go before 1980.
    year = min(max(report.unit.year + 1, 1980), 2100) if report is not None else 2000
    stamp = datetime(year, 1, 1)
    wb.properties.creator = AUTHOR
    wb.properties.lastModifiedBy = AUTHOR
    wb.properties.title = "预算绩效自评填报表"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        # ExcelWriter directly: openpyxl's save_workbook stamps the current time into docProps/core.xml.
        ExcelWriter(wb, archive).write_data()
    return _stable_zip(raw.getvalue(), stamp)


def header_rows(sheet: Sheet) -> int:
    """How many header rows a sheet has: 2 when it has grouped columns (项目), else 1."""
    return 2 if any(c.group for c in sheet.columns) else 1


def first_data_row(sheet: Sheet) -> int:
    """The row the first record (or the first 单位信息 field, or the first fixed row) is on."""
    return header_rows(sheet) + 1


def column_note(column: Column) -> str:
    """The comment text of a header cell: the layout's note, what unit to use, and （必填） when required."""
    return _join(_note_parts(column), column.required)


def _note_parts(column: Column) -> list[str]:
    note = column.note or column.header
    if note.startswith("（"):
        note = column.header + note
    parts = [note]
    if column.kind == "money" and "万元" not in note and "单位" not in note:
        parts.append("单位：万元，保留两位小数")
    elif column.kind == "money":
        parts.append("保留两位小数")
    elif column.kind == "percent":
        if "%" not in note:
            parts[0] += "（%）"
        parts.append("填百分数的数值，如 95.10 表示 95.10%，不要带 % 号")
    elif column.kind == "score" and "分）" not in note:
        parts.append("单位：分")
    elif column.kind == "int":
        parts.append("填整数")
    elif column.kind == "date":
        parts.append("如 2024年3月30日 或 2024-03-30")
    elif column.kind == "long":
        parts.append("可分段，单元格内换行按 Alt+Enter")
    if column.choices:
        parts.append("从下拉列表中选择：" + "、".join(column.choices))
    if column.header == OWNER.header:
        parts.append("可从下拉列表选择，列表随项目表自动更新")
    return parts


def _join(parts: list[str], required: bool) -> str:
    text = "；".join(p for p in parts if p)
    return f"{REQUIRED_MARK}（必填）{text}" if required else text


def header_value(text: str, required: bool):
    """A header as written: the text, followed by a red asterisk when the column must be filled."""
    if not required:
        return text
    return CellRichText([text, TextBlock(_RED, REQUIRED_MARK)])


def _red_mark(text: str):
    """A note starting with the required mark shows the mark in red."""
    if not text.startswith(REQUIRED_MARK):
        return text
    return CellRichText([TextBlock(_RED, REQUIRED_MARK), text[len(REQUIRED_MARK):]])


# -- the workbook


@dataclass
class _Lists:
    """The hidden sheet of dropdown lists too long for a validation formula (255 characters)."""

    sheet: Worksheet
    columns: dict[tuple[str, ...], str] = field(default_factory=dict)

    def reference(self, values: tuple[str, ...]) -> str:
        if values not in self.columns:
            index = len(self.columns) + 2   # column A is the 所属项目 list
            letter = get_column_letter(index)
            for row, value in enumerate(values, 1):
                self.sheet.cell(row, index, value)
            self.columns[values] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$1:${letter}${len(values)}"
        return self.columns[values]


class _TemplateBook:
    """Builds the openpyxl workbook of the layout, with a report's values when one is given."""

    def __init__(self, report: Report | None, text_fields: dict | None = None) -> None:
        self.data: dict[str, Any] = report.model_dump(by_alias=True) if report is not None else {}
        self.wb = Workbook()
        typed = report.unit.sections if report is not None else {}
        # A report read without its pack keeps a text under the label typed: look it up by name or label.
        for name, spec in (text_fields or {}).items():
            if name not in typed and spec.shown(name) in typed:
                self.data["单位信息"]["文字栏目"][name] = typed[spec.shown(name)]
        self.text_rows = pack_text_rows(text_fields or {}, typed)

    def build(self) -> Workbook:
        wb = self.wb
        guide = wb.active
        guide.title = INSTRUCTIONS_SHEET
        sheets = {sheet.name: wb.create_sheet(sheet.name) for sheet in SHEETS}
        lists_ws = wb.create_sheet(LISTS_SHEET)
        lists_ws.sheet_state = "hidden"
        self.lists = _Lists(lists_ws)
        self._write_guide(guide)
        _fit_width(guide)
        for sheet in SHEETS:
            ws = sheets[sheet.name]
            if sheet.key_value:
                self._write_key_value(ws, replace(sheet, columns=current_choices([*sheet.columns, *self.text_rows])))
            elif sheet.fixed_rows:
                self._write_fixed_rows(ws, sheet)
            else:
                self._write_records(ws, sheet)
            if sheet.optional:
                ws.sheet_properties.tabColor = "BFBFBF"
            _print_setup(ws, "1:1" if sheet.key_value else f"1:{header_rows(sheet)}")
        self._owner_list(lists_ws)
        wb.active = 0
        return wb

    # -- 填表说明

    def _write_guide(self, ws: Worksheet) -> None:
        ws.column_dimensions["A"].width = 18
        ws.column_dimensions["B"].width = 100
        ws.sheet_view.showGridLines = False
        ws.merge_cells("A1:B1")
        title = ws.cell(1, 1, "预算绩效自评填报表 · 填表说明")
        title.font = Font(bold=True, size=16)
        title.alignment = Alignment(horizontal="center", vertical="center")
        ws.row_dimensions[1].height = 32
        row = 2
        row = self._guide_text(ws, row, "本工作簿是生成预算绩效自评材料的唯一填报文件。按下列工作表填好后，在网页上传（或用命令行），一次生成"
                                        "部门整体支出绩效自评报告、各项目支出绩效自评报告和自评表（Word 与 Markdown）。"
                                        "执行率、得分、等级、占比、增减额和各项合计由程序计算，不必手工计算。")
        row = self._guide_heading(ws, row + 1, "一、各工作表填什么（点工作表名可跳转）")
        for sheet in SHEETS:
            name = ws.cell(row, 1, sheet.name + ("（可选）" if sheet.optional else ""))
            name.hyperlink = Hyperlink(ref=name.coordinate, location=f"{quote_sheetname(sheet.name)}!A1",
                                       display=sheet.name)
            name.font = Font(color="0563C1", underline="single")
            name.alignment = Alignment(vertical="top")
            text = _SHEET_GUIDE.get(sheet.name, "")
            if sheet.instructions:
                text = f"{text}{sheet.instructions}。" if text else sheet.instructions
            self._guide_cell(ws, row, text)
            row += 1
        rules = [
            "金额单位为万元，保留两位小数（如 1234.56）；只填数字，不要带“万元”“元”。",
            "比率（说明中带“%”的列，如执行率）填百分数的数值：95.10 表示 95.10%，不要带 % 号。分值、得分的单位是分。",
            "合计行（加粗、灰色底）和项目表中的“合计”列可以不填，程序按各项之和计算；填了会与各项之和核对，不一致时会提示。",
            "表头单元格右上角有红色小三角的，鼠标移上去可以看到填写说明。表头后带红色星号 * 的列（橙色底）必须填写，"
            "说明中标有“*（必填）”；“全年预算数”开展自评的项目必须填写（可只填合计）。",
            "带下拉箭头的单元格请从列表中选择：指标方向、一级指标、二级指标、定性等级、不适用、是否开展自评、评分规则等。",
            "“所属项目”把绩效指标和项目联系起来：填项目表中的项目名称（须一字不差，可从下拉列表选择）；"
            "部门整体的指标填“部门整体”。",
            "某个指标不适用时，在“不适用”列选“是”：该指标不计分，总分按适用指标的分值折算为百分制；适用的指标留空即可。",
            "定性指标：“指标方向”选“定性”，在“定性等级”中选择完成等级；得分可以填写，但须在该等级对应的分数区间内。",
            "多段文字（如职能职责、下属预算单位）在同一个单元格内分段：按 Alt+Enter 换行，每段一条。",
            "日期填 2024年3月30日 或 2024-03-30。没有的内容留空；“其他需要说明的情况”没有时请填“无”。",
            "请勿修改工作表名称、表头文字和收支情况、三公经费第一列的行名；项目、绩效指标、功能分类表可以按需增加行。"
            "可选的工作表不需要时留空即可。",
        ]
        row = self._guide_heading(ws, row + 1, "二、填写规则")
        for number, rule in enumerate(rules, 1):
            ws.cell(row, 1, f"{number}.").alignment = Alignment(horizontal="right", vertical="top")
            self._guide_cell(ws, row, rule)
            row += 1
        steps = [
            ("网页（推荐）", f"在浏览器中打开单位或财政局提供的 jxzp 网址（本机使用时运行  {SERVE_COMMAND}  ，再打开它显示的地址），"
                          "把本填报表拖到页面上：页面一次列出全部问题，每条写明位置（如 项目!F12）、问题和修改方法，"
                          "并可下载标注过的填报表（有问题的单元格已填色、附批注）。改好后再上传，没有错误时点“生成全套材料”下载。"),
            ("命令行 检查", f"运行  {VALIDATE_COMMAND}  ：列出全部问题，不生成任何文件；加 --mark 另存一份标注过的填报表"
                          "“填报表（已标注）.xlsx”。改好后再运行一次，直到没有错误。"),
            ("命令行 生成", f"运行  {GENERATE_COMMAND}  ：检查通过后生成全部报告和自评表；有错误时不生成，已有的文件保持不变。"),
            ("示例", f"网页首页可下载填好的示例；命令行运行  {EXAMPLE_COMMAND}  也可以得到，对照填写。"),
        ]
        row = self._guide_heading(ws, row + 1, "三、检查与生成：网页或命令行")
        for label, text in steps:
            ws.cell(row, 1, label).alignment = Alignment(vertical="top")
            self._guide_cell(ws, row, text)
            row += 1
        ws.freeze_panes = "A2"

    def _guide_heading(self, ws: Worksheet, row: int, text: str) -> int:
        cell = ws.cell(row, 1, text)
        cell.font = Font(bold=True, size=12)
        ws.row_dimensions[row].height = 22
        return row + 1

    def _guide_text(self, ws: Worksheet, row: int, text: str) -> int:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        cell = ws.cell(row, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = _height([text], 118, _MAX_ROW_HEIGHT)
        return row + 1

    def _guide_cell(self, ws: Worksheet, row: int, text: str) -> None:
        cell = ws.cell(row, 2, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = _height([text], 100, _MAX_ROW_HEIGHT)

    # -- 单位信息: one row per field

    def _write_key_value(self, ws: Worksheet, sheet: Sheet) -> None:
        widths = (24, max(60, max(c.width for c in sheet.columns)), 46)
        for index, (text, width) in enumerate(zip(UNIT_HEADERS, widths), 1):
            ws.column_dimensions[get_column_letter(index)].width = width
            cell = ws.cell(1, index, text)
            _style_header(cell, required=False)
        notes = ("填报项目已按标准列出，请勿修改", "在这一列填写；多段文字按 Alt+Enter 换行", "填写说明")
        for index, note in enumerate(notes, 1):
            ws.cell(1, index).comment = _comment(note)
        ws.row_dimensions[1].height = 22
        for row, column in enumerate(sheet.columns, first_data_row(sheet)):
            label = ws.cell(row, 1, header_value(column.header, column.required))
            _style_header(label, column.required, horizontal="left")
            label.comment = _comment(column_note(column))
            value_cell = _put(ws, row, 2, _cell_value(_lookup(self.data, column.path), column))
            _style_value(value_cell, column)
            value_cell.border = _BORDER
            parts = _note_parts(column)
            if column.note == column.header:   # the C column need not repeat the label beside it
                parts = parts[1:]
            note_text = _join(parts, column.required)
            note = ws.cell(row, 3, _red_mark(note_text) if not _section(column) else _section(column) + note_text)
            note.font = _NOTE_FONT
            note.alignment = Alignment(wrap_text=True, vertical="top")
            note.border = _BORDER
            value = value_cell.value
            if column.kind == "long" and not value:
                value = "\n\n"   # a blank long field shows as a three-line box
            ws.row_dimensions[row].height = max(
                _height([value if isinstance(value, str) else ""], widths[1], _MAX_ROW_HEIGHT),
                _height([note.value or ""], widths[2] * 1.1, _MAX_ROW_HEIGHT))   # the note is in 10-point type
            self._validate(ws, column, f"B{row}")
        ws.freeze_panes = "B2"

    # -- 收支情况, 三公经费: fixed rows

    def _write_fixed_rows(self, ws: Worksheet, sheet: Sheet) -> None:
        self._write_header(ws, sheet)
        rows_by_label = {row.display: row for row in ROWS_BY_KEY.values()}
        amounts = self.data.get(sheet.name) or {}
        group = None
        for row, label in enumerate(sheet.fixed_rows, first_data_row(sheet)):
            catalog_row = rows_by_label[label]
            starts_group = group is not None and catalog_row.group != group
            group = catalog_row.group
            record = amounts.get(catalog_row.key) or {}
            for index, column in enumerate(sheet.columns, 1):
                if index == 1:
                    cell = ws.cell(row, 1, label)
                    cell.alignment = Alignment(vertical="top", indent=1 if label.startswith("其中") else 0)
                else:
                    cell = _put(ws, row, index, _cell_value(_lookup(record, column.path), column))
                    _style_value(cell, column)
                cell.border = _GROUP_BORDER if starts_group else _BORDER
                if catalog_row.parts:
                    cell.font = _BOLD
                    cell.fill = _TOTAL_FILL
            if catalog_row.parts:
                parts = " + ".join(ROWS_BY_KEY[p].display.removeprefix("其中：") for p in catalog_row.parts)
                ws.cell(row, 1).comment = _comment(f"合计行：可不填，程序按各项之和计算；填了会与各项之和核对。\n"
                                                   f"{catalog_row.key} = {parts}")
        last = first_data_row(sheet) + len(sheet.fixed_rows) - 1
        for index, column in enumerate(sheet.columns, 1):
            letter = get_column_letter(index)
            if index > 1:
                self._validate(ws, column, f"{letter}{first_data_row(sheet)}:{letter}{last}")
        ws.freeze_panes = "B2"

    # -- 项目, 绩效指标, 功能分类: one row per record

    def _write_records(self, ws: Worksheet, sheet: Sheet) -> None:
        self._write_header(ws, sheet)
        records = self._records(sheet)
        first = first_data_row(sheet)
        last = max(LAST_ROW.get(sheet.name, 500), first + len(records) + 100)
        for index, column in enumerate(sheet.columns, 1):
            dimension = ws.column_dimensions[get_column_letter(index)]
            # A column style formats every cell the preparer will type into, without writing empty cells.
            if column.kind in NUMBER_FORMATS:
                dimension.number_format = NUMBER_FORMATS[column.kind]
            dimension.alignment = Alignment(wrap_text=column.kind in _WRAPPED, vertical="top")
        for row, record in enumerate(records, first):
            texts: list[tuple[str, float]] = []
            for index, column in enumerate(sheet.columns, 1):
                value = _cell_value(_lookup(record, column.path), column)
                if value is None:
                    continue
                cell = _put(ws, row, index, value)
                _style_value(cell, column)
                if column.kind in _WRAPPED and isinstance(value, str):
                    texts.append((value, column.width))
            if texts:
                ws.row_dimensions[row].height = max(_height([t], w, _MAX_LIST_ROW_HEIGHT) for t, w in texts)
        for index, column in enumerate(sheet.columns, 1):
            letter = get_column_letter(index)
            self._validate(ws, column, f"{letter}{first}:{letter}{last}")
        # Freeze through the column that names the record (项目名称, 所属项目, 科目名称).
        anchor = next((i for i, c in enumerate(sheet.columns) if c.header == sheet.anchor), 0)
        ws.freeze_panes = f"{get_column_letter(anchor + 2)}{first}"

    def _records(self, sheet: Sheet) -> list[dict]:
        if sheet is INDICATOR_SHEET:
            rows = [{**item, OWNER.header: DEPARTMENT} for item in self.data.get("部门整体绩效指标") or []]
            for project in self.data.get("项目") or []:
                rows += [{**item, OWNER.header: project["项目名称"]} for item in project.get("绩效指标") or []]
            return rows
        return list(self.data.get(sheet.name) or [])

    # -- headers, values, validations

    def _write_header(self, ws: Worksheet, sheet: Sheet) -> None:
        two_rows = header_rows(sheet) == 2
        index = 1
        for group, members in groupby(sheet.columns, key=lambda c: c.group):
            members = list(members)
            if group:
                span_end = index + len(members) - 1
                top = ws.cell(1, index, header_value(group, group in REQUIRED_GROUPS))
                _style_header(top, required=False)
                top.comment = _comment(_GROUP_NOTES.get(group, f"{group}（万元）"))
                for offset in range(len(members)):
                    _style_header(ws.cell(1, index + offset), required=False)
                ws.merge_cells(start_row=1, start_column=index, end_row=1, end_column=span_end)
                for offset, column in enumerate(members):
                    cell = ws.cell(2, index + offset, column.header)
                    _style_header(cell, column.required)
                    cell.comment = _comment(column_note(column))
            else:
                for offset, column in enumerate(members):
                    marked = column.required and not sheet.fixed_rows   # a fixed sheet's row names are pre-filled
                    cell = ws.cell(1, index + offset, header_value(column.header, marked))
                    _style_header(cell, column.required)
                    cell.comment = _comment(column_note(column))
                    if two_rows:
                        _style_header(ws.cell(2, index + offset), column.required)
                        ws.merge_cells(start_row=1, start_column=index + offset, end_row=2, end_column=index + offset)
            index += len(members)
        for number, column in enumerate(sheet.columns, 1):
            ws.column_dimensions[get_column_letter(number)].width = column.width
        for row in range(1, header_rows(sheet) + 1):
            ws.row_dimensions[row].height = 30 if two_rows else 36

    def _validate(self, ws: Worksheet, column: Column, cells: str) -> None:
        """A dropdown for a choice column, the 所属项目 list for owners, a gentle number check for numbers."""
        if column.header == OWNER.header:
            rule = DataValidation(type="list", formula1=OWNER_LIST_NAME, allow_blank=True,
                                  showErrorMessage=True, errorStyle="warning", errorTitle="请从列表中选择",
                                  error="“所属项目”应为项目表中的项目名称或“部门整体”。如项目表尚未填写该项目，"
                                        "请先在项目表中填写；确需保留请点“是”。",
                                  showInputMessage=True, promptTitle="所属项目",
                                  prompt="选择项目表中的项目名称；部门整体的指标选“部门整体”")
        elif column.choices:
            listed = '"' + ",".join(column.choices) + '"'
            formula = listed if len(listed) <= 255 else self.lists.reference(column.choices)
            free = column.header in _FREE_CHOICES
            message = f"“{column.header}”请从下拉列表中选择：{'、'.join(column.choices)}"
            if free:
                message += "。确需使用其他名称请点“是”。"
            rule = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                                  errorStyle="warning" if free else "stop", errorTitle="请从列表中选择",
                                  error=message[:225], showInputMessage=True, promptTitle=column.header[:32],
                                  prompt=column_note(column)[:255])
        elif column.kind in _UNIT_WORDS:
            unit = _UNIT_WORDS[column.kind]
            whole = column.kind == "int"
            rule = DataValidation(type="whole" if whole else "decimal", operator="between",
                                  formula1="0" if whole else "-1000000000000", formula2="1000000000000",
                                  allow_blank=True, showErrorMessage=True, errorStyle="warning",
                                  errorTitle="请填写数字",
                                  error=(f"“{column.header}”应为{'整数' if whole else '数字'}"
                                         f"{f'（单位：{unit}）' if unit else ''}，不带单位和文字；没有请留空。")[:225])
        else:
            return
        rule.add(cells)
        ws.add_data_validation(rule)

    def _owner_list(self, ws: Worksheet) -> None:
        """部门整体, then the 项目 sheet's names by formula, so the dropdown follows projects added later."""
        first = first_data_row(PROJECT_SHEET)
        last = max(LAST_ROW[PROJECT_SHEET.name], first + len(self.data.get("项目") or []) + 100)
        name_col = get_column_letter(1 + next(i for i, c in enumerate(PROJECT_SHEET.columns)
                                               if c.header == PROJECT_SHEET.anchor))
        source = quote_sheetname(PROJECT_SHEET.name)
        ws.cell(1, 1, DEPARTMENT)
        for offset, row in enumerate(range(first, last + 1), 2):
            ws.cell(offset, 1).value = f'=IF({source}!${name_col}{row}="","",{source}!${name_col}{row})'
        count = f"COUNTA({source}!${name_col}${first}:${name_col}${last})"
        self.wb.defined_names[OWNER_LIST_NAME] = DefinedName(
            OWNER_LIST_NAME, attr_text=f"OFFSET({quote_sheetname(LISTS_SHEET)}!$A$1,0,0,{count}+1,1)")


# -- cells


def _fit_width(ws: Worksheet) -> None:
    """Print the sheet one page wide, as many pages down as it needs."""
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def _print_setup(ws: Worksheet, title_rows: str) -> None:
    """A data sheet prints on A4 landscape, one page wide, with its header rows repeated on every page."""
    _fit_width(ws)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True


def _style_header(cell, required: bool, horizontal: str = "center") -> None:
    cell.font = _BOLD
    cell.fill = _REQUIRED_FILL if required else _HEADER_FILL
    cell.border = _BORDER
    cell.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)


def _style_value(cell, column: Column) -> None:
    if column.kind in NUMBER_FORMATS:
        cell.number_format = NUMBER_FORMATS[column.kind]
    cell.alignment = Alignment(wrap_text=column.kind in _WRAPPED, vertical="top")


def _comment(text: str) -> Comment:
    width = 260
    lines = sum(max(1, math.ceil(_display_width(line) / 34)) for line in text.split("\n"))
    return Comment(text, AUTHOR, height=min(300, 24 + 15 * lines), width=width)


def _section(column: Column) -> str:
    if column.path[:2] == ("单位信息", "人员情况"):
        return "人员情况："
    if column.path[:1] == ("楼堂馆所",):
        return "楼堂馆所控制情况："
    return ""


def _lookup(record: Any, path: tuple) -> Any:
    for key in path:
        if not isinstance(record, dict):
            return None
        record = record.get(key)
    return record


def _cell_value(value: Any, column: Column) -> Any:
    """A model value as the preparer would type it: numbers as numbers, dates as dates, choices as their text."""
    if value is None:
        return None
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bool):
        if not value and column.header in _BLANK_WHEN_FALSE:
            return None
        return "是" if value else "否"
    if isinstance(value, list):
        return _text("\n".join(str(v) for v in value)) or None
    if isinstance(value, Decimal):
        if value == value.to_integral_value() and column.kind == "int":
            return int(value)
        return Decimal(format(value, "f"))   # no exponent in the XML
    if isinstance(value, (int, float, date)):
        return value
    return _text(str(value)) or None


def _text(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _put(ws: Worksheet, row: int, column: int, value: Any):
    """Write a value; text that starts with "=" (年度指标值 "=100%") stays text, never a formula."""
    cell = ws.cell(row, column)
    cell.value = value
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _height(texts: list[str], width: float, cap: float) -> float:
    """A row height in points that shows the wrapped text in a column this wide (in character units)."""
    per_line = max(4.0, width - 2)
    lines = 0
    for text in texts:
        for paragraph in str(text).split("\n"):
            lines += max(1, math.ceil(_display_width(paragraph) / per_line))
    return min(cap, max(_LINE_HEIGHT, lines * _LINE_HEIGHT + 3))


# -- file


def _stable_zip(data: bytes, stamp: datetime) -> bytes:
    """The same archive with fixed timestamps and attributes, so equal workbooks are equal files."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            entry.external_attr = 0
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644   # mkstemp's 0600 would hide the file from others
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    """python -m generator.readers.excel_template IN.yaml OUT.xlsx: a YAML input as a filled workbook."""
    from ..problems import InputError
    from . import read_input

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("用法：python -m generator.readers.excel_template 输入.yaml 输出.xlsx", file=sys.stderr)
        return 2
    try:
        report, warnings = read_input(args[0])
    except InputError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    for problem in warnings:
        print(problem, file=sys.stderr)
    write_workbook(Path(args[1]), report)
    print(f"已写出 {args[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
