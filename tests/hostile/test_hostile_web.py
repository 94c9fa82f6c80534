"""Hostile uploads to the web page: each answered in Chinese (refused, or read with its problems at their places),
never a traceback, and a package generated earlier on the page left byte for byte as it was."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from generator.web import create_app
from hostile_cases import BASE, XLSX_NAME, YAML_NAME, Case, input_cases

JSON = {"accept": "application/json"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Every refused input case and a sample of the accepted ones, uploaded as the browser would send them. (The page
# refuses a sheet whose declared range exceeds 50,000 rows, so the longest blank gaps are the command line's.)
CASES = [c for c in input_cases() if c.category in ("workbook", "yaml")
         and (c.outcome == "refused" or c.name.startswith(("name-", "unit-name=", "amount=1e"))
              or c.name in ("blank-gap-2500", "blank-gap-10000"))]
NAMES = ["../../etc/passwd", "..\\..\\boot.ini", "/abs/填报.yaml", "a\x00b.yaml", "CON", "", " ", "名" * 300,
         "\u202egnp.yaml", "填报.yaml\r\nX-Injected: 1", "%2e%2e%2f填报.yaml", "<script>.yaml"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    work = tmp_path_factory.mktemp("web-hostile")
    with TestClient(create_app(work)) as client:
        # Every request carries the page's anti-forgery token, as the page's script sends it.
        page = client.get("/").text
        client.headers["X-CSRF-Token"] = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
        yield client, work


@pytest.fixture(scope="module")
def earlier(site) -> tuple[str, dict[str, bytes]]:
    """A package generated on the page before the hostile uploads, and its bytes."""
    client, work = site
    answer = client.post("/upload", files={"file": (BASE.name, BASE.read_bytes())}, headers=JSON)
    assert answer.status_code == 201, answer.text
    job = answer.json()["job"]
    assert client.post(f"/jobs/{job}/generate", headers=JSON).status_code == 202
    deadline = time.monotonic() + 120
    while client.get(f"/jobs/{job}/status").json()["state"] not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert client.get(f"/api/jobs/{job}").json()["state"] == "done"
    return job, _files(work / "jobs" / job)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _answer_is_chinese(answer) -> None:
    assert answer.status_code < 500, answer.text
    assert "Traceback" not in answer.text


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_hostile_upload_is_answered_at_its_place(case: Case, site, earlier, tmp_path, category):
    category("web")
    client, work = site
    source = case.make(tmp_path)
    answer = client.post("/upload", files={"file": (source.name, source.read_bytes())}, headers=JSON)
    _answer_is_chinese(answer)
    if answer.status_code == 201:
        problems = answer.json()["summary"]["problems"]
        if case.outcome == "refused":
            found = [p for p in problems if p["severity"] == "错误" and p["place"] == case.place
                     and all(w in p["message"] for w in case.words)]
            assert found, problems
            summary = answer.json()["summary"]
            # a file-level refusal: nothing usable, or (one pass) the rest shown but nothing can be generated from it
            assert not summary["readable"] or summary.get("incomplete") or case.place not in (XLSX_NAME, YAML_NAME)
        else:
            assert answer.json()["summary"]["readable"], problems
    else:
        assert case.outcome == "refused", answer.text
        message = answer.json()["error"]
        assert CHINESE.search(message)
        # The page refuses some files as a whole before reading them (not UTF-8, binary, anchors, nesting): the
        # message then concerns the upload itself; when the reader refused, its place is named.
        problems = answer.json().get("problems", [])
        if problems:
            assert any(p["place"] == case.place for p in problems), problems
    job, files = earlier
    assert _files(work / "jobs" / job) == files


@pytest.mark.parametrize("name", NAMES, ids=[f"name-{i}" for i in range(len(NAMES))])
def test_a_hostile_upload_name_is_never_a_path(name, site, earlier, category):
    category("web")
    client, work = site
    before = {p.relative_to(work).as_posix() for p in work.rglob("*")}
    answer = client.post("/upload", files={"file": (name, BASE.read_bytes())}, headers=JSON)
    _answer_is_chinese(answer)
    assert answer.status_code in (201, 400, 422), answer.text
    if answer.status_code != 201:
        assert CHINESE.search(answer.json()["error"])
    after = {p.relative_to(work).as_posix() for p in work.rglob("*")}
    assert all(p.startswith("jobs") for p in after - before), after - before
    job, files = earlier
    assert _files(work / "jobs" / job) == files
