"""The batched SPARQL compilation of our SHACL engine against its per-node evaluator and
pySHACL, on a generated graph that mixes what the batches combine: several property shapes
on the same and on different paths, min/max counts together and apart, value checks,
inverse, sequence, alternative and zero-or-more paths, subclass targets, several targets."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from vitaalkg.validation.w3c import Case, run_ours, run_pyshacl

SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .

ex:S1 a sh:NodeShape ; sh:targetClass ex:A ;
  sh:property ex:P1, ex:P2, ex:P3, ex:P4, ex:P5, ex:P6, ex:P7, ex:P8, ex:P9, ex:P10, ex:P11 .
ex:P1 sh:path ex:p ; sh:minCount 1 ; sh:maxCount 2 ; sh:datatype xsd:integer .
ex:P2 sh:path ex:q ; sh:minCount 1 .
ex:P3 sh:path ex:q ; sh:maxCount 1 ; sh:nodeKind sh:Literal ; sh:languageIn ( "en" "nl" ) .
ex:P4 sh:path ex:r ; sh:class ex:A ; sh:maxCount 0 .
ex:P5 sh:path ( ex:knows ex:p ) ; sh:minInclusive 0 ; sh:maxExclusive 3 .
ex:P6 sh:path [ sh:inversePath ex:knows ] ; sh:maxCount 1 ; sh:class ex:B .
ex:P7 sh:path [ sh:alternativePath ( ex:p ex:q ) ] ; sh:minCount 2 ; sh:maxCount 3 .
ex:P8 sh:path [ sh:zeroOrMorePath ex:knows ] ; sh:maxCount 4 ; sh:nodeKind sh:IRI .
ex:P9 sh:path ex:s ; sh:in ( ex:x ex:y "z" ) ; sh:minCount 0 ; sh:maxCount 1 .
ex:P10 sh:path ex:q ; sh:pattern "^a" ; sh:flags "i" ; sh:minLength 2 ; sh:maxLength 5 .
ex:P11 sh:path ex:p ; sh:minCount 2 ; sh:maxCount 1 .

ex:S2 a sh:PropertyShape ; sh:targetNode ex:n1, ex:n2 ; sh:targetSubjectsOf ex:r ;
  sh:path ex:p ; sh:minCount 2 ; sh:maxCount 3 ; sh:hasValue 1 ; sh:severity sh:Warning .

ex:S3 a sh:NodeShape ; sh:targetObjectsOf ex:knows ; sh:targetClass ex:C ;
  sh:class ex:C ; sh:nodeKind sh:IRI ;
  sh:property [ sh:path ex:s ; sh:minCount 1 ] .
"""


def random_data(seed: int, n: int = 60) -> str:
    rng = random.Random(seed)
    lines = ["@prefix ex: <http://example.org/> .",
             "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
             "ex:B rdfs:subClassOf ex:A .  ex:D rdfs:subClassOf ex:B ."]
    nodes = [f"ex:n{i}" for i in range(n)]
    p_values = ["0", "1", "2", "7", '"1"', '"x"', '"2.5"^^xsd:decimal', '"abc"^^xsd:integer',
                "ex:n1", "[]"]
    q_values = ['"abc"@en', '"Alpha"@nl', '"a"@de', '"zzzzzz"', '"ab"', "ex:n2", '"AB"@en-GB']
    s_values = ["ex:x", "ex:y", '"z"', "ex:w", '"z"@en']
    for node in nodes:
        for cls in rng.sample(["ex:A", "ex:B", "ex:C", "ex:D"], rng.randint(0, 2)):
            lines.append(f"{node} a {cls} .")
        for pred, values, most in (("ex:p", p_values, 3), ("ex:q", q_values, 3),
                                   ("ex:s", s_values, 2), ("ex:r", nodes, 1),
                                   ("ex:knows", nodes, 3)):
            for value in rng.sample(values, rng.randint(0, most)):
                lines.append(f"{node} {pred} {value} .")
    lines.append('ex:n4 ex:knows "not a node" .')  # a literal focus node (sh:targetObjectsOf)
    lines.append('ex:n5 a ex:A ; ex:r "a literal", _:b1 .  _:b1 a ex:B .')  # not/an instance
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bulk_equals_per_node_and_pyshacl(tmp_path: Path, seed: int) -> None:
    data, shapes = tmp_path / "data.ttl", tmp_path / "shapes.ttl"
    data.write_text(random_data(seed), encoding="utf-8")
    shapes.write_text(SHAPES, encoding="utf-8")
    case = Case(name=f"seed{seed}", folder="", data=data, shapes=shapes, failure=False,
                conforms=False, expected=set())
    bulk_ok, bulk = run_ours(case, bulk=True)
    node_ok, node = run_ours(case, bulk=False)
    ref_ok, ref = run_pyshacl(case)
    assert len(bulk) > 20  # the generated graph breaks many of the rules
    assert bulk == node
    assert bulk == ref
    assert bulk_ok == node_ok == ref_ok is False
    components = {k[4].rsplit("#", 1)[-1] for k in bulk}
    assert {"MinCountConstraintComponent", "MaxCountConstraintComponent",
            "DatatypeConstraintComponent", "ClassConstraintComponent",
            "InConstraintComponent", "LanguageInConstraintComponent"} <= components
