"""A pool of killable query worker processes: the time limit that pyoxigraph itself cannot enforce.

Neither pyoxigraph nor rdflib can interrupt a running query from Python, so every query of the
web service runs in one of ``Settings.query_workers`` long-lived worker processes
(:mod:`vitaalkg.web.query_worker`). The server sends the query and awaits the answer on the
event loop (no thread blocks, the loop stays free); when the time limit passes it kills that worker
(SIGKILL), answers with :class:`QueryTimeout`, and starts a replacement in the background.

Data: each worker holds its own view of the store, tagged with a *generation*.
- On-disk store: the worker opens ``Store.read_only`` on a RocksDB checkpoint of the server's
  store for that generation (hard links, a few milliseconds). When the store holds at most
  ``memory_quads`` quads (``VITAALKG_QUERY_MEMORY_QUADS``, default 500,000; 0 = never) the worker
  then copies the checkpoint into an in-memory store in the background and answers from that once
  it is complete (1.5-4x faster evaluation; ~600 bytes of memory per quad per worker).
- In-memory store: the server dumps N-Quads to a temporary file once per generation and each worker
  loads it into its own in-memory store.
The generation is ``store.generation`` when the store keeps such a counter, plus a counter that
:meth:`QueryPool.invalidate` raises (call it after writing; :func:`watch_writes` does so for the
store's write methods). Before running a query a worker whose generation is stale reloads first
(not counted against the query's time limit). Counting the store instead costs ~100 ms per check
on 200k quads, too slow to do per query.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .query_scheduling import FairSlots, SlotsBusy, Ticket, current_client
from .result_cache import ResultCache

LOAD_TIMEOUT = 300.0


class QueryError(Exception):
    """A query could not be answered; ``status`` is the HTTP status, the message is for users;
    ``retry_after`` (seconds) when trying again later may help."""

    status = 500
    retry_after: int | None = None

    def __init__(self, message: str = "", retry_after: int | None = None) -> None:
        super().__init__(message)
        if retry_after is not None:
            self.retry_after = retry_after


class QuerySyntaxError(QueryError):
    status = 400


class QueryTimeout(QueryError):
    status = 503


class QueryTooLarge(QueryError):
    status = 413


class PoolBusy(QueryError):
    status = 503


class WorkerStopped(QueryError):
    """The worker died under the query (memory limit, crash) or was stopped for another
    client's query; it is replaced."""

    status = 503
    retry_after = 2


class _Preempted(Exception):
    """The scheduler asked the running query to make room."""


@dataclass
class QueryJob:
    """One query for a worker; formats are the negotiated ones (short result key, RDF media)."""

    query: str
    result_format: str = "json"
    graph_format: str = "text/turtle"
    default_graph: list[str] | None = None
    named_graphs: list[str] | None = None
    substitutions: dict[str, Any] = field(default_factory=dict)
    max_results: int = 100_000
    base_iri: str | None = None


@dataclass
class QueryAnswer:
    media_type: str
    body: bytes
    count: int
    seconds: float


class _WorkerProcess:
    """One worker process and the two ends of its pipe."""

    def __init__(self, memory_mb: int = 0) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1",
               "VITAALKG_QUERY_WORKER_MEMORY_MB": str(memory_mb)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "vitaalkg.web.query_worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, close_fds=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.writer = Connection(os.dup(self.proc.stdin.fileno()), readable=False)
        self.reader = Connection(os.dup(self.proc.stdout.fileno()), writable=False)
        self.proc.stdin.close()
        self.proc.stdout.close()
        self.generation: Any = None
        self.in_memory = False  # as of its last answer

    def wait_ready(self, timeout: float) -> None:
        if not self.reader.poll(timeout):
            raise RuntimeError("query worker did not start")
        message = self.reader.recv()
        if message[0] != "ready":
            raise RuntimeError(f"query worker: unexpected {message!r}")

    def load(self, generation: Any, kind: str, path: str, memory_quads: int = 0) -> None:
        self.writer.send(("load", generation, kind, path, memory_quads))
        self.in_memory = kind == "dump"
        if not self.reader.poll(LOAD_TIMEOUT):
            raise RuntimeError("query worker did not load the data")
        message = self.reader.recv()
        if message[0] != "loaded":
            raise RuntimeError(f"query worker could not load the data: {message!r}")
        self.generation = generation

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)
        for conn in (self.reader, self.writer):
            with contextlib.suppress(OSError):
                conn.close()


class QueryPool:
    """``size`` worker processes serving queries against ``store`` with a time and size limit."""

    def __init__(self, store: Any, *, size: int = 2, timeout: float = 10.0,
                 max_results: int = 100_000, cache_bytes: int = 0,
                 memory_quads: int = 0, memory_mb: int = 0, preempt_after: float = 1.0,
                 per_client_waiting: int = 4) -> None:
        self.store = store
        self.memory_mb = memory_mb
        self.preempt_after = preempt_after
        self.per_client_waiting = per_client_waiting
        self.memory_quads = memory_quads
        self.size = max(1, size)
        self.timeout = timeout
        self.max_results = max_results
        self._idle: FairSlots[_WorkerProcess] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._workers: set[_WorkerProcess] = set()
        self._lock = threading.Lock()
        self._manual_generation = 0
        self._dump_dir: tempfile.TemporaryDirectory[str] | None = None
        self._checkpoint_dir: tempfile.TemporaryDirectory[str] | None = None
        self._checkpoints: dict[Any, str] = {}
        self._dump: tuple[Any, str] | None = None
        self._closed = False
        self.kills = 0
        self.cache = ResultCache(cache_bytes) if cache_bytes > 0 else None

    # -- generations ---------------------------------------------------------------------
    def invalidate(self) -> None:
        """Tell the pool the store has changed: workers reload before their next query."""
        with self._lock:
            self._manual_generation += 1

    def status(self) -> dict[str, int]:
        """How many workers run, and how many answered their last query from an in-memory
        copy of the current generation (for ``/health``; a benchmark waits for all of them)."""
        current = self.generation()
        with self._lock:
            workers = list(self._workers)
        return {"workers": len(workers),
                "inMemory": sum(w.in_memory and w.generation == current for w in workers)}

    def generation(self) -> Any:
        """The current generation of the store's data."""
        return (getattr(self.store, "generation", None), self._manual_generation)

    def _source(self, generation: Any) -> tuple[str, str]:
        """(kind, path) of the data the workers load for ``generation``."""
        path = getattr(self.store, "path", None)
        if path is not None and getattr(self.store, "read_only", False):
            return "rocksdb", str(path)  # nobody writes it: no checkpoint needed (or possible)
        if path is not None:
            return "rocksdb", self._checkpoint(generation, Path(path))
        with self._lock:
            if self._dump is not None and self._dump[0] == generation:
                return "dump", self._dump[1]
            if self._dump_dir is None:
                self._dump_dir = tempfile.TemporaryDirectory(prefix="vitaalkg-pool-")
            target = Path(self._dump_dir.name) / f"data-{time.monotonic_ns()}.nq"
            self.store.oxigraph.dump(str(target), format=ox.RdfFormat.N_QUADS)
            old = self._dump
            self._dump = (generation, str(target))
        if old is not None:
            # workers still on the old file have it open or already loaded it; unlink is safe
            with contextlib.suppress(OSError):
                Path(old[1]).unlink()
        return "dump", str(target)

    def _checkpoint(self, generation: Any, path: Path) -> str:
        """A RocksDB checkpoint of the on-disk store for ``generation`` (hard links, a few ms).

        Workers open checkpoints read-only, never the live store: ``Store.read_only`` on a
        database another process writes is undefined behaviour (compaction deletes files a
        reader still lists). Checkpoints no worker uses any more are removed.
        """
        with self._lock:
            if generation in self._checkpoints:
                return self._checkpoints[generation]
            if self._checkpoint_dir is None:
                # left behind by a killed server (the store's lock says no other server runs)
                for old in path.parent.glob(f".{path.name}-snapshots-*"):
                    shutil.rmtree(old, ignore_errors=True)
                self._checkpoint_dir = tempfile.TemporaryDirectory(
                    prefix=f".{path.name}-snapshots-", dir=path.parent)
            target = Path(self._checkpoint_dir.name) / f"gen-{time.monotonic_ns()}"
            self.store.oxigraph.backup(str(target))
            self._checkpoints[generation] = str(target)
            in_use = {w.generation for w in self._workers} | {generation}
            stale = [g for g in self._checkpoints if g not in in_use]
            for g in stale:
                shutil.rmtree(self._checkpoints.pop(g), ignore_errors=True)
            return str(target)

    def _prepare(self, worker: _WorkerProcess) -> None:
        """Bring ``worker`` to the current generation (blocking; run in a thread)."""
        generation = self.generation()
        if worker.generation != generation:
            kind, path = self._source(generation)
            worker.load(generation, kind, path, self.memory_quads)

    def _spawn(self) -> _WorkerProcess:
        worker = _WorkerProcess(self.memory_mb)
        with self._lock:
            self._workers.add(worker)
        try:
            worker.wait_ready(60.0)
            self._prepare(worker)
        except Exception:
            self._discard(worker)
            raise
        return worker

    def _discard(self, worker: _WorkerProcess) -> None:
        with self._lock:
            self._workers.discard(worker)
        worker.kill()

    # -- life cycle ----------------------------------------------------------------------
    async def start(self) -> None:
        """Start the workers (idempotent; also happens on first use)."""
        loop = asyncio.get_running_loop()
        if self._idle is not None and self._loop is loop and not self._closed:
            return
        with self._lock:  # a new event loop (tests): the old workers belong to the old one
            stale = list(self._workers)
            self._workers.clear()
        for worker in stale:
            worker.kill()
        self._closed = False
        self._loop = loop
        self._idle = FairSlots(self.size, per_client_waiting=self.per_client_waiting,
                               preempt_after=self.preempt_after)
        for _ in range(self.size):
            self._respawn()

    def _respawn(self) -> None:
        """Start a replacement worker in the background; it joins the idle queue when ready."""
        loop, slots = self._loop, self._idle
        assert loop is not None and slots is not None

        def run() -> None:
            for attempt in range(3):
                if self._closed:
                    return
                try:
                    worker = self._spawn()
                except Exception:  # noqa: BLE001 - retry, then give up on this slot
                    time.sleep(0.5 * (attempt + 1))
                    continue
                if self._closed:
                    self._discard(worker)
                    return
                try:
                    loop.call_soon_threadsafe(slots.put, worker)
                except RuntimeError:  # the loop closed meanwhile (a test's loop, a shutdown)
                    self._discard(worker)
                return

        threading.Thread(target=run, name="vitaalkg-query-worker-spawn", daemon=True).start()

    def close(self) -> None:
        """Stop all workers and remove the dump files."""
        self._closed = True
        self._idle = None
        with self._lock:
            workers = list(self._workers)
            self._workers.clear()
        for worker in workers:
            worker.kill()
        if self._dump_dir is not None:
            self._dump_dir.cleanup()
            self._dump_dir = None
        if self._checkpoint_dir is not None:
            self._checkpoint_dir.cleanup()
            self._checkpoint_dir = None
            self._checkpoints.clear()

    # -- running queries -----------------------------------------------------------------
    async def run(self, job: QueryJob) -> QueryAnswer:
        """Run ``job`` in a worker; raises a :class:`QueryError` subclass on failure."""
        await self.start()
        assert self._idle is not None and self._loop is not None
        job.max_results = min(job.max_results, self.max_results)
        cache_key = None
        if self.cache is not None:
            cache_key = ResultCache.key(self.generation(), job)
            cached = self.cache.get(cache_key) if cache_key is not None else None
            if cached is not None:
                return cached
        answer = await self._run_in_worker(job, current_client.get() or "?")
        if cache_key is not None and self.cache is not None and cache_key[0] == self.generation():
            self.cache.put(cache_key, answer)
        return answer

    async def _run_in_worker(self, job: QueryJob, client: str) -> QueryAnswer:
        slots = self._idle
        assert slots is not None
        try:
            worker, ticket = await slots.acquire(client, timeout=max(self.timeout, 5.0))
        except SlotsBusy as exc:
            raise PoolBusy(
                "alle query-workers zijn bezet; probeer het later opnieuw / "
                "all query workers are busy; try again later", retry_after=exc.retry_after
            ) from None
        if worker.proc.poll() is not None:  # died meanwhile: replace and retry once
            self._replace(worker, ticket)
            return await self._run_in_worker(job, client)
        try:
            if worker.generation != self.generation():
                await asyncio.to_thread(self._prepare, worker)
        except Exception as exc:
            self._replace(worker, ticket)
            raise QueryError(f"de gegevens konden niet geladen worden: {exc}") from exc
        start = time.perf_counter()
        try:
            reply = await self._exchange(worker, job, ticket)
        except TimeoutError:
            self.kills += 1
            self._replace(worker, ticket)
            raise QueryTimeout(
                f"de query duurde langer dan de tijdslimiet van {self.timeout:g} s en is "
                f"afgebroken / the query exceeded the time limit of {self.timeout:g} s and "
                "was stopped"
            ) from None
        except _Preempted:
            self.kills += 1
            self._replace(worker, ticket)
            raise WorkerStopped(
                "de query is na "
                f"{time.perf_counter() - start:.1f} s gestopt om plaats te maken voor de "
                "queries van anderen; probeer het later opnieuw / the query was stopped to make "
                "room for other clients' queries; try again later") from None
        except (EOFError, OSError):
            code = self._replace(worker, ticket)
            raise WorkerStopped(self._died_message(code)) from None
        if reply[0] == "error" and reply[1] == "memory":
            self._replace(worker, ticket)
            raise WorkerStopped(self._died_message(None))
        if reply[0] == "ok":
            worker.in_memory = bool(reply[4])
        slots.release(ticket, worker)
        return _answer(reply, job, time.perf_counter() - start)

    def _replace(self, worker: _WorkerProcess, ticket: Ticket) -> int | None:
        """Stop ``worker``, free its slot, start a replacement; the old exit code if known."""
        code = worker.proc.poll()
        self._discard(worker)
        if self._idle is not None:
            self._idle.release(ticket, None)
        self._respawn()
        return code

    def _died_message(self, code: int | None) -> str:
        limit = f"{self.memory_mb} MB" if self.memory_mb > 0 else "het geheugen / memory"
        cause = f" (exit {code})" if code is not None else ""
        return (f"de query-worker is gestopt{cause}: de query had meer geheugen nodig dan de "
                f"limiet ({limit}, VITAALKG_QUERY_WORKER_MEMORY_MB) of liet het proces "
                "vastlopen; de worker wordt vervangen. Vereenvoudig de query (LIMIT, minder "
                f"combinaties) / the query worker stopped{cause}: the query needed more memory "
                f"than the limit ({limit}) or crashed it; the worker is being replaced")

    async def _exchange(self, worker: _WorkerProcess, job: QueryJob, ticket: Ticket) -> tuple:
        """Send the job, await the reply without blocking the loop; TimeoutError on time-out,
        :class:`_Preempted` when the scheduler wants the worker for another client."""
        loop = self._loop
        assert loop is not None
        worker.writer.send(("query", job.__dict__))
        ready: asyncio.Future[None] = loop.create_future()
        fd = worker.reader.fileno()

        def on_readable() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, on_readable)
        try:
            await asyncio.wait({ready, ticket.preempt}, timeout=self.timeout,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            loop.remove_reader(fd)
        if ready.done():
            return worker.reader.recv()
        if ticket.preempt.done():
            raise _Preempted
        raise TimeoutError


def _answer(reply: tuple, job: QueryJob, seconds: float) -> QueryAnswer:
    """A worker's reply as an answer, or the matching :class:`QueryError`."""
    if reply[0] == "ok":
        _, media_type, body, count = reply[:4]
        return QueryAnswer(media_type, body, count, seconds)
    _, code, message = reply
    if code == "syntax":
        raise QuerySyntaxError(message)
    if code == "too_many":
        raise QueryTooLarge(
            f"het resultaat is groter dan het maximum van {job.max_results} rijen/triples; "
            f"gebruik LIMIT / the result exceeds the maximum of {job.max_results} "
            "rows/triples; use LIMIT")
    raise QueryError(message)


WRITE_METHODS = ("replace_graph", "add_quads", "drop_graph", "update")


def watch_writes(store: Any, pool: QueryPool) -> None:
    """Invalidate ``pool`` after every write through ``store``'s write methods.

    Only needed while the store keeps no ``generation`` counter of its own; wraps the methods
    of this one store instance (the class is left alone).
    """
    if hasattr(store, "generation"):
        return
    for name in WRITE_METHODS:
        method = getattr(store, name, None)
        if method is None:
            continue

        def wrapped(*args: Any, _method: Any = method, **kwargs: Any) -> Any:
            try:
                return _method(*args, **kwargs)
            finally:
                pool.invalidate()

        setattr(store, name, wrapped)
