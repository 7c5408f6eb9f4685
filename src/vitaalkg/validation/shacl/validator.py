"""The entry point: :class:`Validator` runs a parsed shapes graph over data graphs.

Top-level shapes are compiled to SPARQL and evaluated for all focus nodes at once
(:mod:`.compile`); logical and shape-based components, ``sh:closed``,
``sh:qualifiedValueShape``, pair components and SPARQL-based constraint components are
evaluated node by node (:mod:`.components`, :mod:`.sparql_constraints`) on the same store,
following the SHACL 1.0 recommendation. ``Validator(bulk=False)`` evaluates everything node by
node; the tests check that both agree with each other and with pySHACL.
"""

from __future__ import annotations

import pyoxigraph as ox

from .compile import Compiler
from .model import Result, Shape
from .shapes import ShapesGraph
from .values import Comparator


class Validator:
    """Validates data graphs (pyoxigraph stores) against one parsed shapes graph."""

    def __init__(self, shapes: ShapesGraph, *, bulk: bool = True) -> None:
        self.shapes = shapes
        self.bulk = bulk
        self.cmp = Comparator()

    # public
    def validate(self, data: ox.Store) -> list[Result]:
        """Every result of every active top-level shape on ``data``."""
        run = _Run(self, data)
        results: list[Result] = []
        for shape in self.shapes.top_level:
            if shape.deactivated:
                continue
            results += run.validate_top(shape)
        return results


class _Run(Compiler):
    """One validation of one data graph (state in :class:`~.context.RunContext`)."""

    def validate_top(self, shape: Shape) -> list[Result]:
        """The results of one top-level shape: compiled when its targets allow."""
        pattern = self.target_pattern(shape) if self.v.bulk else None
        if pattern is None:
            return self.validate_nodes(shape, self.focus_nodes(shape))
        return self.validate_bulk(shape, pattern)
