"""A remote SPARQL 1.1 server (Oxigraph server, Virtuoso, Fuseki, GraphDB) as the store.

Same interface as :class:`vitaalkg.store.embedded.EmbeddedStore`; results come back as pyoxigraph
objects, so the service and the CLI cannot tell the two apart. Semantics kept equal to the
embedded store:
- the default graph of a query is the union of *our* named graphs (sent as explicit
  ``default-graph-uri``/``named-graph-uri`` parameters, so a server's system graphs stay out);
- ``replace_graph`` is atomic for readers: data goes to a staging graph first and one
  ``MOVE`` swaps it in;
- ``substitutions`` bind variables to terms through a ``VALUES`` block, never by pasting text.

Several instances may share one server: every write also replaces the *write mark* of
:mod:`.system` in the same update request, and ``generation`` goes up on this instance's own
writes at once and on other instances' writes within ``poll_seconds`` (a background thread
reads the mark), so every cache keyed on the generation follows writes made anywhere.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import httpx
import pyoxigraph as ox

from . import system
from .base import QUAD_FORMATS, StoreError, rdf_format
from .sparqltext import split_dataset_clauses, tokenize, uses_keyword

# graphs a server keeps for itself; never part of the knowledge base
SYSTEM_GRAPH_PREFIXES = (
    "http://www.openlinksw.com/",
    "http://localuriqaserver/",
    "http://www.w3.org/ns/ldp#",
    "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/ns/auth/acl#",
    "urn:activitystreams-owl:map",
    "urn:core:services:sparql",
    system.PREFIX,
)
STAGING_SUFFIX = "#staging"
CHUNK_TRIPLES = 1000
#: sent as the only graph of an empty dataset part (a protocol request without the parameter
#: would mean "the server's own default dataset", i.e. everything)
NO_GRAPH = "urn:x-vitaalkg:no-graph"
#: how long a local copy of a restricted dataset is reused (others may write to the server)
LOCAL_COPY_SECONDS = 10.0
#: IRI schemes of server built-ins that reach outside SPARQL (Virtuoso: SQL functions)
SERVER_BUILTIN_SCHEMES = ("bif:", "sql:")


class RemoteTriples:
    """The triples of a CONSTRUCT/DESCRIBE answer, shaped like pyoxigraph's QueryTriples."""

    def __init__(self, triples: list[ox.Triple]) -> None:
        self._triples = triples

    def __iter__(self) -> Iterator[ox.Triple]:
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)

    def serialize(self, output: Any = None, format: ox.RdfFormat = ox.RdfFormat.N_TRIPLES
                  ) -> bytes | None:
        return ox.serialize(self._triples, output, format=format)


# -- safe binding ------------------------------------------------------------------------------

_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
    r"|[{}]|[A-Za-z_]+",
    re.S,
)


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first such keyword outside strings and IRIs."""
    for match in _TOKEN.finditer(sparql):
        tok = match.group().upper()
        if tok in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"):
            return tok
    return "SELECT"


def where_brace(sparql: str) -> int:
    """Index just after the ``{`` that opens the query's WHERE group."""
    depth = 0
    seen_where = False
    form = None
    for match in _TOKEN.finditer(sparql):
        tok = match.group()
        if tok[0] in "\"'<#":
            continue
        upper = tok.upper()
        if depth == 0 and form is None and upper in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"):
            form = upper
        elif depth == 0 and upper == "WHERE":
            seen_where = True
        elif tok == "{":
            if depth == 0 and (seen_where or form in ("SELECT", "ASK", "DESCRIBE")):
                return match.end()
            depth += 1
        elif tok == "}":
            depth -= 1
    raise StoreError("kan de WHERE-groep van de query niet vinden")


def bind_values(sparql: str, substitutions: dict[str, Any]) -> str:
    """The query with a ``VALUES`` block binding the variables to RDF terms (N-Triples syntax)."""
    names = list(substitutions)
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise StoreError(f"ongeldige variabelenaam: {name!r}")
    terms = []
    for name in names:
        term = substitutions[name]
        if not isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode):
            raise StoreError(f"waarde voor ?{name} is geen RDF-term")
        terms.append(str(term))
    def block(chosen: list[str]) -> str:
        return (f" VALUES ({' '.join('?' + n for n in chosen)}) "
                f"{{ ({' '.join(terms[names.index(n)] for n in chosen)}) }} ")

    # as a substitution would: also in every subquery that uses a variable (a VALUES block
    # at the top binds it in the outer query only; a subquery is evaluated on its own)
    inserts = [(where_brace(sparql), block(names))]
    tokens = list(tokenize(sparql))
    for first, last in subquery_groups(tokens):
        used = {t.text[1:] for t in tokens[first:last] if t.kind == "var"}
        chosen = [n for n in names if n in used]
        if chosen:
            inserts.append((tokens[first].start + 1, block(chosen)))
    for at, text in sorted(inserts, reverse=True):
        sparql = sparql[:at] + text + sparql[at:]
    return sparql


def subquery_groups(tokens: list[Any]) -> list[tuple[int, int]]:
    """Token index ranges (its ``{`` .. its ``}``) of the WHERE group of every subquery."""
    groups: list[tuple[int, int]] = []
    stack: list[tuple[int, bool]] = []  # (index, opens a subquery's WHERE group)
    depth = 0
    select_at: int | None = None  # depth of a subquery SELECT still waiting for its group
    for i, tok in enumerate(tokens):
        if tok.kind == "word" and tok.text.upper() == "SELECT" and depth > 0:
            select_at = depth
        elif tok.text == "{":
            depth += 1
            opens = select_at is not None and depth == select_at + 1
            stack.append((i, opens))
            if opens:
                select_at = None
        elif tok.text == "}":
            depth -= 1
            if stack:
                first, opens = stack.pop()
                if opens:
                    groups.append((first, i))
    return groups


# -- the dataset -------------------------------------------------------------------------------

def check_portable(sparql: str) -> None:
    """Refuse server extensions that could step outside the dataset or SPARQL itself
    (Virtuoso's ``DEFINE input:…`` pragmas and ``bif:``/``sql:`` functions); raises
    ``SyntaxError`` like a parser would, since they are not SPARQL 1.1."""
    for tok in tokenize(sparql):
        if tok.kind == "word" and tok.text.upper() == "DEFINE":
            raise SyntaxError("DEFINE is geen SPARQL 1.1 / DEFINE is not SPARQL 1.1")
        if (tok.kind == "pname" and tok.text.lower().startswith(SERVER_BUILTIN_SCHEMES)) or \
                (tok.kind == "iri" and tok.text[1:].lower().startswith(SERVER_BUILTIN_SCHEMES)):
            raise SyntaxError(f"{tok.text} is niet toegestaan / is not allowed")


# -- results -----------------------------------------------------------------------------------

def _normalise_json_results(data: bytes) -> bytes:
    """Make a server's SPARQL JSON acceptable to pyoxigraph (blank-node ids, 'typed-literal')."""
    doc = json.loads(data)
    bindings = doc.get("results", {}).get("bindings")
    if bindings:
        for row in bindings:
            for value in row.values():
                if value.get("type") == "typed-literal":
                    value["type"] = "literal"
                if "lang" in value:
                    value["xml:lang"] = value.pop("lang")
                elif value.get("type") == "bnode":
                    value["value"] = "b" + hashlib.sha1(value["value"].encode()).hexdigest()[:16]
    doc.get("head", {}).pop("link", None)
    return json.dumps(doc).encode()


def _bnode_components(triples: list[ox.Triple]) -> list[list[ox.Triple]]:
    """Chunks that keep every blank node's triples together (they are one request each)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    keyed: list[tuple[str | None, ox.Triple]] = []
    for t in triples:
        bnodes = [n.value for n in (t.subject, t.object) if isinstance(n, ox.BlankNode)]
        if len(bnodes) == 2:
            parent[find(bnodes[0])] = find(bnodes[1])
        keyed.append((bnodes[0] if bnodes else None, t))
    groups: dict[str, list[ox.Triple]] = {}
    free: list[ox.Triple] = []
    for key, t in keyed:
        (groups.setdefault(find(key), []) if key else free).append(t)
    chunks: list[list[ox.Triple]] = []
    current: list[ox.Triple] = []
    for group in [*groups.values(), *([t] for t in free)]:
        if current and len(current) + len(group) > CHUNK_TRIPLES:
            chunks.append(current)
            current = []
        current.extend(group)
    if current:
        chunks.append(current)
    return chunks


class RemoteStore:
    """A SPARQL 1.1 Protocol server (query + update endpoints) used as the store."""

    kind = "remote"

    def __init__(self, query_endpoint: str, update_endpoint: str | None = None, *,
                 user: str | None = None, password: str | None = None,
                 timeout: float = 120.0, poll_seconds: float = 1.0) -> None:
        self.query_endpoint = query_endpoint
        self.update_endpoint = update_endpoint or query_endpoint
        self.path = None
        auth = httpx.DigestAuth(user, password) if user else None
        self._http = httpx.Client(auth=auth, timeout=timeout)
        self._graphs: tuple[int, list[str]] | None = None
        self._writes = 0  # writes through this object
        self._seen_elsewhere = 0  # changes of the write mark seen by the poller
        self.poll_seconds = poll_seconds
        self._poller: threading.Thread | None = None
        self._closed = threading.Event()
        self._poll_lock = threading.Lock()
        self.server = ""  # the server's ``Server`` header, once known
        self._copies: dict[tuple[int, frozenset[str]], tuple[float, ox.Store]] = {}

    # -- generation: own writes at once, others' within poll_seconds -----------------------
    @property
    def generation(self) -> int:
        """Goes up on every write through this object and, within ``poll_seconds``, on every
        write through another instance over the same server."""
        if self._poller is None and self.poll_seconds > 0 and not self._closed.is_set():
            self._start_poller()
        return self._writes + self._seen_elsewhere

    def _start_poller(self) -> None:
        with self._poll_lock:
            if self._poller is not None:
                return
            mark = self._read_mark()
            self._poller = threading.Thread(target=self._poll, args=(mark,), daemon=True,
                                            name="vitaalkg-write-mark")
            self._poller.start()

    def _read_mark(self) -> frozenset[str] | None:
        try:
            response = self._post_query(system.READ_MARK, [], [system.STATE_GRAPH],
                                        timeout=max(5.0, self.poll_seconds * 5))
            rows = ox.parse_query_results(_normalise_json_results(response.content),
                                          format=ox.QueryResultsFormat.JSON)
            return frozenset(row["m"].value for row in rows)
        except (StoreError, SyntaxError, ValueError):
            return None  # unreachable for now: the next poll tries again

    def _poll(self, last: frozenset[str] | None) -> None:
        while not self._closed.wait(self.poll_seconds):
            mark = self._read_mark()
            if mark is not None and mark != last:
                last = mark
                self._seen_elsewhere += 1

    # -- protocol ------------------------------------------------------------------------
    def _post_query(self, sparql: str, default_graph: Sequence[str] | None,
                    named_graphs: Sequence[str] | None, timeout: float | None = None
                    ) -> httpx.Response:
        form: dict[str, str | list[str]] = {"query": sparql}
        if default_graph is not None:
            form["default-graph-uri"] = list(default_graph) or [NO_GRAPH]
        if named_graphs is not None:
            form["named-graph-uri"] = list(named_graphs) or [NO_GRAPH]
        if query_form(sparql) in ("CONSTRUCT", "DESCRIBE"):
            accept = "application/n-triples, text/plain;q=0.5"
        else:
            accept = "application/sparql-results+json"
        try:
            response = self._http.post(self.query_endpoint, data=form,
                                       headers={"Accept": accept},
                                       timeout=timeout or self._http.timeout)
        except httpx.HTTPError as exc:
            raise StoreError(f"de triple store ({self.query_endpoint}) antwoordt niet: "
                             f"{exc}") from exc
        self.server = response.headers.get("server", self.server)
        if response.status_code == 400:
            raise SyntaxError(response.text.strip()[:1000])
        if response.status_code >= 300:
            raise StoreError(f"de triple store gaf HTTP {response.status_code}: "
                             f"{response.text.strip()[:500]}")
        return response

    def update(self, sparql: str) -> None:
        """Run a SPARQL update on the update endpoint (with the write mark, in one request)."""
        try:
            response = self._http.post(
                self.update_endpoint,
                data={"update": f"{sparql} ;\n{system.mark_operations()}"})
        except httpx.HTTPError as exc:
            raise StoreError(f"de triple store antwoordt niet: {exc}") from exc
        self._writes += 1
        if response.status_code >= 300:
            raise StoreError(f"update geweigerd door de triple store (HTTP "
                             f"{response.status_code}): {response.text.strip()[:500]}")

    # -- reading -------------------------------------------------------------------------
    def query(self, sparql: str, *, default_graph: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None, union_default: bool = True,
              substitutions: dict[str, Any] | None = None, timeout: float | None = None) -> Any:
        """Run a query; answers are pyoxigraph objects like those of the embedded store.

        The dataset is always sent explicitly: the one given, else the graphs the query's
        ``FROM``/``FROM NAMED`` name (those of ours only), else all our graphs.
        """
        check_portable(sparql)
        if substitutions:
            sparql = bind_values(sparql, substitutions)
        ours = self.graphs()
        split = split_dataset_clauses(sparql)
        if split is not None:
            sparql, from_default, from_named = split
            if default_graph is None and named_graphs is None:
                default_graph = [g for g in from_default if g in ours]
                named_graphs = [g for g in from_named if g in ours]
        if default_graph is None:
            default_graph = ours if union_default else []
        if named_graphs is None:
            named_graphs = ours
        if self.exists_ignores_dataset and uses_keyword(sparql, "EXISTS"):
            # evaluated here, on a copy of exactly the graphs of the dataset
            copy = self._local_copy([*default_graph, *named_graphs])
            return copy.query(sparql, default_graph=[ox.NamedNode(g) for g in default_graph],
                              named_graphs=[ox.NamedNode(g) for g in named_graphs])
        response = self._post_query(sparql, default_graph, named_graphs, timeout)
        ctype = response.headers.get("content-type", "").split(";")[0].strip()
        if ctype in ("application/sparql-results+json", "application/json"):
            data = _normalise_json_results(response.content)
            return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        try:
            triples = [ox.Triple(q.subject, q.predicate, q.object)
                       for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)]
        except SyntaxError as exc:
            raise StoreError(f"onleesbaar antwoord van de triple store ({ctype}): {exc}") from exc
        return RemoteTriples(triples)

    def _local_copy(self, graphs: Sequence[str]) -> ox.Store:
        """An in-memory pyoxigraph store holding ``graphs`` (kept a few seconds, and only
        until the next write through this object)."""
        key = (self.generation, frozenset(graphs))
        now = time.monotonic()
        hit = self._copies.get(key)
        if hit is not None and now - hit[0] < LOCAL_COPY_SECONDS:
            return hit[1]
        copy = ox.Store()
        if graphs:
            rows = self.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
                              default_graph=[], named_graphs=list(graphs))
            copy.extend(ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows)
        self._copies = {k: v for k, v in self._copies.items()
                        if k[0] == self.generation and now - v[0] < LOCAL_COPY_SECONDS}
        self._copies[key] = (now, copy)
        return copy

    @property
    def exists_ignores_dataset(self) -> bool:
        """Virtuoso evaluates ``EXISTS``/``NOT EXISTS`` over the whole store, whatever the
        protocol dataset says (so a restricted graph could be probed through it), and gets
        uncorrelated ones wrong (both ``EXISTS {P}`` and ``NOT EXISTS {P}`` true)."""
        if not self.server:
            self.graphs()
        return "virtuoso" in self.server.lower()

    def select(self, sparql: str, **dataset: Any) -> list[dict[str, Any]]:
        result = self.query(sparql, **dataset)
        names = [v.value for v in result.variables]
        return [{n: (row[n].value if row[n] is not None else None) for n in names}
                for row in result]

    def ask(self, sparql: str, **dataset: Any) -> bool:
        return bool(self.query(sparql, **dataset))

    def graphs(self) -> list[str]:
        """Our named graphs (not the server's system graphs, nor ours of :mod:`.system`),
        sorted; cached until a write (here or, within ``poll_seconds``, elsewhere)."""
        generation = self.generation
        if self._graphs is None or self._graphs[0] != generation:
            response = self._post_query(
                # GROUP BY, not DISTINCT: Virtuoso answers it ~50 times faster
                "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", None, None)
            rows = ox.parse_query_results(_normalise_json_results(response.content),
                                          format=ox.QueryResultsFormat.JSON)
            self._graphs = (generation, sorted(
                g for g in (row["g"].value for row in rows)
                if not g.startswith(SYSTEM_GRAPH_PREFIXES) and not g.endswith(STAGING_SUFFIX)))
        return list(self._graphs[1])

    def triple_count(self, graph: str | None = None) -> int:
        graphs = [graph] if graph else self.graphs()
        if not graphs:
            return 0
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                           named_graphs=graphs)
        return int(rows[0]["n"])

    def _graph_triples(self, graph: str) -> list[ox.Triple]:
        result = self.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
                            named_graphs=[graph])
        return list(result)

    def dump(self, fmt: str, graph: str | None = None) -> bytes:
        f = rdf_format(fmt)
        if graph is not None:
            return ox.serialize(self._graph_triples(graph), format=f)
        if f in QUAD_FORMATS:
            quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g))
                     for g in self.graphs() for t in self._graph_triples(g)]
            return ox.serialize(quads, format=f)
        return ox.serialize([t for g in self.graphs() for t in self._graph_triples(g)],
                            format=f)

    # -- writing -------------------------------------------------------------------------
    def _insert(self, graph: str, triples: list[ox.Triple]) -> None:
        for chunk in _bnode_components(triples):
            body = " .\n".join(f"{t.subject} {t.predicate} {t.object}" for t in chunk)
            # INSERT … WHERE {} rather than INSERT DATA: some servers refuse blank nodes there
            self.update(f"INSERT {{ GRAPH <{graph}> {{\n{body} .\n}} }} WHERE {{}}")

    def replace_graph(self, graph: str, data: bytes | str, fmt: str | ox.RdfFormat,
                      base_iri: str | None = None) -> int:
        """Atomically replace ``graph``: parse locally, fill a staging graph, ``MOVE`` it in."""
        f = fmt if isinstance(fmt, ox.RdfFormat) else rdf_format(fmt)
        try:
            triples = [ox.Triple(q.subject, q.predicate, q.object)
                       for q in ox.parse(data, format=f, base_iri=base_iri)]
        except (SyntaxError, ValueError) as exc:
            raise StoreError(str(exc)) from exc
        staging = graph + STAGING_SUFFIX
        self.update(f"DROP SILENT GRAPH <{staging}>")
        try:
            self._insert(staging, triples)
        except StoreError:
            self.update(f"DROP SILENT GRAPH <{staging}>")
            raise
        if triples:
            self.update(f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{graph}>")
        else:
            self.update(f"DROP SILENT GRAPH <{graph}>")
        return self.triple_count(graph)

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        by_graph: dict[str, list[ox.Triple]] = {}
        for q in quads:
            if not isinstance(q.graph_name, ox.NamedNode):
                raise StoreError("de remote store bewaart alleen named graphs")
            by_graph.setdefault(q.graph_name.value, []).append(
                ox.Triple(q.subject, q.predicate, q.object))
        for graph, triples in by_graph.items():
            self._insert(graph, triples)

    def drop_graph(self, graph: str) -> None:
        self.update(f"DROP SILENT GRAPH <{graph}>")

    def flush(self) -> None:
        """Nothing to flush: the server persists its own writes."""

    def close(self) -> None:
        self._closed.set()
        self._http.close()


def knowledge_store(store: Any, base: str) -> ox.Store:
    """A pyoxigraph store holding the knowledge base (for the plan validator's context): the
    embedded store itself, or an in-memory copy of a remote store's ``{base}graph/`` source
    graphs (ontology, shapes, data; not the plans)."""
    if hasattr(store, "oxigraph"):
        return store.oxigraph
    prefixes = tuple(f"{base}graph/{d}/" for d in ("ontology", "shapes", "data"))
    return store._local_copy([g for g in store.graphs() if g.startswith(prefixes)])
