"""Fair sharing of the query workers between clients.

A *client* is the bearer token of a request (its digest), else the client's address
(:class:`ClientMiddleware` puts it in :data:`current_client` for the request). :class:`FairSlots`
hands idle workers to waiting queries:

- Waiting clients are served in turn (round-robin): first clients with the fewest running
  queries, among those the one served longest ago; a client's own queries in arrival order.
- A client whose query ran longer than ``preempt_after`` (or hit the time limit) counts as
  *heavy* for ``heavy_for`` seconds. Heavy clients wait behind the others and, while light
  clients are about (a query in the last ``LIGHT_RECENT`` seconds), together hold at most
  ``capacity - 1`` workers: one worker stays free for light queries.
- When a light client waits and every worker is busy, the query that has run longest (at least
  ``preempt_after``) is preempted: its worker is stopped and replaced, the client gets 503 with
  ``Retry-After``. A spare worker, started ahead, takes over at once.
- At most ``per_client_waiting`` queries of one client wait; more get 503 with ``Retry-After``
  at once.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import itertools
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

W = TypeVar("W")
LIGHT_RECENT = 10.0
current_client: contextvars.ContextVar[str] = contextvars.ContextVar("vitaalkg_client",
                                                                     default="")


def client_key(headers: dict[str, str], address: str | None) -> str:
    """``token:<digest>`` for a bearer token, else ``addr:<address>``."""
    auth = headers.get("authorization", "")
    if auth:
        return "token:" + hashlib.sha256(auth.encode("utf-8", "replace")).hexdigest()[:16]
    return f"addr:{address or '?'}"


class ClientMiddleware:
    """Pure ASGI middleware: sets :data:`current_client` for the request."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        client = scope.get("client")
        token = current_client.set(client_key(headers, client[0] if client else None))
        try:
            await self.app(scope, receive, send)
        finally:
            current_client.reset(token)


class SlotsBusy(Exception):
    """No worker for this query now; ``retry_after`` in seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass(eq=False)
class Ticket:
    """One running query: its client, start and the future that asks it to stop."""

    client: str
    started: float
    preempt: asyncio.Future[None] = field(repr=False)


class FairSlots(Generic[W]):
    """Idle workers and the queries waiting for one; see the module docstring."""

    def __init__(self, capacity: int, *, per_client_waiting: int = 4,
                 preempt_after: float = 1.0, heavy_for: float = 60.0) -> None:
        self.capacity = max(1, capacity)
        self.per_client_waiting = per_client_waiting
        self.preempt_after = preempt_after
        self.heavy_for = heavy_for
        self.preemptions = 0
        self._idle: deque[W] = deque()
        self._waiting: dict[str, deque[asyncio.Future[tuple[W, Ticket]]]] = {}
        self._running: dict[Ticket, None] = {}
        self._heavy: dict[str, float] = {}
        self._served: dict[str, int] = {}
        self._sequence = itertools.count()
        self._timer: asyncio.TimerHandle | None = None
        self._seen: dict[str, float] = {}  # client -> its last query

    # -- state ---------------------------------------------------------------------------
    def is_heavy(self, client: str) -> bool:
        until = self._heavy.get(client)
        if until is None:
            return False
        if until < time.monotonic():
            del self._heavy[client]
            return False
        return True

    def mark_heavy(self, client: str) -> None:
        self._heavy[client] = time.monotonic() + self.heavy_for
        if len(self._heavy) > 10_000:  # bounded: forget the expired ones
            now = time.monotonic()
            self._heavy = {c: t for c, t in self._heavy.items() if t >= now}

    def _light_about(self) -> bool:
        """Whether a client that is not heavy sent a query in the last ``LIGHT_RECENT`` s."""
        cutoff = time.monotonic() - LIGHT_RECENT
        return any(t >= cutoff and not self.is_heavy(c) for c, t in self._seen.items())

    def _running_of(self, client: str) -> int:
        return sum(1 for t in self._running if t.client == client)

    def _heavy_running(self) -> int:
        return sum(1 for t in self._running if self.is_heavy(t.client))

    def idle(self) -> list[W]:
        return list(self._idle)

    def drain(self) -> list[W]:
        """Remove and return the idle workers (closing the pool)."""
        workers = list(self._idle)
        self._idle.clear()
        return workers

    # -- workers in and out ----------------------------------------------------------------
    def put(self, worker: W) -> None:
        """An idle worker (new, or back from a query)."""
        self._idle.append(worker)
        self._dispatch()

    def take_idle(self, worker: W) -> None:
        """Forget an idle worker that died."""
        if worker in self._idle:
            self._idle.remove(worker)

    async def acquire(self, client: str, timeout: float) -> tuple[W, Ticket]:
        """A worker for ``client``'s query; :class:`SlotsBusy` when none comes in time."""
        queue = self._waiting.setdefault(client, deque())
        if len(queue) >= self.per_client_waiting:
            raise SlotsBusy(max(1, round(self.preempt_after or 1)))
        self._seen[client] = time.monotonic()
        if len(self._seen) > 10_000:
            cutoff = time.monotonic() - LIGHT_RECENT
            self._seen = {c: t for c, t in self._seen.items() if t >= cutoff}
        future: asyncio.Future[tuple[W, Ticket]] = asyncio.get_running_loop().create_future()
        queue.append(future)
        self._dispatch()
        if not future.done():
            self._schedule_preemption(self._grace())
        try:
            await asyncio.wait({future}, timeout=timeout)
        except BaseException:
            self._abandon(client, future)
            raise
        if future.done() and not future.cancelled():
            return future.result()
        self._abandon(client, future)
        if self.is_heavy(client):
            self.mark_heavy(client)
        raise SlotsBusy(max(1, round(timeout / 2)))

    def _abandon(self, client: str, future: asyncio.Future[tuple[W, Ticket]]) -> None:
        queue = self._waiting.get(client)
        if queue is not None and future in queue:
            queue.remove(future)
            if not queue:
                del self._waiting[client]
        if future.done() and not future.cancelled():  # handed over meanwhile: give it back
            worker, ticket = future.result()
            self.release(ticket, worker)
        else:
            future.cancel()

    def release(self, ticket: Ticket, worker: W | None) -> None:
        """The query of ``ticket`` is done; ``worker`` is idle again (None: it was stopped)."""
        self._running.pop(ticket, None)
        if self.preempt_after > 0 and time.monotonic() - ticket.started >= self.preempt_after:
            self.mark_heavy(ticket.client)
        if worker is not None:
            self._idle.append(worker)
        self._dispatch()
        if self._light_waiting():
            self._schedule_preemption(self._grace())

    # -- choosing ------------------------------------------------------------------------
    def _mark_long_running(self) -> None:
        """A query still running past ``preempt_after`` makes its client heavy right away."""
        if self.preempt_after <= 0:
            return
        cutoff = time.monotonic() - self.preempt_after
        for ticket in self._running:
            if ticket.started <= cutoff and not self.is_heavy(ticket.client):
                self.mark_heavy(ticket.client)

    def _next_client(self) -> str | None:
        self._mark_long_running()
        heavy_full = (self.capacity > 1 and self._heavy_running() >= self.capacity - 1
                      and self._light_about())
        candidates = [c for c, q in self._waiting.items()
                      if q and not (heavy_full and self.is_heavy(c))]
        if not candidates:
            return None
        return min(candidates, key=lambda c: (self.is_heavy(c), self._running_of(c),
                                              self._served.get(c, -1)))

    def _dispatch(self) -> None:
        while self._idle and len(self._running) < self.capacity:
            client = self._next_client()
            if client is None:
                return
            queue = self._waiting[client]
            future = queue.popleft()
            if not queue:
                del self._waiting[client]
            if future.done():
                continue
            loop = asyncio.get_running_loop()
            ticket = Ticket(client, time.monotonic(), loop.create_future())
            self._running[ticket] = None
            self._served[client] = next(self._sequence)
            future.set_result((self._idle.popleft(), ticket))
        if len(self._served) > 10_000:
            self._served = {c: s for c, s in self._served.items() if c in self._waiting}

    # -- preemption ----------------------------------------------------------------------
    def _light_waiting(self) -> bool:
        return any(q and not self.is_heavy(c) for c, q in self._waiting.items())

    def _grace(self) -> float:
        """How long a light query waits before preemption is considered: light queries
        usually free a worker within that time themselves."""
        return min(0.25, self.preempt_after / 4)

    def _schedule_preemption(self, delay: float = 0.0) -> None:
        if self.preempt_after <= 0 or self._timer is not None:
            return
        self._timer = asyncio.get_running_loop().call_later(delay, self._preempt)

    def _preempt(self) -> None:
        self._timer = None
        self._mark_long_running()
        if not self._light_waiting():
            return
        if len(self._running) < self.capacity:  # a worker is on its way (being replaced)
            self._schedule_preemption(self._grace())
            return
        now = time.monotonic()
        waiting = {c for c, q in self._waiting.items() if q and not self.is_heavy(c)}
        victims = [t for t in self._running
                   if t.client not in waiting and not t.preempt.done()]
        ripe = [t for t in victims if now - t.started >= self.preempt_after]
        if ripe:
            victim = max(ripe, key=lambda t: (self.is_heavy(t.client), now - t.started))
            self.preemptions += 1
            victim.preempt.set_result(None)
            return
        if victims:
            first = min(t.started for t in victims)
            self._schedule_preemption(max(0.02, first + self.preempt_after - now))
