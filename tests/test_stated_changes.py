"""Stated changes count (issue 19 item 3): a unit that states its 增减额/增长率 — typed, or written in its text — without
last year's figures gets them printed in its report and cross-checked (amount vs rate vs this year's figure)."""
from __future__ import annotations

import re
from pathlib import Path

from generator.generate import generate
from generator.pipeline import evaluate
from tests.packages import docx_text, work_dir

BASE = (Path(__file__).resolve().parent / "fixtures" / "checks" / "base.yaml").read_text(encoding="utf-8")
SPEND = "  本年支出合计:\n    年初预算数: 1150.00\n    全年预算数: 1205.00\n    决算数: 1185.00\n"
SENTENCE = "支出较上年增加75万元，增长6.76%。"


def without_last_year(stated: str = "", sentence: str = "") -> str:
    """base.yaml with no 上年决算数 in its statements, `stated` lines under 本年支出合计 and `sentence` for the
    base text's year-on-year sentence."""
    text = re.sub(r"(?m)^    上年决算数: .*\n", "", BASE)
    assert text.count(SPEND) == 1 and SENTENCE in text
    return text.replace(SPEND, SPEND + stated).replace(SENTENCE, sentence)


def run(tmp_path: Path, text: str):
    path = tmp_path / "unit.yaml"
    path.write_text(text, encoding="utf-8")
    return path, evaluate(path)


# 1185 this year, 120.50 less than last year → last year 1305.50, a fall of 9.23%
RIGHT = "    增减额（填报）: -120.50\n    增长率（填报）: -9.23\n"


def test_a_stated_change_without_last_year_is_printed_in_the_report(tmp_path):
    path, evaluation = run(tmp_path, without_last_year(RIGHT))
    assert [p.message for p in evaluation.problems] == []
    out = generate(path, work_dir("stated-change"), ("docx", "md"))
    report = next(out.folder.glob("部门整体支出绩效自评报告.md")).read_text(encoding="utf-8")
    sentence = "本年支出合计与2022年相比减少120.5万元，下降9.23%。"
    assert sentence in report
    assert sentence in docx_text(next(out.folder.glob("部门整体支出绩效自评报告.docx")))


def test_a_stated_change_alone_prints_the_rate_it_implies(tmp_path):
    path, evaluation = run(tmp_path, without_last_year("    增减额（填报）: -120.50\n"))
    assert evaluation.problems == []
    out = generate(path, work_dir("stated-change-alone"), ("md",))
    report = next(out.folder.glob("部门整体支出绩效自评报告.md")).read_text(encoding="utf-8")
    assert "本年支出合计与2022年相比减少120.5万元，下降9.23%。" in report


def test_a_stated_change_that_disagrees_with_the_stated_rate_is_found(tmp_path):
    text = without_last_year("    增减额（填报）: -120.50\n    增长率（填报）: -8.42\n")
    _, evaluation = run(tmp_path, text)
    line = text.splitlines().index("    增长率（填报）: -8.42") + 1
    assert [(p.code, p.place) for p in evaluation.problems] == [("stated-growth", f"unit.yaml:{line}")]
    assert "-9.23%" in evaluation.problems[0].message and "1305.5万元" in evaluation.problems[0].message


def test_the_text_is_checked_against_the_stated_change(tmp_path):
    _, right = run(tmp_path, without_last_year(RIGHT, "本年支出合计比上年决算减少120.50万元，下降9.23%。"))
    assert right.problems == []
    _, wrong = run(tmp_path, without_last_year(RIGHT, "本年支出合计比上年决算减少102.50万元，下降9.23%。"))
    assert [p.code for p in wrong.problems] == ["narrative-change-stated"]
    assert "减少120.5万元" in wrong.problems[0].message


def test_the_texts_own_change_and_rate_must_agree_through_this_years_figure(tmp_path):
    _, right = run(tmp_path, without_last_year("", "本年支出合计比上年决算减少120.50万元，下降9.23%。"))
    assert right.problems == []
    _, wrong = run(tmp_path, without_last_year("", "本年支出合计比上年决算减少120.50万元，下降8.42%。"))
    assert [p.code for p in wrong.problems] == ["narrative-change-stated"]
    assert "下降9.23%" in wrong.problems[0].message


def test_with_last_year_known_all_three_must_agree(tmp_path):
    # last year 1110 (base): the change is +75; a stated −120.50 is wrong whatever the text says
    path = tmp_path / "unit.yaml"
    spend = SPEND.replace("  本年支出合计:\n", "  本年支出合计:\n    上年决算数: 1110.00\n")
    assert BASE.count(spend) == 1
    path.write_text(BASE.replace(spend, spend + RIGHT), encoding="utf-8")
    codes = sorted(p.code for p in evaluate(path).problems)
    assert codes == ["stated-change", "stated-growth"]


def test_the_texts_change_is_checked_against_a_stated_rate_alone(tmp_path):
    _, right = run(tmp_path, without_last_year("    增长率（填报）: -9.23\n", "本年支出合计比上年决算减少120.50万元。"))
    assert right.problems == []
    _, wrong = run(tmp_path, without_last_year("    增长率（填报）: -9.23\n", "本年支出合计比上年决算减少102.50万元。"))
    assert [p.code for p in wrong.problems] == ["narrative-change-stated"]
    assert "-9.23%" in wrong.problems[0].message
