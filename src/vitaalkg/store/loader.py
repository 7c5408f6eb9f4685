"""Load ``ontology/``, ``shapes/`` and ``data/`` into the store, one named graph per file.

All files are parsed before anything is written, so a syntax error in one file (reported with
its file name and line) leaves the store as it was. Reloading replaces graphs, never duplicates.

What is derived from a file (for plans: their action tallies, :mod:`vitaalkg.plans.loading`)
comes from a ``derive`` function the caller passes: it gets the parsed (and, for another base,
rewritten) triples and returns them with the derived ones, written together in one staging +
``MOVE``; a reload replaces them with the file. ``after`` runs once the store is up to date.
The loader itself knows nothing of plans.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..config import DEFAULT_BASE, Settings
from . import system
from .base import Store, StoreError
from .embedded import EmbeddedStore

#: ``derive(triples, graph, base)``: a file's triples plus what is derived from them
Derive = Callable[[list[ox.Triple], str, str], list[ox.Triple]]
#: ``after(store, settings)``: runs once the store holds the current files
After = Callable[[Store, Settings], None]

SOURCE_DIRS = ("ontology", "shapes", "data")
SUFFIXES = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES,
            ".jsonld": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML}


@dataclass
class LoadedGraph:
    graph: str
    path: Path
    triples: int


def source_files(settings: Settings) -> list[tuple[str, Path]]:
    """(graph IRI, file) for every source file; ``data/examples/`` is not part of the KB."""
    found: list[tuple[str, Path]] = []
    for dirname in SOURCE_DIRS:
        folder = settings.root / dirname
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.suffix in SUFFIXES:
                found.append((f"{settings.base}graph/{dirname}/{path.stem}", path))
    return found


def _rebase_term(term, base: str):
    if isinstance(term, ox.NamedNode) and term.value.startswith(DEFAULT_BASE):
        return ox.NamedNode(base + term.value[len(DEFAULT_BASE):])
    return term


def parse_file(path: Path, base: str = DEFAULT_BASE) -> list[ox.Triple]:
    """Parse one file into triples; errors name the file and the line."""
    fmt = SUFFIXES[path.suffix]
    try:
        quads = list(ox.parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri()))
    except SyntaxError as exc:
        raise StoreError(f"{path}: {exc}") from exc
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: kan niet gelezen worden: {exc}") from exc
    if base == DEFAULT_BASE:
        return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    return [
        ox.Triple(_rebase_term(q.subject, base), _rebase_term(q.predicate, base),
                  _rebase_term(q.object, base))
        for q in quads
    ]


def _no_derivation(triples: list[ox.Triple], graph: str, base: str) -> list[ox.Triple]:
    return triples


def load_all(store: Store, settings: Settings, *, derive: Derive | None = None,
             after: After | None = None) -> list[LoadedGraph]:
    """(Re)load every source file into its named graph; drop graphs whose file is gone."""
    derive = derive or _no_derivation
    files = source_files(settings)
    parsed = [(graph, path, derive(parse_file(path, settings.base), graph, settings.base))
              for graph, path in files]
    loaded: list[LoadedGraph] = []
    for graph, path, triples in parsed:
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        count = store.replace_graph(graph, data, ox.RdfFormat.N_TRIPLES)
        loaded.append(LoadedGraph(graph, path, count))
    wanted = {g for g, _ in files}
    prefixes = tuple(f"{settings.base}graph/{d}/" for d in SOURCE_DIRS)
    for graph in store.graphs():
        if graph.startswith(prefixes) and graph not in wanted:
            store.drop_graph(graph)
    store.flush()
    if after is not None:
        after(store, settings)
    return loaded


def _fingerprint(settings: Settings, derived: str) -> dict[str, str]:
    """SHA-256 of every source file, by graph IRI (plus the base the IRIs were written for)."""
    prints = {graph: hashlib.sha256(path.read_bytes()).hexdigest()
              for graph, path in source_files(settings)}
    prints["base"] = settings.base
    prints["derived"] = derived
    return prints


def _state_file(settings: Settings) -> Path | None:
    """Where the fingerprint of the last load is kept: beside the store directory."""
    if settings.store_path is None:
        return None
    path = Path(settings.store_path)
    return path.parent / (path.name + "-sources.json")


_NO_STATE = object()  # a store that keeps no fingerprint (in memory)


def _read_state(store: Store, settings: Settings) -> Any:
    """The fingerprint of the last load: in the store itself for a remote store (shared by
    every instance, nothing on the instance's disk), else in a file beside the store."""
    if getattr(store, "kind", "embedded") != "embedded":
        rows = store.select(system.READ_LOAD_STATE, default_graph=[],
                            named_graphs=[system.STATE_GRAPH])
        text = rows[0]["f"] if rows else None
    else:
        state = _state_file(settings)
        if state is None:
            return _NO_STATE
        text = state.read_text(encoding="utf-8") if state.exists() else None
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _write_state(store: Store, settings: Settings, current: dict[str, str]) -> None:
    text = json.dumps(current, indent=1)
    if getattr(store, "kind", "embedded") != "embedded":
        store.update(system.write_load_state(text))
        return
    state = _state_file(settings)
    if state is not None:
        state.parent.mkdir(parents=True, exist_ok=True)
        tmp = state.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(state)


def ensure_loaded(store: Store, settings: Settings, *, derive: Derive | None = None,
                  after: After | None = None, derived_version: str = ""
                  ) -> list[LoadedGraph] | None:
    """Load the knowledge base on first start, and again when a source file (or the
    ``derived_version`` of what ``derive`` adds) has changed since the last load, so an
    upgraded ``data/`` is never served stale."""
    prefix = f"{settings.base}graph/"
    loaded_before = any(g.startswith(prefix) for g in store.graphs())
    current = _fingerprint(settings, derived_version)
    last = _read_state(store, settings) if loaded_before else None
    if loaded_before and (last is _NO_STATE or last == current):
        if after is not None:
            after(store, settings)
        return None
    loaded = load_all(store, settings, derive=derive, after=after)
    _write_state(store, settings, current)
    return loaded


def timed_load(settings: Settings, derive: Derive | None = None) -> float:
    """Seconds to load the whole knowledge base into a fresh in-memory store."""
    start = time.perf_counter()
    load_all(EmbeddedStore(None), settings, derive=derive)
    return time.perf_counter() - start
