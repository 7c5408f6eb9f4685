"""Shapes compiled to SPARQL and evaluated for all focus nodes at once.

The targets are one graph pattern (:mod:`.targets`). The checks of a node shape and its
property shapes are batched per kind: every ``sh:minCount 1`` in one pass over the focus
nodes; every ``sh:maxCount`` as one union of grouped counts of the paths alone, then
restricted to focus nodes; every check of single values (class, datatype, node kind, ranges,
lengths, patterns, languages, ``sh:in``) as one union over the paths alone that yields the
failing *values*, and only those are joined back to their focus nodes — so a conforming plan
costs a scan per path, not a join per rule. Other counts, ``sh:hasValue`` and SPARQL
constraints are one query each; what SPARQL cannot say is left to :mod:`.components`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from .components import NodeEvaluator
from .model import (
    LANG_STRING,
    RDF,
    SECONDARY,
    SH,
    TRUE,
    Path,
    Result,
    Shape,
    path_sparql,
    sparql_term,
)
from .values import CASTABLE


@dataclass
class _Batch:
    """Checks of shapes that share focus nodes, to be run as a few combined queries."""

    min_one: list[tuple[Shape, int]] = field(default_factory=list)
    max: list[tuple[Shape, list[int]]] = field(default_factory=list)
    values: list[tuple[Shape, str, str]] = field(default_factory=list)


def _plain_path(path: Path) -> bool:
    """A predicate or inverse predicate path: it never yields the same value twice."""
    return path[0] == "pred" or (path[0] == "inv" and path[1][0] == "pred")


def batch_safe(path: Path) -> bool:
    """Paths cheap to evaluate over the whole graph (no ``*``, ``+``, ``?``): these checks
    may be evaluated before being joined with the focus nodes."""
    if path[0] == "pred":
        return True
    if path[0] == "inv":
        return batch_safe(path[1])
    if path[0] in ("seq", "alt"):
        return all(batch_safe(p) for p in path[1])
    return False


class Compiler(NodeEvaluator):
    """Top-level shapes compiled to batched SPARQL; per node only what SPARQL cannot say."""

    def validate_bulk(self, shape: Shape, pattern: str) -> list[Result]:
        """Compile what SPARQL can say into queries over all focus nodes; the rest per node.

        The simple checks of a shape and of its property shapes (same focus nodes) are
        batched: every ``sh:minCount 1`` in one pass over the focus nodes, every
        ``sh:maxCount`` in one union of grouped counts, every value check (class, datatype,
        node kind, ranges, lengths, pattern, languages, ``sh:in``) in one union.
        """
        batch = _Batch()
        results = self.bulk_shape(shape, pattern, batch)
        return results + self.run_batch(batch, pattern)

    def bulk_shape(self, shape: Shape, pattern: str, batch: _Batch) -> list[Result]:
        """Compile the checks of ``shape`` (and its property shapes) into ``batch`` or
        queries of their own; what is not compiled runs per focus node."""
        results: list[Result] = []
        rest: dict[str, list[ox.Term]] = {}
        counted = shape.path is not None and (
            "minCount" in shape.params or "maxCount" in shape.params)
        if counted:
            results += self.bulk_counts(shape, pattern, batch)
        batchable = shape.path is not None and batch_safe(shape.path)
        for name, values in shape.params.items():
            if name in SECONDARY or (counted and name in ("minCount", "maxCount")):
                continue
            if name == "property":
                for child in values:
                    ps = self.sg.shape(child)
                    if not ps.deactivated and not shape.is_property:
                        results += self.bulk_shape(ps, pattern, batch)
                    elif not ps.deactivated:
                        rest.setdefault(name, []).append(child)
                continue
            for value in values:
                compiled = self.compile(shape, name, value, pattern)
                if compiled is None:
                    rest.setdefault(name, []).append(value)
                    continue
                query, component, has_value, cond = compiled
                if cond is not None and batchable:
                    batch.values.append((shape, component, cond))
                    continue
                for row in self.select(query):
                    results.append(self.result(shape, component, row[0],
                                               row[1] if has_value else None))
        for sc in shape.sparql:
            results += self.sparql_bulk(shape, sc, pattern)
        if rest or shape.components:
            focus = [row[0] for row in self.select(f"SELECT ?this WHERE {{ {pattern} }}")]
            for f in focus:
                values = self.value_nodes(shape, f)
                for name, params in rest.items():
                    for p in params:
                        results += self.component(shape, name, p, f, values)
                results += self.sparql_components(shape, f, values)
        return results

    def bulk_counts(self, shape: Shape, pattern: str, batch: _Batch) -> list[Result]:
        """sh:minCount and sh:maxCount of a property shape, for all focus nodes at once.

        ``sh:minCount 1`` (no value at all) and ``sh:maxCount`` on a simple path go to the
        batch; other bounds are one grouped count per shape (the count is returned, so each
        bound is checked in Python).
        """
        assert shape.path is not None
        path = path_sparql(shape.path)
        mins = [int(v.value) for v in shape.params.get("minCount", [])]
        maxs = [int(v.value) for v in shape.params.get("maxCount", [])]
        if 1 in mins:
            batch.min_one.append((shape, mins.count(1)))
        mins = [n for n in mins if n > 1]  # minCount 0 never fails
        if maxs and batch_safe(shape.path):
            batch.max.append((shape, maxs))
            maxs = []
        if not mins and not maxs:
            return []
        c_min, c_max = SH + "MinCountConstraintComponent", SH + "MaxCountConstraintComponent"
        count = "COUNT(DISTINCT ?v)"
        having = " || ".join([f"{count} < {n}" for n in mins] + [f"{count} > {n}" for n in maxs])
        query = (f"SELECT ?this ({count} AS ?n) WHERE {{ {pattern} "
                 f"OPTIONAL {{ ?this {path} ?v }} }} GROUP BY ?this HAVING ({having})")
        out: list[Result] = []
        for row in self.select(query):
            n = int(row[1].value)
            out += [self.result(shape, c_min, row[0]) for m in mins if n < m]
            out += [self.result(shape, c_max, row[0]) for m in maxs if n > m]
        return out

    def run_batch(self, batch: _Batch, pattern: str) -> list[Result]:
        """Run the batched checks: min counts, max counts, then value checks."""
        out: list[Result] = []
        if batch.min_one:
            comp = SH + "MinCountConstraintComponent"
            flags = " ".join(f"BIND (NOT EXISTS {{ ?this {path_sparql(s.path)} ?b_v{i} }} "
                             f"AS ?b_m{i})" for i, (s, _) in enumerate(batch.min_one))
            test = " || ".join(f"?b_m{i}" for i in range(len(batch.min_one)))
            names = " ".join(f"?b_m{i}" for i in range(len(batch.min_one)))
            for row in self.select(f"SELECT ?this {names} WHERE {{ {pattern} {flags} "
                                   f"FILTER ({test}) }}"):
                for i, (shape, times) in enumerate(batch.min_one):
                    if row[i + 1] == TRUE:
                        out += [self.result(shape, comp, row[0])] * times
        if batch.max:
            out += self.batch_max(batch.max, pattern)
        if batch.values:
            out += self.batch_values(batch.values, pattern)
        return out

    def batch_max(self, checks: list[tuple[Shape, list[int]]], pattern: str) -> list[Result]:
        """Every sh:maxCount at once: first the nodes with too many values (grouped counts of
        the paths alone, cheap), then which of those are focus nodes."""
        comp = SH + "MaxCountConstraintComponent"
        groups = []
        for i, (s, maxs) in enumerate(checks):
            assert s.path is not None
            # a predicate path cannot repeat a value, so no DISTINCT is needed to count
            count = "COUNT(?v)" if _plain_path(s.path) else "COUNT(DISTINCT ?v)"
            groups.append(f"{{ SELECT ?this ({i} AS ?b_k) ({count} AS ?b_n) WHERE "
                          f"{{ ?this {path_sparql(s.path)} ?v }} GROUP BY ?this "
                          f"HAVING ({count} > {min(maxs)}) }}")
        candidates = [(row[0], int(row[1].value), int(row[2].value)) for row in self.select(
            "SELECT ?this ?b_k ?b_n WHERE { " + " UNION ".join(groups) + " }")]
        if not candidates:
            return []
        focus = self.focus_among([c[0] for c in candidates], pattern)
        out: list[Result] = []
        for node, k, n in candidates:
            if node in focus:
                shape, maxs = checks[k]
                out += [self.result(shape, comp, node) for m in maxs if n > m]
        return out

    def batch_values(self, checks: list[tuple[Shape, str, str]], pattern: str) -> list[Result]:
        """Every check of single values at once: first the distinct values that fail (over the
        paths alone, cheap), then the focus nodes that have them."""
        branches = " UNION ".join(
            f"{{ ?b_x {path_sparql(s.path)} ?v . {cond} BIND ({i} AS ?b_k) }}"  # type: ignore[arg-type]
            for i, (s, _, cond) in enumerate(checks))
        bad: dict[int, list[ox.Term]] = {}
        for row in self.select(f"SELECT DISTINCT ?b_k ?v WHERE {{ {branches} }}"):
            bad.setdefault(int(row[0].value), []).append(row[1])
        out: list[Result] = []
        for k, values in sorted(bad.items()):
            shape, comp, cond = checks[k]
            path = path_sparql(shape.path)  # type: ignore[arg-type]
            if len(values) <= 1000 and not any(isinstance(v, ox.BlankNode) for v in values):
                query = ("SELECT DISTINCT ?this ?v WHERE { VALUES ?v { "
                         + " ".join(sparql_term(v) for v in values)
                         + f" }} ?this {path} ?v . {pattern} }}")
            else:
                query = f"SELECT DISTINCT ?this ?v WHERE {{ {pattern} ?this {path} ?v . {cond} }}"
            for row in self.select(query):
                out.append(self.result(shape, comp, row[0], row[1]))
        return out

    def compile(self, shape: Shape, name: str, value: ox.Term,
                pattern: str) -> tuple[str, str, bool, str | None] | None:
        """(query, component IRI, whether rows carry a value, the FILTER on ?v when the check
        is about one value at a time) or None when not compiled."""
        p = shape.params
        path = path_sparql(shape.path) if shape.path else None
        step = f"?this {path} ?v ." if path else "BIND(?this AS ?v)"
        comp = SH + name[0].upper() + name[1:] + "ConstraintComponent"
        cond: str | None = None
        if name == "class":
            if isinstance(value, ox.Literal):
                cond = "FILTER (true)"  # nothing is an instance of a literal
            elif isinstance(value, ox.BlankNode):
                return None
            else:
                classes = self.subclass_closure(value)
                if any(isinstance(c, ox.BlankNode) for c in classes):
                    return None
                cond = (f"FILTER NOT EXISTS {{ ?v <{RDF}type> ?t_vc FILTER (?t_vc IN ("
                        + ", ".join(sparql_term(c) for c in classes) + ")) }")
        elif name == "datatype" and isinstance(value, ox.NamedNode):
            dt = value.value
            if dt == LANG_STRING:
                ok = "(isLiteral(?v) && lang(?v) != \"\")"
            elif dt in CASTABLE:
                ok = (f"(isLiteral(?v) && datatype(?v) = <{dt}> && lang(?v) = \"\" && "
                      f"COALESCE(isLiteral(<{dt}>(?v)), false))")
            else:
                return None
            cond = f"FILTER (!{ok})"
        elif name == "nodeKind":
            test = {"IRI": "isIRI(?v)", "BlankNode": "isBlank(?v)", "Literal": "isLiteral(?v)",
                    "BlankNodeOrIRI": "(isBlank(?v) || isIRI(?v))",
                    "BlankNodeOrLiteral": "(isBlank(?v) || isLiteral(?v))",
                    "IRIOrLiteral": "(isIRI(?v) || isLiteral(?v))"}.get(
                        value.value[len(SH):] if isinstance(value, ox.NamedNode) else "")
            if test is None:
                return None
            cond = f"FILTER (!{test})"
        elif name in ("minExclusive", "minInclusive", "maxExclusive", "maxInclusive"):
            if not isinstance(value, ox.Literal):
                return None
            op = {"minExclusive": ">", "minInclusive": ">=", "maxExclusive": "<",
                  "maxInclusive": "<="}[name]
            cond = f"FILTER (!COALESCE(?v {op} {sparql_term(value)}, false))"
        elif name in ("minLength", "maxLength"):
            op = ">=" if name == "minLength" else "<="
            cond = (f"FILTER (isBlank(?v) || !COALESCE(STRLEN(STR(?v)) {op} "
                    f"{int(value.value)}, false))")
        elif name == "pattern":
            flags = p.get("flags", [ox.Literal("")])[0].value
            regex = sparql_term(ox.Literal(value.value))
            cond = (f"FILTER (isBlank(?v) || !REGEX(STR(?v), {regex},"
                    f" {sparql_term(ox.Literal(flags))}))")
        elif name == "languageIn":
            tags = [t.value for t in self.sg.g.items(value)]
            tests = " || ".join(f"langMatches(lang(?v), {sparql_term(ox.Literal(t))})"
                                for t in tags) or "false"
            cond = f"FILTER (!isLiteral(?v) || !({tests}))"
        elif name == "in":
            members = self.sg.g.items(value)
            if any(isinstance(m, ox.BlankNode) for m in members):
                return None
            tests = " || ".join(f"sameTerm(?v, {sparql_term(m)})" for m in members) or "false"
            cond = f"FILTER (!({tests}))"
        elif name == "hasValue":
            if isinstance(value, ox.BlankNode):
                return None
            if path is None:
                return (f"SELECT ?this WHERE {{ {pattern} FILTER (!sameTerm(?this, "
                        f"{sparql_term(value)})) }}", comp, False, None)
            return (f"SELECT ?this WHERE {{ {pattern} FILTER NOT EXISTS {{ ?this {path} ?hv . "
                    f"FILTER (sameTerm(?hv, {sparql_term(value)})) }} }}", comp, False, None)
        if cond is None:
            return None
        return (f"SELECT DISTINCT ?this ?v WHERE {{ {pattern} {step} {cond} }}", comp, True,
                cond)
