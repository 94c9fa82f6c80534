"""The page in a real headless Chromium (Debian's, through Playwright): upload, see the score, generate, download the
zip; a workbook with a text where an amount belongs shows the Chinese message with its cell; the preparer's whole
journey from a workbook with mistakes, through the marked workbook and a chosen pack, to the next year's comparison.

Set JXZP_SCREENSHOTS=docs/images to also save the screenshots of the page before and after generation there.
"""
from __future__ import annotations

import base64
import os
import socket
import threading
import time
import zipfile
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="/usr/bin/chromium 不存在：请先 apt-get install chromium（./setup.sh --test 会安装）")

ROOT = Path(__file__).resolve().parents[2]
CORRECTED = ROOT / "inputs" / "lizhou-2021-corrected.xlsx"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app under uvicorn in a background thread on 127.0.0.1 and a free port."""
    import uvicorn

    from generator.web import create_app

    app = create_app(tmp_path_factory.mktemp("web-e2e"))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def _expected_score() -> str:
    from generator.filters import score
    from generator.pipeline import evaluate

    return score(evaluate(CORRECTED).results.department.total)


def _screenshot(page, name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    target = os.environ.get("JXZP_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        (Path(target) / name).write_bytes(path.read_bytes())


def test_upload_see_the_score_generate_and_download_the_zip(server, page, tmp_path):
    page.goto(server + "/")
    assert "预算绩效自评材料生成" in page.title()
    page.set_input_files("input[type=file]", str(CORRECTED))
    page.wait_for_url("**/jobs/*")
    assert page.locator(".figure-main dd").inner_text() == _expected_score()
    assert page.locator(".projects tbody tr").count() == 15
    _screenshot(page, "web-before.png", tmp_path)

    page.get_by_role("button", name="生成全套材料").click()
    zip_link = page.locator("[data-zip]")
    zip_link.wait_for(timeout=90_000)
    _screenshot(page, "web-after.png", tmp_path)
    with page.expect_download() as info:
        zip_link.click()
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    saved = tmp_path / "package.zip"
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        reports = [n for n in archive.namelist() if "/项目支出绩效自评报告/" in n and n.endswith(".docx")]
    assert len(reports) == 15


def _workbook_with_text_amount(tmp_path: Path) -> tuple[Path, str]:
    """The example with the first project's 全年执行数 typed as 八十; returns the file and the cell."""
    from openpyxl import load_workbook

    book = load_workbook(CORRECTED)
    sheet = book["项目"]
    column = next(c.column_letter for c in sheet[1] if c.value == "全年执行数")
    cell = f"{column}3"
    sheet[cell] = "八十"
    path = tmp_path / "八十.xlsx"
    book.save(path)
    return path, cell


def test_a_text_where_an_amount_belongs_shows_the_message_with_its_cell(server, page, tmp_path):
    path, cell = _workbook_with_text_amount(tmp_path)
    page.goto(server + "/")
    page.set_input_files("input[type=file]", str(path))
    page.wait_for_url("**/jobs/*")
    findings = page.locator(".findings").inner_text()
    assert f"项目!{cell}" in findings
    assert "“八十”不是数字" in findings
    assert "错误" in page.locator("[data-status-line]").inner_text()
    assert page.locator("[data-generate-button]").is_disabled()


def test_a_file_dropped_on_the_page_is_uploaded(server, page, tmp_path):
    path, cell = _workbook_with_text_amount(tmp_path)
    page.goto(server + "/")
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    page.evaluate("""([data, name]) => {
        const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], name));
        const zone = document.querySelector('[data-dropzone]');
        zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: transfer, bubbles: true, cancelable: true}));
        zone.dispatchEvent(new DragEvent('drop', {dataTransfer: transfer, bubbles: true, cancelable: true}));
    }""", [data, path.name])
    page.wait_for_url("**/jobs/*")
    assert f"项目!{cell}" in page.locator(".findings").inner_text()


def test_a_file_that_is_not_an_input_is_refused_in_place(server, page, tmp_path):
    other = tmp_path / "说明.xlsx"
    other.write_text("这不是填报表", encoding="utf-8")
    page.goto(server + "/")
    page.set_input_files("input[type=file]", str(other))
    message = page.locator(".notice-error")
    message.wait_for()
    assert "不是填报文件" in message.inner_text()
    assert page.url.rstrip("/") == server


def _copy(source: Path, folder: Path, name: str) -> Path:
    target = folder / name
    target.write_bytes(source.read_bytes())
    return target


def _changed_indicator(folder: Path) -> tuple[Path, str]:
    """The corrected example with one indicator's actual value lowered (250个 → 180个, target ≥200个) and its
    reason written; returns the file and the new actual value."""
    from openpyxl import load_workbook

    book = load_workbook(CORRECTED)
    sheet = book["绩效指标"]
    header = {c.value: c.column_letter for c in sheet[1]}
    row = next(r[0].row for r in sheet.iter_rows(min_row=2)
               if r[0].value == "城市社区党建及城乡综合治理" and r[3].value == "小区党支部标准化建设")
    sheet[f"{header['实际完成值']}{row}"] = "180个"
    sheet[f"{header['偏差原因分析及改进措施']}{row}"] = "部分小区尚未完成标准化验收，下一年度继续推进。"
    path = folder / "填报表-第三次.xlsx"
    book.save(path)
    return path, "180个"


def _generate(page) -> None:
    page.get_by_role("button", name="生成全套材料").click()
    page.locator("[data-zip]").wait_for(timeout=120_000)


def _marked_cells(path: Path) -> list[tuple[str, str]]:
    """The workbook's findings sheet must exist; returns the (sheet, cell) of every cell with a fill and a comment."""
    from openpyxl import load_workbook

    from generator.readers.marking import FINDINGS_SHEET

    book = load_workbook(path)
    assert book.sheetnames[0] == FINDINGS_SHEET
    return [(sheet.title, cell.coordinate) for sheet in book.worksheets[1:] for row in sheet.iter_rows() for cell in row
            if cell.comment is not None and cell.fill is not None and cell.fill.fill_type == "solid"]


def test_mistakes_corrected_work_kept_and_the_next_upload_compared(server, browser, page, tmp_path):
    from generator.filters import score
    from generator.pipeline import evaluate

    published = ROOT / "inputs" / "lizhou-2021.xlsx"
    errors = [p for p in evaluate(published).problems if p.severity.value == "错误"]
    assert len(errors) >= 2
    chosen = "全国"          # not the pack the workbook names (its 评分规则 is 四川's): chosen on the page
    assert evaluate(CORRECTED).pack.name != chosen

    # 1. The published workbook with its mistakes: every error listed at its cell, nothing to generate yet.
    page.goto(server + "/")
    page.set_input_files("input[type=file]", str(_copy(published, tmp_path, "填报表-第一次.xlsx")))
    page.wait_for_url("**/jobs/*")
    findings = page.locator("#findings").inner_text()
    for problem in errors:
        assert problem.place in findings
    assert f"有 {len(errors)} 个错误" in page.locator("[data-status-line]").inner_text()
    assert "sum-mismatch" not in page.content()          # rule codes are for bureau staff, not on the page
    assert page.locator("[data-generate-button]").is_disabled()
    _screenshot(page, "web-findings.png", tmp_path)

    # 2. The preparer's own workbook, marked: a findings sheet first, every error's cell filled and commented.
    with page.expect_download() as info:
        page.locator("[data-marked]").click()
    assert info.value.suggested_filename == "填报表-第一次（已标注）.xlsx"
    info.value.save_as(tmp_path / "marked.xlsx")
    marked = _marked_cells(tmp_path / "marked.xlsx")
    for problem in errors:
        sheet, _, cell = problem.place.partition("!")
        assert (sheet, cell) in marked, problem.place

    # 3. The corrected workbook, uploaded from the same page in the pack chosen there, then generated.
    first = page.url
    page.locator("#again select[data-pack]").select_option(chosen)
    page.locator("#again input[type=file]").set_input_files(str(_copy(CORRECTED, tmp_path, "填报表-第二次.xlsx")))
    page.wait_for_url(lambda url: "/jobs/" in url and url != first)
    page.wait_for_selector("[data-generate-button]")
    assert "校验通过" in page.locator("[data-status-line]").inner_text() or \
        "没有错误" in page.locator("[data-status-line]").inner_text()
    assert page.locator("[data-pack-used]").inner_text() == f"模板：{chosen}（上传时选择）"
    assert page.locator("#again select[data-pack]").input_value() == chosen    # the next upload keeps the choice
    _generate(page)
    _screenshot(page, "web-job-pack.png", tmp_path)
    page.close()

    # 4. Days later, a new page: the unit is listed on the home page, with both earlier uploads.
    again = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    again.set_default_timeout(30_000)
    again.goto(server + "/")
    unit = evaluate(CORRECTED).results.report.unit.name
    again.locator("[data-units]").get_by_role("link", name=unit).click()
    again.wait_for_url("**/units/*")
    listed = again.locator("[data-uploads]").inner_text()
    assert "《填报表-第一次.xlsx》" in listed and "《填报表-第二次.xlsx》" in listed
    assert "下载材料包" in listed

    # 5. One indicator changed, uploaded in the same pack: the comparison names the moved score and shows the changed
    # sentence.
    changed, value = _changed_indicator(tmp_path)
    before = score(evaluate(CORRECTED, None, chosen).results.projects[0].card.total)
    after = score(evaluate(changed, None, chosen).results.projects[0].card.total)
    assert before != after
    again.locator("#again select[data-pack]").select_option(chosen)
    again.locator("#again input[type=file]").set_input_files(str(changed))
    again.wait_for_url("**/jobs/*")
    history = again.locator("#history").inner_text()
    assert "《填报表-第二次.xlsx》" in history and "《填报表-第一次.xlsx》" in history
    _generate(again)
    changes = again.locator("#changes")
    assert f"城市社区党建及城乡综合治理 项目得分 {before} → {after}" in changes.locator("[data-figures]").inner_text()
    report = changes.locator("[data-texts] details", has_text="01-城市社区党建及城乡综合治理")
    report.locator("summary").click()       # each changed document's lines unfold under its name
    inserted = report.locator("ins").all_inner_texts()
    assert "180" in inserted and after in inserted, inserted
    assert any(value in line for line in report.locator(".diff-after").all_inner_texts())
    assert any("250个" in line for line in report.locator(".diff-before").all_inner_texts())
    _screenshot(again, "web-changes.png", tmp_path)
    again.context.close()


def test_without_javascript_the_plain_form_reaches_the_findings(server, browser, tmp_path):
    """The upload form posted by the browser itself (no script): Chromium sends it with our Origin under the page's
    referrer policy, and the hidden token lets it in."""
    path, cell = _workbook_with_text_amount(tmp_path)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(server + "/")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="上传并核对").click()
    page.wait_for_url("**/jobs/*")
    assert f"项目!{cell}" in page.locator(".findings").inner_text()
    context.close()
