"""Batch generation and regeneration: broken inputs skipped, parallel = single, atomic, only changes rewritten."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from generator.batch import collect_inputs
from generator.cli import main
from generator.generate import GenerationError, generate

from packages import INPUTS, lizhou_input

LIZHOU = lizhou_input()
ZIYANG = INPUTS / "ziyang-2022-corrected.yaml"
SHIFENG = INPUTS / "shifeng-2023-corrected.yaml"


def tree(folder: Path) -> dict[str, str]:
    """Relative path → sha256 of every file below `folder`."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def stats(folder: Path) -> dict[str, tuple[int, int]]:
    """Relative path → (inode, mtime_ns): a rewritten file gets a new inode or mtime."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def one_indicator_changed(folder: Path) -> Path:
    """Lizhou with one indicator's actual value lowered (培训基层治理骨干 200人 → 180人): its score moves."""
    changed = folder / "changed.yaml"
    changed.write_text(LIZHOU.read_text(encoding="utf-8").replace("实际完成值: 200人", "实际完成值: 180人", 1),
                       encoding="utf-8")
    return changed


@pytest.fixture()
def batch_dir(tmp_path) -> Path:
    folder = tmp_path / "各单位"
    folder.mkdir()
    for source in (LIZHOU, ZIYANG, SHIFENG):
        shutil.copy(source, folder / source.name)
    (folder / "坏文件.yaml").write_text("单位信息:\n  单位名称: 某单位\n  评价年度: [\n", encoding="utf-8")
    (folder / "~$临时.xlsx").write_bytes(b"lock file of an open workbook")
    return folder


def test_a_broken_input_is_reported_and_the_others_are_generated(batch_dir, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["generate", str(batch_dir), "-o", str(out), "-j", "2"])
    assert result.exit_code == 1
    assert "坏文件.yaml" in result.output and "YAML 格式错误" in result.output
    assert "Traceback" not in result.output
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert folders == ["2021年利州区委组织部绩效自评", "2022年资阳区委组织部绩效自评", "2023年石峰区委组织部绩效自评", "汇总"]
    sheet = load_workbook(out / "汇总" / "各单位绩效自评汇总表.xlsx").active
    # printed as one table: A4 landscape, every column on the page's width, title and head on every page
    assert (sheet.page_setup.orientation, int(sheet.page_setup.paperSize)) == ("landscape", 9)   # 9: A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert sheet.page_setup.fitToHeight == 0 and sheet.print_title_rows == "$1:$2"
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    units = [r[1] for r in rows]
    assert units[:3] == ["资阳区委组织部", "利州区委组织部", "石峰区委组织部"]      # by department score, highest first
    assert rows[3][1] == "坏文件.yaml" and rows[3][13] == "未生成：无法读取"
    assert rows[3][8] is None                       # its projects are unknown, not 0
    total = rows[4]
    assert total[0] == "合计" and total[1] == "3 个单位"
    assert total[8] == sum(r[8] for r in rows[:3])  # the projects of the units read
    assert rows[5][0].startswith("说明：")
    md = (out / "汇总" / "各单位绩效自评汇总表.md").read_text(encoding="utf-8")
    assert "| 2 | 利州区委组织部 | 2021 |" in md and "99.56" in md
    assert "| 4 | 坏文件.yaml | — | — | — | — | — | — | — | — |" in md


def test_the_overview_states_no_total_or_lowest_it_cannot_know(tmp_path):
    """Lizhou as published holds two projects' scores back (a figure reported as wrong): forced, its row gives no
    lowest project score (a minimum of the others would be false), and the totals give none either. Neither unit
    states a 全年预算数 and the township no 决算数: the money totals are not given (they were the sum of the others)."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(INPUTS / "lizhou-2021.yaml", folder / "lizhou.yaml")
    shutil.copy(INPUTS / "anhui-township.yaml", folder / "anhui.yaml")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["generate", str(folder), "-o", str(out), "-j", "1", "--force"])
    assert result.exit_code == 0, result.output      # both generated (Lizhou forced)
    rows = [[c.value for c in row] for row in load_workbook(out / "汇总" / "各单位绩效自评汇总表.xlsx").active.iter_rows(min_row=3)]
    lizhou, anhui = (next(r for r in rows if r[12] == name) for name in ("lizhou.yaml", "anhui.yaml"))
    assert lizhou[9] is None and lizhou[8] == 15      # 85.25 would be the lowest of 13 of its 15 projects
    assert lizhou[6] == "92（单位填报）"               # its own stated score, as typed and said to be so
    assert anhui[9] == 88.3
    total = next(r for r in rows if r[0] == "合计")
    assert total[9] is None and total[8] == 18
    assert lizhou[3] is None and lizhou[4] == 1286.09 and anhui[4] is None
    assert total[3] is None and total[4] is None and total[5] is None


def test_a_total_with_an_unknown_part_is_not_given():
    from generator.render.overview import OverviewRow, overview_md, totals

    def unit(name, budget, actual, score, projects, lowest):
        return OverviewRow(unit=name, year=2023, budget=budget, actual=actual, score=score, grade="优",
                           projects=projects, lowest=lowest, errors=0, warnings=0, source=f"{name}.xlsx", status="已生成")

    from decimal import Decimal as D
    complete = [unit("甲", D("100"), D("90"), D("95"), 2, D("90")), unit("乙", D("50"), D("50"), D("85"), 0, None)]
    t = totals(complete)
    assert (t["budget"], t["actual"], t["mean"], t["projects"], t["lowest"]) == (D("150"), D("140"), D("90"), 2, D("90"))
    failed = OverviewRow(unit="坏.xlsx", year=None, budget=None, actual=None, score=None, grade=None, projects=None,
                         lowest=None, errors=1, warnings=0, source="坏.xlsx", status="未生成：无法读取")
    assert totals([*complete, failed])["budget"] == D("150") and totals([*complete, failed])["units"] == 2
    own = OverviewRow(unit="丁", year=2023, budget=D("1"), actual=D("1"), score=D("92"), grade=None, projects=0,
                      lowest=None, errors=1, warnings=0, source="丁.xlsx", status="未生成：有错误", stated=True)
    assert totals([*complete, own])["mean"] is None and own.shown_score == "92（单位填报）"
    gaps = [*complete, unit("丙", D("10"), None, None, 3, None)]
    t = totals(gaps)
    assert (t["budget"], t["actual"], t["rate"], t["mean"], t["lowest"]) == (D("160"), None, None, None, None)
    assert t["projects"] == 5 and t["units"] == 3
    last = [line for line in overview_md(gaps, "汇总").splitlines() if line.startswith("| **合计**")][0]
    assert last.split(" | ")[3:10] == ["**160.00**", "—", "—", "—", "", "**5**", "—"]


def test_lock_files_and_hidden_folders_are_not_inputs(batch_dir):
    found, missing = collect_inputs([batch_dir, batch_dir / "不存在.xlsx"])
    assert sorted(p.name for p in found) == sorted(["坏文件.yaml", LIZHOU.name, ZIYANG.name, SHIFENG.name])
    assert missing == [f"{batch_dir / '不存在.xlsx'}：找不到这个文件或文件夹，请检查路径"]


@pytest.mark.parametrize("inside", ["输出", "."])
def test_the_overview_written_among_the_inputs_is_not_taken_for_an_input(tmp_path, inside):
    """An output folder inside (or equal to) the inputs' folder: the second run read 汇总/各单位绩效自评汇总表.xlsx
    as a unit's workbook and failed on it."""
    folder = tmp_path / "各单位"
    folder.mkdir()
    shutil.copy(ZIYANG, folder / "ziyang.yaml")
    shutil.copy(SHIFENG, folder / "shifeng.yaml")
    out = folder / inside
    for _ in range(2):
        result = CliRunner().invoke(main, ["generate", str(folder), "-o", str(out), "-j", "1"])
        assert result.exit_code == 0, result.output
        assert "共 2 个填报文件：生成 2 个，未生成 0 个" in result.output
    assert (out / "汇总" / "各单位绩效自评汇总表.xlsx").is_file()


def test_a_workbook_in_another_format_is_named_not_left_out(tmp_path):
    """A unit that sent .xls, .et or .ods was silently missing from the batch and its 汇总表: each is now an input
    refused at its name with what to do, and a row of the 汇总表."""
    folder = tmp_path / "各单位"
    folder.mkdir()
    shutil.copy(ZIYANG, folder / "ziyang.yaml")
    (folder / "旧格式.xls").write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 512)
    (folder / "某镇.et").write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 512)
    shutil.copy(INPUTS / "ziyang-2022-corrected.xlsx", folder / "另存.ods")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["generate", str(folder), "-o", str(out), "-j", "1"])
    assert result.exit_code == 1
    assert "共 4 个填报文件：生成 1 个，未生成 3 个" in result.output
    assert "旧格式.xls：旧版 Excel（.xls）文件不能直接读取：请在 Excel 或 WPS 中打开，“另存为”Excel 工作簿（.xlsx）后重试" in result.output
    assert "某镇.et：WPS 表格（.et）文件不能直接读取：请在 Excel 或 WPS 中打开，“另存为”Excel 工作簿（.xlsx）后重试" in result.output
    assert "另存.ods：OpenDocument 表格（.ods）文件不能直接读取" in result.output
    md = (out / "汇总" / "各单位绩效自评汇总表.md").read_text(encoding="utf-8")
    assert all(f"| {name} | — |" in md for name in ("旧格式.xls", "某镇.et", "另存.ods"))


def test_parallel_and_single_process_runs_give_identical_files(batch_dir, tmp_path):
    (batch_dir / "坏文件.yaml").unlink()
    single, parallel = tmp_path / "single", tmp_path / "parallel"
    assert CliRunner().invoke(main, ["generate", str(batch_dir), "-o", str(single), "-j", "1"]).exit_code == 0
    assert CliRunner().invoke(main, ["generate", str(batch_dir), "-o", str(parallel), "-j", "2"]).exit_code == 0
    assert tree(single) == tree(parallel)
    assert len(tree(single)) > 50


def test_two_inputs_for_the_same_unit_and_year_are_not_merged(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(ZIYANG, folder / "a.yaml")
    shutil.copy(ZIYANG, folder / "b.yaml")
    result = CliRunner().invoke(main, ["generate", str(folder), "-o", str(tmp_path / "out"), "-j", "1"])
    assert result.exit_code == 1
    assert "b.yaml 与 a.yaml 是同一单位同一年度" in result.output


def test_of_two_inputs_for_one_unit_the_earlier_is_generated_however_many_jobs(tmp_path):
    """a.xlsx and b.yaml are Lizhou both; the YAML is read faster, so in parallel b reached the folder first and was
    generated instead of a (and the refusal could name no one). The earlier input wins in any run; the duplicate is
    listed in the 汇总表 as such and not counted as a unit."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(INPUTS / "lizhou-2021-corrected.xlsx", folder / "a.xlsx")
    shutil.copy(LIZHOU, folder / "b.yaml")
    shutil.copy(ZIYANG, folder / "c.yaml")
    runs = {}
    for name, jobs in (("single", "1"), ("parallel", "2"), ("again", "3")):
        result = CliRunner().invoke(main, ["generate", str(folder), "-o", str(tmp_path / name), "-j", jobs])
        assert result.exit_code == 1
        assert "b.yaml 与 a.xlsx 是同一单位同一年度" in result.output, result.output
        runs[name] = tree(tmp_path / name)
    assert runs["single"] == runs["parallel"] == runs["again"]
    manifest = json.loads((tmp_path / "parallel" / "2021年利州区委组织部绩效自评" / "manifest.json").read_text("utf-8"))
    assert manifest["输入文件"] == "a.xlsx"
    rows = [[c.value for c in row] for row in
            load_workbook(tmp_path / "parallel" / "汇总" / "各单位绩效自评汇总表.xlsx").active.iter_rows(min_row=3)]
    assert next(r for r in rows if r[12] == "b.yaml")[13] == "未生成：与 a.xlsx 重复"
    assert next(r for r in rows if r[0] == "合计")[1] == "2 个单位"


def test_an_interrupted_generation_leaves_the_previous_package_intact(tmp_path, monkeypatch):
    out = tmp_path / "out"
    first = generate(LIZHOU, out)
    before = tree(first.folder)
    changed = one_indicator_changed(tmp_path)
    calls = {"n": 0}
    real_write = Path.write_bytes

    def failing_write(self, data):
        calls["n"] += 1
        if calls["n"] == 3:                       # the power goes out while the new package is being written
            raise KeyboardInterrupt
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing_write)
    with pytest.raises(KeyboardInterrupt):
        generate(changed, out)
    monkeypatch.undo()
    assert tree(first.folder) == before
    assert sorted(p.name for p in out.iterdir()) == [first.folder.name]     # no staging folder left behind


def test_a_failed_swap_keeps_the_previous_package(tmp_path, monkeypatch):
    out = tmp_path / "out"
    first = generate(LIZHOU, out)
    before = tree(first.folder)
    changed = one_indicator_changed(tmp_path)
    real_replace = os.replace

    def refuse(src, dst):
        if ".tmp-" in str(src):
            raise PermissionError(13, "文件被占用")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(GenerationError, match="原有的输出未改动"):
        generate(changed, out)
    monkeypatch.undo()
    assert tree(first.folder) == before
    assert sorted(p.name for p in out.iterdir()) == [first.folder.name]


def test_an_input_error_leaves_the_previous_package_untouched(tmp_path):
    out = tmp_path / "out"
    first = generate(LIZHOU, out)
    before = stats(first.folder)
    broken = tmp_path / "broken.yaml"
    broken.write_text(LIZHOU.read_text(encoding="utf-8").replace("实际完成值: 200人", "实际完成值: 200人\n        分值: 负五", 1),
                      encoding="utf-8")
    with pytest.raises(GenerationError):
        generate(broken, out)
    assert stats(first.folder) == before


def test_changing_one_indicator_rewrites_only_the_files_that_show_it(tmp_path):
    out = tmp_path / "out"
    first = generate(LIZHOU, out)
    before = stats(first.folder)
    changed = one_indicator_changed(tmp_path)
    again = generate(changed, out)
    after = stats(again.folder)
    rewritten = sorted(p for p in after if after[p] != before.get(p))
    project = "项目支出绩效自评报告/01-城市社区党建及城乡综合治理"
    assert rewritten == sorted([
        f"{project}.docx", f"{project}.md",                                      # the project's own report
        "部门整体支出绩效自评报告.docx", "部门整体支出绩效自评报告.md",            # lists every project's score
        "附表/项目支出绩效自评表（全部项目）.docx", "附表/项目支出绩效自评表（全部项目）.md",  # hold its table
        "校验报告.docx", "校验报告.md",                                             # the new shortfall warning
        "manifest.json",
    ])
    assert again.changes.files_changed == sorted(p for p in rewritten if p != "manifest.json")
    assert "城市社区党建及城乡综合治理 项目得分 94.23 → 93.73" in again.changes.figures
    assert "城市社区党建及城乡综合治理 培训基层治理骨干 得分 5.00 → 4.50" in again.changes.figures


def test_regenerating_unchanged_input_rewrites_nothing(tmp_path):
    out = tmp_path / "out"
    first = generate(LIZHOU, out)
    before = stats(first.folder)
    again = generate(LIZHOU, out)
    assert stats(again.folder) == before
    assert again.changes is not None and again.changes.empty
