"""Test options: --update-golden rewrites tests/golden/ from the current output."""
from __future__ import annotations


def pytest_addoption(parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the golden files of tests/golden/ from the current output")
