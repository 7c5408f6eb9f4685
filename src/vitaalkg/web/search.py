"""``/zoeken``: search over labels, codes, texts and legal references (see :mod:`.search_index`).

- ``GET /zoeken?q=…[&type=…]`` HTML results with facets by type; JSON with
  ``Accept: application/json`` or ``format=json``.
- ``GET /zoeken.json?q=…[&type=…][&limit=…]`` JSON for autocomplete:
  ``{"query", "total", "facets": [{"type", "label", "count"}], "hits": [{"iri", "href", "label",
  "type", "typeLabel", "code", "snippet"}]}``.

Only documents of the graphs the caller may read are found (``web/access.py``); answers are
``Cache-Control: private`` and vary on ``Authorization``. A query longer than
:data:`MAX_QUERY` characters is refused (400).
"""

from __future__ import annotations

import logging
import threading
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response

from .access import dataset_for_request
from .i18n import _
from .negotiation import HTML, best_match
from .resource_view import local_path
from .search_index import Result, SearchIndex

log = logging.getLogger(__name__)
router = APIRouter(tags=["zoeken"])
HEADERS = {"Cache-Control": "private, no-cache", "Vary": "Accept, Authorization"}
MAX_QUERY = 256
MAX_LIMIT = 50
TOO_LONG = (f"zoekvraag te lang (meer dan {MAX_QUERY} tekens) / search query too long "
            f"(over {MAX_QUERY} characters)")
Q = Annotated[str, Query(description="Zoekterm: naam, code (VR13), 'artikel 10' …")]
Type = Annotated[str | None, Query(alias="type", description="Alleen dit type (facet)",
                                   max_length=100)]


def search_index(app: Any) -> SearchIndex:
    """The application's index (made on first use)."""
    index = getattr(app.state, "search_index", None)
    if index is None:
        settings = app.state.settings
        index = app.state.search_index = SearchIndex(app.state.store, settings.base,
                                                     settings.search_refresh_seconds)
    return index


def _run(request: Request, q: str, type_key: str | None, limit: int) -> Result:
    default_graphs, _named = dataset_for_request(request)
    return search_index(request.app).search(q, default_graphs, type_key or None, limit)


def _as_json(request: Request, q: str, result: Result) -> dict[str, Any]:
    base = request.app.state.settings.base
    return {
        "query": q, "total": result.total,
        "facets": [{"type": k, "label": label, "count": n} for k, label, n in result.facets],
        "hits": [{"iri": h.iri, "href": local_path(h.iri, base) or h.iri, "label": h.label,
                  "type": h.type_key, "typeLabel": h.type_label, "code": h.code,
                  "snippet": h.snippet} for h in result.hits],
    }


def _too_long(html: bool, request: Request) -> Response:
    if html:
        from .pages import templates

        return templates.TemplateResponse(request, "search.html", {
            "q": "", "error": _("zoekvraag te lang (meer dan %(max)s tekens)") % {"max": MAX_QUERY},
            "result": None, "crumbs": [{"label": _("Zoeken")}]},
            status_code=400, headers=HEADERS)
    return JSONResponse({"detail": TOO_LONG}, status_code=400, headers=HEADERS)


@router.get("/zoeken.json", summary="Zoeken (JSON, voor autocomplete)")
def search_json(request: Request, q: Q = "", type_key: Type = None,
                limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10) -> Response:
    if len(q) > MAX_QUERY:
        return _too_long(False, request)
    result = _run(request, q, type_key, limit)
    return JSONResponse(_as_json(request, q, result), headers=HEADERS)


@router.get("/zoeken", summary="Zoeken (HTML; JSON met Accept: application/json)")
def search_page(request: Request, q: Q = "", type_key: Type = None,
                format: Annotated[str | None, Query(pattern="^(html|json)$")] = None,  # noqa: A002
                ) -> Response:
    html = (format or ("json" if best_match(request.headers.get("accept"),
                                            [HTML, "application/json"]) == "application/json"
                       else "html")) == "html"
    if len(q) > MAX_QUERY:
        return _too_long(html, request)
    result = _run(request, q, type_key, 30 if html else 20)
    if not html:
        return JSONResponse(_as_json(request, q, result), headers=HEADERS)
    from .pages import templates

    base = request.app.state.settings.base
    return templates.TemplateResponse(request, "search.html", {
        "q": q, "type_key": type_key, "result": result, "error": None,
        "href": lambda iri: local_path(iri, base) or iri,
        "crumbs": [{"label": _("Zoeken")}]}, headers=HEADERS)


def install(app: FastAPI) -> None:
    """Add the search routes; the index is built in the background at start."""
    app.include_router(router)
    index = search_index(app)
    threading.Thread(target=_warm, args=(index,), name="search-index", daemon=True).start()


def _warm(index: SearchIndex) -> None:
    try:
        index.current()
    except Exception as exc:  # noqa: BLE001 - a failed warm-up is retried by the first search
        log.warning("search index not built at start: %s", exc)
