"""`jxzp validate --mark` on a workbook that carries our marks: our fills, comments and sheets go first, the
preparer's own stay; a fixed cell keeps no stale mark."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from generator.cli import main
from generator.readers.marking import FINDINGS_SHEET, RECORD_SHEET

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "bad_inputs"))
from make_bad_inputs import base_workbook, finance_cell, save  # noqa: E402

TOTAL = "收支情况!E21"          # 本年支出合计 / 决算数 of base.yaml's workbook
OWN_FILL = "FF00B0F0"           # a blue the preparer gave a cell of their own


def _workbook(tmp_path: Path, own_sheet: bool = False) -> Path:
    """base.yaml's workbook with 本年支出合计 typed 1180.6 (its parts add up to 1180.5), a comment of the preparer's
    on that cell, a blue cell and a comment of theirs elsewhere, and (own_sheet) a sheet of theirs named 问题清单."""
    wb = base_workbook()
    cell = finance_cell(wb, "本年支出合计", "决算数")
    assert f"收支情况!{cell.coordinate}" == TOTAL
    cell.value = 1180.6
    cell.comment = Comment("按财政批复口径", "李明")
    ws = wb["单位信息"]
    ws["D2"].fill = PatternFill("solid", fgColor=OWN_FILL)
    ws["D2"].comment = Comment("填报人自己的备注", "李明")
    if own_sheet:
        mine = wb.create_sheet(FINDINGS_SHEET)
        mine["A1"] = "我自己记的待办"
    path = tmp_path / "填报表.xlsx"
    save(wb, path)
    return path


def _mark(source: Path, target: Path) -> None:
    result = CliRunner().invoke(main, ["validate", "--mark", "-o", str(target), str(source)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert f"已写出标注版：{target}" in result.output


def _fix_total(marked: Path, fixed: Path, drop_record: bool = False) -> None:
    """The preparer corrects the total in the marked copy and saves it as the next upload."""
    wb = load_workbook(marked)
    wb["收支情况"]["E21"] = 1180.5
    if drop_record:          # a copy whose hidden record was lost (saved by a program that drops it)
        del wb[RECORD_SHEET]
    wb.save(fixed)


def test_the_first_marking_marks_the_wrong_total(tmp_path):
    marked = tmp_path / "已标注.xlsx"
    _mark(_workbook(tmp_path), marked)
    cell = load_workbook(marked)["收支情况"]["E21"]
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert cell.comment.text.startswith("【错误】收支情况“本年支出合计”的决算数填报为1180.6万元")
    assert cell.comment.text.endswith("——\n按财政批复口径")


@pytest.mark.parametrize("drop_record", [False, True], ids=["with-record", "record-lost"])
def test_re_marking_a_fixed_marked_copy_leaves_no_stale_mark(tmp_path, drop_record):
    marked, fixed, again = tmp_path / "已标注.xlsx", tmp_path / "改正后.xlsx", tmp_path / "再标注.xlsx"
    source = _workbook(tmp_path)
    template_fill = load_workbook(source)["收支情况"]["E21"].fill        # the template's grey of a total row
    _mark(source, marked)
    _fix_total(marked, fixed, drop_record)
    _mark(fixed, again)
    wb = load_workbook(again)
    cell = wb["收支情况"]["E21"]
    assert cell.value == 1180.5
    assert not cell.fill.fgColor.rgb.endswith("FFC7CE")                               # no red left
    assert cell.comment.text == "按财政批复口径"                                       # only the preparer's
    if not drop_record:     # the record gives back exactly what was there; without it, no fill and our name
        assert (cell.fill.patternType, cell.fill.fgColor.rgb) == (template_fill.patternType, template_fill.fgColor.rgb)
        assert cell.comment.author == "李明"
    own = wb["单位信息"]["D2"]
    assert own.fill.fgColor.rgb == OWN_FILL and own.comment.text == "填报人自己的备注"
    findings = wb[FINDINGS_SHEET]
    assert "共 0 条" in findings["F1"].value and findings.max_row == 1
    assert not any("填报为1180.6" in (c.comment.text if c.comment else "")
                   for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    assert wb.sheetnames.count(FINDINGS_SHEET) == 1


def test_a_sheet_of_the_preparers_named_like_ours_is_kept_under_another_name(tmp_path):
    marked, again = tmp_path / "已标注.xlsx", tmp_path / "再标注.xlsx"
    _mark(_workbook(tmp_path, own_sheet=True), marked)
    _mark(marked, again)
    for path in (marked, again):
        wb = load_workbook(path)
        assert wb.sheetnames[0] == FINDINGS_SHEET and wb[FINDINGS_SHEET]["A1"].value == "序号"
        assert wb[f"{FINDINGS_SHEET}（原有）"]["A1"].value == "我自己记的待办"
        assert [n for n in wb.sheetnames if n.startswith(FINDINGS_SHEET)] == [FINDINGS_SHEET, f"{FINDINGS_SHEET}（原有）"]
        assert wb[RECORD_SHEET].sheet_state == "veryHidden"


def test_marking_the_marked_copy_unchanged_gives_the_same_marks(tmp_path):
    marked, again = tmp_path / "已标注.xlsx", tmp_path / "再标注.xlsx"
    _mark(_workbook(tmp_path), marked)
    _mark(marked, again)
    first, second = load_workbook(marked), load_workbook(again)
    for title in ("收支情况", "单位信息"):
        for ref in ("E21", "D2"):
            a, b = first[title][ref], second[title][ref]
            assert (a.fill.fgColor.rgb, a.comment.text if a.comment else None) == \
                   (b.fill.fgColor.rgb, b.comment.text if b.comment else None)
