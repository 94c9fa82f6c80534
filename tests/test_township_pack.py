"""Issue 17's township, end to end and from files alone: a maintainer exports 全国, and by editing only the exported
files makes a package that is nothing but the township's 部门整体支出绩效自评表 — 预算执行 20 points scored row by
row against 年初预算数, its own first-level weights, no 分值 column, its own grade words — and the table prints the
figures the township publishes, in Word and in text; validate says nothing about what the package does not print."""
from __future__ import annotations

import copy
import json
from pathlib import Path

from click.testing import CliRunner
from docx import Document

from generator.cli import main
from test_checks_documents import TABLE_ONLY
from test_scoring_profiles import TOWNSHIP_INPUT, TOWNSHIP_PROFILE

TABLE = "部门整体支出绩效自评表"
EXECUTION_ROW_MD = ("{% for r in card.execution_rows %}\n| {{ r.label }} | {{ r.budget|money }} | — | {{ r.actual|money }} "
                    "| {{ r.weight|weight }} | {{ r.rate|percent }} | {{ r.score|score }} |\n{% endfor %}")
EXECUTION_ROW_WORD = ("{{ r.label }}", "{{ r.budget|money }}", "—", "{{ r.actual|money }}", "{{ r.weight|weight }}",
                      "{{ r.rate|percent }}", "{{ r.score|score }}")


def make_township_pack(folder: Path) -> Path:
    """What the maintainer does with a text editor and Word, nothing else."""
    result = CliRunner().invoke(main, ["pack", "export", "全国", str(folder)])
    assert result.exit_code == 0, result.output
    # pack.yaml: one document, the department table; the pack's own name.
    spec = folder / "pack.yaml"
    text = spec.read_text(encoding="utf-8")
    start, end = text.index("文档:\n"), text.index("图表文件夹:")
    spec.write_text((text[:start] + TABLE_ONLY + text[end:]).replace("\n名称: 全国\n", "\n名称: 某镇\n", 1),
                    encoding="utf-8")
    # 评分规则.yaml: the township's rules.
    (folder / "评分规则.yaml").write_text(TOWNSHIP_PROFILE, encoding="utf-8")
    # The text table: the execution row once per 预算执行分项, its budget under 年初预算数 (the township's divisor).
    md = folder / f"{TABLE}.md.j2"
    lines = md.read_text(encoding="utf-8").splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith("| 年度资金总额 |"))
    lines[at] = EXECUTION_ROW_MD
    md.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # The Word table, as in Word: the 年度资金总额 row becomes a row repeated for each 分项 ({%tr for %} … {%tr endfor %}).
    path = folder / f"{TABLE}.docx"
    document = Document(str(path))
    table = document.tables[0]
    row = next(r for r in table.rows if r.cells[1].text == "年度资金总额")
    before, after = copy.deepcopy(row._tr), copy.deepcopy(row._tr)
    row._tr.addprevious(before)
    row._tr.addnext(after)
    first_cell = lambda tr: tr.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tc")[1]
    for tr, words in ((before, "{%tr for r in department.card.execution_rows %}"), (after, "{%tr endfor %}")):
        texts = list(first_cell(tr).iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"))
        texts[0].text = words
        for extra in texts[1:]:
            extra.text = ""
    for cell, words in zip(row.cells[1:], EXECUTION_ROW_WORD):
        paragraph = cell.paragraphs[0]
        for run in paragraph.runs[1:]:
            run._r.getparent().remove(run._r)
        paragraph.runs[0].text = words
    document.save(str(path))
    return folder


def test_the_township_package_is_its_table_alone_with_its_own_figures(tmp_path):
    pack = make_township_pack(tmp_path / "某镇模板包")
    checked = CliRunner().invoke(main, ["pack", "check", str(pack)])
    assert checked.exit_code == 0, checked.output
    source = tmp_path / "某镇.yaml"
    source.write_text(TOWNSHIP_INPUT, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["generate", str(source), "--pack", str(pack), "-o", str(out)])
    assert result.exit_code == 0, result.output
    folder = next(out.iterdir())
    published = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                       if p.is_file() and not p.name.startswith("校验报告") and p.name != "manifest.json")
    assert published == [f"2023年度{TABLE}.docx", f"2023年度{TABLE}.md"]

    # Word: the cells read back as the township prints them.
    rows = [[c.text for c in r.cells] for t in Document(str(folder / published[0])).tables for r in t.rows]
    assert ["基本支出", "500.00", "—", "480.00", "10", "96.00%", "9.60"] == rows_with(rows, "基本支出")[1:]
    assert ["项目支出", "300.00", "—", "240.00", "10", "80.00%", "8.00"] == rows_with(rows, "项目支出")[1:]
    road = rows_with(rows, "道路硬化里程")
    assert road[1].startswith("产出指标（40分）") and road[-3:-1] == ["—", "20.00"]     # no 分值 printed or invented
    assert rows_with(rows, "群众满意度")[-3:-1] == ["—", "9.00"]
    total = rows_with(rows, "总分")
    assert "92.60" in total and "100" in total
    # Text: the same figures.
    text = (folder / published[1]).read_text(encoding="utf-8").splitlines()
    assert "| 基本支出 | 500.00 | — | 480.00 | 10 | 96.00% | 9.60 |" in text
    assert "| 项目支出 | 300.00 | — | 240.00 | 10 | 80.00% | 8.00 |" in text
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["模板包"], manifest["评分规则"], manifest["关键数字"]["部门整体 得分"]) == ("某镇", "某镇", "92.60")

    # validate: nothing about report sections, 三公 or anything the table does not print.
    result = CliRunner().invoke(main, ["validate", "--json", "--pack", str(pack), str(source)])
    summary = json.loads(result.output)[0]
    codes = {p["代码"] for p in summary["问题"]}
    assert not codes & {"section-empty", "section-fallback", "three-public-empty", "no-department-indicators"}, codes
    assert (summary["模板包"], summary["评分规则"]) == ("某镇", "某镇")


def rows_with(rows: list[list[str]], label: str) -> list[str]:
    """The row holding `label`, merged cells (repeated by python-docx) taken once."""
    row = next(r for r in rows if label in r)
    return [cell for n, cell in enumerate(row) if n == 0 or cell != row[n - 1] or cell in ("—",)]
