"""Test options: --update-golden rewrites tests/golden/ from the current output."""
from __future__ import annotations


def pytest_addoption(parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the golden files of tests/golden/ from the current output")


def pytest_configure(config) -> None:
    """Compiled templates go to a cache folder of this test session (and its subprocesses), never the user's."""
    import os
    import tempfile

    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="jxzp-test-cache-")
