"""Hostile workbooks, YAML files and file names through `jxzp generate`: accepted correctly, or refused in Chinese at
the place, never a traceback, and the previous package in the output folder byte for byte as it was."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.generate import generate
from generator.pipeline import evaluate
from generator.problems import Severity
from hostile_cases import BASE, Case, input_cases
from test_docx_package import package_problems

CASES = input_cases()
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> Path:
    """An output folder holding the package of the base input, as a preparer's earlier run left it."""
    out = tmp_path_factory.mktemp("previous") / "outputs"
    generate(BASE, out, ("docx",))
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file and folder under `folder`, hidden ones included, with its bytes."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else b"<dir>")
            for p in sorted(folder.rglob("*"))}


def model_value(report, path: str):
    node = report.model_dump()
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_hostile_input_is_accepted_correctly_or_refused_at_its_place(case: Case, previous, tmp_path, category):
    category(case.category)
    source = case.make(tmp_path / "in")
    out = tmp_path / "outputs"
    shutil.copytree(previous, out)
    before = snapshot(out)
    # An accepted input is generated with --force: what the checks then say about its figures is another matter
    # (a changed amount no longer adds up); the reader's part is to read the value as typed.
    force = ["--force"] if case.outcome == "accepted" else []
    result = CliRunner().invoke(main, ["generate", str(source), "-o", str(out), "--format", "docx", "-j", "1", *force])
    no_traceback(result)
    if case.outcome == "refused":
        assert result.exit_code == 1, result.output
        errors = [line.split("] ", 1)[1] for line in result.output.splitlines() if line.strip().startswith("[错误]")]
        found = [e for e in errors if e.startswith(f"{case.place}：") and all(w in e for w in case.words)]
        assert found, f"expected {case.place}：…{'…'.join(case.words)}… in\n{result.output}"
        assert CHINESE.search(found[0].split("：", 1)[1])
        evaluation = evaluate(source)
        if case.by_checks:
            # Read in full, then refused by a check: an error the preparer must fix before anything is generated.
            assert evaluation.results is not None and not evaluation.incomplete, "refused by the reader, not a check"
            assert snapshot(out) == before, "a refused input changed the output folder"
            return
        # Refused by the reader: nothing usable, or (one pass) the rest checked but no package from it.
        assert evaluation.results is None or evaluation.incomplete, "refused by the checks, not by the reader"
        assert evaluation.unreadable == case.unreadable
        assert snapshot(out) == before, "a refused input changed the output folder"
        return
    assert result.exit_code == 0, result.output
    evaluation = evaluate(source)
    assert evaluation.results is not None, [str(p) for p in evaluation.errors]
    if case.place is not None:
        warned = [p for p in evaluation.problems if p.severity is Severity.WARNING and p.place == case.place
                  and all(w in p.message for w in case.words)]
        assert warned, [str(p) for p in evaluation.problems]
    if case.value is not None:
        path, expected = case.value
        found = model_value(evaluation.results.report, path)
        assert found == expected and type(found) is type(expected), (found, expected)
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")], "staging left behind"
    written = [p for p in out.rglob("*.docx")]
    assert written
    for document in written:
        assert package_problems(document) == [], document
