"""Read an uploaded plan in a bounded worker process.

The worker is a fresh process forked from a ``forkserver`` that has the readers imported (a
start costs milliseconds). It caps its own address space and data segment (``RLIMIT_AS``,
``RLIMIT_DATA``) and runs :func:`~vitaalkg.validation.inputs.read_plan` with the content limits
(nesting, rows, cells, XLSX); the caller waits at most ``limits.seconds`` and then kills it.
The plan comes back as N-Triples. A worker that crashes (a parser's segmentation fault), runs
out of memory or out of time is an :class:`InputError` with a clear message; the caller's
process is never at risk.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import resource
import signal
import threading
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from ..config import DEFAULT_BASE
from .limits import InputError, UploadLimits, refuse

_PRELOAD = ["vitaalkg.validation.inputs", "openpyxl"]
_LOCK = threading.Lock()
_CONTEXT: Any = None


def _context() -> Any:
    global _CONTEXT
    with _LOCK:
        if _CONTEXT is None:
            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload(_PRELOAD)
            _CONTEXT = ctx
        return _CONTEXT


def warm_up() -> None:
    """Start the fork server now (it imports the readers once, ~1 s) rather than on the
    first upload."""
    from multiprocessing import forkserver

    _context()
    forkserver.ensure_running()


def _limit_memory(megabytes: int) -> None:
    size = megabytes * 1024 * 1024
    for which in (resource.RLIMIT_AS, resource.RLIMIT_DATA):
        with contextlib.suppress(ValueError, OSError):  # a lower hard limit: keep it
            resource.setrlimit(which, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _worker(conn: Connection, data: bytes, name: str, ctype: str | None, base: str,
            limit: int, limits: UploadLimits) -> None:
    """In the worker: read the plan, answer ``("ok", kind, ntriples)`` or ``("error", status,
    nl, en)``."""
    from .inputs import read_plan

    _limit_memory(limits.memory_mb)
    try:
        plan = read_plan(data, name, ctype, base=base, limit=limit, limits=limits)
        del data
        if plan._parsed is not None:
            body = plan._parsed.dump(format=ox.RdfFormat.N_TRIPLES,
                                     from_graph=ox.DefaultGraph())
        else:
            body = ox.serialize(plan.triples or [], format=ox.RdfFormat.N_TRIPLES)
        conn.send(("ok", plan.kind, body))
    except InputError as exc:
        conn.send(("error", exc.status, exc.message, exc.message_en))
    except MemoryError:
        conn.send(("memory",))
    finally:
        conn.close()


def _memory_error(limits: UploadLimits) -> InputError:
    return refuse("het inlezen vraagt te veel geheugen", "reading it needs too much memory",
                  "memory_mb", limits.memory_mb, (" MB", " MB"))


def read_plan_bounded(data: bytes, name: str = "", content_type: str | None = None, *,
                      base: str = DEFAULT_BASE, limit: int = 10 * 1024 * 1024,
                      limits: UploadLimits | None = None) -> Any:
    """:func:`read_plan` in a worker process within ``limits`` (time, memory and content);
    returns a :class:`PlanInput` holding N-Triples, or raises :class:`InputError`."""
    from .inputs import PlanInput

    limits = limits or UploadLimits()
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(send, data, name, content_type, base, limit,
                                             limits), daemon=True)
    proc.start()
    send.close()
    message: tuple | None = None
    timed_out = False
    try:
        if receive.poll(limits.seconds):
            try:
                message = receive.recv()
            except (EOFError, OSError):
                message = None
        else:
            timed_out = True
    finally:
        receive.close()
        if proc.is_alive() and (timed_out or message is None):
            proc.kill()
        proc.join(10)
        if proc.is_alive():
            proc.kill()
            proc.join(5)
    if timed_out:
        raise refuse("het inlezen duurt te lang", "reading it takes too long", "seconds",
                     limits.seconds, (" s", " s"))
    if message is None:
        code = proc.exitcode
        if code is not None and code < 0 and -code in (signal.SIGKILL, signal.SIGABRT):
            raise _memory_error(limits)  # the kernel's or the allocator's end for a hog
        how = (signal.Signals(-code).name if code is not None and code < 0
               else f"exitcode {code}")
        raise InputError(
            f"het bestand kon niet gelezen worden: het leesproces stopte onverwacht ({how}); "
            "controleer of het bestand geldig is", 400,
            f"the file could not be read: the reading process ended unexpectedly ({how})")
    if message[0] == "ok":
        return PlanInput(name, message[1], ntriples=message[2], base=base)
    if message[0] == "memory":
        raise _memory_error(limits)
    raise InputError(message[2], message[1], message[3])
