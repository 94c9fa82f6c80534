"""Write the bad and the forgiven inputs of tests/bad_inputs/ from base.yaml, each differing from it in one way.

Run from the repository root:  python tests/bad_inputs/make_bad_inputs.py

Every input is made from base.yaml (a small valid unit): a YAML variant by replacing one piece of its text,
an .xlsx variant by writing base.yaml as a filled workbook (excel_template.write_workbook) and changing one
thing with openpyxl. The docstring of each maker says what a preparer did to get such a file. Files land in
this folder (one problem each, see test_bad_inputs.py) or in forgiven/ (harmless, must read as base.yaml).

Needs, besides the package: LibreOffice Calc (`soffice`, for the formulas whose cached values a spreadsheet
program computed, and for the old .xls) and msoffcrypto-tool (for the password-protected workbook).
Output is deterministic: fixed zip timestamps and document properties. Two files cannot be: the encrypted
workbook carries a random salt, so it is rewritten only when it no longer decrypts to the current base
workbook; the .xls holds random ids, so it is written only when missing.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
import zipfile
from copy import copy
from datetime import datetime
from pathlib import Path
from typing import Callable

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Border, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from generator.readers import read_input  # noqa: E402
from generator.readers.excel_template import write_workbook  # noqa: E402

BASE = HERE / "base.yaml"
FORGIVEN = HERE / "forgiven"
STAMP = datetime(2024, 1, 1)
PASSWORD = "123456"

MAKERS: list[tuple[str, Callable[[Path], None]]] = []


def make(name: str):
    """Register a maker of the input `name` (a path relative to this folder)."""
    def register(func: Callable[[Path], None]) -> Callable[[Path], None]:
        MAKERS.append((name, func))
        return func
    return register


# -- helpers


def base_text() -> str:
    return BASE.read_text(encoding="utf-8")


def replaced(old: str, new: str, text: str | None = None) -> str:
    """base.yaml with one occurrence of `old` replaced; fails loudly when base.yaml changed under us."""
    text = base_text() if text is None else text
    count = text.count(old)
    if count != 1:
        raise SystemExit(f"base.yaml: expected exactly one {old!r}, found {count}")
    return text.replace(old, new)


def write_yaml(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))


def base_workbook_bytes() -> bytes:
    report, _ = read_input(BASE)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "base.xlsx"
        write_workbook(out, report)
        return out.read_bytes()


_BASE_XLSX: bytes | None = None


def base_workbook() -> Workbook:
    """A fresh openpyxl copy of base.yaml written as a filled workbook."""
    global _BASE_XLSX
    if _BASE_XLSX is None:
        _BASE_XLSX = base_workbook_bytes()
    return load_workbook(io.BytesIO(_BASE_XLSX))


def stable_zip(data: bytes) -> bytes:
    """The same archive with fixed timestamps, so that equal workbooks are equal files."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=STAMP.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def xlsx_bytes(wb: Workbook) -> bytes:
    """The workbook as a file, without openpyxl's current-time stamp."""
    wb.properties.created = wb.properties.modified = STAMP
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    return stable_zip(raw.getvalue())


def save(wb: Workbook, path: Path) -> None:
    path.write_bytes(xlsx_bytes(wb))


def through_libreoffice(wb: Workbook, path: Path, fmt: str = "xlsx") -> None:
    """Save wb, then open and save it in LibreOffice Calc: formulas get their computed values stored."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is needed for " + path.name)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        source = tmp_path / "in.xlsx"
        save(wb, source)
        outdir = tmp_path / "out"
        subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                        "--convert-to", fmt, "--outdir", str(outdir), str(source)],
                       check=True, capture_output=True, timeout=180)
        data = (outdir / f"in.{fmt}").read_bytes()
    path.write_bytes(stable_zip(data) if fmt == "xlsx" else data)


def _bare(value):
    """A header or label without the red asterisk that marks a required column."""
    return value.rstrip("*") if isinstance(value, str) else value


def row_of(ws, text: str, column: int = 1) -> int:
    """The row whose cell in `column` holds `text`."""
    for row in range(1, ws.max_row + 1):
        if _bare(ws.cell(row, column).value) == text:
            return row
    raise SystemExit(f"{ws.title}: no row with {text!r} in column {column}")


def column_of(ws, header: str, group: str | None = None) -> int:
    """The column of a header (below its group header on the two-row 项目 header)."""
    current_group = None
    for col in range(1, ws.max_column + 1):
        top = _bare(ws.cell(1, col).value)
        if top is not None:
            current_group = top
        if group is None and top == header:
            return col
        if group is not None and current_group == group and _bare(ws.cell(2, col).value) == header:
            return col
    raise SystemExit(f"{ws.title}: no column {group or ''}/{header}")


def unit_cell(wb: Workbook, label: str):
    ws = wb["单位信息"]
    return ws.cell(row_of(ws, label), 2)


def project_cell(wb: Workbook, project_row: int, header: str, group: str | None = None):
    ws = wb["项目"]
    return ws.cell(project_row, column_of(ws, header, group))


def indicator_cell(wb: Workbook, indicator_row: int, header: str):
    ws = wb["绩效指标"]
    return ws.cell(indicator_row, column_of(ws, header))


def finance_cell(wb: Workbook, row_name: str, header: str):
    ws = wb["收支情况"]
    return ws.cell(row_of(ws, row_name), column_of(ws, header))


def shift_down(ws, first_row: int, rows: int) -> None:
    """Move everything from first_row down, merged ranges included (openpyxl's insert_rows leaves those behind)."""
    merged = [r for r in ws.merged_cells.ranges if r.min_row >= first_row]
    for r in merged:
        ws.merged_cells.remove(r)
    ws.move_range(f"A{first_row}:{ws.cell(ws.max_row, ws.max_column).coordinate}", rows=rows)
    for r in merged:
        r.shift(0, rows)
        ws.merged_cells.add(r)


# Rows of base.yaml in the written workbook: 项目 row 3 高标准农田建设, row 4 农机购置补贴; 绩效指标 rows 2–4 部门整体,
# rows 5–7 高标准农田建设, rows 8–10 农机购置补贴. The makers below find columns by their headers.
P1, P2 = 3, 4
I_DEPT, I_P1, I_P2 = 2, 5, 8


# -- refused: YAML


@make("yaml-syntax-error.yaml")
def _(path: Path) -> None:
    """The colon after a field name was forgotten (单位简称 县农业农村局)."""
    write_yaml(path, replaced("  单位简称: 县农业农村局", "  单位简称 县农业农村局"))


@make("yaml-tab-indent.yaml")
def _(path: Path) -> None:
    """A Tab key press indents a line (editors that do not turn tabs into spaces)."""
    write_yaml(path, replaced("  单位简称: 县农业农村局", "\t单位简称: 县农业农村局"))


@make("yaml-colon-in-text.yaml")
def _(path: Path) -> None:
    """A text with “: ” in it, not quoted: YAML reads a second field name."""
    write_yaml(path, replaced("    预期目标: 补贴农机具300台。", "    预期目标: 目标: 补贴农机具300台。"))


@make("yaml-duplicate-key.yaml")
def _(path: Path) -> None:
    """The same field written twice in one block (单位名称 copied down instead of 单位简称)."""
    write_yaml(path, replaced("  单位简称: 县农业农村局", "  单位名称: 县农业农村局"))


@make("yaml-billion-laughs.yaml")
def _(path: Path) -> None:
    """Aliases of aliases nine deep (a "billion laughs" file): expanding them would never end."""
    lines = ['a0: &a0 ["哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    lines += ["单位信息: *a8", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


@make("zip-bomb.xlsx")
def _(path: Path) -> None:
    """A workbook whose shared strings unzip to 5 MB of zeros from 5 KB: a "zip bomb" in miniature."""
    import zipfile
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("xl/workbook.xml", date_time=(1980, 1, 1, 0, 0, 0))
        archive.writestr(info, "<workbook/>")
        info = zipfile.ZipInfo("xl/sharedStrings.xml", date_time=(1980, 1, 1, 0, 0, 0))
        archive.writestr(info, b"0" * (5 * 1024 * 1024), zipfile.ZIP_DEFLATED)


@make("yaml-not-utf8.yaml")
def _(path: Path) -> None:
    """Saved by an old Windows editor in GBK instead of UTF-8."""
    path.write_bytes(base_text().encode("gbk"))


@make("yaml-empty.yaml")
def _(path: Path) -> None:
    """A file of 0 bytes (a failed copy or an unsaved new file)."""
    path.write_bytes(b"")


@make("yaml-wrong-date.yaml")
def _(path: Path) -> None:
    """A date that does not exist: 2月30日."""
    write_yaml(path, replaced("  报告日期: 2024-03-30", "  报告日期: 2024-02-30"))


@make("yaml-missing-unit-name.yaml")
def _(path: Path) -> None:
    """单位名称 left out."""
    write_yaml(path, replaced("  单位名称: 青山县农业农村局\n", ""))


@make("yaml-unknown-level.yaml")
def _(path: Path) -> None:
    """定性等级 typed as a grade word instead of one of the three levels."""
    write_yaml(path, replaced("        定性等级: 达成年度指标", "        定性等级: 优秀"))


@make("yaml-not-a-number.yaml")
def _(path: Path) -> None:
    """An amount written in Chinese numerals."""
    text = replaced("      全年执行数:\n        当年财政拨款: 310.00", "      全年执行数:\n        当年财政拨款: 三百一十")
    write_yaml(path, text)


@make("yaml-duplicate-project.yaml")
def _(path: Path) -> None:
    """The second project copied from the first and its name not changed."""
    write_yaml(path, replaced("  - 项目名称: 农机购置补贴", "  - 项目名称: 高标准农田建设"))


@make("yaml-negative-weight.yaml")
def _(path: Path) -> None:
    """A weight typed with a minus sign."""
    write_yaml(path, replaced("        三级指标: 亩均增产\n        指标方向: ≥\n        年度指标值: ≥50公斤\n"
                              "        实际完成值: 55公斤\n        分值: 30",
                              "        三级指标: 亩均增产\n        指标方向: ≥\n        年度指标值: ≥50公斤\n"
                              "        实际完成值: 55公斤\n        分值: -30"))


@make("yaml-unknown-row.yaml")
def _(path: Path) -> None:
    """A 收支情况 row named in the preparer's own words instead of the statement's row name."""
    write_yaml(path, replaced("  基本支出:\n", "  基本经费支出:\n"))


@make("yaml-missing-weight.yaml")
def _(path: Path) -> None:
    """An indicator without 分值."""
    write_yaml(path, replaced("    实际完成值: 31万吨\n    分值: 30\n", "    实际完成值: 31万吨\n"))


@make("yaml-unknown-key.yaml")
def _(path: Path) -> None:
    """A field the model does not know (备注) added to an indicator: a warning, the rest is read."""
    write_yaml(path, replaced("    实际完成值: 31万吨\n", "    实际完成值: 31万吨\n    备注: 统计局快报数\n"))


@make("yaml-bad-yes-no.yaml")
def _(path: Path) -> None:
    """是否开展自评 answered with something other than 是/否."""
    write_yaml(path, replaced("  - 项目名称: 农机购置补贴\n", "  - 项目名称: 农机购置补贴\n    是否开展自评: 待定\n"))


# -- refused: not a usable workbook


@make("not-a-workbook.xlsx")
def _(path: Path) -> None:
    """A CSV export renamed to .xlsx."""
    path.write_bytes("项目名称,全年预算数\n高标准农田建设,320\n".encode("utf-8"))


@make("empty.xlsx")
def _(path: Path) -> None:
    """A file of 0 bytes (an interrupted download or copy)."""
    path.write_bytes(b"")


@make("old-format.xls")
def _(path: Path) -> None:
    """The workbook saved as “Excel 97–2003 工作簿 (.xls)”: LibreOffice converts the base workbook.

    LibreOffice writes random ids into an .xls and the reader refuses every .xls by its signature alone,
    so an existing file is kept; delete it to make it anew.
    """
    if not path.exists():
        through_libreoffice(base_workbook(), path, fmt="xls")


@make("password.xlsx")
def _(path: Path) -> None:
    """The workbook protected with an opening password (文件→信息→保护工作簿→用密码进行加密)."""
    import msoffcrypto
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO(xlsx_bytes(base_workbook()))
    if path.exists():   # keep the committed file when it still holds the same workbook (the salt is random)
        try:
            decrypted = io.BytesIO()
            office = msoffcrypto.OfficeFile(io.BytesIO(path.read_bytes()))
            office.load_key(password=PASSWORD)
            office.decrypt(decrypted)
            if decrypted.getvalue() == plain.getvalue():
                return
        except Exception:   # any failure: write it anew
            pass
    plain.seek(0)
    out = io.BytesIO()
    OOXMLFile(plain).encrypt(PASSWORD, out)
    path.write_bytes(out.getvalue())


@make("formula-no-value.xlsx")
def _(path: Path) -> None:
    """A 合计 typed as a formula by a program (openpyxl) and never opened in Excel: no cached value."""
    wb = base_workbook()
    project_cell(wb, P1, "合计", "全年预算数").value = "=SUM(M3:O3)"
    save(wb, path)


@make("excel-error-value.xlsx")
def _(path: Path) -> None:
    """A formula dividing by an empty cell; LibreOffice stores its value #DIV/0!."""
    wb = base_workbook()
    project_cell(wb, P1, "执行率（填报）").value = "=Q3/K3*100"
    through_libreoffice(wb, path)


@make("missing-sheet.xlsx")
def _(path: Path) -> None:
    """The 绩效指标 sheet deleted."""
    wb = base_workbook()
    del wb["绩效指标"]
    save(wb, path)


@make("missing-column.xlsx")
def _(path: Path) -> None:
    """The 分值 column of 绩效指标 deleted."""
    wb = base_workbook()
    ws = wb["绩效指标"]
    ws.delete_cols(column_of(ws, "分值"))
    save(wb, path)


@make("missing-actual-column.xlsx")
def _(path: Path) -> None:
    """The 决算数 column of 收支情况 deleted: an error for the column; the other sheets are still read and checked."""
    wb = base_workbook()
    ws = wb["收支情况"]
    ws.delete_cols(column_of(ws, "决算数"))
    save(wb, path)


@make("renamed-header.xlsx")
def _(path: Path) -> None:
    """The 项目名称 header of the 项目 sheet retyped as 项目."""
    wb = base_workbook()
    wb["项目"]["A1"].value = "项目"
    save(wb, path)


# -- refused: a wrong value in a workbook


@make("not-a-number.xlsx")
def _(path: Path) -> None:
    """An amount written in Chinese numerals."""
    wb = base_workbook()
    project_cell(wb, P1, "当年财政拨款", "全年执行数").value = "三百一十"
    save(wb, path)


@make("amount-in-yuan.xlsx")
def _(path: Path) -> None:
    """An amount typed with 元: not 万元, so it cannot be read as it stands."""
    wb = base_workbook()
    finance_cell(wb, "一般公共预算财政拨款收入", "决算数").value = "11,805,000元"
    save(wb, path)


@make("duplicate-project.xlsx")
def _(path: Path) -> None:
    """The first project's row copied again below the last project."""
    wb = base_workbook()
    ws = wb["项目"]
    for col in range(1, ws.max_column + 1):
        source, target = ws.cell(P1, col), ws.cell(P2 + 1, col)
        target.value = source.value
        target._style = copy(source._style)
    save(wb, path)


@make("unknown-project.xlsx")
def _(path: Path) -> None:
    """An indicator's 所属项目 typed with a shortened project name."""
    wb = base_workbook()
    indicator_cell(wb, I_P1, "所属项目").value = "高标准农田"
    save(wb, path)


@make("negative-weight.xlsx")
def _(path: Path) -> None:
    """A weight typed with a minus sign."""
    wb = base_workbook()
    indicator_cell(wb, I_P1, "分值").value = -50
    save(wb, path)


@make("missing-owner.xlsx")
def _(path: Path) -> None:
    """An indicator row whose 所属项目 was left empty."""
    wb = base_workbook()
    indicator_cell(wb, I_P1 + 1, "所属项目").value = None
    save(wb, path)


@make("unknown-direction.xlsx")
def _(path: Path) -> None:
    """指标方向 typed as an arrow, past the dropdown's warning."""
    wb = base_workbook()
    indicator_cell(wb, I_P2, "指标方向").value = "↑"
    save(wb, path)


@make("row-without-name.xlsx")
def _(path: Path) -> None:
    """Amounts typed below the statement's last row, with no row name."""
    wb = base_workbook()
    ws = wb["收支情况"]
    row = ws.max_row + 1
    ws.cell(row, column_of(ws, "决算数")).value = 12.5
    save(wb, path)


@make("unknown-row.xlsx")
def _(path: Path) -> None:
    """A 收支情况 row name retyped in the preparer's own words."""
    wb = base_workbook()
    ws = wb["收支情况"]
    ws.cell(row_of(ws, "一般公共预算财政拨款收入"), 1).value = "财政拨款收入"
    save(wb, path)


@make("text-headcount.xlsx")
def _(path: Path) -> None:
    """A headcount written in words."""
    wb = base_workbook()
    unit_cell(wb, "编制数").value = "四十"
    save(wb, path)


@make("wrong-date.xlsx")
def _(path: Path) -> None:
    """A report date without a day."""
    wb = base_workbook()
    unit_cell(wb, "报告日期").value = "2024年3月"
    save(wb, path)


@make("missing-year.xlsx")
def _(path: Path) -> None:
    """评价年度 left empty."""
    wb = base_workbook()
    unit_cell(wb, "评价年度").value = None
    save(wb, path)


@make("unknown-unit-field.xlsx")
def _(path: Path) -> None:
    """A 单位信息 label retyped (单位代码 → 统一社会信用代码): a warning, the row is ignored."""
    wb = base_workbook()
    ws = wb["单位信息"]
    row = row_of(ws, "单位代码")
    ws.cell(row, 1).value = "统一社会信用代码"
    ws.cell(row, 2).value = "11430000MB1234567X"
    save(wb, path)


@make("several-problems.xlsx")
def _(path: Path) -> None:
    """Five unrelated mistakes in one workbook: every one must be reported, not only the first."""
    wb = base_workbook()
    unit_cell(wb, "评价年度").value = None
    project_cell(wb, P1, "当年财政拨款", "全年执行数").value = "三百一十"
    project_cell(wb, P2, "是否开展自评").value = "待定"
    indicator_cell(wb, I_P1, "所属项目").value = "高标准农田"
    indicator_cell(wb, I_P2, "分值").value = -50
    save(wb, path)


@make("six-mistakes.xlsx")
def _(path: Path) -> None:
    """Six unrelated mistakes real preparers make, one pass must report them all, the 元 amount first:
    a blank 分值, a 合计 that does not add up, an amount typed in 元 (200000 for 20 万元), a shortfall without
    偏差原因, a blank 全年预算数 of an evaluated project, a stated execution rate that does not match."""
    wb = base_workbook()
    indicator_cell(wb, I_P1 + 1, "分值").value = None
    finance_cell(wb, "本年收入合计", "全年预算数").value = 1250
    project_cell(wb, P2, "上年结转资金", "全年执行数").value = 200000
    indicator_cell(wb, I_DEPT + 1, "实际完成值").value = "29万吨"
    project_cell(wb, P1, "当年财政拨款", "全年预算数").value = None
    unit_cell(wb, "预算执行率（填报）").value = 95
    save(wb, path)


# -- forgiven: must read as base.yaml does (the tests name the values)


@make("forgiven/numbers-as-text.xlsx")
def _(path: Path) -> None:
    """Numbers typed into text-formatted cells (or pasted from another system) are stored as text."""
    wb = base_workbook()
    unit_cell(wb, "评价年度").value = "2023"
    unit_cell(wb, "编制数").value = "40"
    project_cell(wb, P1, "当年财政拨款", "全年预算数").value = "320"
    project_cell(wb, P1, "当年财政拨款", "全年执行数").value = "310.00"
    indicator_cell(wb, I_P1, "分值").value = "50"
    save(wb, path)


@make("forgiven/full-width-digits.xlsx")
def _(path: Path) -> None:
    """Digits typed with a Chinese input method in full-width mode."""
    wb = base_workbook()
    unit_cell(wb, "评价年度").value = "２０２３"
    project_cell(wb, P1, "当年财政拨款", "全年执行数").value = "３１０．００"
    indicator_cell(wb, I_P1, "分值").value = "５０"
    save(wb, path)


@make("forgiven/thousands-separators.xlsx")
def _(path: Path) -> None:
    """Amounts pasted as text with thousands separators, one with a full-width comma."""
    wb = base_workbook()
    finance_cell(wb, "一般公共预算财政拨款收入", "决算数").value = "1,180.50"
    finance_cell(wb, "一般公共预算财政拨款收入", "上年决算数").value = "1，100"
    finance_cell(wb, "本年收入合计", "决算数").value = "1,180.50"
    save(wb, path)


@make("forgiven/percent-as-text.xlsx")
def _(path: Path) -> None:
    """Rates typed with a % sign into text cells."""
    wb = base_workbook()
    project_cell(wb, P1, "执行率（填报）").value = "96.88%"
    unit_cell(wb, "在职人员控制率（填报）").value = "95%"
    save(wb, path)


@make("forgiven/percent-cell.xlsx")
def _(path: Path) -> None:
    """Rates in Excel's percent format: the cell holds 0.96875 and shows 96.88%."""
    wb = base_workbook()
    cell = project_cell(wb, P1, "执行率（填报）")
    cell.value = 0.96875
    cell.number_format = "0.00%"
    cell = unit_cell(wb, "在职人员控制率（填报）")
    cell.value = 0.95
    cell.number_format = "0%"
    save(wb, path)


@make("forgiven/stray-spaces.xlsx")
def _(path: Path) -> None:
    """Spaces around names and numbers, a space inside a 所属项目, a sheet name with a trailing space."""
    wb = base_workbook()
    project_cell(wb, P1, "项目名称").value = " 高标准农田建设 "
    project_cell(wb, P1, "当年财政拨款", "全年执行数").value = " 310 "
    indicator_cell(wb, I_P1, "所属项目").value = "高标准农田 建设"
    indicator_cell(wb, I_P1 + 1, "所属项目").value = "高标准农田建设\u3000"
    unit_cell(wb, "单位名称").value = "青山县农业农村局 "
    wb["项目"].title = "项目 "
    save(wb, path)


@make("forgiven/blank-rows.xlsx")
def _(path: Path) -> None:
    """Empty rows left between projects and between groups of indicators."""
    wb = base_workbook()
    shift_down(wb["项目"], P2, 2)
    shift_down(wb["绩效指标"], I_P2, 3)
    shift_down(wb["绩效指标"], I_P1, 1)
    save(wb, path)


@make("forgiven/title-row-merged.xlsx")
def _(path: Path) -> None:
    """A merged title row typed above the headers, and a long text spread over merged cells B:C."""
    wb = base_workbook()
    for title, width in (("项目", "AH"), ("绩效指标", "M")):
        ws = wb[title]
        shift_down(ws, 1, 1)
        ws["A1"].value = f"青山县农业农村局2023年度{title}表"
        ws.merge_cells(f"A1:{width}1")
    ws = wb["单位信息"]
    row = row_of(ws, "职能职责")
    ws.cell(row, 3).value = None
    ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=3)
    save(wb, path)


@make("forgiven/formulas-with-values.xlsx")
def _(path: Path) -> None:
    """Totals as formulas, saved by a spreadsheet program (LibreOffice) so each has its cached value."""
    wb = base_workbook()
    ws = wb["项目"]
    for row in (P1, P2):
        for group in ("年初预算数", "全年预算数", "全年执行数"):
            total = column_of(ws, "合计", group)
            first, last = get_column_letter(total + 1), get_column_letter(total + 3)
            ws.cell(row, total).value = f"=SUM({first}{row}:{last}{row})"
    ws = wb["收支情况"]
    first_income = row_of(ws, "一般公共预算财政拨款收入")
    last_income = row_of(ws, "其他收入")
    total_row = row_of(ws, "本年收入合计")
    for col in range(2, 6):
        letter = get_column_letter(col)
        ws.cell(total_row, col).value = f"=SUM({letter}{first_income}:{letter}{last_income})"
    indicator_cell(wb, I_DEPT + 1, "分值").value = "=100-10-50-10"
    through_libreoffice(wb, path)


@make("forgiven/whole-column-format.xlsx")
def _(path: Path) -> None:
    """Borders and number formats applied to whole columns, down to the sheet's last row 1048576."""
    wb = base_workbook()
    thin = Side(style="thin")
    for title in ("项目", "绩效指标", "收支情况"):
        ws = wb[title]
        for col in range(1, ws.max_column + 1):
            letter = get_column_letter(col)
            dim = ws.column_dimensions[letter]
            dim.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            dim.number_format = "#,##0.00" if title != "绩效指标" else "@"
            bottom = ws.cell(1048576, col)
            bottom.border = copy(dim.border)
            bottom.number_format = dim.number_format
    save(wb, path)


@make("forgiven/dates-as-text.xlsx")
def _(path: Path) -> None:
    """The report date typed as Chinese text."""
    wb = base_workbook()
    unit_cell(wb, "报告日期").value = "2024年3月30日"
    save(wb, path)


@make("forgiven/forgiving.yaml")
def _(path: Path) -> None:
    """The same harmless habits in YAML: quoted numbers, full-width digits, separators, % signs, spaces."""
    text = replaced("  评价年度: 2023", "  评价年度: \"２０２３\"")
    text = replaced("    编制数: 40", "    编制数: \" 40 \"\n    在职人员控制率（填报）: 95%", text)
    text = replaced("    决算数: 1180.50\n  本年收入合计", "    决算数: \"1,180.50\"\n  本年收入合计", text)
    text = replaced("      全年执行数:\n        当年财政拨款: 310.00", "      全年执行数:\n        当年财政拨款: ３１０", text)
    text = replaced("  - 项目名称: 高标准农田建设", "  - 项目名称: \" 高标准农田建设 \"", text)
    text = replaced("  报告日期: 2024-03-30", "  报告日期: 2024年3月30日", text)
    write_yaml(path, text)


@make("amount-with-unit.xlsx")
def _(path: Path) -> None:
    """An amount typed with 万元 into its cell: text, which the workbook's own sums and rates leave out."""
    wb = base_workbook()
    project_cell(wb, P1, "当年财政拨款", "全年执行数").value = "310万元"
    save(wb, path)


@make("negative-amount.xlsx")
def _(path: Path) -> None:
    """An amount typed with a minus sign (a refund netted off, or a slip of the key)."""
    wb = base_workbook()
    project_cell(wb, P1, "当年财政拨款", "全年执行数").value = -310
    save(wb, path)


@make("headcount-in-wan-yuan.xlsx")
def _(path: Path) -> None:
    """编制数 typed with the unit of an amount."""
    wb = base_workbook()
    unit_cell(wb, "编制数").value = "12万元"
    save(wb, path)


@make("unreadable-year.xlsx")
def _(path: Path) -> None:
    """评价年度 written in Chinese numerals: one finding, the rest of the workbook still read and checked."""
    wb = base_workbook()
    unit_cell(wb, "评价年度").value = "二〇二三"
    save(wb, path)


@make("look-alike-sheet.xlsx")
def _(path: Path) -> None:
    """The 项目 sheet renamed with a space before and after (“ 项目 ”): read, with a warning naming it."""
    wb = base_workbook()
    wb["项目"].title = " 项目 "
    save(wb, path)


@make("forgiven/year-with-nian.xlsx")
def _(path: Path) -> None:
    """评价年度 typed the commonest way, with 年度 after the digits."""
    wb = base_workbook()
    unit_cell(wb, "评价年度").value = "2023年度"
    save(wb, path)


def main() -> None:
    FORGIVEN.mkdir(exist_ok=True)
    for name, maker in MAKERS:
        maker(HERE / name)
        print(name)


if __name__ == "__main__":
    main()
