"""The 校验报告 as a Word document: the same findings as `jxzp validate`, each at its place with its message and its
breakdown indented under it, in a package Word opens; rewritten only when the findings change."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from openxml_audit import OpenXmlValidator

from generator.cli import main
from generator.generate import generate
from test_docx_package import package_problems

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "inputs" / "lizhou-2021.xlsx"      # the workbook as published: errors and warnings
CODES = ("sum-mismatch", "fund-sum-mismatch", "shortfall-no-reason")


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    return generate(PUBLISHED, tmp_path_factory.mktemp("checks"), ("docx", "md"), force=True).folder


def _validate_json(path: Path) -> list[dict]:
    result = CliRunner().invoke(main, ["validate", str(path), "--json"])
    return json.loads(result.output)[0]["问题"]


def _findings(docx: Path) -> dict[str, list[tuple[str, list[str]]]]:
    """The report read back: per heading (错误（n个）…), each finding's line and the indented lines under it."""
    groups: dict[str, list[tuple[str, list[str]]]] = {}
    current: list | None = None
    for paragraph in Document(str(docx)).paragraphs:
        style = paragraph.style.name
        if style == "Heading 1":
            current = groups.setdefault(paragraph.text.split("（")[0], [])
        elif style == "校验问题":
            current.append((paragraph.text, []))
        elif style == "校验明细":
            current[-1][1].append(paragraph.text)
            assert paragraph.style.paragraph_format.left_indent > 0, "the breakdown is indented under its finding"
    return groups


def test_every_finding_reads_back_from_the_word_report_as_validate_prints_it(package):
    found = _validate_json(PUBLISHED)
    assert {f["级别"] for f in found} >= {"错误", "警告"}
    groups = _findings(package / "校验报告.docx")
    for severity in ("错误", "警告", "提示"):
        expected = [(f"{i}. {f['位置']}：{f['说明']}", f["详情"])
                    for i, f in enumerate((f for f in found if f["级别"] == severity), start=1)]
        assert groups[severity] == expected, severity
    first = next(f for f in found if f["级别"] == "错误")
    place = next(p for p in Document(str(package / "校验报告.docx")).paragraphs if p.style.name == "校验问题")
    assert [r.text for r in place.runs if r.bold] == [first["位置"]]       # the place stands out, as in the text version


def test_the_word_report_says_what_the_text_version_says_without_rule_codes(package):
    document = Document(str(package / "校验报告.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    markdown = (package / "校验报告.md").read_text(encoding="utf-8")
    lines = document.paragraphs[0].text.split("\n")     # the Word title breaks between words, the heading does not
    title = "".join(lines)
    assert lines == ["中共广元市利州区委组织部", "2021年度绩效自评材料校验报告"]
    assert document.paragraphs[0].style.name == "公文标题" and markdown.startswith(f"# {title}\n")
    assert document.core_properties.title == title
    assert "发现问题：错误" in text and "未通过校验" in text
    for code in CODES:
        assert code not in text and code not in markdown
    assert "**" not in text and "- " not in text


def test_the_word_report_is_a_sound_package(package):
    docx = package / "校验报告.docx"
    assert package_problems(docx) == []
    assert [str(e) for e in OpenXmlValidator(max_errors=0).validate(str(docx)).errors] == []


def test_same_input_same_bytes_and_rewritten_only_when_findings_change(package, tmp_path):
    again = generate(PUBLISHED, tmp_path / "a", ("docx", "md"), force=True).folder
    assert (again / "校验报告.docx").read_bytes() == (package / "校验报告.docx").read_bytes()
    inode = (again / "校验报告.docx").stat().st_ino
    same = generate(PUBLISHED, tmp_path / "a", ("docx", "md"), force=True)
    assert "校验报告.docx" not in same.changes.files_changed
    assert (same.folder / "校验报告.docx").stat().st_ino == inode
    corrected = tmp_path / PUBLISHED.name
    shutil.copyfile(ROOT / "inputs" / "lizhou-2021-corrected.xlsx", corrected)
    fixed = generate(corrected, tmp_path / "a", ("docx", "md"))
    assert {"校验报告.docx", "校验报告.md"} <= set(fixed.changes.files_changed)
    assert "错误（0个）" in [p.text for p in Document(str(fixed.folder / "校验报告.docx")).paragraphs]


@pytest.mark.parametrize("pack", ["湖南", "安徽"])
def test_a_pack_based_on_another_inherits_the_report(pack, tmp_path):
    done = generate(ROOT / "tests" / "fixtures" / "checks" / "sum-mismatch.yaml", tmp_path, ("docx",), pack=pack,
                    force=True)
    assert {"校验报告.docx", "校验报告.md"} <= set(done.files)
    groups = _findings(done.folder / "校验报告.docx")
    assert groups["错误"][0][0].startswith("1. sum-mismatch.yaml:56：收支情况“本年收入合计”")


def test_a_pack_can_turn_the_report_off(tmp_path):
    own = tmp_path / "我的模板包"
    own.mkdir()
    (own / "pack.yaml").write_text("名称: 我的\n基于: 全国\n文档:\n  校验报告:\n    模板: 校验报告\n    文件: 校验报告\n    生成: 否\n",
                                   encoding="utf-8")
    done = generate(ROOT / "tests" / "fixtures" / "small.yaml", tmp_path / "out", ("docx", "md"), pack=own)
    assert not [f for f in done.files if f.startswith("校验报告")]
