"""Who is asking: the principal of a request, from its ``Authorization: Bearer`` token or,
without one, from its sign-in session cookie (``web/session.py``).

No token means the public (:data:`vitaalkg.auth.PUBLIC`). A token that is malformed, unknown or
revoked is refused with 401 and ``WWW-Authenticate: Bearer`` — never silently downgraded to the
public, so a client notices that its token no longer works. Too many of those from one address
and it gets 429 for a while (:mod:`.auth_guard`).
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import HTTPException, Request

from ..plans.registry import PlanRegistry
from ..plans.token_store import token_registry_for
from ..plans.tokens import PUBLIC, Principal, TokenError, TokenRegistry
from .auth_guard import FailureLimiter
from .session import COOKIE as SESSION_COOKIE
from .session import session_principal

_LOCK = threading.Lock()


def token_registry(app: Any) -> TokenRegistry:
    """The application's token registry (one per app): the token file, re-read when it
    changes, or the tokens in the remote store shared by every instance."""
    registry = getattr(app.state, "token_registry", None)
    if registry is None:
        with _LOCK:
            registry = getattr(app.state, "token_registry", None)
            if registry is None:
                registry = token_registry_for(app.state.settings, app.state.store)
                app.state.token_registry = registry
    return registry


def failure_limiter(app: Any) -> FailureLimiter:
    """The application's limiter of failed authentications (one per app)."""
    limiter = getattr(app.state, "auth_limiter", None)
    if limiter is None:
        with _LOCK:
            limiter = getattr(app.state, "auth_limiter", None)
            if limiter is None:
                per_minute = getattr(app.state.settings, "auth_failures_per_minute", 30)
                limiter = app.state.auth_limiter = FailureLimiter(per_minute)
    return limiter


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


def unauthorized(message_nl: str, message_en: str, error: str = "invalid_token") -> HTTPException:
    return HTTPException(
        status_code=401, detail=f"{message_nl} / {message_en}",
        headers={"WWW-Authenticate": f'Bearer realm="vitaalkg", error="{error}"'})


def bearer_token(request: Request) -> str | None:
    """The bearer token of the request, None without an Authorization header."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise unauthorized("alleen 'Authorization: Bearer TOKEN' wordt ondersteund",
                           "only 'Authorization: Bearer TOKEN' is supported", "invalid_request")
    return value.strip()


def carries_credentials(request: Request) -> bool:
    """Whether the request may be someone other than the public: a bearer token or a session
    cookie (shortcuts that memoise 'the public' must not be taken for such a request)."""
    return "authorization" in request.headers or SESSION_COOKIE in request.cookies


def principal_from_request(request: Request) -> Principal:
    """FastAPI dependency: the principal of the request (cached on ``request.state``)."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    token = bearer_token(request)
    if token is None:
        # a browser's sign-in session; an expired, forged or revoked one is the public
        try:
            principal = session_principal(request, token_registry(request.app)) or PUBLIC
        except TokenError as exc:
            raise HTTPException(status_code=500, detail=str(exc)) from exc
    else:
        limiter, address = failure_limiter(request.app), client_address(request)
        wait = limiter.retry_after(address)
        if wait:
            raise HTTPException(
                status_code=429, headers={"Retry-After": str(wait)},
                detail=f"te veel ongeldige tokens vanaf dit adres; probeer het over {wait} s "
                       f"opnieuw / too many invalid tokens from this address; retry in {wait} s")
        try:
            found = token_registry(request.app).principal(token)
        except TokenError as exc:
            raise HTTPException(status_code=500, detail=str(exc)) from exc
        if found is None:
            limiter.failed(address)
            raise unauthorized("token ongeldig of ingetrokken", "invalid or revoked token")
        principal = found
    request.state.principal = principal
    return principal


def dataset_for_request(request: Request) -> tuple[list[str], list[str]]:
    """(default graphs, named graphs) the caller of ``request`` may query."""
    principal = principal_from_request(request)
    app = request.app
    return PlanRegistry(app.state.store, app.state.settings.base).dataset_for(principal)
