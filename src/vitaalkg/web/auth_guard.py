"""Two guards around tokens, for every route.

- :class:`FailureLimiter`: failed authentications per client address, as a token bucket
  (``VITAALKG_AUTH_FAILURES_PER_MINUTE``). A wrong or revoked token takes one from the bucket of
  its address; an empty bucket answers every request with a token from that address 429 with
  ``Retry-After``, without looking at the token, until it has refilled. Valid tokens take
  nothing and wait for nothing; requests without a token are never limited here.
- :class:`PrivateAnswers` (ASGI middleware): an answer to a request with a token depends on that
  token, so it is ``Cache-Control: private``; every answer varies on ``Authorization``, so a
  shared cache never hands a public answer to a member or the other way round.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

#: addresses remembered at most (the fullest buckets are forgotten first: they owe nothing)
MAX_ADDRESSES = 10_000


class FailureLimiter:
    """A token bucket of failed authentications per client address."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}  # address -> (level, at)
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def _level(self, address: str, now: float) -> float:
        level, at = self._buckets.get(address, (self.capacity, now))
        return min(self.capacity, level + (now - at) * self.rate)

    def retry_after(self, address: str) -> int:
        """Seconds until ``address`` may try a token again; 0 when it may now."""
        if not self.enabled:
            return 0
        now = time.monotonic()
        with self._lock:
            level = self._level(address, now)
        return 0 if level >= 1.0 else max(1, math.ceil((1.0 - level) / self.rate))

    def failed(self, address: str) -> None:
        """Count one failed authentication of ``address``."""
        if not self.enabled:
            return
        now = time.monotonic()
        with self._lock:
            self._buckets[address] = (max(0.0, self._level(address, now) - 1.0), now)
            if len(self._buckets) > MAX_ADDRESSES:
                full = sorted(self._buckets, key=lambda a: -self._level(a, now))
                for a in full[:len(self._buckets) - MAX_ADDRESSES]:
                    del self._buckets[a]


class PrivateAnswers:
    """ASGI middleware: ``Vary: Authorization`` everywhere, ``Cache-Control: private`` on the
    answers to requests that carry a token."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        with_token = any(k == b"authorization" for k, _v in scope.get("headers", []))

        async def patched(message: dict) -> None:
            if message.get("type") == "http.response.start":
                message["headers"] = private_headers(list(message.get("headers", [])),
                                                     with_token)
            await send(message)

        await self.app(scope, receive, patched)


def private_headers(headers: list[tuple[bytes, bytes]], with_token: bool
                    ) -> list[tuple[bytes, bytes]]:
    """The response headers with ``Vary: Authorization`` (and ``private`` when ``with_token``)."""
    vary = [v.decode("latin-1") for k, v in headers if k.lower() == b"vary"]
    cache = [v.decode("latin-1") for k, v in headers if k.lower() == b"cache-control"]
    out = [(k, v) for k, v in headers if k.lower() not in (b"vary", b"cache-control")]
    names = [n.strip() for v in vary for n in v.split(",") if n.strip()]
    if "*" not in names and "authorization" not in {n.lower() for n in names}:
        names.append("Authorization")
    out.append((b"vary", ", ".join(names).encode("latin-1")))
    directives = [d.strip() for v in cache for d in v.split(",") if d.strip()]
    if with_token:
        directives = [d for d in directives
                      if d.lower() not in ("public", "private")
                      and not d.lower().startswith("s-maxage")]
        directives.insert(0, "private")
    if directives:
        out.append((b"cache-control", ", ".join(directives).encode("latin-1")))
    return out
