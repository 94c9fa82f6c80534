"""The bureau's list of units (名单.xlsx) read, and the accounts sheet (账号.xlsx) it hands out written."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

NAME, CODE, CONTACT = "单位名称", "单位代码", "联系人"
HEADER_ROWS = 10           # the header row is looked for among the first rows (a title may come first)


class RosterError(Exception):
    """The list cannot be used; `str()` names the place and what to do, in Chinese."""


@dataclass(frozen=True)
class Unit:
    """One row of the bureau's list."""

    name: str
    code: str
    contact: str
    place: str              # 名单.xlsx!Sheet!B4, for messages


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_roster(path: Path) -> list[Unit]:
    """Every unit of the list (the first sheet with a 单位名称 header), in its order; RosterError for a list that
    cannot be used, naming every problem."""
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise RosterError(f"找不到单位名单 {path}：请检查路径") from None
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise RosterError(f"{path.name} 不是可读的 Excel 工作簿（.xlsx）（{exc.__class__.__name__}）："
                          "请在 Excel/WPS 中另存为 .xlsx 后重试") from None
    try:
        for sheet in book.worksheets:
            rows = list(sheet.iter_rows(values_only=True))
            for number, row in enumerate(rows[:HEADER_ROWS], 1):
                header = [_text(v) for v in row]
                if NAME in header:
                    return _units(path, sheet.title, header, rows[number:], number)
    finally:
        book.close()
    raise RosterError(f"{path.name}：没有找到表头“{NAME}”：名单应有一行表头，写明 {NAME}（可另有 {CODE}、{CONTACT}），"
                      "下面每行一个单位")


def _units(path: Path, sheet: str, header: list[str], rows: list[tuple], header_row: int) -> list[Unit]:
    column = {name: header.index(name) for name in (NAME, CODE, CONTACT) if name in header}
    units: list[Unit] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for offset, row in enumerate(rows, header_row + 1):
        def cell(name: str) -> str:
            index = column.get(name)
            return _text(row[index]) if index is not None and index < len(row) else ""

        name = cell(NAME)
        if not name:
            continue
        place = f"{path.name}!{sheet}!{chr(ord('A') + column[NAME])}{offset}"
        if name in seen:
            problems.append(f"{place}：单位“{name}”重复（第一次在 {seen[name]}）：请删去重复的行")
            continue
        seen[name] = place
        units.append(Unit(name, cell(CODE), cell(CONTACT), place))
    if problems:
        raise RosterError("\n".join(problems))
    if not units:
        raise RosterError(f"{path.name}!{sheet}：表头“{NAME}”下面没有单位：请每行填写一个单位的名称")
    return units


def write_accounts_sheet(rows: list[tuple[str, str, str, str]], target: Path) -> None:
    """账号.xlsx: 单位名称, 账号, 初始密码, 说明 — one row per account, the bureau's first; written whole or not at all."""
    book = Workbook()
    sheet = book.active
    sheet.title = "账号"
    sheet.append([NAME, "账号", "初始密码", "说明"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for letter, width in zip("ABCD", (36, 14, 14, 40)):
        sheet.column_dimensions[letter].width = width
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        book.save(temp)
        temp.chmod(0o600)           # it holds the initial passwords: for the bureau's account only
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
