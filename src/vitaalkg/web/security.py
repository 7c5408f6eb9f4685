"""Headers and limits for every answer: security headers (CSP, nosniff, no framing, referrer
policy) and a time limit for pages and JSON answers (a clear 503 when it is exceeded).

Both are plain ASGI middleware, installed by :func:`install`.
"""

from __future__ import annotations

import asyncio
import html
import json
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .i18n import _, current_language

#: every answer, /docs included (scripts from /static only; inline styles allowed for YASGUI
#: and Swagger UI)
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
#: paths without the page time limit: the SPARQL endpoint has its own (killable workers)
UNLIMITED_PREFIXES = ("/sparql", "/health", "/static/")


class SecurityHeaders:
    """Adds the security headers to every HTTP answer (unless a route set its own)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                location = headers.get("location")
                if location and host:  # Starlette's slash redirects name the Host header
                    headers["location"] = _relative(location, host)
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = CSP
                for name, value in SECURITY_HEADERS.items():
                    if name.lower() not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _relative(location: str, host: str) -> str:
    """``location`` without ``scheme://host`` when that host is the request's own Host."""
    parts = urlsplit(location)
    if parts.scheme and parts.netloc.lower() == host.lower():
        return urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
    return location


class TimeLimit:
    """Answers 503 when a GET/HEAD has not started its answer within ``seconds``.

    The handler's thread cannot be killed; its late result is dropped. Answers that have
    started are not cut off."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or self.seconds <= 0
                or scope.get("method") not in ("GET", "HEAD")
                or scope.get("path", "").startswith(UNLIMITED_PREFIXES)):
            await self.app(scope, receive, send)
            return
        state = {"started": False, "late": False}

        async def guarded(message: Message) -> None:
            if state["late"]:
                return
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        task = asyncio.ensure_future(self.app(scope, receive, guarded))
        done, _pending = await asyncio.wait({task}, timeout=self.seconds)
        if task in done or state["started"]:
            await task
            return
        state["late"] = True
        task.cancel()
        await _too_slow(scope, send, self.seconds)


async def _too_slow(scope: Scope, send: Send, seconds: float) -> None:
    """The 503 answer, as HTML, JSON or text as the client asked."""
    accept = Headers(scope=scope).get("accept", "")
    nl = (f"Deze pagina kon niet binnen {seconds:g} seconden worden gemaakt. Probeer het later "
          "opnieuw, of vraag minder op (een kleinere pagina, een SPARQL-query met LIMIT).")
    en = (f"This page could not be made within {seconds:g} seconds. Try again later, or ask "
          "for less (a smaller page, a SPARQL query with LIMIT).")
    if "text/html" in accept:  # a page for people: in the page's language
        media = "text/html; charset=utf-8"
        lang = current_language()
        title, text, home = _("Te traag"), en if lang == "en" else nl, _("Naar de startpagina")
        body = (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>503 '
                f'{html.escape(title)}</title><link rel="stylesheet" href="/static/style.css">'
                f'</head><body><main><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>'
                f'<p><a href="/">{html.escape(home)}</a></p></main>'
                f'</body></html>').encode()
    elif "json" in accept:
        media = "application/json"
        body = json.dumps({"error": f"{nl} / {en}", "status": 503},
                          ensure_ascii=False).encode()
    else:
        media = "text/plain; charset=utf-8"
        body = f"503 Te traag / Too slow\n{nl}\n{en}\n".encode()
    headers = [(b"content-type", media.encode()), (b"content-length", str(len(body)).encode()),
               (b"retry-after", b"10"), (b"cache-control", b"no-store")]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body",
                "body": b"" if scope.get("method") == "HEAD" else body})


def install(app: Any) -> None:
    """Add both middlewares (the time limit inside the headers, so a 503 gets them too)."""
    seconds = float(getattr(app.state.settings, "page_timeout", 30.0) or 0)
    app.add_middleware(TimeLimit, seconds=seconds)
    app.add_middleware(SecurityHeaders)


def public_url(settings: Any) -> str:
    """The service's public address for absolute links (never the request's Host header)."""
    return getattr(settings, "public_url", None) or settings.base
