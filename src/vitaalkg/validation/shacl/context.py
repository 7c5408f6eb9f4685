"""One validation run: the data graph, its caches and the SPARQL entry point.

:class:`RunContext` is the base of the evaluators, layered so each uses only those below it:
:class:`~.targets.Targets` (focus nodes), :class:`~.sparql_constraints.SparqlEvaluator`
(``sh:sparql`` and SPARQL-based components), :class:`~.components.NodeEvaluator` (the
components node by node) and :class:`~.compile.Compiler` (shapes compiled to batched SPARQL).
"""

from __future__ import annotations

from typing import Any, Protocol

import pyoxigraph as ox

from .model import Graph, Path, Result, ShaclError, Shape
from .shapes import ShapesGraph
from .sparql import prebind
from .values import Comparator


class Options(Protocol):
    """What a run needs of its :class:`~.validator.Validator`."""

    shapes: ShapesGraph
    bulk: bool
    cmp: Comparator


class RunContext:
    """One validation: a data graph and the caches that belong to it."""

    def __init__(self, v: Options, data: ox.Store) -> None:
        self.v = v
        self.sg = v.shapes
        self.data = data
        self.g = Graph(data)
        self.superclasses: dict[ox.Term, set[ox.Term]] = {}
        self.subclasses: dict[ox.Term, list[ox.Term]] = {}
        self.conform_cache: dict[tuple[ox.Term, ox.Term], bool] = {}
        self.depth = 0

    def select(self, query: str, **subs: ox.Term) -> Any:
        """Run a query on the data graph with pre-bound variables ``subs``."""
        query, rest = prebind(query, subs)
        try:
            return self.data.query(
                query, substitutions={ox.Variable(k): t for k, t in rest.items()} or None)
        except SyntaxError as exc:
            raise ShaclError(f"ongeldige SPARQL in de shapes: {exc}") from exc

    def result(self, shape: Shape, component: str, focus: ox.Term,
               value: ox.Term | None = None, path: Path | None = None) -> Result:
        """A result of ``shape`` with its severity, path and messages."""
        return Result(focus, shape.severity, component, shape.node,
                      path if path is not None else shape.path, value, shape.messages)
