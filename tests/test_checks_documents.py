"""Findings about a document's sections only for documents the package holds: a township publishing only its
project score tables gets no warning about a department report it never writes."""
from __future__ import annotations

from pathlib import Path

import yaml

from generator.pipeline import evaluate

ROOT = Path(__file__).resolve().parent.parent
TOWNSHIP = ROOT / "inputs" / "anhui-township.yaml"
DEPARTMENT_ONLY = {"section-empty", "no-department-indicators"}


def _codes(path: Path, pack: str | None = None) -> set[str]:
    return {p.code for p in evaluate(path, pack=pack).problems}


def test_a_pack_without_a_department_report_gives_no_department_warnings():
    assert DEPARTMENT_ONLY <= _codes(TOWNSHIP, "全国")         # the township has none of those sections
    assert not DEPARTMENT_ONLY & _codes(TOWNSHIP, "安徽")        # and 安徽 publishes no department report


def test_a_unit_that_turns_the_department_report_off_gets_no_department_warnings(tmp_path):
    data = yaml.safe_load(TOWNSHIP.read_text(encoding="utf-8"))
    data["单位信息"]["模板"] = "全国"
    data["单位信息"]["不生成"] = ["部门整体支出绩效自评报告"]
    changed = tmp_path / "township.yaml"
    changed.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    evaluation = evaluate(changed)
    codes = {p.code for p in evaluation.problems}
    assert not DEPARTMENT_ONLY & codes
    assert evaluation.pack.name == "全国"


# ---------------------------------------------------------------- a pack that is only a department score table

TABLE_ONLY = """文档:
  部门整体报告: {生成: 否}
  项目报告: {生成: 否}
  全部项目自评表: {生成: 否}
  部门整体自评表:
    模板: 部门整体支出绩效自评表
    范围: 单位
    文件: "{{ year }}年度部门整体支出绩效自评表"
    标题: "{{ unit.name }}{{ year }}年度部门整体支出绩效自评表"
    内容:
      部门整体绩效指标: 必填
      整体绩效目标: 选填
      整体目标完成情况: 选填
附件: []
"""
ZIYANG = ROOT / "inputs" / "ziyang-2022.yaml"      # department indicators, but no 存在问题, 改进措施, 其他需要说明的情况


def table_only_pack(tmp_path: Path) -> Path:
    """全国 exported with `jxzp pack export`, its pack.yaml edited as text: one document, the department table."""
    from click.testing import CliRunner

    from generator.cli import main

    folder = tmp_path / "乡镇"
    result = CliRunner().invoke(main, ["pack", "export", "全国", str(folder)])
    assert result.exit_code == 0, result.output
    spec = folder / "pack.yaml"
    text = spec.read_text(encoding="utf-8")
    start, end = text.index("文档:\n"), text.index("图表文件夹:")
    text = text[:start] + TABLE_ONLY + text[end:]
    spec.write_text(text.replace("\n名称: 全国\n", "\n名称: 乡镇\n", 1), encoding="utf-8")
    return folder


def test_a_pack_of_only_the_department_table_writes_that_table_alone(tmp_path):
    from docx import Document

    from generator.generate import generate

    made = generate(ROOT / "inputs" / "ziyang-2022-corrected.yaml", tmp_path / "out", ("docx", "md"), pack=str(table_only_pack(tmp_path)))
    published = sorted(f for f in made.files if not f.startswith("校验报告") and f != "manifest.json")
    assert published == ["2022年度部门整体支出绩效自评表.docx", "2022年度部门整体支出绩效自评表.md"]
    cells = [c.text for t in Document(str(made.folder / published[0])).tables for row in t.rows for c in row.cells]
    assert "科学合理实现各项工作数量要求" in cells and "年度资金总额" in cells
    markdown = (made.folder / published[1]).read_text(encoding="utf-8")
    assert "部门整体支出绩效自评报告" not in markdown and "存在问题" not in markdown


def test_validate_of_the_table_only_pack_says_nothing_about_what_it_does_not_print(tmp_path):
    import json

    from click.testing import CliRunner

    from generator.cli import main

    pack = str(table_only_pack(tmp_path))
    with_report = _codes(ZIYANG, "全国")
    assert "section-empty" in with_report                       # the department report has 存在问题 and others
    result = CliRunner().invoke(main, ["validate", "--json", "--pack", pack, str(ZIYANG)])
    summary = json.loads(result.output)[0]
    assert summary["模板包"] == "乡镇"
    codes = {p["代码"] for p in summary["问题"]}
    assert not codes & {"section-empty", "section-fallback", "three-public-empty", "no-department-indicators"}
    assert codes <= with_report                                  # nothing new, only what the report asked is gone


def test_the_table_only_pack_still_asks_for_the_department_indicators_it_prints(tmp_path):
    data = yaml.safe_load(ZIYANG.read_text(encoding="utf-8"))
    del data["部门整体绩效指标"]
    changed = tmp_path / "no-indicators.yaml"
    changed.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert "no-department-indicators" in _codes(changed, str(table_only_pack(tmp_path)))
