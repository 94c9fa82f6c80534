"""The web page's routes: parse the request, call one library function, show the result — in Chinese, never a traceback."""
from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlsplit

import anyio
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from .. import __version__
from ..examples import EXAMPLE
from ..filters import file_name
from ..pack import bundled_packs, load_pack
from .jobs import DONE, FAILED, INPUT_STEM, QUEUED, READY, RUNNING, ZIP_NAME, Job, JobStore, stamp
from .package import documents, groups
from .preview import to_html
from .uploads import Limits, UploadRefused, sniff, too_large

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
TOOL_NAME = "预算绩效自评材料生成"
FORM_SLACK = 64 * 1024          # multipart boundaries and the other small fields around the file
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               ".md": "text/plain; charset=utf-8", ".png": "image/png", ".svg": "image/svg+xml", ".json": "application/json",
               ".pdf": "application/pdf"}
CHART_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}    # the Markdown charts (SVG; PNG in older packages)
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; img-src 'self'; script-src 'self'; style-src 'self'; "
                               "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}
STATUS_WORDS = {
    400: "请求不完整或格式不对：请回到首页重新操作",
    403: "请求被拒绝",
    404: "找不到这个页面或文件：链接可能有误，或这次上传已过期被清理。请回到首页重新上传填报表",
    405: "不支持这种请求方式：请从页面上的按钮操作",
    413: "上传的文件过大",
}
CHECK_REPORT = "校验报告.md"
CHECK_DOCX = "校验报告.docx"
STATE_WORDS = {READY: "未生成", QUEUED: "排队等候", RUNNING: "正在生成", DONE: "已生成", FAILED: "未能生成"}


MARKED_NAME = "已标注.xlsx"


def _mark_upload(source: Path, target: Path, pack: str = "") -> None:
    """Evaluate an uploaded workbook again (with the pack chosen on the page, as its findings were) and write it
    marked (once per upload; the findings do not change)."""
    from ..pipeline import evaluate
    from ..readers.marking import mark_workbook

    evaluation = evaluate(source, None, pack or None)
    mark_workbook(source, evaluation.problems, target)


def _pack_choices() -> list[dict[str, str]]:
    """The bundled packs the upload form offers, 全国 first, with what each is for."""
    return [{"name": name, "description": load_pack(name, allow_dir=False).description} for name in bundled_packs()]


def chosen_pack(value: object) -> str:
    """The pack the preparer chose on the page: "" (the workbook's own choice) or a bundled pack's name. Only names
    are taken from the web, never a folder: a pack folder is for the command line (--pack) only."""
    name = value.strip() if isinstance(value, str) else ""
    if name and name not in bundled_packs():
        shown = name[:20] + ("…" if len(name) > 20 else "")
        raise Refusal(400, f"没有名为“{shown}”的模板包：请在“材料格式”中选择 {'、'.join(bundled_packs())} 之一，"
                           "或选“按填报表”")
    return name


class Refusal(Exception):
    """A request the page turns down, with the Chinese message the preparer reads (and the findings, if any)."""

    def __init__(self, status: int, message: str, problems: list[dict] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems = problems or []


class _BodyTooLarge(Exception):
    pass


@lru_cache(maxsize=2)
def _template_bytes(example: bool) -> bytes:
    from ..readers import read_input
    from ..readers.excel_template import workbook_bytes

    return workbook_bytes(read_input(EXAMPLE)[0] if example else None)


def _disposition(name: str, inline: bool = False) -> str:
    """Content-Disposition with the Chinese name (RFC 5987) and an ASCII fallback."""
    fallback = "jxzp" + "".join(c for c in PurePosixPath(name).suffix if c.isascii() and (c.isalnum() or c == "."))
    return f"{'inline' if inline else 'attachment'}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def _same_origin(request: Request) -> None:
    """POSTs only from this page: a browser's Origin must name this host (forms on other sites cannot post here)."""
    origin = request.headers.get("origin")
    if origin is not None and (origin == "null" or urlsplit(origin).netloc != request.headers.get("host")):
        raise Refusal(403, "请求被拒绝：只能从本页面上传和生成")


def _capped(receive, limit: int):
    """The request body as it streams in, stopped as soon as it passes `limit` bytes."""
    seen = 0

    async def wrapped():
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _BodyTooLarge(seen)
        return message

    return wrapped


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


def create_app(work_dir: Path, *, keep_days: float = 30.0, cleanup_interval: float = 300.0,
               limits: Limits = Limits(), workers: int | None = None, warm: bool = False,
               pdf: bool | None = None) -> Starlette:
    """The page as an ASGI app. Uploads and packages live under work_dir/jobs and are listed in work_dir's history
    database, each removed after keep_days; checks and packages run in `workers` processes (default: one per core;
    0 runs them in the server's threads). `warm` starts and warms the workers at startup; `pdf` offers PDF versions
    (default: when LibreOffice is installed)."""
    store = JobStore(Path(work_dir), keep_days, cleanup_interval, workers, warm)
    offer_pdf = _pdf_available() if pdf is None else pdf
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(tool_name=TOOL_NAME, version=__version__, max_mb=limits.upload_bytes // 1024 // 1024,
                                 keep_days=f"{keep_days:g}", state_words=STATE_WORDS, stamp=stamp,
                                 packs=_pack_choices(), chosen_pack="")

    def page(request: Request, name: str, context: dict, status: int = 200) -> Response:
        return templates.TemplateResponse(request, name, context, status_code=status)

    def job_or_404(request: Request) -> Job:
        job = store.get(request.path_params.get("job_id", ""))
        if job is None:
            raise Refusal(404, "找不到这次上传：链接有误，或已超过保留时间被清理。请回到首页重新上传填报表")
        return job

    def file_of(job: Job, index: int) -> Path:
        """The job's own file number `index` (from its list, never from a path the browser sent)."""
        if job.state != DONE or not 0 <= index < len(job.files):
            raise Refusal(404, "没有这个文件：请回到本次上传的页面，从文件列表中下载")
        package = store.package(job).resolve()
        path = (package / job.files[index]).resolve()
        if package not in path.parents or not path.is_file():
            raise Refusal(404, "没有这个文件：请回到本次上传的页面，从文件列表中下载")
        return path

    # -- pages

    async def index(request: Request) -> Response:
        return page(request, "index.html", {"units": await run_in_threadpool(store.units)})

    async def unit_page(request: Request) -> Response:
        uploads = await run_in_threadpool(store.uploads_of, request.path_params["key"])
        if not uploads:
            raise Refusal(404, "找不到这个单位的上传记录：可能已超过保留时间被清理。请回到首页重新上传填报表")
        return page(request, "unit.html", {"uploads": uploads, "unit": uploads[0]["unit"], "year": uploads[0]["year"]})

    async def download_template(request: Request) -> Response:
        example = request.url.path.endswith("/example")
        data = await run_in_threadpool(_template_bytes, example)
        name = "示例-填报表（利州区委组织部2021年）.xlsx" if example else "填报模板.xlsx"
        return Response(data, media_type=XLSX_TYPE, headers={"content-disposition": _disposition(name)})

    async def upload(request: Request) -> Response:
        _same_origin(request)
        cap = limits.upload_bytes + FORM_SLACK
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise Refusal(413, str(too_large(int(declared), limits)))
        job_id, folder = store.new_folder()
        form = None
        try:
            try:
                form = await Request(request.scope, _capped(request.receive, cap)).form(max_files=1, max_fields=4)
            except _BodyTooLarge as exc:
                raise Refusal(413, str(too_large(exc.args[0], limits))) from None
            except (MultiPartException, ClientDisconnect, ValueError):
                raise Refusal(400, "上传的数据不完整或格式不对：请重新选择文件上传") from None
            pack = chosen_pack(form.get("pack"))
            sent = form.get("file")
            if not isinstance(sent, UploadFile) or not sent.filename:
                raise Refusal(400, "没有收到文件：请选择填好的填报表（.xlsx）或 .yaml 填报文件")
            shown = file_name(sent.filename.replace("\\", "/").rsplit("/", 1)[-1], limit=80)
            raw = folder / "upload.bin"
            size = 0
            with raw.open("wb") as handle:
                while chunk := await sent.read(256 * 1024):
                    size += len(chunk)
                    if size > limits.upload_bytes:
                        raise Refusal(413, str(too_large(size, limits)))
                    handle.write(chunk)
            try:
                kind = await run_in_threadpool(sniff, raw, limits)
            except UploadRefused as exc:
                raise Refusal(422, str(exc)) from None
            path = raw.rename(folder / f"{INPUT_STEM}.{kind}")
            summary = await run_in_threadpool(store.check, path, shown, pack)
            if summary["unreadable"]:
                first = summary["problems"][0] if summary["problems"] else {"place": "", "message": "文件无法读取"}
                where = f"{first['place']}：" if first["place"] and first["place"] != shown else ""
                raise Refusal(422, f"《{shown}》无法读取：{where}{first['message']}", summary["problems"])
            job = store.add(Job(job_id, time.time(), kind, shown, summary, pack=pack))
        except BaseException:
            store.discard(folder)
            raise
        finally:
            if form is not None:
                await form.close()
        url = f"/jobs/{job.id}"
        if _wants_json(request):
            return JSONResponse({"job": job.id, "url": url, "summary": job.summary}, status_code=201)
        return RedirectResponse(url, status_code=303)

    async def job_page(request: Request) -> Response:
        job = job_or_404(request)
        return page(request, "job.html", await run_in_threadpool(_job_context, job, store, offer_pdf))

    async def job_json(request: Request) -> Response:
        job = job_or_404(request)
        files = [{"index": i, "path": f, "size": job.sizes[i] if i < len(job.sizes) else None,
                  "url": f"/jobs/{job.id}/files/{i}"} for i, f in enumerate(job.files)]
        return JSONResponse({
            "job": job.id, "state": job.state, "source": job.source_name, "kind": job.kind, "summary": job.summary,
            "message": job.message, "failure": job.failure, "forced": job.forced, "folder": job.folder,
            "pack": job.summary.get("pack", ""), "pack_chosen": job.pack,
            "files": files, "zip": f"/jobs/{job.id}/package.zip" if job.state == DONE else None,
            "seconds": job.seconds, "based_on": job.based_on, "changes": job.changes, "pdf": job.pdf,
            "earlier": [row["id"] for row in await run_in_threadpool(store.uploads_of, job.unit_key)
                        if row["id"] != job.id and row["created"] <= job.created],
        })

    async def status(request: Request) -> Response:
        job = job_or_404(request)
        now = time.time()
        elapsed = now - job.started if job.state == RUNNING else (job.finished - job.started if job.finished else 0)
        return JSONResponse({"state": job.state, "label": STATE_WORDS[job.state], "seconds": round(max(0, elapsed), 1),
                             "remaining": round(store.remaining_seconds(job, now), 1), "ahead": store.position(job),
                             "workers": max(1, store.workers), "pdf": job.pdf, "message": job.message,
                             "url": f"/jobs/{job.id}"})

    async def start_generation(request: Request) -> Response:
        _same_origin(request)
        job = job_or_404(request)
        try:
            form = await Request(request.scope, _capped(request.receive, FORM_SLACK)).form(max_files=0, max_fields=4)
        except (_BodyTooLarge, MultiPartException, ClientDisconnect, ValueError):
            raise Refusal(400, "请求不完整或不是页面发出的：请点击页面上的“生成”按钮") from None
        force = form.get("force") == "1"
        errors = job.summary["counts"].get("错误", 0)
        if not job.summary.get("readable") or job.summary.get("incomplete"):
            raise Refusal(409, "填报表有读不出的内容，未生成：请按页面列出的问题改正后重新上传")
        if errors and not force:
            raise Refusal(409, f"填报表有 {errors} 个错误，未生成：请改正后重新上传，或勾选“有错误也生成”（材料将标注“未通过校验”，仅供核对）")
        store.start(job, force)
        if _wants_json(request):
            return JSONResponse({"state": job.state, "status": f"/jobs/{job.id}/status"}, status_code=202)
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    async def start_pdf(request: Request) -> Response:
        _same_origin(request)
        job = job_or_404(request)
        if not offer_pdf:
            raise Refusal(409, "服务器上没有安装 LibreOffice，不能生成 PDF：请下载 Word 文件，用 Word/WPS 另存为 PDF")
        if job.state != DONE:
            raise Refusal(409, "材料还没有生成：请先点击“生成全套材料”")
        store.start_pdf(job)
        if _wants_json(request):
            return JSONResponse({"pdf": job.pdf, "status": f"/jobs/{job.id}/status"}, status_code=202)
        return RedirectResponse(f"/jobs/{job.id}#package", status_code=303)

    async def marked_workbook(request: Request) -> Response:
        """The preparer's own workbook with every finding filled and commented at its cell, and a findings sheet."""
        job = job_or_404(request)
        if job.kind != "xlsx":
            raise Refusal(404, "只有 Excel 填报表可以标注：YAML 文件请按页面列出的行号修改")
        folder = store.folder(job)
        target = folder / MARKED_NAME
        if not target.is_file():
            await run_in_threadpool(_mark_upload, folder / job.input_name, target, job.pack)
        stem = Path(job.source_name).stem or "填报表"
        return FileResponse(target, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            headers={"content-disposition": _disposition(f"{stem}（已标注）.xlsx")})

    async def download_file(request: Request) -> Response:
        job = job_or_404(request)
        path = file_of(job, request.path_params["index"])
        suffix = path.suffix.lower()
        return FileResponse(path, media_type=MEDIA_TYPES.get(suffix, "application/octet-stream"),
                            headers={"content-disposition": _disposition(path.name)})

    async def chart(request: Request) -> Response:
        job = job_or_404(request)
        index = request.path_params["index"]
        path = file_of(job, index)
        suffix = path.suffix.lower()
        if not (job.files[index].startswith("图表/") and suffix in CHART_TYPES):
            raise Refusal(404, "没有这张图表")
        return FileResponse(path, media_type=CHART_TYPES[suffix], headers={"content-disposition": _disposition(path.name, True)})

    async def package_zip(request: Request) -> Response:
        job = job_or_404(request)
        path = store.folder(job) / ZIP_NAME
        if job.state != DONE or not path.is_file():
            raise Refusal(404, "材料还没有生成：请先点击“生成”")
        return FileResponse(path, media_type="application/zip",
                            headers={"content-disposition": _disposition(f"{job.folder}.zip")})

    async def preview(request: Request) -> Response:
        job = job_or_404(request)
        index = request.path_params["index"]
        path = file_of(job, index)
        if path.suffix.lower() != ".md":
            raise Refusal(404, "只能预览报告的文本版：Word 文件请下载后用 Word/WPS 打开")
        text = await run_in_threadpool(path.read_text, "utf-8")
        body = await run_in_threadpool(
            to_html, text, job.files[index], job.files,
            lambda i: f"/jobs/{job.id}/charts/{i}", lambda i: f"/jobs/{job.id}/files/{i}")
        docx = job.files[index][:-3] + ".docx"
        return page(request, "preview.html", {
            "job": job, "s": job.summary, "body": body, "current": index, "title": PurePosixPath(job.files[index]).stem,
            "documents": documents(job.files), "docx": job.files.index(docx) if docx in job.files else None})

    # -- errors: a Chinese message as a page (or JSON for the page's script), never a traceback

    def refusal_response(request: Request, status: int, message: str, problems: list[dict]) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": message, "problems": problems}, status_code=status)
        name = "index.html" if request.url.path == "/upload" else "error.html"
        return page(request, name, {"error": message, "problems": problems}, status)

    async def on_refusal(request: Request, exc: Refusal) -> Response:
        return refusal_response(request, exc.status, exc.message, exc.problems)

    async def on_http(request: Request, exc: HTTPException) -> Response:
        message = STATUS_WORDS.get(exc.status_code, f"请求无法处理（{exc.status_code}）：请回到首页重新操作")
        return refusal_response(request, exc.status_code, message, [])

    async def on_error(request: Request, exc: Exception) -> Response:
        logger.error("unexpected error on %s", request.url.path, exc_info=exc)
        return refusal_response(request, 500, "服务器出现意外错误，已记录在服务器日志中：请重试；若反复出现，请联系管理员", [])

    routes = [
        Route("/", index),
        Route("/units/{key:str}", unit_page),
        Route("/downloads/template", download_template),
        Route("/downloads/example", download_template),
        Route("/upload", upload, methods=["POST"]),
        Route("/jobs/{job_id:str}", job_page),
        Route("/jobs/{job_id:str}/status", status),
        Route("/jobs/{job_id:str}/generate", start_generation, methods=["POST"]),
        Route("/jobs/{job_id:str}/pdf", start_pdf, methods=["POST"]),
        Route("/jobs/{job_id:str}/files/{index:int}", download_file),
        Route("/jobs/{job_id:str}/charts/{index:int}", chart),
        Route("/jobs/{job_id:str}/preview/{index:int}", preview),
        Route("/jobs/{job_id:str}/package.zip", package_zip),
        Route("/jobs/{job_id:str}/marked.xlsx", marked_workbook),
        Route("/api/jobs/{job_id:str}", job_json),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette):
        if warm:
            await anyio.to_thread.run_sync(store.start_workers)
        yield
        store.close()

    app = Starlette(debug=False, routes=routes, lifespan=lifespan, exception_handlers={
        Refusal: on_refusal, HTTPException: on_http, Exception: on_error})
    app.add_middleware(_Guard, store=store)
    app.state.store = store
    app.state.limits = limits
    return app


def _job_context(job: Job, store: JobStore, offer_pdf: bool) -> dict:
    s = job.summary
    counts = s["counts"]
    errors, warnings, hints = counts.get("错误", 0), counts.get("警告", 0), counts.get("提示", 0)
    extra = f"，另有 {hints} 个提示" if hints else ""
    if not s.get("readable"):
        level, text = "error", f"有 {errors} 个错误，无法计算得分：请按下表改正后重新上传"
    elif errors:
        level, text = "error", f"有 {errors} 个错误{f'、{warnings} 个警告' if warnings else ''}：改正后才能生成正式材料"
    elif warnings:
        level, text = "warning", f"没有错误，有 {warnings} 个警告{extra}：可以生成，建议先核对警告"
    else:
        level, text = "ok", f"校验通过：没有错误和警告{extra}"
    done = job.state == DONE
    docs = documents(job.files) if done else []
    earlier = [row for row in store.uploads_of(job.unit_key) if row["id"] != job.id]
    base = store.base_for(job) if not done else None
    check_report = job.files.index(CHECK_REPORT) if CHECK_REPORT in job.files else None
    return {
        "job": job, "s": s, "level": level, "status_text": text, "errors": errors, "warnings": warnings,
        "hints": hints, "uploaded": stamp(job.created),
        "groups": groups(job.files, job.sizes, job.folder) if done else [],
        "documents": docs, "department_doc": docs[0]["index"] if docs else None,
        "check_report": check_report,
        "working": job.state in (QUEUED, RUNNING), "ahead": store.position(job),
        "remaining": store.remaining_seconds(job), "workers": max(1, store.workers),
        "can_generate": bool(s.get("readable")) and job.state in (READY, FAILED),
        "zip_name": f"{job.folder}.zip", "changes": job.changes,
        "earlier": earlier, "base": base, "unit_key": job.unit_key,
        "offer_pdf": offer_pdf and done, "has_pdf": any(f.endswith(".pdf") for f in job.files),
        "marked": job.kind == "xlsx" and bool(s.get("problems")),
        "chosen_pack": job.pack,
        "check_docx": job.files.index(CHECK_DOCX) if done and CHECK_DOCX in job.files else None,
    }
