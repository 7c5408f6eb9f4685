"""Read a request body within a byte cap: the declared length is checked before reading, the
streamed size while reading, so an oversized body is refused without being held in memory."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request


async def read_bounded(request: Request, cap: int, refuse: Callable[[], Exception]) -> bytes:
    """The whole body of ``request``, or ``refuse()`` raised once it would pass ``cap`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise refuse()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise refuse()
        chunks.append(chunk)
    return b"".join(chunks)
