"""SHACL-SPARQL in our engine: pre-binding variables into query text (SHACL-SPARQL 5.2.1), and
the project's own shapes (with their SPARQL constraints) giving the same results whether
compiled to SPARQL for all focus nodes or evaluated node by node."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from vitaalkg.validation.shacl import Result, ShapesGraph, Validator
from vitaalkg.validation.shacl.sparql import bulk_safe, prebind

ROOT = Path(__file__).resolve().parents[1]
IRI = ox.NamedNode("http://example.org/x")
SUM = ("SELECT $this (SUM(?p) AS ?value) WHERE { $this <http://example.org/p> ?p } "
       "GROUP BY $this HAVING (SUM(?p) != 100) ORDER BY $this")


def test_prebind_writes_terms_into_group_by_and_order_by_as_expressions() -> None:
    query, rest = prebind(SUM, {"this": IRI})
    assert rest == {}
    assert "GROUP BY (<http://example.org/x>)" in query
    assert "ORDER BY (<http://example.org/x>)" in query
    store = ox.Store()
    store.add(ox.Quad(IRI, ox.NamedNode("http://example.org/p"), ox.Literal(5)))
    assert [row["value"].value for row in store.query(query)] == ["5"]


def test_prebind_leaves_out_blank_nodes_the_query_does_not_mention() -> None:
    blank = ox.BlankNode()
    query, rest = prebind("ASK { FILTER ($value > 2) }", {"value": ox.Literal(3), "p": blank})
    assert rest == {}
    query, rest = prebind("SELECT $this ?v WHERE { $this ?q ?v FILTER (?v != $p) }",
                          {"this": IRI, "p": blank})
    assert rest == {"p": blank}
    assert re.match(r"SELECT\s+\?v \?p\s+WHERE\s*\{", query), query  # projected before WHERE
    store = ox.Store()
    store.add(ox.Quad(IRI, IRI, ox.Literal(1)))
    rows = store.query(query, substitutions={ox.Variable("p"): blank})
    assert [(row["v"].value, row["p"]) for row in rows] == [("1", blank)]


@pytest.mark.parametrize(("query", "safe"), [
    ("SELECT $this ?value WHERE { $this <http://example.org/p> ?value }", True),
    ("SELECT * WHERE { $this <http://example.org/p> ?value }", True),
    # the focus node would be lost when the targets are joined in: evaluate per focus node
    ("SELECT ?value WHERE { $this <http://example.org/p> ?value }", False),
    ("SELECT $this WHERE { $this <http://example.org/p> ?v . { ?v ?p ?o } }", False),
])
def test_bulk_safe(query: str, safe: bool) -> None:
    assert bulk_safe(query) is safe


def _key(r: Result) -> tuple[str, ...]:
    def text(t: ox.Term | None) -> str:
        return "_:" if isinstance(t, ox.BlankNode) else "" if t is None else str(t)
    return (text(r.focus), r.component, text(r.shape), str(r.path), text(r.value),
            *sorted(str(m) for m in r.messages))


@pytest.mark.parametrize("shape_files", [("plans.ttl",), ("plans.ttl", "knowledge.ttl")])
def test_project_shapes_give_the_same_results_in_both_modes(shape_files: tuple[str, ...]) -> None:
    data = ox.Store()
    for folder in ("data", "ontology", "data/examples"):
        for path in sorted((ROOT / folder).glob("*.ttl")):
            data.load(path=str(path), format=ox.RdfFormat.TURTLE)
    shapes = ox.Store()
    for name in shape_files:
        shapes.load(path=str(ROOT / "shapes" / name), format=ox.RdfFormat.TURTLE)
    graph = ShapesGraph(shapes)
    bulk = Counter(_key(r) for r in Validator(graph, bulk=True).validate(data))
    node = Counter(_key(r) for r in Validator(graph, bulk=False).validate(data))
    assert bulk  # the example plans have defects
    assert bulk == node
