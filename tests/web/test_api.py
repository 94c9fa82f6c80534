"""The web page through Starlette's TestClient: upload, findings, generate, downloads, the zip, the preview, what
changed, and every refusal of the safety list — each answered in Chinese, never with a traceback."""
from __future__ import annotations

import io
import json
import os
import re
import statistics
import sqlite3
import time
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from generator.filters import percent, score
from generator.pipeline import evaluate
from generator.web import create_app
from generator.web.uploads import Limits

ROOT = Path(__file__).resolve().parents[2]
INPUTS = ROOT / "inputs"
BAD = ROOT / "tests" / "bad_inputs"
CORRECTED = INPUTS / "lizhou-2021-corrected.xlsx"
PUBLISHED = INPUTS / "lizhou-2021.xlsx"
JSON = {"accept": "application/json"}
MB = 1024 * 1024


class PageClient(TestClient):
    """A client that posts as the page's script does: with the anti-forgery token of the page it was given
    (read from <meta name="csrf-token"> of the home page, as app.js reads it) unless the test sets the header."""

    token: str | None = None

    def page_token(self) -> str:
        if self.token is None:
            page = self.get("/", headers={"accept": "text/html"}).text
            self.token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
        return self.token

    def request(self, method, url, *args, headers=None, **kwargs):
        if method.upper() == "POST":
            headers = dict(headers or {})
            if not any(k.lower() == "x-csrf-token" for k in headers):
                headers["X-CSRF-Token"] = self.page_token()
        return super().request(method, url, *args, headers=headers, **kwargs)


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("web")


@pytest.fixture(scope="module")
def client(work):
    with PageClient(create_app(work)) as client:
        yield client


def upload(client: TestClient, path: Path | None = None, *, data: bytes | None = None, name: str | None = None,
           headers: dict | None = None):
    content = data if data is not None else path.read_bytes()
    return client.post("/upload", files={"file": (name or path.name, content)}, headers=JSON if headers is None else headers)


def uploaded(client: TestClient, path: Path, **kwargs) -> str:
    answer = upload(client, path, **kwargs)
    assert answer.status_code == 201, answer.text
    return answer.json()["job"]


def generated(client: TestClient, job: str, force: bool = False) -> dict:
    answer = client.post(f"/jobs/{job}/generate", data={"force": "1"} if force else None, headers=JSON)
    assert answer.status_code == 202, answer.text
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = client.get(f"/jobs/{job}/status").json()
        if status["state"] in ("done", "failed"):
            break
        time.sleep(0.1)
    details = client.get(f"/api/jobs/{job}").json()
    assert details["state"] == "done", details
    return details


@pytest.fixture(scope="module")
def lizhou(client) -> dict:
    """The corrected Lizhou workbook uploaded and generated once for the module."""
    return generated(client, uploaded(client, CORRECTED))


def refused(answer, status: int, *words: str) -> str:
    """The refusal's Chinese message, checked for its status and words."""
    assert answer.status_code == status, answer.text
    message = answer.json()["error"]
    assert re.search(r"[\u4e00-\u9fff]", message)
    for word in words:
        assert word in message, message
    assert "Traceback" not in answer.text
    return message


def job_folders(work: Path) -> set[str]:
    return {p.name for p in (work / "jobs").iterdir()}


# -- pages and downloads


def test_the_home_page_offers_the_template_the_example_and_the_upload(client):
    page = client.get("/")
    assert page.status_code == 200
    for text in ("预算绩效自评材料生成", "/downloads/template", "/downloads/example", 'action="/upload"', "20 MB"):
        assert text in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("which, name", [("template", "填报模板.xlsx"), ("example", "示例-填报表")])
def test_the_blank_template_and_the_filled_example_download_as_workbooks(client, which, name, tmp_path):
    answer = client.get(f"/downloads/{which}")
    assert answer.status_code == 200
    assert "filename*=UTF-8''" in answer.headers["content-disposition"]
    assert name in unquote(answer.headers["content-disposition"])
    with zipfile.ZipFile(io.BytesIO(answer.content)) as book:
        assert "xl/workbook.xml" in book.namelist()
    if which == "example":
        saved = tmp_path / "example.xlsx"
        saved.write_bytes(answer.content)
        assert "利州区委组织部" in evaluate(saved).results.report.unit.name


# -- upload and findings


def test_an_upload_shows_unit_year_department_score_and_every_project(client):
    answer = upload(client, CORRECTED)
    assert answer.status_code == 201
    summary = answer.json()["summary"]
    results = evaluate(CORRECTED).results
    assert summary["unit"] == results.report.unit.name
    assert summary["year"] == results.report.unit.year
    assert summary["department"] == {"execution_rate": percent(results.department.execution_rate),
                                     "total": score(results.department.total), "grade": results.department.grade}
    assert [(p["name"], p["execution_rate"], p["total"]) for p in summary["projects"]] == \
        [(p.project.name, percent(p.card.execution_rate), score(p.card.total)) for p in results.projects]
    page = client.get(answer.json()["url"]).text
    for text in (summary["unit"], f"{summary['year']} 年度", summary["department"]["total"], "生成全套材料",
                 *(p["name"] for p in summary["projects"])):
        assert text in page


def test_findings_are_listed_with_severity_place_and_message_errors_first(client):
    answer = upload(client, PUBLISHED)
    problems = answer.json()["summary"]["problems"]
    expected = evaluate(PUBLISHED).problems
    assert [(p["severity"], p["place"], p["message"]) for p in problems] == \
        [(p.severity.value, p.place, p.message) for p in expected]
    order = {"错误": 0, "警告": 1, "提示": 2}
    assert [order[p["severity"]] for p in problems] == sorted(order[p["severity"]] for p in problems)
    page = client.get(answer.json()["url"]).text
    errors = [p for p in problems if p["severity"] == "错误"]
    assert errors and f"有 {len(errors)} 个错误" in page
    for p in problems:
        assert p["place"] in page
    assert page.index(errors[0]["place"]) < page.index(problems[-1]["place"])


def _text_where_an_amount_belongs(tmp_path: Path) -> tuple[Path, str]:
    book = load_workbook(CORRECTED)
    sheet = book["项目"]
    column = next(c.column_letter for c in sheet[1] if c.value == "全年执行数")
    sheet[f"{column}3"] = "八十"
    path = tmp_path / "八十.xlsx"
    book.save(path)
    return path, f"项目!{column}3"


def test_a_text_where_an_amount_belongs_is_shown_with_its_cell(client, tmp_path):
    path, place = _text_where_an_amount_belongs(tmp_path)
    answer = upload(client, path)
    assert answer.status_code == 201
    summary = answer.json()["summary"]
    assert summary["readable"]          # the value is missing, the rest of the workbook is still scored and checked
    first = summary["problems"][0]
    assert (first["severity"], first["place"]) == ("错误", place)
    assert "“八十”不是数字" in first["message"]
    page = client.get(answer.json()["url"]).text
    assert place in page and "“八十”不是数字" in page
    refused(client.post(f"{answer.json()['url']}/generate", headers=JSON), 409, "未生成")


@pytest.mark.parametrize("source, name, kind", [
    ("lizhou-2021-corrected.yaml", "填报.txt", "yaml"),
    ("lizhou-2021-corrected.xlsx", "填报.yaml", "xlsx"),
    ("lizhou-2021-corrected.xlsx", "没有扩展名", "xlsx"),
])
def test_uploads_are_accepted_by_content_not_by_file_name(client, source, name, kind):
    answer = upload(client, INPUTS / source, name=name)
    assert answer.status_code == 201, answer.text
    job = client.get(f"/api/jobs/{answer.json()['job']}").json()
    assert job["kind"] == kind
    assert job["summary"]["unit"] == evaluate(INPUTS / source).results.report.unit.name


def test_yaml_places_name_the_uploaded_file(client, tmp_path):
    text = (INPUTS / "lizhou-2021-corrected.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("单位信息:", "单位信息:\n\t坏的缩进: 1", 1), encoding="utf-8")
    message = refused(upload(client, broken, name="我的填报.yaml"), 422, "《我的填报.yaml》无法读取：我的填报.yaml:")
    assert "填报表.yaml" not in message


def test_an_upload_without_script_goes_to_its_page(client):
    answer = upload(client, CORRECTED, headers={"accept": "text/html"})
    assert answer.status_code == 200 and "生成全套材料" in answer.text
    assert re.search(r"/jobs/[0-9a-f]{32}$", str(answer.url))


# -- generate, downloads, zip, preview


def test_generation_lists_every_document_grouped_like_the_folder(client, lizhou):
    files = [f["path"] for f in lizhou["files"]]
    assert "manifest.json" in files and "校验报告.md" in files
    assert len([f for f in files if f.startswith("项目支出绩效自评报告/") and f.endswith(".docx")]) == 15
    page = client.get(f"/jobs/{lizhou['job']}").text
    assert f"已生成 {len(files) - 1} 个文件" in page
    for folder in (lizhou["folder"], "项目支出绩效自评报告", "附表", "图表"):
        assert f"{folder}<" in page or f"{folder}<span" in page
    for entry in lizhou["files"]:
        linked = f'/jobs/{lizhou["job"]}/files/{entry["index"]}"' in page
        assert linked == (entry["path"] != "manifest.json"), entry
    assert "manifest" not in page and "Markdown" not in page and "文本版" in page


def test_every_file_downloads_by_its_index(client, lizhou, work):
    folder = work / "jobs" / lizhou["job"] / "out" / lizhou["folder"]
    for entry in lizhou["files"]:
        answer = client.get(entry["url"])
        assert answer.status_code == 200
        assert answer.content == (folder / entry["path"]).read_bytes()
        assert "attachment" in answer.headers["content-disposition"]


def test_the_zip_holds_the_whole_package_with_the_15_project_reports(client, lizhou):
    answer = client.get(lizhou["zip"])
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        names = archive.namelist()
        assert archive.testzip() is None
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert names == sorted(names)
    assert sorted(n.split("/", 1)[1] for n in names) == sorted(f["path"] for f in lizhou["files"])
    assert {n.split("/", 1)[0] for n in names} == {lizhou["folder"]}
    reports = [n for n in names if n.startswith(f"{lizhou['folder']}/项目支出绩效自评报告/") and n.endswith(".docx")]
    assert len(reports) == 15


def test_the_zip_is_the_same_bytes_for_the_same_input(client, lizhou):
    again = generated(client, uploaded(client, CORRECTED))
    assert client.get(again["zip"]).content == client.get(lizhou["zip"]).content


def test_the_preview_shows_the_department_report_with_its_charts(client, lizhou):
    index = next(f["index"] for f in lizhou["files"] if f["path"].endswith("部门整体支出绩效自评报告.md"))
    page = client.get(f"/jobs/{lizhou['job']}/preview/{index}")
    assert page.status_code == 200
    assert "<h1>" in page.text and "<table>" in page.text
    charts = re.findall(r'<img[^>]*src="([^"]+)"', page.text)
    assert charts and all(re.fullmatch(rf"/jobs/{lizhou['job']}/charts/\d+", c) for c in charts)
    for chart in charts:
        image = client.get(chart)
        assert image.status_code == 200 and image.headers["content-type"].startswith("image/svg+xml")
        assert image.content.startswith(b"<svg ")


def test_the_preview_shows_any_project_report(client, lizhou):
    projects = [f for f in lizhou["files"] if f["path"].startswith("项目支出绩效自评报告/") and f["path"].endswith(".md")]
    assert len(projects) == 15
    page = client.get(f"/jobs/{lizhou['job']}/preview/{projects[-1]['index']}")
    assert page.status_code == 200
    assert Path(projects[-1]["path"]).stem.split("-", 1)[1] in page.text
    assert "<table>" in page.text


def test_only_reports_preview_and_only_charts_show_as_images(client, lizhou):
    docx = next(f["index"] for f in lizhou["files"] if f["path"].endswith(".docx"))
    refused(client.get(f"/jobs/{lizhou['job']}/preview/{docx}", headers=JSON), 404, "只能预览")
    refused(client.get(f"/jobs/{lizhou['job']}/charts/{docx}", headers=JSON), 404)


def test_a_corrected_upload_says_what_changed_since_the_previous_generation(client, lizhou, tmp_path):
    book = load_workbook(CORRECTED)
    sheet = book["绩效指标"]
    header = {c.value: c.column_letter for c in sheet[1]}
    row = next(r[0].row for r in sheet.iter_rows(min_row=2)
               if r[0].value == "城市社区党建及城乡综合治理" and r[3].value == "小区党组织建设经费拨付率")
    sheet[f"{header['计分实际值']}{row}"] = 75
    corrected = tmp_path / "改正后.xlsx"
    book.save(corrected)
    before = evaluate(CORRECTED).results.projects[0].card.total
    after = evaluate(corrected).results.projects[0].card.total
    assert score(before) != score(after)

    job = generated(client, uploaded(client, corrected))
    changes = job["changes"]
    base = client.get(f"/api/jobs/{job['based_on']}").json()   # the unit's latest package, whichever upload made it
    assert base["state"] == "done" and base["summary"]["unit"] == lizhou["summary"]["unit"]
    assert base["summary"]["projects"][0]["total"] == score(before)
    assert "项目支出绩效自评报告/01-城市社区党建及城乡综合治理.docx" in changes["files_changed"]
    assert "项目支出绩效自评报告/15-组织系统信息化.docx" not in changes["files_changed"]
    assert f"城市社区党建及城乡综合治理 项目得分 {score(before)} → {score(after)}" in changes["figures"]
    texts = {t["document"]: t["lines"] for t in changes["texts"]}
    assert "项目支出绩效自评报告/15-组织系统信息化" not in texts
    report = texts["项目支出绩效自评报告/01-城市社区党建及城乡综合治理"]
    old = ["".join(text for _, text in line["before"]) for line in report]
    new = ["".join(text for _, text in line["after"]) for line in report]
    assert any(score(before) in line for line in old) and any(score(after) in line for line in new)
    page = client.get(f"/jobs/{job['job']}").text
    assert "与上次生成相比" in page and "文字变化" in page
    assert f"项目得分 {score(before)} → {score(after)}" in page
    assert f"<ins>{score(after)[-1]}" in page or f"<ins>{score(after)}" in page or "<ins>" in page


def test_an_upload_of_another_unit_is_not_compared(client, lizhou):
    job = generated(client, uploaded(client, INPUTS / "shifeng-2023-corrected.xlsx"))
    assert job["changes"] is None and job["based_on"] is None


def test_errors_stop_generation_unless_forced(client):
    job = uploaded(client, PUBLISHED)
    refused(client.post(f"/jobs/{job}/generate", headers=JSON), 409, "个错误", "有错误也生成")
    details = generated(client, job, force=True)
    assert details["forced"] is True
    # The download says what it is wherever it is saved: a package that did not pass the checks.
    disposition = unquote(client.get(details["zip"]).headers["content-disposition"])
    assert f"{details['folder']}（未通过校验）.zip" in disposition
    assert f"{details['folder']}（未通过校验）.zip" in client.get(f"/jobs/{job}").text


# -- refusals


def test_an_upload_over_20_mb_is_refused_before_it_is_read(client, work):
    before = job_folders(work)
    refused(upload(client, data=b"x" * (20 * MB + 1), name="大.xlsx"), 413, "文件过大", "20 MB")
    assert job_folders(work) == before


def test_a_streamed_upload_is_cut_off_at_the_limit(client, work):
    before = job_folders(work)
    boundary = "jxzp-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()

    def body():
        yield head
        for _ in range(21):
            yield b"\0" * MB
        yield f"\r\n--{boundary}--\r\n".encode()

    answer = client.post("/upload", content=body(), headers={**JSON, "content-type": f"multipart/form-data; boundary={boundary}"})
    refused(answer, 413, "文件过大")
    assert job_folders(work) == before


def _workbook_zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("name, data, words", [
    ("empty.xlsx", b"", ("文件是空的",)),
    ("random.xlsx", os.urandom(4096), ("既不是 Excel 工作簿",)),
    ("text.xlsx", "这不是填报表，只是一段文字".encode("utf-8"), ("不是填报文件",)),
    ("gbk.yaml", "单位信息:\n  单位名称: 某单位\n".encode("gbk"), ("UTF-8",)),
    ("list.yaml", "- 单位信息\n- 项目\n".encode("utf-8"), ("单位信息",)),
    ("report.xlsx", _workbook_zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"}), ("Word 文档",)),
    ("archive.xlsx", _workbook_zip({"a.txt": b"hello"}), ("压缩文件",)),
    ("broken.xlsx", b"PK\x03\x04" + os.urandom(2000), ("已损坏",)),
])
def test_what_is_not_an_input_is_refused_by_its_content(client, work, name, data, words):
    before = job_folders(work)
    refused(upload(client, data=data, name=name), 422, *words)
    assert job_folders(work) == before


@pytest.mark.parametrize("bad", ["old-format.xls", "password.xlsx"])
def test_old_and_password_protected_workbooks_get_the_readers_message(client, bad):
    expected = evaluate(BAD / bad).problems[0].message
    message = refused(upload(client, BAD / bad, name="上传.xlsx"), 422)
    assert expected in message and "《上传.xlsx》" in message


def test_a_zip_bomb_is_refused_before_the_workbook_is_opened(client):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            for _ in range(64):
                part.write(b"\0" * MB)
    assert len(bomb.getvalue()) < MB
    refused(upload(client, data=bomb.getvalue(), name="bomb.xlsx"), 422, "压缩炸弹", "64 MB")


def test_a_workbook_of_too_many_parts_or_too_much_unzipped_is_refused(tmp_path):
    small = Limits(unpacked_bytes=MB // 4, entries=50)
    with PageClient(create_app(tmp_path, limits=small)) as client:
        many = _workbook_zip({"xl/workbook.xml": b"<workbook/>", **{f"xl/media/{i}.txt": b"x" for i in range(60)}})
        refused(upload(client, data=many, name="many.xlsx"), 422, "61 个部件")
        refused(upload(client, CORRECTED), 422, "解压后达")


def test_a_sheet_of_absurd_dimensions_is_refused_with_its_name(client):
    with zipfile.ZipFile(CORRECTED) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    project_part = next(name for name, data in parts.items()
                        if name.startswith("xl/worksheets/sheet") and b'<dimension ref="A1:AH' in data)
    parts[project_part] = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', parts[project_part])
    refused(upload(client, data=_workbook_zip(parts), name="huge.xlsx"), 422, "工作表“项目”", "A1:XFD1048576",
            "1048576 行")


def test_yaml_that_would_expand_is_refused(client):
    laughs = ["单位信息: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    laughs += [f"k{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    started = time.monotonic()
    refused(upload(client, data="\n".join(laughs).encode("utf-8"), name="laughs.yaml"), 422, "锚点和别名")
    assert time.monotonic() - started < 5


def test_yaml_nested_without_end_is_refused(client):
    deep = "单位信息:\n  a: " + "[" * 500 + "]" * 500 + "\n"
    refused(upload(client, data=deep.encode("utf-8"), name="deep.yaml"), 422, "嵌套")


@pytest.mark.parametrize("url", [
    "/jobs/..%2F..%2Fetc%2Fpasswd",
    "/jobs/....//....//etc/passwd",
    "/jobs/%2e%2e",
    "/jobs/0123456789abcdef0123456789abcdef",
    "/jobs/0123456789ABCDEF0123456789ABCDEF",
    "/jobs/0123456789abcdef0123456789abcdef0",
    "/api/jobs/..%2Fjobs",
    "/jobs/..%2F..%2Fjobs/files/0",
    "/jobs/0123456789abcdef0123456789abcdef/package.zip",
    "/jobs/0123456789abcdef0123456789abcdef/status",
    "/static/..%2F..%2Fapp.py",
    "/static/../app.py",
    "/downloads/..%2F..%2Fpyproject.toml",
])
def test_bad_job_ids_and_path_traversal_find_nothing(client, url):
    answer = client.get(url, headers=JSON)
    assert answer.status_code == 404
    assert re.search(r"[\u4e00-\u9fff]", answer.json()["error"])
    assert "Traceback" not in answer.text and "[tool" not in answer.text and "def " not in answer.text


@pytest.mark.parametrize("suffix", ["files/999", "files/-1", "files/..%2Fjob.json", "files/abc", "preview/999",
                                    "charts/999", "files/1.5"])
def test_unknown_file_indexes_find_nothing(client, lizhou, suffix):
    answer = client.get(f"/jobs/{lizhou['job']}/{suffix}", headers=JSON)
    assert answer.status_code == 404
    assert re.search(r"[\u4e00-\u9fff]", answer.json()["error"])


def test_nothing_downloads_before_generation(client):
    job = uploaded(client, CORRECTED)
    refused(client.get(f"/jobs/{job}/package.zip", headers=JSON), 404, "还没有生成")
    refused(client.get(f"/jobs/{job}/files/0", headers=JSON), 404, "没有这个文件")


def test_the_browsers_file_name_is_never_a_path(client, work):
    answer = upload(client, CORRECTED, name="../../../../tmp/evil.xlsx")
    job = answer.json()["job"]
    assert sorted(p.name for p in (work / "jobs" / job).iterdir()) == ["填报表.xlsx"]
    assert client.get(f"/api/jobs/{job}").json()["source"] == "evil.xlsx"


def test_posts_from_other_sites_are_refused(client):
    refused(upload(client, CORRECTED, headers={**JSON, "origin": "http://evil.example"}), 403, "拒绝")


def test_requests_the_page_does_not_make_get_chinese_messages(client, lizhou):
    refused(client.get("/upload", headers=JSON), 405, "请求方式")
    refused(client.post(f"/jobs/{lizhou['job']}/generate", data={"force": "1" * MB}, headers=JSON), 400, "生成")
    refused(client.post("/upload", data={"x": "1"}, headers=JSON), 400, "没有收到文件")
    page = client.get("/no/such/page")
    assert page.status_code == 404 and "找不到" in page.text and "回到首页" in page.text


def test_a_refusal_without_script_shows_the_home_page_with_the_message(client):
    answer = upload(client, data=b"hello", name="a.xlsx", headers={"accept": "text/html"})
    assert answer.status_code == 422
    assert "未能接收" in answer.text and "不是填报文件" in answer.text and 'action="/upload"' in answer.text


def test_an_unexpected_error_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    import generator.web.worker as worker

    def broken(path, profile=None):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(worker, "evaluate", broken)
    # Without worker processes the check runs in this process, where the broken reader is in place.
    with PageClient(create_app(tmp_path, workers=0), raise_server_exceptions=False) as client:
        for headers in (JSON, {"accept": "text/html"}):
            answer = upload(client, CORRECTED, headers=headers)
            assert answer.status_code == 500
            assert "意外错误" in answer.text
            assert "secret internal detail" not in answer.text and "Traceback" not in answer.text
        assert job_folders(tmp_path) == set()


# -- cleanup


def test_old_jobs_are_removed_and_then_not_found(tmp_path):
    app = create_app(tmp_path, keep_days=1)
    with PageClient(app) as client:
        job = uploaded(client, CORRECTED)
        assert client.get(f"/jobs/{job}").status_code == 200
        app.state.store.cleanup(now=time.time() + 2 * 86400)
        assert not (tmp_path / "jobs" / job).exists()
        refused(client.get(f"/jobs/{job}", headers=JSON), 404, "找不到这次上传")


def test_old_jobs_are_removed_at_startup_and_recent_ones_kept(tmp_path):
    with PageClient(create_app(tmp_path)) as client:
        old, recent = uploaded(client, CORRECTED), uploaded(client, CORRECTED)
    long_ago = time.time() - 31 * 86400
    with sqlite3.connect(tmp_path / "jxzp.sqlite3") as db:
        data = json.loads(db.execute("SELECT data FROM uploads WHERE id = ?", (old,)).fetchone()[0])
        db.execute("UPDATE uploads SET created = ?, data = ? WHERE id = ?",
                   (long_ago, json.dumps({**data, "created": long_ago}), old))
    stray = tmp_path / "jobs" / "not-a-job"
    stray.mkdir()
    os.utime(stray, (long_ago,) * 2)
    with PageClient(create_app(tmp_path)) as client:
        assert client.get(f"/jobs/{old}").status_code == 404
        assert client.get(f"/jobs/{recent}").status_code == 200
    assert job_folders(tmp_path) == {recent}


def test_old_jobs_are_removed_while_the_page_is_used(tmp_path):
    app = create_app(tmp_path, keep_days=0.5 / 86400, cleanup_interval=0)
    with PageClient(app) as client:
        job = uploaded(client, CORRECTED)
        time.sleep(0.8)
        client.get("/")
        assert not (tmp_path / "jobs" / job).exists()


def test_text_from_the_input_is_shown_as_text_not_markup(client, tmp_path):
    text = (INPUTS / "lizhou-2021-corrected.yaml").read_text(encoding="utf-8")
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(text.replace("单位名称: 中共广元市利州区委组织部", "单位名称: '<img src=x onerror=alert(1)>组织部'", 1),
                       encoding="utf-8")
    answer = upload(client, hostile, name="<b>名字</b>.yaml")
    assert answer.status_code == 201, answer.text
    page = client.get(answer.json()["url"]).text
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;组织部" in page
    assert "<b>名字</b>" not in page


# -- work kept: units, their uploads, the comparison across days and restarts


def test_the_home_page_lists_the_units_and_a_unit_page_its_uploads(client, lizhou):
    home = client.get("/").text
    unit = lizhou["summary"]["unit"]
    key = re.search(r'href="/units/([0-9a-f]+)">' + re.escape(unit) + "<", home).group(1)
    page = client.get(f"/units/{key}").text
    assert unit in page and f"{lizhou['summary']['year']} 年度" in page
    assert f"/jobs/{lizhou['job']}/package.zip" in page and "《lizhou-2021-corrected.xlsx》" in page
    refused(client.get("/units/0123456789abcdef0123", headers=JSON), 404, "找不到这个单位")


def test_work_is_kept_across_a_restart_and_the_next_upload_is_compared(tmp_path):
    with PageClient(create_app(tmp_path, workers=1)) as client:
        first = generated(client, uploaded(client, CORRECTED, name="第一次.xlsx"))
    with PageClient(create_app(tmp_path, workers=1)) as client:
        home = client.get("/").text
        assert first["summary"]["unit"] in home
        job = uploaded(client, CORRECTED, name="第二次.xlsx")
        page = client.get(f"/jobs/{job}").text
        history = page[page.index('id="history"'):]
        assert "《第一次.xlsx》" in history and f"/jobs/{first['job']}/package.zip" in history
        assert "生成后与本单位" in page and "《第一次.xlsx》生成的材料比较" in page
        second = generated(client, job)
    assert second["based_on"] == first["job"]
    assert second["changes"]["files_changed"] == [] and second["changes"]["figures"] == []
    assert (tmp_path / "jxzp.sqlite3").is_file()


def test_another_units_upload_lists_no_earlier_uploads(client, lizhou):
    answer = upload(client, INPUTS / "shifeng-2023-corrected.xlsx")
    page = client.get(answer.json()["url"]).text
    assert lizhou["job"] not in page and lizhou["summary"]["unit"] not in page


def test_a_finding_is_one_line_its_breakdown_folded_its_rule_code_only_in_json(client, work):
    from generator.web.jobs import Job

    store = client.app.state.store
    summary = {"readable": False, "unreadable": False, "counts": {"错误": 1}, "problems": [{
        "severity": "错误", "place": "收支情况!E11", "message": "本年收入合计 1065.56 ≠ 各项之和 1065.57，差 0.01：请核对",
        "details": ["一般公共预算财政拨款收入 1065.48（收支情况!E2）", "其他收入 0.09（收支情况!E10）"],
        "code": "sum-mismatch"}]}
    job_id, _ = store.new_folder()
    store.add(Job(job_id, time.time(), "xlsx", "a.xlsx", summary))
    page = client.get(f"/jobs/{job_id}").text
    finding = page[page.index('class="finding"'):page.index("</tr>", page.index('class="finding"'))]
    assert "<details" in finding and "<summary>本年收入合计 1065.56 ≠ 各项之和 1065.57，差 0.01：请核对</summary>" in finding
    assert "其他收入 0.09（收支情况!E10）" in finding
    assert "sum-mismatch" not in page
    assert client.get(f"/api/jobs/{job_id}").json()["summary"]["problems"][0]["code"] == "sum-mismatch"


def test_findings_carry_their_details_when_the_library_gives_them():
    from dataclasses import dataclass, field

    from generator.problems import Problem, Severity
    from generator.web.worker import problem_dicts

    @dataclass(frozen=True)
    class Detailed(Problem):
        details: list = field(default_factory=list)

    plain = Problem(Severity.WARNING, "x.xlsx!A1", "说明", "code-a")
    detailed = Detailed(Severity.ERROR, "x.xlsx!B2", "合计不符", "code-b", ["甲 1（B3）", "乙 2（B4）"])
    rows = problem_dicts([plain, detailed], "x.xlsx", "我的.xlsx")
    assert [(r["place"], r["details"]) for r in rows] == [("我的.xlsx!B2", ["甲 1（B3）", "乙 2（B4）"]), ("我的.xlsx!A1", [])]


def test_the_status_gives_an_estimate_from_measured_durations(client, lizhou):
    store = client.app.state.store
    job = uploaded(client, CORRECTED)
    status = client.get(f"/jobs/{job}/status").json()
    assert status["workers"] == store.workers and status["ahead"] == 0
    assert status["remaining"] == pytest.approx(round(statistics.median(store.durations), 1), abs=0.11)


def test_the_estimate_counts_the_jobs_ahead_shared_by_the_workers(tmp_path):
    from generator.web.jobs import QUEUED, Job, JobStore

    store = JobStore(tmp_path, workers=2)
    store.durations.extend([4.0, 6.0, 5.0])
    jobs = [Job(f"{i:032x}", 0.0, "xlsx", "a.xlsx", {}, state=QUEUED) for i in range(5)]
    for job in jobs:
        store.jobs[job.id] = job
        store.queue.append(job.id)
    assert [store.position(job) for job in jobs] == [0, 1, 2, 3, 4]
    assert store.remaining_seconds(jobs[4]) == 5.0 * (4 / 2 + 1)
    store.close()


def test_pdf_versions_are_refused_with_a_reason_without_libreoffice(tmp_path):
    with PageClient(create_app(tmp_path, workers=1, pdf=False)) as client:
        job = generated(client, uploaded(client, CORRECTED))
        assert "同时生成 PDF 版" not in client.get(f"/jobs/{job['job']}").text
        refused(client.post(f"/jobs/{job['job']}/pdf", headers=JSON), 409, "LibreOffice", "另存为 PDF")


def test_pdf_versions_are_offered_when_libreoffice_is_installed(tmp_path):
    from generator.render.pdf import soffice

    with PageClient(create_app(tmp_path, workers=1)) as client:
        job = generated(client, uploaded(client, INPUTS / "shifeng-2023-corrected.xlsx"))
        page = client.get(f"/jobs/{job['job']}").text
        if soffice() is None:      # the page then says nothing about PDF: nothing to test further here
            assert "同时生成 PDF 版" not in page
            return
        assert "同时生成 PDF 版" in page
        assert client.post(f"/jobs/{job['job']}/pdf", headers=JSON).status_code == 202
        deadline = time.monotonic() + 300
        while client.get(f"/jobs/{job['job']}/status").json()["pdf"] in ("queued", "running"):
            assert time.monotonic() < deadline
            time.sleep(0.3)
        after = client.get(f"/api/jobs/{job['job']}").json()
        assert after["pdf"] == "done"
        paths = [f["path"] for f in after["files"]]
        assert paths[:len(job["files"])] == [f["path"] for f in job["files"]]   # links on an open page stay right
        pdfs = [f for f in after["files"] if f["path"].endswith(".pdf")]
        assert pdfs and client.get(pdfs[0]["url"]).content.startswith(b"%PDF")
        with zipfile.ZipFile(io.BytesIO(client.get(after["zip"]).content)) as archive:
            assert any(name.endswith(".pdf") for name in archive.namelist())
        assert ">PDF <" in client.get(f"/jobs/{job['job']}").text


def test_the_marked_workbook_downloads_with_every_finding_at_its_cell(client, tmp_path):
    from urllib.parse import quote

    from openpyxl import load_workbook

    answer = upload(client, PUBLISHED)
    page = client.get(answer.json()["url"]).text
    job = answer.json()["job"]
    assert f"/jobs/{job}/marked.xlsx" in page and "下载已标注的填报表" in page
    marked = client.get(f"/jobs/{job}/marked.xlsx")
    assert marked.status_code == 200 and quote("（已标注）") in marked.headers["content-disposition"]
    (tmp_path / "marked.xlsx").write_bytes(marked.content)
    book = load_workbook(tmp_path / "marked.xlsx")
    listed = [str(cell.value) for row in book.worksheets[0].iter_rows() for cell in row if cell.value is not None]
    for problem in evaluate(PUBLISHED).problems:
        sheet, _, cell = problem.place.partition("!")
        if cell and sheet in book.sheetnames:
            assert book[sheet][cell].comment is not None and problem.message in book[sheet][cell].comment.text
    assert listed and not any("sum-mismatch" in text for text in listed)      # rule codes are not for preparers
    yaml_job = uploaded(client, PUBLISHED.with_suffix(".yaml"))
    assert client.get(f"/jobs/{yaml_job}/marked.xlsx").status_code == 404


# -- forms from a real browser: the session's token, not the Origin header, tells our page from another site


def test_a_post_without_the_pages_token_is_refused(client):
    for headers in ({**JSON, "X-CSRF-Token": ""}, {**JSON, "X-CSRF-Token": "forged"}):
        refused(upload(client, CORRECTED, headers=headers), 403, "拒绝", "刷新页面")


def test_the_plain_form_posts_with_origin_null_and_its_hidden_token(client):
    """Without script the browser posts the form itself; some browsers send `Origin: null` for it."""
    page = client.get("/").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert token == client.page_token()
    answer = client.post("/upload", files={"file": (CORRECTED.name, CORRECTED.read_bytes())},
                         data={"csrf_token": token},
                         headers={"accept": "text/html", "origin": "null", "X-CSRF-Token": ""})
    assert answer.status_code == 200 and "生成全套材料" in answer.text
    assert re.search(r"/jobs/[0-9a-f]{32}$", str(answer.url))


def test_the_page_sends_a_referrer_of_our_own_origin_only_and_a_samesite_httponly_cookie(tmp_path):
    with PageClient(create_app(tmp_path, workers=0)) as fresh:
        answer = fresh.get("/")
    assert answer.headers["referrer-policy"] in ("same-origin", "strict-origin")
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=" in cookie


FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def _firefox_form(token: str | None, **extra) -> dict:
    """The headers Firefox ESR 128 sends when the page's own form is submitted (a navigation), under our
    Referrer-Policy same-origin: Origin and the full Referer of our page, and the Sec-Fetch-* of a user's click."""
    headers = {"user-agent": FIREFOX, "origin": "http://testserver", "referer": "http://testserver/",
               "sec-fetch-site": "same-origin", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document",
               "sec-fetch-user": "?1", "accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
               "X-CSRF-Token": ""}
    headers.update(extra)
    return headers


def test_firefoxs_form_post_is_accepted_with_the_pages_token(client):
    token = client.page_token()
    answer = client.post("/upload", files={"file": (CORRECTED.name, CORRECTED.read_bytes())},
                         data={"csrf_token": token}, headers=_firefox_form(token))
    assert answer.status_code == 200 and "生成全套材料" in answer.text
    job = re.search(r"/jobs/([0-9a-f]{32})$", str(answer.url)).group(1)
    referer = f"http://testserver/jobs/{job}"
    started = client.post(f"/jobs/{job}/generate", data={"csrf_token": token},
                          headers=_firefox_form(token, referer=referer))
    assert started.status_code == 200 and str(started.url).endswith(f"/jobs/{job}")


def test_firefoxs_script_request_is_accepted_with_the_token_header(client):
    headers = {"user-agent": FIREFOX, "origin": "http://testserver", "referer": "http://testserver/",
               "sec-fetch-site": "same-origin", "sec-fetch-mode": "cors", "sec-fetch-dest": "empty",
               "accept": "application/json", "X-CSRF-Token": client.page_token()}
    assert upload(client, CORRECTED, headers=headers).status_code == 201


def test_origin_null_from_our_page_is_decided_by_the_token(client):
    """Firefox and Chromium send `Origin: null` for a form under no-referrer, in a sandbox or after a redirect
    across origins: our own page's form is then accepted by its token, a forged one refused without it."""
    token = client.page_token()
    files = {"file": (CORRECTED.name, CORRECTED.read_bytes())}
    ours = client.post("/upload", files=files, data={"csrf_token": token},
                       headers=_firefox_form(token, origin="null", referer=""))
    assert ours.status_code == 200 and "/jobs/" in str(ours.url)
    forged = client.post("/upload", files=files, headers={**_firefox_form(None, origin="null"), **JSON})
    refused(forged, 403, "拒绝")


@pytest.mark.parametrize("extra", [
    {"origin": "http://evil.example", "sec-fetch-site": "cross-site", "referer": ""},
    {"origin": "http://evil.example"},
    {"sec-fetch-site": "cross-site", "origin": "null", "referer": ""},
])
def test_another_sites_form_is_refused_even_with_a_token(client, extra):
    """A page on another site cannot read our token; even if it held one, its Origin or Sec-Fetch-Site gives it away."""
    token = client.page_token()
    answer = client.post("/upload", files={"file": (CORRECTED.name, CORRECTED.read_bytes())},
                         data={"csrf_token": token}, headers={**_firefox_form(token, **extra), **JSON})
    refused(answer, 403, "拒绝")
