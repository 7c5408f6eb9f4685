"""The embedded triple store (pyoxigraph), one implementation of :class:`.base.Store`.

Every file of the knowledge base lives in its own named graph; queries see the union of all
named graphs as their default graph, unless the caller names a dataset.

Failure modes of the directory, each with a clear error instead of a stack trace:
- it is created ``0700`` (RocksDB's files inside are then out of reach of other users), and an
  existing store directory open to others is closed to them;
- a directory the process may not write (a read-only mount, no write permission) is opened
  read-only: reads work, every write raises :class:`.base.StoreReadOnly`;
- a full disk makes a write raise :class:`.base.StoreFull` (nothing written). RocksDB then
  refuses every later write until it is reopened, so the next write reopens the store first:
  once there is space again, writing works again without a restart.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import stat
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .base import (
    QUAD_FORMATS,
    StoreError,
    StoreFull,
    StoreReadOnly,
    rdf_format,
    term_value,
)

_FULL = ("no space left", "disk full", "quota exceeded")
_READ_ONLY = ("read-only file system", "permission denied")


def _says(exc: BaseException, words: tuple[str, ...], codes: tuple[int, ...]) -> bool:
    return getattr(exc, "errno", None) in codes or any(w in str(exc).lower() for w in words)


def private_directory(path: Path) -> None:
    """Create ``path`` (mode 0700); take an existing one away from other users."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            os.chmod(path, mode & 0o700)


class EmbeddedStore:
    """A pyoxigraph store: on disk when ``path`` is given, in memory otherwise."""

    kind = "embedded"

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self._lock = threading.Lock()
        self.generation = 0  # goes up on every write through this object
        #: why writes are refused (None: they are not): set for a read-only store
        self.read_only_reason: str | None = None
        self._needs_reopen = False  # a write failed in a way only reopening repairs
        if self.path is None:
            self._store = ox.Store()
        elif read_only:
            self._store = ox.Store.read_only(str(self.path))
            self.read_only_reason = "geopend als alleen-lezen / opened read-only"
        else:
            self._store = self._open_writable(self.path)

    def _open_writable(self, path: Path) -> ox.Store:
        """The store at ``path`` for writing; read-only when the directory cannot be written."""
        try:
            private_directory(path)
            return ox.Store(str(path))
        except OSError as exc:
            if (path / "CURRENT").is_file() and _says(exc, _READ_ONLY,
                                                      (errno.EROFS, errno.EACCES, errno.EPERM)):
                try:
                    store = ox.Store.read_only(str(path))
                except OSError as again:
                    raise StoreError(f"kan de store in {path} niet openen / cannot open the "
                                     f"store: {again}") from again
                self.read_only_reason = (f"de map {path} is niet schrijfbaar / the directory is "
                                         f"not writable: {exc}")
                return store
            raise StoreError(f"kan de store in {path} niet openen / cannot open the store: "
                             f"{exc}") from exc

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """Around every write (holding ``self._lock``): refuse on a read-only store, reopen
        after a failed write, and turn OS errors into :class:`StoreError` subclasses."""
        if self.read_only_reason is not None:
            raise StoreReadOnly(f"de store is alleen-lezen; wijzigingen zijn niet mogelijk / "
                                f"the store is read-only; no changes possible "
                                f"({self.read_only_reason})")
        if self._needs_reopen:
            self._reopen()
        try:
            yield
        except OSError as exc:
            self._needs_reopen = self.path is not None
            if _says(exc, _FULL, (errno.ENOSPC, errno.EDQUOT)):
                raise StoreFull(f"de schijf van de store is vol; er is niets opgeslagen / the "
                                f"store's disk is full; nothing was stored ({exc})") from exc
            raise StoreError(f"schrijven in de store mislukt / writing to the store failed: "
                             f"{exc}") from exc

    def _reopen(self) -> None:
        """Close and open the on-disk store again (RocksDB refuses writes after an I/O error
        until then); on failure, a read-only store keeps the reads going."""
        assert self.path is not None
        self._store = None  # type: ignore[assignment]
        gc.collect()
        try:
            self._store = ox.Store(str(self.path))
        except OSError as exc:
            self._store = ox.Store.read_only(str(self.path))
            raise StoreError(f"de store kon niet opnieuw geopend worden / could not reopen the "
                             f"store: {exc}") from exc
        self._needs_reopen = False

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
        with self._lock, self._writing():
            try:
                self._store.update(f"DROP SILENT GRAPH <{staging}>")
                self._store.load(data, format=f, to_graph=ox.NamedNode(staging), base_iri=base_iri)
            except (SyntaxError, ValueError) as exc:
                self._store.update(f"DROP SILENT GRAPH <{staging}>")
                raise StoreError(str(exc)) from exc
            self._store.update(f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{graph}>")
            self.generation += 1
        return self.triple_count(graph)

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        with self._lock, self._writing():
            self._store.extend(quads)
            self.generation += 1

    def drop_graph(self, graph: str) -> None:
        with self._lock, self._writing():
            self._store.update(f"DROP SILENT GRAPH <{graph}>")
            self.generation += 1

    def update(self, sparql: str) -> None:
        """Run a SPARQL update (one transaction)."""
        with self._lock, self._writing():
            self._store.update(sparql)
            self.generation += 1

    def flush(self) -> None:
        if self.path is None or self.read_only:
            return
        with self._lock, self._writing():
            self._store.flush()

    def close(self) -> None:
        self.flush()
        del self._store
