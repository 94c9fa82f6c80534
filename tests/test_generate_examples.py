"""The bundled examples: Lizhou 2021 (15 projects) and Ziyang 2022 (seed 000's 附件1 and 附件2).

Lizhou is a 四川 unit (its own pack is tested in test_packs_sichuan.py); here it is generated with the 全国 pack,
whose national score tables these tests read."""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess

import markdown
import pytest
from docx import Document

from generator.filters import percent, score
from generator.render.pdf import soffice
from packages import INPUTS, docx_text, generated, lizhou_input, table_rows

LIZHOU = lizhou_input()
ZIYANG = INPUTS / "ziyang-2022.yaml"
needs_lizhou = pytest.mark.skipif(LIZHOU is None, reason="inputs/lizhou-2021*.yaml not present")
needs_ziyang = pytest.mark.skipif(not ZIYANG.is_file(), reason="inputs/ziyang-2022.yaml not present")


@pytest.fixture(scope="module")
def lizhou():
    return generated(LIZHOU, pack="全国")


@needs_lizhou
def test_lizhou_has_one_department_report_and_fifteen_project_reports(lizhou):
    projects = [f for f in lizhou.files if f.startswith("项目支出绩效自评报告/")]
    assert len([f for f in projects if f.endswith(".docx")]) == 15
    assert len([f for f in projects if f.endswith(".md")]) == 15
    assert "部门整体支出绩效自评报告.docx" in lizhou.files and "部门整体支出绩效自评报告.md" in lizhou.files
    assert "附表/项目支出绩效自评表（全部项目）.docx" in lizhou.files
    assert len(lizhou.evaluation.results.evaluated_projects) == 15


@needs_lizhou
def test_every_lizhou_score_table_narrative_and_markdown_carry_the_computed_figures(lizhou):
    results = lizhou.evaluation.results
    folder = lizhou.folder / "项目支出绩效自评报告"
    reports = sorted(folder.glob("*.docx"))
    for pr, path in zip(results.evaluated_projects, reports):
        card = pr.card
        rate, exec_score, total = percent(card.execution_rate), score(card.execution_score), score(card.total)
        rows = table_rows(path)
        funds = next(r for r in rows if "年度资金总额" in r)
        assert funds[-2:] == [rate, exec_score], path.name
        assert next(r for r in rows if r and r[0] == "总分")[-2] == total, path.name
        body = "\n".join(p.text for p in Document(str(path)).paragraphs)
        assert f"完成预算的{rate}。" in body, path.name
        assert f"预算执行率{rate}，得分{exec_score}分" in body and f"得分为{total}分" in body, path.name
        md = path.with_suffix(".md").read_text(encoding="utf-8")
        assert f"完成预算的{rate}。" in md and f"得分为{total}分" in md, path.name
        assert f"| {rate} | {exec_score} |" in md and f"| {total} |" in md, path.name


@needs_lizhou
def test_lizhou_funds_sentence_of_the_first_project(lizhou):
    body = docx_text(lizhou.folder / "项目支出绩效自评报告" / "01-城市社区党建及城乡综合治理.docx")
    assert "项目全年预算数100万元，执行数为83.89万元，完成预算的83.89%。" in body


@needs_lizhou
def test_lizhou_all_tables_file_holds_every_project_table(lizhou):
    rows = table_rows(lizhou.folder / "附表" / "项目支出绩效自评表（全部项目）.docx")
    names = [r[1] for r in rows if r and r[0] == "项目名称"]
    assert names == [p.project.name for p in lizhou.evaluation.results.evaluated_projects]


@needs_lizhou
def test_lizhou_has_no_leftovers_and_markdown_converts(lizhou):
    for relative in lizhou.files:
        path = lizhou.folder / relative
        if path.suffix == ".docx":
            text = docx_text(path)
        elif path.suffix == ".md":
            text = path.read_text(encoding="utf-8")
            text += markdown.markdown(text, extensions=["tables"])
        else:
            continue
        for leftover in ("{{", "{%", "None"):
            assert leftover not in text, f"{relative}: {leftover}"


@needs_lizhou
def test_lizhou_generates_identically_twice(lizhou):
    again = generated(LIZHOU, run="again", pack="全国")
    assert again.files == lizhou.files
    for relative in lizhou.files:
        assert (hashlib.sha256((lizhou.folder / relative).read_bytes()).hexdigest()
                == hashlib.sha256((again.folder / relative).read_bytes()).hexdigest()), relative


@needs_lizhou
@pytest.mark.skipif(soffice() is None or shutil.which("pdftotext") is None, reason="LibreOffice/pdftotext missing")
def test_every_lizhou_docx_converts_to_a_plausible_pdf():
    done = generated(LIZHOU, ("docx", "pdf"), pack="全国")
    docs = [f for f in done.files if f.endswith(".docx")]
    assert len(docs) == 18          # department report, 15 project reports, all tables, 校验报告
    for relative in docs:
        pdf = done.folder / relative.replace(".docx", ".pdf")
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout)
        if relative.startswith("附表/"):
            assert 15 <= pages <= 80, (relative, pages)
            assert "项目支出绩效自评表（2021年度）" in text
        elif relative == "校验报告.docx":
            assert 1 <= pages <= 20, (relative, pages)
            assert "年度绩效自评材料校验报告" in text and "发现问题：错误" in text
        elif relative.startswith("项目支出绩效自评报告/"):
            assert 2 <= pages <= 20, (relative, pages)
            title = Document(str(done.folder / relative)).paragraphs[0].text.replace("\n", "")   # its lines, joined
            assert title in text, relative
        else:
            assert 8 <= pages <= 60, (relative, pages)
            assert "2021年度部门整体支出绩效自评报告" in text and "附件1" in text


@pytest.fixture(scope="module")
def ziyang():
    # The original keeps the seed's own mistakes, which the checks report as errors: generate it anyway, marked.
    return generated(ZIYANG, force=True)


@needs_ziyang
def test_ziyang_department_table_reproduces_seed_attachment_2(ziyang):
    rows = table_rows(ziyang.folder / "部门整体支出绩效自评报告.docx")
    cells = [c for r in rows for c in r]
    assert ["预算部门", "中共益阳市资阳区委组织部"] in rows
    funds = next(r for r in rows if "年度资金总额" in r)
    assert funds[-5:] == ["1485.66", "1485.66", "10", "100.00%", "10.00"]
    for text in ("按收入性质分：1485.66", "按支出性质分：1485.66", "其中：基本支出：698.68", "项目支出：786.98",
                 "产出指标（50分）", "效益指标（40分）"):
        assert text in cells, text
    total = next(r for r in rows if r and r[0] == "总分")
    assert total[-3:-1] == ["100", "100.00"]


@needs_ziyang
def test_ziyang_basic_data_table_reproduces_seed_attachment_1(ziyang):
    rows = table_rows(ziyang.folder / "部门整体支出绩效自评报告.docx")
    staff = rows[[r[0] for r in rows].index("财政供养人员情况（人）") + 1]
    assert staff[1:3] == ["39", "35"]
    by_label = {r[0]: r[1:] for r in rows if len(r) == 4}
    assert by_label["支出总额"][0] == "1199.63" and by_label["支出总额"][2] == "1485.66"
    assert by_label["基本支出"] == ["556.82", "342.77", "698.68"]
    assert by_label["其中：公用经费"] == ["87.51", "76.83", "81.25"]
    assert by_label["项目支出"] == ["642.81", "577.13", "786.98"]
    assert by_label["其中：1、老干专项"] == ["402.54", "461.85", "573.60"]
    assert by_label["2、组织事务"] == ["88.76", "71.26", "71.38"]
    assert by_label["4、民政事务"] == ["23.00", "28.00", "26.00"]
    assert by_label["政府采购金额"][0] == "87.50"
    assert "积极培育勤俭节约的机关文化" in "".join(c for r in rows for c in r)


@needs_lizhou
def test_generate_without_input_builds_the_bundled_lizhou_example(tmp_path):
    from click.testing import CliRunner

    from generator.cli import main

    result = CliRunner().invoke(main, ["generate", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    folders = [p for p in tmp_path.iterdir()]
    assert len(folders) == 1 and folders[0].name.startswith("2021年") and folders[0].name.endswith("绩效自评")
    assert len(list((folders[0] / "项目支出绩效自评报告").glob("*.docx"))) == 15
