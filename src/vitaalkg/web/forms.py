"""HTML form posts of the planner pages: read a bounded form once, and hand its file on to the
same reader ``POST /validate`` uses (``validation_api.read_request_plan``) as a fresh upload."""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser

from ..validation.inputs import InputError, PlanInput
from .bounded_body import read_bounded
from .validation_api import read_request_plan


@dataclass
class Form:
    """The text fields of a form and its one file (bytes, name, media type), if any."""

    fields: dict[str, str] = field(default_factory=dict)
    file: tuple[bytes, str, str | None] | None = None


def _too_large(limit: int) -> InputError:
    return InputError(f"bestand te groot: meer dan {limit} bytes", 413,
                      f"file too large: more than {limit} bytes")


async def read_form(request: Request, limit: int) -> Form:
    """The form of a POST (multipart or urlencoded), at most ``limit`` bytes of file plus its
    base64 copy; raises InputError."""
    cap = limit * 2 + 256 * 1024
    data = await read_bounded(request, cap, lambda: _too_large(limit))

    async def stream() -> Any:
        yield data

    ctype = (request.headers.get("content-type") or "").lower()
    try:
        if ctype.startswith("multipart/form-data"):
            parsed = await MultiPartParser(request.headers, stream(), max_files=2,
                                           max_fields=50, max_part_size=cap).parse()
        else:
            parsed = await FormParser(request.headers, stream()).parse()
    except MultiPartException as exc:
        raise InputError(f"formulier onleesbaar: {exc}", 400, f"unreadable form: {exc}") \
            from None
    form = Form()
    for name, value in parsed.multi_items():
        if isinstance(value, UploadFile):
            content = await value.read()
            if content or value.filename:
                form.file = (content, value.filename or "", value.content_type)
        else:
            form.fields[name] = value
    return form


def carried_file(form: Form) -> tuple[bytes, str] | None:
    """The uploaded file, else the file a report page carries along (field ``inhoud``,
    base64, with ``bestandsnaam``); None when the form holds neither."""
    if form.file is not None and form.file[0]:
        return form.file[0], form.file[1]
    text = form.fields.get("inhoud", "")
    if not text:
        return None
    try:
        return base64.b64decode(text, validate=True), form.fields.get("bestandsnaam", "plan")
    except (binascii.Error, ValueError):
        raise InputError("meegestuurd bestand is beschadigd", 400,
                         "the carried file is damaged") from None


async def read_upload(request: Request, data: bytes, filename: str
                      ) -> tuple[bytes, str, PlanInput]:
    """``read_request_plan`` of a multipart request holding just this file."""
    boundary = "vkg" + secrets.token_hex(16)
    safe = filename.replace('"', "").replace("\r", "").replace("\n", "") or "plan"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"bestand\"; "
            f"filename=\"{safe}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            ).encode() + data + f"\r\n--{boundary}--\r\n".encode("ascii")
    headers = [(k, v) for k, v in request.scope["headers"]
               if k not in (b"content-type", b"content-length", b"transfer-encoding")]
    headers += [(b"content-type", f"multipart/form-data; boundary={boundary}".encode("ascii")),
                (b"content-length", str(len(body)).encode("ascii"))]
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    replay = Request({**request.scope, "headers": headers}, receive)
    return await read_request_plan(replay, request.app.state.settings)
