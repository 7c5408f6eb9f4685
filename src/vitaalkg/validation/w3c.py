"""Run the W3C SHACL test suite (data-shapes-test-suite) through an engine.

Each test names a data graph, a shapes graph and the expected ``sh:ValidationReport`` (or
``sht:Failure``). A test passes when conformance and the results agree, compared result by
result as multisets (a missing or an extra duplicate result fails the test) on focus node, path,
value, severity, constraint component and source shape (blank nodes compared as 'some blank
node'; messages ignored), as the suite's README asks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .shacl import (
    RDF_TYPE,
    SH,
    Graph,
    ShaclError,
    ShapesGraph,
    Validator,
    parse_path,
    path_sparql,
)

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
SHT = "http://www.w3.org/ns/shacl-test#"

ResultKey = tuple[str, str | None, str | None, str, str, str]
#: the results of a run: how often each key occurs
Results = Counter[ResultKey]


@dataclass
class Case:
    name: str
    folder: str
    data: Path
    shapes: Path
    failure: bool
    conforms: bool
    expected: Results


def _t(term: ox.Term | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return "_:"
    return str(term)


def _load(path: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())
    return store


def cases(root: Path) -> list[Case]:
    """Every test of the manifest at ``root`` (following mf:include)."""
    out: list[Case] = []
    seen: set[Path] = set()

    def visit(path: Path) -> None:
        path = path.resolve()
        if path in seen:
            return
        seen.add(path)
        store = _load(path)
        g = Graph(store)
        me = ox.NamedNode(path.as_uri())
        for inc in g.objects(me, ox.NamedNode(MF + "include")):
            visit(Path(inc.value.removeprefix("file://")))
        for lst in g.objects(me, ox.NamedNode(MF + "entries")):
            for entry in g.items(lst):
                action = g.value(entry, ox.NamedNode(MF + "action"))
                result = g.value(entry, ox.NamedNode(MF + "result"))
                if action is None or result is None:
                    continue
                data = g.value(action, ox.NamedNode(SHT + "dataGraph"))
                shapes = g.value(action, ox.NamedNode(SHT + "shapesGraph"))
                failure = result == ox.NamedNode(SHT + "Failure")
                conforms = False
                expected: Results = Counter()
                if not failure:
                    c = g.value(result, ox.NamedNode(SH + "conforms"))
                    conforms = c is not None and c.value == "true"
                    for r in g.objects(result, ox.NamedNode(SH + "result")):
                        expected[_expected_key(g, r)] += 1
                rel = path.parent.relative_to(root.resolve().parent) if root.resolve().parent \
                    in path.parents else path.parent
                out.append(Case(
                    name=str(rel / Path(entry.value.removeprefix("file://")).name),
                    folder=str(rel), data=Path(data.value.removeprefix("file://")),
                    shapes=Path(shapes.value.removeprefix("file://")), failure=failure,
                    conforms=conforms, expected=expected))

    visit(root)
    return out


def _expected_key(g: Graph, r: ox.Term) -> ResultKey:
    def v(name: str) -> ox.Term | None:
        return g.value(r, ox.NamedNode(SH + name))

    path_node = v("resultPath")
    path = path_sparql(parse_path(g, path_node)) if path_node is not None else None
    sev = v("resultSeverity")
    return (_t(v("focusNode")) or "", path, _t(v("value")), sev.value if sev else "",
            (v("sourceConstraintComponent") or ox.NamedNode(SH)).value,
            _t(v("sourceShape")) or "")


def run_ours(case: Case, *, bulk: bool = True) -> tuple[bool, Results]:
    """(conforms, results) from the pyoxigraph engine; raises ShaclError on failure."""
    data = _load(case.data)
    shapes = ShapesGraph(data if case.shapes == case.data else _load(case.shapes))
    results = Validator(shapes, bulk=bulk).validate(data)
    keys = Counter((_t(r.focus) or "", path_sparql(r.path) if r.path else None, _t(r.value),
                    r.severity, r.component, _t(r.shape) or "") for r in results)
    return not results, keys


def run_pyshacl(case: Case) -> tuple[bool, Results]:
    """(conforms, results) from pySHACL, in the same form."""
    import pyshacl
    from rdflib import Graph as RGraph

    data = RGraph().parse(case.data, format="turtle")
    shapes = data if case.shapes == case.data else RGraph().parse(case.shapes, format="turtle")
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                           abort_on_first=False, allow_warnings=True)
    store = ox.Store()
    store.load(report.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES)
    g = Graph(store)
    result_type = ox.NamedNode(SH + "ValidationResult")
    keys = Counter(_expected_key(g, r) for r in g.subjects(RDF_TYPE, result_type))
    return bool(conforms), keys


def passes(case: Case, runner: Callable[[Case], tuple[bool, Results]]) -> bool:
    """Whether ``runner`` gives the expected outcome: the same conformance and the same
    results with the same multiplicities, or an error where the test expects a failure."""
    try:
        conforms, keys = runner(case)
    except (ShaclError, SyntaxError, ValueError, RuntimeError, Exception):  # noqa: BLE001
        return case.failure
    if case.failure:
        return False
    return conforms == case.conforms and keys == case.expected
