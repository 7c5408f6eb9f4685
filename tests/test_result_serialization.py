"""SELECT results serialized by Oxigraph in the query worker: valid, complete, and counted right.

The worker counts the rows on the serialized bytes (for the row limit and ``X-Result-Count``);
hostile literals (quotes, braces, line breaks, ``<result>``, JSON fragments), empty rows and a
variable named ``type`` must not fool the count in any format, and the answer must parse back
to exactly the solutions the store gives.
"""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest

from vitaalkg.web.query_worker import NATIVE_FORMATS, Worker, count_rows

EX = "http://example.org/"
HOSTILE = [
    'x\ny "q" <result> {} {"type":"uri"}\r\n,;\t',
    '{"head":{"vars":[]}}',
    "<script>alert(1)</script>",
    "plain",
    "",
    "}},{\"",
    "a\\\"b",
]
QUERIES = {
    "two columns, one unbound": "SELECT ?o ?x WHERE { ?s ?p ?o } ORDER BY STR(?o)",
    "variable named type": "SELECT ?type WHERE { ?s ?p ?type }",
    "empty rows": "SELECT ?z WHERE { VALUES ?x { 1 2 3 } }",
    "no rows": "SELECT ?s WHERE { ?s <http://example.org/none> ?o }",
    "language and datatype": "SELECT ?l ?d WHERE { BIND(STRLANG(\"x\", \"nl\") AS ?l) "
                             "BIND(STRDT(\"1\", <http://www.w3.org/2001/XMLSchema#integer>) AS ?d) "
                             "?s ?p ?o }",
    "blank nodes": "SELECT ?b WHERE { ?s ?p ?o BIND(BNODE() AS ?b) }",
}


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    s.extend([ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(text),
                      ox.DefaultGraph()) for i, text in enumerate(HOSTILE)])
    return s


@pytest.mark.parametrize("fmt", sorted(NATIVE_FORMATS))
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_count_and_round_trip(store: ox.Store, fmt: str, name: str) -> None:
    query = QUERIES[name]
    expected = [list(s) for s in store.query(query)]
    n_expected = len(list(store.query(query)))
    body = store.query(query).serialize(format=NATIVE_FORMATS[fmt])
    assert count_rows(body, fmt) == n_expected
    if fmt == "csv":  # lossy, Oxigraph does not read it back: Python's csv module does
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
        assert len(rows) - 1 == n_expected
        return
    parsed = list(ox.parse_query_results(body, format=NATIVE_FORMATS[fmt]))
    assert len(parsed) == n_expected
    if name != "blank nodes":  # blank node labels are local to a document
        assert [list(s) for s in parsed] == expected


def test_worker_answers_natively_and_keeps_the_row_limit(store: ox.Store, tmp_path) -> None:
    path = tmp_path / "dump.nq"
    path.write_bytes(store.dump(format=ox.RdfFormat.N_QUADS))
    worker = Worker()
    worker.load(1, "dump", str(path))
    for fmt in NATIVE_FORMATS:
        job = {"query": "SELECT ?s ?o WHERE { ?s ?p ?o }", "result_format": fmt,
               "max_results": len(HOSTILE)}
        reply = worker.query(job)
        assert reply[0] == "ok" and reply[3] == len(HOSTILE), (fmt, reply[:2])
        too_small = worker.query({**job, "max_results": len(HOSTILE) - 1})
        assert too_small[0] == "error" and too_small[1] == "too_many", fmt
        # sorted queries are not capped by LIMIT, the count still refuses them
        sorted_job = {**job, "query": job["query"] + " ORDER BY ?s",
                      "max_results": len(HOSTILE) - 1}
        assert worker.query(sorted_job)[1] == "too_many", fmt
