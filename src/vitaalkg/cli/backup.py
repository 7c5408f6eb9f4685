"""The commands ``vitaalkg backup`` and ``vitaalkg restore``.

Backups hold every graph of the store (knowledge, plan versions, provenance) as gzip-compressed
N-Quads, with a first comment line that records the number of quads (:mod:`vitaalkg.store.backup`).
Tokens are *not* part of a backup: the token file holds credentials (hashed) of a deployment and is
backed up with its secrets, not with its data; restoring a backup leaves the token file as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..store.backup import read_backup, replace_all, write_backup
from .options import EXIT_ERROR, StoreOpt, fail, open_for_writing, settings_for


def backup(
    file: Annotated[Path, typer.Argument(help="Doelbestand (N-Quads, gzip), bijv. kb.nq.gz")],
    store: StoreOpt = None,
) -> None:
    """Schrijf een volledige back-up van de store (alle graphs, planversies, herkomst).
    Tokens horen er niet bij (zie 'vitaalkg token')."""
    settings = settings_for(store)
    st = open_for_writing(settings)
    quads, graphs = write_backup(st, file, settings.base)
    typer.echo(f"back-up: {quads} quads in {graphs} graphs -> {file}")


def restore(
    file: Annotated[Path, typer.Argument(help="Een back-up van 'vitaalkg backup'.")],
    store: StoreOpt = None,
) -> None:
    """Zet een back-up terug: alles of niets (eerst de hele back-up lezen en controleren,
    dan in één transactie de store vervangen). De server moet gestopt zijn."""
    from ..plans.registry import invalidate

    settings = settings_for(store)
    try:
        quads, graphs = read_backup(file, settings.base)
    except OSError as exc:
        fail(f"kan {file} niet lezen: {exc.strerror}")
        raise
    except ValueError as exc:
        fail(f"{file}: {exc}", 1)
        raise
    st = open_for_writing(settings)
    try:
        replace_all(st, quads)
    except Exception as exc:  # noqa: BLE001 - the store's message, nothing was changed
        fail(f"terugzetten mislukt, de store is ongewijzigd / restore failed, the store is "
              f"unchanged: {exc}", EXIT_ERROR)
    invalidate(st)
    typer.echo(f"teruggezet / restored: {len(quads)} quads in {graphs} graphs uit {file} "
               f"({st.triple_count()} quads in de store)")


def register(app: typer.Typer) -> None:
    """Add ``vitaalkg backup`` and ``vitaalkg restore``."""
    app.command("backup")(backup)
    app.command("restore")(restore)
