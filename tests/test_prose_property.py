"""Properties of the narrative scanner on every example input (the corrected copies, which have no finding): any one
amount the scanner reads in a text, changed by 0.01 万元 or more, is found at that text's cell; changing a word that is
no figure is not.

Amounts covered: every 万元 amount the scanner ties to a figure — a label's amount (收入决算…, 基本支出…, a project's
执行数…) and a change from last year (比上年增加…万元). Not covered, and why:
- an amount whose words name no column (基本支出689.5万元) may be any column's figure of its row, so changing it to
  another column's value (its 全年预算数, say) is no contradiction; those values are left out of the draw;
- the parts after 其中 are found when they add up to more than their total, but a part made smaller is a list that
  need not be complete (其中 names the main uses), unless it is the total's whole catalog breakdown;
- percentages (占100%, 增长6.08%) are written with fewer decimals than 0.01 can move (占0% is 0.0084%);
- amounts next to no known label are not read at all (the scanner says nothing rather than guess).
"""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from generator.checks import run_checks
from generator.checks import prose
from generator.checks.engine import Context
from generator.compute import compute
from generator.pipeline import evaluate

INPUTS = Path(__file__).resolve().parent.parent / "inputs"
EXAMPLES = sorted(INPUTS.glob("*-corrected.yaml"))


def _get(report, path: str):
    node = report
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else getattr(node, part)
    return node


def _set(report, path: str, value: str) -> None:
    *head, attribute = path.split(".")
    node = report
    for part in head:
        node = node[int(part)] if isinstance(node, list) else getattr(node, part)
    setattr(node, attribute, value)


LEFT_BLANK = {"section-fallback", "three-public-empty"}
"""Warnings that a part the pack prints was left blank (shifeng publishes no 三公 or 厉行节约): not about the text."""


def _load(path: Path):
    evaluation = evaluate(path)
    assert [p for p in evaluation.problems if p.code not in LEFT_BLANK] == [], path
    results = evaluation.results
    return results.report, results.profile, Context(results)


LOADED = {p.name: _load(p) for p in EXAMPLES}


def _read(name: str):
    report, profile, ctx = LOADED[name]
    return prose.readings(ctx), ctx


def _amounts(name: str) -> list[tuple[str, int, int, tuple[Decimal, ...]]]:
    """(field path, start, end, values it may equal) of every covered amount of an example's texts."""
    readings, ctx = _read(name)
    out = []
    for reading in readings:
        if not isinstance(_get(LOADED[name][0], reading.field.path), str):
            continue
        for said in reading.said:
            if said.kind == "amount":
                figure = prose.figure_of(ctx, reading, said)
                if figure is not None:
                    out.append((reading.field.path, said.start, said.end, figure.accepted))
            elif said.kind == "change" and prose.change_of(ctx, reading, said.label) is not None:
                out.append((reading.field.path, said.start, said.end, ()))
    return out


COVERED = [(name, *item) for name in LOADED for item in _amounts(name)]


def test_every_example_has_amounts_the_scanner_checks():
    per_example = {name: sum(1 for c in COVERED if c[0] == name) for name in LOADED}
    assert all(count >= 3 for count in per_example.values()), per_example


deltas = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(2000), places=2)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(item=st.sampled_from(COVERED), delta=deltas, up=st.booleans())
def test_an_amount_in_a_text_changed_by_a_cent_or_more_is_found_at_its_cell(item, delta, up):
    name, path, start, end, accepted = item
    report, profile, _ = LOADED[name]
    text = _get(report, path)
    match = prose.FIGURE.match(text, start)
    old = Decimal(match.group("num").replace(",", ""))
    new = old + delta if up else old - delta
    assume(new >= 0 and all(new != v for v in accepted))
    changed = report.model_copy(deep=True)
    _set(changed, path, text[:start] + format(new, "f") + text[match.end("num"):])
    found = run_checks(compute(changed, profile))
    assert any(p.code.startswith("narrative") and p.place == report.place(path) for p in found), \
        (name, path, text[max(0, start - 30):end], format(new, "f"), [str(p) for p in found])


def _free_positions(name: str) -> list[tuple[str, int]]:
    """Characters of the texts that are no part of a figure the scanner reads: outside every phrase from a label to its
    figure and every breakdown, and no digit."""
    readings, _ = _read(name)
    report = LOADED[name][0]
    out = []
    for reading in readings:
        text = _get(report, reading.field.path)
        if not isinstance(text, str):
            continue
        busy = [False] * len(text)
        spans = [(s.start - len(s.fragment) - 8, s.end) for s in reading.said]
        spans += [(b.total_start - 30, b.parts[-1][2]) for b in reading.breakdowns]
        for lo, hi in spans:
            for i in range(max(0, lo), min(len(text), hi + 2)):
                busy[i] = True
        out += [(reading.field.path, i) for i, ch in enumerate(text)
                if not busy[i] and re.match(r"[\u4e00-\u9fff]", ch)]
    return out


FREE = [(name, *item) for name in LOADED for item in _free_positions(name)]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(item=st.sampled_from(FREE), word=st.sampled_from(["某", "工作", "有关", "重点"]))
def test_a_word_that_is_no_figure_changed_gives_no_finding(item, word):
    name, path, position = item
    report, profile, _ = LOADED[name]
    text = _get(report, path)
    changed = report.model_copy(deep=True)
    _set(changed, path, text[:position] + word + text[position + 1:])
    found = [str(p) for p in run_checks(compute(changed, profile)) if p.code.startswith("narrative")]
    assert found == [], (name, path, text[max(0, position - 20):position + 20])
