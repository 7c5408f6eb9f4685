"""The vocabulary and data model: constants, results, paths and the parsed shapes.

Plain data only: :class:`Result` (one ``sh:ValidationResult``), property paths as nested
tuples (:data:`Path`), :class:`Graph` (read helpers over a store), :class:`Shape` and the
SPARQL constraints and components a shape carries. Reading a shapes graph into these is
:mod:`.shapes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"


def N(iri: str) -> ox.NamedNode:  # noqa: N802 - short constructor
    """An IRI."""
    return ox.NamedNode(iri)


RDF_TYPE, RDF_FIRST, RDF_REST, RDF_NIL = (N(RDF + x) for x in ("type", "first", "rest", "nil"))
RDFS_SUBCLASS = N(RDFS + "subClassOf")
LANG_STRING = RDF + "langString"
TRUE = ox.Literal("true", datatype=N(XSD + "boolean"))


def S(name: str) -> ox.NamedNode:  # noqa: N802
    """An IRI in the SHACL namespace."""
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
    """The path in SPARQL property path syntax."""
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
    """The term as SPARQL / N-Triples text."""
    return str(term)  # pyoxigraph prints terms in N-Triples / SPARQL syntax


# -- the shapes graph --------------------------------------------------------------------------
class Graph:
    """Small read helpers over a pyoxigraph store (the default graph)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def objects(self, s: ox.Term, p: ox.NamedNode) -> list[ox.Term]:
        """Objects of ``s p ?o`` (none for a literal subject)."""
        if isinstance(s, ox.Literal):
            return []
        return [q.object for q in self.store.quads_for_pattern(s, p, None, ox.DefaultGraph())]

    def subjects(self, p: ox.NamedNode, o: ox.Term) -> list[ox.Term]:
        """Subjects of ``?s p o``."""
        return [q.subject for q in self.store.quads_for_pattern(None, p, o, ox.DefaultGraph())]

    def value(self, s: ox.Term, p: ox.NamedNode) -> ox.Term | None:
        """One object of ``s p ?o``, or None."""
        objs = self.objects(s, p)
        return objs[0] if objs else None

    def items(self, node: ox.Term) -> list[ox.Term]:
        """The members of the RDF list at ``node``."""
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
    """The SHACL property path at ``node`` as a :data:`Path`."""
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
        """A property shape (one with ``sh:path``)."""
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
