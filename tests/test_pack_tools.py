"""A maintainer's pack reaches preparers: jxzp pack check lists every problem at once, pack install puts it where
the workbook's 模板, generate and the web chooser find it, pack remove takes it away."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from generator.cli import main
from generator.examples import INPUTS
from generator.pack import SERVED_ENV, available_packs, bundled_packs, installed_dir

LIZHOU = INPUTS / "lizhou-2021-corrected.yaml"


@pytest.fixture(autouse=True)
def own_data_home(tmp_path, monkeypatch):
    """Installed packs go to this test's own per-user data folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv(SERVED_ENV, raising=False)


def export(tmp_path: Path, name: str = "全国") -> Path:
    folder = tmp_path / "我的模板包"
    result = CliRunner().invoke(main, ["pack", "export", name, str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} 中没有 {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


@pytest.mark.parametrize("name", bundled_packs())
def test_a_freshly_exported_pack_checks_clean(name, tmp_path):
    folder = export(tmp_path, name)
    result = CliRunner().invoke(main, ["pack", "check", str(folder)])
    assert result.exit_code == 0, result.output
    assert "检查通过" in result.output


def test_check_names_a_misspelled_key_a_macro_syntax_error_and_an_unknown_variable_at_once(tmp_path):
    folder = export(tmp_path)
    edit(folder / "pack.yaml", "\n说明:", "\n说名:")
    edit(folder / "句子.j2", "{%- macro 未通过校验() -%}", "{%- macro 未通过校验( -%}")
    edit(folder / "部门整体支出绩效自评报告.md.j2", "{{ unit.name|text }}{#样式:落款#}", "{{ unit.nmae|text }}{#样式:落款#}")
    result = CliRunner().invoke(main, ["pack", "check", str(folder)])
    assert result.exit_code == 1
    output = result.output
    assert "说名" in output and "pack.yaml" in output
    assert f"句子.j2:{line_of(folder / '句子.j2', 'macro 未通过校验(')}：语法错误" in output
    report = folder / "部门整体支出绩效自评报告.md.j2"
    assert f"部门整体支出绩效自评报告.md.j2:{line_of(report, 'unit.nmae')}" in output and "“nmae”" in output
    assert "Traceback" not in output and "Extra inputs" not in output      # Chinese only
    # one line per problem, not one per example it was rendered with
    assert output.count("nmae") == 1


def test_a_broken_pack_yaml_is_named_at_its_lines_and_blames_nothing_else(tmp_path):
    """pack.yaml that cannot be loaded: each mistake at its key and line; the templates, which then cannot be
    rendered, are still read for names no template is given, but not blamed for what they set themselves."""
    folder = export(tmp_path)
    spec = folder / "pack.yaml"
    edit(spec, "    范围: 全部项目", "    范围: 所有项目")
    edit(spec, "  - 模板: 基础数据表\n", "  - 模版: 基础数据表\n")
    edit(folder / "部门整体支出绩效自评报告.md.j2", "{{ unit.name|text }}{#样式:落款#}", "{{ unti.name|text }}{#样式:落款#}")
    result = CliRunner().invoke(main, ["pack", "check", str(folder)])
    assert result.exit_code == 1
    output = result.output
    assert f"“文档.全部项目自评表.范围”（第{line_of(spec, '范围: 所有项目')}行）只能是" in output
    assert f"“附件.2.模版”（第{line_of(spec, '模版: 基础数据表')}行）不认识，是不是“模板”？" in output
    report = folder / "部门整体支出绩效自评报告.md.j2"
    assert f"部门整体支出绩效自评报告.md.j2:{line_of(report, 'unti.name')}：使用了未定义的变量“unti”" in output
    assert "有 2 个问题" in output                 # not fallback, not a {% set %} of one branch used in another


def test_every_name_a_generation_gives_a_template_is_one_pack_check_knows(tmp_path, monkeypatch):
    from generator.generate import generate
    from generator.packcheck import known_names
    from generator.render import environment, docx_fast
    from generator.render.environment import make_environment

    given: set[str] = set()
    real = environment.render_checked

    def spy(template, context, name):
        given.update(context)
        return real(template, context, name)

    monkeypatch.setattr(environment, "render_checked", spy)
    monkeypatch.setattr(docx_fast, "render_checked", spy)
    from generator.render import documents
    monkeypatch.setattr(documents, "render_checked", spy)
    generate(LIZHOU, tmp_path / "out", force=True)
    assert {"unit", "item", "fallback", "document_title", "groups"} <= given       # the spy saw every kind of document
    assert given - known_names(make_environment((), "md")) == set()


def test_check_names_the_paragraph_of_a_word_template_error(tmp_path):
    folder = export(tmp_path)
    path = folder / "项目支出绩效自评报告.docx"
    document = Document(str(path))
    paragraph = next(p for p in document.paragraphs if "{{" in p.text)
    paragraph.runs[-1].text += "尚未完成{% if %}"
    document.save(str(path))
    result = CliRunner().invoke(main, ["pack", "check", str(folder)])
    assert result.exit_code == 1
    assert "项目支出绩效自评报告.docx 段落“" in result.output and "尚未完成" in result.output


def test_generate_reports_every_template_error_of_a_package(tmp_path):
    folder = export(tmp_path)
    edit(folder / "部门整体支出绩效自评报告.md.j2", "{{ unit.name|text }}{#样式:落款#}", "{{ unit.nmae|text }}{#样式:落款#}")
    table = folder / "项目支出绩效自评表.md.j2"
    table.write_text(table.read_text(encoding="utf-8") + "\n{{ 不存在的变量 }}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", str(LIZHOU), "--pack", str(folder), "-o", str(tmp_path / "out"),
                                       "--format", "md"])
    assert result.exit_code != 0
    assert "nmae" in result.output and "不存在的变量" in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.md"))


def test_install_then_a_workbook_names_it_then_remove(tmp_path):
    folder = export(tmp_path, "湖南")
    edit(folder / "pack.yaml", "\n说明:", "\n说明: 某市的格式。")
    runner = CliRunner()
    result = runner.invoke(main, ["pack", "install", str(folder), "--name", "某市"])
    assert result.exit_code == 0, result.output
    assert (installed_dir() / "某市" / "pack.yaml").is_file()
    assert str(tmp_path / "data") in str(installed_dir())          # XDG_DATA_HOME is honoured
    listed = runner.invoke(main, ["packs"]).output
    assert "某市\t已安装" in listed and "全国\t内置" in listed

    # the preparer's workbook names the installed pack in 模板, and its dropdown offers it
    workbook = tmp_path / "填报表.xlsx"
    assert runner.invoke(main, ["init", "--example", str(workbook)]).exit_code == 0
    book = openpyxl.load_workbook(workbook)
    sheet = book["单位信息"]
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value in ("模板", "模板*"))
    sheet.cell(row, 2).value = "某市"
    offered = [dv.formula1 for dv in sheet.data_validations.dataValidation]
    assert any("某市" in (f or "") for f in offered), offered           # the 模板 dropdown offers it
    book.save(workbook)
    out = tmp_path / "out"
    result = runner.invoke(main, ["generate", str(workbook), "-o", str(out)])
    assert result.exit_code == 0, result.output
    manifest = next(out.rglob("manifest.json")).read_text(encoding="utf-8")
    assert '"模板包": "某市"' in manifest

    result = runner.invoke(main, ["pack", "remove", "某市"])
    assert result.exit_code == 0 and not (installed_dir() / "某市").exists()
    result = runner.invoke(main, ["validate", str(workbook)])
    assert "没有名为“某市”的模板包" in result.output and "全国" in result.output


def test_install_refuses_a_pack_that_does_not_check_and_a_bundled_name(tmp_path):
    folder = export(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["pack", "install", str(folder), "--name", "湖南"])
    assert result.exit_code == 2 and "内置模板包" in result.output
    edit(folder / "句子.j2", "{%- macro 未通过校验() -%}", "{%- macro 未通过校验( -%}")
    result = runner.invoke(main, ["pack", "install", str(folder), "--name", "坏的"])
    assert result.exit_code == 1 and "未安装" in result.output
    assert "坏的" not in available_packs()
    assert runner.invoke(main, ["pack", "remove", "全国"]).exit_code == 2


def test_a_bureaus_served_folder_is_offered(tmp_path, monkeypatch):
    served = tmp_path / "财政局模板包"
    served.mkdir()
    shutil.copytree(export(tmp_path, "广东"), served / "本市")
    edit(served / "本市" / "pack.yaml", "\n名称: 广东\n", "\n名称: 本市\n")
    assert "本市" not in available_packs()
    monkeypatch.setenv(SERVED_ENV, str(served))
    assert available_packs()["本市"][0] == "服务器提供"
    result = CliRunner().invoke(main, ["validate", "--json", str(LIZHOU), "--pack", "本市"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["模板包"] == "本市"


def test_check_and_install_of_a_pack_holding_a_pipe_answer_at_once(tmp_path):
    """A pack travels from a bureau: a FIFO among its templates would block whoever opens it."""
    folder = export(tmp_path)
    os.mkfifo(folder / "坏.md.j2")
    runner = CliRunner()
    for command in (["pack", "check", str(folder)], ["pack", "install", str(folder), "--name", "有管道"]):
        result = runner.invoke(main, command)
        assert result.exit_code == 1 and "“坏.md.j2”是管道" in result.output, result.output
    assert "有管道" not in available_packs()


def _header(path: Path, text: str) -> None:
    """What a maintainer types into the Word template's header (python-docx, as in Word)."""
    document = Document(str(path))
    header = document.sections[0].header
    header.is_linked_to_previous = False
    header.paragraphs[0].text = text
    document.save(str(path))


def test_a_header_may_print_the_units_name_and_the_documents_title(tmp_path):
    folder = export(tmp_path)
    _header(folder / "项目支出绩效自评报告.docx", "{{ unit.name }}｜{{ document_title }}")
    result = CliRunner().invoke(main, ["pack", "check", str(folder)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["generate", str(LIZHOU), "--pack", str(folder), "-o", str(tmp_path / "out"),
                                       "--format", "docx"])
    assert result.exit_code == 0, result.output
    reports = sorted((tmp_path / "out").rglob("项目支出绩效自评报告/*.docx"))
    assert len(reports) == 15
    for report in reports[:3]:
        header = Document(str(report)).sections[0].header.paragraphs[0].text
        unit, title = header.split("｜")
        assert unit == "中共广元市利州区委组织部" and title.startswith("2021年度") and title.endswith("自评报告")
        assert report.stem.split("-", 1)[1] in title          # each document its own title


@pytest.mark.parametrize(("text", "said"), [("{{ unit.__class__ }}", "被拒绝"), ("{{ figure('收入结构') }}", "figure"),
                                            ("{{ unit.name", "语法")])
def test_a_header_is_a_template_like_any_other(tmp_path, text, said):
    folder = export(tmp_path)
    _header(folder / "项目支出绩效自评报告.docx", text)
    result = CliRunner().invoke(main, ["generate", str(LIZHOU), "--pack", str(folder), "-o", str(tmp_path / "out"),
                                       "--format", "docx"])
    assert result.exit_code != 0
    assert "项目支出绩效自评报告.docx（页眉）" in result.output and said in result.output, result.output
    assert "Traceback" not in result.output
