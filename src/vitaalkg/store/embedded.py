"""The embedded triple store (pyoxigraph), one implementation of :class:`.base.Store`.

Every file of the knowledge base lives in its own named graph; queries see the union of all
named graphs as their default graph, unless the caller names a dataset.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .base import QUAD_FORMATS, StoreError, rdf_format, term_value


class EmbeddedStore:
    """A pyoxigraph store: on disk when ``path`` is given, in memory otherwise."""

    kind = "embedded"

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self._lock = threading.Lock()
        self.generation = 0  # goes up on every write through this object
        if self.path is None:
            self._store = ox.Store()
        elif read_only:
            self._store = ox.Store.read_only(str(self.path))
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            try:
                self._store = ox.Store(str(self.path))
            except OSError as exc:
                raise StoreError(f"kan de store in {self.path} niet openen: {exc}") from exc

    # -- reading -------------------------------------------------------------------------
    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store (for the query service and validation)."""
        return self._store

    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        union_default: bool = True,
        substitutions: dict[str, Any] | None = None,
    ) -> Any:
        """Run a SPARQL query; the default graph is the union of the named graphs unless given.

        ``substitutions`` binds variables to RDF terms before evaluation (SEP-0007), the safe
        way to pass user input into a query.
        """
        kwargs: dict[str, Any] = {}
        if substitutions:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in substitutions.items()}
        if default_graph is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        else:
            kwargs["use_default_graph_as_union"] = union_default
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        return self._store.query(sparql, **kwargs)

    def select(self, sparql: str, **dataset: Any) -> list[dict[str, Any]]:
        """A SELECT query's rows as dicts of plain values (IRIs and literals as strings)."""
        result = self.query(sparql, **dataset)
        names = [v.value for v in result.variables]
        return [{n: term_value(row[n]) for n in names} for row in result]

    def ask(self, sparql: str, **dataset: Any) -> bool:
        return bool(self.query(sparql, **dataset))

    def graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def triple_count(self, graph: str | None = None) -> int:
        """Quads in one named graph, or in the whole store."""
        if graph is None:
            q = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
            rows = list(self._store.query(q))
        else:
            q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
            rows = list(self._store.query(q))
        return int(rows[0]["n"].value)

    def dump(self, fmt: str, graph: str | None = None) -> bytes:
        """Serialise one named graph (triple formats) or the whole dataset (quad formats)."""
        f = rdf_format(fmt)
        if graph is not None:
            return self._store.dump(format=f, from_graph=ox.NamedNode(graph))
        if f in QUAD_FORMATS:
            return self._store.dump(format=f)
        # a triple format for the whole store: the union of all named graphs
        triples = self._store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
        return triples.serialize(format=f)

    # -- writing -------------------------------------------------------------------------
    def replace_graph(
        self, graph: str, data: bytes | str, fmt: str | ox.RdfFormat, base_iri: str | None = None
    ) -> int:
        """Atomically replace the contents of ``graph`` with ``data``; returns its triple count.

        The data is parsed and loaded into a staging graph first (one transaction); a single
        SPARQL ``MOVE`` then swaps it in, so readers see either the old or the new graph.
        Invalid data raises :class:`StoreError` and leaves the store untouched.
        """
        f = fmt if isinstance(fmt, ox.RdfFormat) else rdf_format(fmt)
        staging = graph + "#staging"
        with self._lock:
            try:
                self._store.update(f"DROP SILENT GRAPH <{staging}>")
                self._store.load(data, format=f, to_graph=ox.NamedNode(staging), base_iri=base_iri)
            except (SyntaxError, ValueError, OSError) as exc:
                self._store.update(f"DROP SILENT GRAPH <{staging}>")
                raise StoreError(str(exc)) from exc
            self._store.update(f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{graph}>")
            self.generation += 1
        return self.triple_count(graph)

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        with self._lock:
            self._store.extend(quads)
            self.generation += 1

    def drop_graph(self, graph: str) -> None:
        with self._lock:
            self._store.update(f"DROP SILENT GRAPH <{graph}>")
            self.generation += 1

    def update(self, sparql: str) -> None:
        """Run a SPARQL update (one transaction)."""
        with self._lock:
            self._store.update(sparql)
            self.generation += 1

    def flush(self) -> None:
        if self.path is not None:
            self._store.flush()

    def close(self) -> None:
        self.flush()
        del self._store
