"""Who may do what on the page, decided in one place: every route is wrapped by `guarded` in the route table."""
from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import quote, urlsplit

from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from .common import FORM_SLACK, NOT_FOUND_JOB, NOT_FOUND_UNIT, STATUS_WORDS, Refusal, wants_json
from .session import CSRF_FIELD, CSRF_HEADER, token_ok
from .uploads import too_large

FORGED = "请求被拒绝：只能从本页面上传和生成。若是从本页面操作的，页面可能已过期，请刷新页面后重试"
SIGN_IN_FIRST = "请先登录：本服务器为各单位分别建立了账号，请用财政局发给本单位的账号和密码登录"

# Who a route is for.
ANYONE = "anyone"        # the sign-in page, its form
SIGNED_IN = "signed-in"  # every unit (or the single preparer when the server has no accounts)
PASSWORD = "password"    # signed in, even before the initial password is changed (the page that changes it)
BUREAU = "bureau"        # the finance bureau's pages; any other visitor gets 404, as for a page that is not there


@dataclass(frozen=True)
class Viewer:
    """Who is asking: a unit's account, the bureau's, or the single preparer of a server without accounts."""

    account: str = ""        # "" when the server has no accounts
    unit: str = ""           # the unit's name as the bureau's list gives it
    role: str = "single"     # "single", "unit" or "bureau"
    must_change: bool = False

    @property
    def sees_all(self) -> bool:
        return self.role in ("single", "bureau")

    @property
    def owner(self) -> str | None:
        """Whose uploads this viewer's lists hold: None for all."""
        return None if self.sees_all else self.account

    def sees(self, job) -> bool:
        return self.sees_all or job.owner == self.account


@dataclass(frozen=True)
class FormSpec:
    """The form a POST route reads: how much it may send; `upload` forms are capped at the upload limit."""

    bad: str                 # what the preparer reads when the form is damaged or too large
    files: int = 0
    fields: int = 4
    upload: bool = False


class _BodyTooLarge(Exception):
    pass


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


def viewer_of(request: Request) -> Viewer | None:
    """The signed-in account of this request's session (None when nobody is), or the single preparer."""
    accounts = request.app.state.accounts
    if accounts is None or not accounts.exist():
        return Viewer()
    session = request.scope.get("session", {})
    name = session.get("account")
    if not isinstance(name, str) or not name:
        return None
    account = accounts.get(name)
    # A disabled account, or one whose password changed since this session signed in, is signed out everywhere.
    if account is None or account.disabled or account.generation != session.get("generation"):
        return None
    return Viewer(account.account, account.unit, "bureau" if account.bureau else "unit", account.must_change)


def _same_origin(request: Request) -> None:
    """Another site's Origin, or Sec-Fetch-Site cross-site, is refused. `Origin: null` is not: browsers send it for
    our own forms under some referrer policies and sandboxes; the session's token decides."""
    origin = request.headers.get("origin")
    if origin is not None and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise Refusal(403, FORGED)
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise Refusal(403, FORGED)


async def _read_form(request: Request, spec: FormSpec):
    limits = request.app.state.limits
    cap = limits.upload_bytes + FORM_SLACK if spec.upload else FORM_SLACK
    declared = request.headers.get("content-length", "")
    if spec.upload and declared.isdigit() and int(declared) > cap:
        raise Refusal(413, str(too_large(int(declared), limits)))
    try:
        return await Request(request.scope, _capped(request.receive, cap)).form(max_files=spec.files,
                                                                                max_fields=spec.fields)
    except _BodyTooLarge as exc:
        if spec.upload:
            raise Refusal(413, str(too_large(exc.args[0], limits))) from None
        raise Refusal(400, spec.bad) from None
    except (MultiPartException, ClientDisconnect, ValueError):
        raise Refusal(400, spec.bad) from None


def _sign_in_first(request: Request) -> Response:
    if wants_json(request):
        return JSONResponse({"error": SIGN_IN_FIRST, "problems": [], "login": "/login"}, status_code=401)
    target = request.url.path if request.method == "GET" else "/"
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def guarded(endpoint: Callable[[Request], Awaitable[Response]], *, who: str = SIGNED_IN, form: FormSpec | None = None,
            audit: str | None = None) -> Callable[[Request], Awaitable[Response]]:
    """The route as the page serves it: the visitor signed in (or the sign-in page), allowed this route (or 404),
    a POST from our own page (its token), the job or unit of the address the visitor's own (or 404); the form read
    within its limit into request.state.form; downloads and actions written to the audit log."""

    @wraps(endpoint)
    async def route(request: Request) -> Response:
        viewer = viewer_of(request) if who != ANYONE else (viewer_of(request) or Viewer(role="nobody"))
        if viewer is None:
            return _sign_in_first(request)
        request.state.viewer = viewer
        if viewer.must_change and who not in (ANYONE, PASSWORD):
            if wants_json(request):
                raise Refusal(403, "请先修改初始密码：打开 /password 设置本单位自己的密码")
            return RedirectResponse("/password", status_code=303)
        if who == BUREAU and viewer.role != "bureau":
            raise Refusal(404, STATUS_WORDS[404])
        params = request.path_params
        if "job_id" in params:
            job = request.app.state.store.get(params["job_id"])
            if job is None or not viewer.sees(job):
                raise Refusal(404, NOT_FOUND_JOB)
            request.state.job = job
        if "key" in params and not request.app.state.store.uploads_of(params["key"], viewer.owner):
            raise Refusal(404, NOT_FOUND_UNIT)
        request.state.form = None
        if request.method == "POST":
            _same_origin(request)
            sent = request.headers.get(CSRF_HEADER)
            if sent and not token_ok(request.scope.get("session", {}), sent):
                raise Refusal(403, FORGED)          # a script's wrong token: refused before its body is read
            if form is not None:
                request.state.form = await _read_form(request, form)
                sent = sent or request.state.form.get(CSRF_FIELD)
            if not token_ok(request.scope.get("session", {}), sent):
                raise Refusal(403, FORGED)
        try:
            response = await endpoint(request)
        except Refusal as exc:
            if audit:
                _record(request, viewer, f"{audit}（被拒绝）", exc.message)
            raise
        finally:
            if request.state.form is not None:
                await request.state.form.close()
        if audit and response.status_code < 400:
            _record(request, viewer, audit, getattr(request.state, "audit_detail", ""))
        return response

    return route


def _record(request: Request, viewer: Viewer, action: str, detail: str) -> None:
    log = request.app.state.audit
    if log is None:
        return
    job = getattr(request.state, "job", None)
    target = getattr(request.state, "audit_target", None) or (job.id if job is not None else "")
    log.record(viewer.account, action, target, detail, _client(request), time.time())


def _client(request: Request) -> str:
    return request.client.host if request.client else ""
