"""What the command modules share: the ``--store`` option, settings, exit codes, clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..config import Settings

StoreOpt = Annotated[
    Path | None,
    typer.Option("--store", help="Map van de store (standaard: de datamap van de gebruiker)."),
]


def settings_for(store: Path | None) -> Settings:
    """The settings, with the store directory of ``--store`` when given."""
    try:
        settings = Settings()
    except ValueError as exc:  # a setting the service cannot use: say which, no traceback
        fail(str(exc), EXIT_ERROR)
        raise
    if store is not None:
        settings.store_path = store
    return settings


#: exit codes of the commands that store or refuse something (``submit``, ``restore`` …)
EXIT_STORED, EXIT_REFUSED, EXIT_UNREADABLE, EXIT_FORBIDDEN, EXIT_ERROR = 0, 1, 2, 3, 4


def fail(message: str, code: int = EXIT_UNREADABLE) -> None:
    """Print a clear error (no traceback) and exit."""
    typer.echo(f"fout: {message}", err=True)
    raise typer.Exit(code)


def open_configured(settings: Settings) -> Any:
    """The configured store (embedded, or remote when VITAALKG_SPARQL_ENDPOINT is set)."""
    from ..store import StoreError, open_store

    try:
        return open_store(settings)
    except StoreError as exc:
        fail(str(exc))
        raise


def open_for_writing(settings: Settings) -> Any:
    """The configured store for a command that writes; a store held by a running server is a
    clear error (exit 4), not a traceback."""
    from ..store import StoreError, open_store

    try:
        return open_store(settings)
    except (StoreError, OSError) as exc:
        fail(f"kan de store niet openen (draait de server nog?) / cannot open the store "
             f"(is the server still running?): {exc}", EXIT_ERROR)
        raise
