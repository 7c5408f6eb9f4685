"""Load ``ontology/``, ``shapes/`` and ``data/`` into the store, one named graph per file.

All files are parsed before anything is written, so a syntax error in one file (reported with
its file name and line) leaves the store as it was. Reloading replaces graphs, never duplicates.

A file with action plans (``vkg:hasAction``) gets its action tallies (:mod:`vitaalkg.tallies`)
in its own graph, computed from the parsed (and, for another base, rewritten) triples and
written with them in one staging + ``MOVE``; a reload replaces them with the file.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from . import tallies
from .config import DEFAULT_BASE, Settings
from .store import EmbeddedStore, StoreError

SOURCE_DIRS = ("ontology", "shapes", "data")
#: part of the load fingerprint: a store loaded before the derived data (tallies) existed, or
#: with an older counting rule, is loaded again once
DERIVED_VERSION = "tallies-1"
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


def with_derived(triples: list[ox.Triple], graph: str, base: str) -> list[ox.Triple]:
    """A file's triples plus what is derived from them: the action tallies of its plans (the
    triples are already rewritten to ``base``, so the tallies are too)."""
    has_action = ox.NamedNode(base + "def/hasAction")
    if not any(t.predicate == has_action for t in triples):
        return triples
    return tallies.with_tallies(triples, graph, base)


def load_all(store: EmbeddedStore, settings: Settings) -> list[LoadedGraph]:
    """(Re)load every source file into its named graph; drop graphs whose file is gone."""
    files = source_files(settings)
    parsed = [(graph, path, with_derived(parse_file(path, settings.base), graph, settings.base))
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
    _add_missing_plan_tallies(store, settings)
    return loaded


def _add_missing_plan_tallies(store: EmbeddedStore, settings: Settings) -> None:
    """Submitted plan versions stored before tallies existed get theirs (once)."""
    from .plans import PlanRegistry

    PlanRegistry(store, settings.base).add_missing_tallies()


def _fingerprint(settings: Settings) -> dict[str, str]:
    """SHA-256 of every source file, by graph IRI (plus the base the IRIs were written for)."""
    prints = {graph: hashlib.sha256(path.read_bytes()).hexdigest()
              for graph, path in source_files(settings)}
    prints["base"] = settings.base
    prints["derived"] = DERIVED_VERSION
    return prints


def _state_file(settings: Settings) -> Path | None:
    """Where the fingerprint of the last load is kept: beside the store directory."""
    if settings.store_path is None:
        return None
    path = Path(settings.store_path)
    return path.parent / (path.name + "-sources.json")


def ensure_loaded(store: EmbeddedStore, settings: Settings) -> list[LoadedGraph] | None:
    """Load the knowledge base on first start, and again when a source file has changed
    since the last load (so an upgraded ``data/`` is never served stale)."""
    prefix = f"{settings.base}graph/"
    loaded_before = any(g.startswith(prefix) for g in store.graphs())
    state = _state_file(settings)
    current = _fingerprint(settings)
    if loaded_before and state is not None and state.exists():
        try:
            if json.loads(state.read_text(encoding="utf-8")) == current:
                _add_missing_plan_tallies(store, settings)
                return None
        except ValueError:
            pass
    elif loaded_before and state is None:
        _add_missing_plan_tallies(store, settings)
        return None
    loaded = load_all(store, settings)
    if state is not None:
        state.parent.mkdir(parents=True, exist_ok=True)
        tmp = state.with_suffix(".tmp")
        tmp.write_text(json.dumps(current, indent=1), encoding="utf-8")
        tmp.replace(state)
    return loaded


def timed_load(settings: Settings) -> float:
    """Seconds to load the whole knowledge base into a fresh in-memory store."""
    start = time.perf_counter()
    load_all(EmbeddedStore(None), settings)
    return time.perf_counter() - start
