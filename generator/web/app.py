"""The web page as an ASGI app: its state, the list of its routes (each passing the access guard) and middleware."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from .. import __version__
from ..pack import pack_names as available_pack_names
from .access import ANYONE, BUREAU, PASSWORD, FormSpec, guarded, viewer_of
from .common import HERE, STATUS_WORDS, TOOL_NAME, Refusal, page, pack_choices, wants_json
from .jobs import JobStore, stamp
from .accounts import Accounts, AuditLog, Database, Settings
from .routes import bureau, jobs, units, uploads
from .routes.jobs import STATE_WORDS
from .session import CSRF_FIELD, Sessions, load_key
from .uploads import Limits

logger = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; img-src 'self'; script-src 'self'; style-src 'self'; "
                               "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    # Our own origin only: a browser's form posts then carry our Origin (no-referrer made them `Origin: null`).
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}
UPLOAD_FORM = FormSpec("上传的数据不完整或格式不对：请重新选择文件上传", files=1, upload=True)
GENERATE_FORM = FormSpec("请求不完整或不是页面发出的：请点击页面上的“生成”按钮")
SIGN_IN_FORM = FormSpec("登录信息不完整：请重新输入账号和密码", fields=5)
PASSWORD_FORM = FormSpec("请求不完整：请重新输入密码", fields=5)
SIGN_OUT_FORM = FormSpec("请求不完整：请点击页面上的“退出”")
PACKS_FORM = FormSpec("请求不完整：请重新勾选模板包后保存", fields=50)
PDF_FORM = FormSpec("请求不完整或不是页面发出的：请点击页面上的“同时生成 PDF 版”按钮")


def _routes() -> list:
    """Every address of the page, who it is for, the form it reads and what the audit log records of it."""
    def get(path, endpoint, **kwargs):
        return Route(path, guarded(endpoint, **kwargs), methods=["GET"])

    def post(path, endpoint, **kwargs):
        return Route(path, guarded(endpoint, **kwargs), methods=["POST"])

    return [
        # uploads
        get("/", uploads.home),
        get("/units/{key:str}", uploads.unit_page),
        get("/downloads/template", uploads.download_template),
        get("/downloads/example", uploads.download_template),
        post("/upload", uploads.upload, form=UPLOAD_FORM, audit="上传"),
        # jobs
        get("/jobs/{job_id:str}", jobs.job_page),
        get("/jobs/{job_id:str}/status", jobs.status),
        post("/jobs/{job_id:str}/generate", jobs.start_generation, form=GENERATE_FORM, audit="生成"),
        post("/jobs/{job_id:str}/pdf", jobs.start_pdf, form=PDF_FORM, audit="生成 PDF"),
        get("/jobs/{job_id:str}/files/{index:int}", jobs.download_file, audit="下载文件"),
        get("/jobs/{job_id:str}/charts/{index:int}", jobs.chart),
        get("/jobs/{job_id:str}/preview/{index:int}", jobs.preview),
        get("/jobs/{job_id:str}/package.zip", jobs.package_zip, audit="下载材料包"),
        get("/jobs/{job_id:str}/marked.xlsx", jobs.marked_workbook, audit="下载已标注的填报表"),
        get("/api/jobs/{job_id:str}", jobs.job_json),
        # units and sign-in
        get("/login", units.login_page, who=ANYONE),
        post("/login", units.login, who=ANYONE, form=SIGN_IN_FORM),
        post("/logout", units.logout, who=ANYONE, form=SIGN_OUT_FORM),
        get("/password", units.password_page, who=PASSWORD),
        post("/password", units.change_password, who=PASSWORD, form=PASSWORD_FORM),
        # the bureau
        get("/bureau", bureau.bureau_page, who=BUREAU),
        get("/bureau/overview.xlsx", bureau.overview_download, who=BUREAU, audit="下载汇总表"),
        get("/bureau/packages.zip", bureau.all_packages, who=BUREAU, audit="下载全部材料包"),
        post("/bureau/packs", bureau.save_packs, who=BUREAU, form=PACKS_FORM, audit="设置模板包"),
        get("/bureau/audit", bureau.audit_page, who=BUREAU),
        get("/bureau/audit.csv", bureau.audit_export, who=BUREAU, audit="导出操作记录"),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]


class _Guard:
    """Security headers on every response, and the periodic cleanup of old jobs (at most every few minutes)."""

    def __init__(self, app, store: JobStore) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if time.time() - self.store.last_cleanup >= self.store.cleanup_interval:
            await anyio.to_thread.run_sync(self.store.maybe_cleanup)

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in SECURITY_HEADERS.items():
                    if key not in headers:
                        headers[key] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _pdf_available() -> bool:
    from ..render.pdf import soffice

    return soffice() is not None


def _page_context(request: Request) -> dict:
    """What every page shows besides its own content: the session's token (in <meta name="csrf-token"> for the
    script, in each form's field), the packs offered, who is signed in."""
    return {"csrf_token": request.scope.get("session", {}).get("csrf", ""), "csrf_field": CSRF_FIELD,
            "packs": pack_choices(request), "viewer": getattr(request.state, "viewer", None) or viewer_of(request)}


# -- errors: a Chinese message as a page (or JSON for the page's script), never a traceback

def _refusal_response(request: Request, status: int, message: str, problems: list[dict]) -> Response:
    if wants_json(request):
        return JSONResponse({"error": message, "problems": problems}, status_code=status)
    name = "index.html" if request.url.path == "/upload" else "error.html"
    return page(request, name, {"error": message, "problems": problems}, status)


async def _on_refusal(request: Request, exc: Refusal) -> Response:
    return _refusal_response(request, exc.status, exc.message, exc.problems)


async def _on_http(request: Request, exc: HTTPException) -> Response:
    message = STATUS_WORDS.get(exc.status_code, f"请求无法处理（{exc.status_code}）：请回到首页重新操作")
    return _refusal_response(request, exc.status_code, message, [])


async def _on_error(request: Request, exc: Exception) -> Response:
    logger.error("unexpected error on %s", request.url.path, exc_info=exc)
    return _refusal_response(request, 500, "服务器出现意外错误，已记录在服务器日志中：请重试；若反复出现，请联系管理员", [])


def create_app(work_dir: Path, *, keep_days: float = 30.0, cleanup_interval: float = 300.0,
               limits: Limits = Limits(), workers: int | None = None, warm: bool = False,
               pdf: bool | None = None, pack_names: Callable[[], list[str]] = available_pack_names) -> Starlette:
    """The page as an ASGI app. Uploads and packages live under work_dir/jobs and are listed in work_dir's history
    database, each removed after keep_days; checks and packages run in `workers` processes (default: one per core;
    0 runs them in the server's threads). `warm` starts and warms the workers at startup; `pdf` offers PDF versions
    (default: when LibreOffice is installed); `pack_names` lists the packs the page may offer."""
    store = JobStore(Path(work_dir), keep_days, cleanup_interval, workers, warm)
    db = Database(store.root.parent)
    audit = AuditLog(db)
    audit.prune(time.time() - store.max_age)
    store.after_cleanup.append(audit.prune)       # the log is kept as long as the packages it speaks of
    templates = Jinja2Templates(directory=str(HERE / "templates"), context_processors=[_page_context])
    templates.env.globals.update(tool_name=TOOL_NAME, version=__version__, max_mb=limits.upload_bytes // 1024 // 1024,
                                 keep_days=f"{keep_days:g}", state_words=STATE_WORDS, stamp=stamp, chosen_pack="")

    @asynccontextmanager
    async def lifespan(app: Starlette):
        if warm:
            await anyio.to_thread.run_sync(store.start_workers)
        yield
        store.close()
        db.close()

    app = Starlette(debug=False, routes=_routes(), lifespan=lifespan, exception_handlers={
        Refusal: _on_refusal, HTTPException: _on_http, Exception: _on_error})
    app.add_middleware(_Guard, store=store)
    app.add_middleware(Sessions, key=load_key(store.root.parent))
    app.state.store = store
    app.state.limits = limits
    app.state.templates = templates
    app.state.offer_pdf = _pdf_available() if pdf is None else pdf
    app.state.pack_names = pack_names
    app.state.accounts = Accounts(db)
    app.state.settings = Settings(db)
    app.state.audit = audit
    return app
