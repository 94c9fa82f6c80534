"""Checks follow the documents a pack declares: findings about a section or table only where the package prints it;
a pack of one table writes that table alone; a section the unit left empty is left out (or printed with the pack's
declared fallback, and then warned once), never filled with words of ours; old pack.yaml files keep working."""
from __future__ import annotations

from pathlib import Path

import pytest
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


# ---------------------------------------------------------------- nothing invented where the unit wrote nothing

SMALL = ROOT / "tests" / "fixtures" / "small.yaml"


def _package(tmp_path: Path, change, pack: str = "全国") -> tuple[str, set[tuple[str, str]], object]:
    """The department report (text) of small.yaml changed by `change`, the (code, field) of its findings and the
    evaluation; the Word version must say the same (its paragraphs are compared where the tests look)."""
    from generator.generate import generate

    data = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    change(data)
    tmp_path.mkdir(parents=True, exist_ok=True)
    source = tmp_path / "unit.yaml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    made = generate(source, tmp_path / "out", ("docx", "md"), pack=pack, force=True)
    text = (made.folder / "部门整体支出绩效自评报告.md").read_text(encoding="utf-8")
    from golden_dump import docx_dump
    word = docx_dump(made.folder / "部门整体支出绩效自评报告.docx")
    return text + "\n" + word, {(p.code, p.path) for p in made.evaluation.problems}, made


def _drop(*keys: str):
    def change(data: dict) -> None:
        for key in keys:
            section, _, name = key.partition(".")
            data[section].pop(name, None)
    return change


@pytest.mark.parametrize("field, path, heading", [
    ("存在问题", "unit.problems", "、存在问题"),
    ("改进措施", "unit.improvements", "、改进措施"),
    ("其他需要说明的情况", "unit.other_notes", "、其他需要说明的情况"),
])
def test_an_empty_section_is_left_out_and_validate_asks_for_it(tmp_path, field, path, heading):
    text, found, _ = _package(tmp_path, _drop(f"单位信息.{field}"))
    assert heading not in text and "无。\n" not in text and "无其他需要说明的情况" not in text
    assert ("section-empty", path) in found


def test_a_fallback_the_pack_declares_is_printed_and_warned_once(tmp_path):
    pack = tmp_path / "无也写"
    from generator.pack import export_pack
    export_pack("全国", pack)
    spec = pack / "pack.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace(
        "      存在问题: 必填\n", "      存在问题: {必填: 是, 空时: 无。}\n", 1), encoding="utf-8")
    text, found, made = _package(tmp_path, _drop("单位信息.存在问题"), pack=str(pack))
    assert "、存在问题\n\n无。\n" in text and "、存在问题\n¶ 无。\n" in text
    assert ("section-empty", "unit.problems") not in found
    fallback = [p for p in made.evaluation.problems if p.code == "section-fallback"]
    assert [p.path for p in fallback].count("unit.problems") == 1
    assert "单位信息“存在问题”未填写：“部门整体支出绩效自评报告”将在这里印“无。”" in str(fallback[0])


def test_no_empty_heading_over_basic_information(tmp_path):
    text, _, _ = _package(tmp_path, _drop("单位信息.职能职责", "单位信息.机构设置", "单位信息.人员情况",
                                          "单位信息.年度工作任务", "单位信息.整体绩效目标"))
    assert "部门基本情况" not in text
    assert "## 一、部门整体支出情况" in text and "¶ 一、部门整体支出情况" in text   # the chapters renumbered


def test_no_claim_of_missing_figures_when_some_are_given(tmp_path):
    def only_staff_costs(data: dict) -> None:
        data["收支情况"] = {"人员经费": {"决算数": 530}}
        data.pop("三公经费")
    text, _, _ = _package(tmp_path, only_staff_costs)
    assert "未填报收支数据" not in text
    def nothing(data: dict) -> None:          # no statement, no “三公” table and no project: nothing to tell
        data.pop("收支情况")
        data.pop("三公经费")
        data.pop("项目")
    text, _, _ = _package(tmp_path / "none", nothing)
    assert "本单位未填报收支数据。" in text


def test_no_method_sentence_about_indicators_for_a_unit_without_any(tmp_path):
    def no_indicators(data: dict) -> None:
        data.pop("部门整体绩效指标", None)
        data["单位信息"].pop("绩效自评工作开展情况")
        for project in data["项目"]:
            project.pop("绩效指标", None)
    text, _, _ = _package(tmp_path, no_indicators)
    assert "对照年初设定的绩效目标" not in text and "形成本报告。" in text
    text, _, _ = _package(tmp_path / "with", _drop("单位信息.绩效自评工作开展情况"))
    assert "对照年初设定的绩效目标，逐项核实预算执行和绩效指标完成情况，形成本报告。" in text


def test_an_attached_table_without_data_is_left_out(tmp_path):
    def no_department_table(data: dict) -> None:
        data.pop("部门整体绩效指标", None)
        data["单位信息"].pop("整体绩效目标")
        data["单位信息"].pop("整体目标完成情况")
    text, _, _ = _package(tmp_path, no_department_table)
    assert "部门整体支出绩效自评表" not in text and "总分" not in text
    assert "部门整体支出绩效评价基础数据表" in text


def test_three_public_left_blank_is_warned(tmp_path):
    text, found, _ = _package(tmp_path, lambda data: data.pop("三公经费"))
    assert "| 三公经费 | — | — | — |" in text
    assert any(code == "three-public-empty" for code, _ in found)
    _, found, _ = _package(tmp_path / "given", lambda data: None)
    assert not any(code == "three-public-empty" for code, _ in found)


def test_thrift_measures_left_blank_print_the_packs_fallback_and_warn_once(tmp_path):
    text, found, made = _package(tmp_path, _drop("单位信息.厉行节约保障措施"))
    assert "**厉行节约保障措施**：无。" in text
    assert [p.path for p in made.evaluation.problems if p.code == "section-fallback"] == ["unit.thrift_measures"]


def test_a_pack_yaml_written_before_documents_took_a_scope_still_works(tmp_path):
    """An exported pack of a maintainer, its pack.yaml as 全国's was before 范围, 条件 and 内容: the same files."""
    from generator.generate import generate
    from generator.pack import export_pack, load_pack

    folder = tmp_path / "旧"
    export_pack("全国", folder)
    old = (ROOT / "tests" / "fixtures" / "pack-yaml-before-documents.yaml").read_text(encoding="utf-8")
    (folder / "pack.yaml").write_text(old.replace("名称: 全国", "名称: 旧"), encoding="utf-8")
    pack = load_pack(str(folder))
    assert {k: (d.scope, d.check_report) for k, d in pack.documents.items()} == {
        "部门整体报告": ("单位", False), "项目报告": ("每个项目", False), "全部项目自评表": ("全部项目", False),
        "校验报告": ("单位", True)}
    assert [(a.template, a.condition) for a in pack.attachments] == [
        ("部门整体支出绩效自评表", "facts.has_department_table"), ("基础数据表", "facts.has_basic_data")]
    source = ROOT / "inputs" / "lizhou-2021-corrected.yaml"
    before = generate(source, tmp_path / "a", ("docx", "md"), pack="全国")
    after = generate(source, tmp_path / "b", ("docx", "md"), pack=str(folder))
    assert before.files == after.files


def test_a_pack_based_on_another_changes_only_the_keys_it_writes(tmp_path):
    from generator.pack import load_pack

    folder = tmp_path / "改标题"
    folder.mkdir()
    (folder / "pack.yaml").write_text(
        "名称: 改标题\n基于: 广东\n文档:\n  部门整体报告:\n    标题: 新标题\n"
        "  项目报告:\n    文件: \"项目/{{ item.number }}\"\n", encoding="utf-8")
    pack, base = load_pack(str(folder)), load_pack("广东")
    report = pack.documents["部门整体报告"]
    assert report.title == "新标题"
    assert (report.template, report.file, report.content) == (
        base.documents["部门整体报告"].template, base.documents["部门整体报告"].file, base.documents["部门整体报告"].content)
    # 广东 turns its project report off; an entry written again is produced unless it says 生成: 否 itself
    assert pack.documents["项目报告"].template == "项目支出绩效自评报告" and "项目报告" not in base.documents


# ---------------------------------------------------------------- the checks make only what the conditions name

def test_a_condition_names_the_variables_it_reads():
    from generator.pack import _condition_names

    assert _condition_names("facts.has_basic_data and unit.name and item.number > 1") == {"facts", "unit", "item"}
    assert _condition_names("{% broken") == frozenset()          # said where it is computed, with its place


@pytest.mark.parametrize("pack", ["全国", "四川", "湖南", "广东", "安徽"])
def test_what_the_checks_count_as_printed_is_the_same_from_the_names_alone(pack):
    from generator.pack import load_pack
    from generator.render.context import package_context

    chosen = load_pack(pack)
    for example in sorted((ROOT / "inputs").glob("*.yaml")):
        results = evaluate(example, pack=pack).results
        skip = results.report.unit.skip
        whole = chosen.printed(skip, package_context(results, chosen, skip))
        named = chosen.printed(skip, package_context(results, chosen, skip, chosen.condition_names))
        assert named == whole, example.name
