"""Words and numbers are the pack's (issue 17 item 5, issue 19 item 5): number formats in pack.yaml 数字格式, label
synonyms in the pack's 同义词.yaml — a maintainer edits files only, and the package and the checks follow."""
from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from docx import Document

from generator.filters import NumberFormat, amount, money, percent, score, typed
from generator.generate import generate
from generator.pack import PackError, export_pack, load_pack
from generator.pipeline import evaluate

BASE = Path(__file__).resolve().parent / "fixtures" / "checks" / "base.yaml"
REPORT = "部门整体支出绩效自评报告"


def exported(tmp_path: Path, extra_yaml: str = "") -> Path:
    folder = tmp_path / "我的模板包"
    export_pack("全国", folder)
    if extra_yaml:
        text = (folder / "pack.yaml").read_text(encoding="utf-8")
        start = text.index("数字格式:")
        end = text.index("# 正文核对")
        (folder / "pack.yaml").write_text(text[:start] + extra_yaml + text[end:], encoding="utf-8")
    return folder


@pytest.mark.parametrize("call, shown", [
    (lambda: money(D("1234.5")), "1234.50"),
    (lambda: money(D("1234.5"), comma=True), "1,234.50"),
    (lambda: money(D("59.958")), "59.958"),                 # typed precision kept
    (lambda: money(D("1878.7"), 4), "1878.7000"),           # a number is decimals now, never comma=True
    (lambda: money(D("1878.7"), fmt=NumberFormat(2, True)), "1878.7"),
    (lambda: amount(D("1878.70"), fmt=NumberFormat(2, False)), "1878.70"),
    (lambda: score(D("8.00")), "8.00"),
    (lambda: score(D("8.00"), fmt=NumberFormat(2, True)), "8"),
    (lambda: score(D("7.6"), fmt=NumberFormat(1, False)), "7.6"),
    (lambda: percent(D("83.8951"), fmt=NumberFormat(1, False)), "83.9%"),
    (lambda: percent(D("83.8951"), 0), "84%"),
    (lambda: typed(D("90")), "90"),
    (lambda: typed(D("90.50")), "90.5"),
])
def test_the_number_filters_take_a_precision_and_a_format(call, shown):
    assert call() == shown


def test_a_pack_that_prints_scores_without_trailing_zeros(tmp_path):
    pack = exported(tmp_path, "数字格式:\n  得分: {小数位: 2, 末尾的零: 去掉}\n  金额: {小数位: 2, 末尾的零: 去掉}\n")
    out = generate(BASE, tmp_path / "out", ("docx", "md"), pack=str(pack))
    bundled = generate(BASE, tmp_path / "bundled", ("md",))
    mine = (out.folder / f"{REPORT}.md").read_text(encoding="utf-8")
    theirs = (bundled.folder / f"{REPORT}.md").read_text(encoding="utf-8")
    # the sentence of the department's score and two table rows, bundled and with the pack's formats
    assert "产出指标得分50.00分（满分50分）" in theirs and "产出指标得分50分（满分50分）" in mine
    assert "| 重点项目完成数 | ≥3个 | 3个 | 25 | 25.00 |" in theirs and "| 重点项目完成数 | ≥3个 | 3个 | 25 | 25 |" in mine
    assert "| 基本支出 | 650.00 | 675.00 | 689.50 |" in theirs and "| 基本支出 | 650 | 675 | 689.5 |" in mine
    assert "98.34%" in mine and "99.83" in mine         # percentages and a score with decimals unchanged
    doc = Document(str(out.folder / f"{REPORT}.docx"))
    word = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert "产出指标得分50分（满分50分）" in word
    assert "689.5" in cells and "689.50" not in cells and "25.00" not in cells


def test_a_misspelled_number_format_is_refused_in_chinese(tmp_path):
    pack = exported(tmp_path, "数字格式:\n  分数: {小数位: 2}\n")
    with pytest.raises(PackError, match="分数.*不认识"):
        load_pack(str(pack))


def test_a_pack_synonym_makes_its_wording_checked(tmp_path):
    text = BASE.read_text(encoding="utf-8").replace("支出较上年增加75万元", "部门开支较上年增加57万元")
    source = tmp_path / "unit.yaml"
    source.write_text(text, encoding="utf-8")
    pack = exported(tmp_path)
    assert not [p for p in evaluate(source, pack=str(pack)).problems if p.code == "narrative-change"]
    (pack / "同义词.yaml").write_text("收支情况:\n  本年支出合计: [部门开支]\n", encoding="utf-8")
    found = [p for p in evaluate(source, pack=str(pack)).problems if p.code == "narrative-change"]
    assert len(found) == 1 and "增加75万元" in found[0].message


@pytest.mark.parametrize("content, words", [
    ("收支情况: [a, b]\n", "“收支情况”下应为"),
    ("收支情况:\n  没有这一行: [x]\n", "不是收支情况的行"),
    ("同义:\n  x: [y]\n", "栏目“同义”不认识"),
    ("收支情况: {本年支出合计: [\n", "无法读取"),
])
def test_a_bad_synonym_file_is_one_chinese_finding_naming_it(tmp_path, content, words):
    pack = exported(tmp_path)
    (pack / "同义词.yaml").write_text(content, encoding="utf-8")
    evaluation = evaluate(BASE, pack=str(pack))
    assert evaluation.results is None
    assert [p.code for p in evaluation.problems] == ["pack"]
    assert "同义词.yaml" in evaluation.problems[0].message and words in evaluation.problems[0].message
