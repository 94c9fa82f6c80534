"""A pack's own text fields (issue 17 item 3): a maintainer adds a chapter with a new text field to an exported pack by
editing files only; `jxzp init --pack` writes the workbook with it, the preparer fills it, and the text is printed
under its heading in the Word and the text report; validate treats it as it treats the built-in texts."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from generator.cli import main
from generator.generate import generate
from generator.pipeline import evaluate

BASE = Path(__file__).resolve().parent / "fixtures" / "checks" / "base.yaml"
REPORT = "部门整体支出绩效自评报告"
FIELD = "自评材料报送及公开情况"
HEADING = "{{ 章.next()|cn_number }}、自评材料报送及公开情况"
"""A chapter numbered as the others are: by the chapters printed before it."""
PRINTED_HEADING = re.compile(r"^[一二三四五六七八九十]+、自评材料报送及公开情况$")
HELP = "自评材料报送财政部门和在本单位门户网站公开的时间、方式"
TEXT = "本单位于2024年3月20日将自评材料报送县财政局，并于3月25日在县政府门户网站公开。"
DECLARATION = f"""
文字栏目:
  {FIELD}:
    说明: {HELP}
    必填: 是
"""
PLACEHOLDER = f'{{{{ unit.sections["{FIELD}"]|text }}}}'


def export(folder: Path) -> Path:
    result = CliRunner().invoke(main, ["pack", "export", "全国", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def add_chapter(pack: Path) -> None:
    """What the maintainer does: declare the field, and print it as chapter 八 in the text and the Word report."""
    with (pack / "pack.yaml").open("a", encoding="utf-8") as f:
        f.write(DECLARATION)
    md = pack / f"{REPORT}.md.j2"
    text = md.read_text(encoding="utf-8")
    anchor = '{{ "" }}\n\n{{ unit.name|text }}'
    assert text.count(anchor) == 1
    md.write_text(text.replace(anchor, f"## {HEADING}\n\n{PLACEHOLDER}\n\n{anchor}"), encoding="utf-8")
    # In Word: two paragraphs typed before the signature, the heading in the style of the other chapter headings.
    doc = Document(str(pack / f"{REPORT}.docx"))
    paragraphs = doc.paragraphs
    heading_style = next(p.style for p in paragraphs if p.text.endswith("、部门基本情况"))
    anchor_paragraph = next(p for p in paragraphs if p.text == '{{ "" }}')
    anchor_paragraph.insert_paragraph_before(HEADING, heading_style)
    anchor_paragraph.insert_paragraph_before(PLACEHOLDER)
    doc.save(str(pack / f"{REPORT}.docx"))


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Path:
    folder = export(tmp_path_factory.mktemp("pack") / "我的模板包")
    add_chapter(folder)
    return folder


def workbook(pack: Path, folder: Path) -> tuple[Path, int]:
    """`jxzp init --pack` from the base input; the row of the new field in 单位信息."""
    path = folder / "填报表.xlsx"
    result = CliRunner().invoke(main, ["init", "--pack", str(pack), "--from", str(BASE), str(path)])
    assert result.exit_code == 0, result.output
    ws = load_workbook(path)["单位信息"]
    rows = [row for row in range(1, ws.max_row + 1) if str(ws.cell(row, 1).value or "").startswith(FIELD)]
    assert len(rows) == 1
    row = rows[0]
    assert HELP in ws.cell(row, 1).comment.text
    assert ws.cell(row, 2).value is None
    return path, row


def fill(path: Path, row: int, text: str) -> None:
    wb = load_workbook(path)
    wb["单位信息"].cell(row, 2).value = text
    wb.save(path)


def test_the_new_text_is_printed_under_its_heading_in_word_and_text(pack, tmp_path):
    path, row = workbook(pack, tmp_path)
    fill(path, row, TEXT)
    out = generate(path, tmp_path / "out", ("docx", "md"), pack=str(pack))
    lines = [line for line in (out.folder / f"{REPORT}.md").read_text(encoding="utf-8").splitlines() if line.strip()]
    at = next(n for n, line in enumerate(lines) if line.startswith("## ") and PRINTED_HEADING.match(line[3:]))
    assert lines[at + 1] == TEXT
    paragraphs = [p for p in Document(str(out.folder / f"{REPORT}.docx")).paragraphs if p.text.strip()]
    texts = [p.text for p in paragraphs]
    at = next(n for n, text in enumerate(texts) if PRINTED_HEADING.match(text))
    assert texts[at + 1] == TEXT
    assert paragraphs[at].style.name == next(p for p in paragraphs if p.text.endswith("、部门基本情况")).style.name
    assert not any(p.code == "unknown-key" for p in out.evaluation.problems)


def test_a_required_field_left_empty_is_found_at_its_cell(pack, tmp_path):
    path, row = workbook(pack, tmp_path)
    found = [p for p in evaluate(path, pack=str(pack)).problems if p.code == "section-empty"]
    assert [(p.place, p.message) for p in found] == [
        (f"单位信息!B{row}", f"单位信息“{FIELD}”未填写：模板包“全国”的材料要有这一部分，请填写（{HELP}）")]


def test_the_text_checks_apply_to_the_new_field(pack, tmp_path):
    path, row = workbook(pack, tmp_path)
    fill(path, row, "本单位按要求报送自评材料。（没有请写明“无”）")
    found = [p for p in evaluate(path, pack=str(pack)).problems if p.code == "template-text"]
    assert [p.place for p in found] == [f"单位信息!B{row}"]
    assert f"单位信息“{FIELD}”" in found[0].message


def test_a_field_the_pack_does_not_declare_is_named_with_the_fields_it_has(pack, tmp_path):
    path, row = workbook(pack, tmp_path)
    wb = load_workbook(path)
    ws = wb["单位信息"]
    ws.cell(row, 1).value = "自评材料公开情况"
    ws.cell(row, 2).value = TEXT
    wb.save(path)
    found = [(p.place, p.message) for p in evaluate(path, pack=str(pack)).problems if p.code == "unknown-key"]
    assert found == [(f"单位信息!A{row}", "未知的填报项目“自评材料公开情况”，已忽略：请检查名称是否写错；"
                                         f"模板包“全国”的文字栏目有：{FIELD}")]


def test_the_yaml_form_takes_the_field_by_its_label(pack, tmp_path):
    text = BASE.read_text(encoding="utf-8")
    anchor = "  单位名称:"
    assert text.count(anchor) == 1
    path = tmp_path / "unit.yaml"
    path.write_text(text.replace(anchor, f"  {FIELD}: {TEXT}\n{anchor}"), encoding="utf-8")
    evaluation = evaluate(path, pack=str(pack))
    assert not [p for p in evaluation.problems if p.code in ("unknown-key", "section-empty")]
    assert evaluation.results.report.unit.sections == {FIELD: TEXT}
    # the bundled 全国 does not declare it: one clear warning, at its line
    warned = [p for p in evaluate(path).problems if p.code == "unknown-key"]
    assert [p.message for p in warned] == [f"未知的栏目“{FIELD}”，已忽略：请检查名称是否写错"]


@pytest.mark.parametrize("declaration, words", [
    ("文字栏目:\n  单位名称: {说明: x}\n", "与内置的填报项目同名"),
    ("文字栏目:\n  甲: {标签: 乙}\n  乙: {}\n", "同名"),
    ('文字栏目:\n  甲: {标签: "a\\x07b"}\n', "控制字符"),
    (f"文字栏目:\n  {'长' * 41}: {{}}\n", "不超过40字"),
    ("文字栏目:\n  甲: {必填: 也许}\n", "文字栏目"),
])
def test_a_bad_declaration_is_refused_in_chinese_before_anything_is_written(tmp_path, declaration, words):
    folder = export(tmp_path / "pack")
    with (folder / "pack.yaml").open("a", encoding="utf-8") as f:
        f.write(declaration)
    result = CliRunner().invoke(main, ["init", "--pack", str(folder), str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert not (tmp_path / "x.xlsx").exists()



def test_the_yaml_form_also_takes_a_mapping_and_a_workbook_made_from_it_keeps_the_text(pack, tmp_path):
    text = BASE.read_text(encoding="utf-8")
    anchor = "  单位名称:"
    source = tmp_path / "unit.yaml"
    source.write_text(text.replace(anchor, f"  文字栏目:\n    {FIELD}: {TEXT}\n{anchor}"), encoding="utf-8")
    from_yaml = evaluate(source, pack=str(pack))
    assert from_yaml.results.report.unit.sections == {FIELD: TEXT}
    book = tmp_path / "填报表.xlsx"
    result = CliRunner().invoke(main, ["init", "--pack", str(pack), "--from", str(source), str(book)])
    assert result.exit_code == 0, result.output
    from_book = evaluate(book, pack=str(pack))
    assert from_book.results.report.unit.sections == {FIELD: TEXT}
    assert not [p for p in from_book.problems if p.code in ("unknown-key", "section-empty")]
