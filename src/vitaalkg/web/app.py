"""Assemble the FastAPI application from the routers of the web modules.

Each router lives in its own module and owns its paths:
- ``sparql.py``       ``/sparql`` (SPARQL 1.1 Protocol, service description, query editor)
- ``queries_api.py``  ``/queries`` and ``/queries/{name}`` (named queries)
- ``pages.py``        ``/``, ``/id/…``, ``/doc/…``, ``/def…``, dataset description and dumps
- ``validation/http.py`` ``POST /validate``
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from .. import __version__
from ..config import Settings
from ..loader import ensure_loaded
from ..store import EmbeddedStore, open_store


def create_app(settings: Settings | None = None, store: EmbeddedStore | None = None) -> FastAPI:
    """The service for the given settings; opens (and on first start loads) the store."""
    settings = settings or Settings()
    store = store or open_store(settings)
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
    )
    app.state.settings = settings
    app.state.store = store

    @app.get("/health", tags=["service"])
    def health() -> JSONResponse:
        return JSONResponse(
            {"status": "ok", "store": store.kind, "triples": store.triple_count(),
             "graphs": len(store.graphs()), "version": __version__}
        )

    _include_routers(app)
    return app


def _include_routers(app: FastAPI) -> None:
    """Install the routers of the web modules that exist (each owns its paths)."""
    import importlib

    for name in ("vitaalkg.web.sparql", "vitaalkg.web.queries_api", "vitaalkg.web.plans_api",
                 "vitaalkg.web.monitoring", "vitaalkg.web.pages", "vitaalkg.validation.http"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and name.startswith(exc.name):
                continue
            raise
        module.install(app)


def app_factory() -> FastAPI:
    """Entry point for ``uvicorn --factory vitaalkg.web.app:app_factory``."""
    return create_app()
