"""``/sparql``: the W3C SPARQL 1.1 Protocol endpoint (read-only), its service description and
the query editor for browsers.

- Query by ``GET`` (or ``HEAD``) ``?query=``, ``POST`` form
  (``application/x-www-form-urlencoded``) or ``POST`` ``application/sparql-query``; exactly one
  query per request (400 otherwise). Relative IRIs resolve against the endpoint URL.
- Dataset: ``default-graph-uri`` / ``named-graph-uri``, else the query's ``FROM`` / ``FROM
  NAMED`` (the protocol's parameters override the query's clauses); either way intersected with
  the graphs the caller may read (a graph it may not read is empty, as one that does not exist).
  Without a dataset the default graph is the union of the named graphs the caller may read.
- Result format by ``Accept`` (q-values) or by a ``format`` parameter (for links):
  SELECT/ASK in SPARQL JSON, XML, CSV, TSV; CONSTRUCT/DESCRIBE in Turtle, JSON-LD, N-Triples,
  RDF/XML. 406 when nothing acceptable is on offer. The W3C CSV/TSV results note has no form for
  ASK; we follow Apache Jena (which writes and reads it so): one column ``_askResult``, CSV
  ``_askResult\r\ntrue\r\n``, TSV ``?_askResult\ntrue\n``.
- Refused: updates (403), ``SERVICE`` (403, federated queries are off unless
  ``VITAALKG_ALLOW_SERVICE=1``). Malformed queries: 400 with the parser's message, positions in
  the text as sent. Before parsing (:mod:`vitaalkg.web.query_limits`): a query over
  ``VITAALKG_QUERY_MAX_BYTES`` gets 413, one nested deeper than ``VITAALKG_QUERY_MAX_DEPTH``
  400.
- Answers are cached per store generation (``VITAALKG_QUERY_CACHE_MB``, default 64, 0 = off;
  never for NOW()/RAND()/UUID()/BNODE()).
- Limits (in killable worker processes, :mod:`vitaalkg.web.query_runner`): a query running longer
  than ``Settings.query_timeout`` is stopped and answered with **503**; a result with more than
  ``Settings.max_results`` rows/triples with **413**; a worker past its memory limit
  (``VITAALKG_QUERY_WORKER_MEMORY_MB``) or crashing is replaced and the query answered with 503;
  workers are shared fairly per client (:mod:`vitaalkg.web.query_scheduling`); when none comes
  free in time, 503 with ``Retry-After``.
- ``GET /sparql`` without a query: the SPARQL 1.1 Service Description for RDF clients, the query
  editor for browsers (:mod:`vitaalkg.web.sparql_editor`).
"""

from __future__ import annotations

import asyncio
import inspect
import os
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import FastAPI, Query, Request
from fastapi.responses import PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import FormData
from starlette.middleware.cors import CORSMiddleware

from ..store.sparqltext import query_form, split_dataset_clauses, uses_service
from .direct_runner import DirectRunner
from .negotiation import best_match
from .query_limits import QueryTextError, check_query_text, read_body
from .query_runner import QueryError, QueryJob, QueryPool, watch_writes
from .query_scheduling import ClientMiddleware
from .security import public_url
from .sparql_editor import editor_page

RESULT_MEDIA = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
GRAPH_MEDIA = {
    "text/turtle": "text/turtle",
    "application/ld+json": "application/ld+json",
    "application/n-triples": "application/n-triples",
    "application/rdf+xml": "application/rdf+xml",
    "application/x-turtle": "text/turtle",
    "application/turtle": "text/turtle",
    "application/x-json+ld": "application/ld+json",
    "text/plain": "application/n-triples",
    "application/json": "application/ld+json",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
}
RESULT_FORMAT_NAMES = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv",
                       "tsv": "tsv"}
GRAPH_FORMAT_NAMES = {
    "turtle": "text/turtle", "ttl": "text/turtle", "json-ld": "application/ld+json",
    "jsonld": "application/ld+json", "json": "application/ld+json",
    "nt": "application/n-triples", "ntriples": "application/n-triples",
    "n-triples": "application/n-triples", "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml", "xml": "application/rdf+xml",
}
SD_TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/ld+json": ox.RdfFormat.JSON_LD,
            "application/n-triples": ox.RdfFormat.N_TRIPLES,
            "application/rdf+xml": ox.RdfFormat.RDF_XML}
FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"

READ_ONLY = ("dit endpoint is alleen-lezen: SPARQL Update wordt geweigerd / this endpoint is "
             "read-only: SPARQL Update is refused")
TWO_QUERIES = ("meer dan één query in het verzoek / more than one query in the request "
               "(SPARQL 1.1 Protocol 2.1)")
NO_SERVICE = ("federatieve queries (SERVICE) zijn uitgeschakeld / federated queries (SERVICE) "
              "are disabled")


class SparqlRequestError(Exception):
    """A request the endpoint refuses; ``status`` and a message for the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _error(status: int, message: str) -> PlainTextResponse:
    return PlainTextResponse(message + "\n", status_code=status)


def _pick(accept: str | None, fmt: str | list[str] | None, media: dict[str, str],
          names: dict[str, str]) -> str | None:
    """The negotiated value of ``media`` (or of ``names`` for a ``format`` parameter).

    ``format`` may be given several times and may hold a short name or media types (as
    SPARQLWrapper sends them); the first usable value wins, else ``Accept`` decides.
    """
    for value in [fmt] if isinstance(fmt, str) else (fmt or []):
        value = value.strip().lower()
        if value in names:
            return names[value]
        if "/" in value:
            chosen = best_match(value, list(media))
            if chosen:
                return media[chosen]
    chosen = best_match(accept, list(media))
    return media[chosen] if chosen else None


def _check_iris(iris: list[str], param: str) -> list[str] | None:
    for iri in iris:
        if not iri or any(c in iri for c in ' <>"{}|^`\\') or ":" not in iri:
            raise SparqlRequestError(400, f"{param}: '{iri}' is geen geldige IRI / not an IRI")
    return iris or None


def build_job(query: str, accept: str | None, fmt: str | list[str] | None,
              default_graphs: list[str],
              named_graphs: list[str], *, allow_service: bool = False,
              base_iri: str | None = None) -> QueryJob:
    """Check a query and negotiate its result format; raises :class:`SparqlRequestError`.

    The dataset: the protocol's ``default-graph-uri`` / ``named-graph-uri`` when given (they
    override the query's own clauses), else the query's ``FROM`` / ``FROM NAMED`` (SPARQL 1.1
    Query 13.2: only ``FROM`` means no named graphs, only ``FROM NAMED`` an empty default
    graph), else the service's default dataset. Relative IRIs resolve against ``base_iri``.
    """
    if not query.strip():
        raise SparqlRequestError(400, "lege query / empty query")
    form = query_form(query)
    if form == "UPDATE":
        raise SparqlRequestError(403, READ_ONLY)
    if not allow_service and uses_service(query):
        raise SparqlRequestError(403, NO_SERVICE)
    result_format = _pick(accept, fmt, RESULT_MEDIA, RESULT_FORMAT_NAMES)
    graph_format = _pick(accept, fmt, GRAPH_MEDIA, GRAPH_FORMAT_NAMES)
    if form in ("SELECT", "ASK") and result_format is None:
        raise SparqlRequestError(406, "geen passend resultaatformaat / no acceptable format; "
                                 "offered: " + ", ".join(list(RESULT_MEDIA)[:4]))
    if form in ("CONSTRUCT", "DESCRIBE") and graph_format is None:
        raise SparqlRequestError(406, "geen passend RDF-formaat / no acceptable format; "
                                 "offered: " + ", ".join(list(GRAPH_MEDIA)[:4]))
    job = QueryJob(
        query=query, result_format=result_format or "json",
        graph_format=graph_format or "text/turtle",
        default_graph=_check_iris(default_graphs, "default-graph-uri"),
        named_graphs=_check_iris(named_graphs, "named-graph-uri"),
        base_iri=base_iri,
    )
    if not default_graphs and not named_graphs:
        try:
            clauses = split_dataset_clauses(query, base_iri or "")
        except SyntaxError as exc:
            raise SparqlRequestError(400, str(exc)) from None
        if clauses is not None:
            job.default_graph, job.named_graphs = list(clauses[1]), list(clauses[2])
    return job


async def apply_dataset_policy(request: Request, job: QueryJob) -> None:
    """Restrict ``job`` to the graphs the caller may read.

    When ``app.state.sparql_dataset`` is set (a callable ``request -> (default graphs, named
    graphs)`` or None for "everything", sync or async), a query without a protocol dataset gets
    exactly that dataset, and a protocol dataset is intersected with it (graphs the caller may
    not read are left out). Without the hook the default graph is the union of all named
    graphs.

    Speed: an allowed dataset that holds every graph of the store stays "the union" (Oxigraph
    evaluates an explicit list of graphs ~10x slower), and the public dataset (no
    ``Authorization`` header, no session cookie) is computed once per store generation.
    """
    hook = getattr(request.app.state, "sparql_dataset", None)
    if hook is None:
        return
    runner = getattr(request.app.state, "query_runner", None)
    generation = runner.generation() if hasattr(runner, "generation") else None
    memo: dict[Any, Any] = request.app.state.__dict__.setdefault("_dataset_memo", {})
    from .access import carries_credentials

    anonymous = not carries_credentials(request)
    key = ("public", generation)
    if anonymous and generation is not None and key in memo:
        allowed = memo[key]
    else:
        if inspect.iscoroutinefunction(hook):
            allowed = await hook(request)
        else:
            allowed = await asyncio.to_thread(hook, request)
        if allowed is not None:
            allowed = _as_union_where_possible(request, generation, memo, allowed)
        if anonymous and generation is not None:
            memo.clear()
            memo[key] = allowed
    if allowed is None:
        return
    allowed_default, allowed_named, permitted = allowed
    if permitted is not None:
        # a protocol dataset is intersected with what the caller may read, never widened: a
        # graph it may not read is simply absent (as if it did not exist)
        if job.default_graph is not None:
            job.default_graph = [g for g in job.default_graph if g in permitted]
        if job.named_graphs is not None:
            job.named_graphs = [g for g in job.named_graphs if g in permitted]
    if job.default_graph is None and allowed_default is not None:
        job.default_graph = list(allowed_default)
    if job.named_graphs is None and allowed_named is not None:
        job.named_graphs = list(allowed_named)


def _as_union_where_possible(request: Request, generation: Any, memo: dict[Any, Any],
                             allowed: Any) -> tuple[list[str] | None, list[str] | None,
                                                    set[str] | None]:
    """(default, named, permitted graphs); None for a part that holds every graph."""
    graphs = memo.get(("graphs", generation)) if generation is not None else None
    if graphs is None:
        graphs = frozenset(request.app.state.store.graphs())
    default, named = (list(x) for x in allowed)
    full_default, full_named = set(default) >= graphs, set(named) >= graphs
    permitted = None if full_default and full_named else set(default) | set(named)
    return (None if full_default else default, None if full_named else named, permitted)


async def answer(runner: Any, job: QueryJob) -> Response:
    """Run ``job`` and turn the outcome (or the failure) into a response."""
    try:
        result = await runner.run(job)
    except QueryError as exc:
        response = _error(exc.status, str(exc))
        if exc.retry_after is not None:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return Response(result.body, media_type=result.media_type,
                    headers={"Vary": "Accept", "X-Result-Count": str(result.count)})


def service_description(store: Any, endpoint: str,
                        graphs: list[str] | None = None) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of this endpoint."""
    sd = "http://www.w3.org/ns/sparql-service-description#"
    fmt = "http://www.w3.org/ns/formats/"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    service = ox.NamedNode(endpoint)

    def n(local: str, ns: str = sd) -> ox.NamedNode:
        return ox.NamedNode(ns + local)

    triples = [
        ox.Triple(service, rdf_type, n("Service")),
        ox.Triple(service, n("endpoint"), service),
        ox.Triple(service, n("supportedLanguage"), n("SPARQL11Query")),
        ox.Triple(service, n("feature"), n("UnionDefaultGraph")),
        ox.Triple(service, n("feature"), n("BasicFederatedQuery"))
        if os.environ.get("VITAALKG_ALLOW_SERVICE") == "1" else None,
        ox.Triple(service, ox.NamedNode("http://purl.org/dc/terms/title"),
                  ox.Literal("vitaalkg SPARQL-endpoint", language="nl")),
    ]
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                 "SPARQL_Results_TSV", "Turtle", "JSON-LD", "N-Triples", "RDF_XML"):
        triples.append(ox.Triple(service, n("resultFormat"), n(name, fmt)))
    dataset = ox.BlankNode("dataset")
    default = ox.BlankNode("default")
    triples += [
        ox.Triple(service, n("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, n("Dataset")),
        ox.Triple(dataset, n("defaultGraph"), default),
        ox.Triple(default, rdf_type, n("Graph")),
    ]
    for i, graph in enumerate(store.graphs() if graphs is None else sorted(set(graphs))):
        named = ox.BlankNode(f"g{i}")
        triples += [ox.Triple(dataset, n("namedGraph"), named),
                    ox.Triple(named, rdf_type, n("NamedGraph")),
                    ox.Triple(named, n("name"), ox.NamedNode(graph))]
    return [t for t in triples if t is not None]


def make_runner(store: Any, settings: Any) -> Any:
    """A worker pool for the embedded store, a direct runner for a remote one."""
    if hasattr(store, "oxigraph"):
        cache_mb = float(os.environ.get("VITAALKG_QUERY_CACHE_MB", "64") or 0)
        pool = QueryPool(store, size=settings.query_workers, timeout=settings.query_timeout,
                         max_results=settings.max_results,
                         cache_bytes=int(cache_mb * 1024 * 1024),
                         memory_quads=settings.query_memory_quads,
                         memory_mb=settings.query_worker_memory_mb,
                         preempt_after=settings.query_preempt_after,
                         per_client_waiting=settings.query_client_waiting)
        watch_writes(store, pool)
        return pool
    return DirectRunner(store, timeout=settings.query_timeout, max_results=settings.max_results)


def install(app: FastAPI) -> None:
    """Add ``/sparql``, ``/static``, CORS and the query runner to ``app``."""
    settings, store = app.state.settings, app.state.store
    runner = make_runner(store, settings)
    app.state.query_runner = runner
    allow_service = os.environ.get("VITAALKG_ALLOW_SERVICE") == "1"

    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=False,
                       allow_methods=["GET", "HEAD", "POST", "OPTIONS"], allow_headers=["*"],
                       expose_headers=["X-Result-Count"])
    app.add_middleware(ClientMiddleware)
    if not any(getattr(r, "path", None) == "/static" for r in app.routes):
        app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    _wrap_lifespan(app, runner)

    async def run(request: Request, query: str, fmt: str | list[str] | None,
                  default_graphs: list[str], named_graphs: list[str]) -> Response:
        try:
            check_query_text(request, query)
            job = build_job(query, request.headers.get("accept"), fmt, default_graphs,
                            named_graphs, allow_service=allow_service,
                            base_iri=str(request.url.replace(query="", fragment="")))
            await apply_dataset_policy(request, job)
        except (SparqlRequestError, QueryTextError) as exc:
            return _error(exc.status, str(exc))
        return await answer(runner, job)

    @app.get("/sparql", tags=["sparql"], summary="SPARQL 1.1 Protocol (GET)",
             response_class=Response,
             responses={200: {"description": "Resultaten / results",
                              "content": {m: {} for m in [*RESULT_MEDIA, *GRAPH_MEDIA]}},
                        400: {"description": "Ongeldige query"},
                        403: {"description": "Update of SERVICE geweigerd"},
                        406: {"description": "Geen passend formaat"},
                        413: {"description": "Te veel resultaten"},
                        503: {"description": "Tijdslimiet overschreden of bezet"}})
    async def sparql_get(
        request: Request,
        query: Annotated[str | None, Query(description="SPARQL-query")] = None,
        default_graph_uri: Annotated[list[str] | None, Query(alias="default-graph-uri")] = None,
        named_graph_uri: Annotated[list[str] | None, Query(alias="named-graph-uri")] = None,
        format: Annotated[str | None, Query(description="json, xml, csv, tsv, turtle, "
                                            "jsonld, nt, rdfxml of een mediatype")] = None,
        update: Annotated[str | None, Query(include_in_schema=False)] = None,
    ) -> Response:
        """Voer een SPARQL-query uit; zonder query: service description of query-editor."""
        if update is not None:
            return _error(403, READ_ONLY)
        if len(request.query_params.getlist("query")) > 1:
            return _error(400, TWO_QUERIES)
        formats = request.query_params.getlist("format")
        if query is None:
            return _no_query(request, format)
        return await run(request, query, formats, default_graph_uri or [], named_graph_uri or [])

    # HEAD answers like GET, without the body (the server drops it)
    app.add_api_route("/sparql", sparql_get, methods=["HEAD"], include_in_schema=False,
                      response_class=Response)

    @app.post("/sparql", tags=["sparql"], summary="SPARQL 1.1 Protocol (POST)",
              response_class=Response,
              openapi_extra={"requestBody": {"content": {
                  FORM_TYPE: {"schema": {"type": "object", "properties": {
                      "query": {"type": "string"},
                      "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                      "named-graph-uri": {"type": "array", "items": {"type": "string"}}}}},
                  QUERY_TYPE: {"schema": {"type": "string"}}}}})
    async def sparql_post(request: Request) -> Response:
        """Query als formulier (``query=``) of als ``application/sparql-query``-body."""
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        params = request.query_params
        fmt: list[str] = params.getlist("format")
        try:
            body = await read_body(request)
        except QueryTextError as exc:
            return _error(exc.status, str(exc))
        if ctype == FORM_TYPE or ctype == "multipart/form-data":
            form = await read_form(request, ctype, body)
            if "update" in form:
                return _error(403, READ_ONLY)
            if len(form.getlist("query")) + len(params.getlist("query")) > 1:
                return _error(400, TWO_QUERIES)
            query = form.get("query")
            if not isinstance(query, str):
                return _error(400, "parameter 'query' ontbreekt / missing 'query' parameter")
            fmt = [str(v) for v in form.getlist("format")] + fmt
            default_graphs = [str(v) for v in form.getlist("default-graph-uri")]
            named_graphs = [str(v) for v in form.getlist("named-graph-uri")]
            default_graphs += params.getlist("default-graph-uri")
            named_graphs += params.getlist("named-graph-uri")
            return await run(request, query, fmt, default_graphs, named_graphs)
        if ctype == QUERY_TYPE:
            if params.getlist("query"):
                return _error(400, TWO_QUERIES)
            body = await request.body()
            try:
                query = body.decode("utf-8")
            except UnicodeDecodeError:
                return _error(400, "de query is geen UTF-8 / the query is not UTF-8")
            return await run(request, query, fmt, params.getlist("default-graph-uri"),
                             params.getlist("named-graph-uri"))
        if ctype == UPDATE_TYPE:
            return _error(403, READ_ONLY)
        return _error(415, f"niet-ondersteund type '{ctype}'; gebruik {FORM_TYPE} of "
                      f"{QUERY_TYPE} / unsupported media type")

    def _no_query(request: Request, fmt: str | None) -> Response:
        # absolute: the configured public address, never the request's Host header
        endpoint = public_url(request.app.state.settings) + "sparql"
        offers = ["text/turtle", "text/html", "application/ld+json", "application/n-triples",
                  "application/rdf+xml"]
        if fmt:
            chosen = "text/html" if fmt.lower() == "html" else _pick(
                None, fmt, {m: m for m in SD_TYPES}, GRAPH_FORMAT_NAMES)
        else:
            chosen = best_match(request.headers.get("accept"), offers)
        if chosen is None:
            return _error(406, "geen passend formaat / no acceptable format; offered: "
                          + ", ".join(offers))
        if chosen == "text/html":
            return editor_page(request, endpoint)
        hook = getattr(request.app.state, "sparql_dataset", None)
        visible = None
        if hook is not None and not inspect.iscoroutinefunction(hook):
            allowed = hook(request)  # only the graphs the caller may read are named
            visible = list(allowed[1]) if allowed is not None else None
        body = ox.serialize(service_description(store, endpoint, visible),
                            format=SD_TYPES[chosen],
                            prefixes={"sd": "http://www.w3.org/ns/sparql-service-description#",
                                      "formats": "http://www.w3.org/ns/formats/"}
                            if chosen in ("text/turtle", "application/rdf+xml") else None)
        return Response(body, media_type=chosen, headers={"Vary": "Accept"})


async def read_form(request: Request, ctype: str, body: bytes) -> FormData:
    """The form of a POST (its size is checked already: no per-field limit of Starlette's)."""
    if ctype == FORM_TYPE:
        return FormData(parse_qsl(body.decode("latin-1"), keep_blank_values=True))
    return await request.form(max_part_size=len(body) + 1)


def _wrap_lifespan(app: FastAPI, runner: Any) -> None:
    """Start the workers with the application and stop them with it."""
    from contextlib import asynccontextmanager

    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(the_app: Any):
        start = getattr(runner, "start", None)
        if start is not None:
            await start()
        try:
            async with inner(the_app) as state:
                yield state
        finally:
            runner.close()

    app.router.lifespan_context = lifespan
