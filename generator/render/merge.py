"""The one merge pass: cells a template marks with the `merge` filter are joined with the equal marked cell above
them in the same column — vertically merged in Word, left blank below the first in a Markdown table."""
from __future__ import annotations

import re

from lxml import etree

from .environment import MERGE_CLOSE, MERGE_OPEN

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MARK = re.compile(f"{MERGE_OPEN}([^{MERGE_CLOSE}]*){MERGE_CLOSE}")


def _texts(tc) -> list:
    return list(tc.iter(f"{W}t"))


def _mark_of(tc) -> tuple[str, str] | None:
    """(key, text without marks) of a marked cell, else None."""
    text = "".join(t.text or "" for t in _texts(tc))
    match = _MARK.search(text)
    if match is None:
        return None
    return match.group(1), _MARK.sub("", text)


def _props(tc):
    props = tc.find(f"{W}tcPr")
    if props is None:
        props = etree.SubElement(tc, f"{W}tcPr")
        tc.remove(props)
        tc.insert(0, props)
    return props


def _set_vmerge(tc, restart: bool) -> None:
    props = _props(tc)
    vmerge = props.find(f"{W}vMerge")
    if vmerge is None:
        vmerge = etree.Element(f"{W}vMerge")
        # schema order: tcW, gridSpan, vMerge, … — after gridSpan or tcW when present
        anchor = props.find(f"{W}gridSpan")
        if anchor is None:
            anchor = props.find(f"{W}tcW")
        if anchor is not None:
            anchor.addnext(vmerge)
        else:
            props.insert(0, vmerge)
    if restart:
        vmerge.set(f"{W}val", "restart")
    elif f"{W}val" in vmerge.attrib:
        del vmerge.attrib[f"{W}val"]


def _clear(tc) -> None:
    """A continued cell shows nothing: one empty paragraph that keeps its paragraph properties."""
    paragraphs = tc.findall(f"{W}p")
    for extra in paragraphs[1:]:
        tc.remove(extra)
    if paragraphs:
        for child in list(paragraphs[0]):
            if child.tag != f"{W}pPr":
                paragraphs[0].remove(child)


def _merge_table(table) -> None:
    above: dict[int, tuple[tuple[str, str], int, object]] = {}
    for row in table.findall(f"{W}tr"):
        current: dict[int, tuple[tuple[str, str], int, object]] = {}
        column = 0
        for tc in row.findall(f"{W}tc"):
            span_el = tc.find(f"{W}tcPr/{W}gridSpan")
            span = int(span_el.get(f"{W}val", "1")) if span_el is not None else 1
            mark = _mark_of(tc)
            if mark is not None:
                previous = above.get(column)
                joined = previous is not None and previous[0] == mark and previous[1] == span
                if joined:
                    _set_vmerge(previous[2], restart=True)
                    _set_vmerge(tc, restart=False)
                    _clear(tc)
                current[column] = (mark, span, previous[2] if joined else tc)
            column += span
        above = current
    for t in table.iter(f"{W}t"):
        if t.text and (MERGE_OPEN in t.text or MERGE_CLOSE in t.text):
            t.text = _MARK.sub("", t.text).replace(MERGE_OPEN, "").replace(MERGE_CLOSE, "")


# ------------------------------------------------------------ the same pass on the XML text, without parsing

_NOT_PLAIN = ("<w:bookmark", "<w:sdt", "<w:customXml", "<w:smartTag", "<w:ins ", "<w:ins>", "<w:del ", "<w:del>",
              "<w:move", "Change>", "Change ", "<mc:")
"""Elements that must stay paired or ordered (bookmarks, content controls, tracked changes, alternate content): a
table holding one, or a nested table, goes through lxml. (Plain substring tests: one regular expression with these
alternatives took longer than the merge itself.)"""


def _plain(fragment: str) -> bool:
    """Whether the text path can merge this table: no nested table (a second <w:tbl>), none of _NOT_PLAIN."""
    return fragment.find("<w:tbl>", 1) == -1 and not any(needle in fragment for needle in _NOT_PLAIN)


_CELL = re.compile(r"(<w:tc\b[^>]*>)(.*)</w:tc>", re.S)
_TEXT = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>")
_TCPR = re.compile(r"<w:tcPr>(.*?)</w:tcPr>|<w:tcPr/>", re.S)
_SPAN = re.compile(r'<w:gridSpan w:val="(\d+)"')
_VMERGE = re.compile(r"<w:vMerge\b[^>]*/>")
_FIRST_P = re.compile(r"(<w:p\b[^>]*>)(<w:pPr>.*?</w:pPr>)?", re.S)
_BEFORE_VMERGE = (re.compile(r"<w:hMerge\b[^>]*/>"), re.compile(r"<w:gridSpan\b[^>]*/>"), re.compile(r"<w:tcW\b[^>]*/>"),
                  re.compile(r"<w:cnfStyle\b[^>]*/>"))
"""Schema order of a cell's properties: cnfStyle, tcW, gridSpan, hMerge, vMerge, … — vMerge goes after the last
of these present."""


def _with_vmerge(cell: str, restart: bool) -> str:
    opening, body = _CELL.match(cell).group(1, 2)
    element = '<w:vMerge w:val="restart"/>' if restart else "<w:vMerge/>"
    props = _TCPR.match(body)
    if props is None:
        return f"{opening}<w:tcPr>{element}</w:tcPr>{body}</w:tc>"
    inner = props.group(1) or ""
    if _VMERGE.search(inner):
        inner = _VMERGE.sub(element, inner, count=1)
    else:
        for anchor in _BEFORE_VMERGE:
            found = anchor.search(inner)
            if found:
                inner = inner[:found.end()] + element + inner[found.end():]
                break
        else:
            inner = element + inner
    return f"{opening}<w:tcPr>{inner}</w:tcPr>{body[props.end():]}</w:tc>"


def _cleared(cell: str) -> str:
    """A continued cell shows nothing: its properties and one empty paragraph that keeps its paragraph properties."""
    opening, body = _CELL.match(cell).group(1, 2)
    props = _TCPR.match(body)
    head = props.group(0) if props else ""
    first = _FIRST_P.search(body, props.end() if props else 0)
    paragraph = f"{first.group(1)}{first.group(2) or ''}</w:p>" if first else "<w:p/>"
    return f"{opening}{head}{paragraph}</w:tc>"


_CELL_TOKENS = re.compile(r"<w:tc[ >]|</w:tc>|</w:tr>")


def _cell_spans(fragment: str) -> tuple[list[tuple[int, int]], list[int]]:
    """(start, end) of every cell of a table without nested tables, and the row of each."""
    spans: list[tuple[int, int]] = []
    rows: list[int] = []
    if "<w:tc " not in fragment:             # Word writes cells without attributes: plain string search
        find, count = fragment.find, fragment.count
        row, pos = 0, 0
        while (start := find("<w:tc>", pos)) != -1:
            row += count("</w:tr>", pos, start)
            pos = find("</w:tc>", start) + len("</w:tc>")
            spans.append((start, pos))
            rows.append(row)
        return spans, rows
    row, opened = 0, 0
    for token in _CELL_TOKENS.finditer(fragment):
        kind = token.group()
        if kind == "</w:tr>":
            row += 1
        elif kind == "</w:tc>":
            spans.append((opened, token.end()))
            rows.append(row)
        else:
            opened = token.start()
    return spans, rows


def _merge_table_text(fragment: str) -> str:
    """One table's XML with equal marked cells of a column merged (no nested table, see _NOT_PLAIN)."""
    spans, rows = _cell_spans(fragment)
    changed: dict[int, str] = {}            # the cells rewritten, by index
    above: dict[int, tuple[tuple[str, str], int, int]] = {}
    current: dict[int, tuple[tuple[str, str], int, int]] = {}
    column, this_row = 0, 0
    find = fragment.find
    for index, (a, b) in enumerate(spans):
        if rows[index] != this_row:
            above, current, column, this_row = current, {}, 0, rows[index]
        grid = find("<w:gridSpan ", a, b)
        span = 1
        if grid != -1 and grid < find("</w:tcPr>", a, b):
            span = int(_SPAN.match(fragment, grid).group(1))
        if find(MERGE_OPEN, a, b) != -1:
            cell = fragment[a:b]
            text = "".join(_TEXT.findall(cell))
            found = _MARK.search(text)
            if found is not None:
                mark = (found.group(1), _MARK.sub("", text))
                previous = above.get(column)
                joined = previous is not None and previous[0] == mark and previous[1] == span
                if joined:
                    first = previous[2]
                    start, end = spans[first]
                    changed[first] = _with_vmerge(changed.get(first, fragment[start:end]), restart=True)
                    changed[index] = _cleared(_with_vmerge(cell, restart=False))
                current[column] = (mark, span, previous[2] if joined else index)
        column += span
    out: list[str] = []
    last = 0
    for index in sorted(changed):
        a, b = spans[index]
        out.append(fragment[last:a])
        out.append(changed[index])
        last = b
    out.append(fragment[last:])
    return _MARK.sub("", "".join(out)).replace(MERGE_OPEN, "").replace(MERGE_CLOSE, "")


_ROOT_TAG = re.compile(r"<w:document\b[^>]*>")
_TABLE_TAG = re.compile(r"<w:tbl>|</w:tbl>")


def _tables(document: str):
    """(start, end) of each outermost table of the body, in order."""
    depth, start = 0, 0
    for match in _TABLE_TAG.finditer(document):
        if match.group(0) == "<w:tbl>":
            if depth == 0:
                start = match.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                yield start, match.end()


def merge_cells(document: str) -> str:
    """document.xml with marked equal cells merged and every mark removed; only the tables holding marks are
    parsed (parsing a whole report for them was most of a document's rendering time)."""
    root = _ROOT_TAG.search(document)
    namespaces = root.group(0)[len("<w:document"):-1] if root else f' xmlns:w="{W[1:-1]}"'
    out: list[str] = []
    last = 0
    for start, end in _tables(document):
        fragment = document[start:end]
        if MERGE_OPEN not in fragment:
            continue
        out.append(document[last:start])
        last = end
        if _plain(fragment):
            out.append(_merge_table_text(fragment))
            continue
        wrapper = etree.fromstring(f"<w:wrap{namespaces}>{fragment}</w:wrap>".encode("utf-8"))
        table = wrapper[0]
        _merge_table(table)
        text = etree.tostring(table, encoding="unicode")
        head, _, rest = text.partition(">")             # the declarations lxml repeats on the table's start tag
        out.append(re.sub(r'\s+xmlns:\w+="[^"]*"', "", head) + ">" + rest)
    out.append(document[last:])
    merged = "".join(out)
    if MERGE_OPEN in merged or MERGE_CLOSE in merged:      # a mark outside a table: nothing to merge, drop it
        merged = _MARK.sub("", merged).replace(MERGE_OPEN, "").replace(MERGE_CLOSE, "")
    return merged


def merge_markdown(text: str) -> str:
    """The same pass over Markdown tables: a marked cell equal to the marked cell above it is left blank."""
    if MERGE_OPEN not in text:
        return text
    out: list[str] = []
    above: dict[int, tuple[str, str]] = {}
    for line in text.split("\n"):
        if not line.startswith("|"):
            above = {}
            out.append(line)
            continue
        cells = re.split(r"(?<!\\)\|", line)
        current: dict[int, tuple[str, str]] = {}
        for i, cell in enumerate(cells):
            match = _MARK.search(cell)
            if match is None:
                continue
            mark = (match.group(1), _MARK.sub("", cell).strip())
            current[i] = mark
            blank = cell[:len(cell) - len(cell.lstrip())] + cell[len(cell.rstrip()):]
            cells[i] = blank if above.get(i) == mark else _MARK.sub("", cell)
        above = current
        out.append("|".join(cells))
    return "\n".join(out).replace(MERGE_OPEN, "").replace(MERGE_CLOSE, "")
