"""The bundled examples: Lizhou 2021 as corrected (it validates cleanly) is where a new user starts; all of them are
what `jxzp pack check` renders a pack against."""
from __future__ import annotations

from pathlib import Path


def _inputs_dir() -> Path:
    """`generator/inputs` in an installed wheel (package data), the checkout's top-level `inputs/` else."""
    here = Path(__file__).resolve().parent
    installed = here / "inputs"
    return installed if installed.is_dir() else here.parent / "inputs"


INPUTS = _inputs_dir()
EXAMPLE = INPUTS / "lizhou-2021-corrected.yaml"


def examples() -> list[Path]:
    """Every bundled example in YAML (the workbooks hold the same data)."""
    return sorted(INPUTS.glob("*.yaml"))
