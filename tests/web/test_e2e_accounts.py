"""A bureau's server in a real headless Chromium (Debian's, through Playwright): a unit signs in, sets its password,
uploads, generates, asks for the PDF versions and downloads; the same unit uploads without JavaScript; the bureau
signs in, reads its table, filters it, downloads the 汇总表 and every package, chooses the packs and reads the log.

Set JXZP_SCREENSHOTS=docs/images to also save the sign-in page and the bureau's table there.
"""
from __future__ import annotations

import socket
import threading
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from test_e2e import ARGS, CHROMIUM, CORRECTED, ROOT, _screenshot

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="/usr/bin/chromium 不存在：请先 apt-get install chromium（./setup.sh --test 会安装）")

SHIFENG = ROOT / "inputs" / "shifeng-2023-corrected.xlsx"
NEW_PASSWORD = "本单位的新密码2024"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Two units and the bureau imported; the app under uvicorn on 127.0.0.1 and a free port."""
    import uvicorn

    from generator.pipeline import evaluate
    from generator.web import create_app
    from generator.web.accounts import Accounts, Database, import_units
    from generator.web.roster import Unit

    work = tmp_path_factory.mktemp("web-e2e-accounts")
    db = Database(work)
    names = ["某区财政局", evaluate(SHIFENG).results.report.unit.name, evaluate(CORRECTED).results.report.unit.name,
             "某区教育局", "某区卫生健康局"]
    rows = import_units(Accounts(db), [Unit(name, "", "", "") for name in names])
    db.close()
    app = create_app(work, workers=1)
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
    yield {"url": f"http://127.0.0.1:{port}", "accounts": {name: (a, p) for name, a, p, _ in rows}, "names": names}
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


def _page(browser, javascript: bool = True):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True,
                                  java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def _sign_in(page, base: str, account: str, password: str) -> None:
    page.goto(base + "/")
    page.wait_for_url("**/login**")
    page.fill("#account", account)
    page.fill("#password", password)
    page.get_by_role("button", name="登录").click()


def _first_sign_in(page, base: str, account: str, password: str) -> None:
    _sign_in(page, base, account, password)
    page.wait_for_url("**/password")
    page.fill("#current", password)
    page.fill("#new", NEW_PASSWORD)
    page.fill("#again", NEW_PASSWORD)
    page.get_by_role("button", name="保存新密码").click()
    page.wait_for_url(lambda url: not url.endswith("/password"))


def test_a_unit_signs_in_uploads_generates_asks_for_pdf_and_signs_out(server, browser, tmp_path):
    base, (account, password) = server["url"], server["accounts"][server["names"][1]]
    page = _page(browser)
    page.goto(base + "/")
    page.wait_for_url("**/login**")
    _screenshot(page, "web-login.png", tmp_path)
    _first_sign_in(page, base, account, password)
    assert server["names"][1] in page.locator("[data-who]").inner_text()

    page.set_input_files("input[type=file]", str(SHIFENG))
    page.wait_for_url("**/jobs/*")
    page.get_by_role("button", name="生成全套材料").click()
    page.locator("[data-zip]").wait_for(timeout=120_000)
    with page.expect_download() as info:
        page.locator("[data-zip]").click()
    info.value.save_as(tmp_path / "package.zip")
    with zipfile.ZipFile(tmp_path / "package.zip") as archive:
        assert any(name.endswith("部门整体支出绩效自评报告.docx") for name in archive.namelist())

    # The PDF button is a plain form: Chromium posts it itself (the refusal of Origin: null once stopped it here).
    page.get_by_role("button", name="同时生成 PDF 版").click()
    page.locator("a.chip", has_text="PDF").first.wait_for(timeout=300_000)
    with page.expect_download() as info:
        page.locator("a.chip", has_text="PDF").first.click()
    info.value.save_as(tmp_path / "report.pdf")
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")

    page.locator("[data-logout]").click()
    page.wait_for_url("**/login")
    page.goto(base + "/")
    assert "/login" in page.url
    page.context.close()


def test_without_javascript_a_unit_uploads_generates_and_reaches_its_package(server, browser):
    base, (account, password) = server["url"], server["accounts"][server["names"][2]]
    page = _page(browser, javascript=False)
    _first_sign_in(page, base, account, password)
    page.set_input_files("input[type=file]", str(CORRECTED))
    page.get_by_role("button", name="上传并核对").click()          # shown inside <noscript>
    page.wait_for_url("**/jobs/*")
    assert page.locator(".figure-main dd").inner_text()
    assert page.locator(".projects tbody tr").count() == 15
    page.get_by_role("button", name="生成全套材料").click()
    page.locator("[data-zip]").wait_for(timeout=120_000)         # the page refreshes itself (<noscript> meta)
    assert page.locator("[data-pdf-button]").count() == 1
    page.context.close()


def _with_mistakes_of(unit: str, folder: Path) -> Path:
    """The published Lizhou workbook (with its mistakes) under another unit's name."""
    book = load_workbook(ROOT / "inputs" / "lizhou-2021.xlsx")
    row = next(r for r in book["单位信息"].iter_rows() if r[0].value == "单位名称")
    row[1].value = unit
    path = folder / "填报表.xlsx"
    book.save(path)
    return path


def test_the_bureau_reads_its_table_downloads_everything_and_chooses_the_packs(server, browser, tmp_path):
    base, (account, password) = server["url"], server["accounts"]["某区财政局"]
    unit = _page(browser)               # one more unit uploads a workbook with errors; the last one uploads nothing
    _first_sign_in(unit, base, *server["accounts"]["某区教育局"])
    unit.set_input_files("input[type=file]", str(_with_mistakes_of("某区教育局", tmp_path)))
    unit.wait_for_url("**/jobs/*")
    unit.context.close()
    page = _page(browser)
    _first_sign_in(page, base, account, password)
    page.wait_for_url("**/bureau")
    table = page.locator("[data-bureau]")
    text = table.inner_text()
    assert server["names"][1] in text and server["names"][2] in text and "已生成" in text
    states = {row.get_attribute("data-unit"): row.locator("[data-state]").inner_text()
              for row in table.locator("tbody tr").all()}
    assert states[server["accounts"]["某区教育局"][0]].startswith("有错误（")
    education = table.locator(f'tbody tr[data-unit="{server["accounts"]["某区教育局"][0]}"]').inner_text()
    assert "92（单位填报）" in education              # Lizhou as published: its own score, not a computed one
    assert states[server["accounts"]["某区卫生健康局"][0]] == "未上传"
    _screenshot(page, "web-bureau.png", tmp_path)

    page.locator("[data-filter=已生成]").click()
    page.wait_for_url("**/bureau?state=*")
    assert page.locator("[data-bureau] tbody tr").count() >= 1

    with page.expect_download() as info:
        page.locator("[data-overview]").click()
    info.value.save_as(tmp_path / "汇总表.xlsx")
    cells = [str(c.value) for row in load_workbook(tmp_path / "汇总表.xlsx").active.iter_rows() for c in row if c.value]
    assert "已生成" in cells
    with page.expect_download() as info:
        page.locator("[data-all-packages]").click()
    info.value.save_as(tmp_path / "all.zip")
    with zipfile.ZipFile(tmp_path / "all.zip") as archive:
        assert "各单位绩效自评汇总表.xlsx" in archive.namelist()
        assert any(name.endswith(".pdf") for name in archive.namelist())

    page.goto(base + "/bureau")
    for box in page.locator("[data-packs] input[type=checkbox]").all():
        if box.get_attribute("value") not in ("全国", "四川"):
            box.uncheck()
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/bureau#packs")
    assert page.locator("[data-packs] input:checked").count() == 2

    page.get_by_role("link", name="操作记录").first.click()
    page.wait_for_url("**/bureau/audit")
    log = page.locator("[data-audit]").inner_text()
    for action in ("登录", "上传", "生成", "生成 PDF", "下载材料包", "下载汇总表", "设置模板包"):
        assert action in log, action
    page.locator("[data-bureau]").count()
    page.goto(base + "/bureau")
    page.locator("[data-bureau] a", has_text="最近上传").first.click()     # the bureau opens a unit's page
    page.wait_for_url("**/jobs/*")
    assert page.locator(".figure-main dd").inner_text()
    page.locator("[data-logout]").click()
    page.wait_for_url("**/login")
    page.context.close()


def _signed_in(page, base: str, account: str, password: str) -> None:
    """Signed in whether or not an earlier test has already set this account's own password."""
    _sign_in(page, base, account, password)
    page.wait_for_load_state()
    if page.url.endswith("/password"):
        page.fill("#current", password)
        page.fill("#new", NEW_PASSWORD)
        page.fill("#again", NEW_PASSWORD)
        page.get_by_role("button", name="保存新密码").click()
        page.wait_for_url(lambda url: not url.endswith("/password"))
    elif "/login" in page.url:
        _sign_in(page, base, account, NEW_PASSWORD)
        page.wait_for_url(lambda url: "/login" not in url)


def test_without_javascript_the_bureau_filters_downloads_chooses_packs_and_signs_out(server, browser, tmp_path):
    """Every form and link of the bureau's page is plain HTML: Chromium with JavaScript off posts them itself."""
    base = server["url"]
    page = _page(browser, javascript=False)
    _signed_in(page, base, *server["accounts"]["某区财政局"])
    page.wait_for_url("**/bureau")
    _screenshot(page, "web-bureau-nojs.png", tmp_path)
    page.fill("input[name=q]", "某区")
    page.get_by_role("button", name="查找").click()
    page.wait_for_url("**/bureau?*q=*")
    shown = page.locator("[data-bureau] tbody tr").all_inner_texts()
    assert shown and all("某区" in row for row in shown)
    page.locator("[data-filter=未上传]").click()
    page.wait_for_url("**/bureau?state=*")
    assert all("未上传" in row for row in page.locator("[data-bureau] tbody tr").all_inner_texts())
    with page.expect_download() as info:
        page.locator("[data-overview]").click()
    info.value.save_as(tmp_path / "汇总表.xlsx")
    assert load_workbook(tmp_path / "汇总表.xlsx").active["A1"].value.endswith("各单位绩效自评汇总表")
    page.goto(base + "/bureau")
    boxes = page.locator("[data-packs] input[type=checkbox]")
    for box in boxes.all():
        box.check()
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/bureau#packs")
    assert page.locator("[data-packs] input:checked").count() == boxes.count()
    page.get_by_role("link", name="操作记录").first.click()
    page.wait_for_url("**/bureau/audit")
    assert "设置模板包" in page.locator("[data-audit]").inner_text()
    page.locator("[data-logout]").click()
    page.wait_for_url("**/login")
    page.context.close()
