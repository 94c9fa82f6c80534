"""Property-based fuzzing of cell values through the Excel reader: whatever a cell holds, the reader returns a model
whose texts XML can hold and whose numbers are in range, or refuses in Chinese at a place — never anything else."""
from __future__ import annotations

import io
import re
import tempfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from generator.problems import InputError, Severity
from generator.readers import read_input
from hostile_cases import XLSX_NAME, base_workbook

CHINESE = re.compile(r"[\u4e00-\u9fff]")
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
PLACE = re.compile(rf"^({re.escape(XLSX_NAME)}|[^!]+!([A-Z]+\d+|\d+:\d+|A\d+))$")
# (sheet, cell, what it holds) of the base workbook
CELLS = [("项目", "Q3", "amount"), ("单位信息", "B4", "year"), ("单位信息", "B16", "headcount"),
         ("单位信息", "B10", "date"), ("项目", "A3", "name"), ("绩效指标", "F5", "target"), ("项目", "B3", "yes-no"),
         ("绩效指标", "I5", "weight"), ("收支情况", "E2", "amount"), ("单位信息", "B2", "name")]

# Text Excel can store: openpyxl refuses the control characters themselves, so they come as Excel writes them.
texts = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60).map(
        lambda t: ILLEGAL_CHARACTERS_RE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", t)),
    st.sampled_from(["NaN", "inf", "-Infinity", "1e308", "-1e308", "1e999999", "12万元", "是", "否", "也许", "√",
                     "２０２３", "9999-12-31", "2024-02-30", "=1+1", "#DIV/0!", "_x001F_", "_xD800_", " ", "　"]),
)
values = st.one_of(
    texts,
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-10 ** 30, max_value=10 ** 30),
    st.booleans(),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)),
)
_examples = {"count": 0}


def _workbook_with(sheet: str, ref: str, value) -> Path:
    book = load_workbook(io.BytesIO(base_workbook()))
    book[sheet][ref] = value
    folder = Path(tempfile.mkdtemp(prefix="jxzp-fuzz-"))
    path = folder / XLSX_NAME
    book.save(path)
    return path


def _walk(node, found: list) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _walk(key, found)
            _walk(value, found)
    elif isinstance(node, list):
        for item in node:
            _walk(item, found)
    else:
        found.append(node)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cell=st.sampled_from(CELLS), value=values)
def test_any_cell_value_is_read_safely_or_refused_in_chinese(cell, value):
    _examples["count"] += 1
    sheet, ref, _ = cell
    path = _workbook_with(sheet, ref, value)
    try:
        report, problems = read_input(path)
    except InputError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert CHINESE.search(problem.message), problem
            assert PLACE.match(problem.place), problem
        assert any(p.severity is Severity.ERROR for p in exc.problems)
        return
    finally:
        path.unlink()
        path.parent.rmdir()
    leaves: list = []
    _walk(report.model_dump(), leaves)
    for leaf in leaves:
        if isinstance(leaf, str):
            assert not NOT_XML.search(leaf), repr(leaf)
            assert leaf.strip().lower() not in ("nan", "inf", "-inf", "infinity", "-infinity"), repr(leaf)
        if isinstance(leaf, Decimal):
            assert leaf.is_finite() and abs(leaf) <= Decimal(10) ** 15, leaf
    assert 1990 <= report.unit.year <= 2100
    if report.unit.report_date is not None:
        assert 1990 <= report.unit.report_date.year <= 2100
    staffing = report.unit.staffing
    assert all(v is None or 0 <= v <= 10 ** 7 for v in (staffing.establishment, staffing.in_post, staffing.retired))
    for problem in problems:
        assert CHINESE.search(problem.message) and PLACE.match(problem.place), problem


def test_the_fuzzing_ran(category):
    """Counts the examples the property above ran (it runs first, in file order)."""
    assert _examples["count"] >= 100
    category("fuzz", _examples["count"])
