"""The bundled example a new user starts from: Lizhou 2021 as corrected (it validates cleanly)."""
from __future__ import annotations

from pathlib import Path

INPUTS = Path(__file__).resolve().parent.parent / "inputs"
EXAMPLE = INPUTS / "lizhou-2021-corrected.yaml"
