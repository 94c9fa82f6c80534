"""The hostile suite: each case asserts its outcome class; the count of passed cases per category is printed."""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent.parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))      # packages.py and the package checker of test_docx_package.py

# Every category of hostile input, in the order the summary prints them. "template" and "profile" cases come with
# the packs redesign (sandboxed templates, profiles named rather than given as a path): add them as categories
# of their own so that the summary shows them.
CATEGORIES = ("workbook", "yaml", "file-name", "argument", "web", "fuzz", "template", "profile")

_passed: Counter = Counter()
_failed: Counter = Counter()


@pytest.fixture
def category(request):
    """Mark the running test as a case of `name`; a hypothesis test adds the examples it ran as `cases`."""
    def mark(name: str, cases: int = 1) -> None:
        assert name in CATEGORIES, name
        request.node.user_properties.append(("hostile", (name, cases)))
    return mark


def pytest_runtest_logreport(report) -> None:
    if report.when != "call":
        return
    for key, value in report.user_properties:
        if key == "hostile":
            name, cases = value
            (_passed if report.passed else _failed)[name] += cases


def pytest_terminal_summary(terminalreporter) -> None:
    if not (_passed or _failed):
        return
    terminalreporter.section("hostile cases per category")
    for name in CATEGORIES:
        failed = f"  ({_failed[name]} failed)" if _failed[name] else ""
        terminalreporter.write_line(f"{name:<10} {_passed[name]:>5}{failed}")
    total_failed = sum(_failed.values())
    terminalreporter.write_line(f"{'total':<10} {sum(_passed.values()):>5}" +
                                (f"  ({total_failed} failed)" if total_failed else ""))
