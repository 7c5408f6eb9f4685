"""Evaluating ``sh:sparql`` constraints and SPARQL-based constraint components."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from .model import SH, TRUE, Result, ShaclError, Shape, SparqlConstraint, path_sparql
from .sparql import bulk_safe, fill
from .targets import Targets


class SparqlEvaluator(Targets):
    """SPARQL constraints for all focus nodes at once (when safe) or per focus node."""

    def sparql_bulk(self, shape: Shape, sc: SparqlConstraint, pattern: str) -> list[Result]:
        """An ``sh:sparql`` constraint for all focus nodes in one query, when safe."""
        query = self.prepare(sc.query, shape)
        if not bulk_safe(query[query.upper().find("SELECT"):]):
            return self.sparql_per_node(shape, sc, self.focus_nodes(shape))
        m = re.search(r"\bWHERE\s*\{", query, re.IGNORECASE)
        if m is None:
            m = re.search(r"\{", query)
        if m is None:
            raise ShaclError("SPARQL-query zonder WHERE")
        text = query[: m.end()] + " " + pattern + " " + query[m.end():]
        text = text.replace("$this", "?this")
        return self.sparql_rows(shape, sc, self.select(text))

    def prepare(self, query: str, shape: Shape) -> str:
        """The query with ``$PATH`` replaced by the shape's path."""
        if shape.path is not None:
            query = query.replace("$PATH", path_sparql(shape.path))
        return query

    def sparql_per_node(self, shape: Shape, sc: SparqlConstraint,
                        focus: Iterable[ox.Term]) -> list[Result]:
        """An ``sh:sparql`` constraint with ``$this`` pre-bound to each focus node."""
        query = self.prepare(sc.query, shape)
        out: list[Result] = []
        for f in focus:
            subs = {"this": f}
            if "$currentShape" in query and not isinstance(shape.node, ox.BlankNode):
                subs["currentShape"] = shape.node
            out += self.sparql_rows(shape, sc, self.select(query, **subs), this=f)
        return out

    def sparql_rows(self, shape: Shape, sc: SparqlConstraint, rows: Any,
                    this: ox.Term | None = None) -> list[Result]:
        """Results from the solutions of an ``sh:sparql`` query."""
        out = []
        names = [v.value for v in rows.variables]
        msgs = sc.messages or shape.messages
        templated = any("{" in m.value for m in msgs)
        fixed = tuple(msgs)
        component = SH + "SPARQLConstraintComponent"
        i_this = names.index("this") if "this" in names else None
        i_value = names.index("value") if "value" in names else None
        i_path = names.index("path") if "path" in names else None
        i_fail = names.index("failure") if "failure" in names else None
        for row in rows:
            if i_fail is not None and row[i_fail] == TRUE:
                raise ShaclError("SPARQL-constraint meldt een fout (?failure)")
            focus = row[i_this] if i_this is not None else None
            if focus is None:
                focus = this
            if focus is None:
                continue
            path = shape.path
            if i_path is not None and isinstance(row[i_path], ox.NamedNode):
                path = ("pred", row[i_path].value)
            value = row[i_value] if i_value is not None else None
            if value is None and not shape.is_property:
                value = focus
            if templated:
                b = {"this": focus, **{n: row[n] for n in names if row[n] is not None}}
                messages = tuple(fill(m, b) for m in msgs)
            else:
                messages = fixed
            out.append(Result(focus, shape.severity, component, shape.node, path, value,
                              messages, sc.node))
        return out

    def sparql_components(self, shape: Shape, focus: ox.Term,
                          values: list[ox.Term]) -> list[Result]:
        """The SPARQL-based constraint components of ``shape`` at one focus node."""
        out: list[Result] = []
        for comp, bindings in shape.components:
            subs = {iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]: v for iri, v in bindings.items()}
            chosen = (comp.property_validator if shape.is_property else comp.node_validator) \
                or comp.validator
            if chosen is None:
                continue
            kind, query, msgs = chosen
            query = self.prepare(query, shape)
            msgs = msgs or shape.messages
            if kind == "ask":
                for v in values:
                    res = self.select(query, this=focus, value=v, **subs)
                    if not bool(res):
                        b = {**subs, "this": focus, "value": v}
                        out.append(Result(focus, shape.severity, comp.node.value, shape.node,
                                          shape.path, v, tuple(fill(m, b) for m in msgs)))
            else:
                extra = {"currentShape": shape.node} if "$currentShape" in query \
                    and not isinstance(shape.node, ox.BlankNode) else {}
                rows = self.select(query, this=focus, **subs, **extra)
                names = [x.value for x in rows.variables]
                for row in rows:
                    b = {"this": focus, **subs,
                         **{n: row[n] for n in names if row[n] is not None}}
                    value = b.get("value") if shape.is_property else b.get("value", focus)
                    out.append(Result(focus, shape.severity, comp.node.value, shape.node,
                                      shape.path, value, tuple(fill(m, b) for m in msgs)))
        return out
