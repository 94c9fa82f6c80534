"""Every independent problem in one pass, the root cause first; the preparer's own workbook marked with them."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from generator.cli import main
from generator.generate import GenerationError, generate
from generator.pipeline import evaluate
from generator.problems import Severity
from generator.readers.marking import FINDINGS_SHEET, RECORD_SHEET, mark_workbook, marked_path

BAD = Path(__file__).resolve().parent / "bad_inputs"
SIX = BAD / "six-mistakes.xlsx"

# (place, code) of each of the six mistakes planted by make_bad_inputs.py, each at the cell the preparer must change
MISTAKES = [
    ("项目!R4", "amount-scale"),                 # 200000 typed in 元 for 20 万元
    ("绩效指标!I6", "missing"),                  # blank 分值
    ("收支情况!D11", "sum-mismatch"),            # 本年收入合计 1250 ≠ 1200
    ("单位信息!B31", "stated-execution-rate"),   # 95% stated, 98.38% computed
    ("项目!L3", "no-budget"),                    # blank 全年预算数 of an evaluated project
    ("绩效指标!M3", "shortfall-no-reason"),      # 29万吨 of ≥30万吨, no 偏差原因
]


@pytest.fixture(scope="module")
def six():
    return evaluate(SIX)


def test_six_unrelated_mistakes_are_all_reported_at_their_cells_in_one_pass(six):
    found = {(p.place, p.code) for p in six.problems}
    assert set(MISTAKES) <= found


def test_the_amount_in_yuan_comes_first_with_its_likely_value(six):
    first = six.problems[0]
    assert (first.place, first.code, first.root) == ("项目!R4", "amount-scale", True)
    assert "上年结转资金为200000万元" in first.message and "应为 20.00 万元？" in first.message


def test_what_the_yuan_amount_breaks_follows_it_and_says_so(six):
    follows = [p for p in six.problems if p.cause == "项目!R4"]
    assert [p.code for p in follows] == ["projects-exceed-spending", "over-budget"]
    assert six.problems[1:3] == follows
    assert all("由项目!R4的金额引起" in p.message for p in follows)


def test_nothing_is_reported_twice_or_as_a_cascade_of_the_blank_weight(six):
    assert len(six.problems) == len(MISTAKES) + 2          # the six, and the two that follow from the 元 amount
    assert not any(p.code == "indicator-unscorable" for p in six.problems)


def test_validate_shows_no_score_next_to_a_figure_reported_as_impossible():
    result = CliRunner().invoke(main, ["validate", str(SIX)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "   2. 农机购置补贴　执行率 —　得分 —　待改正后评定" in lines
    assert "   1. 高标准农田建设　执行率 —　得分 —　待改正后评定" in lines
    assert lines[lines.index("发现问题：错误 5 个，警告 3 个，提示 0 个") + 1].startswith("  [警告] 项目!R4：")
    assert "amount-scale" not in result.output


def test_a_workbook_with_unreadable_values_is_not_generated_even_forced(tmp_path):
    with pytest.raises(GenerationError) as refused:
        generate(SIX, out_dir=tmp_path, force=True)
    assert "--force 也不能生成" in str(refused.value)
    assert not any(tmp_path.iterdir())


# -- the marked workbook


def _cells(path: Path) -> dict:
    """Every cell's value or formula, sheet by sheet, as the preparer typed it."""
    wb = load_workbook(path)
    return {ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
            for ws in wb.worksheets}


@pytest.fixture(scope="module")
def marked(six, tmp_path_factory) -> Path:
    return mark_workbook(SIX, six.problems, tmp_path_factory.mktemp("marked") / "填报表（已标注）.xlsx")


def test_the_preparers_values_and_formulas_are_unchanged(marked):
    before, after = _cells(SIX), _cells(marked)
    assert after.pop(FINDINGS_SHEET)
    assert after.pop(RECORD_SHEET)      # very hidden: what the marking changed, to take it off when marked again
    assert after == before


def test_formulas_survive_marking(tmp_path):
    source = BAD / "forgiven" / "formulas-with-values.xlsx"
    problems = evaluate(BAD / "six-mistakes.xlsx").problems
    out = mark_workbook(source, problems, tmp_path / "marked.xlsx")
    before, after = _cells(source), _cells(out)
    after.pop(FINDINGS_SHEET)
    after.pop(RECORD_SHEET)
    assert after == before
    assert after["项目"]["L3"] == "=SUM(M3:O3)"


def test_every_cell_with_a_finding_is_filled_by_severity_and_commented(six, marked):
    wb = load_workbook(marked)
    for problem in six.problems:
        sheet, cell = problem.place.split("!")
        marked_cell = wb[sheet][cell]
        colour = {Severity.ERROR: "FFC7CE", Severity.WARNING: "FFEB9C"}
        worst = min((p.severity for p in six.problems if p.place == problem.place), key=list(Severity).index)
        assert marked_cell.fill.fgColor.rgb.endswith(colour[worst]), problem.place
        assert problem.message in marked_cell.comment.text
    assert wb["项目"]["A3"].fill.fgColor.rgb != "00FFC7CE"   # cells without a finding keep their look


def test_the_first_sheet_lists_every_finding_with_a_link_to_its_cell(six, marked):
    wb = load_workbook(marked)
    assert wb.sheetnames[0] == FINDINGS_SHEET and wb.active.title == FINDINGS_SHEET
    ws = wb[FINDINGS_SHEET]
    rows = list(ws.iter_rows(min_row=2, max_col=4, values_only=True))
    assert [(r[1], r[2], r[3]) for r in rows] == [(p.severity.value, p.place, p.message) for p in six.problems]
    links = [ws.cell(row, 3).hyperlink.location for row in range(2, ws.max_row + 1)]
    assert links[0] == "'项目'!R4" or links[0] == "项目!R4"
    assert "应为 20.00 万元？" in ws["D2"].value
    assert "其中这一格200000万元" in ws["E2"].value


def test_marking_the_same_findings_twice_gives_the_same_bytes(six, marked, tmp_path):
    again = mark_workbook(SIX, six.problems, tmp_path / "again.xlsx")
    assert again.read_bytes() == marked.read_bytes()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_the_marked_workbook_opens_in_libreoffice(marked, tmp_path):
    run = subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                          "--convert-to", "pdf", "--outdir", str(tmp_path), str(marked)],
                         capture_output=True, timeout=180)
    pdf = tmp_path / f"{marked.stem}.pdf"
    assert run.returncode == 0 and pdf.exists() and pdf.stat().st_size > 1000, run.stderr


def test_validate_mark_writes_the_marked_workbook_next_to_the_input(tmp_path):
    source = tmp_path / "填报表.xlsx"
    shutil.copy(SIX, source)
    result = CliRunner().invoke(main, ["validate", str(source), "--mark"])
    assert result.exit_code == 1
    target = marked_path(source)
    assert target.name == "填报表（已标注）.xlsx" and target.exists()
    assert f"已写出标注版：{target}" in result.output
    chosen = tmp_path / "给我.xlsx"
    assert CliRunner().invoke(main, ["validate", str(source), "--mark", "-o", str(chosen)]).exit_code == 1
    assert load_workbook(chosen).sheetnames[0] == FINDINGS_SHEET


def test_a_marked_workbook_reads_as_the_original(six, marked):
    assert [str(p) for p in evaluate(marked).problems] == [str(p) for p in six.problems]


def test_validate_mark_on_yaml_explains_that_it_needs_a_workbook(tmp_path):
    result = CliRunner().invoke(main, ["validate", str(BAD / "yaml-negative-weight.yaml"), "--mark"])
    assert result.exit_code == 1
    assert "--mark 需要 Excel 填报表（.xlsx）" in result.output
    assert "yaml-negative-weight.yaml:70：分值“-30”为负数" in result.output
    assert not list(BAD.glob("*已标注*"))


def test_the_check_report_shows_each_finding_on_one_line_with_its_parts_indented(tmp_path):
    done = generate(Path(__file__).resolve().parent / "fixtures" / "checks" / "sum-mismatch.yaml", tmp_path,
                    formats=("md",), force=True)
    lines = (done.folder / "校验报告.md").read_text(encoding="utf-8").splitlines()
    first = lines.index("1. **sum-mismatch.yaml:56**：收支情况“本年收入合计”的决算数填报为1185万元，各项之和为1185.1万元，"
                        "相差0.1万元：请核对合计与各项金额，改正填错的一项")
    assert lines[first + 1:first + 3] == ["    - 一般公共预算财政拨款收入 1180.5（sum-mismatch.yaml:47）",
                                          "    - 其他收入 4.6（sum-mismatch.yaml:51）"]
    assert "sum-mismatch]" not in "\n".join(lines) and "| 规则 |" not in "\n".join(lines)
