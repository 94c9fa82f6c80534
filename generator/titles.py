"""Titles broken into balanced lines between words, never inside 绩效, 自评, 报告… or a unit's or project's name."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

TITLE_WIDTH = 20
"""Characters on one title line: 二号 (22 pt, about 7.8 mm a character) across the 156 mm text width."""
LONGEST = 400
"""Longer text is no title: it is left as it is (and the work of breaking stays small whatever a template passes)."""

WORDS = ("部门整体", "基础数据表", "自评表", "汇总表", "绩效", "自评", "报告", "材料", "校验", "支出", "项目", "部门",
         "整体", "年度", "决算", "预算", "说明", "评价", "目标", "结果", "情况", "数据", "特定", "单位", "全部")
"""Domain words a title never breaks inside; longer ones first, so 自评表 wins over 自评."""

_YEAR = re.compile(r"\d{4}年度?")
_BRACKETED = re.compile(r"[（(][^）)]*[）)]")
_LATIN = re.compile(r"[0-9A-Za-z.%-]+")
_NO_LINE_START = set("，。、；：？！）》」』”’%")


def display_width(text: str) -> float:
    """Width in full-width characters: Chinese 1, Latin letters and digits about half."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WFA" else 0.5 for ch in text)


def _tokens(text: str, whole: tuple[str, ...]) -> list[tuple[str, bool]]:
    """The title cut into (piece, known): a name kept whole, a year, a bracketed part, a domain word, a Latin run
    are known pieces; any other character is a piece of its own that a line may not be broken next to."""
    names = sorted({w for w in whole if w}, key=len, reverse=True)
    out: list[tuple[str, bool]] = []
    at = 0
    while at < len(text):
        found = next((n for n in names if text.startswith(n, at)), None)
        if found is None:
            for pattern in (_YEAR, _BRACKETED, _LATIN):
                match = pattern.match(text, at)
                if match:
                    found = match.group(0)
                    break
        if found is None:
            found = next((w for w in WORDS if text.startswith(w, at)), None)
        if found is None:
            out.append((text[at], False))
            at += 1
        else:
            out.append((found, True))
            at += len(found)
    return out


def _breakable(left: tuple[str, bool], right: tuple[str, bool]) -> bool:
    """A break between two pieces: next to a known piece, and no closing punctuation starting the new line."""
    return (left[1] or right[1]) and right[0][0] not in _NO_LINE_START


@lru_cache(maxsize=256)
def title_lines(text: str, whole: tuple[str, ...] = (), width: float = TITLE_WIDTH) -> tuple[str, ...]:
    """The fewest lines of at most `width` that break only between words, the longest line as short as it can be
    (on a tie the upper line is the longer, as titles are set); a piece wider than a line is cut where it must."""
    text = " ".join(str(text).split())
    if len(text) > LONGEST or display_width(text) <= width:
        return (text,) if text else ()
    pieces = _tokens(text, whole)
    # A name or word wider than a line is cut into single characters (the only case a break falls inside one).
    expanded: list[tuple[str, bool]] = []
    for piece, known in pieces:
        if display_width(piece) > width:
            expanded += [(ch, True) for ch in piece]
        else:
            expanded.append((piece, known))
    pieces = expanded
    n = len(pieces)
    widths = [display_width(p) for p, _ in pieces]
    # best[i]: (line count, longest line, first lines longer) of the best layout of pieces[i:], and its first break
    best: list[tuple[tuple[int, float, tuple[float, ...]], int] | None] = [None] * (n + 1)
    best[n] = ((0, 0.0, ()), n)
    for i in range(n - 1, -1, -1):
        line = 0.0
        for j in range(i + 1, n + 1):
            line += widths[j - 1]
            if line > width:
                break
            if j < n and not _breakable(pieces[j - 1], pieces[j]):
                continue
            rest = best[j]
            if rest is None:
                continue
            (count, longest, shape), _ = rest
            key = (count + 1, max(line, longest), (-line, *shape))
            if best[i] is None or key < best[i][0]:
                best[i] = (key, j)
    if best[0] is None:     # no break anywhere fits: cut by width alone
        lines, line = [], ""
        for ch in text:
            if display_width(line + ch) > width:
                lines.append(line)
                line = ""
            line += ch
        return tuple(lines + [line])
    lines, i = [], 0
    while i < n:
        j = best[i][1]
        lines.append("".join(p for p, _ in pieces[i:j]))
        i = j
    return tuple(lines)
