"""Focus nodes: the targets of a shape as a SPARQL pattern, or listed one by one."""

from __future__ import annotations

import pyoxigraph as ox

from .context import RunContext
from .model import RDF, RDFS, Shape, sparql_term


class Targets(RunContext):
    """Finds the focus nodes of shapes in the data graph."""

    def subclass_closure(self, cls: ox.Term) -> list[ox.Term]:
        """``cls`` and every class below it (``rdfs:subClassOf*`` in the data graph)."""
        if cls not in self.subclasses:
            found: dict[ox.Term, None] = {cls: None}
            for row in self.data.query(
                    f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS}subClassOf>+ {sparql_term(cls)} }}"):
                found[row[0]] = None
            self.subclasses[cls] = list(found)
        return self.subclasses[cls]

    def target_pattern(self, shape: Shape) -> str | None:
        """A group graph pattern binding ?this to the focus nodes (None if not expressible).

        The subclasses of a target class are looked up once per data graph, so the common
        case (one target class without subclasses) is a single triple pattern that the query
        optimiser can join freely, rather than a ``DISTINCT`` subquery over a property path.
        """
        parts = []
        for kind, t in shape.targets:
            if kind == "targetClass":
                if isinstance(t, ox.Literal):
                    continue  # no node is an instance of a literal
                if isinstance(t, ox.BlankNode):
                    return None
                classes = self.subclass_closure(t)
                if len(classes) == 1:
                    parts.append(f"{{ ?this <{RDF}type> {sparql_term(t)} }}")
                else:
                    if any(isinstance(c, ox.BlankNode) for c in classes):
                        return None
                    parts.append(f"{{ ?this <{RDF}type> ?t_c FILTER (?t_c IN ("
                                 + ", ".join(sparql_term(c) for c in classes) + ")) }")
            elif kind == "targetSubjectsOf":
                parts.append(f"{{ ?this {sparql_term(t)} ?t_o }}")
            elif kind == "targetObjectsOf":
                parts.append(f"{{ ?t_s {sparql_term(t)} ?this }}")
            elif kind == "targetNode":
                if isinstance(t, ox.BlankNode):
                    return None
                parts.append(f"{{ BIND({sparql_term(t)} AS ?this) }}")
        if not parts:
            return None if not shape.targets else "{ FILTER (false) }"
        if len(parts) == 1 and parts[0].startswith(f"{{ ?this <{RDF}type> <"):
            return parts[0][2:-2] + " ."  # distinct by itself: one triple pattern
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"

    def focus_nodes(self, shape: Shape) -> list[ox.Term]:
        """The focus nodes of ``shape``, in a stable order."""
        nodes: dict[ox.Term, None] = {}
        for kind, t in shape.targets:
            if kind == "targetNode":
                nodes[t] = None
        pattern = self.target_pattern(shape)
        if pattern is not None:
            for row in self.select(f"SELECT ?this WHERE {{ {pattern} }}"):
                nodes[row[0]] = None
        else:
            for kind, t in shape.targets:
                if kind == "targetClass":
                    for row in self.select(
                            f"SELECT DISTINCT ?x WHERE {{ ?x <{RDF}type>/<{RDFS}subClassOf>* ?c }}",
                            c=t):
                        nodes[row[0]] = None
                elif kind == "targetSubjectsOf" and isinstance(t, ox.NamedNode):
                    for q in self.data.quads_for_pattern(None, t, None, ox.DefaultGraph()):
                        nodes[q.subject] = None
                elif kind == "targetObjectsOf" and isinstance(t, ox.NamedNode):
                    for q in self.data.quads_for_pattern(None, t, None, ox.DefaultGraph()):
                        nodes[q.object] = None
        return list(nodes)

    def focus_among(self, nodes: list[ox.Term], pattern: str) -> set[ox.Term]:
        """Which of ``nodes`` are focus nodes of ``pattern``."""
        unique = list(dict.fromkeys(nodes))
        if len(unique) <= 5000 and not any(isinstance(n, ox.BlankNode) for n in unique):
            values = " ".join(sparql_term(n) for n in unique)
            query = f"SELECT ?this WHERE {{ VALUES ?this {{ {values} }} {pattern} }}"
        else:
            query = f"SELECT ?this WHERE {{ {pattern} }}"
        return {row[0] for row in self.select(query)}
