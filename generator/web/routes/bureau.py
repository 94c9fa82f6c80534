"""Routes of the bureau: every unit's progress in one table (the 汇总表, live), its downloads, the packs its units may
use, and the audit log. The guard lets only the bureau's account in (anyone else gets 404)."""
from __future__ import annotations

import csv
import io
import os
import tempfile
import time
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from ...batch import OVERVIEW_NAME
from ...filters import score
from ...render.overview import OverviewRow, overview_xlsx
from ...zips import member
from ..common import XLSX_TYPE, Refusal, disposition, page
from ..jobs import DONE, Job
from ..package import STORED
from .jobs import zip_name

NOT_UPLOADED, ERRORS, READY_TO_GENERATE, GENERATED = "未上传", "有错误", "可生成", "已生成"
STATES = (NOT_UPLOADED, ERRORS, READY_TO_GENERATE, GENERATED)
AUDIT_SHOWN = 500


@dataclass(frozen=True)
class UnitProgress:
    """One unit's line of the bureau's table: its account, its latest upload and what became of it."""

    account: str
    unit: str
    contact: str
    state: str                   # one of STATES
    errors: int
    job: Job | None              # the latest upload
    row: OverviewRow             # its figures as the 汇总表 gives them

    @property
    def label(self) -> str:
        return f"{ERRORS}（{self.errors}）" if self.state == ERRORS else self.state


def _decimal(value: object) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "", "None") else None
    except InvalidOperation:
        return None


def _overview_row(unit: str, job: Job | None, state: str) -> OverviewRow:
    data = job.summary.get("overview") if job is not None else None
    if not data:
        return OverviewRow(unit=unit, year=None, budget=None, actual=None, score=None, grade=None, projects=None,
                           lowest=None, errors=0, warnings=0, source=job.source_name if job else "", status=state)
    return OverviewRow(unit=data["unit"], year=data["year"], budget=_decimal(data["budget"]),
                       actual=_decimal(data["actual"]), score=_decimal(data["score"]), grade=data["grade"],
                       projects=data["projects"], lowest=_decimal(data["lowest"]), errors=data["errors"],
                       warnings=data["warnings"], source=data["source"], status=state,
                       stated=bool(data.get("stated")))


def progress(request: Request) -> list[UnitProgress]:
    """Every unit of the bureau's list, in its order, with its latest upload's state."""
    state = request.app.state
    latest = state.store.latest_by_owner()
    out = []
    for account in state.accounts.all():
        if account.bureau:
            continue
        job = latest.get(account.account)
        errors = job.summary.get("counts", {}).get("错误", 0) if job is not None else 0
        if job is None:
            status = NOT_UPLOADED
        elif errors or not job.summary.get("readable"):
            status = ERRORS
        elif job.state == DONE:
            status = GENERATED
        else:
            status = READY_TO_GENERATE
        label = f"{ERRORS}（{errors}）" if status == ERRORS else status
        if job is not None and job.state == DONE and job.forced:
            label += "，已按要求生成（未通过校验）"
        out.append(UnitProgress(account.account, account.unit, account.contact, status, errors, job,
                                _overview_row(account.unit, job, label)))
    return out


async def bureau_page(request: Request) -> Response:
    rows = await run_in_threadpool(progress, request)
    counts = {name: sum(1 for r in rows if r.state == name) for name in STATES}
    chosen = request.query_params.get("state", "")
    query = request.query_params.get("q", "").strip()[:40]
    shown = [r for r in rows if (not chosen or r.state == chosen) and (not query or query in r.unit)]
    allowed = request.app.state.settings.allowed_packs()
    known = request.app.state.pack_names()
    return page(request, "bureau.html", {
        "rows": shown, "total": len(rows), "counts": counts, "states": STATES, "chosen": chosen, "query": query,
        "score": score, "known_packs": known, "allowed_packs": known if allowed is None else allowed,
        "packages": sum(1 for r in rows if r.job is not None and r.state in (GENERATED, ERRORS)
                        and r.job.state == DONE)})


def _title(rows: list[UnitProgress]) -> str:
    years = sorted({r.row.year for r in rows if r.row.year is not None})
    span = f"{years[0]}年度" if len(years) == 1 else (f"{years[0]}—{years[-1]}年度" if years else "")
    return f"{span}{OVERVIEW_NAME}"


async def overview_download(request: Request) -> Response:
    """The 汇总表 as `jxzp generate 文件夹/` writes it, of every unit's latest upload (units without one included)."""
    rows = await run_in_threadpool(progress, request)
    data = await run_in_threadpool(overview_xlsx, [r.row for r in rows], _title(rows))
    request.state.audit_detail = f"{OVERVIEW_NAME}.xlsx"
    return Response(data, media_type=XLSX_TYPE,
                    headers={"content-disposition": disposition(f"{OVERVIEW_NAME}.xlsx")})


def _write_all(rows: list[UnitProgress], store, target: str) -> int:
    """Every unit's latest package (its folder, named as the unit downloads it) and the 汇总表, in one zip."""
    count = 0
    latest = store.latest_packages()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member(f"{OVERVIEW_NAME}.xlsx", stored=True), overview_xlsx([r.row for r in rows], _title(rows)))
        for row in rows:
            job = latest.get(row.account)
            if job is None:
                continue
            package = store.package(job)
            top = zip_name(job)[:-len(".zip")]
            for relative in sorted(job.files):
                path = package / relative
                if path.is_file():           # fixed times: the same packages give the same .zip
                    archive.writestr(member(f"{top}/{relative}", stored=path.suffix in STORED), path.read_bytes(),
                                     compresslevel=6)
            count += 1
    return count


async def all_packages(request: Request) -> Response:
    rows = await run_in_threadpool(progress, request)
    handle, target = tempfile.mkstemp(prefix=".all-", suffix=".zip", dir=request.app.state.store.root)
    os.close(handle)
    try:
        count = await run_in_threadpool(_write_all, rows, request.app.state.store, target)
    except BaseException:
        os.unlink(target)
        raise
    request.state.audit_detail = f"{count} 个单位的材料包"
    name = f"各单位材料包（{time.strftime('%Y%m%d')}）.zip"
    return FileResponse(target, media_type="application/zip", headers={"content-disposition": disposition(name)},
                        background=BackgroundTask(os.unlink, target))


async def save_packs(request: Request) -> Response:
    form = request.state.form
    known = request.app.state.pack_names()
    chosen = [name for name in form.getlist("pack") if name in known]
    if not chosen:
        raise Refusal(400, "至少要允许一个模板包：请勾选各单位可以使用的模板包后保存")
    request.app.state.settings.set_allowed_packs(chosen)
    request.state.audit_detail = "、".join(chosen)
    return RedirectResponse("/bureau#packs", status_code=303)


async def audit_page(request: Request) -> Response:
    account = request.query_params.get("account") or None
    rows = await run_in_threadpool(request.app.state.audit.rows, AUDIT_SHOWN, account)
    return page(request, "audit.html", {"rows": rows, "account": account or "", "shown": AUDIT_SHOWN,
                                        "when": lambda at: time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))})


async def audit_export(request: Request) -> Response:
    rows = await run_in_threadpool(request.app.state.audit.rows, None)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["时间", "账号", "操作", "对象", "说明", "来源地址"])
    for row in rows:
        writer.writerow([time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(row["at"])), row["account"], row["action"],
                         row["target"], row["detail"], row["client"]])
    # With a byte-order mark: Excel then opens the Chinese text as UTF-8.
    return Response(("\ufeff" + out.getvalue()).encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": disposition("操作记录.csv")})
