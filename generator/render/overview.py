"""The finance bureau's overview of a batch: one row per unit, as .xlsx and .md (汇总/各单位绩效自评汇总表)."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


from ..compute import ratio_percent
from ..filters import money, percent, score, typed
from ..numbers import round2
from ..zips import restamped

HEADERS = ("序号", "单位", "年度", "全年预算数（万元）", "决算数（万元）", "执行率", "部门整体得分", "等级",
           "自评项目数", "项目最低得分", "错误", "警告", "填报文件", "状态")
WIDTHS = (6, 30, 7, 16, 16, 10, 12, 7, 10, 12, 7, 7, 28, 40)
FIXED_STAMP = datetime(2000, 1, 1)
NOTE = ("说明：执行率＝决算数÷全年预算数；得分、等级按各单位的评分规则计算；“错误”不为0的单位材料未通过校验。"
        "合计只计读取成功的单位（重复的填报文件不计），其金额、平均得分和项目最低得分只在这些单位都有该数时给出，缺一则为“—”（缺的数不当作0）；"
        "一个单位的项目最低得分只在它每个自评项目都算出得分时给出；“单位填报”的得分是单位自己填的，无法计算核实，不计入平均。")


@dataclass(frozen=True)
class OverviewRow:
    """One unit of the batch, or one input that could not be generated."""

    unit: str
    year: int | None
    budget: Decimal | None
    actual: Decimal | None
    score: Decimal | None
    grade: str | None
    projects: int | None         # None where the input could not be read
    lowest: Decimal | None       # None unless every self-evaluated project has a computed score
    errors: int
    warnings: int
    source: str
    status: str
    duplicate: bool = False      # the same unit and year as an earlier input of the batch: listed, not counted
    stated: bool = False         # `score` is the unit's own figure: none could be computed

    @property
    def rate(self) -> Decimal | None:
        return ratio_percent(self.actual, self.budget)

    @property
    def shown_score(self) -> str:
        """The department score as validate gives it: computed, or the unit's own as typed and said to be so."""
        return f"{typed(self.score)}（单位填报）" if self.stated else score(self.score)


def sort_rows(rows: list[OverviewRow]) -> list[OverviewRow]:
    """Scored units by score (highest first), then unscored units, then inputs that failed; names break ties."""
    def key(row: OverviewRow):
        failed = row.year is None
        return (failed, row.score is None, -(row.score or 0), row.unit, row.year or 0, row.source)
    return sorted(rows, key=key)


def _whole_sum(values: list) -> Decimal | None:
    """The sum, only when every value is known: a unit without the figure is not taken as zero."""
    return sum(values, Decimal(0)) if values and None not in values else None


def totals(rows: list[OverviewRow]) -> dict:
    """The totals row over the units that were read: each figure only when every one of them has it (the money,
    the scores and the lowest project score), else None; inputs that could not be read are listed, not counted."""
    read = [r for r in rows if r.year is not None and not r.duplicate]
    budget, actual = _whole_sum([r.budget for r in read]), _whole_sum([r.actual for r in read])
    scores = _whole_sum([None if r.stated else r.score for r in read])     # a mean of computed scores only
    with_projects = [r for r in read if r.projects]
    lowest = [r.lowest for r in with_projects]
    return {
        "units": len(read),
        "budget": budget, "actual": actual, "rate": ratio_percent(actual, budget),
        "mean": scores / len(read) if scores is not None else None,
        "projects": sum(r.projects or 0 for r in read),
        "lowest": min(lowest) if lowest and None not in lowest else None,
        "errors": sum(r.errors for r in rows), "warnings": sum(r.warnings for r in rows),
    }


def _display(row: OverviewRow, index: int) -> list:
    return [index, row.unit, row.year or "—", money(row.budget, comma=True), money(row.actual, comma=True),
            percent(row.rate), row.shown_score, row.grade or "—", "—" if row.projects is None else row.projects,
            score(row.lowest),
            row.errors, row.warnings, row.source, row.status]


def _total_display(t: dict) -> list:
    mean = f"平均 {score(t['mean'])}" if t["mean"] is not None else "—"
    return ["合计", f"{t['units']} 个单位", "", money(t["budget"], comma=True), money(t["actual"], comma=True),
            percent(t["rate"]), mean, "", t["projects"], score(t["lowest"]), t["errors"], t["warnings"], "", ""]


def overview_md(rows: list[OverviewRow], title: str) -> str:
    """A GFM table with a totals row."""
    rows = sort_rows(rows)
    lines = [f"# {title}", "", "| " + " | ".join(HEADERS) + " |",
             "|" + "|".join(":---:" if i in (0, 2, 7) else ("---" if i in (1, 12, 13) else "---:")
                            for i in range(len(HEADERS))) + "|"]
    for i, row in enumerate(rows, 1):
        lines.append("| " + " | ".join(_cell(v) for v in _display(row, i)) + " |")
    lines.append("| " + " | ".join(f"**{_cell(v)}**" if v not in ("", None, "—") else _cell(v or "") for v in _total_display(totals(rows))) + " |")
    lines += ["", NOTE, ""]
    return "\n".join(lines)


def _cell(value) -> str:
    return str(value).replace("|", "｜").replace("\n", " ")


def overview_xlsx(rows: list[OverviewRow], title: str) -> bytes:
    """The same table as a workbook: numbers as numbers (2 decimals), frozen header, totals in bold."""
    # openpyxl (and the numpy it loads) only for a batch's overview: a single unit's run never needs it.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    rows = sort_rows(rows)
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(list(HEADERS))
    thin = Side(style="thin", color="999999")
    for i, row in enumerate(rows, 1):
        ws.append([i, row.unit, row.year, _num(row.budget), _num(row.actual), _num(row.rate, 100),
                   row.shown_score if row.stated else _num(row.score), row.grade, row.projects, _num(row.lowest),
                   row.errors, row.warnings, row.source, row.status])
    t = totals(rows)
    ws.append(["合计", f"{t['units']} 个单位", None, _num(t["budget"]), _num(t["actual"]), _num(t["rate"], 100),
               _num(t["mean"]), None, t["projects"], _num(t["lowest"]), t["errors"], t["warnings"], None, None])
    last = ws.max_row
    ws.append([NOTE])
    ws.merge_cells(start_row=last + 1, start_column=1, end_row=last + 1, end_column=len(HEADERS))
    ws.cell(last + 1, 1).alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
    ws.row_dimensions[last + 1].height = 45
    formats = {4: "#,##0.00", 5: "#,##0.00", 6: "0.00%", 7: "0.00", 10: "0.00"}
    for r in range(2, last + 1):
        for c in range(1, len(HEADERS) + 1):
            cell = ws.cell(r, c)
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
            cell.alignment = Alignment(horizontal="left" if c in (2, 13, 14) else "center" if c in (1, 3, 8) else "right",
                                       vertical="center", wrap_text=c in (2, 13, 14))
            if c in formats and r > 2:
                cell.number_format = formats[c]
            if r in (2, last):
                cell.font = Font(bold=True)
            if r == 2:
                cell.fill = PatternFill("solid", fgColor="E8EEF4")
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for i, width in enumerate(WIDTHS, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "C3"
    # Printed as one table: A4 landscape, all columns on the page's width, the title and head on every page.
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:2"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    wb.properties.creator = "jxzp"
    wb.properties.lastModifiedBy = "jxzp"
    wb.properties.created = FIXED_STAMP
    wb.properties.modified = FIXED_STAMP
    buffer = io.BytesIO()
    wb.save(buffer)
    return _stable(buffer.getvalue())


def _num(value: Decimal | None, scale: int = 1):
    """A Decimal as a float rounded to what the table shows (percent cells hold fractions)."""
    if value is None:
        return None
    return float(round2(value) / scale)


def _stable(data: bytes) -> bytes:
    """Fixed member dates and order, and openpyxl's docProps/core.xml modified time pinned, for identical bytes."""
    def edit(name: str, body: bytes) -> bytes:
        if name != "docProps/core.xml":
            return body
        return re.sub(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>",
                      rb"<dcterms:modified\1>2000-01-01T00:00:00Z</dcterms:modified>", body)

    return restamped(data, edit)
