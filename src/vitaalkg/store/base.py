"""What every store offers: the :class:`Store` interface, RDF format names and the store error.

Both stores (:mod:`.embedded`, :mod:`.remote`) depend on this module and never on each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol, runtime_checkable

import pyoxigraph as ox

RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "n-triples": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json-ld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
    "rdf": ox.RdfFormat.RDF_XML,
}

QUAD_FORMATS = {ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG}


class StoreError(Exception):
    """A store operation failed; the message is safe to show to a user."""


class StoreUnavailable(StoreError):
    """A write the store cannot take now; ``status`` is the HTTP status to answer with."""

    status = 503


class StoreFull(StoreUnavailable):
    """The store's disk is full: nothing was written (507 Insufficient Storage)."""

    status = 507


class StoreReadOnly(StoreUnavailable):
    """The store was opened read-only (a read-only directory or file system): reads only."""


def rdf_format(name: str) -> ox.RdfFormat:
    """The pyoxigraph format for a short name or file suffix (``ttl``, ``nt``, ``jsonld`` …)."""
    try:
        return RDF_FORMATS[name.lower().lstrip(".")]
    except KeyError:
        raise StoreError(f"onbekend RDF-formaat: {name}") from None


def term_value(term: Any) -> Any:
    """A plain Python value for a pyoxigraph term (IRI and literal as str, None stays None)."""
    if term is None:
        return None
    return term.value


@runtime_checkable
class Store(Protocol):
    """The triple store as the rest of the code sees it: named graphs of the knowledge base and
    of submitted plans, SPARQL queries over a chosen dataset, atomic graph replacement.

    Results come back as pyoxigraph objects whatever the implementation.
    """

    kind: str
    path: Any
    generation: int  # goes up on every write through this object

    def query(self, sparql: str, *, default_graph: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None, union_default: bool = True,
              substitutions: dict[str, Any] | None = None) -> Any:
        """Run a SPARQL query; the default graph is the union of the named graphs unless given."""

    def select(self, sparql: str, **dataset: Any) -> list[dict[str, Any]]:
        """A SELECT query's rows as dicts of plain values."""

    def ask(self, sparql: str, **dataset: Any) -> bool:
        """An ASK query's answer."""

    def graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""

    def triple_count(self, graph: str | None = None) -> int:
        """Quads in one named graph, or in the whole store."""

    def dump(self, fmt: str, graph: str | None = None) -> bytes:
        """Serialise one named graph or the whole dataset."""

    def replace_graph(self, graph: str, data: bytes | str, fmt: str | ox.RdfFormat,
                      base_iri: str | None = None) -> int:
        """Atomically replace a graph's contents; returns its triple count."""

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction."""

    def drop_graph(self, graph: str) -> None:
        """Remove a graph (silently when absent)."""

    def update(self, sparql: str) -> None:
        """Run a SPARQL update (one transaction)."""

    def flush(self) -> None:
        """Make writes durable."""

    def close(self) -> None:
        """Release the store."""
