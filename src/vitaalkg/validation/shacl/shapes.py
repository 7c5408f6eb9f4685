"""Reading a shapes graph: every shape, its targets, constraints and SPARQL components."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from .model import (
    CORE_PARAMS,
    OWL,
    RDF_TYPE,
    RDFS,
    RDFS_SUBCLASS,
    SECONDARY,
    TRUE,
    Graph,
    N,
    S,
    ShaclError,
    Shape,
    SparqlComponent,
    SparqlConstraint,
    parse_path,
)
from .sparql import check_query


class ShapesGraph:
    """The parsed shapes graph: every shape, its targets and its constraints."""

    def __init__(self, store: ox.Store) -> None:
        self.g = Graph(store)
        self._shapes: dict[ox.Term, Shape] = {}
        self.prefix_cache: dict[ox.Term, str] = {}
        self.components = self._read_components()
        self.top_level = [self.shape(n) for n in self._shape_nodes_with_targets()]

    def _shape_nodes_with_targets(self) -> list[ox.Term]:
        """Shapes with targets, and shapes that are also classes (implicit targets)."""
        g = self.g
        nodes: dict[ox.Term, None] = {}
        for t in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"):
            for s in g.subjects(S(t), None):  # type: ignore[arg-type]
                nodes[s] = None
        for cls in (S("NodeShape"), S("PropertyShape")):
            for s in g.subjects(RDF_TYPE, cls):
                types = g.objects(s, RDF_TYPE)
                if N(RDFS + "Class") in types or N(OWL + "Class") in types:
                    nodes[s] = None
        return list(nodes)

    def _read_components(self) -> list[SparqlComponent]:
        """The SPARQL-based constraint components declared in the shapes graph."""
        g = self.g
        out = []
        comp_classes = [S("ConstraintComponent")]
        for c in comp_classes:  # and its subclasses, as the shapes graph declares them
            comp_classes += [x for x in g.subjects(RDFS_SUBCLASS, c) if x not in comp_classes]
        nodes = list(dict.fromkeys(n for c in comp_classes for n in g.subjects(RDF_TYPE, c)))
        for node in nodes:
            params = []
            for p in g.objects(node, S("parameter")):
                path = g.value(p, S("path"))
                if isinstance(path, ox.NamedNode):
                    params.append((path.value, g.value(p, S("optional")) == TRUE))

            def validator(pred: str, node: ox.Term = node) -> Any:
                v = g.value(node, S(pred))
                if v is None:
                    return None
                ask, select = g.value(v, S("ask")), g.value(v, S("select"))
                if ask is None and select is None:
                    return None
                prefixes = self.prefixes(v)
                kind, text = ("ask", ask.value) if ask is not None else ("select", select.value)
                return kind, prefixes + text, tuple(g.objects(v, S("message")))

            out.append(SparqlComponent(node, params, validator("validator"),
                                       validator("nodeValidator"),
                                       validator("propertyValidator")))
        return out

    def prefixes(self, node: ox.Term) -> str:
        """The PREFIX declarations of ``sh:prefixes`` at ``node`` (with owl:imports)."""
        decls: list[str] = []
        for src in self.g.objects(node, S("prefixes")):
            if src not in self.prefix_cache:
                lines: dict[str, None] = {}
                todo, done = [src], set()
                while todo:  # sh:declare of the source and of what it owl:imports
                    cur = todo.pop()
                    if cur in done:
                        continue
                    done.add(cur)
                    todo += self.g.objects(cur, N(OWL + "imports"))
                    for d in self.g.objects(cur, S("declare")):
                        p, ns = self.g.value(d, S("prefix")), self.g.value(d, S("namespace"))
                        if p is not None and ns is not None:
                            lines[f"PREFIX {p.value}: <{ns.value}>\n"] = None
                self.prefix_cache[src] = "".join(lines)
            decls.append(self.prefix_cache[src])
        return "".join(decls)

    def shape(self, node: ox.Term) -> Shape:
        """The parsed shape at ``node`` (parsed once, then cached)."""
        if node in self._shapes:
            return self._shapes[node]
        g = self.g
        shape = Shape(node)
        self._shapes[node] = shape  # before reading: shapes may refer to themselves
        path = g.value(node, S("path"))
        if path is not None:
            shape.path = parse_path(g, path)
        for t in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"):
            shape.targets += [(t, v) for v in g.objects(node, S(t))]
        types = g.objects(node, RDF_TYPE)
        if (N(RDFS + "Class") in types or N(OWL + "Class") in types) and (
                S("NodeShape") in types or S("PropertyShape") in types):
            shape.targets.append(("targetClass", node))
        sev = g.value(node, S("severity"))
        if isinstance(sev, ox.NamedNode):
            shape.severity = sev.value
        shape.messages = tuple(m for m in g.objects(node, S("message"))
                               if isinstance(m, ox.Literal))
        shape.deactivated = g.value(node, S("deactivated")) == TRUE
        for name in CORE_PARAMS + sorted(SECONDARY):
            vals = g.objects(node, S(name))
            if vals:
                shape.params[name] = vals
        for c in g.objects(node, S("sparql")):
            if g.value(c, S("deactivated")) == TRUE:
                continue
            sel = g.value(c, S("select"))
            if sel is None:
                raise ShaclError(f"sh:sparql zonder sh:select bij {node}")
            check_query(sel.value)
            shape.sparql.append(SparqlConstraint(
                c, self.prefixes(c) + sel.value,
                tuple(m for m in g.objects(c, S("message")) if isinstance(m, ox.Literal))))
        for comp in self.components:
            bindings: dict[str, ox.Term] = {}
            ok = True
            for iri, optional in comp.params:
                v = g.value(node, N(iri))
                if v is None:
                    if not optional:
                        ok = False
                        break
                else:
                    bindings[iri] = v
            if ok and bindings:
                shape.components.append((comp, bindings))
        return shape


def load_shapes(data: bytes | str, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE,
                base_iri: str | None = None) -> ShapesGraph:
    """Parse shapes graph text into a :class:`ShapesGraph`."""
    store = ox.Store()
    store.load(data, format=fmt, base_iri=base_iri)
    return ShapesGraph(store)
