"""``GET /graph/{…}``: the named graphs themselves, Graph Store Protocol style (read only).

A graph IRI such as ``{base}graph/plan/drinkwater-vitens/v2`` answers with the triples of that
graph, negotiated like the pages (``.ttl``, ``.nt``, ``.jsonld``, ``.rdf`` suffixes too), or an
HTML page with its size and the links to those formats. Only graphs the caller may read
(:func:`vitaalkg.web.access.dataset_for_request`) are served; any other graph answers 404,
exactly as one that does not exist, so a restricted plan's existence does not leak.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from rdflib import Graph

from . import describe as d
from .access import dataset_for_request
from .answers import (
    _settings,
    format_links,
    html_or_rdf,
    negotiate,
    not_found,
    render,
)
from .i18n import _
from .negotiation import split_suffix

router = APIRouter()


def graph_triples(request: Request, iri: str) -> Graph:
    """The triples of one named graph as an rdflib graph."""
    data = request.app.state.store.dump("nt", iri)
    graph = d.new_graph()
    if data:
        graph.parse(data=data, format="nt")
    return graph


@router.api_route("/graph/{path:path}", methods=["GET", "HEAD"], tags=["linked data"],
                  summary="Een benoemde graaf (Turtle, N-Triples, JSON-LD, RDF/XML of HTML)")
def named_graph(path: str, request: Request) -> Response:
    base = _settings(request).base
    readable = set(dataset_for_request(request)[1])
    stem, suffix = split_suffix(path)
    iri = f"{base}graph/{stem}"
    if suffix is not None and iri not in readable and f"{base}graph/{path}" in readable:
        iri, stem, suffix = f"{base}graph/{path}", path, None
    if iri not in readable:
        return not_found(request, iri, suffix)
    fmt = negotiate(request, suffix)
    href = f"/graph/{stem}"

    def page() -> Response:
        size = request.app.state.store.triple_count(iri)
        return render(request, "graph.html", iri=iri, size=size, formats=format_links(href),
                      crumbs=[{"label": _("graaf")}, {"label": stem}])

    return html_or_rdf(request, fmt, suffix, lambda: graph_triples(request, iri), page)


def install(app: FastAPI) -> None:
    app.include_router(router)
