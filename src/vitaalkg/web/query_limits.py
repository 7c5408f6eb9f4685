"""Limits on a query's text, checked before anything parses it.

- Size: at most ``Settings.query_max_bytes`` bytes (``VITAALKG_QUERY_MAX_BYTES``, default 1 MB);
  a POST body is read in chunks and refused as soon as it passes the limit (never held whole),
  a larger query gets **413**.
- Nesting: at most ``Settings.query_max_depth`` levels of ``{`` ``(`` ``[``
  (``VITAALKG_QUERY_MAX_DEPTH``, default 256); deeper gets **400**. The parser of the store
  recurses per level: 5,000 nested groups overflow its stack and crash the process.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from ..store.sparqltext import nesting_depth
from .bounded_body import read_bounded

DEFAULT_MAX_BYTES = 1_000_000
DEFAULT_MAX_DEPTH = 256


class QueryTextError(Exception):
    """A query text over a limit; ``status`` for the response."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _limits(request: Request) -> tuple[int, int]:
    settings: Any = request.app.state.settings
    return (int(getattr(settings, "query_max_bytes", DEFAULT_MAX_BYTES)),
            int(getattr(settings, "query_max_depth", DEFAULT_MAX_DEPTH)))


def too_large(max_bytes: int) -> QueryTextError:
    return QueryTextError(
        413, f"de query is groter dan de limiet van {max_bytes} bytes "
        f"(VITAALKG_QUERY_MAX_BYTES) / the query exceeds the limit of {max_bytes} bytes")


async def read_body(request: Request) -> bytes:
    """The request body, refused with 413 once it passes the size limit (read in chunks).

    The body is kept on the request, so ``request.form()`` can parse it afterwards.
    """
    max_bytes, _ = _limits(request)
    # a form body percent-encodes the query: allow for that, the query itself is checked later
    allowed = 3 * max_bytes + 64 * 1024
    body = await read_bounded(request, allowed, lambda: too_large(max_bytes))
    request._body = body  # starlette's cache: request.form() / body() read it from here
    return body


def check_query_text(request: Request, query: str) -> None:
    """Raise :class:`QueryTextError` when ``query`` is over the size or nesting limit."""
    max_bytes, max_depth = _limits(request)
    if len(query) > max_bytes or len(query.encode("utf-8")) > max_bytes:
        raise too_large(max_bytes)
    depth = nesting_depth(query)
    if depth > max_depth:
        raise QueryTextError(
            400, f"de query is te diep genest ({depth} niveaus van {{ ( [; de limiet is "
            f"{max_depth}, VITAALKG_QUERY_MAX_DEPTH) / the query is nested too deeply "
            f"({depth} levels; the limit is {max_depth})")
