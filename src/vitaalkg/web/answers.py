"""How the linked-data pages answer: the templates, content negotiation between HTML and the
RDF formats, RDF and JSON-LD serialisation, 404 in the asked format, caching headers and
``Link`` headers of the alternate representations."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.templating import Jinja2Templates
from rdflib import Graph

from . import describe as d
from . import jsonld
from .access import principal_from_request
from .dataset import CACHE
from .http_cache import add_vary, conditional
from .i18n import N_, _, install_jinja
from .negotiation import HTML, RDF_FORMATS, SUFFIX_MEDIA_TYPES, best_match

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"

SITE_NAME = "vitaalkg"
SITE_TAGLINE = N_("Kennisbank crisisbeheersing en vitale infrastructuur")

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.globals.update(site_name=SITE_NAME, site_tagline=SITE_TAGLINE)
install_jinja(templates.env)

# Offered media types, server preference first; aliases map to a format key.
# (the HTML alias after the RDF types: "Accept: application/*" gets JSON-LD, not XHTML)
OFFERED: dict[str, str] = {
    HTML: "html",
    **{media: key for key, (media, _) in RDF_FORMATS.items()},
    "application/json": "json-ld",
    "application/x-turtle": "turtle",
    "text/n3": "turtle",
    "text/plain": "nt",
    "application/xml": "xml",
    "application/xhtml+xml": "html",
}
SUFFIX_FORMATS: dict[str, str] = {
    suffix: ("html" if media == HTML else OFFERED[media])
    for suffix, media in SUFFIX_MEDIA_TYPES.items()
}
FORMAT_LINKS = [("turtle", "Turtle", "ttl"), ("json-ld", "JSON-LD", "jsonld"),
                ("nt", "N-Triples", "nt"), ("xml", "RDF/XML", "rdf")]
RDFLIB_FORMATS = {"turtle": "turtle", "json-ld": "json-ld", "nt": "nt", "xml": "xml"}


# -- helpers ---------------------------------------------------------------------------------
def _settings(request: Request) -> Any:
    return request.app.state.settings


def _store(request: Request) -> d.PublicStore:
    """The caller's view of the store (its bearer token decides), made once per request."""
    view = getattr(request.state, "public_store", None)
    if view is None:
        view = d.PublicStore(request.app.state.store, _settings(request).base,
                             principal_from_request(request))
        request.state.public_store = view
    return view


def negotiate(request: Request, suffix: str | None = None) -> str | None:
    """The format key (``html``, ``turtle``, ``json-ld``, ``nt``, ``xml``) or None (406)."""
    if suffix is not None:
        return SUFFIX_FORMATS.get(suffix)
    media = best_match(request.headers.get("accept"), list(OFFERED))
    return OFFERED.get(media) if media else None


def serialize(graph: Graph, fmt: str, context: jsonld.Context | None = None,
              iri: str | None = None) -> bytes:
    """The graph in one of the RDF formats. JSON-LD with ``context`` uses its terms (framed
    on ``iri`` when given); without, it is compacted with the project's prefixes."""
    if fmt == "json-ld":
        if context is None:
            return d.to_jsonld(graph).encode("utf-8")
        if iri is not None:
            return jsonld.dumps(jsonld.resource_document(graph, iri, context))
        return jsonld.dumps(jsonld.graph_document(graph, context))
    data = graph.serialize(format=RDFLIB_FORMATS[fmt], encoding="utf-8")
    return data if isinstance(data, bytes) else data.encode("utf-8")


def jsonld_context(request: Request) -> jsonld.Context:
    """The published JSON-LD context, built from the knowledge graphs (the ontology, data and
    shapes files; never from plans, so a submission does not change it), kept until the store
    changes."""
    raw, base = request.app.state.store, _settings(request).base
    public = d.PublicStore(raw, base)
    knowledge = [g for g in public.public_graphs
                 if g.startswith(tuple(f"{base}graph/{k}/" for k in ("ontology", "data",
                                                                     "shapes")))]

    class Knowledge:
        @staticmethod
        def query(sparql: str) -> Any:
            return raw.query(sparql, default_graph=knowledge, named_graphs=knowledge)

    return CACHE.get(public, "context.jsonld", lambda: jsonld.build_context(Knowledge, base))


def rdf_response(graph: Graph, fmt: str, *, vary: bool, request: Request | None = None,
                 iri: str | None = None) -> Response:
    media = RDF_FORMATS[fmt][0]
    headers = {"Vary": "Accept"} if vary else {}
    context = jsonld_context(request) if request is not None and fmt == "json-ld" else None
    return Response(serialize(graph, fmt, context, iri), media_type=f"{media}; charset=utf-8",
                    headers=headers)


def not_acceptable() -> Response:
    offered = ", ".join([HTML, *(m for m, _f in RDF_FORMATS.values())])
    return PlainTextResponse(
        f"406 Niet aanvaardbaar / Not Acceptable.\nBeschikbaar / available: {offered}\n",
        status_code=406, headers={"Vary": "Accept"},
    )


def render(request: Request, name: str, status: int = 200, vary: bool = False,
           **context: Any) -> HTMLResponse:
    headers = {"Vary": "Accept"} if vary else None
    return templates.TemplateResponse(
        request, name, {"base": _settings(request).base, **context},
        status_code=status, headers=headers,
    )


def not_found(request: Request, what: str | None = None, suffix: str | None = None
              ) -> Response:
    """404 in a format the client asked for: the HTML page, an empty RDF document of the
    asked type (with a comment where the format has them), or plain text."""
    fmt = negotiate(request, suffix)
    message = what or request.url.path
    headers = {"Vary": "Accept"}
    if fmt == "html":
        response = render(request, "error.html", status=404, title=_("Niet gevonden"),
                          message=message)
        response.headers.update(headers)
        return response
    note = f"404 Niet gevonden / Not found: {message}".replace("\n", " ")
    if fmt in ("turtle", "nt"):
        body = f"# {note}\n".encode()
    elif fmt == "json-ld":
        body = b'{"@graph": []}\n'
    elif fmt == "xml":
        body = (b'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF xmlns:rdf='
                b'"http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n')
    else:
        return PlainTextResponse(note + "\n", status_code=404, headers=headers)
    media = RDF_FORMATS[fmt][0]
    return Response(body, status_code=404, media_type=f"{media}; charset=utf-8",
                    headers=headers)


def html_or_rdf(request: Request, fmt: str | None, suffix: str | None, graph_fn: Any,
                html_fn: Any, iri: str | None = None, links: str | None = None) -> Response:
    """Answer in the negotiated format: ``graph_fn()`` gives the RDF, ``html_fn()`` the page
    (JSON-LD framed on ``iri``; ``links``: a ``Link`` header), with caching headers."""
    vary = suffix is None
    if fmt is None:
        return not_acceptable()
    if fmt == "html":
        response = html_fn()
        if vary:
            add_vary(response, "Accept")
    else:
        response = rdf_response(graph_fn(), fmt, vary=vary, request=request, iri=iri)
    if links:
        response.headers["Link"] = links
    return conditional(request, response)


def alternate_links(path: str) -> str:
    """``Link`` header of a page's representations (relative: never the Host header)."""
    items = [(path + ".html", HTML)] + [(f"{path}.{suffix}", RDF_FORMATS[key][0])
                                        for key, _label, suffix in FORMAT_LINKS]
    return ", ".join(f'<{quote(href, safe="/:@!$&()*+,;=-._~")}>; rel="alternate"; '
                     f'type="{media}"' for href, media in items)


def format_links(path: str) -> list[dict[str, str]]:
    return [{"label": label, "href": f"{path}.{suffix}", "media": RDF_FORMATS[key][0]}
            for key, label, suffix in FORMAT_LINKS]
