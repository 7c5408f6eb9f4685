"""Constraint components of our SHACL engine on small inline graphs, against the SHACL 1.0
recommendation: property-pair components (one result per offending value / pair, §4.5),
SPARQL-based constraint components with blank-node parameters and ASK validators' messages
(§6). Every case runs in both modes of the engine (compiled to SPARQL and node by node)."""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
import pytest

from vitaalkg.validation.shacl import Result, ShapesGraph, Validator

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
"""
EX = "http://example.org/"
SH = "http://www.w3.org/ns/shacl#"

Key = tuple[str, str, str | None, tuple[str, ...]]


def _store(text: str) -> ox.Store:
    store = ox.Store()
    store.load((PREFIXES + text).encode(), format=ox.RdfFormat.TURTLE)
    return store


def _key(r: Result) -> Key:
    def text(t: ox.Term) -> str:
        return "_:" if isinstance(t, ox.BlankNode) else t.value

    value = None if r.value is None else text(r.value)
    return (text(r.focus), r.component.rsplit("#", 1)[-1].rsplit("/", 1)[-1], value,
            tuple(sorted(m.value for m in r.messages)))


def validate(data: str, shapes: str, *, same_graph: bool = False) -> Counter[Key]:
    """The results as a multiset of (focus, component, value, messages); both modes agree."""
    out = []
    for bulk in (True, False):
        data_store = _store(data + (shapes if same_graph else ""))
        shapes_store = data_store if same_graph else _store(shapes)
        results = Validator(ShapesGraph(shapes_store), bulk=bulk).validate(data_store)
        out.append(Counter(_key(r) for r in results))
    assert out[0] == out[1], "bulk and per-node evaluation disagree"
    return out[0]


def values(results: Counter[Key], component: str) -> Counter[str | None]:
    """How often each value is reported for ``component``."""
    out: Counter[str | None] = Counter()
    for (_, comp, value, _), n in results.items():
        if comp == component:
            out[value] += n
    return out


# -- (a) property-pair components: results per value / per pair ----------------------------------
PAIR_SHAPE = """ex:S a sh:NodeShape ; sh:targetNode ex:n ;
  sh:property [ sh:path ex:a ; sh:{name} ex:b ] .
"""


@pytest.mark.parametrize(("name", "a", "b", "expected"), [
    # "for each pair of value nodes and the values of $lessThan where the first is not less
    # than the second (or they cannot be compared), a result with the value node as sh:value"
    ("lessThan", "1, 2", "0, 1, 5", {"1": 2, "2": 2}),
    ("lessThan", "1, 2", '"a", "b"', {"1": 2, "2": 2}),  # W3C lessThan-002: not comparable
    ("lessThan", "4", "4", {"4": 1}),
    ("lessThan", "1, 2", "5", {}),
    ("lessThanOrEquals", "1, 2", "0, 1, 5", {"1": 1, "2": 2}),
    ("lessThanOrEquals", "1, 2", '2, "x"', {"1": 1, "2": 1}),
    # equals: each value node not among the others, and each other value not a value node
    ("equals", "1, 2", "2, 3", {"1": 1, "3": 1}),
    ("equals", "1, 2", "2, 1", {}),
    # disjoint: each value node that is also one of the others
    ("disjoint", "1, 2, 3", "2, 3, 4", {"2": 1, "3": 1}),
])
def test_property_pair_components_give_one_result_per_offending_pair(
        name: str, a: str, b: str, expected: dict[str, int]) -> None:
    data = f"ex:n ex:a {a} ; ex:b {b} ."
    results = validate(data, PAIR_SHAPE.format(name=name))
    component = name[0].upper() + name[1:] + "ConstraintComponent"
    assert values(results, component) == Counter(expected)
    assert {k[0] for k in results} <= {EX + "n"}


def test_less_than_without_other_values_gives_no_result() -> None:
    assert validate("ex:n ex:a 1, 2 .", PAIR_SHAPE.format(name="lessThan")) == Counter()


@pytest.mark.parametrize(("name", "expected"), [
    ("equals", {EX + "m": 1, EX + "n": 1}),  # the focus node itself is the value node
    ("disjoint", {EX + "n": 1}),
])
def test_pair_components_on_node_shapes(name: str, expected: dict[str, int]) -> None:
    shapes = f"ex:S a sh:NodeShape ; sh:targetNode ex:n ; sh:{name} ex:same ."
    results = validate("ex:n ex:same ex:n, ex:m .", shapes) if name == "disjoint" \
        else validate("ex:n ex:same ex:m .", shapes)
    component = name[0].upper() + name[1:] + "ConstraintComponent"
    assert values(results, component) == Counter(expected)


# -- (b) SPARQL-based components whose parameter value is a blank node -------------------------
COMPONENT = """ex:FlagComponent a sh:ConstraintComponent ;
  sh:parameter [ sh:path ex:flag ] ;
  sh:{key}Validator [ {validator} ] .
"""
SELECT_NOT_USING_PARAM = """sh:select \"\"\"
    SELECT $this ?value WHERE { $this <http://example.org/p> ?value . FILTER (?value > 2) }\"\"\" ;
  sh:message "too big: {?value}" """
SELECT_STAR_NOT_USING_PARAM = """sh:select \"\"\"
    SELECT * WHERE { $this <http://example.org/p> ?value . FILTER (?value > 2) }\"\"\" """
ASK_NOT_USING_PARAM = """sh:ask "ASK { FILTER ($value <= 2) }" """
SELECT_USING_PARAM = """sh:select \"\"\"
    SELECT $this ?value WHERE { $this <http://example.org/p> ?value .
      FILTER (?value > 2 && isBlank($flag)) }\"\"\" """


@pytest.mark.parametrize(("key", "validator", "shape"), [
    ("node", SELECT_NOT_USING_PARAM, "ex:S a sh:NodeShape ; sh:targetClass ex:T ; ex:flag [] ."),
    ("node", SELECT_STAR_NOT_USING_PARAM,
     "ex:S a sh:NodeShape ; sh:targetClass ex:T ; ex:flag [] ."),
    ("property", ASK_NOT_USING_PARAM,
     "ex:S a sh:NodeShape ; sh:targetClass ex:T ; "
     "sh:property [ sh:path ex:p ; ex:flag [ ex:note 'unused' ] ] ."),
    ("node", SELECT_USING_PARAM,
     "ex:S a sh:NodeShape ; sh:targetClass ex:T ; ex:flag [ ex:note 'used' ] ."),
])
def test_blank_node_parameter_does_not_abort_validation(key: str, validator: str,
                                                        shape: str) -> None:
    data = "ex:n1 a ex:T ; ex:p 1 .  ex:n2 a ex:T ; ex:p 3 .  _:n3 a ex:T ; ex:p 5, 2 ."
    shapes = COMPONENT.format(key=key, validator=validator) + shape
    for same_graph in (False, True):  # in the shapes graph only, and where the data is too
        results = validate(data, shapes, same_graph=same_graph)
        found = Counter()
        for (focus, comp, value, _), n in results.items():
            assert comp == "FlagComponent"
            found[(focus, value)] += n
        assert found == Counter({(EX + "n2", "3"): 1, ("_:", "5"): 1})


# -- (c) messages of ASK validators --------------------------------------------------------------
def test_ask_validator_messages_fill_this_value_and_parameters() -> None:
    shapes = """ex:MaxComponent a sh:ConstraintComponent ;
  sh:parameter [ sh:path ex:most ] ;
  sh:validator [ sh:ask "ASK { FILTER ($value <= $most) }" ;
    sh:message "{$value} of {$this} is more than {?most}" , "{?this}: {$most} at most"@en ] .
ex:S a sh:NodeShape ; sh:targetNode ex:n ;
  sh:property [ sh:path ex:p ; ex:most 2 ] .
"""
    results = validate("ex:n ex:p 1, 3 .", shapes)
    assert results == Counter({(EX + "n", "MaxComponent", "3", (
        f"3 of {EX}n is more than 2", f"{EX}n: 2 at most")): 1})


def test_select_validator_messages_fill_this_value_and_parameters() -> None:
    shapes = """ex:MaxComponent a sh:ConstraintComponent ;
  sh:parameter [ sh:path ex:most ] ;
  sh:propertyValidator [ sh:select \"\"\"
      SELECT $this ?value WHERE { $this $PATH ?value . FILTER (?value > $most) }\"\"\" ;
    sh:message "{$value} of {$this} is more than {?most}" ] .
ex:S a sh:NodeShape ; sh:targetNode ex:n ;
  sh:property [ sh:path ex:p ; ex:most 2 ] .
"""
    results = validate("ex:n ex:p 1, 3 .", shapes)
    assert results == Counter({(EX + "n", "MaxComponent", "3",
                                (f"3 of {EX}n is more than 2",)): 1})


def test_sparql_constraint_messages_fill_this_in_both_modes() -> None:
    shapes = """ex:S a sh:NodeShape ; sh:targetNode ex:n ;
  sh:sparql [ sh:select \"\"\"
      SELECT ?value WHERE { $this <http://example.org/p> ?value . FILTER (?value > 2) }\"\"\" ;
    sh:message "{$value} of {$this}" ] .
"""
    results = validate("ex:n ex:p 1, 3 .", shapes)
    assert results == Counter({(EX + "n", "SPARQLConstraintComponent", "3",
                                (f"3 of {EX}n",)): 1})
