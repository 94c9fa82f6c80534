"""The project's own files install everything: every Python package and the bundled packs go into the wheel."""
from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_python_package_is_listed():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "generator").rglob("__init__.py")}
    assert found <= listed, f"pyproject.toml 的 packages 缺少 {sorted(found - listed)}"


def test_bundled_packs_are_package_data():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert setuptools["package-dir"]["generator.templates"] == "templates"
    patterns = setuptools["package-data"]["generator.templates"]
    suffixes = {p.suffix for pack in (ROOT / "templates").iterdir() if pack.is_dir() for p in pack.iterdir()}
    assert suffixes <= {".yaml", ".j2", ".docx"}, "templates/ 中有 package-data 不会打包的文件类型"
    assert {"*/*.yaml", "*/*.j2", "*/*.docx"} <= set(patterns)
