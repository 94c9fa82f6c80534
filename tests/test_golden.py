"""Every example package, as a reader sees it, equals its golden files (python -m pytest --update-golden to
rewrite them after a deliberate change; the diff is then reviewed like code)."""
from __future__ import annotations

import shutil

import pytest

from generator.generate import generate
from golden_dump import GOLDEN, package_dump
from packages import INPUTS, work_dir

EXAMPLES = sorted(p.stem for p in INPUTS.glob("*.yaml"))
PACKS = ["全国", "湖南", "四川", "广东", "安徽"]


@pytest.mark.parametrize("pack", PACKS)
@pytest.mark.parametrize("example", EXAMPLES)
def test_package_equals_golden_files(example, pack, request):
    out = work_dir(f"golden-{pack}-{example}")
    made = generate(INPUTS / f"{example}.yaml", out, ("docx", "md"), pack=pack, force=True)
    dump = package_dump(made.folder)
    for name in ("校验报告.md", "校验报告.docx.txt"):     # findings have their own exact tests (test_check_report)
        dump.pop(name, None)
    target = GOLDEN / pack / example
    if request.config.getoption("--update-golden"):
        shutil.rmtree(target, ignore_errors=True)
        for relative, text in dump.items():
            path = target / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return
    expected = {p.relative_to(target).as_posix(): p.read_text(encoding="utf-8")
                for p in sorted(target.rglob("*")) if p.is_file()}
    assert sorted(dump) == sorted(expected), "the package's files differ from the golden list"
    for relative, text in dump.items():
        assert text == expected[relative], f"{example}/{relative} differs from its golden file"
