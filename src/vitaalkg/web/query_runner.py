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
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..store.sparqltext import capped_select, tokenize

LOAD_TIMEOUT = 300.0


class QueryError(Exception):
    """A query could not be answered; ``status`` is the HTTP status, the message is for users."""

    status = 500


class QuerySyntaxError(QueryError):
    status = 400


class QueryTimeout(QueryError):
    status = 503


class QueryTooLarge(QueryError):
    status = 413


class PoolBusy(QueryError):
    status = 503


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


@dataclass
class QueryAnswer:
    media_type: str
    body: bytes
    count: int
    seconds: float


NON_DETERMINISTIC = frozenset({"NOW", "RAND", "UUID", "STRUUID", "BNODE"})


@functools.lru_cache(maxsize=1024)
def _deterministic(query: str) -> bool:
    return not ({t.text.upper() for t in tokenize(query) if t.kind == "word"}
                & NON_DETERMINISTIC)


class ResultCache:
    """Answers by (generation, query, bindings, dataset, formats), least recently used first
    out, bounded by total body size. A new generation makes old entries unreachable; queries
    using NOW(), RAND(), UUID(), STRUUID() or BNODE() are never cached."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Any, QueryAnswer] = OrderedDict()
        self._bytes = 0
        self.hits = 0

    @staticmethod
    def key(generation: Any, job: QueryJob) -> Any | None:
        if not _deterministic(job.query):
            return None
        subs = tuple(sorted((k, str(v)) for k, v in job.substitutions.items()))
        return (generation, job.query, subs, tuple(job.default_graph or ()) if
                job.default_graph is not None else None,
                tuple(job.named_graphs) if job.named_graphs is not None else None,
                job.result_format, job.graph_format, job.max_results)

    def get(self, key: Any) -> QueryAnswer | None:
        answer = self._entries.get(key)
        if answer is not None:
            self._entries.move_to_end(key)
            self.hits += 1
        return answer

    def put(self, key: Any, answer: QueryAnswer) -> None:
        size = len(answer.body)
        if size > self.max_bytes // 4:
            return
        self._entries[key] = answer
        self._bytes += size
        while self._bytes > self.max_bytes and self._entries:
            _, old = self._entries.popitem(last=False)
            self._bytes -= len(old.body)


class _WorkerProcess:
    """One worker process and the two ends of its pipe."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
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
                 memory_quads: int = 0) -> None:
        self.store = store
        self.memory_quads = memory_quads
        self.size = max(1, size)
        self.timeout = timeout
        self.max_results = max_results
        self._idle: asyncio.Queue[_WorkerProcess] | None = None
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
        worker = _WorkerProcess()
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
        self._idle = asyncio.Queue()
        for _ in range(self.size):
            self._respawn()

    def _respawn(self) -> None:
        """Start a replacement worker in the background; it joins the idle queue when ready."""
        loop = self._loop
        assert loop is not None

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
                    loop.call_soon_threadsafe(self._idle.put_nowait,  # type: ignore[union-attr]
                                              worker)
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
        answer = await self._run_in_worker(job)
        if cache_key is not None and self.cache is not None and cache_key[0] == self.generation():
            self.cache.put(cache_key, answer)
        return answer

    async def _run_in_worker(self, job: QueryJob) -> QueryAnswer:
        assert self._idle is not None
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout=max(self.timeout, 5.0))
        except TimeoutError:
            raise PoolBusy(
                "alle query-workers zijn bezet; probeer het later opnieuw / "
                "all query workers are busy; try again later"
            ) from None
        if worker.proc.poll() is not None:  # died meanwhile: replace and retry once
            self._discard(worker)
            self._respawn()
            return await self._run_in_worker(job)
        try:
            if worker.generation != self.generation():
                await asyncio.to_thread(self._prepare, worker)
        except Exception as exc:
            self._discard(worker)
            self._respawn()
            raise QueryError(f"de gegevens konden niet geladen worden: {exc}") from exc
        start = time.perf_counter()
        try:
            reply = await self._exchange(worker, job)
        except TimeoutError:
            self.kills += 1
            self._discard(worker)
            self._respawn()
            raise QueryTimeout(
                f"de query duurde langer dan de tijdslimiet van {self.timeout:g} s en is "
                f"afgebroken / the query exceeded the time limit of {self.timeout:g} s and "
                "was stopped"
            ) from None
        except (EOFError, OSError) as exc:
            self._discard(worker)
            self._respawn()
            raise QueryError(f"de query-worker is gestopt / the query worker died: {exc}") from exc
        if reply[0] == "ok":
            worker.in_memory = bool(reply[4])
        self._idle.put_nowait(worker)
        return _answer(reply, job, time.perf_counter() - start)

    async def _exchange(self, worker: _WorkerProcess, job: QueryJob) -> tuple:
        """Send the job, await the reply without blocking the loop; TimeoutError on time-out."""
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
            await asyncio.wait_for(ready, timeout=self.timeout)
        finally:
            loop.remove_reader(fd)
        return worker.reader.recv()


class DirectRunner:
    """Runs queries on a store without worker processes (a remote store: the server enforces
    its own limits); same interface as :class:`QueryPool`. The wait is bounded by ``timeout``
    but the store call itself goes on in its thread until the store's HTTP client gives up."""

    def __init__(self, store: Any, *, timeout: float = 10.0, max_results: int = 100_000) -> None:
        self.store = store
        self.timeout = timeout
        self.max_results = max_results

    def _run_sync(self, job: QueryJob) -> tuple:
        from .query_worker import (
            RESULT_TYPES,
            TooManyResults,
            serialize_boolean,
            serialize_solutions,
            serialize_triples,
        )

        # the HTTP request to the remote gives up just after our own limit
        limit = {"timeout": self.timeout + 1.0} if getattr(self.store, "kind", "") == "remote" \
            else {}
        try:
            result = self.store.query(
                capped_select(job.query, job.max_results + 1), default_graph=job.default_graph,
                named_graphs=job.named_graphs, substitutions=job.substitutions or None, **limit)
            if hasattr(result, "variables"):
                body, count = serialize_solutions(result, job.result_format, job.max_results)
                return ("ok", RESULT_TYPES[job.result_format], body, count)
            if isinstance(result, bool | ox.QueryBoolean):
                body = serialize_boolean(bool(result), job.result_format)
                return ("ok", RESULT_TYPES[job.result_format], body, 1)
            body, count = serialize_triples(result, job.graph_format, job.max_results)
            return ("ok", job.graph_format, body, count)
        except SyntaxError as exc:
            return ("error", "syntax", str(exc))
        except TooManyResults:
            return ("error", "too_many", "")
        except Exception as exc:  # noqa: BLE001 - the store's message is for the user
            return ("error", "evaluation", str(exc))

    async def start(self) -> None:
        return None

    def close(self) -> None:
        return None

    def invalidate(self) -> None:
        return None

    async def run(self, job: QueryJob) -> QueryAnswer:
        job.max_results = min(job.max_results, self.max_results)
        start = time.perf_counter()
        try:
            reply = await asyncio.wait_for(asyncio.to_thread(self._run_sync, job), self.timeout)
        except TimeoutError:
            raise QueryTimeout(
                f"de query duurde langer dan de tijdslimiet van {self.timeout:g} s / "
                f"the query exceeded the time limit of {self.timeout:g} s") from None
        return _answer(reply, job, time.perf_counter() - start)


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
