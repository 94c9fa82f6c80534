"""Each bundled pack's Word and text templates say the same: the same headings, the same table columns and the same
sentences in every example package, read through the golden dumps. The Word files are edited in Word
(`generator/packs/build.py` only helps an author draw them); this test, not a byte comparison with a Python
drawing, keeps the two versions together."""
from __future__ import annotations

import html
import re

import pytest

from golden_dump import GOLDEN

PACKS = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())


def _norm(text: str) -> str:
    """Text as a reader compares it: no spacing, no Markdown marks or escapes, no colon (a table cell in Word
    stands where the text version writes “label：value”)."""
    return re.sub(r"[\s：:|*\\]", "", html.unescape(text))


def markdown_parts(text: str) -> tuple[list[str], list[str], list[list[str]]]:
    """(headings, paragraphs, table header rows) of a written .md."""
    headings, paragraphs, headers = [], [], []
    in_table = False
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not in_table:
                headers.append(cells)
            in_table = True
            continue
        in_table = False
        if not line or line == "---" or line.startswith("!["):
            continue
        if line.startswith("#"):
            headings.append(re.sub(r"^#+\s*", "", line))
        else:
            paragraphs.append(re.sub(r"^>\s*", "", line))
    return headings, paragraphs, headers


def word_parts(dump: str) -> tuple[list[str], list[str]]:
    """(paragraphs, table cells) of a .docx dump."""
    paragraphs, cells = [], []
    for line in dump.splitlines():
        if line.startswith("¶"):
            text = line[1:].replace(" [图]", "").strip()
            if text:
                paragraphs.append(text)
        elif line.startswith("| "):
            cells += [c.strip() for c in line[2:-2].split(" | ")]
    return paragraphs, cells


def differences(markdown: str, dump: str) -> set[tuple[str, str]]:
    """(what, text) for each heading, table column or sentence one version has and the other lacks."""
    headings, md_paragraphs, headers = markdown_parts(markdown)
    paragraphs, cells = word_parts(dump)
    word_text = _norm("".join(paragraphs) + "".join(cells))
    md_text = _norm(markdown)
    word_paragraphs = [_norm(p) for p in paragraphs]
    found = set()
    joined = "".join(word_paragraphs)
    for heading in headings:        # a title may be split over lines in Word: it is then their concatenation
        if _norm(heading) not in word_paragraphs and _norm(heading) not in joined:
            found.add(("标题", heading))
    for paragraph in md_paragraphs:
        if _norm(paragraph) not in word_text:
            found.add(("文本版的句子", paragraph[:40]))
    for paragraph in paragraphs:
        if _norm(paragraph) not in md_text:
            found.add(("Word 版的句子", paragraph[:40]))
    word_cells = [_norm(c) for c in cells]
    for header in headers:
        for cell in header:
            # Word may write a column's label and value in one cell (“预算数：100万元”).
            if cell and not re.fullmatch(r":?-{3,}:?", cell) and not any(c.startswith(_norm(cell)) for c in word_cells):
                found.add(("表的列", cell))
    return {(what, re.sub(r"\d{4}年", "某年", text)) for what, text in found}


def _document(relative: str) -> str:
    """A golden file's document, without the example's project numbers and names."""
    return re.sub(r"/\d\d-[^/]*$", "/…", relative.removesuffix(".md"))


def pack_differences(pack: str) -> set[tuple[str, str, str]]:
    out = set()
    for md in sorted((GOLDEN / pack).rglob("*.md")):
        dump = md.with_name(md.name[:-3] + ".docx.txt")
        assert dump.is_file(), f"{md} has no Word version"
        relative = md.relative_to(GOLDEN / pack).as_posix().split("/", 1)[1]
        for what, text in differences(md.read_text(encoding="utf-8"), dump.read_text(encoding="utf-8")):
            out.add((_document(relative), what, text))
    return out


GOALS = "文本版把年度总体目标的预期目标、实际完成情况列成两行（表头“内容”），Word 版列成两列"
FUNDS = "Word 版的收入、支出两栏并在“年度预算申请”之下，不另设“收入（万元）”“支出（万元）”表头"
TITLE = "文本版的全部项目自评表以一行标题开头，Word 版每张表有自己的标题"
KNOWN_BY_REASON: dict[str, set[tuple[str, str, str]]] = {
    "全国": {("部门整体支出绩效自评报告", "表的列", "内容"), ("部门整体支出绩效自评报告", "表的列", "支出（万元）"),
             ("部门整体支出绩效自评报告", "表的列", "收入（万元）"),
             ("附表/项目支出绩效自评表（全部项目）", "标题", "某年度项目支出绩效自评表（全部项目）"),
             ("附表/项目支出绩效自评表（全部项目）", "表的列", "内容"), ("项目支出绩效自评报告/…", "表的列", "内容")},
    "四川": {("附表/项目支出绩效自评表（全部项目）", "标题", "某年特定目标类部门预算项目绩效目标自评表（全部项目）"),
             ("附表/项目支出绩效自评表（全部项目）", "表的列", "内容"), ("项目支出绩效自评报告/…", "表的列", "内容")},
    "安徽": {("项目支出绩效自评表/…", "表的列", "内容"),
             ("项目支出绩效自评表（全部项目）", "标题", "某年度项目支出绩效自评表（全部项目）"),
             ("项目支出绩效自评表（全部项目）", "表的列", "内容")},
    "湖南": {("部门整体支出绩效自评报告", "表的列", "内容"), ("部门整体支出绩效自评报告", "表的列", "支出（万元）"),
             ("部门整体支出绩效自评报告", "表的列", "收入（万元）"),
             ("附表/项目支出绩效自评表（全部项目）", "标题", "某年度项目支出绩效自评表（全部项目）"),
             ("附表/项目支出绩效自评表（全部项目）", "表的列", "内容")},
}
"""Differences of layout, not of content, that the two versions have on purpose (Markdown cannot merge cells);
each is one of GOALS, FUNDS, TITLE. A new difference fails the test; a difference removed must leave this list."""
KNOWN = KNOWN_BY_REASON


def _reason(difference: tuple[str, str, str]) -> str:
    _, what, text = difference
    if text == "内容":
        return GOALS
    if text in ("收入（万元）", "支出（万元）"):
        return FUNDS
    assert what == "标题", difference
    return TITLE


def test_every_known_difference_has_its_reason():
    assert {_reason(d) for ds in KNOWN.values() for d in ds} == {GOALS, FUNDS, TITLE}


@pytest.mark.parametrize("pack", PACKS)
def test_word_and_text_templates_of_a_pack_agree(pack):
    assert pack_differences(pack) == KNOWN.get(pack, set())


def test_a_sentence_or_column_only_one_version_has_is_found():
    markdown = "## 一、概况\n\n本年收入合计100万元。\n\n| 项目 | 金额 |\n| --- | --- |\n| 甲 | 1 |\n"
    dump = "¶ 一、概况\n¶ 本年收入合计100万元。\n┌ 表\n| 项目 | 金额 |\n| 甲 | 1 |\n└\n"
    assert differences(markdown, dump) == set()
    assert differences(markdown.replace("100万元", "90万元"), dump) == {
        ("文本版的句子", "本年收入合计90万元。"), ("Word 版的句子", "本年收入合计100万元。")}
    assert differences(markdown, dump.replace("| 项目 | 金额 |", "| 项目 | 数额 |")) == {("表的列", "金额")}
    assert differences(markdown.replace("一、概况", "一、基本情况"), dump) >= {("标题", "一、基本情况")}
