"""Browser sessions: a signed cookie that names a token, and CSRF protection for forms.

The cookie ``vkg_sessie`` holds ``{token id, expiry, CSRF token}``, base64url-encoded and signed
with HMAC-SHA256. The key is ``VITAALKG_SESSION_SECRET``; without it a random key is made once
and kept (mode 0600) beside the store, so a restart keeps the sessions. Several instances behind
one address must share one configured secret. The cookie never holds the token itself, and every
request looks the token id up again: a revoked token's session stops working at once.

A form that changes something carries the session's CSRF token in a hidden field; on POST the
field must match and the ``Origin`` (or, without it, the ``Referer``) must be this site.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from fastapi.responses import Response

from ..plans.tokens import Principal, TokenRegistry, principal_for_id, token_file

COOKIE = "vkg_sessie"
CSRF_FIELD = "csrf"
#: headers of every response to a request that carries a session cookie
PRIVATE_HEADERS = {"Cache-Control": "private, no-store"}


@dataclass(frozen=True)
class Session:
    """A valid session: whose token, until when, and its CSRF token."""

    token_id: str
    expires: int
    csrf: str


# -- the secret ----------------------------------------------------------------------------------
def secret_file(settings: Any) -> Path:
    """Where the generated secret lives: beside the store (or beside the token file)."""
    if settings.store_path is not None:
        store = Path(settings.store_path)
        return store.parent / (store.name + "-session-secret")
    tokens = token_file(settings)
    return tokens.parent / (tokens.name + ".session-secret")


def load_secret(settings: Any) -> bytes:
    """The signing key: the configured secret, else the stored one (made once, 0600)."""
    if settings.session_secret:
        return settings.session_secret.encode("utf-8")
    path = secret_file(settings)
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48).encode("ascii")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as fh:
        fh.write(value)
        fh.flush()
        os.fsync(fh.fileno())
    return value


def _secret(request: Request) -> bytes:
    key = getattr(request.app.state, "session_key", None)
    if key is None:
        key = load_secret(request.app.state.settings)
        request.app.state.session_key = key
    return key


# -- signing -------------------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(payload: dict[str, Any], key: bytes) -> str:
    body = _b64(json.dumps(payload, separators=(",", ":")).encode("utf-8"))
    mac = hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def unsign(value: str, key: bytes) -> dict[str, Any] | None:
    """The payload of a correctly signed value; None when forged or malformed."""
    body, _, mac = value.partition(".")
    if not body or not mac or len(value) > 1000:
        return None
    expected = _b64(hmac.new(key, body.encode("ascii"), hashlib.sha256).digest())
    if not hmac.compare_digest(expected, mac):
        return None
    try:
        data = json.loads(_unb64(body))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


# -- reading and writing the cookie ----------------------------------------------------------------
def read_session(request: Request) -> Session | None:
    """The request's session when its cookie is genuine and not expired (cached per request)."""
    if getattr(request.state, "session_read", False):
        return request.state.session
    session = None
    value = request.cookies.get(COOKIE)
    if value:
        data = unsign(value, _secret(request))
        if data and isinstance(data.get("t"), str) and isinstance(data.get("c"), str) \
                and isinstance(data.get("e"), int) and data["e"] > time.time():
            session = Session(data["t"], data["e"], data["c"])
    request.state.session = session
    request.state.session_read = True
    return session


def session_principal(request: Request, registry: TokenRegistry) -> Principal | None:
    """The principal of the request's session; None without one, or when its token is revoked."""
    if getattr(request.state, "session_principal_read", False):
        return request.state.session_principal
    session = read_session(request)
    principal = None if session is None else principal_for_id(registry, session.token_id)
    request.state.session_principal = principal
    request.state.session_principal_read = True
    return principal


def is_https(request: Request) -> bool:
    """Served over HTTPS (uvicorn applies ``X-Forwarded-Proto`` of trusted proxies)."""
    return request.url.scheme == "https"


def start_session(request: Request, response: Response, principal: Principal) -> Session:
    """Set a new session cookie for ``principal`` on ``response``."""
    hours = float(request.app.state.settings.session_hours)
    session = Session(principal.token_id or "", int(time.time() + hours * 3600),
                      secrets.token_urlsafe(24))
    value = sign({"t": session.token_id, "e": session.expires, "c": session.csrf},
                 _secret(request))
    response.set_cookie(COOKIE, value, max_age=int(hours * 3600), path="/", httponly=True,
                        secure=is_https(request), samesite="lax")
    return session


def end_session(request: Request, response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, secure=is_https(request),
                           samesite="lax")


# -- CSRF ------------------------------------------------------------------------------------------
def own_origin(request: Request) -> str:
    host = request.headers.get("host") or request.url.netloc
    return f"{request.url.scheme}://{host}".lower()


def same_origin(request: Request) -> bool:
    """The form was posted from this site: ``Origin``, else ``Referer``, names it."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        return origin.rstrip("/").lower() == own_origin(request)
    referer = request.headers.get("referer")
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}".lower() == own_origin(request)
    return False


def forbidden(nl: str, en: str) -> HTTPException:
    return HTTPException(status_code=403, detail=f"{nl} / {en}")


def check_origin(request: Request) -> None:
    if not same_origin(request):
        raise forbidden("formulier niet vanaf deze site verstuurd (Origin/Referer)",
                        "form not posted from this site (Origin/Referer)")


def check_csrf(request: Request, fields: dict[str, str]) -> Session:
    """The session of a form post that may change something; 403 otherwise."""
    check_origin(request)
    session = read_session(request)
    if session is None:
        raise forbidden("u bent niet (meer) aangemeld", "you are not signed in (any more)")
    given = fields.get(CSRF_FIELD, "")
    if not given or not hmac.compare_digest(given, session.csrf):
        raise forbidden("ongeldig formuliertoken (CSRF); laad de pagina opnieuw",
                        "invalid form token (CSRF); reload the page")
    return session


# -- response headers ------------------------------------------------------------------
class PrivateCacheMiddleware:
    """Responses to requests with a session cookie: ``Cache-Control: private, no-store`` and
    ``Vary: Cookie``, so no shared cache keeps a signed-in page. Every HTML page also says
    ``Vary: Cookie`` (its header shows who is signed in)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        signed = _has_cookie(scope)

        async def wrapped(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": _private(message.get("headers", []), signed)}
            await send(message)

        await self.app(scope, receive, wrapped)


def _private(headers: list[tuple[bytes, bytes]], signed: bool) -> list[tuple[bytes, bytes]]:
    ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
    if not signed and not ctype.startswith(b"text/html"):
        return headers
    vary = [v for k, v in headers if k.lower() == b"vary"]
    out = [(k, v) for k, v in headers if k.lower() != b"vary"
           and not (signed and k.lower() == b"cache-control")]
    values = [p.strip() for v in vary for p in v.decode("latin-1").split(",") if p.strip()]
    if "cookie" not in {v.lower() for v in values}:
        values.append("Cookie")
    if signed:
        out.append((b"cache-control", b"private, no-store"))
    out.append((b"vary", ", ".join(values).encode("latin-1")))
    return out


def _has_cookie(scope: dict[str, Any]) -> bool:
    needle = COOKIE.encode("ascii") + b"="
    return any(k == b"cookie" and needle in v for k, v in scope.get("headers", []))
