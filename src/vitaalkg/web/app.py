"""Assemble the FastAPI application from the routers of the web modules.

Each router lives in its own module and owns its paths:
- ``sparql.py``       ``/sparql`` (SPARQL 1.1 Protocol, service description, query editor)
- ``queries_api.py``  ``/queries`` and ``/queries/{name}`` (named queries)
- ``pages.py``        ``/``, ``/id/…``, ``/doc/…``, ``/def…``, dataset description and dumps
- ``validation/http.py`` ``POST /validate``
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from .. import __version__
from ..config import Settings
from ..plans.loading import ensure_loaded
from ..store import EmbeddedStore, open_store
from . import (
    account_pages,
    api_docs,
    graphs,
    i18n,
    monitoring,
    pages,
    plan_pages,
    planner_pages,
    plans_api,
    queries_api,
    search,
    security,
    sparql,
    validation_api,
)
from .access import dataset_for_request
from .auth_guard import PrivateAnswers
from .session import PrivateCacheMiddleware


def create_app(settings: Settings | None = None, store: EmbeddedStore | None = None) -> FastAPI:
    """The service for the given settings; opens (and on first start loads) the store."""
    settings = settings or Settings()
    store = store or open_store(settings)
    if not getattr(store, "read_only", False):  # a read-only store is served as it is
        ensure_loaded(store, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        store.flush()

    app = FastAPI(
        title="vitaalkg",
        version=__version__,
        description="Kennisbank crisisbeheersing en vitale infrastructuur: SPARQL, benoemde "
        "queries, linked-data-pagina's en controle van actieplannen.",
        lifespan=lifespan,
        docs_url=None,  # /docs is served from the package by api_docs.py
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store
    app.add_middleware(PrivateAnswers)  # answers to a token are private, all vary on it

    @app.get("/health", tags=["service"])
    def health(request: Request) -> JSONResponse:
        """Liveness plus the size of the data the caller may read (restricted plans of other
        networks are not counted, so their size does not leak)."""
        _, named = dataset_for_request(request)
        rows = store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                            named_graphs=named) if named else [{"n": 0}]
        body = {"status": "ok", "store": store.kind, "triples": int(rows[0]["n"]),
                "graphs": len(named), "version": __version__}
        if getattr(store, "read_only", False):
            body["readOnly"] = True
        runner = getattr(request.app.state, "query_runner", None)
        if hasattr(runner, "status"):
            body["queryWorkers"] = runner.status()
        return JSONResponse(body)

    _include_routers(app)
    return app


def _include_routers(app: FastAPI) -> None:
    """Install the routers of the web modules (each owns its paths)."""
    for module in (sparql, queries_api, plans_api, monitoring, search, pages, graphs,
                   validation_api, security):
        module.install(app)
    # the planner's pages, sign-in and statements (planner_pages before plan_pages: its fixed
    # paths /plannen/controleren and /plannen/sjabloon.* come before /plannen/{network})
    for module in (account_pages, planner_pages, plan_pages, api_docs, i18n):
        module.install(app)
    app.add_middleware(PrivateCacheMiddleware)
    app.add_middleware(i18n.LanguageMiddleware)  # outermost: every answer knows its language


def app_factory() -> FastAPI:
    """Entry point for ``uvicorn --factory vitaalkg.web.app:app_factory``."""
    return create_app()
