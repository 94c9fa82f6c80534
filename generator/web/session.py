"""The visitor's session: a signed cookie (HttpOnly, SameSite) holding who signed in and the page's anti-forgery token."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from http.cookies import SimpleCookie
from pathlib import Path

from starlette.datastructures import MutableHeaders

COOKIE = "jxzp_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
KEY_NAME = "session.key"
LIFETIME = 8 * 3600          # a working day: then the preparer signs in again
RENEW_AFTER = 15 * 60        # an active session's cookie is re-issued (with a new expiry) at most this often


def load_key(work_dir: Path) -> bytes:
    """The server's signing key, made once per work folder (readable by the server's account only); a new key signs
    everyone out."""
    path = Path(work_dir) / KEY_NAME
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    key = secrets.token_bytes(32)
    temp = path.with_name(f".{KEY_NAME}.{os.getpid()}")
    temp.write_bytes(key)
    temp.chmod(0o600)
    os.replace(temp, path)
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, data: dict) -> str:
    body = _b64(json.dumps(data, separators=(",", ":"), ensure_ascii=True).encode("ascii"))
    mac = _b64(hmac.new(key, body.encode("ascii"), hashlib.sha256).digest())
    return f"{body}.{mac}"


def unsign(key: bytes, value: str, now: float | None = None) -> dict | None:
    """The session a cookie holds, or None when it is forged, damaged or expired."""
    body, _, mac = value.partition(".")
    expected = _b64(hmac.new(key, body.encode("ascii", "replace"), hashlib.sha256).digest())
    if not mac or not hmac.compare_digest(mac, expected):
        return None
    try:
        data = json.loads(_unb64(body))
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("exp"), (int, float)):
        return None
    if data["exp"] < (time.time() if now is None else now):
        return None
    return data


def new_session() -> dict:
    return {"csrf": secrets.token_urlsafe(24), "exp": int(time.time() + LIFETIME)}


class Sessions:
    """ASGI middleware: scope["session"] is the visitor's session (a new one with a fresh token when the cookie is
    missing, forged or expired); the cookie is written back when the session is new or changed, or half-way used."""

    def __init__(self, app, key: bytes) -> None:
        self.app = app
        self.key = key

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookie = SimpleCookie()
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                try:
                    cookie.load(value.decode("latin-1"))
                except Exception:   # noqa: BLE001 — a malformed cookie header is a visitor without a session
                    pass
        found = unsign(self.key, cookie[COOKIE].value) if COOKIE in cookie else None
        session = dict(found) if found else new_session()
        scope["session"] = session
        before = json.dumps(found, sort_keys=True) if found else None

        async def send_with_cookie(message) -> None:
            if message["type"] == "http.response.start":
                current = scope["session"]
                now = time.time()
                renew = found is not None and found["exp"] - now < LIFETIME - RENEW_AFTER
                if renew:
                    current["exp"] = int(now + LIFETIME)
                if json.dumps(current, sort_keys=True) != before or renew:
                    headers = MutableHeaders(scope=message)
                    headers.append("set-cookie", _cookie(sign(self.key, current), scope.get("scheme") == "https"))
            await send(message)

        await self.app(scope, receive, send_with_cookie)



def _cookie(value: str, secure: bool) -> str:
    """The session cookie: not readable by scripts, not sent with other sites' posts, gone after LIFETIME; Secure
    when the page is served over HTTPS (behind a reverse proxy that says so)."""
    return f"{COOKIE}={value}; Path=/; Max-Age={LIFETIME}; HttpOnly; SameSite=Lax{'; Secure' if secure else ''}"


def token_ok(session: dict, sent: object) -> bool:
    """Whether a form or script sent this session's anti-forgery token."""
    expected = session.get("csrf")
    return isinstance(sent, str) and isinstance(expected, str) and bool(sent) and hmac.compare_digest(sent, expected)
