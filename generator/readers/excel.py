"""Read a filled 填报模板 .xlsx into the raw tree, remembering the cell of every value (项目!F12)."""
from __future__ import annotations

import re
import warnings
import zipfile
import zlib
from xml.etree.ElementTree import ParseError
from datetime import datetime
from decimal import Decimal
from itertools import zip_longest
from pathlib import Path
from typing import Any, Iterator

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from ..model import DEPARTMENT, LABEL_CELL
from ..numbers import normalize_text
from ..problems import InputError, Problem, Problems, Severity
from . import OTHER_FORMATS, other_format, saved_as_xlsx
from .build import xml_safe
from .layout import FINANCE_SHEET, FUNCTIONAL_SHEET, INDICATOR_SHEET, OWNER, PROJECT_SHEET, SHEETS, THREE_PUBLIC_SHEET, \
    UNIT_SHEET, WEIGHT_COLUMN, Column, Sheet, essential_columns

MAX_ROWS = 20000         # filled rows of one sheet; blank rows between them do not count
MAX_COLUMNS = 200
HEADER_SEARCH_ROWS = 6
EXCEL_ERRORS = {"#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#N/A", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")
# Excel stores a character XML cannot hold (and a carriage return) as _xHHHH_; openpyxl leaves the escape as is.
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")


def _refuse(name: str, message: str, code: str) -> InputError:
    return InputError(name, [Problem(Severity.ERROR, name, message, code)], unreadable=True)


def _sniff(path: Path) -> None:
    """Refuse what is not an .xlsx before openpyxl sees it: old .xls, password-protected, other files."""
    name = path.name
    with path.open("rb") as handle:
        head = handle.read(8)
        if head == OLE_MAGIC:
            body = head + handle.read(4 * 1024 * 1024)
            if ENCRYPTED_MARK in body:
                raise _refuse(name, "工作簿设置了打开密码，无法读取：请在 Excel/WPS 中取消密码（文件→信息→保护工作簿）后另存，再重试", "encrypted")
            raise _refuse(name, other_format(path) or saved_as_xlsx(OTHER_FORMATS[".xls"]), "xls")
    refused = other_format(path)     # .ods, .xlsb, .numbers: zips too, but not a workbook openpyxl reads
    if refused:
        raise _refuse(name, refused, "other-format")
    if not head.startswith(b"PK\x03\x04") or not zipfile.is_zipfile(path):
        raise _refuse(name, "不是 Excel 工作簿（.xlsx）：请上传用 jxzp init 生成的填报模板，或 .yaml 填报文件", "not-xlsx")
    bomb = archive_problem(path)
    if bomb:
        raise _refuse(name, bomb, "zip-bomb")
    declared = _declares_entities(path)
    if declared:
        raise damaged(name, declared)


def _declares_entities(path: Path) -> str | None:
    """The first XML part that declares a DTD or entities, or None. Excel never writes one; a part that does is
    refused before any parser sees it, so no entity is ever expanded whatever parser openpyxl picks."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.filename.endswith((".xml", ".rels", ".vml")):
                    continue
                with archive.open(info) as part:
                    head = part.read(4096)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    return info.filename
    except DAMAGE:
        return None     # the reader then names the damaged part in its own words
    return None


MB = 1024 * 1024


def archive_problem(path: Path, entries: int = 2000, unpacked: int = 200 * MB, ratio: int = 100) -> str | None:
    """Why a zip must not be opened as a workbook (a "zip bomb": far too many parts, or parts that unzip to
    far more than a workbook holds), or None. Checked from the zip's directory, before anything is unzipped."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None     # the reader reports a damaged workbook in its own words
    if len(infos) > entries:
        what = f"含有 {len(infos)} 个部件"
    else:
        total = sum(info.file_size for info in infos)
        packed = max(1, sum(info.compress_size for info in infos))
        worst = max(infos, key=lambda i: i.file_size / max(1, i.compress_size), default=None)
        if total > unpacked:
            what = f"解压后达 {total / MB:.0f} MB（压缩比 {total / packed:.0f}∶1）"
        elif worst is not None and worst.file_size > MB and worst.file_size > ratio * max(1, worst.compress_size):
            what = (f"其中一个部件解压后达 {worst.file_size / MB:.0f} MB（压缩比 "
                    f"{worst.file_size / max(1, worst.compress_size):.0f}∶1）")
        else:
            return None
    return (f"这个 Excel 文件{what}，远超正常的填报表，疑似“压缩炸弹”，已拒绝：请使用在 Excel/WPS 中"
            "正常保存的填报表（.xlsx）")


# What openpyxl, zipfile and the XML parser raise on a damaged workbook: a part that is not well-formed XML, a
# shared-string index past the table, a date serial out of range, a zip entry whose size or CRC lies, a truncated
# part, an entity declaration (defusedxml refuses it rather than expanding it). None of them is the preparer's
# typing; all of them mean "save the file again from Excel".
DAMAGE = (InvalidFileException, zipfile.BadZipFile, zlib.error, ParseError, KeyError, IndexError, OSError, EOFError,
          ValueError, TypeError, AttributeError, OverflowError, NotImplementedError, UnicodeError, RecursionError)
try:
    from lxml.etree import LxmlError
    DAMAGE = (*DAMAGE, LxmlError)
except ImportError:   # openpyxl then parses with the standard library
    pass


def damaged(name: str, part: str | None = None, sheet: str | None = None) -> InputError:
    """The one message for a workbook openpyxl or the XML parser cannot read cleanly, naming the part if known."""
    where = ""
    if part:
        where = f"部件 {part}" + (f"（工作表“{sheet}”）" if sheet else "") + " 无法读取"
    elif sheet:
        where = f"工作表“{sheet}”无法读取"
    else:
        where = "无法打开"
    return _refuse(name, f"文件已损坏或不是 Excel 保存的工作簿：{where}；请用 Excel/WPS 打开后另存为 .xlsx 再试", "broken-xlsx")


def _open(path: Path, data_only: bool):
    try:
        return load_workbook(path, read_only=True, data_only=data_only)
    except DAMAGE:
        raise damaged(path.name) from None


def _filled_length(vrow: tuple, frow: tuple) -> int:
    """How many leading cells of a row hold a value or a formula (the rest are empty)."""
    end = len(vrow)
    while end and vrow[end - 1].value is None:
        end -= 1
    formulas = len(frow)
    while formulas and frow[formulas - 1] is None:
        formulas -= 1
    return max(end, min(formulas, len(vrow)))


class _SheetReader:
    """Cells of one sheet with cached values, their formulas, and cell names."""

    def __init__(self, title: str, values_ws, formulas_ws, problems: Problems) -> None:
        self.title = title
        self.values_ws = values_ws
        self.formulas_ws = formulas_ws
        self.problems = problems

    def place(self, row: int, col: int) -> str:
        return f"{self.title}!{get_column_letter(col)}{row}"

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(row number, cleaned values) for each filled row, formulas resolved to their cached values.

        The whole sheet is read: a gap of blank rows, however long, does not hide the rows below it. A gap costs
        little, since openpyxl hands out one and the same empty row for every row missing from the file.
        """
        filled = 0
        vals = self.values_ws.iter_rows(max_col=MAX_COLUMNS)
        forms = (self.formulas_ws.iter_rows(max_col=MAX_COLUMNS, values_only=True)
                 if self.formulas_ws is not None else iter(()))
        blank: tuple = (None, None)
        for number, (vrow, frow) in enumerate(zip_longest(vals, forms, fillvalue=()), start=1):
            if vrow is blank[0] and frow is blank[1]:
                continue
            if not any(getattr(cell, "value", None) is not None for cell in vrow) \
                    and not any(isinstance(f, str) for f in frow):
                blank = (vrow, frow)
                continue
            # Rows come padded with empty cells to MAX_COLUMNS; only the filled part is cleaned, the rest stays None.
            end = _filled_length(vrow, frow)
            cleaned = [self._clean(number, i + 1, vrow[i], frow[i] if i < len(frow) else None) for i in range(end)]
            cleaned += [None] * (len(vrow) - end)
            if all(v is None for v in cleaned):
                continue
            filled += 1
            if filled > MAX_ROWS:
                self.problems.error(self.title, f"工作表“{self.title}”填写了超过 {MAX_ROWS} 行：请删除多余的行后重试",
                                    "too-many-rows")
                break
            yield number, cleaned

    def _clean(self, row: int, col: int, cell, formula: Any) -> Any:
        value = getattr(cell, "value", None)
        if value is None and isinstance(formula, str) and formula.startswith("="):
            self.problems.error(self.place(row, col),
                                f"单元格有公式（{formula[:40]}）但没有保存计算结果：这个文件可能由程序生成、从未在 Excel/WPS 中打开保存过。"
                                "请用 Excel 或 WPS 打开后保存，再重试", "formula-no-value")
            return None
        if isinstance(value, str):
            if "_x" in value:
                value = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value)
            value, warning = xml_safe(value)
            if warning:
                self.problems.warning(self.place(row, col), warning, "control-char")
            text = value.strip()
            if text in EXCEL_ERRORS:
                self.problems.error(self.place(row, col), f"单元格是错误值 {text}：请修正这个单元格的公式或改填数值", "excel-error")
                return None
            return text or None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            fmt = getattr(cell, "number_format", "") or ""
            if "%" in fmt:
                return f"{(Decimal(repr(value)) * 100).normalize():f}%"   # "54.35%": numbers and texts alike
        if isinstance(value, datetime) and value.hour == value.minute == value.second == 0:
            return value.date()
        return value


def _key(text: Any) -> str:
    """A header or label as compared: the red asterisk marking a required column (项目名称*) does not count."""
    if text is None:
        return ""
    return normalize_text(str(text)).removeprefix("其中:").removeprefix("其中：").rstrip("*")



def _find_header(rows: list[tuple[int, list[Any]]], anchor: str) -> int | None:
    for index, (_, values) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(_key(v) == _key(anchor) for v in values):
            return index
    return None


def _header_keys(rows: list[tuple[int, list[Any]]], at: int, sheet: Sheet) -> tuple[dict[int, Column], int]:
    """Column index → layout column, resolving a two-row grouped header (merged cells read as blanks)."""
    by_key = {_key(c.key): c for c in sheet.columns}
    subs = {_key(c.header) for c in sheet.columns if c.group}
    top = rows[at][1]
    second = rows[at + 1][1] if at + 1 < len(rows) else []
    two_rows = any(_key(v) in subs for v in second)
    mapping: dict[int, Column] = {}
    taken: set[Column] = set()
    group = ""
    for i in range(max(len(top), len(second))):
        head = _key(top[i]) if i < len(top) else ""
        sub = _key(second[i]) if two_rows and i < len(second) else ""
        if head:
            group = head
        if two_rows and sub in subs and group:
            key = f"{group}/{sub}"
        else:
            key = head
            if head == "":
                continue
        # A column met again (a group header deleted leaves its sub-columns under the group before it) keeps its
        # first place: the later cells are not read into it.
        if key in by_key and by_key[key] not in taken:
            mapping[i] = by_key[key]
            taken.add(by_key[key])
    return mapping, (2 if two_rows else 1)


def _set(tree: dict, path: tuple, value: Any) -> None:
    node = tree
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


class _Workbook:
    def __init__(self, path: Path) -> None:
        self.name = path.name
        self.problems = Problems()
        self.places: dict[tuple, str] = {}
        self.raw: dict[str, Any] = {}
        self.path = path
        self.values = _open(path, data_only=True)
        self.formulas = None
        self.blanks: dict[int, dict[Column, str]] = {}
        self.chosen: dict[str, str | None] = {}

    def title(self, name: str) -> str | None:
        """The sheet that holds `name`: the one named exactly so, else one named so but for spaces or full-width
        forms (“ 项目 ”), read with a hint naming it, never silently; a look-alike beside the real sheet is
        left unread, with a warning. A renamed sheet with a stray space is still the preparer's sheet: refusing
        it would stop them over a character they cannot see."""
        if name in self.chosen:
            return self.chosen[name]
        titles = self.values.sheetnames
        alike = [t for t in titles if t != name and _key(t) == _key(name)]
        chosen = name if name in titles else (alike.pop(0) if alike else None)
        if chosen is not None and chosen != name:
            # Read as meant, so a hint, not a warning (--strict does not stop on it); named, so never silent.
            self.problems.hint(f"{chosen}!A1", f"工作表名“{chosen}”中有多余的空格或全角字符，已按工作表“{name}”读取："
                               f"请把它改名为“{name}”", "sheet-name")
        for other in alike:
            self.problems.warning(f"{other}!A1", f"工作表“{other}”与“{chosen}”的名字只差空格或全角字符，未读取，"
                                  f"读取的是“{chosen}”：请删除多余的工作表或改用其他名字", "sheet-name")
        self.chosen[name] = chosen
        return chosen

    def close(self) -> None:
        self.values.close()
        if self.formulas is not None:
            self.formulas.close()

    def formulas_of(self, title: str):
        """The sheet as written (formulas, not values) when it holds any formula, else None: the second pass
        over a workbook is only needed to tell an empty cell from a formula without a saved result."""
        part = getattr(self.values[title], "_worksheet_path", None)
        if part is not None:
            with zipfile.ZipFile(self.path) as archive:
                try:
                    if not _FORMULA.search(archive.read(part)):
                        return None
                except KeyError:
                    pass
        if self.formulas is None:
            self.formulas = _open(self.path, data_only=False)
        return self.formulas[title]

    def sheet(self, sheet: Sheet) -> list[tuple[int, list[Any]]] | None:
        title = self.title(sheet.name)
        if title is None:
            if not sheet.optional:
                self.problems.error(self.name, f"缺少工作表“{sheet.name}”：请使用 jxzp init 生成的填报模板，不要删除或改名工作表",
                                    "missing-sheet")
            return None
        worksheet = self.values[title]
        try:
            # The <dimension> a sheet declares may be stale (a program that wrote rows after it); read every row.
            worksheet.reset_dimensions()
            formulas = self.formulas_of(title)
            if formulas is not None:
                formulas.reset_dimensions()
            reader = _SheetReader(title, worksheet, formulas, self.problems)
            return list(reader.rows())
        except DAMAGE:
            raise damaged(self.name, getattr(worksheet, "_worksheet_path", None), title) from None

    def table(self, sheet: Sheet) -> tuple[str, list[tuple[int, dict[Column, tuple[Any, str]]]]] | None:
        rows = self.sheet(sheet)
        if rows is None:
            return None
        title = self.title(sheet.name)
        at = _find_header(rows, sheet.anchor)
        if at is None:
            self.problems.error(f"{title}!A1", f"找不到表头（前{HEADER_SEARCH_ROWS}行中没有“{sheet.anchor}”），"
                                "请恢复表头行，不要删除或改写表头文字（可用 jxzp init 生成新模板对照）", "missing-header")
            return None
        mapping, height = _header_keys(rows, at, sheet)
        present = set(mapping.values())
        missing = [column for column in sheet.columns if column.required and column not in present]
        for column in missing:
            self.problems.error(f"{title}!{rows[at][0]}:{rows[at][0]}",
                                f"工作表“{title}”缺少“{column.key}”列：请恢复这一列（可用 jxzp init 生成新模板对照）", "missing-column",
                                WEIGHT_COLUMN if column.path == ("分值",) else "")
        # A table without 分值 is read on: a profile whose indicators carry none (指标分值: 不填) scores it, and the
        # pipeline keeps only this one message for any other profile.
        if any(column.path != ("分值",) for column in missing):
            return None   # one message for the column, not one per row that lacks its value
        for label, columns in essential_columns(sheet).items():
            if not any(column in present for column in columns):
                # The rest of the sheet is still read and checked; the rates that need this column are not computed.
                self.problems.error(f"{title}!{rows[at][0]}:{rows[at][0]}",
                                    f"工作表“{title}”缺少“{label}”列（表头行中没有这一列）：执行率要按{label}计算，"
                                    f"请从填报模板（jxzp init 生成）复制“{label}”列到原位置后重新填写", "missing-column")
        records = []
        self.blanks = {}
        for number, values in rows[at + height:]:
            cells = {col: (values[i], f"{title}!{get_column_letter(i + 1)}{number}")
                     for i, col in mapping.items() if i < len(values) and values[i] is not None}
            if cells:
                # Empty cells of a filled row keep their place too: a finding about a missing value
                # (e.g. 偏差原因 left empty) then points at the very cell to fill.
                self.blanks[number] = {col: f"{title}!{get_column_letter(i + 1)}{number}"
                                       for i, col in mapping.items() if col not in cells}
                records.append((number, cells))
        return title, records

    def blank_places(self, number: int, prefix: tuple) -> None:
        for column, place in self.blanks.get(number, {}).items():
            self.places.setdefault((*prefix, *column.path), place)


def read_excel(path: Path) -> tuple[dict, dict[tuple, str], list[Problem]]:
    """The raw tree of a workbook, its places and the problems of reading it; InputError when unusable."""
    # openpyxl warns in English about what it skips or treats as an error (an unsupported extension, a date serial
    # out of range); the reader reports what matters in its own words, so the warnings stay off the terminal.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return _read_excel(path)


def _read_excel(path: Path) -> tuple[dict, dict[tuple, str], list[Problem]]:
    _sniff(path)
    book = _Workbook(path)
    try:
        _read_unit(book)
        _read_amounts(book, FINANCE_SHEET, "收支情况")
        _read_amounts(book, THREE_PUBLIC_SHEET, "三公经费")
        _read_functional(book)
        projects = _read_projects(book)
        _read_indicators(book, projects)
    except DAMAGE:
        raise damaged(path.name) from None
    finally:
        try:
            book.close()
        except DAMAGE:
            pass
    return book.raw, book.places, book.problems.items


def _read_unit(book: _Workbook) -> None:
    rows = book.sheet(UNIT_SHEET)
    if rows is None:
        return
    title = book.title(UNIT_SHEET.name)
    by_label = {_key(c.header): c for c in UNIT_SHEET.columns}
    at = _find_header(rows, UNIT_SHEET.anchor)
    start = 0 if at is None else at + 1
    for number, values in rows[start:]:
        label = _key(values[0]) if values else ""
        value = values[1] if len(values) > 1 else None
        if not label:
            continue
        column = by_label.get(label)
        if column is None:
            # Perhaps a text field of the pack (文字栏目): kept, even empty, and judged once the pack is known.
            path = ("单位信息", str(values[0]).strip().rstrip("*").strip())
            book.places[path] = f"{title}!B{number}"
            book.places[(*path, LABEL_CELL)] = f"{title}!A{number}"
            _set(book.raw, path, value)
            continue
        book.places[column.path] = f"{title}!B{number}"
        if value is not None:
            _set(book.raw, column.path, value)
    book.raw.setdefault("单位信息", {})


def _read_amounts(book: _Workbook, sheet: Sheet, section: str) -> None:
    table = book.table(sheet)
    if table is None:
        return
    title, records = table
    out: dict[str, dict] = {}
    for number, cells in records:
        label_cell = next(((v, p) for c, (v, p) in cells.items() if c.path == ("行",)), None)
        amounts = {c.header: (v, p) for c, (v, p) in cells.items() if c.path != ("行",)}
        if not amounts:
            continue
        if label_cell is None:
            book.problems.error(f"{title}!A{number}", "这一行填了金额但没有行名：请在 A 列填写行名或删除这一行的金额", "missing-row-name")
            continue
        label = str(label_cell[0]).strip()
        book.places[(section, label)] = label_cell[1]
        row = out.setdefault(label, {})
        for header, (value, place) in amounts.items():
            row[header] = value
            book.places[(section, label, header)] = place
    if out:
        book.raw[section] = out


def _record(book: _Workbook, prefix: tuple, number: int, cells: dict) -> dict:
    """One row as a raw record, remembering the place of each of its cells, filled or empty."""
    record: dict = {}
    for column, (value, place) in cells.items():
        _set(record, column.path, value)
        book.places[(*prefix, *column.path)] = place
    book.blank_places(number, prefix)
    return record


def _read_functional(book: _Workbook) -> None:
    table = book.table(FUNCTIONAL_SHEET)
    if table is None:
        return
    _, records = table
    items = []
    for number, cells in records:
        prefix = ("功能分类", len(items))
        book.places[prefix] = next(iter(cells.values()))[1]
        items.append(_record(book, prefix, number, cells))
    if items:
        book.raw["功能分类"] = items


def _read_projects(book: _Workbook) -> dict[str, int] | None:
    """Project index by normalized name; None when the 项目 sheet could not be read (its problem is reported)."""
    table = book.table(PROJECT_SHEET)
    if table is None:
        return None
    _, records = table
    projects = []
    index_by_name: dict[str, int] = {}
    for number, cells in records:
        index = len(projects)
        book.places[("项目", index)] = next(iter(cells.values()))[1]
        project = _record(book, ("项目", index), number, cells)
        name = project.get("项目名称")
        if name is not None:
            index_by_name.setdefault(normalize_text(str(name)), index)
        projects.append(project)
    book.raw["项目"] = projects
    return index_by_name


def _read_indicators(book: _Workbook, projects: dict[str, int] | None) -> None:
    table = book.table(INDICATOR_SHEET)
    if table is None:
        return
    _, records = table
    department: list[dict] = []
    counts: dict[int, int] = {}
    for number, cells in records:
        owner_cell = cells.pop(OWNER, None)
        if not cells:
            continue
        if owner_cell is None:
            place = next(iter(cells.values()))[1]
            book.problems.error(place.rsplit("!", 1)[0] + f"!A{number}",
                                "这一行指标没有填“所属项目”：请填写项目表中的项目名称，部门整体的指标填“部门整体”", "missing-owner")
            continue
        owner, owner_place = str(owner_cell[0]).strip(), owner_cell[1]
        key = normalize_text(owner)
        if key == normalize_text(DEPARTMENT):
            prefix: tuple = ("部门整体绩效指标", len(department))
            target = department
        elif projects is None:
            continue   # the 项目 sheet is unreadable and already reported: its indicators have nowhere to go
        elif key in projects:
            p = projects[key]
            counts[p] = counts.get(p, 0)
            prefix = ("项目", p, "绩效指标", counts[p])
            counts[p] += 1
            target = book.raw["项目"][p].setdefault("绩效指标", [])
        else:
            book.problems.error(owner_place, f"所属项目“{owner}”在“项目”表中找不到：请与项目表中的项目名称保持一致，部门整体的指标填“部门整体”",
                                "unknown-project")
            continue
        book.places[prefix] = owner_place
        target.append(_record(book, prefix, number, cells))
    if department:
        book.raw["部门整体绩效指标"] = department


__all__ = ["read_excel", "SHEETS"]
