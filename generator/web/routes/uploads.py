"""Routes of the upload area: the home page, the blank template and example, the upload itself, a unit's uploads."""
from __future__ import annotations

import time
from functools import lru_cache
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ...examples import EXAMPLE
from ...filters import file_name
from ..common import XLSX_TYPE, Refusal, chosen_pack, disposition, page, wants_json
from ..jobs import INPUT_STEM, Job
from ..uploads import Limits, UploadRefused, sniff, too_large


@lru_cache(maxsize=2)
def _template_bytes(example: bool) -> bytes:
    from ...readers import read_input
    from ...readers.excel_template import workbook_bytes

    return workbook_bytes(read_input(EXAMPLE)[0] if example else None)


async def home(request: Request) -> Response:
    store = request.app.state.store
    return page(request, "index.html", {"units": await run_in_threadpool(store.units, request.state.viewer.owner)})


async def unit_page(request: Request) -> Response:
    store = request.app.state.store
    uploads = await run_in_threadpool(store.uploads_of, request.path_params["key"], request.state.viewer.owner)
    return page(request, "unit.html", {"uploads": uploads, "unit": uploads[0]["unit"], "year": uploads[0]["year"]})


async def download_template(request: Request) -> Response:
    example = request.url.path.endswith("/example")
    data = await run_in_threadpool(_template_bytes, example)
    name = "示例-填报表（利州区委组织部2021年）.xlsx" if example else "填报模板.xlsx"
    return Response(data, media_type=XLSX_TYPE, headers={"content-disposition": disposition(name)})


async def upload(request: Request) -> Response:
    """An uploaded workbook or YAML file, judged by its content, checked in a worker, kept as a job of its own."""
    store, limits, form = request.app.state.store, request.app.state.limits, request.state.form
    viewer = request.state.viewer
    pack = chosen_pack(request, form.get("pack"))
    sent = form.get("file")
    if not isinstance(sent, UploadFile) or not sent.filename:
        raise Refusal(400, "没有收到文件：请选择填好的填报表（.xlsx）或 .yaml 填报文件")
    shown = file_name(sent.filename.replace("\\", "/").rsplit("/", 1)[-1], limit=80)
    job_id, folder = store.new_folder()
    try:
        path = await _saved(sent, folder, limits)
        summary = await run_in_threadpool(store.check, path, shown, pack)
        if summary["unreadable"]:
            first = summary["problems"][0] if summary["problems"] else {"place": "", "message": "文件无法读取"}
            where = f"{first['place']}：" if first["place"] and first["place"] != shown else ""
            raise Refusal(422, f"《{shown}》无法读取：{where}{first['message']}", summary["problems"])
        _refuse_another_units(request, viewer, summary.get("unit"))
        job = store.add(Job(job_id, time.time(), path.suffix[1:], shown, summary, pack=pack, owner=viewer.account))
    except BaseException:
        store.discard(folder)
        raise
    request.state.audit_target = job.id
    request.state.audit_detail = f"《{shown}》{summary.get('unit') or ''}"
    url = f"/jobs/{job.id}"
    if wants_json(request):
        return JSONResponse({"job": job.id, "url": url, "summary": job.summary}, status_code=201)
    return RedirectResponse(url, status_code=303)


async def _saved(sent: UploadFile, folder: Path, limits: Limits) -> Path:
    """The uploaded file in the job's folder, named by what it holds (填报表.xlsx or 填报表.yaml), never by its name."""
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
    return raw.rename(folder / f"{INPUT_STEM}.{kind}")


def _refuse_another_units(request: Request, viewer, unit: str | None) -> None:
    """A unit uploads its own workbook only: one that names another unit of the bureau's list is turned down."""
    accounts = request.app.state.accounts
    if viewer.role != "unit" or not unit or accounts is None:
        return
    owner = accounts.unit_named(unit)
    if owner is not None and owner.account != viewer.account:
        raise Refusal(403, f"这份填报表的单位名称是“{unit}”，是另一个单位的填报表；本账号属于“{viewer.unit}”，"
                           "只能上传本单位的填报表。请检查是否选错了文件")
