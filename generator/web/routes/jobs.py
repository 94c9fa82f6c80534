"""Routes of one upload (a job): its page, status and JSON, generation and PDF, files, charts, previews, zip, and the
marked workbook. The guard has already found the job (request.state.job) and checked that the visitor may see it."""
from __future__ import annotations

import time
from pathlib import Path, PurePosixPath

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response

from ..common import XLSX_TYPE, Refusal, disposition, page, wants_json
from ..jobs import DONE, FAILED, QUEUED, READY, RUNNING, ZIP_NAME, Job, JobStore, stamp
from ..package import documents, groups
from ..preview import to_html

MEDIA_TYPES = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               ".md": "text/plain; charset=utf-8", ".png": "image/png", ".svg": "image/svg+xml",
               ".json": "application/json", ".pdf": "application/pdf"}
CHART_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}    # the Markdown charts (SVG; PNG in older packages)
CHECK_REPORT = "校验报告.md"
CHECK_DOCX = "校验报告.docx"
MARKED_NAME = "已标注.xlsx"
STATE_WORDS = {READY: "未生成", QUEUED: "排队等候", RUNNING: "正在生成", DONE: "已生成", FAILED: "未能生成"}
NO_FILE = "没有这个文件：请回到本次上传的页面，从文件列表中下载"


def zip_name(job: Job) -> str:
    """The package's download name; a package generated despite errors says so in its name (it is for checking, not
    for publishing, wherever the file ends up)."""
    return f"{job.folder}（未通过校验）.zip" if job.forced else f"{job.folder}.zip"


def _file_of(store: JobStore, job: Job, index: int) -> Path:
    """The job's own file number `index` (from its list, never from a path the browser sent)."""
    if job.state != DONE or not 0 <= index < len(job.files):
        raise Refusal(404, NO_FILE)
    package = store.package(job).resolve()
    path = (package / job.files[index]).resolve()
    if package not in path.parents or not path.is_file():
        raise Refusal(404, NO_FILE)
    return path


async def job_page(request: Request) -> Response:
    state = request.app.state
    return page(request, "job.html", await run_in_threadpool(_job_context, request, state.store, state.offer_pdf))


async def job_json(request: Request) -> Response:
    job, store = request.state.job, request.app.state.store
    files = [{"index": i, "path": f, "size": job.sizes[i] if i < len(job.sizes) else None,
              "url": f"/jobs/{job.id}/files/{i}"} for i, f in enumerate(job.files)]
    earlier = await run_in_threadpool(store.uploads_of, job.unit_key, request.state.viewer.owner)
    return JSONResponse({
        "job": job.id, "state": job.state, "source": job.source_name, "kind": job.kind, "summary": job.summary,
        "message": job.message, "failure": job.failure, "forced": job.forced, "folder": job.folder,
        "pack": job.summary.get("pack", ""), "pack_chosen": job.pack,
        "files": files, "zip": f"/jobs/{job.id}/package.zip" if job.state == DONE else None,
        "seconds": job.seconds, "based_on": job.based_on, "changes": job.changes, "pdf": job.pdf,
        "earlier": [row["id"] for row in earlier if row["id"] != job.id and row["created"] <= job.created],
    })


async def status(request: Request) -> Response:
    job, store = request.state.job, request.app.state.store
    now = time.time()
    elapsed = now - job.started if job.state == RUNNING else (job.finished - job.started if job.finished else 0)
    return JSONResponse({"state": job.state, "label": STATE_WORDS[job.state], "seconds": round(max(0, elapsed), 1),
                         "remaining": round(store.remaining_seconds(job, now), 1), "ahead": store.position(job),
                         "workers": max(1, store.workers), "pdf": job.pdf, "message": job.message,
                         "url": f"/jobs/{job.id}"})


async def start_generation(request: Request) -> Response:
    job = request.state.job
    force = request.state.form.get("force") == "1"
    errors = job.summary["counts"].get("错误", 0)
    if not job.summary.get("readable") or job.summary.get("incomplete"):
        raise Refusal(409, "填报表有读不出的内容，未生成：请按页面列出的问题改正后重新上传")
    if errors and not force:
        raise Refusal(409, f"填报表有 {errors} 个错误，未生成：请改正后重新上传，或勾选“有错误也生成”（材料将标注“未通过校验”，仅供核对）")
    request.app.state.store.start(job, force)
    request.state.audit_detail = "有错误也生成" if force else ""
    if wants_json(request):
        return JSONResponse({"state": job.state, "status": f"/jobs/{job.id}/status"}, status_code=202)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


async def start_pdf(request: Request) -> Response:
    job = request.state.job
    if not request.app.state.offer_pdf:
        raise Refusal(409, "服务器上没有安装 LibreOffice，不能生成 PDF：请下载 Word 文件，用 Word/WPS 另存为 PDF")
    if job.state != DONE:
        raise Refusal(409, "材料还没有生成：请先点击“生成全套材料”")
    request.app.state.store.start_pdf(job)
    if wants_json(request):
        return JSONResponse({"pdf": job.pdf, "status": f"/jobs/{job.id}/status"}, status_code=202)
    return RedirectResponse(f"/jobs/{job.id}#package", status_code=303)


def _mark_upload(source: Path, target: Path, pack: str = "") -> None:
    """Evaluate an uploaded workbook again (with the pack chosen on the page, as its findings were) and write it
    marked (once per upload; the findings do not change)."""
    from ...pipeline import evaluate
    from ...readers.marking import mark_workbook

    evaluation = evaluate(source, None, pack or None)
    mark_workbook(source, evaluation.problems, target)


async def marked_workbook(request: Request) -> Response:
    """The preparer's own workbook with every finding filled and commented at its cell, and a findings sheet."""
    job, store = request.state.job, request.app.state.store
    if job.kind != "xlsx":
        raise Refusal(404, "只有 Excel 填报表可以标注：YAML 文件请按页面列出的行号修改")
    folder = store.folder(job)
    target = folder / MARKED_NAME
    if not target.is_file():
        await run_in_threadpool(_mark_upload, folder / job.input_name, target, job.pack)
    stem = Path(job.source_name).stem or "填报表"
    return FileResponse(target, media_type=XLSX_TYPE, headers={"content-disposition": disposition(f"{stem}（已标注）.xlsx")})


async def download_file(request: Request) -> Response:
    job = request.state.job
    path = _file_of(request.app.state.store, job, request.path_params["index"])
    request.state.audit_detail = job.files[request.path_params["index"]]
    return FileResponse(path, media_type=MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream"),
                        headers={"content-disposition": disposition(path.name)})


async def chart(request: Request) -> Response:
    job, index = request.state.job, request.path_params["index"]
    path = _file_of(request.app.state.store, job, index)
    suffix = path.suffix.lower()
    if not (job.files[index].startswith("图表/") and suffix in CHART_TYPES):
        raise Refusal(404, "没有这张图表")
    return FileResponse(path, media_type=CHART_TYPES[suffix], headers={"content-disposition": disposition(path.name, True)})


async def package_zip(request: Request) -> Response:
    job = request.state.job
    path = request.app.state.store.folder(job) / ZIP_NAME
    if job.state != DONE or not path.is_file():
        raise Refusal(404, "材料还没有生成：请先点击“生成”")
    request.state.audit_detail = zip_name(job)
    return FileResponse(path, media_type="application/zip", headers={"content-disposition": disposition(zip_name(job))})


async def preview(request: Request) -> Response:
    job, index = request.state.job, request.path_params["index"]
    path = _file_of(request.app.state.store, job, index)
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


def _job_context(request: Request, store: JobStore, offer_pdf: bool) -> dict:
    job = request.state.job
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
    earlier = [row for row in store.uploads_of(job.unit_key, request.state.viewer.owner) if row["id"] != job.id]
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
        "zip_name": zip_name(job), "changes": job.changes,
        "earlier": earlier, "base": base, "unit_key": job.unit_key,
        "offer_pdf": offer_pdf and done, "has_pdf": any(f.endswith(".pdf") for f in job.files),
        "marked": job.kind == "xlsx" and bool(s.get("problems")),
        "chosen_pack": job.pack,
        "check_docx": job.files.index(CHECK_DOCX) if done and CHECK_DOCX in job.files else None,
    }
