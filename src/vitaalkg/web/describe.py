"""Fetch a resource's description from the store, as the caller may read it.

:func:`describe` gives the RDF of a resource (its triples, the blank nodes it points to, the
triples that point at it, and the labels of linked resources) as an rdflib graph; the RDF
formats of ``/doc`` and ``/def`` serialise exactly that. :mod:`.resource_view` turns such a
graph into plain objects with human labels for the templates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from ..namespaces import PREFIXES

LABEL_PROPS = (SKOS.prefLabel, RDFS.label)
DESCRIPTION_PROPS = (DCTERMS.description, SKOS.definition, RDFS.comment)
HEADER_PROPS = {RDF.type, *LABEL_PROPS, *DESCRIPTION_PROPS, DCTERMS.source}

# Only these schemes become links (never ``javascript:`` from an IRI in the data).
SAFE_LINK_SCHEMES = {"http", "https", "mailto", "ftp"}

# Characters that may not occur in an IRI written as <…> in SPARQL or Turtle.
_BAD_IRI_CHARS = re.compile(r'[\x00-\x20<>"{}|^`\\]')


class PublicStore:
    """The store as the caller sees it: queries run on the readable named graphs only (the
    loaded ontology, shapes and data, plus current versions of the plans the principal may
    read — for the public: public plans), never on other restricted plans.
    ``triple_count``/``graphs`` of the whole store serve as cache keys."""

    def __init__(self, store: Any, base: str, principal: Any = None) -> None:
        self.store = store
        self.base = base
        self.public_graphs = public_graphs(store, base, principal)
        # everything public: the (much faster) union default graph gives the same answers
        self._everything = set(self.public_graphs) == set(store.graphs())

    def query(self, sparql: str) -> Any:
        if self._everything:
            return self.store.query(sparql)
        graphs = self.public_graphs
        return self.store.query(sparql, default_graph=graphs, named_graphs=graphs)

    def triple_count(self) -> int:
        return self.store.triple_count()

    def graphs(self) -> list[str]:
        return self.store.graphs()


def public_graphs(store: Any, base: str, principal: Any = None) -> list[str]:
    """The named graphs ``principal`` (default: anybody) may read: the knowledge and the
    current versions of the plans it may see (:meth:`PlanRegistry.dataset_for`)."""
    try:
        from ..plans.registry import PlanRegistry
        from ..plans.tokens import PUBLIC
    except ImportError:
        pass
    else:
        default, _named = PlanRegistry(store, base).dataset_for(principal or PUBLIC)
        return default
    prefixes = tuple(f"{base}graph/{d}/" for d in ("ontology", "shapes", "data"))
    return [g for g in store.graphs() if g.startswith(prefixes)]


def valid_iri(iri: str) -> bool:
    """Whether ``iri`` can be written safely as ``<iri>`` in a SPARQL query."""
    return bool(iri) and not _BAD_IRI_CHARS.search(iri)


def construct(store: Any, sparql: str) -> Graph:
    """Run a CONSTRUCT query on the store and return the triples as an rdflib graph."""
    result = store.query(sparql)
    graph = new_graph()
    if isinstance(result, Graph):
        graph += result
        return graph
    import pyoxigraph as ox

    data = result.serialize(format=ox.RdfFormat.N_TRIPLES)
    if data:
        graph.parse(data=data, format="nt")
    return graph


def new_graph() -> Graph:
    """An empty rdflib graph with the project's prefixes bound."""
    graph = Graph(bind_namespaces="none")
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    return graph


INVERSE_SHOWN = 200  # resources per inverse property on a page ("Verwijzingen naar deze bron")


def _capped_subquery(r: str, prop: str, var: str, cap: int) -> str:
    """``cap`` of the resources that point at ``r`` with ``prop``: the first in the store's
    index order, the same in both places the query uses it (ORDER BY would have to decode
    every IRI: ~0.3 s for 10,000 on disk)."""
    return f"{{ SELECT ?{var} WHERE {{ ?{var} <{prop}> {r} FILTER(isIRI(?{var})) }} LIMIT {cap} }}"


def _describe_query(iri: str, inverse: bool, capped: Sequence[str] = (),
                    cap: int = INVERSE_SHOWN, capped_forward: Sequence[str] = ()) -> str:
    r = f"<{iri}>"  # written into every pattern: "VALUES ?r { <iri> }" is joined by Oxigraph
    # only after it has evaluated the UNION for every resource (~150x slower at 10k actions)
    capped = [p for p in capped if valid_iri(p)]
    not_capped = (f" && ?ip NOT IN ({', '.join(f'<{p}>' for p in capped)})" if capped
                  else "")
    forward = [p for p in capped_forward if valid_iri(p)]
    own = f"{{ {r} ?p ?o }}"
    linked_own = f"{{ {r} ?lx ?lo }}"
    if forward:  # only the first values of a property with very many
        not_forward = ", ".join(f"<{p}>" for p in forward)
        own = f"{{ {r} ?p ?o FILTER(?p NOT IN ({not_forward})) }}"
        linked_own = f"{{ {r} ?lx ?lo FILTER(?lx NOT IN ({not_forward})) }}"
        for prop in forward:
            own += (f" UNION {{ {{ SELECT ?o WHERE {{ {r} <{prop}> ?o }} LIMIT {cap} }} "
                    f"BIND(<{prop}> AS ?p) }}")
            linked_own += f" UNION {{ SELECT ?lo WHERE {{ {r} <{prop}> ?lo }} LIMIT {cap} }}"
    inverse_part = ""
    linked = f"{linked_own} UNION {{ {r} ?lx ?lb . FILTER(isBlank(?lb)) ?lb ?ly ?lo }}"
    if inverse:
        inverse_part = f"UNION {{ ?s ?ip {r} . FILTER(isIRI(?s){not_capped}) }}"
        linked += f" UNION {{ ?lo ?ip {r} FILTER(isIRI(?lo){not_capped}) }}"
        for prop in capped:  # only the first resources of a property with very many
            inverse_part += (f" UNION {{ {_capped_subquery(r, prop, 's', cap)} "
                             f"BIND(<{prop}> AS ?ip) }}")
            linked += f" UNION {_capped_subquery(r, prop, 'lo', cap)}"
    return f"""
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
CONSTRUCT {{
  {r} ?p ?o . ?b1 ?p1 ?o1 . ?b2 ?p2 ?o2 . ?b3 ?p3 ?o3 . ?s ?ip {r} . ?lo ?lp ?ll .
}} WHERE {{
  {{ {own} }}
  UNION {{ {r} ?x1 ?b1 . FILTER(isBlank(?b1)) ?b1 ?p1 ?o1 }}
  UNION {{ {r} ?x1 ?y1 . FILTER(isBlank(?y1)) ?y1 ?x2 ?b2 . FILTER(isBlank(?b2)) ?b2 ?p2 ?o2 }}
  UNION {{ {r} ?x1 ?y1 . FILTER(isBlank(?y1)) ?y1 ?x2 ?y2 . FILTER(isBlank(?y2))
           ?y2 ?x3 ?b3 . FILTER(isBlank(?b3)) ?b3 ?p3 ?o3 }}
  {inverse_part}
  UNION {{ {{ {linked} }} FILTER(isIRI(?lo) && ?lo != {r})
           {{ ?lo rdfs:label ?ll BIND(rdfs:label AS ?lp) }}
           UNION {{ ?lo skos:prefLabel ?ll BIND(skos:prefLabel AS ?lp) }} }}
}}"""
# (a UNION per label property, not "VALUES ?lp { … } ?lo ?lp ?ll": Oxigraph would start that
# join from every label in the store, 10-20x slower on a large store)


def inverse_counts(store: Any, iri: str) -> dict[str, int]:
    """How many resources point at ``iri``, per property."""
    if not valid_iri(iri):
        return {}
    rows = store.query(f"SELECT ?ip (COUNT(?s) AS ?n) WHERE {{ ?s ?ip <{iri}> "
                       "FILTER(isIRI(?s)) } GROUP BY ?ip")
    return {row["ip"].value: int(row["n"].value) for row in rows}


def forward_counts(store: Any, iri: str) -> dict[str, int]:
    """How many values ``iri`` has, per property."""
    if not valid_iri(iri):
        return {}
    rows = store.query(f"SELECT ?p (COUNT(?o) AS ?n) WHERE {{ <{iri}> ?p ?o }} GROUP BY ?p")
    return {row["p"].value: int(row["n"].value) for row in rows}


def describe(store: Any, iri: str, *, inverse: bool = True,
             capped: Sequence[str] = (), capped_forward: Sequence[str] = (),
             cap: int = INVERSE_SHOWN) -> Graph:
    """The description of ``iri``: its triples with blank-node closure (three levels deep),
    the triples pointing at it (``inverse``; for the properties in ``capped`` only the first
    ``cap``, default :data:`INVERSE_SHOWN`), and the labels of the resources it links to. For
    the properties in ``capped_forward`` only the first ``cap`` values (a page; the RDF is
    whole)."""
    if not valid_iri(iri):
        return new_graph()
    return construct(store, _describe_query(iri, inverse, capped, cap=cap,
                                            capped_forward=capped_forward))


def exists(graph: Graph, iri: str) -> bool:
    """Whether the description says anything about ``iri`` (as subject or object)."""
    node = URIRef(iri)
    return (node, None, None) in graph or (None, None, node) in graph


def jsonld_for_script(graph: Graph) -> str:
    """The graph as JSON-LD that is safe inside ``<script type="application/ld+json">``."""
    text = to_jsonld(graph)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def to_jsonld(graph: Graph) -> str:
    """The graph as compact JSON-LD with the project's prefixes as context."""
    context = {prefix: iri for prefix, iri in PREFIXES.items()}
    data = graph.serialize(format="json-ld", context=context, auto_compact=True)
    return json.dumps(json.loads(data), ensure_ascii=False, indent=1)


def own_description(graph: Graph, node: URIRef) -> Graph:
    """The triples of ``node`` and its blank nodes only (no inverse triples, no labels)."""
    result = new_graph()
    todo: list[Any] = [node]
    seen: set[Any] = set()
    while todo:
        subject = todo.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for p, o in graph.predicate_objects(subject):
            result.add((subject, p, o))
            if isinstance(o, BNode):
                todo.append(o)
    return result


def describe_in_graph(source: Graph, iri: str) -> Graph:
    """Like :func:`describe`, for a resource of an in-memory graph (the dataset description)."""
    node = URIRef(iri)
    result = own_description(source, node)
    for s, p in source.subject_predicates(node):
        if isinstance(s, URIRef):
            result.add((s, p, node))
    linked = {o for o in result.objects() if isinstance(o, URIRef)} | set(result.subjects())
    for other in linked:
        if other != node:
            for prop in LABEL_PROPS:
                for label in source.objects(other, prop):
                    result.add((other, prop, label))
    return result
