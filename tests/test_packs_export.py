"""A maintainer makes a new pack only by editing the files `jxzp pack export` wrote — Word templates in Word (here
python-docx), Markdown templates, 句子.j2 and pack.yaml as text — and the package changes exactly so, nothing else."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from generator.generate import generate
from generator.pack import export_pack
from golden_dump import package_dump
from packages import INPUTS, work_dir

EXAMPLE = INPUTS / "lizhou-2021-corrected.yaml"     # department report with both attachments, 15 project reports
REPORT = "部门整体支出绩效自评报告"
RENAMED = ("七、其他需要说明的情况", "七、其他说明事项")
FIVE, SIX = "五、存在问题", "六、改进措施"
DROPPED_COLUMN = "偏差原因分析及改进措施"
OLD_FUNDS = "项目全年预算数{{ card.budget|amount }}万元，执行数为{{ card.actual|amount }}万元，完成预算的{{ card.execution_rate|percent }}。"
NEW_FUNDS = "本项目全年预算{{ card.budget|amount }}万元，实际支出{{ card.actual|amount }}万元，预算执行率为{{ card.execution_rate|percent }}。"
OLD_SENTENCE = re.compile(r"项目全年预算数([\d.]+)万元，执行数为([\d.]+)万元，完成预算的([\d.]+%)。")
NEW_SENTENCE = r"本项目全年预算\1万元，实际支出\2万元，预算执行率为\3。"


# ---------------------------------------------------------------- the maintainer's edits

def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"the exported template should hold “{old}” once"
    return text.replace(old, new)


def _set_text(paragraph, text: str) -> None:
    """Retype a paragraph in Word: the first run keeps its formatting and gets the text, the others go."""
    runs = paragraph.runs
    runs[0].text = text
    for run in runs[1:]:
        run._r.getparent().remove(run._r)


CHAPTER = "{{ 章.next()|cn_number }}、"        # the template numbers the chapters it prints


def edit_report_docx(path: Path) -> None:
    """Rename chapter 七 and move chapter 六 (改进措施) before chapter 五 (存在问题), each with the condition
    paragraph above its heading; the template numbers them anew."""
    doc = Document(str(path))
    paragraphs = doc.paragraphs
    texts = [p.text for p in paragraphs]
    five, six, seven = (texts.index(CHAPTER + title) for title in ("存在问题", "改进措施", "其他需要说明的情况"))
    _set_text(paragraphs[seven], CHAPTER + "其他说明事项")
    anchor = paragraphs[five - 1]._p
    for paragraph in paragraphs[six - 1:seven - 1]:
        anchor.addprevious(paragraph._p)       # addprevious moves the element
    doc.save(str(path))


def edit_report_md(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    text = _replace_once(text, f"## {CHAPTER}其他需要说明的情况", f"## {CHAPTER}其他说明事项")
    starts = [text.rindex("\n{% if", 0, text.index(f"## {CHAPTER}{title}")) + 1
              for title in ("存在问题", "改进措施", "其他说明事项")]
    five_block, six_block = text[starts[0]:starts[1]], text[starts[1]:starts[2]]
    path.write_text(text[:starts[0]] + six_block + five_block + text[starts[2]:], encoding="utf-8")


def drop_last_column_docx(path: Path, header: str) -> None:
    """Remove the table's last column in Word: the cell of each row that lies in it, a row-wide cell (a {%tr %} row)
    one column narrower, and the grid column itself."""
    doc = Document(str(path))
    table = next(t for t in doc.tables if header in t._tbl.tr_lst[0].tc_lst[-1].xpath("string(.)"))
    tbl = table._tbl
    last = tbl.tblGrid.gridCol_lst[-1]
    width = int(last.get(qn("w:w")))
    for tr in tbl.tr_lst:
        cells = tr.tc_lst
        span = cells[-1].find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
        if span is not None and int(span.get(qn("w:val"))) > 1:
            # a cell spanning into the last column (a {%tr %} row, the 自评等级 row) is one column narrower
            span.set(qn("w:val"), str(int(span.get(qn("w:val"))) - 1))
            cell_width = cells[-1].find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
            cell_width.set(qn("w:w"), str(int(cell_width.get(qn("w:w"))) - width))
            continue
        tr.remove(cells[-1])
    last.getparent().remove(last)
    table_width = tbl.tblPr.find(qn("w:tblW"))
    table_width.set(qn("w:w"), str(int(table_width.get(qn("w:w"))) - width))
    doc.save(str(path))


def drop_last_column_md(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    text = _replace_once(text, f" | {DROPPED_COLUMN} |", " |")
    text = _replace_once(text, "| ---: | ---: | :--- |\n{% for row in item.rows %}", "| ---: | ---: |\n{% for row in item.rows %}")
    text = _replace_once(text, " | {{ row.deviation|cell }} |", " |")
    text = _replace_once(text, " | {{ card.total|score }} |  |", " | {{ card.total|score }} |")
    path.write_text(text, encoding="utf-8")


def make_edited_pack(folder: Path) -> None:
    export_pack("全国", folder)
    edit_report_docx(folder / f"{REPORT}.docx")
    edit_report_md(folder / f"{REPORT}.md.j2")
    sentences = folder / "句子.j2"
    sentences.write_text(_replace_once(sentences.read_text(encoding="utf-8"), OLD_FUNDS, NEW_FUNDS), encoding="utf-8")
    drop_last_column_docx(folder / "项目支出绩效自评表.docx", DROPPED_COLUMN)
    drop_last_column_md(folder / "项目支出绩效自评表.md.j2")
    spec = folder / "pack.yaml"
    attachment = re.search(r"  - 模板: 基础数据表\n(?:    .*\n)*", spec.read_text(encoding="utf-8")).group(0)
    spec.write_text(_replace_once(spec.read_text(encoding="utf-8"), attachment, ""), encoding="utf-8")


# ---------------------------------------------------------------- what the reader should see change

_PIPE = re.compile(r"(?<!\\)\|")


def _without_last_cell(line: str) -> str:
    cells = _PIPE.split(line)              # "", cell 1, …, cell n, ""
    return "|".join(cells[:-2] + [""])


def expected_project_md(text: str) -> str:
    lines = text.split("\n")
    inside = False
    for i, line in enumerate(lines):
        if line.startswith("| 一级指标 |"):
            inside = True
        if inside:
            lines[i] = _without_last_cell(line)
        if line.startswith("| 总分 |"):
            inside = False
    return OLD_SENTENCE.sub(NEW_SENTENCE, "\n".join(lines))


def expected_project_docx(text: str) -> str:
    lines = text.split("\n")
    inside = False
    for i, line in enumerate(lines):
        if line.startswith("| 绩效指标 |"):
            inside = True
        elif line == "└":
            inside = False
        if inside and not line.startswith("| 自评等级 |"):     # its grade cell spans the last column: narrower, kept
            lines[i] = _without_last_cell(line)
    return OLD_SENTENCE.sub(NEW_SENTENCE, "\n".join(lines))


def _swap_chapters(lines: list[str], five: str, six: str, seven: str) -> list[str]:
    a, b, c = lines.index(five), lines.index(six), lines.index(seven)
    six_block = [six.replace(SIX, "五、改进措施")] + lines[b + 1:c]
    five_block = [five.replace(FIVE, "六、存在问题")] + lines[a + 1:b]
    return lines[:a] + six_block + five_block + [seven.replace(*RENAMED)] + lines[c + 1:]


def expected_report_md(text: str) -> str:
    lines = _swap_chapters(text.split("\n"), f"## {FIVE}", f"## {SIX}", f"## {RENAMED[0]}")
    head = "\n".join(lines[:lines.index("## 附件2")]).rstrip()
    assert head.endswith("---")
    return head.removesuffix("---").rstrip() + "\n"       # the page break ("---") before it goes too


def expected_report_docx(text: str) -> str:
    lines = _swap_chapters(text.split("\n"), f"¶ {FIVE}", f"¶ {SIX}", f"¶ {RENAMED[0]}")
    return "\n".join(lines[:lines.index("¶ 附件2")]) + "\n"


# ---------------------------------------------------------------- the test

@pytest.fixture(scope="module")
def packages() -> tuple[dict[str, str], dict[str, str]]:
    root = work_dir("packs-export")
    pack = root / "我的模板"
    make_edited_pack(pack)
    before = generate(EXAMPLE, root / "全国", ("docx", "md"), pack="全国")
    after = generate(EXAMPLE, root / "改过的", ("docx", "md"), pack=str(pack))
    assert not before.evaluation.errors and not after.evaluation.errors
    dumps = package_dump(before.folder), package_dump(after.folder)
    for dump in dumps:
        for name in ("校验报告.md", "校验报告.docx.txt"):     # names the pack; findings have their own tests
            dump.pop(name, None)
    return dumps


def test_the_edited_pack_produces_the_same_documents(packages):
    before, after = packages
    assert sorted(after) == sorted(before)


def test_department_report_has_the_renamed_and_moved_chapters_and_no_second_attachment(packages):
    before, after = packages
    assert after[f"{REPORT}.md"] == expected_report_md(before[f"{REPORT}.md"])
    assert after[f"{REPORT}.docx.txt"] == expected_report_docx(before[f"{REPORT}.docx.txt"])
    for text in (after[f"{REPORT}.md"], after[f"{REPORT}.docx.txt"]):
        assert text.index("五、改进措施") < text.index("六、存在问题") < text.index(RENAMED[1])
        assert RENAMED[0] not in text and "附件2" not in text and "基础数据表" not in text
        assert "附件1" in text


def test_project_documents_have_the_new_funds_sentence_and_no_deviation_column(packages):
    before, after = packages
    project_files = [name for name in before if name.startswith(("项目支出绩效自评报告/", "附表/"))]
    assert "附表/项目支出绩效自评表（全部项目）.md" in project_files and len(project_files) > 2
    for name in project_files:
        expected = expected_project_md(before[name]) if name.endswith(".md") else expected_project_docx(before[name])
        assert after[name] == expected, name
        assert DROPPED_COLUMN not in after[name]
    reports = [name for name in project_files if name.startswith("项目支出绩效自评报告/")]
    assert all("实际支出" in after[name] and "完成预算的" not in after[name] for name in reports)


def test_nothing_else_changes(packages):
    before, after = packages
    touched = {f"{REPORT}.md", f"{REPORT}.docx.txt"} | {n for n in before if n.startswith(("项目支出绩效自评报告/", "附表/"))}
    assert {n: after[n] for n in after if n not in touched} == {n: before[n] for n in before if n not in touched}


def test_a_report_template_made_from_scratch_gets_the_table_styles_it_lacks(tmp_path):
    """A maintainer's own report .docx (here: a blank Word document) knows nothing of the bundled tables' cell
    styles; the placed table brings them along, so its cells keep their look instead of falling back to 正文."""
    folder = tmp_path / "自制"
    export_pack("全国", folder)
    blank = Document()
    blank.add_paragraph("{{ item.project.name }}")
    blank.add_paragraph('{{p table("项目支出绩效自评表") }}')
    blank.save(str(folder / "项目支出绩效自评报告.docx"))
    out = tmp_path / "out"
    result = generate(EXAMPLE, out, formats=("docx",), pack=str(folder))
    assert not result.evaluation.errors
    path = result.folder / next(f for f in result.files if f.startswith("项目支出绩效自评报告/01-"))
    document = Document(str(path))
    names = {style.name for style in document.styles}
    assert {"自评表文字", "自评表表头"} <= names            # a score table's cells: 小五 (表格文字 is 五号)
    cell_styles = {p.style.name for table in document.tables for row in table.rows for cell in row.cells
                   for p in cell.paragraphs}
    assert cell_styles <= {"自评表文字", "自评表表头"} and cell_styles
    table_text = document.styles["自评表文字"]
    assert table_text.font.size.pt == 9 and table_text.base_style is not None
