"""Templates compiled once per installation: kept in the user's cache folder ($XDG_CACHE_HOME), recompiled when a
pack file or jxzp changes, and a damaged cache is ignored and rebuilt — each run as a new process, as a user runs."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
import sys
from pathlib import Path

from generator.pack import PACKS_DIR
from packages import FIXTURES

ROOT = Path(__file__).resolve().parent.parent
SMALL = FIXTURES / "small.yaml"
REPORT = "部门整体支出绩效自评报告"


def run(out: Path, cache: Path, *extra: str) -> dict[str, str]:
    """`jxzp generate` as a new process with its own cache folder; the sha256 of every file it wrote."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "generator.cli", "generate", str(SMALL), "-o", str(out), *extra],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    (folder,) = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "manifest.json"}


def cached(cache: Path) -> list[Path]:
    return sorted(p for p in (cache / "jxzp").rglob("*") if p.is_file())


def test_the_second_process_uses_the_compiled_templates_and_writes_the_same_bytes(tmp_path):
    cache = tmp_path / "cache"
    first = run(tmp_path / "a", cache)
    files = cached(cache)
    assert any(p.suffix == ".jbc" for p in files) and any(p.suffix == ".word" for p in files)
    stamps = {p: p.stat().st_mtime_ns for p in files}
    assert run(tmp_path / "b", cache) == first
    assert {p: p.stat().st_mtime_ns for p in cached(cache)} == stamps      # read, not rewritten


def test_a_damaged_cache_is_ignored_and_rebuilt(tmp_path):
    cache = tmp_path / "cache"
    first = run(tmp_path / "a", cache)
    files = cached(cache)
    for number, path in enumerate(files):
        data = path.read_bytes()
        # truncated, one byte flipped, or not ours at all
        damaged = (data[: len(data) // 2], data[:-1] + bytes([data[-1] ^ 0xFF]), b"\x00garbage")[number % 3]
        path.write_bytes(damaged)
    assert run(tmp_path / "b", cache) == first
    assert all(p.read_bytes() != b"\x00garbage" for p in cached(cache))


def test_a_changed_pack_file_is_compiled_again(tmp_path):
    cache, pack = tmp_path / "cache", tmp_path / "我的包"
    shutil.copytree(PACKS_DIR / "全国", pack)
    run(tmp_path / "a", cache, "--pack", str(pack), "--format", "md")
    template = pack / f"{REPORT}.md.j2"
    template.write_text(template.read_text(encoding="utf-8").replace("、部门基本情况", "、单位概况", 1), encoding="utf-8")
    run(tmp_path / "b", cache, "--pack", str(pack), "--format", "md")
    (report,) = (tmp_path / "b").glob(f"*/{REPORT}.md")
    assert "、单位概况" in report.read_text(encoding="utf-8")


def test_a_new_version_of_jxzp_compiles_into_a_folder_of_its_own(tmp_path, monkeypatch):
    import generator.cache as cache_module

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache_module._code_version.cache_clear()
    today = cache_module.cache_folder("packs")
    monkeypatch.setattr(cache_module, "__version__", "99.0")
    cache_module._code_version.cache_clear()
    try:
        assert cache_module.cache_folder("packs") != today
        assert cache_module.cache_folder("packs").parent.name.startswith("99.0-")
        assert today.is_relative_to(tmp_path / "jxzp")
    finally:
        cache_module._code_version.cache_clear()


def test_without_a_home_folder_nothing_is_cached_and_the_package_is_the_same(tmp_path, monkeypatch):
    import generator.cache as cache_module
    from generator.generate import generate

    pack = tmp_path / "包"
    shutil.copytree(PACKS_DIR / "全国", pack)       # its own folder: a renderer made in this test

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(cache_module, "_user_cache_dir", no_home)
    assert cache_module.cache_folder("packs") is None
    without = generate(SMALL, tmp_path / "a", ("docx", "md"), pack=str(pack))
    monkeypatch.undo()
    with_cache = generate(SMALL, tmp_path / "b", ("docx", "md"), pack="全国")
    for relative in without.files:
        if relative.endswith((".docx", ".md")):
            assert (without.folder / relative).read_bytes() == (with_cache.folder / relative).read_bytes(), relative


def test_cache_folders_nobody_used_for_a_month_are_removed_when_a_new_one_is_made(tmp_path, monkeypatch):
    import generator.cache as cache_module

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    current = cache_module.cache_folder("packs", "a" * 32)
    old_version = tmp_path / "jxzp" / "0.0.1-0123456789abcdef"
    old_pack = current.parent / ("b" * 32)
    recent_pack = current.parent / ("c" * 32)
    for folder in (old_version / "packs" / ("d" * 32), old_pack, recent_pack):
        folder.mkdir(parents=True)
        (folder / "x.jbc").write_bytes(b"x")
    month_ago = time.time() - 31 * 86400
    for folder in (old_version, old_pack):
        os.utime(folder, (month_ago, month_ago))
    cache_module.used(current)
    assert current.is_dir() and recent_pack.is_dir()
    assert not old_version.exists() and not old_pack.exists()
