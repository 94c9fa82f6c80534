"""Hostile packs that would lose a document: two documents on one file, a per-project file name that does not vary
per project, a package folder that is the same for every unit. Each is refused by name before anything is written,
and a package written before stays as it was."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.generate import GenerationError, generate
from generator.pack import PackError, export_pack, load_pack
from packages import INPUTS

EXAMPLE = INPUTS / "lizhou-2021-corrected.yaml"       # 15 evaluated projects


def _pack(tmp_path: Path, edit) -> Path:
    folder = tmp_path / "pack"
    export_pack("全国", folder)
    spec = folder / "pack.yaml"
    spec.write_text(edit(spec.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _refused(tmp_path: Path, pack: Path) -> str:
    """Generate into an output folder holding a good package; the refusal's message, the folder unchanged."""
    out = tmp_path / "out"
    generate(EXAMPLE, out, ("md",))
    before = _snapshot(out)
    with pytest.raises(GenerationError) as refused:
        generate(EXAMPLE, out, ("docx", "md"), pack=str(pack))
    assert _snapshot(out) == before
    message = str(refused.value)
    assert "Traceback" not in message and not re.search(r"[A-Za-z]{4,} [a-z]{3,} [a-z]{3,}", message)
    return message


def test_two_documents_on_one_file_are_refused_by_name(tmp_path, category):
    category("template")
    pack = _pack(tmp_path, lambda t: t.replace("    文件: 校验报告\n", "    文件: 部门整体支出绩效自评报告\n"))
    message = _refused(tmp_path, pack)
    assert "“部门整体报告”" in message and "“校验报告”" in message and "部门整体支出绩效自评报告" in message


def test_two_documents_differing_only_in_letter_case_are_refused(tmp_path, category):
    category("template")
    pack = _pack(tmp_path, lambda t: t.replace("    文件: 校验报告\n", "    文件: Report\n")
                 .replace("    文件: 部门整体支出绩效自评报告\n", "    文件: report\n"))
    assert "都要写入" in _refused(tmp_path, pack)


def test_a_per_project_file_that_names_no_project_is_refused_when_the_pack_loads(tmp_path, category):
    category("template")
    pack = _pack(tmp_path, lambda t: t.replace(
        "文件: \"项目支出绩效自评报告/{{ '%02d'|format(item.number) }}-{{ item.project.name }}\"",
        "文件: 项目支出绩效自评报告/项目报告"))
    with pytest.raises(PackError, match="文档.项目报告.文件.*不随项目变化"):
        load_pack(str(pack))
    assert "不随项目变化" in _refused(tmp_path, pack)


def test_a_per_project_file_that_comes_out_the_same_for_two_projects_is_refused(tmp_path, category):
    category("template")
    pack = _pack(tmp_path, lambda t: t.replace(
        "{{ '%02d'|format(item.number) }}-{{ item.project.name }}", "{{ item.project.name[:0] }}项目报告"))
    message = _refused(tmp_path, pack)
    assert "对不同项目得出同一个文件名" in message and "项目报告" in message


def test_a_folder_without_the_unit_and_year_is_refused(tmp_path, category):
    category("template")
    pack = _pack(tmp_path, lambda t: t.replace(
        '文件夹: "{{ year }}年{{ unit.short_name or unit.name }}绩效自评"', "文件夹: 绩效自评材料"))
    message = _refused(tmp_path, pack)
    assert "“文件夹”" in message and "绩效自评材料" in message and "单位名称和评价年度" in message


ANCHOR = "    文件: 部门整体支出绩效自评报告\n"


@pytest.mark.parametrize("old, new, words", [
    (ANCHOR, ANCHOR + "    模版: 部门整体支出绩效自评报告\n", "“文档.部门整体报告.模版”不认识，是不是“模板”？"),
    ("    范围: 单位\n", "    范围: 每个单位\n", "“文档.部门整体报告.范围”只能是 单位、每个项目、全部项目 之一"),
    ("      存在问题: 必填\n", "      存在问提: 必填\n", "“文档.部门整体报告.内容.存在问提”不认识：是不是“存在问题”？"),
    (ANCHOR, ANCHOR + "    条件: facts.has_basic_data )\n", "“文档.部门整体报告.条件”"),
    (ANCHOR, ANCHOR + "    条件: facts.no_such_fact\n", "“文档.部门整体报告.条件”"),
    (ANCHOR, ANCHOR + "    条件: unit.__class__\n", "“文档.部门整体报告.条件”"),
    (ANCHOR, ANCHOR + "    条件: (range(100000000)|list|length) > 0\n", "“文档.部门整体报告.条件”"),
    (ANCHOR, ANCHOR + "    条件: facts }}{% for x in range(9) %}{{ x\n", "“文档.部门整体报告.条件”"),
    ("  - 模板: 基础数据表\n", "  - 模扳: 基础数据表\n", "“附件.2.模扳”不认识，是不是“模板”？"),
])
def test_a_wrong_document_key_is_named_in_chinese(tmp_path, category, old, new, words):
    category("template")
    pack = _pack(tmp_path, lambda t: t.replace(old, new, 1))
    with pytest.raises((PackError, GenerationError)) as refused:
        load_pack(str(pack))
        generate(EXAMPLE, tmp_path / "out", ("md",), pack=str(pack))
    message = str(refused.value)
    assert words in re.sub(r"（第\d+行）", "", message)
    if "不认识，" in words or "只能是" in words:          # pack.yaml's own mistakes are named at their line
        line = (pack / "pack.yaml").read_text(encoding="utf-8").splitlines().index(new.splitlines()[-1]) + 1
        assert f"（第{line}行）" in message
    assert not re.search(r"Extra inputs|Input should|Field required|validation error", message)
