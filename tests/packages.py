"""Packages generated once per test session and shared by the render and generate tests (generation is slow-ish)."""
from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from docx import Document

from generator.generate import Generated, generate

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
INPUTS = ROOT / "inputs"
_WORK = Path(tempfile.mkdtemp(prefix="jxzp-tests-"))
atexit.register(shutil.rmtree, _WORK, True)


def lizhou_input() -> Path | None:
    """The corrected Lizhou example when it exists, else the original."""
    return next((p for p in (INPUTS / "lizhou-2021-corrected.yaml", INPUTS / "lizhou-2021.yaml") if p.is_file()), None)


@lru_cache(maxsize=None)
def generated(path: Path, formats: tuple[str, ...] = ("docx", "md"), run: str = "a", force: bool = False,
              pack: str | None = None) -> Generated:
    """The package of `path` in its own output folder (one per input, format set, run and pack; no pack: the unit's)."""
    out = _WORK / f"{path.stem}-{'-'.join(formats)}-{run}{'-' + pack if pack else ''}"
    return generate(path, out, formats, pack=pack, force=force)


def work_dir(name: str) -> Path:
    path = _WORK / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def docx_text(path: Path) -> str:
    """All text of a .docx: paragraphs and every table cell, in document order."""
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.append(cell.text)
    return "\n".join(parts)


def table_rows(path: Path) -> list[list[str]]:
    """Every row of every table of a .docx as its cell texts; a cell spanning grid columns appears once,
    a vertically merged cell appears in each of its rows (as python-docx reads them)."""
    doc = Document(str(path))
    rows = []
    for table in doc.tables:
        for row in table.rows:
            cells, seen = [], None
            for cell in row.cells:
                if cell._tc is not seen:
                    cells.append(cell.text)
                seen = cell._tc
            rows.append(cells)
    return rows
