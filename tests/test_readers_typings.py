"""Typings read as meant: a year with 年, a unit that is not the field's, and an unreadable year that is one finding
among the others rather than a wall."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.pipeline import evaluate

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "bad_inputs"))
from make_bad_inputs import P1, base_text, base_workbook, indicator_cell, project_cell, save, unit_cell  # noqa: E402


@pytest.mark.parametrize("typed", ["2023年", "2023年度", "２０２３", "２０２３年", " 2023 年 "])
def test_a_year_typed_with_its_unit_or_full_width_reads_in_workbook_and_yaml(typed, tmp_path):
    wb = base_workbook()
    unit_cell(wb, "评价年度").value = typed
    save(wb, tmp_path / "填报.xlsx")
    (tmp_path / "填报.yaml").write_text(base_text().replace("  评价年度: 2023", f"  评价年度: '{typed}'"), encoding="utf-8")
    for name in ("填报.xlsx", "填报.yaml"):
        evaluation = evaluate(tmp_path / name)
        assert evaluation.problems == [], [str(p) for p in evaluation.problems]
        assert evaluation.results.report.unit.year == 2023
        result = CliRunner().invoke(main, ["validate", str(tmp_path / name)])
        assert result.exit_code == 0 and "年度：2023" in result.output


def test_an_unreadable_year_is_one_finding_among_the_others(tmp_path):
    """With the year unreadable, a wrong stated rate and a negative weight are still found, each at its cell, and
    nothing follows from the missing year; validate lists all three, generate (even --force) writes nothing."""
    wb = base_workbook()
    unit_cell(wb, "评价年度").value = "二〇二三年"
    project_cell(wb, P1, "执行率（填报）").value = 90
    indicator_cell(wb, 5, "分值").value = -50
    source = tmp_path / "填报.xlsx"
    save(wb, source)
    evaluation = evaluate(source)
    assert [(p.place, p.message) for p in evaluation.errors] == [
        ("单位信息!B4", "评价年度“二〇二三年”不是整数年份：请用阿拉伯数字填写四位年份，如 2023 或 2023年"),
        ("绩效指标!I5", "分值“-50”为负数：分值应为0或正数"),
        ("项目!AE3", "项目“高标准农田建设”的执行率填报为90%，按全年执行数310万元 ÷ 全年预算数320万元计算应为96.88%："
                    "请改为96.88%，或核对计算它的数字"),
    ]
    result = CliRunner().invoke(main, ["validate", str(source)])
    assert result.exit_code == 1
    assert "年度：—" in result.output and "发现问题：错误 3 个" in result.output
    out = tmp_path / "outputs"
    result = CliRunner().invoke(main, ["generate", str(source), "-o", str(out), "--force"])
    assert result.exit_code == 1 and "单位信息!B4" in result.output
    assert not out.exists() or not any(out.iterdir())
