"""Options shared by the command modules (the main CLI, submission and tokens)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .config import Settings

StoreOpt = Annotated[
    Path | None,
    typer.Option("--store", help="Map van de store (standaard: de datamap van de gebruiker)."),
]


def settings_for(store: Path | None) -> Settings:
    """The settings, with the store directory of ``--store`` when given."""
    settings = Settings()
    if store is not None:
        settings.store_path = store
    return settings
