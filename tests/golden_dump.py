"""Golden files: a whole package as text — every .md as written, every .docx as its paragraphs and table cells
in body order — so a change to what a reader sees shows up as a reviewable diff under tests/golden/."""
from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.oxml.ns import qn

GOLDEN = Path(__file__).resolve().parent / "golden"


def _cell_text(tc) -> str:
    return "\\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p")))


def docx_dump(path: Path) -> str:
    """Paragraphs as lines ('¶ text'), tables as rows of cells ('| a | b |'); a vertically continued cell as '⋮'."""
    body = Document(str(path)).element.body
    lines: list[str] = []
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            text = "".join(t.text or "" for t in child.iter(qn("w:t")))
            drawings = len(child.findall(".//" + qn("w:drawing")))
            lines.append("¶ " + text + (" [图]" * drawings))
        elif child.tag == qn("w:tbl"):
            lines.append("┌ 表")
            for tr in child.iter(qn("w:tr")):
                cells = []
                for tc in tr.findall(qn("w:tc")):
                    vmerge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
                    continued = vmerge is not None and vmerge.get(qn("w:val"), "continue") == "continue"
                    cells.append("⋮" if continued else _cell_text(tc))
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("└")
    return "\n".join(lines) + "\n"


def package_dump(folder: Path) -> dict[str, str]:
    """relative path of the golden file → its text, for every .md and .docx of a package."""
    out: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.suffix == ".md":
            out[relative] = path.read_text(encoding="utf-8")
        elif path.suffix == ".docx":
            out[relative + ".txt"] = docx_dump(path)
    return out
