"""A cold start loads only what it uses: `jxzp --help`, `validate` and `generate` of a YAML file import no plotting
library, no web stack, no workbook library (each run in a fresh interpreter, as a user's command)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from packages import FIXTURES

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("matplotlib", "starlette", "uvicorn", "openpyxl", "numpy", "rich")

# Runs the command line in-process, then lists which of the heavy modules the run imported.
PROBE = """
import json, sys
from generator.cli import main
try:
    main(sys.argv[2:], prog_name="jxzp")
except SystemExit:
    pass
print(json.dumps(sorted(m for m in json.loads(sys.argv[1]) if m in sys.modules)))
"""


def imported(tmp_path: Path, *args: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(HEAVY), *args], capture_output=True, text=True,
                          env=env, cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [
    ("--help",),
    ("validate", str(FIXTURES / "small.yaml")),
    ("generate", str(FIXTURES / "small.yaml"), "-o", "out"),
    ("generate", str(FIXTURES / "small.yaml"), "-o", "out", "--format", "md"),
], ids=["help", "validate", "generate", "generate-md"])
def test_a_command_on_a_yaml_file_imports_no_plotting_web_or_workbook_code(args, tmp_path):
    assert imported(tmp_path, *args) == []


def test_the_probe_sees_an_import_when_there_is_one(tmp_path):
    # picture mode draws PNGs with matplotlib: the probe must notice it
    assert "matplotlib" in imported(tmp_path, "generate", str(FIXTURES / "small.yaml"), "-o", "out",
                                    "--format", "docx", "--charts", "picture")
