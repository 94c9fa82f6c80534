"""The page's pack chooser: a bundled pack chosen at upload shapes the findings, the package and the comparison; only
bundled pack names are taken from the web. And the 校验报告 of a package downloads as a Word document."""
from __future__ import annotations

import io
import re
import sqlite3
from pathlib import Path

import pytest
from docx import Document

from generator.generate import generate
from generator.pack import PACKS_DIR, bundled_packs
from generator.pipeline import evaluate
from generator.web import create_app
from test_api import CORRECTED, PageClient, JSON, PUBLISHED, generated, job_folders, refused, upload, uploaded


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("web-packs")


@pytest.fixture(scope="module")
def client(work):
    with PageClient(create_app(work)) as client:
        yield client


def _outline(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("## ")]


@pytest.fixture(scope="module")
def outlines(tmp_path_factory) -> dict[str, list[str]]:
    """The department report's chapters of the Lizhou example in each pack, as the command line makes them."""
    out = tmp_path_factory.mktemp("cli-packs")
    found = {}
    for pack in ("全国", "湖南"):
        folder = generate(CORRECTED, out / pack, ("md",), pack=pack).folder
        found[pack] = _outline((folder / "部门整体支出绩效自评报告.md").read_text(encoding="utf-8"))
    assert found["全国"] != found["湖南"]
    return found


def test_the_upload_form_offers_the_workbooks_choice_first_then_every_bundled_pack(client):
    page = client.get("/").text
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', page)
    assert options[0] == ("", "按填报表（模板字段，未填则按评分规则）")
    assert [value for value, _ in options[1:]] == bundled_packs()


def test_a_chosen_pack_shapes_the_page_the_package_and_is_remembered(client, work, outlines):
    plain = generated(client, uploaded(client, CORRECTED))
    answer = client.post("/upload", files={"file": (CORRECTED.name, CORRECTED.read_bytes())}, data={"pack": "湖南"},
                         headers=JSON)
    assert answer.status_code == 201, answer.text
    job = answer.json()["job"]
    page = client.get(f"/jobs/{job}").text
    assert "模板：湖南（上传时选择）" in page
    assert re.search(r'<option value="湖南"[^>]* selected>', page), "the next upload offers the same pack"
    details = generated(client, job)
    assert details["pack"] == "湖南" and details["pack_chosen"] == "湖南"
    report = next(f for f in details["files"] if f["path"] == "部门整体支出绩效自评报告.md")
    assert _outline(client.get(report["url"]).text) == outlines["湖南"]
    # Another pack is a new package, not a revision of the unit's 全国 package: nothing to compare it with.
    assert plain["pack"] == evaluate(CORRECTED).pack.name != "湖南"
    assert details["based_on"] is None and details["changes"] is None
    with sqlite3.connect(work / "jxzp.sqlite3") as db:
        assert db.execute("SELECT pack FROM uploads WHERE id = ?", (job,)).fetchone() == ("湖南",)
    # The same pack again: compared with the 湖南 package.
    again = client.post("/upload", files={"file": (CORRECTED.name, CORRECTED.read_bytes())}, data={"pack": "湖南"},
                        headers=JSON).json()["job"]
    assert generated(client, again)["based_on"] == job
    assert "<td>湖南</td>" in client.get(f"/jobs/{again}").text       # the unit's uploads name their pack


@pytest.mark.parametrize("value", ["不存在的模板包", str(PACKS_DIR / "湖南"), "../湖南", "湖南/../全国"])
def test_anything_but_a_bundled_pack_name_is_refused_in_chinese(client, work, value):
    before = job_folders(work)
    answer = client.post("/upload", files={"file": (CORRECTED.name, CORRECTED.read_bytes())}, data={"pack": value},
                         headers=JSON)
    refused(answer, 400, "没有名为", "的模板包", "湖南")
    assert job_folders(work) == before
    page = client.post("/upload", files={"file": (CORRECTED.name, CORRECTED.read_bytes())}, data={"pack": value},
                       headers={"accept": "text/html"})
    assert page.status_code == 400 and "请在“材料格式”中选择" in page.text and "Traceback" not in page.text


def test_the_check_report_downloads_as_a_word_document_from_the_findings(client):
    job = uploaded(client, PUBLISHED)
    details = generated(client, job, force=True)
    page = client.get(f"/jobs/{job}").text
    link = re.search(r'href="(/jobs/[0-9a-f]+/files/(\d+))" download data-check-docx', page)
    assert link, "the findings offer the 校验报告 in Word"
    assert details["files"][int(link.group(2))]["path"] == "校验报告.docx"
    # In the file list: after the reports, in Word and 文本版, next to the findings on this page.
    row = page[page.index('<td class="file-name">校验报告</td>'):]
    row = row[:row.index("</tr>")]
    assert page.index('<td class="file-name">部门整体支出绩效自评报告</td>') < page.index('<td class="file-name">校验报告</td>')
    assert ">Word <" in row and ">文本版 <" in row and 'href="#findings"' in row
    document = Document(io.BytesIO(client.get(link.group(1)).content))
    assert document.paragraphs[0].text.endswith("年度绩效自评材料校验报告")
    counts = upload(client, PUBLISHED).json()["summary"]["counts"]
    assert counts["错误"] and counts["警告"]
    assert f"发现问题：错误 {counts['错误']} 个，警告 {counts['警告']} 个，提示 {counts['提示']} 个" in \
        [p.text for p in document.paragraphs]


def test_a_history_written_before_packs_were_chosen_gets_the_column_and_keeps_its_rows(tmp_path):
    from generator.web.history import History

    path = tmp_path / "jxzp.sqlite3"
    with sqlite3.connect(path) as db:           # the table as it was before the pack column
        db.execute("CREATE TABLE uploads (id TEXT PRIMARY KEY, unit_key TEXT NOT NULL, unit TEXT, year INTEGER, "
                   "created REAL NOT NULL, source_name TEXT NOT NULL, errors INTEGER NOT NULL DEFAULT 0, "
                   "warnings INTEGER NOT NULL DEFAULT 0, hints INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL, "
                   "package TEXT, generated REAL, seconds REAL, data TEXT NOT NULL)")
        db.execute("INSERT INTO uploads VALUES ('a', 'k', '单位', 2021, 1, '旧.xlsx', 0, 0, 0, 'done', 'p', 2, 1, '{}')")
    history = History(path)
    assert history.last_package("k", "new", "湖南") == "a"        # a package of unknown pack is still compared
    history.save({"id": "b", "created": 3, "source_name": "新.xlsx", "state": "done"}, key="k", unit="单位", year=2021,
                 counts={}, package="q", generated=4, pack="湖南")
    assert history.last_package("k", "new", "湖南") == "b"
    assert history.last_package("k", "b", "安徽") == "a"
    assert [row["pack"] for row in history.uploads_of("k")] == ["湖南", None]
    history.close()
