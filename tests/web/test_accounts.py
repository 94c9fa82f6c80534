"""A bureau's server: accounts from its list of units, sign-in, the lock, each unit seeing only its own work, the
bureau's page and its audit log — through Starlette's TestClient, as a browser would (cookie, page token)."""
from __future__ import annotations

import io
import os
import re
import time
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook
from starlette.testclient import TestClient

from generator.cli import main
from generator.pipeline import evaluate
from generator.web import create_app
from test_api import CORRECTED, INPUTS, JSON, refused

SHIFENG = INPUTS / "shifeng-2023-corrected.xlsx"
UNIT_A = evaluate(CORRECTED).results.report.unit.name
UNIT_B = evaluate(SHIFENG).results.report.unit.name
NEW_PASSWORD = "本单位的新密码2024"


def roster(path: Path, *names: str) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["某区预算单位名单"])
    sheet.append(["序号", "单位名称", "单位代码", "联系人"])
    for i, name in enumerate(names, 1):
        sheet.append([i, name, None, f"联系人{i}"])
    book.save(path)
    return path


def imported(work: Path, tmp: Path, *names: str, output: str = "账号.xlsx") -> dict[str, tuple[str, str]]:
    """`jxzp units import`; returns 单位名称 → (账号, 初始密码) as 账号.xlsx lists them."""
    target = tmp / output
    result = CliRunner().invoke(main, ["units", "import", str(roster(tmp / f"名单-{output}", *names)),
                                       "--work-dir", str(work), "-o", str(target)])
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("单位名称", "账号", "初始密码")
    return {row[0]: (row[1], row[2]) for row in rows[1:]}


class Browser(TestClient):
    """One person's browser: its cookie, and the token of the last page it was given, sent as the forms send it."""

    def token(self, path: str = "/") -> str:
        page = self.get(path, headers={"accept": "text/html"})
        return re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text).group(1)

    def form(self, path: str, data: dict, **kwargs):
        return self.post(path, data={**data, "csrf_token": self.token("/login" if path == "/login" else "/")},
                         headers={"accept": "text/html"}, **kwargs)

    def sign_in(self, account: str, password: str):
        token = self.token("/login")
        return self.post("/login", data={"account": account, "password": password, "csrf_token": token},
                         headers={"accept": "text/html"})

    def upload(self, path: Path, name: str | None = None):
        return self.post("/upload", files={"file": (name or path.name, path.read_bytes())},
                         headers={**JSON, "X-CSRF-Token": self.token()})


def signed_in(app, account: str, password: str) -> Browser:
    """A browser signed in, its initial password changed (the first sign-in asks for it)."""
    browser = Browser(app)
    answer = browser.sign_in(account, password)
    assert answer.status_code == 200 and "/password" in str(answer.url), answer.text
    token = browser.token("/password")
    answer = browser.post("/password", data={"current": password, "new": NEW_PASSWORD, "again": NEW_PASSWORD,
                                             "csrf_token": token}, headers={"accept": "text/html"})
    assert answer.status_code == 200 and "/password" not in str(answer.url), answer.text
    return browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Two units and the bureau imported; the app, and each one's account and initial password."""
    work = tmp_path_factory.mktemp("bureau-server")
    accounts = imported(work, tmp_path_factory.mktemp("lists"), "某区财政局", UNIT_A, UNIT_B)
    app = create_app(work, workers=1)
    with TestClient(app):           # the app's lifespan: workers started once for the module
        yield app, accounts, work


# -- sign-in


def test_the_list_gives_one_account_per_unit_and_the_bureaus(server):
    app, accounts, _ = server
    assert set(accounts) == {"某区财政局", UNIT_A, UNIT_B}
    assert len({account for account, _ in accounts.values()}) == 3
    assert all(len(password) >= 8 for _, password in accounts.values())
    bureau = app.state.accounts.get(accounts["某区财政局"][0])
    assert bureau.bureau and not app.state.accounts.get(accounts[UNIT_A][0]).bureau
    assert not any(password in bureau.hash for _, password in accounts.values())   # only hashes are stored
    assert bureau.hash.startswith("$argon2id$")


def test_importing_again_adds_new_units_and_keeps_existing_accounts(tmp_path):
    work = tmp_path / "work"
    first = imported(work, tmp_path, "某区财政局", "甲单位", output="一.xlsx")
    second = imported(work, tmp_path, "某区财政局", "甲单位", "乙单位", output="二.xlsx")
    assert second["甲单位"][0] == first["甲单位"][0] and not second["甲单位"][1]       # kept, no new password
    assert second["乙单位"][1] and second["乙单位"][0] not in {a for a, _ in first.values()}
    with Browser(create_app(work, workers=0)) as browser:
        assert browser.sign_in(first["甲单位"][0], first["甲单位"][1]).status_code == 200
    result = CliRunner().invoke(main, ["units", "import", str(tmp_path / "名单-一.xlsx"), "--work-dir", str(work),
                                       "-o", str(tmp_path / "一.xlsx")])
    assert result.exit_code == 2 and "已存在" in result.output          # never overwrites handed-out passwords


@pytest.mark.parametrize("path", ["/", "/jobs/0123456789abcdef0123456789abcdef", "/bureau", "/downloads/template",
                                  "/units/0123456789abcdef0123"])
def test_without_signing_in_every_page_is_the_sign_in_page(server, path):
    app, _, _ = server
    browser = Browser(app)
    if True:
        answer = browser.get(path, headers={"accept": "text/html"})
        assert answer.status_code == 200 and str(answer.url).split("?")[0].endswith("/login")
        assert 'name="account"' in answer.text and 'name="password"' in answer.text
        refused(browser.get(path, headers=JSON), 401, "请先登录")
        answer = browser.post("/upload", files={"file": ("a.xlsx", CORRECTED.read_bytes())},
                              headers={**JSON, "X-CSRF-Token": browser.token("/login")})
        refused(answer, 401, "请先登录")


def test_the_first_sign_in_asks_for_a_new_password_before_anything_else(server, tmp_path):
    app, accounts, _ = server
    work = tmp_path
    account, password = imported(work, tmp_path, "某区财政局", "丙单位")["丙单位"]
    app2 = create_app(work, workers=0)
    with TestClient(app2):
        browser = Browser(app2)
        answer = browser.sign_in(account, password)
        assert str(answer.url).endswith("/password") and "首次登录" in answer.text
        assert str(browser.get("/", headers={"accept": "text/html"}).url).endswith("/password")
        short = browser.post("/password", data={"current": password, "new": "short", "again": "short",
                                                "csrf_token": browser.token("/password")})
        assert short.status_code == 400 and "太短" in short.text
        done = browser.post("/password", data={"current": password, "new": NEW_PASSWORD, "again": NEW_PASSWORD,
                                               "csrf_token": browser.token("/password")})
        assert done.status_code == 200 and not str(done.url).endswith("/password")
        assert "上传填好的填报表" in browser.get("/").text
        other = Browser(app2)
        assert "账号或密码不对" in other.sign_in(account, password).text          # the initial password is gone
        assert other.sign_in(account, NEW_PASSWORD).status_code == 200
        assert "上传填好的填报表" in other.get("/").text


def test_signing_in_from_the_sites_address_leads_each_to_its_home_and_a_deep_link_to_its_page(server, units):
    """The bureau typing the site's address landed on the upload page, not its table; a link to a page still leads
    there after signing in."""
    app, accounts, _ = server
    for name, home in (("某区财政局", "/bureau"), (UNIT_A, "/")):
        browser = Browser(app)
        token = browser.token("/login")
        answer = browser.post("/login", data={"account": accounts[name][0], "password": NEW_PASSWORD, "next": "/",
                                              "csrf_token": token}, headers={"accept": "text/html"},
                              follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == home
    browser = Browser(app)
    answer = browser.post("/login", data={"account": accounts["某区财政局"][0], "password": NEW_PASSWORD,
                                          "next": "/bureau/audit", "csrf_token": browser.token("/login")},
                          headers={"accept": "text/html"}, follow_redirects=False)
    assert answer.headers["location"] == "/bureau/audit"


def test_the_session_cookie_is_signed_httponly_samesite_and_expires(server):
    app, accounts, _ = server
    fresh = Browser(app)
    if True:
        cookie = fresh.get("/login").headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and re.search(r"Max-Age=\d+", cookie)
        value = re.search(r"jxzp_session=([^;]+)", cookie).group(1)
        body, _, mac = value.partition(".")
        forged = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + mac
        fresh.cookies.set("jxzp_session", forged)
        assert str(fresh.get("/", headers={"accept": "text/html"}).url).split("?")[0].endswith("/login")


def test_ten_wrong_passwords_lock_the_account_for_15_minutes(tmp_path):
    account, password = imported(tmp_path, tmp_path, "某区财政局", UNIT_B)[UNIT_B]
    app = create_app(tmp_path, workers=0)
    with Browser(app) as browser:
        for attempt in range(1, 10):
            answer = browser.sign_in(account, f"wrong-{attempt}")
            assert answer.status_code == 401 and f"再输错 {10 - attempt} 次" in answer.text
        answer = browser.sign_in(account, "wrong-10")
        assert answer.status_code == 401 and "已锁定 15 分钟" in answer.text
        answer = browser.sign_in(account, password)          # the right password no longer opens it
        assert answer.status_code == 401 and "已锁定" in answer.text
        locked = app.state.accounts.get(account)
        assert 14 * 60 < locked.locked_until - time.time() <= 15 * 60
        failures = [row for row in app.state.audit.rows() if row["action"] == "登录失败"]
        assert len(failures) == 11 and all(row["account"] == account for row in failures)
        # A quarter of an hour later the right password opens it again.
        assert app.state.accounts.sign_in(account, password, now=locked.locked_until + 1).account == account


def test_reset_password_and_disable_end_the_sessions(server, tmp_path):
    account, password = imported(tmp_path, tmp_path, "某区财政局", "丁单位")["丁单位"]
    app = create_app(tmp_path, workers=0)
    browser = signed_in(app, account, password)
    assert browser.get("/", headers=JSON).status_code == 200
    result = CliRunner().invoke(main, ["units", "disable", account, "--work-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    refused(browser.get("/", headers=JSON), 401, "请先登录")
    assert "已停用" in browser.sign_in(account, NEW_PASSWORD).text
    CliRunner().invoke(main, ["units", "disable", account, "--undo", "--work-dir", str(tmp_path)])
    result = CliRunner().invoke(main, ["units", "reset-password", account, "--work-dir", str(tmp_path)])
    new = re.search(r"新初始密码：(\w+)", result.output).group(1)
    assert str(browser.sign_in(account, new).url).endswith("/password")
    listed = CliRunner().invoke(main, ["units", "list", "--work-dir", str(tmp_path)]).output
    assert f"{account}\t单位\t丁单位\t待修改初始密码" in listed


def test_without_accounts_the_server_stays_on_this_machine(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--work-dir", str(tmp_path / "w")])
    assert result.exit_code == 2
    assert "还没有单位账号" in result.output and "jxzp units import" in result.output
    assert "Traceback" not in result.output


# -- each unit sees only its own


@pytest.fixture(scope="module")
def units(server):
    """Unit A signed in with its job generated (and its workbook's findings marked), unit B and the bureau signed in."""
    app, accounts, _ = server
    a = signed_in(app, *accounts[UNIT_A])
    b = signed_in(app, *accounts[UNIT_B])
    bureau = signed_in(app, *accounts["某区财政局"])
    answer = a.upload(CORRECTED)
    assert answer.status_code == 201, answer.text
    job = answer.json()["job"]
    assert a.post(f"/jobs/{job}/generate", headers={**JSON, "X-CSRF-Token": a.token()}).status_code == 202
    deadline = time.monotonic() + 120
    while a.get(f"/jobs/{job}/status").json()["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    details = a.get(f"/api/jobs/{job}").json()
    assert details["state"] == "done"
    return {"a": a, "b": b, "bureau": bureau, "job": job, "details": details}


def _job_urls(app, job: str, details: dict) -> list[tuple[str, str]]:
    """Every address of the app that names a job, filled in with unit A's job (a chart's and a preview's index where
    the route wants one): taken from the route table, so a route added later is covered too."""
    chart = next(f["index"] for f in details["files"] if f["path"].endswith((".svg", ".png")))
    report = next(f["index"] for f in details["files"] if f["path"].endswith("部门整体支出绩效自评报告.md"))
    urls = []
    for route in app.routes:
        path = getattr(route, "path", "")
        if "{job_id" not in path:
            continue
        index = chart if "/charts/" in path else report
        url = re.sub(r"\{job_id(:str)?\}", job, path)
        url = re.sub(r"\{index(:int)?\}", str(index), url)
        for method in sorted(route.methods - {"HEAD"}):
            urls.append((method, url))
    return urls


def test_unit_b_gets_404_for_every_address_of_unit_as_job(server, units):
    app = server[0]
    a, b, job = units["a"], units["b"], units["job"]
    urls = _job_urls(app, job, units["details"])
    paths = {url for _, url in urls}
    for needed in ("/jobs/{0}", "/jobs/{0}/status", "/jobs/{0}/package.zip", "/jobs/{0}/marked.xlsx",
                   "/api/jobs/{0}", "/jobs/{0}/generate", "/jobs/{0}/pdf"):
        assert needed.format(job) in paths
    assert any("/files/" in p for p in paths) and any("/preview/" in p for p in paths)
    for method, url in urls:
        headers = {**JSON, "X-CSRF-Token": b.token()}
        answer = b.request(method, url, headers=headers)
        assert answer.status_code == 404, (method, url, answer.status_code)
        assert UNIT_A not in answer.text and job not in answer.text.replace(url, "")
        page = b.request(method, url, headers={"accept": "text/html", "X-CSRF-Token": b.token()})
        assert page.status_code == 404 and "找不到" in page.text and UNIT_A not in page.text
        if method == "GET":      # the same address answers unit A (and the bureau)
            assert a.get(url).status_code == 200, url
            assert units["bureau"].get(url).status_code == 200, url


def test_unit_bs_pages_do_not_name_unit_a(server, units):
    a, b = units["a"], units["b"]
    key = re.search(r'href="/units/([0-9a-f]+)">' + re.escape(UNIT_A), a.get("/").text).group(1)
    assert a.get(f"/units/{key}").status_code == 200
    refused(b.get(f"/units/{key}", headers=JSON), 404, "找不到")
    assert UNIT_A not in b.get("/").text and units["job"] not in b.get("/").text
    answer = b.upload(SHIFENG)
    assert answer.status_code == 201
    page = b.get(answer.json()["url"]).text
    assert UNIT_A not in page and units["job"] not in page


def test_a_unit_cannot_upload_another_units_workbook(server, units):
    a, work = units["a"], server[2]
    before = {p.name for p in (work / "jobs").iterdir()}
    message = refused(a.upload(SHIFENG), 403, UNIT_B, UNIT_A)
    assert "只能上传本单位的填报表" in message
    assert {p.name for p in (work / "jobs").iterdir()} == before
    refused_rows = [row for row in server[0].state.audit.rows() if row["action"] == "上传（被拒绝）"]
    assert refused_rows and UNIT_B in refused_rows[0]["detail"]


# -- the bureau


def test_the_bureaus_table_lists_every_unit_with_its_state_and_figures(server, units):
    from generator.filters import score

    bureau, b = units["bureau"], units["b"]
    page = bureau.get("/bureau").text
    rows = dict(re.findall(r'<tr data-unit="([^"]+)">(.*?)</tr>', page, re.S))
    accounts = server[1]
    a_row, b_row = rows[accounts[UNIT_A][0]], rows[accounts[UNIT_B][0]]
    assert UNIT_A in a_row and ">已生成<" in a_row
    assert score(evaluate(CORRECTED).results.department.total) in a_row
    assert UNIT_B in b_row and re.search(r">(可生成|未上传)<", b_row)
    assert len(rows) == 2                                   # the bureau's own account is not a unit
    only_done = bureau.get("/bureau", params={"state": "已生成"}).text
    assert UNIT_A in only_done and UNIT_B not in only_done
    for other in (units["a"], b):                           # no unit reaches the bureau's pages
        for url in ("/bureau", "/bureau/overview.xlsx", "/bureau/packages.zip", "/bureau/audit", "/bureau/audit.csv"):
            refused(other.get(url, headers=JSON), 404)


def test_the_bureau_downloads_the_overview_and_every_latest_package(server, units, tmp_path):
    bureau = units["bureau"]
    answer = bureau.get("/bureau/overview.xlsx")
    assert answer.status_code == 200 and "各单位绩效自评汇总表.xlsx" in unquote(answer.headers["content-disposition"])
    (tmp_path / "汇总表.xlsx").write_bytes(answer.content)
    sheet = load_workbook(tmp_path / "汇总表.xlsx").active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any(UNIT_A in c or c in UNIT_A for c in cells) and "已生成" in cells
    everything = bureau.get("/bureau/packages.zip")
    assert everything.status_code == 200
    with zipfile.ZipFile(io.BytesIO(everything.content)) as archive:
        names = archive.namelist()
    folder = units["details"]["folder"]
    assert "各单位绩效自评汇总表.xlsx" in names
    assert sorted(n.split("/", 1)[1] for n in names if n.startswith(f"{folder}/")) == \
        sorted(f["path"] for f in units["details"]["files"])
    later = time.time() + 3600                              # the files' times change, their contents do not
    for path in server[2].rglob("*"):
        if path.is_file():
            os.utime(path, (later, later))
    assert bureau.get("/bureau/packages.zip").content == everything.content


def test_the_bureau_chooses_the_packs_its_units_may_use(server, units):
    bureau, a = units["bureau"], units["a"]
    answer = bureau.post("/bureau/packs", data={"pack": ["全国", "湖南"], "csrf_token": bureau.token("/bureau")})
    assert answer.status_code == 200
    offered = re.findall(r'<option value="([^"]+)"', a.get("/").text)
    assert offered == ["全国", "湖南"]
    answer = a.post("/upload", files={"file": (CORRECTED.name, CORRECTED.read_bytes())}, data={"pack": "四川"},
                    headers={**JSON, "X-CSRF-Token": a.token()})
    refused(answer, 400, "没有名为“四川”的模板包", "全国、湖南")
    refused(bureau.post("/bureau/packs", data={"csrf_token": bureau.token("/bureau")}, headers=JSON), 400, "至少")
    server[0].state.settings.set_allowed_packs(None)


def test_the_audit_log_records_sign_ins_uploads_generations_and_downloads(server, units):
    bureau, a, job = units["bureau"], units["a"], units["job"]
    a.get(f"/jobs/{job}/package.zip")
    account_a = server[1][UNIT_A][0]
    rows = server[0].state.audit.rows(account=account_a)
    actions = {row["action"] for row in rows}
    assert {"登录", "修改密码", "上传", "生成", "下载材料包"} <= actions
    assert any(row["target"] == job for row in rows if row["action"] == "生成")
    page = bureau.get("/bureau/audit", params={"account": account_a}).text
    assert "下载材料包" in page and job in page
    export = bureau.get("/bureau/audit.csv")
    assert export.content.startswith("\ufeff".encode("utf-8"))
    text = export.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "时间,账号,操作,对象,说明,来源地址"
    assert f",{account_a},上传," in text


def test_firefoxs_sign_in_and_sign_out_forms_are_accepted(server, units):
    """The headers Firefox ESR 128 sends for the sign-in and sign-out buttons under Referrer-Policy same-origin
    (unit B has set its own password in `units`)."""
    app, accounts = server[0], server[1]
    account, _ = accounts[UNIT_B]
    browser = Browser(app)
    firefox = {"user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
               "origin": "http://testserver", "sec-fetch-site": "same-origin", "sec-fetch-mode": "navigate",
               "sec-fetch-dest": "document", "sec-fetch-user": "?1", "accept": "text/html"}
    token = browser.token("/login")
    answer = browser.post("/login", data={"account": account, "password": NEW_PASSWORD, "csrf_token": token},
                          headers={**firefox, "referer": "http://testserver/login?next=/"})
    assert answer.status_code == 200 and str(answer.url).endswith("/"), answer.text
    assert "上传填好的填报表" in answer.text
    token = browser.token("/")
    answer = browser.post("/logout", data={"csrf_token": token}, headers={**firefox, "referer": "http://testserver/"})
    assert answer.status_code == 200 and "/login" in str(answer.url)
    refused(browser.get("/", headers=JSON), 401, "请先登录")
    # A sign-in form on another site is refused, even when it carries a token it could not have read.
    answer = browser.post("/login", data={"account": account, "password": NEW_PASSWORD,
                                          "csrf_token": browser.token("/login")},
                          headers={**firefox, "origin": "http://evil.example", "sec-fetch-site": "cross-site",
                                   "accept": "application/json"})
    refused(answer, 403, "拒绝")


@pytest.mark.parametrize("rows, words", [
    ([["序号", "名称"], [1, "甲单位"]], ("没有找到表头“单位名称”",)),
    ([["单位名称"], ["甲单位"], ["乙单位"], ["甲单位"]], ("名单-坏.xlsx!Sheet!A4", "“甲单位”重复", "A2")),
    ([["单位名称", "联系人"]], ("下面没有单位",)),
])
def test_a_list_that_cannot_be_used_is_refused_at_its_place_and_nothing_is_made(tmp_path, rows, words):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / "名单-坏.xlsx")
    result = CliRunner().invoke(main, ["units", "import", str(tmp_path / "名单-坏.xlsx"), "--work-dir",
                                       str(tmp_path / "work"), "-o", str(tmp_path / "账号.xlsx")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    for word in words:
        assert word in result.output, result.output
    assert not (tmp_path / "账号.xlsx").exists() and not (tmp_path / "work").exists()
