"""The print as a reader holds it: the bundled packs' tables and reports converted to PDF by LibreOffice (one call for
all of them) and read back with poppler — page counts, what shares a page with 总分, where titles break, texts once."""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document

from generator.filters import cn_date
from generator.render.pdf import convert, soffice
from generator.titles import TITLE_WIDTH, WORDS
from packages import INPUTS, generated, table_rows, work_dir

pytestmark = pytest.mark.skipif(soffice() is None or shutil.which("pdftotext") is None,
                                reason="LibreOffice or poppler (pdftotext) missing")

LIZHOU = INPUTS / "lizhou-2021-corrected.yaml"
ZIYANG = INPUTS / "ziyang-2022-corrected.yaml"
ANHUI = INPUTS / "anhui-township.yaml"
ALL_TABLES = "项目支出绩效自评表（全部项目）"
DEPARTMENT = "部门整体支出绩效自评报告.docx"

# pack → (input, documents to print: the all-projects table, the department report, one project report or table)
PRINTS = {
    "全国": (LIZHOU, [f"附表/{ALL_TABLES}.docx", DEPARTMENT, "项目支出绩效自评报告/01-城市社区党建及城乡综合治理.docx",
                     "校验报告.docx"]),
    "四川": (LIZHOU, [f"附表/{ALL_TABLES}.docx", DEPARTMENT, "项目支出绩效自评报告/01-城市社区党建及城乡综合治理.docx"]),
    "湖南": (ZIYANG, [DEPARTMENT]),
    "广东": (LIZHOU, [DEPARTMENT]),
    "安徽": (ANHUI, [f"{ALL_TABLES}.docx", "项目支出绩效自评表/01-农村人居环境整治村庄保洁经费.docx"]),
}
PAGE_BOUND = {("全国", ALL_TABLES): 22, ("四川", ALL_TABLES): 15, ("安徽", ALL_TABLES): 3,
              ("安徽", "01-农村人居环境整治村庄保洁经费"): 1}
"""Most pages: Lizhou's 15 tables in at most 22 pages (issue 19); a 四川 or 安徽 table on one page each."""


class Printed:
    """One document of a generated package and its PDF pages as text."""

    def __init__(self, pack: str, name: str, docx: Path, pdf: Path, unit_name: str, report_date) -> None:
        self.pack, self.name, self.docx, self.pdf = pack, name, docx, pdf
        self.unit_name, self.report_date = unit_name, report_date
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        self.pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        raw = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        self.page_texts = raw.split("\f")[:self.pages]

    def __repr__(self) -> str:
        return f"{self.pack}/{self.name}"

    @property
    def words(self) -> str:
        """The whole text as its letters and digits only: no white space, page numbers or punctuation (a paragraph
        may cross a page, and pdftotext drops some punctuation LibreOffice hangs in the margin)."""
        return letters(re.sub(r"—\s*\d+\s*—", "", "".join(self.page_texts)))


def letters(text: str) -> str:
    return "".join(re.findall(r"\w", text))


@pytest.fixture(scope="module")
def printed() -> list[Printed]:
    made: list[tuple[str, str, Path, object]] = []
    for pack, (source, names) in PRINTS.items():
        package = generated(source, ("docx",), run="print", pack=pack)
        for name in names:
            assert name in package.files, (pack, name, package.files)
            made.append((pack, name, package.folder / name, package.evaluation.results.report.unit))
    # Copies in a folder of this test, so the PDFs land next to them and not in the shared packages.
    copies = []
    for index, (pack, _, path, _) in enumerate(made):
        copy = work_dir("print") / f"{index:02d}-{pack}-{path.name}"
        shutil.copyfile(path, copy)
        copies.append(copy)
    pdfs = convert(copies)
    return [Printed(pack, name, copy, pdfs[copy], unit.name, unit.report_date)
            for (pack, name, _, unit), copy in zip(made, copies)]


def of(printed: list[Printed], pack: str, stem: str) -> Printed:
    return next(p for p in printed if p.pack == pack and Path(p.name).stem == stem)


@pytest.mark.parametrize(("pack", "stem"), sorted(PAGE_BOUND))
def test_score_tables_take_at_most_their_pages(printed, pack, stem):
    document = of(printed, pack, stem)
    assert document.pages <= PAGE_BOUND[pack, stem], document


def test_no_page_holds_only_the_total_row_and_the_sign_off(printed):
    """The page holding 总分 also holds the table's last indicator row (it keeps with 总分, 总分 with the sign-off)."""
    checked = 0
    for document in printed:
        rows = table_rows(document.docx)
        last_names = [rows[i - 1][3] for i, row in enumerate(rows) if row and row[0] == "总分"]
        total_pages = [text for text in document.page_texts if "总分" in text]
        assert len(total_pages) == len(last_names), document
        for page, name in zip(total_pages, last_names):
            start = re.sub(r"\s+", "", name)[:4]      # the first line of the name's cell
            assert start and start in re.sub(r"\s+", "", page), (document, name)
            checked += 1
    assert checked == 15 + 1 + 3 + 1 + 3     # 全国: 15 tables, one report's; 安徽: 3 and 1; 全国/湖南/广东 departments


def title_lines(document: Printed) -> tuple[str, list[str]]:
    """The title as Word holds it (its 公文标题 paragraphs) and its lines as printed on page 1."""
    paragraphs = Document(str(document.docx)).paragraphs
    parts = []
    for paragraph in paragraphs:
        if paragraph.style.name == "公文标题":
            parts.append(paragraph.text)
        elif parts:
            break
    title = re.sub(r"\s+", "", "".join(parts))
    lines = [re.sub(r"\s+", "", line) for line in document.page_texts[0].splitlines()]
    lines = [line for line in lines if line]
    start = next(i for i, line in enumerate(lines) if line and title.startswith(line))
    taken, text = [], ""
    for line in lines[start:]:
        if text == title:
            break
        taken.append(line)
        text += line
    assert text == title, (document, title, taken)
    return title, taken


def test_titles_break_between_words(printed):
    reports = [p for p in printed if "报告" in p.name]
    assert len(reports) == 7
    broken = 0
    for document in reports:
        title, lines = title_lines(document)
        names = [n for n in (document.unit_name, "城市社区党建及城乡综合治理") if len(n) <= TITLE_WIDTH]
        protected = [(m.start(), m.end()) for word in (*WORDS, *names) for m in re.finditer(re.escape(word), title)]
        at = 0
        for line in lines[:-1]:
            at += len(line)
            inside = [title[a:b] for a, b in protected if a < at < b]
            assert not inside, (document, lines, inside)
            broken += 1
    assert broken >= 4       # the 校验报告 and the project reports' titles are longer than a line


def test_each_department_report_prints_each_text_once_and_ends_signed(printed):
    departments = [p for p in printed if p.name == DEPARTMENT]
    assert len(departments) == 4
    for document in departments:
        paragraphs = Document(str(document.docx)).paragraphs
        printed_words = document.words
        for paragraph in paragraphs:
            text = letters(paragraph.text)
            if len(text) >= 20 and not text.startswith(("填表人", "填报日期")):   # every attached table is signed
                assert printed_words.count(text) == 1, (document, text[:40], printed_words.count(text))
        signed = [i for i, p in enumerate(paragraphs) if p.style.name == "落款"]
        expected = [document.unit_name] + ([cn_date(document.report_date)] if document.report_date else [])
        assert [paragraphs[i].text.strip() for i in signed] == expected, document
        # printed right after the report's last paragraph, and followed only by the end or the tables (附件N)
        last = letters(next(p.text for p in reversed(paragraphs[:signed[0]]) if letters(p.text)))
        rest = printed_words[printed_words.index(last) + len(last):]
        assert rest.startswith(letters("".join(expected))), (document, rest[:30])
        after = rest[len(letters("".join(expected))):]
        assert after == "" or re.match(r"附件\d", after), (document, after[:30])


def test_every_row_is_kept_whole_and_indicator_heads_repeat_after_the_merge_pass(printed):
    """In the Word files themselves: w:cantSplit on every row, w:tblHeader on each indicator table's head row."""
    heads = 0
    for document in (p for p in printed if p.name != "校验报告.docx"):      # the 校验报告 has no table
        xml = zipfile.ZipFile(document.docx).read("word/document.xml").decode("utf-8")
        rows = re.findall(r"<w:tr[ >].*?</w:tr>", xml, flags=re.S)
        assert rows and all("<w:cantSplit/>" in row for row in rows), document
        for row in rows:
            if "一级指标" in row and "三级指标" in row or "序号" in row and "项目名称" in row:
                assert "<w:tblHeader/>" in row, document
                heads += 1
    assert heads >= 15 + 15 + 3


def test_the_basic_data_table_repeats_its_money_head_and_keeps_each_head_with_its_rows(tmp_path):
    """A unit with many projects: the money part of the 基础数据表 runs over a page and the next page starts with its
    head row; the 楼堂馆所 head is never left at a page's foot without its row."""
    import yaml

    from generator.generate import generate

    data = yaml.safe_load(ZIYANG.read_text(encoding="utf-8"))
    data["项目"] += [{"项目名称": f"补充项目{n:02d}", "是否开展自评": "否",
                    "资金": {"全年执行数": {"当年财政拨款": 1}}} for n in range(1, 41)]
    source = tmp_path / "many.yaml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    made = generate(source, tmp_path / "out", ("docx",), force=True)
    copy = tmp_path / "report.docx"
    shutil.copyfile(made.folder / DEPARTMENT, copy)
    document = Printed("湖南", DEPARTMENT, copy, convert([copy])[copy], "", None)
    start = next(n for n, text in enumerate(document.page_texts) if "年度部门整体支出绩效评价基础数据表" in text)
    pages = [n for n, text in enumerate(document.page_texts) if n >= start and "补充项目" in text]
    assert len(pages) >= 2
    for n in pages[1:]:
        first_cell = next(line for line in document.page_texts[n].splitlines() if line.strip())
        assert first_cell.startswith("经费控制情况"), (n, document.page_texts[n][:80])
    buildings = [n for n, text in enumerate(document.page_texts) if "楼堂馆所控制情况" in text]
    assert len(buildings) == 1 and "厉行节约保障措施" in document.page_texts[buildings[0]]
