"""The merge pass on a small table: equal marked cells of a column become one vertically merged cell, on the fast
text path and on the lxml path it keeps for tables holding bookmarks and the like — the same result either way."""
from __future__ import annotations

from lxml import etree

from generator.render import merge
from generator.render.environment import MERGE_CLOSE, MERGE_OPEN
from generator.render.merge import merge_cells

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _cell(text: str, marked: bool = True, extra: str = "") -> str:
    mark = f"{MERGE_OPEN}g{MERGE_CLOSE}" if marked else ""
    return (f'<w:tc><w:tcPr><w:tcW w:w="1000" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
            f'<w:p><w:pPr><w:pStyle w:val="表格文字"/></w:pPr>{extra}<w:r><w:t xml:space="preserve">{mark}{text}</w:t></w:r></w:p></w:tc>')


def _document(extra: str = "") -> str:
    rows = [("一级", "甲"), ("一级", "乙"), ("二级", "丙")]
    body = "".join(f"<w:tr>{_cell(a, extra=extra if i == 0 else '')}{_cell(b, marked=False)}</w:tr>"
                   for i, (a, b) in enumerate(rows))
    return (f'<w:document xmlns:w="{W}"><w:body><w:p/><w:tbl><w:tblPr/><w:tblGrid><w:gridCol w:w="1000"/>'
            f'<w:gridCol w:w="1000"/></w:tblGrid>{body}</w:tbl><w:sectPr/></w:body></w:document>')


def _first_column(xml: str) -> list[tuple[str | None, str]]:
    """(vMerge value or None, text) of each row's first cell; a continued cell has vMerge "continue"."""
    root = etree.fromstring(xml.encode("utf-8"))
    out = []
    for tc in root.iter(f"{{{W}}}tr"):
        cell = tc.find(f"{{{W}}}tc")
        vmerge = cell.find(f"{{{W}}}tcPr/{{{W}}}vMerge")
        value = None if vmerge is None else vmerge.get(f"{{{W}}}val", "continue")
        out.append((value, "".join(t.text or "" for t in cell.iter(f"{{{W}}}t"))))
    return out


EXPECTED = [("restart", "一级"), ("continue", ""), (None, "二级")]


def _lxml_tables(monkeypatch) -> list:
    """Records each table the lxml path merges."""
    seen: list = []
    original = merge._merge_table
    monkeypatch.setattr(merge, "_merge_table", lambda table: (seen.append(table), original(table))[1])
    return seen


def test_equal_marked_cells_merge_on_the_text_path(monkeypatch):
    through_lxml = _lxml_tables(monkeypatch)
    merged = merge_cells(_document())
    assert through_lxml == []
    assert _first_column(merged) == EXPECTED
    assert MERGE_OPEN not in merged and MERGE_CLOSE not in merged
    # the vMerge goes where the schema wants it: after tcW, before vAlign
    assert '<w:tcW w:w="1000" w:type="dxa"/><w:vMerge w:val="restart"/><w:vAlign' in merged


def test_a_table_with_a_bookmark_merges_the_same_through_lxml(monkeypatch):
    through_lxml = _lxml_tables(monkeypatch)
    bookmark = '<w:bookmarkStart w:id="0" w:name="_GoBack"/><w:bookmarkEnd w:id="0"/>'
    merged = merge_cells(_document(bookmark))
    assert len(through_lxml) == 1
    assert _first_column(merged) == EXPECTED
    assert merged.count("<w:bookmarkStart") == 1 and merged.count("<w:bookmarkEnd") == 1
    assert MERGE_OPEN not in merged
