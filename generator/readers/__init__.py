"""Readers: an .xlsx workbook or a .yaml file in, the model out, with every problem of the file collected."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..model import Report
from ..problems import InputError, Problem, Severity
from .build import build_report, clean_source

MAX_INPUT_BYTES = 50 * 1024 * 1024
SUFFIXES = (".xlsx", ".xlsm", ".yaml", ".yml")
OTHER_FORMATS = {".xls": "旧版 Excel（.xls）", ".xlsb": "Excel 二进制工作簿（.xlsb）", ".et": "WPS 表格（.et）",
                 ".ods": "OpenDocument 表格（.ods）", ".numbers": "Numbers 表格（.numbers）"}
"""Spreadsheets in another format: a preparer's workbook all the same, named and told how to save it as .xlsx."""


def other_format(path: Path) -> str | None:
    """What to do with a spreadsheet saved in a format we do not read (by its name), or None."""
    kind = OTHER_FORMATS.get(path.suffix.lower())
    return saved_as_xlsx(kind) if kind else None


def saved_as_xlsx(kind: str) -> str:
    return f"{kind}文件不能直接读取：请在 Excel 或 WPS 中打开，“另存为”Excel 工作簿（.xlsx）后重试"


def read_input(path: str | Path) -> tuple[Report, list[Problem]]:
    """The model of one input file and the warnings its reading produced; InputError when it cannot be used."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise InputError(name, [Problem(Severity.ERROR, str(path), "找不到这个文件：请检查路径和文件名", "no-file")], unreadable=True)
    size = path.stat().st_size
    if size > MAX_INPUT_BYTES:
        raise InputError(name, [Problem(Severity.ERROR, name,
            f"文件过大（{size / 1024 / 1024:.0f} MB）：填报文件一般不超过 1 MB，请检查是否粘贴了图片或大量空行", "too-large")],
            unreadable=True)
    if size == 0:
        raise InputError(name, [Problem(Severity.ERROR, name, "文件是空的（0 字节），请检查是否选错了文件，或重新保存填报文件后再试", "empty-file")],
                         unreadable=True)
    suffix = path.suffix.lower()
    with collector_paused():
        clean = workbook = False
        if suffix in (".yaml", ".yml"):
            from .yaml_reader import read_yaml
            raw, places, problems = read_yaml(path)
            clean = clean_source(path.read_bytes())
        else:
            from .excel import read_excel
            raw, places, problems = read_excel(path)
            workbook = True
        return build_report(raw, places, name, problems, xml_clean=clean, workbook=workbook)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Reading, computing and checking build trees without reference cycles, so the cycle collector has nothing
    to find; left on, its passes over the growing heap made reading a 20,000-project file grow faster than the
    file (about 40 % of the time at 4,000 projects), and computing and checking it walked the whole model
    several times over. Nests: only the outermost pause turns the collector back on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
