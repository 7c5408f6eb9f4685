"""The result cache of the SPARQL endpoint: answers by a digest of (generation, query, bindings,
dataset, base, formats), least recently used out first, bounded by total body size.

Keys are SHA-256 digests, never the query text itself: a cached answer costs its body plus
~200 bytes, whatever the size of the query. A new generation makes old entries unreachable;
queries using NOW(), RAND(), UUID(), STRUUID() or BNODE() are never cached.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from typing import Any

from ..store.sparqltext import tokenize

NON_DETERMINISTIC = frozenset({"NOW", "RAND", "UUID", "STRUUID", "BNODE"})
_DETERMINISTIC: OrderedDict[bytes, bool] = OrderedDict()  # by the digest of the query text
_DETERMINISTIC_MAX = 1024


def _deterministic(query: str, digest: bytes) -> bool:
    known = _DETERMINISTIC.get(digest)
    if known is None:
        known = not ({t.text.upper() for t in tokenize(query) if t.kind == "word"}
                     & NON_DETERMINISTIC)
        _DETERMINISTIC[digest] = known
        if len(_DETERMINISTIC) > _DETERMINISTIC_MAX:
            _DETERMINISTIC.popitem(last=False)
    return known


class ResultCache:
    """Answers (objects with a ``body``) by :meth:`key`, bounded by ``max_bytes`` of bodies."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Any, Any] = OrderedDict()
        self._bytes = 0
        self.hits = 0

    @staticmethod
    def key(generation: Any, job: Any) -> tuple[Any, bytes] | None:
        """(generation, digest) of ``job``, or None for a query that must not be cached."""
        query_digest = hashlib.sha256(job.query.encode("utf-8", "surrogatepass")).digest()
        if not _deterministic(job.query, query_digest):
            return None
        subs = sorted((k, str(v)) for k, v in job.substitutions.items())
        rest = json.dumps([subs, job.default_graph, job.named_graphs, job.result_format,
                           job.graph_format, job.max_results, getattr(job, "base_iri", None)],
                          separators=(",", ":"))
        return (generation, hashlib.sha256(query_digest + rest.encode()).digest())

    def get(self, key: Any) -> Any | None:
        answer = self._entries.get(key)
        if answer is not None:
            self._entries.move_to_end(key)
            self.hits += 1
        return answer

    def put(self, key: Any, answer: Any) -> None:
        size = len(answer.body)
        if size > self.max_bytes // 4:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._entries[key] = answer
        self._bytes += size
        while self._bytes > self.max_bytes and self._entries:
            _, old = self._entries.popitem(last=False)
            self._bytes -= len(old.body)

    def size(self) -> int:
        """Total bytes of the cached bodies."""
        return self._bytes
