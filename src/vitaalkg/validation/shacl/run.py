"""A SHACL engine (Core + SHACL-SPARQL) that runs on pyoxigraph.

General, not tied to vitaalkg's shapes. Shapes are parsed once into :class:`Shape` objects.
Top-level shapes are *compiled to SPARQL* and evaluated for all focus nodes at once:

* the targets become one graph pattern (target classes expanded to their subclasses in the
  data graph first, so one class is a single triple pattern);
* the checks of a node shape and its property shapes are batched per kind: every
  ``sh:minCount 1`` in one pass over the focus nodes; every ``sh:maxCount`` as one union of
  grouped counts of the paths alone, then restricted to focus nodes; every check of single
  values (class, datatype, node kind, ranges, lengths, patterns, languages, ``sh:in``) as one
  union over the paths alone that yields the failing *values*, and only those are joined back
  to their focus nodes — so a conforming plan costs a scan per path, not a join per rule;
* other counts, ``sh:hasValue`` and SPARQL constraints are one query each.

Everything else (logical and shape-based components, ``sh:closed``, ``sh:qualifiedValueShape``,
pair components, SPARQL-based constraint components) is evaluated node by node in Python on
the same store, following the SHACL 1.0 recommendation. ``Validator(bulk=False)`` evaluates
everything node by node; the tests check that both agree with each other and with pySHACL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"


def N(iri: str) -> ox.NamedNode:  # noqa: N802 - short constructor
    return ox.NamedNode(iri)


RDF_TYPE, RDF_FIRST, RDF_REST, RDF_NIL = (N(RDF + x) for x in ("type", "first", "rest", "nil"))
RDFS_SUBCLASS = N(RDFS + "subClassOf")
LANG_STRING = RDF + "langString"
TRUE = ox.Literal("true", datatype=N(XSD + "boolean"))


def S(name: str) -> ox.NamedNode:  # noqa: N802
    return N(SH + name)


class ShaclError(Exception):
    """The shapes graph cannot be processed (e.g. an unsupported or malformed SPARQL query)."""


# -- results ---------------------------------------------------------------------------------
#: ("pred", iri) | ("inv", p) | ("seq", (..)) | ("alt", (..)) | ("star"|"plus"|"opt", p)
Path = tuple


@dataclass(frozen=True)
class Result:
    """One ``sh:ValidationResult``."""

    focus: ox.Term
    severity: str
    component: str
    shape: ox.Term
    path: Path | None = None
    value: ox.Term | None = None
    messages: tuple[ox.Literal, ...] = ()
    constraint: ox.Term | None = None


def path_sparql(path: Path) -> str:
    kind = path[0]
    if kind == "pred":
        return f"<{path[1]}>"
    if kind == "inv":
        return f"^({path_sparql(path[1])})"
    if kind == "seq":
        return "(" + "/".join(path_sparql(p) for p in path[1]) + ")"
    if kind == "alt":
        return "(" + "|".join(path_sparql(p) for p in path[1]) + ")"
    return f"({path_sparql(path[1])}){ {'star': '*', 'plus': '+', 'opt': '?'}[kind] }"


def path_text(path: Path | None) -> str | None:
    """The predicate IRI for a simple path, SPARQL path syntax otherwise."""
    if path is None:
        return None
    return path[1] if path[0] == "pred" else path_sparql(path)


def sparql_term(term: ox.Term) -> str:
    return str(term)  # pyoxigraph prints terms in N-Triples / SPARQL syntax


# -- the shapes graph --------------------------------------------------------------------------
class Graph:
    """Small read helpers over a pyoxigraph store (the default graph)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def objects(self, s: ox.Term, p: ox.NamedNode) -> list[ox.Term]:
        if isinstance(s, ox.Literal):
            return []
        return [q.object for q in self.store.quads_for_pattern(s, p, None, ox.DefaultGraph())]

    def subjects(self, p: ox.NamedNode, o: ox.Term) -> list[ox.Term]:
        return [q.subject for q in self.store.quads_for_pattern(None, p, o, ox.DefaultGraph())]

    def value(self, s: ox.Term, p: ox.NamedNode) -> ox.Term | None:
        objs = self.objects(s, p)
        return objs[0] if objs else None

    def items(self, node: ox.Term) -> list[ox.Term]:
        out: list[ox.Term] = []
        seen = set()
        while node != RDF_NIL and node not in seen:
            seen.add(node)
            first = self.value(node, RDF_FIRST)
            if first is None:
                break
            out.append(first)
            node = self.value(node, RDF_REST) or RDF_NIL
        return out


def parse_path(g: Graph, node: ox.Term) -> Path:
    if isinstance(node, ox.NamedNode):
        return ("pred", node.value)
    if g.value(node, RDF_FIRST) is not None:
        return ("seq", tuple(parse_path(g, p) for p in g.items(node)))
    for name, kind in (("inversePath", "inv"), ("zeroOrMorePath", "star"),
                       ("oneOrMorePath", "plus"), ("zeroOrOnePath", "opt")):
        v = g.value(node, S(name))
        if v is not None:
            return (kind, parse_path(g, v))
    alt = g.value(node, S("alternativePath"))
    if alt is not None:
        return ("alt", tuple(parse_path(g, p) for p in g.items(alt)))
    raise ShaclError(f"ongeldig pad in de shapes: {node}")


@dataclass
class SparqlConstraint:
    node: ox.Term
    query: str
    messages: tuple[ox.Literal, ...]


@dataclass
class Shape:
    node: ox.Term
    path: Path | None = None
    targets: list[tuple[str, ox.Term]] = field(default_factory=list)
    severity: str = SH + "Violation"
    messages: tuple[ox.Literal, ...] = ()
    deactivated: bool = False
    params: dict[str, list[ox.Term]] = field(default_factory=dict)
    sparql: list[SparqlConstraint] = field(default_factory=list)
    components: list[tuple[Any, dict[str, ox.Term]]] = field(default_factory=list)

    @property
    def is_property(self) -> bool:
        return self.path is not None


CORE_PARAMS = [
    "class", "datatype", "nodeKind", "minCount", "maxCount", "minExclusive", "minInclusive",
    "maxExclusive", "maxInclusive", "minLength", "maxLength", "pattern", "languageIn",
    "uniqueLang", "equals", "disjoint", "lessThan", "lessThanOrEquals", "not", "and", "or",
    "xone", "node", "property", "qualifiedValueShape", "closed", "hasValue", "in",
]
#: parameters that belong to another one's component, not components of their own
SECONDARY = {"flags", "qualifiedMinCount", "qualifiedMaxCount", "qualifiedValueShapesDisjoint",
             "ignoredProperties"}


@dataclass
class SparqlComponent:
    """A SPARQL-based constraint component (``sh:ConstraintComponent``)."""

    node: ox.Term
    params: list[tuple[str, bool]]  # (parameter IRI, optional)
    validator: tuple[str, str, tuple[ox.Literal, ...]] | None  # (kind, query, messages)
    node_validator: tuple[str, str, tuple[ox.Literal, ...]] | None
    property_validator: tuple[str, str, tuple[ox.Literal, ...]] | None


class ShapesGraph:
    """The parsed shapes graph: every shape, its targets and its constraints."""

    def __init__(self, store: ox.Store) -> None:
        self.g = Graph(store)
        self._shapes: dict[ox.Term, Shape] = {}
        self.prefix_cache: dict[ox.Term, str] = {}
        self.components = self._read_components()
        self.top_level = [self.shape(n) for n in self._shape_nodes_with_targets()]

    # -- reading ------------------------------------------------------------------------
    def _shape_nodes_with_targets(self) -> list[ox.Term]:
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


_FORBIDDEN = re.compile(r"\b(MINUS|VALUES|SERVICE)\b", re.IGNORECASE)


def check_query(text: str) -> None:
    """SHACL-SPARQL 5.2.1: no MINUS, VALUES, SERVICE; pre-bound variables never assigned."""
    body = strip_literals(text)
    if _FORBIDDEN.search(body):
        raise ShaclError("SPARQL-query gebruikt MINUS, VALUES of SERVICE (niet toegestaan)")
    if re.search(r"AS\s+[?$](this|shapesGraph|currentShape)\b", body, re.IGNORECASE):
        raise ShaclError("SPARQL-query kent een waarde toe aan een vooraf gebonden variabele")
    subselects = [m.start() for m in re.finditer(r"\bSELECT\b", body, re.IGNORECASE)][1:]
    for start in subselects:
        projection = body[start:body.find("{", start)]
        if "$this" not in projection and "?this" not in projection:
            raise ShaclError("subquery projecteert $this niet")


# -- value semantics ---------------------------------------------------------------------------
_XSD_PATTERNS = {
    "integer": r"[+-]?\d+", "decimal": r"[+-]?(\d+(\.\d*)?|\.\d+)",
    "boolean": r"true|false|1|0",
    "date": r"-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?",
    "dateTime": r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?",
    "double": r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF)|-INF|NaN",
}
_XSD_PATTERNS["float"] = _XSD_PATTERNS["double"]
_INT_RANGES = {"int": (-2**31, 2**31 - 1), "long": (-2**63, 2**63 - 1),
               "short": (-2**15, 2**15 - 1),
               "byte": (-128, 127), "nonNegativeInteger": (0, None), "positiveInteger": (1, None),
               "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1),
               "unsignedInt": (0, 2**32 - 1), "unsignedLong": (0, 2**64 - 1),
               "unsignedShort": (0, 65535), "unsignedByte": (0, 255)}
#: datatypes whose well-formedness a SPARQL cast checks in oxigraph
CASTABLE = {XSD + t for t in ("integer", "decimal", "boolean", "date", "dateTime", "double",
                              "float", "time", "duration", "string")}


def well_formed(lit: ox.Literal) -> bool:
    dt = lit.datatype.value
    if not dt.startswith(XSD):
        return True
    local = dt[len(XSD):]
    text = lit.value
    if local in _INT_RANGES:
        if not re.fullmatch(_XSD_PATTERNS["integer"], text):
            return False
        lo, hi = _INT_RANGES[local]
        n = int(text)
        return (lo is None or n >= lo) and (hi is None or n <= hi)
    pat = _XSD_PATTERNS.get(local)
    if pat is None:
        return True
    if not re.fullmatch(pat, text):
        return False
    if local in ("date", "dateTime"):
        import datetime as dt_mod

        try:
            dt_mod.date.fromisoformat(text.lstrip("-")[:10])
        except ValueError:
            return False
    return True


class Comparator:
    """SPARQL operator semantics (``<``, ``<=``) for terms, via a query on an empty store."""

    def __init__(self) -> None:
        self.store = ox.Store()
        self.cache: dict[tuple[ox.Term, ox.Term], tuple[bool, bool]] = {}

    def compare(self, a: ox.Term, b: ox.Term) -> tuple[bool, bool]:
        """(a < b, a <= b); False where SPARQL raises an error."""
        key = (a, b)
        if key not in self.cache:
            if isinstance(a, ox.BlankNode) or isinstance(b, ox.BlankNode):
                self.cache[key] = (False, False)
            else:
                row = next(iter(self.store.query(
                    "SELECT ?a ?b (?a < ?b AS ?lt) (?a <= ?b AS ?le) {}",
                    substitutions={ox.Variable("a"): a, ox.Variable("b"): b})))
                self.cache[key] = (row["lt"] == TRUE, row["le"] == TRUE)
        return self.cache[key]


# -- the validator -----------------------------------------------------------------------------
class Validator:
    """Validates data graphs (pyoxigraph stores) against one parsed shapes graph."""

    def __init__(self, shapes: ShapesGraph, *, bulk: bool = True) -> None:
        self.shapes = shapes
        self.bulk = bulk
        self.cmp = Comparator()

    # public
    def validate(self, data: ox.Store) -> list[Result]:
        run = _Run(self, data)
        results: list[Result] = []
        for shape in self.shapes.top_level:
            if shape.deactivated:
                continue
            results += run.validate_top(shape)
        return results


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


class _Run:
    """One validation: a data graph and the caches that belong to it."""

    def __init__(self, v: Validator, data: ox.Store) -> None:
        self.v = v
        self.sg = v.shapes
        self.data = data
        self.g = Graph(data)
        self.superclasses: dict[ox.Term, set[ox.Term]] = {}
        self.subclasses: dict[ox.Term, list[ox.Term]] = {}
        self.conform_cache: dict[tuple[ox.Term, ox.Term], bool] = {}
        self.depth = 0

    # -- SPARQL helpers -----------------------------------------------------------------
    def select(self, query: str, **subs: ox.Term) -> Any:
        query, rest = prebind(query, subs)
        try:
            return self.data.query(
                query, substitutions={ox.Variable(k): t for k, t in rest.items()} or None)
        except SyntaxError as exc:
            raise ShaclError(f"ongeldige SPARQL in de shapes: {exc}") from exc

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

    # -- top level ----------------------------------------------------------------------
    def validate_top(self, shape: Shape) -> list[Result]:
        pattern = self.target_pattern(shape) if self.v.bulk else None
        if pattern is None:
            return self.validate_nodes(shape, self.focus_nodes(shape))
        return self.validate_bulk(shape, pattern)

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

    def focus_among(self, nodes: list[ox.Term], pattern: str) -> set[ox.Term]:
        """Which of ``nodes`` are focus nodes of ``pattern``."""
        unique = list(dict.fromkeys(nodes))
        if len(unique) <= 5000 and not any(isinstance(n, ox.BlankNode) for n in unique):
            values = " ".join(sparql_term(n) for n in unique)
            query = f"SELECT ?this WHERE {{ VALUES ?this {{ {values} }} {pattern} }}"
        else:
            query = f"SELECT ?this WHERE {{ {pattern} }}"
        return {row[0] for row in self.select(query)}

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

    def sparql_bulk(self, shape: Shape, sc: SparqlConstraint, pattern: str) -> list[Result]:
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
        if shape.path is not None:
            query = query.replace("$PATH", path_sparql(shape.path))
        return query

    def sparql_per_node(self, shape: Shape, sc: SparqlConstraint,
                        focus: Iterable[ox.Term]) -> list[Result]:
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
                b = {n: row[n] for n in names if row[n] is not None}
                messages = tuple(fill(m, b) for m in msgs)
            else:
                messages = fixed
            out.append(Result(focus, shape.severity, component, shape.node, path, value,
                              messages, sc.node))
        return out

    # -- node by node ---------------------------------------------------------------------
    def value_nodes(self, shape: Shape, focus: ox.Term) -> list[ox.Term]:
        if shape.path is None:
            return [focus]
        return self.eval_path(focus, shape.path)

    def eval_path(self, node: ox.Term, path: Path) -> list[ox.Term]:
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
        nodes: dict[ox.Term, None] = {}
        for q in self.data.quads_for_pattern(None, None, None, ox.DefaultGraph()):
            nodes[q.subject] = None
            nodes[q.object] = None
        return list(nodes)

    def validate_nodes(self, shape: Shape, focus: Iterable[ox.Term]) -> list[Result]:
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

    def result(self, shape: Shape, component: str, focus: ox.Term,
               value: ox.Term | None = None, path: Path | None = None) -> Result:
        return Result(focus, shape.severity, component, shape.node,
                      path if path is not None else shape.path, value, shape.messages)

    def component(self, shape: Shape, name: str, param: ox.Term, focus: ox.Term,
                  values: list[ox.Term]) -> list[Result]:
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
            if name == "equals":
                return (each(v for v in values if v not in others)
                        + each(o for o in others if o not in values))
            if name == "disjoint":
                return each(v for v in values if v in others)
            idx = 0 if name == "lessThan" else 1
            return each(v for v in values
                        if any(not self.v.cmp.compare(v, o)[idx] for o in others))
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

    def sparql_components(self, shape: Shape, focus: ox.Term,
                          values: list[ox.Term]) -> list[Result]:
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
                    q = _project(query, subs, extra=("this", "value"))
                    res = self.select(q, this=focus, value=v, **subs)
                    if not bool(res):
                        out.append(Result(focus, shape.severity, comp.node.value, shape.node,
                                          shape.path, v, tuple(fill(m, subs) for m in msgs)))
            else:
                extra = {"currentShape": shape.node} if "$currentShape" in query \
                    and not isinstance(shape.node, ox.BlankNode) else {}
                rows = self.select(query, this=focus, **subs, **extra)
                names = [x.value for x in rows.variables]
                for row in rows:
                    b = {**subs, **{n: row[n] for n in names if row[n] is not None}}
                    value = b.get("value") if shape.is_property else b.get("value", focus)
                    out.append(Result(focus, shape.severity, comp.node.value, shape.node,
                                      shape.path, value, tuple(fill(m, b) for m in msgs)))
        return out


_LITERALS = re.compile(r'"""(.|\n)*?"""|"[^"\n]*"' + r"|'[^'\n]*'")


def strip_literals(text: str) -> str:
    return _LITERALS.sub('""', re.sub(r"#[^\n]*", "", text))


def bulk_safe(query: str) -> bool:
    """Joining the targets into the outer group equals pre-binding $this (SHACL-SPARQL 5.2.1)
    when every nested group is an EXISTS / NOT EXISTS / OPTIONAL block."""
    body = strip_literals(query)
    if "$currentShape" in body or "$shapesGraph" in body:
        return False
    opens = [m.start() for m in re.finditer(r"\{", body)]
    return all(re.search(r"(EXISTS|OPTIONAL)\s*$", body[:pos], re.IGNORECASE)
               for pos in opens[1:])


_PROLOGUE = re.compile(r"^\s*((PREFIX\s+[^:\s]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*", re.IGNORECASE)


def prebind(query: str, bindings: dict[str, ox.Term]) -> tuple[str, dict[str, ox.Term]]:
    """Pre-bind variables (SHACL-SPARQL 5.2.1) by writing IRIs and literals into the query.

    Blank nodes cannot be written into a query; they are returned to be passed as
    substitutions (SEP-0007), which pyoxigraph applies to projected variables.
    """
    rest: dict[str, ox.Term] = {}
    m = _PROLOGUE.match(query)
    head, body = query[: m.end()], query[m.end():]
    kw = re.match(r"\s*(SELECT|ASK|CONSTRUCT)\b", body, re.IGNORECASE)
    brace = body.find("{")
    projection, where = (body[:brace], body[brace:]) if kw and brace > 0 else ("", body)
    for name, term in bindings.items():
        var = re.compile(r"[?$]" + re.escape(name) + r"(?![A-Za-z0-9_])")
        if isinstance(term, ox.BlankNode):
            rest[name] = term
            if kw and kw.group(1).upper() == "SELECT" and not var.search(projection) \
                    and "*" not in projection:
                projection = projection.rstrip() + f" ?{name} "
            continue
        text = sparql_term(term)

        def project(seg: str, t: str = text, n: str = name, v: re.Pattern = var) -> str:
            return v.sub(lambda _m: f"({t} AS \x00{n})", seg)

        where = re.sub(r"(?i)\bbound\s*\(\s*[?$]" + re.escape(name) + r"\s*\)", "(true)", where)
        where = re.sub(r"(?is)\bSELECT\b[^{]*?(?=\bWHERE\b|\{)",
                       lambda mm: project(mm.group(0)), where)
        where = var.sub(lambda _m, t=text: t, where)
        projection = var.sub("", projection)
        if re.fullmatch(r"(?is)\s*SELECT(\s+(DISTINCT|REDUCED))?\s*(WHERE\s*)?", projection):
            projection = re.sub(r"(?i)(\s*WHERE\s*)?$", " * ", projection, count=1)
        where = where.replace("\x00", "?")
    return head + projection + where, rest


def _project(query: str, subs: dict[str, ox.Term], extra: Iterable[str]) -> str:
    """ASK validators: pyoxigraph substitutes only projected variables, so wrap as SELECT."""
    return query  # ASK queries accept substitutions in pyoxigraph


def fill(message: ox.Literal, bindings: dict[str, ox.Term]) -> ox.Literal:
    """``{?var}`` / ``{$var}`` in a message replaced by the bound values."""
    def rep(m: re.Match[str]) -> str:
        t = bindings.get(m.group(1))
        return t.value if t is not None else m.group(0)
    text = re.sub(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}", rep, message.value)
    if message.language:
        return ox.Literal(text, language=message.language)
    return ox.Literal(text)


def load_shapes(data: bytes | str, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE,
                base_iri: str | None = None) -> ShapesGraph:
    store = ox.Store()
    store.load(data, format=fmt, base_iri=base_iri)
    return ShapesGraph(store)
