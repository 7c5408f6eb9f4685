"""The command ``vitaalkg serve``: the web service on the configured store."""

from __future__ import annotations

from typing import Annotated

import typer

from .options import StoreOpt, settings_for


def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    store: StoreOpt = None,
) -> None:
    """Start de webservice (SPARQL, benoemde queries, linked-data-pagina's)."""
    import uvicorn

    from ..web.app import create_app

    settings = settings_for(store)
    if not settings.public_url:  # absolute links name the address served, never a Host header
        shown = "localhost" if host in ("0.0.0.0", "::") else host
        settings.public_url = f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}/"
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


def register(app: typer.Typer) -> None:
    """Add ``vitaalkg serve``."""
    app.command()(serve)
