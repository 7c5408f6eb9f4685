"""The query worker pool: workers see writes (generations), for in-memory and on-disk stores;
and the lexical checks behind update / SERVICE refusal."""

from __future__ import annotations

import asyncio
import json

import pytest

from vitaalkg.store import EmbeddedStore
from vitaalkg.store.sparqltext import query_form, uses_service
from vitaalkg.web.query_runner import QueryJob, QueryPool, QuerySyntaxError, watch_writes

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _count(pool: QueryPool) -> int:
    async def go() -> int:
        answer = await pool.run(QueryJob(COUNT))
        return int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"])
    return asyncio.run(go())


@pytest.mark.parametrize("on_disk", [False, True])
def test_workers_see_writes(tmp_path, on_disk):
    store = EmbeddedStore(tmp_path / "store" if on_disk else None)
    store.replace_graph("urn:g:1", "<urn:a> <urn:b> <urn:c> .", "nt")
    pool = QueryPool(store, size=1, timeout=10)
    watch_writes(store, pool)
    try:
        assert _count(pool) == 1
        store.replace_graph("urn:g:2", "<urn:a> <urn:b> <urn:d> .\n<urn:a> <urn:b> <urn:e> .\n",
                            "nt")
        assert _count(pool) == 3
        store.drop_graph("urn:g:1")
        assert _count(pool) == 2
    finally:
        pool.close()


def test_syntax_error_message():
    pool = QueryPool(EmbeddedStore(None), size=1, timeout=10)

    async def go() -> None:
        with pytest.raises(QuerySyntaxError, match="error at"):
            await pool.run(QueryJob("SELECT ?x WHERE { ?x }"))
    try:
        asyncio.run(go())
    finally:
        pool.close()


@pytest.mark.parametrize("text, form", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
    ("# c\nPREFIX a: <urn:a#>\nBASE <urn:x>\n ask {}", "ASK"),
    ("PREFIX insert: <urn:x> CONSTRUCT WHERE { ?s insert:p ?o }", "CONSTRUCT"),
    ("describe <urn:x>", "DESCRIBE"),
    ("PREFIX x: <urn:x> # SELECT\n INSERT DATA { <urn:a> <urn:b> <urn:c> }", "UPDATE"),
    ("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "UPDATE"),
    ("drop all", "UPDATE"),
    ("'SELECT'", None),
])
def test_query_form(text, form):
    assert query_form(text) == form


@pytest.mark.parametrize("text, expected", [
    ("SELECT * { SERVICE <urn:x> { ?s ?p ?o } }", True),
    ("SELECT * {\n  service\tSILENT ?ep { ?s ?p ?o } }", True),
    ("SELECT * { #x\nSeRvIcE<urn:x>{} }", True),
    ("SELECT * { ?s ?p 'SERVICE' } # SERVICE <urn:x>", False),
    ('SELECT * { ?s ?p """a\nSERVICE <urn:x> {"""}', False),
    ("PREFIX service: <urn:s#> SELECT ?service { ?service a service:SERVICE }", False),
    ("SELECT * { ?s <urn:SERVICE> ?o }", False),
])
def test_service_detection(text, expected):
    assert uses_service(text) is expected


def test_result_cache_follows_generations():
    store = EmbeddedStore(None)
    store.replace_graph("urn:g:1", "<urn:a> <urn:b> <urn:c> .\n", "nt")
    pool = QueryPool(store, size=1, timeout=10, cache_bytes=1 << 20)
    watch_writes(store, pool)
    try:
        assert _count(pool) == 1
        assert _count(pool) == 1 and pool.cache is not None and pool.cache.hits == 1
        store.replace_graph("urn:g:2", "<urn:a> <urn:b> <urn:d> .\n", "nt")
        assert _count(pool) == 2
        assert pool.cache.hits == 1

        async def now_twice() -> None:
            for _ in range(2):
                await pool.run(QueryJob("SELECT (NOW() AS ?t) WHERE {}"))
        asyncio.run(now_twice())
        assert pool.cache.hits == 1
    finally:
        pool.close()
