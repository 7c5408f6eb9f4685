"""Sign-in with a token (``GET|POST /aanmelden``), sign-out (``POST /afmelden``), and the site's
statements: ``/toegankelijkheid`` (accessibility statement) and ``/colofon``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..plans.tokens import Principal, TokenError
from ..validation.inputs import InputError
from .access import token_registry
from .forms import read_form
from .i18n import _
from .pages import render
from .session import (
    PRIVATE_HEADERS,
    check_csrf,
    check_origin,
    end_session,
    read_session,
    session_principal,
    start_session,
)

FORM_LIMIT = 16 * 1024


def _back(value: str | None) -> str:
    """A local path to return to (never another site)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/plannen"


def who(request: Request) -> dict[str, Any] | None:
    """The signed-in principal for the header (label, CSRF token), None when not signed in.
    Reads only the session, never the Authorization header."""
    try:
        principal = session_principal(request, token_registry(request.app))
    except TokenError:
        return None
    if principal is None:
        return None
    session = read_session(request)
    return {"label": label(principal), "csrf": session.csrf if session else ""}


def label(principal: Principal) -> str:
    if principal.team:
        return _("projectteam")
    return (principal.org or "").rstrip("/").rsplit("/", 1)[-1].upper() \
        if "/veiligheidsregio/" in (principal.org or "") else \
        (principal.org or "").rstrip("/").rsplit("/", 1)[-1]


def signin_page(request: Request, terug: str | None = None) -> HTMLResponse:
    response = render(request, "signin.html", title=_("Aanmelden"), back=_back(terug),
                      crumbs=[{"label": _("Aanmelden")}])
    response.headers.update(PRIVATE_HEADERS)
    return response


def refused(request: Request, exc: HTTPException) -> HTMLResponse:
    """The 403 page of a refused form post (CSRF token or origin)."""
    nl, _sep, en = str(exc.detail).partition(" / ")
    return render(request, "planner_error.html", status=403, title=_("Geweigerd"), message=nl,
                  message_en=en or nl)


async def signin(request: Request) -> Response:
    try:
        check_origin(request)
    except HTTPException as exc:
        return refused(request, exc)
    try:
        form = await read_form(request, FORM_LIMIT)
    except InputError as exc:
        return render(request, "signin.html", status=exc.status, title=_("Aanmelden"),
                      back="/plannen", error=(exc.message, exc.message_en))
    back = _back(form.fields.get("terug"))
    token = form.fields.get("token", "").strip()
    try:
        principal = token_registry(request.app).principal(token) if token else None
    except TokenError:
        principal = None
    if principal is None:
        response = render(request, "signin.html", status=401, title=_("Aanmelden"), back=back,
                          error=("Dit token is onbekend of ingetrokken.",
                                 "This token is unknown or revoked."))
        response.headers.update(PRIVATE_HEADERS)
        return response
    response = RedirectResponse(back, status_code=303, headers=PRIVATE_HEADERS)
    start_session(request, response, principal)
    return response


async def signout(request: Request) -> Response:
    try:
        form = await read_form(request, FORM_LIMIT)
        check_csrf(request, form.fields)
    except InputError as exc:
        return render(request, "planner_error.html", status=exc.status, title=_("Niet gelukt"),
                      message=exc.message, message_en=exc.message_en)
    except HTTPException as exc:
        return refused(request, exc)
    response = RedirectResponse("/", status_code=303, headers=PRIVATE_HEADERS)
    end_session(request, response)
    return response


def install(app: FastAPI) -> None:
    """Add the sign-in pages and the statements; expose ``who`` to the templates."""
    from .pages import templates

    templates.env.globals["signed_in_as"] = who
    app.get("/aanmelden", tags=["aanmelden"], response_class=HTMLResponse,
            summary="Aanmelden met een token (sessie) / sign in with a token")(signin_page)
    app.post("/aanmelden", tags=["aanmelden"], summary="Aanmelden / sign in")(signin)
    app.post("/afmelden", tags=["aanmelden"], summary="Afmelden / sign out")(signout)

    @app.get("/toegankelijkheid", tags=["service"], response_class=HTMLResponse,
             summary="Toegankelijkheidsverklaring / accessibility statement")
    def accessibility(request: Request) -> HTMLResponse:
        return render(request, "accessibility.html", title=_("Toegankelijkheidsverklaring"),
                      crumbs=[{"label": _("Toegankelijkheid")}])

    @app.get("/colofon", tags=["service"], response_class=HTMLResponse,
             summary="Colofon: uitgever, licentie, contact / colophon")
    def colofon(request: Request) -> HTMLResponse:
        return render(request, "colofon.html", title=_("Colofon"),
                      crumbs=[{"label": _("Colofon")}])
