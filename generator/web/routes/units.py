"""Routes of units and sign-in: the sign-in page and form, signing out, changing the initial password."""
from __future__ import annotations

import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..accounts import MIN_PASSWORD, SignInRefused
from ..common import Refusal, page


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


def _next(value: object, bureau: bool) -> str:
    """Where to go after signing in: a page of this site only (never another host), else the viewer's home — also
    for the site's root, where everyone arrives by its address (the bureau's home is its table)."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//") and "\\" not in value \
            and not value.startswith("/login") and value != "/":
        return value
    return "/bureau" if bureau else "/"


def _fresh(session: dict) -> None:
    """A new token whenever who is signed in changes: a token seen before signing in is worth nothing after."""
    session["csrf"] = secrets.token_urlsafe(24)


async def login_page(request: Request) -> Response:
    accounts = request.app.state.accounts
    if not accounts.exist():
        return RedirectResponse("/", status_code=303)
    return page(request, "login.html", {"next": request.query_params.get("next", ""), "account": ""})


async def login(request: Request) -> Response:
    state, form, session = request.app.state, request.state.form, request.scope["session"]
    name = str(form.get("account") or "").strip()[:64]
    password = str(form.get("password") or "")[:256]
    target = form.get("next")
    if not state.accounts.exist():
        return RedirectResponse("/", status_code=303)
    try:
        account = await run_in_threadpool(state.accounts.sign_in, name, password)
    except SignInRefused as exc:
        state.audit.record(name, "登录失败", name, str(exc), _client(request))
        return page(request, "login.html", {"error": str(exc), "next": target or "", "account": name}, 401)
    session.update({"account": account.account, "generation": account.generation})
    _fresh(session)
    state.audit.record(account.account, "登录", account.account, account.unit, _client(request))
    if account.must_change:
        return RedirectResponse("/password", status_code=303)
    return RedirectResponse(_next(target, account.bureau), status_code=303)


async def logout(request: Request) -> Response:
    session = request.scope["session"]
    viewer = request.state.viewer
    if viewer.account:
        request.app.state.audit.record(viewer.account, "退出", viewer.account, "", _client(request))
    for key in ("account", "generation"):
        session.pop(key, None)
    _fresh(session)
    return RedirectResponse("/login" if request.app.state.accounts.exist() else "/", status_code=303)


async def password_page(request: Request) -> Response:
    if not request.state.viewer.account:
        raise Refusal(404, "本服务器没有账号，不需要密码")
    return page(request, "password.html", {})


async def change_password(request: Request) -> Response:
    state, form, viewer = request.app.state, request.state.form, request.state.viewer
    if not viewer.account:
        raise Refusal(404, "本服务器没有账号，不需要密码")
    current = str(form.get("current") or "")
    new = str(form.get("new") or "")
    again = str(form.get("again") or "")
    error = None
    if not await run_in_threadpool(state.accounts.check_password, viewer.account, current):
        error = "原密码不对：请输入财政局发给本单位的初始密码（或现在的密码）"
    elif len(new) < MIN_PASSWORD:
        error = f"新密码太短：至少 {MIN_PASSWORD} 个字符"
    elif new != again:
        error = "两次输入的新密码不一致：请重新输入"
    elif new == current:
        error = "新密码不能与原密码相同"
    if error:
        return page(request, "password.html", {"error": error}, 400)
    account = await run_in_threadpool(state.accounts.change_password, viewer.account, new)
    session = request.scope["session"]
    session["generation"] = account.generation       # this page stays signed in; every other session ends
    _fresh(session)
    state.audit.record(account.account, "修改密码", account.account, "", _client(request))
    return RedirectResponse("/bureau" if account.bureau else "/", status_code=303)
