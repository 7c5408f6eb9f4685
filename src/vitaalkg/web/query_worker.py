"""A query worker process: holds its own pyoxigraph store and answers queries sent by the server.

Run as ``python -m vitaalkg.web.query_worker``. It talks to the server over stdin/stdout with
:class:`multiprocessing.connection.Connection` messages (pickled tuples). The server kills the
process when a query runs past the time limit; nothing here has to cooperate for that.

Messages from the server:
- ``("load", generation, kind, path, memory_quads)``: open the data of ``generation``: ``kind`` is
  ``"rocksdb"`` (``Store.read_only(path)``: a checkpoint of the server's on-disk store) or
  ``"dump"`` (an N-Quads file loaded into an in-memory store). Answer ``("loaded", generation,
  seconds)``. With ``memory_quads`` > 0 and a checkpoint of at most that many quads, a background
  thread then copies the checkpoint into an in-memory store and the worker switches to it once
  the copy is complete: queries answer from the checkpoint at once (read-after-write) and 1.5-4x
  faster from memory a moment later (RocksDB index lookups cost ~10 µs each, in memory ~1 µs).
- ``("query", job)``: run ``job`` (a :class:`QueryJob` as dict) and answer ``("ok", media_type,
  body, count, in_memory)`` or ``("error", code, message)``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import threading
import time
from typing import Any
from xml.sax.saxutils import escape

import pyoxigraph as ox

from vitaalkg.store.sparqltext import capped_select

XSD = "http://www.w3.org/2001/XMLSchema#"
RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "rows": "application/json",
}
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long",
                             "nonNegativeInteger", "positiveInteger", "short", "byte")}
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
PREFIXES = {
    "vkg": "https://w3id.org/vitaalkg/def/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "dct": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
}


class TooManyResults(Exception):
    """The result has more rows / triples than allowed."""


# -- serialisation of SELECT / ASK results (streaming, with the row limit) ------------------
def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f'<literal xml:lang="{escape(term.language)}">{escape(term.value)}</literal>'
        if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            dt = escape(term.datatype.value, {'"': "&quot;"})
            return f'<literal datatype="{dt}">{escape(term.value)}</literal>'
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _plain(term: Any) -> Any:
    """A JSON value for a term: numbers and booleans typed, everything else its string."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        try:
            if datatype in NUMERIC:
                number = float(term.value)
                return int(number) if number.is_integer() and "." not in term.value else number
            if datatype == XSD + "boolean":
                return term.value in ("true", "1")
        except ValueError:
            return term.value
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value if isinstance(term, ox.NamedNode) else str(term)


def _csv_value(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def _rows(solutions: Any, names: list[str], limit: int) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for solution in solutions:
        if len(rows) >= limit:
            raise TooManyResults(limit)
        rows.append([solution[n] for n in names])
    return rows


NATIVE_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


def count_rows(body: bytes, fmt: str) -> int:
    """The number of solutions in a SELECT result serialized by Oxigraph in ``fmt``.

    Counted on the bytes where the syntax makes that exact (TSV escapes line breaks in
    literals; XML escapes ``<``; JSON escapes every quote inside a string, so ``{"`` only occurs
    as structure); otherwise, and for the rare shapes that would confuse the count (an empty
    row, a triple term, a quoted CSV field), the result is parsed.
    """
    if fmt == "tsv":
        return max(0, body.count(b"\n") - 1)
    if fmt == "xml":
        return body.count(b"<result>")
    if fmt == "csv":
        if b'"' not in body:
            return max(0, body.count(b"\r\n") - 1)
        reader = csv.reader(io.StringIO(body.decode("utf-8"), newline=""))
        return max(0, sum(1 for _ in reader) - 1)
    if fmt == "json" and b"{}" not in body and b'"triple"' not in body:
        # '{"' opens the document, "head", "results", every row and every term
        return body.count(b'{"') - 3 - body.count(b'{"type":"')
    return sum(1 for _ in ox.parse_query_results(body, format=NATIVE_FORMATS[fmt]))


def serialize_native(solutions: Any, fmt: str, limit: int) -> tuple[bytes, int]:
    """A SELECT result serialized by Oxigraph itself (no Python object per term: 3-4x faster
    than :func:`serialize_solutions` on large results), and its number of rows."""
    body = solutions.serialize(format=NATIVE_FORMATS[fmt])
    count = count_rows(body, fmt)
    if count > limit:
        raise TooManyResults(limit)
    return body, count


def serialize_solutions(solutions: Any, fmt: str, limit: int) -> tuple[bytes, int]:
    """A SELECT result in ``fmt`` (json, xml, csv, tsv) and its number of rows."""
    names = [v.value for v in solutions.variables]
    rows = _rows(solutions, names, limit)
    if fmt == "json":
        bindings = [
            {n: _json_term(t) for n, t in zip(names, row, strict=True) if t is not None}
            for row in rows
        ]
        body = json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}},
                          ensure_ascii=False, separators=(",", ":"))
        return body.encode(), len(rows)
    if fmt == "rows":
        body = json.dumps({"variables": names,
                           "rows": [{n: _plain(t) for n, t in zip(names, row, strict=True)}
                                    for row in rows]},
                          ensure_ascii=False, separators=(",", ":"))
        return body.encode(), len(rows)
    if fmt == "xml":
        parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                 "<head>"]
        parts += [f'<variable name="{n}"/>' for n in names]
        parts.append("</head><results>")
        for row in rows:
            parts.append("<result>")
            parts += [f'<binding name="{n}">{_xml_term(t)}</binding>'
                      for n, t in zip(names, row, strict=True) if t is not None]
            parts.append("</result>")
        parts.append("</results></sparql>\n")
        return "".join(parts).encode(), len(rows)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerows([_csv_value(t) for t in row] for row in rows)
        return buf.getvalue().encode(), len(rows)
    lines = ["\t".join(f"?{n}" for n in names)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode(), len(rows)


def serialize_boolean(value: bool, fmt: str) -> bytes:
    """An ASK result; CSV/TSV as one column ``_askResult`` (as Jena/Fuseki do)."""
    text = "true" if value else "false"
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "rows":
        return json.dumps({"boolean": value}).encode()
    if fmt == "xml":
        return ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{text}</boolean></sparql>\n").encode()
    if fmt == "csv":
        return f"_askResult\r\n{text}\r\n".encode()
    return f"?_askResult\n{text}\n".encode()


def serialize_triples(triples: Any, media_type: str, limit: int) -> tuple[bytes, int]:
    """A CONSTRUCT / DESCRIBE result in an RDF syntax, and its number of triples."""
    collected: list[ox.Triple] = []
    for triple in triples:
        if len(collected) >= limit:
            raise TooManyResults(limit)
        collected.append(triple)
    fmt = GRAPH_TYPES[media_type]
    prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    return ox.serialize(collected, format=fmt, prefixes=prefixes), len(collected)


# -- the worker's state -------------------------------------------------------------------
class Worker:
    """The data of one generation and the query execution against it."""

    def __init__(self) -> None:
        self.store: ox.Store | None = None
        self.generation: Any = None
        self.in_memory = False
        self._lock = threading.Lock()
        self._wanted = threading.Condition(self._lock)
        self._copy_request: tuple[Any, ox.Store, int] | None = None
        self._copier: threading.Thread | None = None

    def load(self, generation: Any, kind: str, path: str, memory_quads: int = 0) -> float:
        start = time.perf_counter()
        if kind == "rocksdb":
            store = ox.Store.read_only(path)
            in_memory = False
        else:
            store = ox.Store()
            store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
            in_memory = True
        with self._lock:
            self.store, self.generation, self.in_memory = store, generation, in_memory
            if not in_memory and memory_quads > 0:
                self._copy_request = (generation, store, memory_quads)
                self._wanted.notify()
                if self._copier is None:
                    self._copier = threading.Thread(target=self._copy_loop, daemon=True,
                                                    name="vitaalkg-memory-copy")
                    self._copier.start()
        return time.perf_counter() - start

    def _copy_loop(self) -> None:
        """Copy the newest requested checkpoint into memory; switch to it if still current.
        One thread, always the latest generation: a burst of writes costs one copy, not many."""
        while True:
            with self._lock:
                while self._copy_request is None:
                    self._wanted.wait()
                generation, source, limit = self._copy_request
                self._copy_request = None
            try:
                if len(source) > limit:
                    continue
                copy = ox.Store()
                copy.bulk_load(source.dump(format=ox.RdfFormat.N_QUADS),
                               format=ox.RdfFormat.N_QUADS)
            except (OSError, ValueError, RuntimeError) as exc:  # keep the checkpoint
                print(f"vitaalkg query worker: in-memory copy failed: {exc}", file=sys.stderr)
                continue
            with self._lock:
                if self.generation == generation and self.store is source:
                    self.store, self.in_memory = copy, True
            del source, copy

    def query(self, job: dict[str, Any]) -> tuple:
        store = self.store
        if store is None:
            return ("error", "internal", "worker has no data")
        kwargs: dict[str, Any] = {}
        if job.get("default_graph") is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in job["default_graph"]]
        else:
            kwargs["use_default_graph_as_union"] = True
        if job.get("named_graphs") is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
        if job.get("substitutions"):
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in job["substitutions"].items()}
        if job.get("base_iri"):
            kwargs["base_iri"] = job["base_iri"]
        limit = int(job["max_results"])
        fmt = job["result_format"]
        query = job["query"]
        if fmt in NATIVE_FORMATS:  # at most limit + 1 rows are ever produced (unless sorted)
            query = capped_select(query, limit + 1)
        try:
            try:
                result = store.query(query, **kwargs)
            except SyntaxError:
                if query == job["query"]:
                    raise
                # the error as the user's own text has it (the appended LIMIT moves positions)
                result = store.query(job["query"], **kwargs)
            if isinstance(result, ox.QuerySolutions):
                if fmt in NATIVE_FORMATS:
                    body, count = serialize_native(result, fmt, limit)
                else:
                    body, count = serialize_solutions(result, fmt, limit)
                return ("ok", RESULT_TYPES[fmt], body, count, self.in_memory)
            if isinstance(result, ox.QueryBoolean):
                return ("ok", RESULT_TYPES[fmt], serialize_boolean(bool(result), fmt), 1,
                        self.in_memory)
            media_type = job["graph_format"]
            body, count = serialize_triples(result, media_type, limit)
            return ("ok", media_type, body, count, self.in_memory)
        except SyntaxError as exc:
            return ("error", "syntax", str(exc))
        except TooManyResults as exc:
            return ("error", "too_many", str(exc.args[0]))
        except MemoryError as exc:
            return ("error", "memory", str(exc))
        except (OSError, ValueError, TypeError, RuntimeError) as exc:
            return ("error", "evaluation", str(exc))


def _watch_parent(parent: int) -> None:
    """Exit when the server process is gone (even while a query is running)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def limit_memory() -> None:
    """Cap this process's data memory at ``VITAALKG_QUERY_WORKER_MEMORY_MB`` (0 = no cap).

    RLIMIT_DATA (private writable memory: heap and anonymous mappings, not the mapped store
    files): an allocation past it fails, the store's engine aborts the process, the server
    answers 503 and starts a new worker.
    """
    import resource

    megabytes = int(os.environ.get("VITAALKG_QUERY_WORKER_MEMORY_MB", "0") or 0)
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def main() -> None:
    from multiprocessing.connection import Connection

    limit_memory()
    reader = Connection(os.dup(0), writable=False)
    writer = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # stray prints must not corrupt the protocol
    sys.stdout = sys.stderr
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    worker = Worker()
    writer.send(("ready", os.getpid()))
    while True:
        try:
            message = reader.recv()
        except (EOFError, OSError):
            break
        op = message[0]
        try:
            if op == "load":
                _, generation, kind, path, memory_quads = message
                seconds = worker.load(generation, kind, path, memory_quads)
                writer.send(("loaded", generation, seconds))
            elif op == "query":
                writer.send(worker.query(message[1]))
            elif op == "exit":
                break
            else:
                writer.send(("error", "internal", f"unknown operation {op!r}"))
        except MemoryError as exc:
            writer.send(("error", "memory", str(exc)))
        except Exception as exc:  # noqa: BLE001 - report, never die silently
            writer.send(("error", "internal", f"{type(exc).__name__}: {exc}"))


if __name__ == "__main__":
    main()
