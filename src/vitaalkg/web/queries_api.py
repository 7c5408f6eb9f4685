"""``/queries``: the named queries of ``queries/*.rq`` as a small web API (grlc-style).

- ``GET /queries`` lists them (JSON: name, summary, description, tags, parameters with types,
  defaults and allowed values, link).
- ``GET /queries/{name}?param=…`` runs one. Every query is its own path in the OpenAPI document
  with its typed parameters (routes are generated at start-up). Values are validated (400 with a
  message for a non-integer, a non-date, an unknown parameter …) and bound as RDF terms
  (SEP-0007 substitutions), never pasted into the query text.
- Results: by default (``Accept: application/json`` or ``format=json``) a simple rows document
  ``{"query", "parameters", "count", "variables", "rows": [{var: value}]}`` with numbers and
  booleans typed and unbound values ``null``; SPARQL JSON (``application/sparql-results+json``,
  ``format=sparql-json``), CSV (``text/csv``, ``format=csv``), TSV and SPARQL XML as on
  ``/sparql``. CONSTRUCT/DESCRIBE queries answer in RDF (Turtle default).
- A query with ``#+ pagination: N`` (grlc) answers one page of N rows: ``?page=K`` (1-based,
  default 1) runs it with ``LIMIT N OFFSET (K-1)*N`` appended. An RFC 8288 ``Link`` header
  points to ``rel="first"``, ``rel="prev"`` (from page 2) and ``rel="next"`` (when the page is
  full, so there may be more; a full last page therefore links to an empty one, as in grlc), as
  absolute paths that keep the other query parameters; the rows document also says ``page``,
  ``pageSize`` and ``hasNext``. ``page`` on a query without pagination, or a page that is not an
  integer from 1, is a 400. Every page is its own query text, so the result cache keeps pages
  apart.
- They run through the same worker pool, time limit and result limit as ``/sparql``.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from ..store.namedqueries import NamedQuery, NamedQueryError, parse_named_query, parse_page
from . import query_pages
from .negotiation import best_match
from .query_runner import QueryError, QueryJob
from .security import public_url
from .sparql import GRAPH_FORMAT_NAMES, GRAPH_MEDIA, SparqlRequestError, apply_dataset_policy

log = logging.getLogger(__name__)

ROWS_MEDIA = {
    "application/json": "rows",
    "application/sparql-results+json": "json",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/sparql-results+xml": "xml",
}
ROWS_NAMES = {"json": "rows", "rows": "rows", "sparql-json": "json", "srj": "json",
              "csv": "csv", "tsv": "tsv", "xml": "xml", "srx": "xml"}
OPENAPI_TYPES = {
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "double": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "dateTime": {"type": "string", "format": "date-time"},
    "gYear": {"type": "string", "pattern": "^[0-9]{4}$"},
}


def load_queries(folder: Any) -> dict[str, NamedQuery]:
    """The named queries of ``folder``; a broken file is logged and left out."""
    out: dict[str, NamedQuery] = {}
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.rq")):
        try:
            out[path.stem] = parse_named_query(path)
        except (NamedQueryError, OSError, UnicodeDecodeError) as exc:
            log.warning("named query %s left out: %s", path.name, exc)
    return out


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status)


def _openapi_parameters(nq: NamedQuery) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    for p in nq.parameters:
        schema: dict[str, Any] = dict(OPENAPI_TYPES.get(p.type_label, {"type": "string"}))
        if p.kind == "iri":
            schema["description"] = "IRI of sleutel onder id/ (bv. veiligheidsregio/vr13)"
        if p.default is not None:
            schema["default"] = p.default
        if p.enum:
            schema["enum"] = p.enum
        description = {"iri": "IRI of sleutel (type/sleutel), bv. 'veiligheidsregio/vr13'",
                       "string": "tekst"}.get(p.kind, p.type_label)
        params.append({"name": p.name, "in": "query", "required": p.required,
                       "schema": schema, "description": description})
    if nq.page_size is not None:
        params.append({"name": "page", "in": "query", "required": False,
                       "schema": {"type": "integer", "minimum": 1, "default": 1},
                       "description": f"Paginanummer, {nq.page_size} rijen per pagina; de "
                                      "Link-header wijst naar first/prev/next / page number, "
                                      f"{nq.page_size} rows per page"})
    params.append({"name": "format", "in": "query", "required": False,
                   "schema": {"type": "string",
                              "enum": ["json", "sparql-json", "csv", "tsv", "xml"]},
                   "description": "Resultaatformaat (anders via Accept)"})
    return params


def _page_url(request: Request, page: int) -> str:
    """The absolute path of this request for another page (the other parameters kept)."""
    items = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    return request.url.path + "?" + urlencode([*items, ("page", str(page))])


def _link_header(request: Request, page: int, has_next: bool) -> str:
    """RFC 8288 links to the first, previous and next page."""
    links = [(1, "first")]
    if page > 1:
        links.append((page - 1, "prev"))
    if has_next:
        links.append((page + 1, "next"))
    return ", ".join(f'<{_page_url(request, k)}>; rel="{rel}"' for k, rel in links)


def _negotiate(nq: NamedQuery, request: Request) -> tuple[str, str] | None:
    """(result format key, graph media type) for the request, or None (406)."""
    fmt = request.query_params.get("format")
    accept = request.headers.get("accept")
    if nq.form in ("CONSTRUCT", "DESCRIBE"):
        if fmt:
            media = GRAPH_FORMAT_NAMES.get(fmt.lower()) or GRAPH_MEDIA.get(fmt.lower())
        else:
            chosen = best_match(accept, list(GRAPH_MEDIA))
            media = GRAPH_MEDIA[chosen] if chosen else None
        return ("json", media) if media else None
    if fmt:
        key = ROWS_NAMES.get(fmt.lower()) or ROWS_MEDIA.get(fmt.lower())
    else:
        chosen = best_match(accept, list(ROWS_MEDIA))
        key = ROWS_MEDIA[chosen] if chosen else None
    return (key, "text/turtle") if key else None


def install(app: FastAPI) -> None:
    """Add ``GET /queries`` and one ``GET /queries/{name}`` route per named query."""
    settings = app.state.settings
    named = load_queries(settings.queries_dir)
    app.state.named_queries = named
    base = settings.base

    @app.get("/queries", tags=["queries"], summary="Lijst van benoemde queries")
    def list_queries(request: Request) -> Response:
        """De benoemde queries met hun parameters / the named queries and their parameters
        (HTML for a browser, see :mod:`.query_pages`)."""
        if query_pages.wants_html_index(request):
            return query_pages.index(request, named)
        root = public_url(settings).rstrip("/")  # never the request's Host header
        return JSONResponse({"queries": [nq.to_json(f"{root}/queries/{name}")
                                         for name, nq in named.items()]})

    for name, nq in named.items():
        _add_route(app, name, nq, base)

    @app.get("/queries/{name}", tags=["queries"], include_in_schema=False)
    def unknown_query(name: str) -> JSONResponse:
        return _error(404, f"onbekende query '{name}'; zie /queries / unknown query")


def _add_route(app: FastAPI, name: str, nq: NamedQuery, base: str) -> None:
    text = nq.text_for(base)
    media = (["application/json", "application/sparql-results+json", "text/csv"]
             if nq.form in ("SELECT", "ASK") else list(GRAPH_MEDIA)[:4])

    async def run_named(request: Request) -> Response:
        page_format = query_pages.page_format(nq, request, list(ROWS_MEDIA))
        if page_format is not None:  # a browser, or a spreadsheet download
            return await query_pages.answer(request, name, nq, text, page_format)
        params = {k: v for k, v in request.query_params.items() if k not in ("format", "page")}
        page = None
        try:
            if nq.page_size is not None:
                page = parse_page(request.query_params.get("page"))
            elif "page" in request.query_params:
                raise NamedQueryError(f"query '{name}' kent geen paginering (parameter 'page') "
                                      "/ this query has no pagination")
            substitutions = nq.bind(params, base=base)
        except NamedQueryError as exc:
            return _error(400, str(exc))
        negotiated = _negotiate(nq, request)
        if negotiated is None:
            return _error(406, "geen passend formaat / no acceptable format; offered: "
                          + ", ".join(media))
        result_format, graph_format = negotiated
        query = text if page is None else nq.paginate(text, page)
        job = QueryJob(query=query, result_format=result_format, graph_format=graph_format,
                       substitutions=substitutions)
        try:
            await apply_dataset_policy(request, job)
            result = await request.app.state.query_runner.run(job)
        except SparqlRequestError as exc:
            return _error(exc.status, str(exc))
        except QueryError as exc:
            return _error(exc.status, str(exc))
        body = result.body
        headers = {"Vary": "Accept", "X-Result-Count": str(result.count)}
        paging: dict[str, Any] = {}
        if page is not None and nq.page_size is not None:
            # a full page: there may be more (grlc's rule; no count of all rows is needed)
            has_next = result.count >= nq.page_size
            paging = {"page": page, "pageSize": nq.page_size, "hasNext": has_next}
            headers["Link"] = _link_header(request, page, has_next)
        if result_format == "rows" and nq.form in ("SELECT", "ASK"):
            used = {p.name: substitutions[p.variable].value for p in nq.parameters
                    if p.variable in substitutions}
            head = json.dumps({"query": name, "parameters": used, **paging,
                               "count": result.count}, ensure_ascii=False)
            body = head[:-1].encode() + b"," + body[1:]
        return Response(body, media_type=result.media_type, headers=headers)

    run_named.__name__ = "query_" + name.replace("-", "_")
    description = nq.description or nq.summary
    ok: dict[str, Any] = {"description": "Resultaten / results", "content": {m: {} for m in media}}
    if nq.page_size is not None:
        description += (f"\n\nGepagineerd: {nq.page_size} rijen per pagina (`?page=`, vanaf 1); "
                        "de `Link`-header wijst naar first/prev/next / paginated, see `page`.")
        ok["headers"] = {"Link": {"description": 'RFC 8288: rel="first", "prev", "next"',
                                  "schema": {"type": "string"}}}
    app.add_api_route(
        f"/queries/{name}", run_named, methods=["GET"], tags=["queries", *nq.tags],
        summary=nq.summary or name, description=description, response_class=Response,
        openapi_extra={
            "parameters": _openapi_parameters(nq),
            "responses": {"200": ok,
                          "400": {"description": "Ongeldige parameter / invalid parameter"},
                          "406": {"description": "Geen passend formaat"},
                          "413": {"description": "Te veel resultaten"},
                          "503": {"description": "Tijdslimiet overschreden of bezet"}},
        },
    )
