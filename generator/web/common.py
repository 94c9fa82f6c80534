"""What every route of the web page shares: the refusal in Chinese, pages, download names and the capped form reader."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from ..pack import load_pack

HERE = Path(__file__).resolve().parent
TOOL_NAME = "预算绩效自评材料生成"
FORM_SLACK = 64 * 1024          # multipart boundaries and the other small fields around the file
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_WORDS = {
    400: "请求不完整或格式不对：请回到首页重新操作",
    403: "请求被拒绝",
    404: "找不到这个页面或文件：链接可能有误，或这次上传已过期被清理。请回到首页重新上传填报表",
    405: "不支持这种请求方式：请从页面上的按钮操作",
    413: "上传的文件过大",
}
NOT_FOUND_JOB = "找不到这次上传：链接有误，或已超过保留时间被清理。请回到首页重新上传填报表"
NOT_FOUND_UNIT = "找不到这个单位的上传记录：可能已超过保留时间被清理。请回到首页重新上传填报表"


class Refusal(Exception):
    """A request the page turns down, with the Chinese message the preparer reads (and the findings, if any)."""

    def __init__(self, status: int, message: str, problems: list[dict] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems = problems or []


def page(request: Request, name: str, context: dict, status: int = 200) -> Response:
    """One of the page's templates, rendered for this request (its session's token included)."""
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def disposition(name: str, inline: bool = False) -> str:
    """Content-Disposition with the Chinese name (RFC 5987) and an ASCII fallback."""
    fallback = "jxzp" + "".join(c for c in PurePosixPath(name).suffix if c.isascii() and (c.isalnum() or c == "."))
    return f"{'inline' if inline else 'attachment'}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def pack_names(request: Request) -> list[str]:
    """The packs the page offers: those the server knows, narrowed to the bureau's choice when it made one."""
    known = request.app.state.pack_names()
    allowed = request.app.state.settings.allowed_packs() if request.app.state.settings is not None else None
    return [name for name in known if allowed is None or name in allowed]


@lru_cache(maxsize=64)
def pack_description(name: str) -> str:
    return load_pack(name, allow_dir=False).description


def pack_choices(request: Request) -> list[dict[str, str]]:
    """The packs the upload form offers, 全国 first, with what each is for."""
    return [{"name": name, "description": pack_description(name)} for name in pack_names(request)]


def chosen_pack(request: Request, value: object) -> str:
    """The pack the preparer chose on the page: "" (the workbook's own choice) or an offered pack's name. Only names
    are taken from the web, never a folder: a pack folder is for the command line (--pack) only."""
    name = value.strip() if isinstance(value, str) else ""
    offered = pack_names(request)
    if name and name not in offered:
        shown = name[:20] + ("…" if len(name) > 20 else "")
        raise Refusal(400, f"没有名为“{shown}”的模板包：请在“材料格式”中选择 {'、'.join(offered)} 之一，"
                           "或选“按填报表”")
    return name


__all__ = ["FORM_SLACK", "HERE", "NOT_FOUND_JOB", "NOT_FOUND_UNIT", "Refusal", "STATUS_WORDS", "TOOL_NAME",
           "XLSX_TYPE", "chosen_pack", "disposition", "pack_choices", "page", "wants_json"]
