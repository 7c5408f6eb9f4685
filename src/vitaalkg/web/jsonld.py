"""JSON-LD that is usable as plain JSON: a stable context of terms, and resources framed.

:func:`build_context` makes the context published at ``/def/context.jsonld`` from the ontology
(a term per class and property of ``vkg:``) and the standard properties in use (``rdfs:label``,
``skos:prefLabel``, ``dct:source``, ``org:memberOf`` …): ``@type: @id`` for links, a datatype
where the ontology gives one, ``@container: @language`` (a language map) for labels and texts,
``@container: @set`` (always an array) for every property that may repeat.

:func:`resource_document` writes the description of one resource with that context: the
resource itself at the top, the resources that point at it under ``@reverse``, the labels of
related resources under ``@included``, by reference (``@id``). :func:`graph_document` writes a
whole graph as ``@graph``. Every triple of the input is in the output (a JSON-LD processor
expands either to the same RDF as the Turtle).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

from ..namespaces import ID, PREFIXES

DEFAULT_ID = str(ID)

LANGUAGE_PROPS = (RDFS.label, RDFS.comment, SKOS.prefLabel, SKOS.altLabel, SKOS.definition,
                  SKOS.scopeNote, DCTERMS.title, DCTERMS.description, DCTERMS.alternative)
LINK_PROPS = (DCTERMS.source, DCTERMS.license, DCTERMS.publisher, DCTERMS.subject,
              DCTERMS.isPartOf, DCTERMS.hasPart, DCTERMS.conformsTo, ORG.memberOf,
              ORG.hasMember, ORG.subOrganizationOf, ORG.hasSubOrganization,
              FOAF.primaryTopic, FOAF.isPrimaryTopicOf, FOAF.homepage, FOAF.page, OWL.sameAs,
              RDFS.seeAlso, RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range,
              RDFS.isDefinedBy, SKOS.inScheme, SKOS.broader, SKOS.narrower, SKOS.related,
              SKOS.exactMatch, SKOS.closeMatch, SKOS.hasTopConcept, SKOS.topConceptOf,
              PROV.wasDerivedFrom, PROV.wasAttributedTo, PROV.wasRevisionOf,
              PROV.wasGeneratedBy)
PLAIN_PROPS = (SKOS.notation, DCTERMS.identifier, DCTERMS.created, DCTERMS.modified,
               DCTERMS.issued, PROV.generatedAtTime)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_KEYWORDS_LIKE = {"type", "id", "context", "graph"}


@dataclass
class Term:
    """One term of the context."""

    name: str
    iri: str
    coerce: str | None = None  # "@id", a datatype IRI, or None
    container: str | None = None  # "@set", "@language" or None

    def definition(self) -> dict[str, str]:
        out = {"@id": self.iri}
        if self.coerce:
            out["@type"] = self.coerce
        if self.container:
            out["@container"] = self.container
        return out


@dataclass
class Context:
    """The terms and prefixes of the published context."""

    prefixes: dict[str, str]
    terms: dict[str, Term] = field(default_factory=dict)  # by IRI
    classes: dict[str, str] = field(default_factory=dict)  # IRI -> term name

    def document(self) -> dict[str, Any]:
        """The context object (``{"@version": 1.1, ...}``)."""
        ctx: dict[str, Any] = {"@version": 1.1, **self.prefixes}
        for iri, name in sorted(self.classes.items(), key=lambda x: x[1]):
            ctx[name] = {"@id": iri}
        for term in sorted(self.terms.values(), key=lambda t: t.name):
            ctx[term.name] = term.definition()
        return ctx

    def compact_iri(self, iri: str) -> str:
        """``prefix:local`` where a prefix fits, else the IRI."""
        best = ""
        for prefix, ns in self.prefixes.items():
            if iri.startswith(ns) and len(ns) > len(self.prefixes.get(best, "")):
                local = iri[len(ns):]
                if local and "/" not in local and "#" not in local and not local.startswith("/"):
                    best = prefix
        return f"{best}:{iri[len(self.prefixes[best]):]}" if best else iri

    def type_name(self, iri: str) -> str:
        return self.classes.get(iri) or self.compact_iri(iri)


def build_context(store: Any, base: str) -> Context:
    """The context for the store's ontology (classes and properties of ``{base}def/``) and the
    standard properties used in its knowledge graphs."""
    vkg = f"{base}def/"
    # no prefix for {base}id/: a processor compacting with this context keeps the IRIs of
    # things whole ("@id": "https://…/id/veiligheidsregio/vr13"), as we write them
    prefixes = {k: v for k, v in {**PREFIXES, "vkg": vkg}.items() if not v.startswith(
        f"{base}id/") and not v.startswith(DEFAULT_ID)}
    ctx = Context(prefixes)
    taken = set(prefixes) | _KEYWORDS_LIKE
    rows = store.query(f"""SELECT ?t ?k ?range WHERE {{ ?t a ?k .
        VALUES ?k {{ <{OWL.Class}> <{RDFS.Class}> <{OWL.ObjectProperty}> <{OWL.DatatypeProperty}>
                    <{RDF.Property}> <{OWL.AnnotationProperty}> <{OWL.FunctionalProperty}> }}
        OPTIONAL {{ ?t <{RDFS.range}> ?range }}
        FILTER(STRSTARTS(STR(?t), "{vkg}")) }}""")
    kinds: dict[str, set[str]] = {}
    ranges: dict[str, str] = {}
    for r in rows:
        iri = r["t"].value
        kinds.setdefault(iri, set()).add(r["k"].value)
        if r["range"] is not None and isinstance(r["range"].value, str):
            ranges.setdefault(iri, r["range"].value)
    for iri in sorted(kinds):
        local = iri[len(vkg):]
        if not _NAME.match(local) or local in taken:
            continue
        k = kinds[iri]
        if k & {str(OWL.Class), str(RDFS.Class)}:
            ctx.classes[iri] = local
            taken.add(local)
            continue
        coerce = None
        if str(OWL.ObjectProperty) in k:
            coerce = "@id"
        elif str(OWL.DatatypeProperty) in k and ranges.get(iri, "").startswith(str(XSD)) \
                and ranges[iri] != str(XSD.string):
            coerce = ranges[iri]
        container = None if str(OWL.FunctionalProperty) in k else "@set"
        ctx.terms[iri] = Term(local, iri, coerce, container)
        taken.add(local)
    used = _standard_in_use(store, vkg)
    for iri, coerce, container in _standard_terms(used):
        local = re.split(r"[/#]", iri)[-1]
        name = local if local not in taken else ctx.compact_iri(iri).replace(":", "_")
        if not _NAME.match(name) or name in taken:
            continue
        ctx.terms[iri] = Term(name, iri, coerce, container)
        taken.add(name)
    return ctx


def _standard_in_use(store: Any, vkg: str) -> dict[str, set[str]]:
    """Predicates outside ``vkg:`` in the knowledge, with the kinds of their objects."""
    rows = store.query(f"""SELECT DISTINCT ?p ?kind WHERE {{ ?s ?p ?o
        FILTER(!STRSTARTS(STR(?p), "{vkg}"))
        BIND(IF(isIRI(?o) || isBlank(?o), "iri", IF(LANG(?o) != "", "lang", "lit")) AS ?kind)
        }}""")
    out: dict[str, set[str]] = {}
    for r in rows:
        out.setdefault(r["p"].value, set()).add(r["kind"].value)
    return out


def _standard_terms(used: dict[str, set[str]]) -> list[tuple[str, str | None, str | None]]:
    """(IRI, coercion, container) of the standard properties: the well-known ones, then those
    in use (rdf:type is ``@type``)."""
    out: dict[str, tuple[str | None, str | None]] = {}
    for p in LANGUAGE_PROPS:
        out[str(p)] = (None, "@language")
    for p in LINK_PROPS:
        out[str(p)] = ("@id", "@set")
    for p in PLAIN_PROPS:
        out[str(p)] = (None, "@set")
    for iri, kinds in sorted(used.items()):
        if iri in out or iri == str(RDF.type):
            continue
        if kinds == {"iri"}:
            out[iri] = ("@id", "@set")
        elif kinds == {"lang"}:
            out[iri] = (None, "@language")
        else:
            out[iri] = (None, "@set")
    return [(iri, c, k) for iri, (c, k) in out.items()]


# -- writing ---------------------------------------------------------------------------------
class _Writer:
    """Turns the triples of an rdflib graph into node objects, keeping track of what is
    written so that nothing is left out."""

    def __init__(self, graph: Graph, ctx: Context) -> None:
        self.graph = graph
        self.ctx = ctx
        self.written: set[tuple[Any, Any, Any]] = set()
        self.refs = Counter(o for o in graph.objects() if isinstance(o, BNode))
        self.bnode_ids: dict[BNode, str] = {}

    def node_id(self, node: Any) -> str:
        if isinstance(node, BNode):
            return self.bnode_ids.setdefault(node, f"_:b{len(self.bnode_ids)}")
        return str(node)

    def node(self, subject: Any, skip: Any = None, stack: tuple[Any, ...] = ()) -> dict[str, Any]:
        """The node object of ``subject``: its types and properties (not the triples for
        which ``skip(p, o)`` is true); blank nodes used once are embedded."""
        obj: dict[str, Any] = {}
        if not isinstance(subject, BNode) or self.refs[subject] != 1:
            obj["@id"] = self.node_id(subject)
        types = sorted(str(t) for t in self.graph.objects(subject, RDF.type))
        if types:
            obj["@type"] = [self.ctx.type_name(t) for t in types]
            self.written.update((subject, RDF.type, URIRef(t)) for t in types)
        by_prop: dict[Any, list[Any]] = {}
        for p, o in sorted(self.graph.predicate_objects(subject)):
            if p == RDF.type or (skip is not None and skip(p, o)):
                continue
            by_prop.setdefault(p, []).append(o)
        for p, values in by_prop.items():
            self._put(obj, subject, p, values, (*stack, subject))
        return obj

    def _put(self, obj: dict[str, Any], subject: Any, p: Any, values: list[Any],
             stack: tuple[Any, ...]) -> None:
        term = self.ctx.terms.get(str(p))
        fallback = self.ctx.compact_iri(str(p))
        for o in values:
            self.written.add((subject, p, o))
        if term is not None and term.container == "@language":
            texts = [o for o in values if isinstance(o, Literal) and o.datatype is None]
            rest = [o for o in values if o not in texts]
            if texts:
                lang_map: dict[str, list[str]] = {}
                for o in texts:
                    lang_map.setdefault(o.language or "@none", []).append(str(o))
                obj[term.name] = {k: v if len(v) > 1 else v[0] for k, v in lang_map.items()}
            if rest:
                obj[fallback] = [self._value(o, None, stack) for o in rest]
            return
        coerce = term.coerce if term is not None else None
        out = [self._value(o, coerce, stack) for o in values]
        key = term.name if term is not None else fallback
        if term is not None and term.container == "@set":
            obj[key] = out
        else:
            obj[key] = out[0] if len(out) == 1 else out

    def _value(self, o: Any, coerce: str | None, stack: tuple[Any, ...]) -> Any:
        if isinstance(o, BNode):
            if self.refs[o] == 1 and o not in stack:
                return self.node(o, stack=stack)
            return {"@id": self.node_id(o)}
        if isinstance(o, URIRef):
            return str(o) if coerce == "@id" else {"@id": str(o)}
        assert isinstance(o, Literal)
        lexical = str(o)
        if o.language:
            return {"@value": lexical, "@language": o.language}
        datatype = str(o.datatype) if o.datatype is not None else None
        if datatype is None or datatype == str(XSD.string):
            return lexical if coerce is None else {"@value": lexical}
        if coerce == datatype:
            return lexical
        if coerce is None and datatype == str(XSD.integer) and _canonical_int(lexical):
            return int(lexical)
        if coerce is None and datatype == str(XSD.boolean) and lexical in ("true", "false"):
            return lexical == "true"
        return {"@value": lexical, "@type": self.ctx.compact_iri(datatype)}

    def rest(self) -> list[dict[str, Any]]:
        """Node objects for the triples not written yet (by subject)."""
        out = []
        subjects = sorted({s for s, p, o in self.graph if (s, p, o) not in self.written},
                          key=lambda s: (isinstance(s, BNode), str(s)))
        for s in subjects:
            left = {(p, o) for p, o in self.graph.predicate_objects(s)
                    if (s, p, o) not in self.written}
            if not left:
                continue  # written meanwhile, embedded in an earlier node
            node = self.node(s, skip=lambda p, o, left=left: (p, o) not in left)
            node["@id"] = self.node_id(s)
            out.append(node)
        return out


def _canonical_int(text: str) -> bool:
    try:
        return str(int(text)) == text
    except ValueError:
        return False


def resource_document(graph: Graph, iri: str, ctx: Context,
                      context_ref: Any = None) -> dict[str, Any]:
    """The description of ``iri`` framed: the resource at the top, resources that point at it
    under ``@reverse`` (by reference), everything else (labels of related resources) under
    ``@included``."""
    node = URIRef(iri)
    writer = _Writer(graph, ctx)

    def is_reverse(s: Any, p: Any) -> bool:
        return isinstance(s, URIRef) and s != node

    top = {"@context": context_ref if context_ref is not None else ctx.document(),
           **writer.node(node)}
    top["@id"] = iri
    reverse: dict[str, list[dict[str, str]]] = {}
    for s, p in sorted(graph.subject_predicates(node)):
        if is_reverse(s, p):
            term = ctx.terms.get(str(p))
            key = term.name if term is not None else ctx.compact_iri(str(p))
            reverse.setdefault(key, []).append({"@id": str(s)})
            writer.written.add((s, p, node))
    if reverse:
        top["@reverse"] = reverse
    included = writer.rest()
    if included:
        top["@included"] = included
    return top


def graph_document(graph: Graph, ctx: Context, context_ref: Any = None) -> dict[str, Any]:
    """A whole graph: every subject as a node object under ``@graph``."""
    writer = _Writer(graph, ctx)
    return {"@context": context_ref if context_ref is not None else ctx.document(),
            "@graph": writer.rest()}


def dumps(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
