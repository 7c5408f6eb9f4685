"""Queries on a remote store, without worker processes (the remote server enforces its own
limits); the same interface as :class:`vitaalkg.web.query_runner.QueryPool`."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pyoxigraph as ox

from ..store.sparqltext import capped_select, uses_keyword
from .query_runner import QueryAnswer, QueryJob, QueryTimeout, _answer


def user_syntax_error(job: QueryJob) -> str | None:
    """The parser's message for the text the user sent (positions in that text), or None
    when it parses: what the service adds before parsing (a ``LIMIT``, a ``BASE``) must never
    move the position an error names."""
    try:
        ox.Store().query(job.query, base_iri=job.base_iri)
    except SyntaxError as exc:
        return str(exc)
    except (OSError, ValueError, TypeError, RuntimeError):
        return None
    return None


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
        text = capped_select(job.query, job.max_results + 1)
        if job.base_iri and not uses_keyword(job.query, "BASE"):
            # on the first line: a parse error still names the user's lines (and Virtuoso
            # refuses a second BASE, so a query's own BASE stands alone)
            text = f"BASE <{job.base_iri}> {text}"
        try:
            result = self.store.query(
                text, default_graph=job.default_graph,
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
            return ("error", "syntax", user_syntax_error(job) or str(exc))
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
