"""Batch generation and regeneration: broken inputs skipped, parallel = single, atomic, only changes rewritten."""
from __future__ import annotations

import hashlib
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
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    units = [r[1] for r in rows]
    assert units[:3] == ["资阳区委组织部", "利州区委组织部", "石峰区委组织部"]      # by department score, highest first
    assert rows[3][1] == "坏文件.yaml" and rows[3][13] == "未生成：无法读取"
    assert rows[-1][0] == "合计" and rows[-1][1] == "3 个单位"
    md = (out / "汇总" / "各单位绩效自评汇总表.md").read_text(encoding="utf-8")
    assert "| 2 | 利州区委组织部 | 2021 |" in md and "99.56" in md


def test_lock_files_and_hidden_folders_are_not_inputs(batch_dir):
    found, missing = collect_inputs([batch_dir, batch_dir / "不存在.xlsx"])
    assert sorted(p.name for p in found) == sorted(["坏文件.yaml", LIZHOU.name, ZIYANG.name, SHIFENG.name])
    assert missing == [f"{batch_dir / '不存在.xlsx'}：找不到这个文件或文件夹，请检查路径"]


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
