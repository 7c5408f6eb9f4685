"""The dataset description (VoID + DCAT, DCAT-AP-NL where it fits) and the full dumps.

Both are generated from the store on request and cached until the store changes (the cache
key is the store's triple count and its list of named graphs).
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, VOID, XSD

from ..config import Settings
from ..namespaces import PREFIXES
from .dcat import Profile, add_profile
from .describe import new_graph

EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
IANA = "https://www.iana.org/assignments/media-types/"

TITLE_NL = "vitaalkg — Kennisbank crisisbeheersing en vitale infrastructuur"
TITLE_EN = "vitaalkg — Knowledge base crisis management and vital infrastructure"
DESCRIPTION_NL = (
    "Kennisbank over de samenwerking tussen de 25 veiligheidsregio's, ministeries en vitale "
    "bedrijven (drinkwater, elektriciteit, gas, olie, ICT & telecom): de rolbeschrijving van de "
    "veiligheidsregio met taken en wettelijke grondslag, de acht thema's, sectornetwerken, "
    "sectoragenda's, actieplannen en de Landelijke Agenda Crisisbeheersing. Elk feit verwijst "
    "naar zijn bron."
)
DESCRIPTION_EN = (
    "Knowledge base on the cooperation between the 25 Dutch safety regions, ministries and "
    "vital companies (drinking water, electricity, gas, oil, ICT & telecom): the role "
    "description of the safety region with tasks and legal basis, the eight themes, sector "
    "networks, sector agendas, action plans and the national crisis management agenda. Every "
    "fact names its source."
)

DUMP_FILES: dict[str, tuple[str, str, str]] = {
    # file name -> (title, media type, EU file type)
    "vitaalkg.nt.gz": ("N-Triples (gzip)", "application/n-triples", "RDF_N_TRIPLES"),
    "vitaalkg.ttl": ("Turtle", "text/turtle", "RDF_TURTLE"),
}
EXAMPLE_RESOURCES = (
    "id/veiligheidsregio/vr13",
    "id/netwerk/continuiteit",
    "id/thema/1",
    "id/rolbeschrijving/veiligheidsregio",
)


@dataclass(frozen=True)
class DatasetIris:
    """The IRIs the description mints, all under the configured base."""

    base: str

    @property
    def catalog(self) -> URIRef:
        return URIRef(f"{self.base}id/catalogus/vitaalkg")

    @property
    def dataset(self) -> URIRef:
        return URIRef(f"{self.base}id/dataset/vitaalkg")

    @property
    def service(self) -> URIRef:
        return URIRef(f"{self.base}id/dataservice/sparql")

    @property
    def endpoint(self) -> URIRef:
        return URIRef(f"{self.base}sparql")

    def distribution(self, filename: str) -> URIRef:
        return URIRef(f"{self.base}id/distributie/{filename.replace('.', '-')}")

    def dump(self, filename: str) -> URIRef:
        return URIRef(f"{self.base}dumps/{filename}")


def _count(store: Any, sparql: str) -> int:
    rows = list(store.query(sparql))
    return int(rows[0][0].value) if rows else 0


def store_key(store: Any) -> tuple[Any, ...]:
    """Changes whenever the content of the store (or what the public may see) changes."""
    return (store.triple_count(), tuple(store.graphs()),
            tuple(getattr(store, "public_graphs", ())))


class _Cache:
    """A tiny cache of generated artefacts, invalidated when the store key changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[int, str, int], tuple[Any, Any]] = {}

    def get(self, store: Any, name: str, make: Any) -> Any:
        key = store_key(store)
        # one slot per visible dataset: callers with different access do not evict each other
        slot = (id(getattr(store, "store", store)), name, hash(key[2]))
        with self._lock:
            hit = self._entries.get(slot)
            if hit is not None and hit[0] == key:
                return hit[1]
        value = make()
        with self._lock:
            self._entries[slot] = (key, value)
        return value


CACHE = _Cache()


def void_graph(store: Any, settings: Settings) -> Graph:
    """The VoID + DCAT (DCAT-AP-NL 3.0) description of the knowledge base (cached)."""
    return CACHE.get(store, f"void:{settings.base}", lambda: _build_void(store, settings))


def _build_void(store: Any, settings: Settings) -> Graph:
    base = settings.base
    iris = DatasetIris(base)
    g = new_graph()
    g.bind("dcat", DCAT)
    g.bind("void", VOID)
    profile = Profile.from_settings(settings)
    license_ = profile.license
    ds = iris.dataset

    g.add((iris.catalog, RDF.type, DCAT.Catalog))
    g.add((iris.catalog, DCTERMS.title, Literal("Catalogus vitaalkg", lang="nl")))
    g.add((iris.catalog, DCTERMS.title, Literal("vitaalkg catalogue", lang="en")))
    g.add((iris.catalog, DCTERMS.description,
           Literal("De datasets en diensten van vitaalkg.", lang="nl")))
    g.add((iris.catalog, DCAT.dataset, ds))
    g.add((iris.catalog, DCAT.service, iris.service))
    g.add((iris.catalog, FOAF.homepage, URIRef(base)))

    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, RDF.type, VOID.Dataset))
    for text, lang in ((TITLE_NL, "nl"), (TITLE_EN, "en")):
        g.add((ds, DCTERMS.title, Literal(text, lang=lang)))
        g.add((ds, RDFS.label, Literal(text, lang=lang)))
    g.add((ds, DCTERMS.description, Literal(DESCRIPTION_NL, lang="nl")))
    g.add((ds, DCTERMS.description, Literal(DESCRIPTION_EN, lang="en")))
    g.add((ds, DCTERMS.license, license_))
    for keyword in ("crisisbeheersing", "vitale infrastructuur", "veiligheidsregio",
                    "continuïteit van de samenleving", "linked data"):
        g.add((ds, DCAT.keyword, Literal(keyword, lang="nl")))
    g.add((ds, DCAT.landingPage, URIRef(base)))
    g.add((ds, FOAF.homepage, URIRef(base)))
    g.add((ds, VOID.sparqlEndpoint, iris.endpoint))
    g.add((ds, VOID.uriSpace, Literal(f"{base}id/")))
    g.add((ds, VOID.uriRegexPattern, Literal(f"^{base}(id|def)/")))
    g.add((ds, VOID.rootResource, URIRef(f"{base}id/rolbeschrijving/veiligheidsregio")))
    g.add((ds, VOID.feature, URIRef("http://www.w3.org/ns/formats/Turtle")))
    g.add((ds, VOID.feature, URIRef("http://www.w3.org/ns/formats/N-Triples")))
    g.add((ds, VOID.feature, URIRef("http://www.w3.org/ns/formats/JSON-LD")))
    g.add((ds, VOID.feature, URIRef("http://www.w3.org/ns/formats/RDF_XML")))
    for prefix in ("vkg", "org", "skos", "dct", "prov", "foaf"):
        g.add((ds, VOID.vocabulary, URIRef(PREFIXES[prefix])))

    # statistics
    g.add((ds, VOID.triples, Literal(_count(
        store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o "
               "WHERE { GRAPH ?g { ?s ?p ?o } } }"), datatype=XSD.integer)))
    g.add((ds, VOID.entities, Literal(_count(
        store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
               f'FILTER(STRSTARTS(STR(?s), "{base}id/")) }}'), datatype=XSD.integer)))
    g.add((ds, VOID.distinctSubjects, Literal(_count(
        store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
        datatype=XSD.integer)))
    g.add((ds, VOID.properties, Literal(_count(
        store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
        datatype=XSD.integer)))
    classes = list(store.query(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } FILTER(isIRI(?c)) } "
        "GROUP BY ?c ORDER BY DESC(?n) ?c"))
    g.add((ds, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    for row in classes:
        part = BNode()
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(row["c"].value)))
        g.add((part, VOID.entities, Literal(int(row["n"].value), datatype=XSD.integer)))
    for path in EXAMPLE_RESOURCES:
        iri = f"{base}{path}"
        if store.query(f"ASK {{ <{iri}> ?p ?o }}"):
            g.add((ds, VOID.exampleResource, URIRef(iri)))

    # distributions: the dumps and the SPARQL endpoint
    for filename, (title, media, filetype) in DUMP_FILES.items():
        dist = iris.distribution(filename)
        url = iris.dump(filename)
        g.add((ds, DCAT.distribution, dist))
        g.add((ds, VOID.dataDump, url))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(f"Volledige dump, {title}", lang="nl")))
        g.add((dist, DCTERMS.title, Literal(f"Full dump, {title}", lang="en")))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.accessURL, url))
        g.add((dist, DCAT.mediaType, URIRef(IANA + media)))
        g.add((dist, DCTERMS["format"], URIRef(EU_FILE_TYPE + filetype)))
        g.add((dist, DCTERMS.license, license_))
        if filename.endswith(".gz"):
            g.add((dist, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
    sparql_dist = URIRef(f"{base}id/distributie/sparql")
    g.add((ds, DCAT.distribution, sparql_dist))
    g.add((sparql_dist, RDF.type, DCAT.Distribution))
    g.add((sparql_dist, DCTERMS.title, Literal("SPARQL-endpoint", lang="nl")))
    g.add((sparql_dist, DCTERMS.title, Literal("SPARQL endpoint", lang="en")))
    g.add((sparql_dist, DCAT.accessURL, iris.endpoint))
    g.add((sparql_dist, DCAT.accessService, iris.service))
    g.add((sparql_dist, DCTERMS.license, license_))

    svc = iris.service
    g.add((svc, RDF.type, DCAT.DataService))
    g.add((svc, DCTERMS.title, Literal("SPARQL 1.1-endpoint van vitaalkg", lang="nl")))
    g.add((svc, DCTERMS.title, Literal("vitaalkg SPARQL 1.1 endpoint", lang="en")))
    g.add((svc, RDFS.label, Literal("SPARQL 1.1-endpoint van vitaalkg", lang="nl")))
    g.add((svc, DCAT.endpointURL, iris.endpoint))
    g.add((svc, DCAT.endpointDescription, iris.endpoint))
    g.add((svc, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((svc, DCAT.servesDataset, ds))
    g.add((svc, DCTERMS.license, license_))
    for node in (iris.catalog, *(iris.distribution(f) for f in DUMP_FILES), sparql_dist):
        title = next(g.objects(node, DCTERMS.title), None)
        if title is not None:
            g.add((node, RDFS.label, title))
    distributions: dict[URIRef, str | None] = {
        iris.distribution(f): filetype for f, (_t, _m, filetype) in DUMP_FILES.items()}
    distributions[sparql_dist] = None
    add_profile(g, store, base, profile, catalog=iris.catalog, dataset=ds, service=svc,
                distributions=distributions)
    return g


# -- dumps -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Dump:
    """A generated dump file."""

    content: bytes
    media_type: str
    etag: str


def _all_triples(store: Any) -> list[ox.Triple]:
    result = store.query(
        "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    )
    triples = [ox.Triple(row["s"], row["p"], row["o"]) for row in result]
    triples.sort(key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return triples


def make_dump(store: Any, filename: str) -> Dump:
    """The dump ``filename`` (one of :data:`DUMP_FILES`) of all named graphs (cached)."""

    def build() -> Dump:
        triples = _all_triples(store)
        if filename == "vitaalkg.ttl":
            data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
            media = "text/turtle; charset=utf-8"
        else:
            nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
            data = gzip.compress(nt, mtime=0)
            media = "application/gzip"
        return Dump(data, media, hashlib.sha256(data).hexdigest()[:32])

    if filename not in DUMP_FILES:
        raise KeyError(filename)
    return CACHE.get(store, f"dump:{filename}", build)
