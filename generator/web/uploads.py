"""What an uploaded file is, judged by its content: an .xlsx workbook, a .yaml input, or a refusal in Chinese."""
from __future__ import annotations

import html
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import AliasEvent, MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceEndEvent, \
    SequenceStartEvent

from ..readers.excel import OLE_MAGIC, archive_problem

MB = 1024 * 1024
WORKBOOK_PART = "xl/workbook.xml"
ZIP_MAGIC = b"PK\x03\x04"
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Za-z]{1,4})?(\d+)?(?::([A-Za-z]{1,4})(\d+))?"')
_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*>')
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_RELATIONSHIP = re.compile(rb'<(?:\w+:)?Relationship\b[^>]*>')
_UNIT_KEY = re.compile(r"^\ufeff?\s*[\"']?单位信息[\"']?\s*[:：]", re.MULTILINE)


@dataclass(frozen=True)
class Limits:
    """How much an upload may ask of the server; anything beyond is refused with a message."""

    upload_bytes: int = 20 * MB        # the file as uploaded
    yaml_bytes: int = 5 * MB           # a YAML input is text of some 100 KB; parsing is slow in pure Python
    yaml_depth: int = 40               # nesting of mappings/lists (the input needs 5)
    unpacked_bytes: int = 200 * MB     # sum of the workbook's parts after unzipping (a filled template: < 1 MB)
    ratio: int = 100                   # unzipped ÷ zipped, for any part larger than 1 MB (real sheets: < 40)
    entries: int = 2000                # parts in the workbook's zip (a template: about 20)
    sheet_rows: int = 50_000           # a sheet's <dimension> (the reader reads at most 20 000 rows)
    sheet_columns: int = 1_000


class UploadRefused(Exception):
    """The upload is not accepted; `str()` says why and what to do, in Chinese."""


def too_large(size: int, limits: Limits) -> UploadRefused:
    return UploadRefused(f"文件过大（{size / MB:.1f} MB）：上传的填报文件不能超过 {limits.upload_bytes // MB} MB。"
                         "填报表一般不到 1 MB，请检查是否粘贴了图片或留有大量空行")


def sniff(path: Path, limits: Limits = Limits()) -> str:
    """"xlsx" or "yaml" by what the file holds, never by its name; UploadRefused otherwise.

    Old .xls and password-protected workbooks (OLE files) pass as "xlsx" so that the Excel reader gives its own
    message about them.
    """
    size = path.stat().st_size
    if size == 0:
        raise UploadRefused("文件是空的（0 字节）：请检查是否选错了文件，或重新保存填报表后再上传")
    if size > limits.upload_bytes:
        raise too_large(size, limits)
    with path.open("rb") as handle:
        head = handle.read(8)
    if head == OLE_MAGIC:
        return "xlsx"
    if head.startswith(ZIP_MAGIC):
        check_workbook(path, limits)
        return "xlsx"
    check_yaml(path, limits)
    return "yaml"


def check_workbook(path: Path, limits: Limits = Limits()) -> None:
    """Refuse a zip that is not a workbook, a zip bomb, or a sheet of absurd size — before openpyxl opens it."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UploadRefused("Excel 工作簿已损坏，无法打开：请在 Excel/WPS 中打开并另存为 .xlsx 后重新上传") from None
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if WORKBOOK_PART not in names:
            if "word/document.xml" in names:
                raise UploadRefused("这是 Word 文档（.docx），不是填报表：请上传填好的 Excel 填报表（.xlsx）或 .yaml 填报文件")
            raise UploadRefused("这是一个压缩文件，不是 Excel 工作簿（.xlsx）：请上传填好的填报表本身，不要压缩")
        bomb = archive_problem(path, limits.entries, limits.unpacked_bytes, limits.ratio)
        if bomb:
            raise UploadRefused(bomb)
        sheets = _sheet_names(archive, names)
        for info in infos:
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml") \
                    and "/_rels/" not in info.filename:
                _check_dimension(archive, info, sheets.get(info.filename), limits)


def _check_dimension(archive: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str | None, limits: Limits) -> None:
    """The <dimension ref="A1:XFD1048576"/> a sheet declares, read from its first 64 KB only."""
    try:
        with archive.open(info) as part:
            head = part.read(64 * 1024)
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError):
        raise UploadRefused("Excel 工作簿已损坏，无法打开：请在 Excel/WPS 中打开并另存为 .xlsx 后重新上传") from None
    found = _DIMENSION.search(head)
    if not found:
        return
    first_col, first_row, last_col, last_row = found.groups()
    column = (last_col or first_col or b"A").decode("ascii")
    rows = int(last_row or first_row or b"1")
    columns = _column_number(column)
    if rows > limits.sheet_rows or columns > limits.sheet_columns:
        ref = found.group(0).split(b'"')[1].decode("ascii", "replace")
        where = f"工作表“{sheet}”" if sheet else f"工作表（{info.filename.rsplit('/', 1)[-1]}）"
        raise UploadRefused(
            f"{where}的使用范围是 {ref}（{rows} 行 × {columns} 列），远超填报表的正常大小，已拒绝：请在 Excel/WPS 中选中"
            "多余的空行和空列，右键“删除”（不是按 Delete 清除内容），保存后重新上传")


def _column_number(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - ord("A") + 1
    return number


def _sheet_names(archive: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Sheet part → the name the preparer sees on its tab, best effort (read as text: no XML parser on untrusted XML)."""
    try:
        with archive.open(WORKBOOK_PART) as part:
            workbook = part.read(MB)
        rels_name = "xl/_rels/workbook.xml.rels"
        rels = b""
        if rels_name in names:
            with archive.open(rels_name) as part:
                rels = part.read(MB)
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError):
        return {}
    targets = {}
    for tag in _RELATIONSHIP.findall(rels):
        attrs = dict(_ATTR.findall(tag))
        target = attrs.get(b"Target", b"").decode("utf-8", "replace")
        if attrs.get(b"Id") and target:
            full = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[attrs[b"Id"]] = full
    out = {}
    for tag in _SHEET.findall(workbook):
        attrs = _ATTR.findall(tag)
        name = next((value for key, value in attrs if key == b"name"), None)
        rid = next((value for key, value in attrs if key.endswith(b":id")), None)
        if rid in targets and name:
            out[targets[rid]] = html.unescape(name.decode("utf-8", "replace"))
    return out


def _line(event) -> int:
    mark = getattr(event, "start_mark", None)
    return mark.line + 1 if mark is not None else 1


def check_yaml(path: Path, limits: Limits = Limits()) -> None:
    """Refuse what is not UTF-8 text holding a mapping with 单位信息, and YAML that would expand (aliases) or nest
    without end; a syntax error is left to the YAML reader, which names its line."""
    not_input = ("既不是 Excel 工作簿（.xlsx），也不是 UTF-8 编码的 YAML 填报文件：请上传用填报模板填好的 .xlsx，"
                 "或按示例编写的 .yaml")
    data = path.read_bytes()
    if b"\x00" in data:
        raise UploadRefused(not_input)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadRefused(not_input) from None
    if len(data) > limits.yaml_bytes:
        raise UploadRefused(f"YAML 文件过大（{len(data) / MB:.1f} MB）：YAML 填报文件一般只有几十 KB，不能超过 "
                            f"{limits.yaml_bytes // MB} MB")
    keys: list[str] = []
    stack: list[list] = []          # open collections: [kind, next node is a key]
    top_is_mapping = False
    try:
        for event in YAML(typ="safe").parse(text):
            if isinstance(event, AliasEvent):
                raise UploadRefused(f"YAML 第 {_line(event)} 行用了锚点和别名（& 和 *），填报文件不需要这种写法，已拒绝："
                                    "请把内容直接写出来后重新上传")
            if isinstance(event, (ScalarEvent, MappingStartEvent, SequenceStartEvent)) and stack \
                    and stack[-1][0] == "map":
                if stack[-1][1] and len(stack) == 1 and isinstance(event, ScalarEvent):
                    keys.append(str(event.value).strip())
                stack[-1][1] = not stack[-1][1]
            if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
                if not stack:
                    top_is_mapping = isinstance(event, MappingStartEvent)
                stack.append(["map" if isinstance(event, MappingStartEvent) else "seq", True])
                if len(stack) > limits.yaml_depth:
                    raise UploadRefused(f"YAML 第 {_line(event)} 行嵌套超过 {limits.yaml_depth} 层，不像填报文件，已拒绝："
                                        "请检查缩进和括号")
            elif isinstance(event, (MappingEndEvent, SequenceEndEvent)) and stack:
                stack.pop()
    except UploadRefused:
        raise
    except (YAMLError, RecursionError, ValueError):
        # Broken YAML that is meant as an input goes to the reader for its message with the line number.
        if _UNIT_KEY.search(text):
            return
        raise UploadRefused(not_input) from None
    if not top_is_mapping or "单位信息" not in keys:
        raise UploadRefused("这个文本文件不是填报文件：YAML 填报文件的第一层应有“单位信息”等栏目，可下载示例对照；"
                            "也可以直接上传填好的 Excel 填报表（.xlsx）")
