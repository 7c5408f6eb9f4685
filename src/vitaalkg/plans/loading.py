"""The knowledge base as the service and the command line load it: the files of ``ontology/``,
``shapes/`` and ``data/`` (:mod:`vitaalkg.store.loader`) plus what plans derive from them — the
action tallies of every plan in a file, and the tallies of submitted versions stored before
tallies existed."""

from __future__ import annotations

import pyoxigraph as ox

from ..config import Settings
from ..store import Store, loader
from . import tallies
from .registry import PlanRegistry

#: part of the load fingerprint: a store loaded before the derived data (tallies) existed, or
#: with an older counting rule, is loaded again once
DERIVED_VERSION = "tallies-1"


def with_derived(triples: list[ox.Triple], graph: str, base: str) -> list[ox.Triple]:
    """A file's triples plus the action tallies of its plans (the triples are already rewritten
    to ``base``, so the tallies are too)."""
    has_action = ox.NamedNode(base + "def/hasAction")
    if not any(t.predicate == has_action for t in triples):
        return triples
    return tallies.with_tallies(triples, graph, base)


def add_missing_tallies(store: Store, settings: Settings) -> None:
    """Submitted plan versions stored before tallies existed get theirs, and restricted
    versions stored before their details had a graph of their own get it (once)."""
    registry = PlanRegistry(store, settings.base)
    registry.add_missing_tallies()
    registry.protect_restricted_details()


def load_all(store: Store, settings: Settings) -> list[loader.LoadedGraph]:
    """(Re)load every source file with its derived triples; drop graphs whose file is gone."""
    return loader.load_all(store, settings, derive=with_derived, after=add_missing_tallies)


def ensure_loaded(store: Store, settings: Settings) -> list[loader.LoadedGraph] | None:
    """Load on first start and whenever a source file changed since the last load."""
    return loader.ensure_loaded(store, settings, derive=with_derived, after=add_missing_tallies,
                                derived_version=DERIVED_VERSION)
