"""``POST /validate``: check a plan over HTTP, report by content negotiation."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ..store.remote import knowledge_store
from ..validation import report as rep
from ..validation.engine import PlanValidator
from ..validation.inputs import InputError, PlanInput, read_plan

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
    return JSONResponse({"error": exc.message if lang == "nl" else exc.message_en,
                         "status": exc.status}, status_code=exc.status)


async def read_request_plan(request: Request, settings: Any) -> tuple[bytes, str, PlanInput]:
    """(raw bytes, file name, parsed plan) of a request body; raises InputError."""
    limit = settings.max_upload_bytes
    data, name, ctype = await _body(request, limit)
    plan = read_plan(data, name or "plan", ctype, base=settings.base, limit=limit)
    return data, name, plan


async def _body(request: Request, limit: int) -> tuple[bytes, str, str | None]:
    """(bytes, file name, media type) from a raw body or a multipart upload, within the limit."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit + 64 * 1024:
        raise InputError(f"bestand te groot: meer dan {limit} bytes", 413,
                         f"file too large: more than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit + 64 * 1024:
            raise InputError(f"bestand te groot: meer dan {limit} bytes", 413,
                             f"file too large: more than {limit} bytes")
        chunks.append(chunk)
    data = b"".join(chunks)
    ctype = request.headers.get("content-type")
    if ctype and ctype.lower().startswith("multipart/form-data"):
        from starlette.datastructures import UploadFile
        from starlette.formparsers import MultiPartParser

        async def stream() -> Any:
            yield data

        form = await MultiPartParser(request.headers, stream()).parse()
        for value in form.values():
            if isinstance(value, UploadFile):
                return await value.read(), value.filename or "", value.content_type
        raise InputError("geen bestand in het formulier", 400, "no file in the form")
    return data, "", ctype


def install(app: FastAPI) -> None:
    """Add ``POST /validate`` to the application."""
    lock = threading.Lock()

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
                   413: {"description": "te groot"}, 415: {"description": "niet ondersteund"}},
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
