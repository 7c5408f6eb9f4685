"""The constraint components evaluated node by node, following SHACL 1.0 section 4."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

from .model import (
    LANG_STRING,
    RDF_TYPE,
    RDFS_SUBCLASS,
    SECONDARY,
    SH,
    TRUE,
    N,
    Path,
    Result,
    S,
    ShaclError,
    Shape,
)
from .sparql_constraints import SparqlEvaluator
from .values import well_formed


class NodeEvaluator(SparqlEvaluator):
    """Value nodes, conformance and every core component for one focus node at a time."""

    def value_nodes(self, shape: Shape, focus: ox.Term) -> list[ox.Term]:
        """The value nodes of ``shape`` at ``focus``."""
        if shape.path is None:
            return [focus]
        return self.eval_path(focus, shape.path)

    def eval_path(self, node: ox.Term, path: Path) -> list[ox.Term]:
        """The nodes reached from ``node`` by ``path`` (distinct, in order)."""
        kind = path[0]
        if kind == "pred":
            return list(dict.fromkeys(self.g.objects(node, N(path[1]))))
        if kind == "inv":
            inner = path[1]
            if inner[0] == "pred":
                return list(dict.fromkeys(self.g.subjects(N(inner[1]), node)))
            return [s for s in self._all_nodes() if node in self.eval_path(s, inner)]
        if kind == "seq":
            current = [node]
            for p in path[1]:
                nxt: dict[ox.Term, None] = {}
                for c in current:
                    for v in self.eval_path(c, p):
                        nxt[v] = None
                current = list(nxt)
            return current
        if kind == "alt":
            out: dict[ox.Term, None] = {}
            for p in path[1]:
                for v in self.eval_path(node, p):
                    out[v] = None
            return list(out)
        if kind == "opt":
            return list(dict.fromkeys([node, *self.eval_path(node, path[1])]))
        seen: dict[ox.Term, None] = {node: None} if kind == "star" else {}
        frontier = [node]
        while frontier:
            nxt_nodes = []
            for c in frontier:
                for v in self.eval_path(c, path[1]):
                    if v not in seen:
                        seen[v] = None
                        nxt_nodes.append(v)
            frontier = nxt_nodes
        return list(seen)

    def _all_nodes(self) -> list[ox.Term]:
        """Every subject and object of the data graph."""
        nodes: dict[ox.Term, None] = {}
        for q in self.data.quads_for_pattern(None, None, None, ox.DefaultGraph()):
            nodes[q.subject] = None
            nodes[q.object] = None
        return list(nodes)

    def validate_nodes(self, shape: Shape, focus: Iterable[ox.Term]) -> list[Result]:
        """Every result of ``shape`` at each of the ``focus`` nodes, node by node."""
        if shape.deactivated:
            return []
        results: list[Result] = []
        focus = list(focus)
        for f in focus:
            values = self.value_nodes(shape, f)
            for name, params in shape.params.items():
                if name in SECONDARY:
                    continue
                for p in params:
                    results += self.component(shape, name, p, f, values)
            results += self.sparql_components(shape, f, values)
        for sc in shape.sparql:
            results += self.sparql_per_node(shape, sc, focus)
        return results

    def conforms(self, node: ox.Term, shape_node: ox.Term) -> bool:
        """Whether ``node`` conforms to the shape ``shape_node`` (cached)."""
        key = (node, shape_node)
        if key not in self.conform_cache:
            self.depth += 1
            if self.depth > 64:
                raise ShaclError("te diepe recursie in de shapes")
            try:
                self.conform_cache[key] = not self.validate_nodes(self.sg.shape(shape_node),
                                                                  [node])
            finally:
                self.depth -= 1
        return self.conform_cache[key]

    def is_instance(self, node: ox.Term, cls: ox.Term) -> bool:
        """Whether ``node`` has type ``cls`` or a subclass of it (``rdf:type/rdfs:subClassOf*``)."""
        if isinstance(node, ox.Literal):
            return False
        for t in self.g.objects(node, RDF_TYPE):
            if t not in self.superclasses:
                seen = {t}
                frontier = [t]
                while frontier:
                    c = frontier.pop()
                    for sup in self.g.objects(c, RDFS_SUBCLASS):
                        if sup not in seen:
                            seen.add(sup)
                            frontier.append(sup)
                self.superclasses[t] = seen
            if cls in self.superclasses[t]:
                return True
        return False

    def component(self, shape: Shape, name: str, param: ox.Term, focus: ox.Term,
                  values: list[ox.Term]) -> list[Result]:
        """The results of one core constraint component at one focus node."""
        comp = SH + name[0].upper() + name[1:] + "ConstraintComponent"

        def each(bad: Iterable[ox.Term]) -> list[Result]:
            return [self.result(shape, comp, focus, v) for v in bad]

        g = self.sg.g
        if name == "class":
            return each(v for v in values if not self.is_instance(v, param))
        if name == "datatype":
            return each(v for v in values if not (
                isinstance(v, ox.Literal) and v.datatype == param
                and (param.value == LANG_STRING or (not v.language and well_formed(v)))))
        if name == "nodeKind":
            kinds = {"IRI": (ox.NamedNode,), "BlankNode": (ox.BlankNode,),
                     "Literal": (ox.Literal,), "BlankNodeOrIRI": (ox.BlankNode, ox.NamedNode),
                     "BlankNodeOrLiteral": (ox.BlankNode, ox.Literal),
                     "IRIOrLiteral": (ox.NamedNode, ox.Literal)}[param.value[len(SH):]]
            return each(v for v in values if not isinstance(v, kinds))
        if name == "minCount":
            return [self.result(shape, comp, focus)] if len(values) < int(param.value) else []
        if name == "maxCount":
            return [self.result(shape, comp, focus)] if len(values) > int(param.value) else []
        if name in ("minExclusive", "minInclusive", "maxExclusive", "maxInclusive"):
            def ok(v: ox.Term) -> bool:
                if name.startswith("min"):
                    lt, le = self.v.cmp.compare(param, v)
                else:
                    lt, le = self.v.cmp.compare(v, param)
                return lt if name.endswith("Exclusive") else le
            return each(v for v in values if not ok(v))
        if name in ("minLength", "maxLength"):
            n = int(param.value)
            return each(v for v in values if isinstance(v, ox.BlankNode) or not (
                len(v.value) >= n if name == "minLength" else len(v.value) <= n))
        if name == "pattern":
            flags = shape.params.get("flags", [ox.Literal("")])[0].value
            fl = sum({"i": re.I, "s": re.S, "m": re.M, "x": re.X}.get(c, 0) for c in flags)
            rx = re.compile(param.value, fl)
            return each(v for v in values
                        if isinstance(v, ox.BlankNode) or not rx.search(v.value))
        if name == "languageIn":
            tags = [t.value.lower() for t in g.items(param)]
            return each(v for v in values if not (
                isinstance(v, ox.Literal) and v.language and any(
                    v.language.lower() == t or v.language.lower().startswith(t + "-")
                    or t == "*" for t in tags)))
        if name == "uniqueLang":
            if param != TRUE:
                return []
            seen: dict[str, int] = {}
            for v in values:
                if isinstance(v, ox.Literal) and v.language:
                    seen[v.language.lower()] = seen.get(v.language.lower(), 0) + 1
            return [self.result(shape, comp, focus) for lang, n in seen.items() if n > 1]
        if name in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
            others = self.g.objects(focus, param)
            # one result per value node not among the others and per other value not among
            # the value nodes (equals), per value node among the others (disjoint), §4.5.1-2
            if name == "equals":
                return (each(v for v in values if v not in others)
                        + each(o for o in others if o not in values))
            if name == "disjoint":
                return each(v for v in values if v in others)
            idx = 0 if name == "lessThan" else 1
            # one result per pair (value, other) that is not less (or equal), §4.5.3-4
            return each(v for v in values for o in others if not self.v.cmp.compare(v, o)[idx])
        if name == "hasValue":
            return [] if param in values else [self.result(shape, comp, focus)]
        if name == "in":
            members = g.items(param)
            return each(v for v in values if v not in members)
        if name == "node":
            return each(v for v in values if not self.conforms(v, param))
        if name == "not":
            return each(v for v in values if self.conforms(v, param))
        if name in ("and", "or", "xone"):
            members = g.items(param)

            def bad(v: ox.Term) -> bool:
                n = sum(1 for m in members if self.conforms(v, m))
                return {"and": n != len(members), "or": n == 0, "xone": n != 1}[name]
            return each(v for v in values if bad(v))
        if name == "property":
            ps = self.sg.shape(param)
            return self.validate_nodes(ps, values)
        if name == "qualifiedValueShape":
            return self.qualified(shape, param, focus, values)
        if name == "closed":
            if param != TRUE:
                return []
            allowed = {p.value for p in g.items(shape.params["ignoredProperties"][0])} \
                if "ignoredProperties" in shape.params else set()
            for ps in shape.params.get("property", []):
                pnode = g.value(ps, S("path"))
                if isinstance(pnode, ox.NamedNode):
                    allowed.add(pnode.value)
            out = []
            for v in values:
                if isinstance(v, ox.Literal):
                    continue
                for q in self.data.quads_for_pattern(v, None, None, ox.DefaultGraph()):
                    if q.predicate.value not in allowed:
                        out.append(self.result(shape, comp, focus, q.object,
                                               ("pred", q.predicate.value)))
            return out
        return []

    def qualified(self, shape: Shape, q: ox.Term, focus: ox.Term,
                  values: list[ox.Term]) -> list[Result]:
        """``sh:qualifiedValueShape`` with its min/max counts (and disjointness)."""
        g = self.sg.g
        siblings: set[ox.Term] = set()
        if shape.params.get("qualifiedValueShapesDisjoint", [None])[0] == TRUE:
            for parent in g.subjects(S("property"), shape.node):
                for ps in g.objects(parent, S("property")):
                    for sq in g.objects(ps, S("qualifiedValueShape")):
                        if sq != q:
                            siblings.add(sq)
        count = sum(1 for v in values if self.conforms(v, q)
                    and not any(self.conforms(v, s) for s in siblings))
        out = []
        for name, cmp in (("qualifiedMinCount", lambda n: count < n),
                          ("qualifiedMaxCount", lambda n: count > n)):
            if name in shape.params and cmp(int(shape.params[name][0].value)):
                out.append(self.result(shape, SH + name[0].upper() + name[1:]
                                       + "ConstraintComponent", focus))
        return out
