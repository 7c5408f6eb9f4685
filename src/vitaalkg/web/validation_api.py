"""``POST /validate``: check a plan over HTTP, report by content negotiation."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ..store.remote import knowledge_store
from ..validation import report as rep
from ..validation.engine import PlanValidator
from ..validation.inputs import InputError
from ..validation.sandbox import warm_up
from .uploads import read_request_plan

__all__ = ["input_error_response", "install", "read_request_plan"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _negotiate(accept: str) -> str:
    """json | turtle | html, from the Accept header (JSON when nothing fits)."""
    best, best_q = "json", -1.0
    for part in (accept or "").split(","):
        fields = part.strip().split(";")
        media = fields[0].strip().lower()
        q = 1.0
        for f in fields[1:]:
            if f.strip().startswith("q="):
                try:
                    q = float(f.strip()[2:])
                except ValueError:
                    q = 0.0
        kind = {"application/json": "json", "text/turtle": "turtle", "text/html": "html",
                "application/xhtml+xml": "html", "*/*": "json",
                "application/*": "json"}.get(media)
        if kind and q > best_q:
            best, best_q = kind, q
    return best


def input_error_response(exc: InputError, lang: str) -> JSONResponse:
    """The JSON answer (400/413/415) for a plan that cannot be read."""
    retry = getattr(exc, "retry_after", None)
    return JSONResponse({"error": exc.message if lang == "nl" else exc.message_en,
                         "status": exc.status}, status_code=exc.status,
                        headers={"Retry-After": str(retry)} if retry else None)


def install(app: FastAPI) -> None:
    """Add ``POST /validate`` to the application."""
    lock = threading.Lock()
    threading.Thread(target=warm_up, name="upload-forkserver", daemon=True).start()

    def validator() -> PlanValidator:
        with lock:
            if getattr(app.state, "plan_validator", None) is None:
                settings = app.state.settings
                kb = knowledge_store(app.state.store, settings.base)
                app.state.plan_validator = PlanValidator(settings, kb=kb)
            return app.state.plan_validator

    @app.post(
        "/validate", tags=["validatie"],
        summary="Controleer een actieplan (Turtle, JSON-LD, CSV of XLSX) met SHACL",
        responses={200: {"content": {"application/json": {}, "text/turtle": {},
                                     "text/html": {}}},
                   400: {"description": "onleesbare invoer"},
                   413: {"description": "te groot of boven een limiet"},
                   415: {"description": "niet ondersteund"},
                   503: {"description": "te veel uploads tegelijk (Retry-After)"}},
    )
    async def validate(
        request: Request,
        lang: Annotated[str, Query(pattern="^(nl|en)$",
                                   description="Taal van het rapport")] = "nl",
        reference_date: Annotated[dt.date | None, Query(
            alias="reference-date", description="Peildatum (standaard vandaag)")] = None,
    ) -> Response:
        settings = app.state.settings
        try:
            _, name, plan = await read_request_plan(request, settings)
        except InputError as exc:
            return input_error_response(exc, lang)
        from starlette.concurrency import run_in_threadpool

        report = await run_in_threadpool(validator().validate, plan, reference_date)
        report.name = name or "plan"
        kind = _negotiate(request.headers.get("accept", ""))
        if kind == "turtle":
            return Response(rep.to_turtle(report), media_type="text/turtle; charset=utf-8")
        if kind == "html":
            return HTMLResponse(rep.to_html([report], lang))
        return JSONResponse(rep.to_json(report, lang))
