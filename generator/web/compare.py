"""What a unit's new package changes against its last one: files, key figures and the sentences of its reports."""
from __future__ import annotations

import re
from difflib import SequenceMatcher
from itertools import zip_longest
from pathlib import Path, PurePosixPath

from ..generate import moved
from ..writer import read_previous

CHECK_REPORT = "校验报告.md"    # its findings are on the page already; a diff of them would only repeat them
CONTEXT = 24                    # characters kept on each side of a change inside a long sentence
MAX_PER_DOCUMENT = 12           # changed lines shown per document; the rest are counted
_TOKEN = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?%?|[A-Za-z]+|\s+|.", re.DOTALL)


def compare(before: Path, after: Path) -> dict:
    """Compare two package folders by their manifests (sha256 of every file, the recorded key figures) and, for
    each text document that differs, by its lines. Only the two packages' manifests and changed text files are
    read: nothing is copied."""
    old, new = read_previous(before), read_previous(after)
    changed = sorted(p for p in new.digests if p in old.digests and old.digests[p] != new.digests[p])
    texts = []
    for relative in changed:
        if not relative.endswith(".md") or relative == CHECK_REPORT:
            continue
        try:
            lines = diff_lines((before / relative).read_text("utf-8"), (after / relative).read_text("utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
        if lines:
            texts.append({"document": str(PurePosixPath(relative).with_suffix("")), "path": relative,
                          "lines": lines[:MAX_PER_DOCUMENT], "more": max(0, len(lines) - MAX_PER_DOCUMENT)})
    return {
        "files_changed": changed,
        "files_added": sorted(p for p in new.digests if p not in old.digests),
        "files_removed": sorted(p for p in old.digests if p not in new.digests),
        "figures": moved_figures(old.figures, new.figures),
        "texts": texts,
    }


def moved_figures(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """「城市社区党建 项目得分 8.50 → 9.00」 for every recorded figure that differs, in the new package's order."""
    return moved(before, after) if after else []


def diff_lines(before: str, after: str) -> list[dict]:
    """Lines of a text document that differ, each as {"before": segments, "after": segments}; a segment is
    [kind, text] with kind "same", "old" or "new", long unchanged stretches shortened to their ends."""
    old, new = _lines(before), _lines(after)
    out = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        for a, b in zip_longest(old[i1:i2], new[j1:j2]):
            out.append(_marked(a or "", b or ""))
    return out


def _lines(text: str) -> list[str]:
    """The document's lines as a reader sees them: headings and table rows without their Markdown marks."""
    lines = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("![") or set(line) <= set("|-: "):
            continue
        if line.startswith("|"):
            line = " ｜ ".join(cell.strip() for cell in line.strip("|").split("|"))
        lines.append(line.lstrip("#> ").replace("**", ""))
    return lines


def _marked(before: str, after: str) -> dict:
    # Compared by tokens, so a figure changes as a whole (250个 → 180个 marks "250" and "180", not "25" and "18").
    a, b = _TOKEN.findall(before), _TOKEN.findall(after)
    old: list[list[str]] = []
    new: list[list[str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            _append(old, "same", "".join(a[i1:i2]))
            _append(new, "same", "".join(b[j1:j2]))
            continue
        _append(old, "old", "".join(a[i1:i2]))
        _append(new, "new", "".join(b[j1:j2]))
    return {"before": _shortened(old), "after": _shortened(new)}


def _append(segments: list[list[str]], kind: str, text: str) -> None:
    if not text:
        return
    if segments and segments[-1][0] == kind:
        segments[-1][1] += text
    else:
        segments.append([kind, text])


def _shortened(segments: list[list[str]]) -> list[list[str]]:
    """Unchanged text kept only near the changes: a long sentence reads as 「…预算执行率为 83.89% → 90.00%，…」."""
    out = []
    last = len(segments) - 1
    for i, (kind, text) in enumerate(segments):
        if kind == "same" and len(text) > 2 * CONTEXT:
            head = text[:CONTEXT] if i > 0 else ""
            tail = text[-CONTEXT:] if i < last else ""
            text = f"{head}…{tail}"
        out.append([kind, text])
    return out
