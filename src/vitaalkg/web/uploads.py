"""Reading a plan upload for ``POST /validate`` and ``POST /plans`` without burdening the server.

The request loop only collects the body (within the size limit) and takes a multipart form
apart (within field, file and part limits); the plan itself is read in a bounded worker process
(``validation/sandbox.py``) from a thread. At most ``upload_workers`` uploads are read at once;
a further one waits ``upload_queue_seconds`` for a turn and then gets 503 with Retry-After.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from ..validation.inputs import InputError, PlanInput
from ..validation.limits import UploadLimits
from ..validation.sandbox import read_plan_bounded
from .bounded_body import read_bounded

#: a plan form holds one file and a few fields
MAX_FORM_FILES = 4
MAX_FORM_FIELDS = 32
MAX_FIELD_BYTES = 64 * 1024


class Busy(InputError):
    """All upload readers are busy (503); ``retry_after`` in seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "te veel uploads tegelijk: probeer het over enkele seconden opnieuw "
            "(instelling VITAALKG_UPLOAD_WORKERS)", 503,
            "too many uploads at once: try again in a few seconds "
            "(setting VITAALKG_UPLOAD_WORKERS)")
        self.retry_after = retry_after


def _gate(request: Request, workers: int) -> asyncio.Semaphore:
    state = request.app.state
    gate = getattr(state, "upload_gate", None)
    if gate is None:
        gate = state.upload_gate = asyncio.Semaphore(max(1, workers))
    return gate


async def _acquire(gate: asyncio.Semaphore, seconds: float) -> bool:
    """Take a turn within ``seconds``; False when none came free."""
    task = asyncio.ensure_future(gate.acquire())
    try:
        await asyncio.wait({task}, timeout=max(seconds, 0.0))
    except asyncio.CancelledError:
        task.cancel()
        if task.done() and not task.cancelled():
            gate.release()
        raise
    if not task.done():
        task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        return False
    return True


async def read_request_plan(request: Request, settings: Any) -> tuple[bytes, str, PlanInput]:
    """(raw bytes, file name, parsed plan) of a request body; raises InputError (400, 413,
    415, or 503 when all readers are busy)."""
    limit = settings.max_upload_bytes
    data, name, ctype = await read_body(request, limit)
    gate = _gate(request, settings.upload_workers)
    if not await _acquire(gate, settings.upload_queue_seconds):
        raise Busy(max(1, math.ceil(settings.upload_queue_seconds)))
    try:
        plan = await run_in_threadpool(
            read_plan_bounded, data, name or "plan", ctype, base=settings.base, limit=limit,
            limits=UploadLimits.from_settings(settings))
    finally:
        gate.release()
    return data, name, plan


def _too_large(limit: int) -> InputError:
    return InputError(f"bestand te groot: meer dan {limit} bytes "
                      "(instelling VITAALKG_MAX_UPLOAD_BYTES)", 413,
                      f"file too large: more than {limit} bytes "
                      "(setting VITAALKG_MAX_UPLOAD_BYTES)")


async def read_body(request: Request, limit: int) -> tuple[bytes, str, str | None]:
    """(bytes, file name, media type) from a raw body or a multipart upload, within the limit."""
    data = await read_bounded(request, limit + 64 * 1024, lambda: _too_large(limit))
    ctype = request.headers.get("content-type")
    if ctype and ctype.lower().startswith("multipart/form-data"):
        return await _form_file(request, data)
    return data, "", ctype


async def _form_file(request: Request, data: bytes) -> tuple[bytes, str, str | None]:
    """The first file of a multipart form; a broken or oversized form is 400 / 413."""
    from starlette.datastructures import UploadFile
    from starlette.formparsers import MultiPartException, MultiPartParser

    async def stream() -> Any:
        yield data

    parser = MultiPartParser(request.headers, stream(), max_files=MAX_FORM_FILES,
                             max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FIELD_BYTES)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        text = exc.message
        if text.startswith("Too many") or "maximum size" in text:
            raise InputError(
                f"formulier geweigerd: {text} (maximaal {MAX_FORM_FILES} bestanden, "
                f"{MAX_FORM_FIELDS} velden, {MAX_FIELD_BYTES // 1024} KB per veld)", 413,
                f"form refused: {text} (at most {MAX_FORM_FILES} files, {MAX_FORM_FIELDS} "
                f"fields, {MAX_FIELD_BYTES // 1024} KB per field)") from None
        raise InputError(f"ongeldig multipart-formulier: {text}", 400,
                         f"invalid multipart form: {text}") from None
    try:
        for value in form.values():
            if isinstance(value, UploadFile):
                return await value.read(), value.filename or "", value.content_type
    finally:
        await form.close()
    raise InputError("geen bestand in het formulier", 400, "no file in the form")
