"""What DCAT-AP-NL 3.0 and DCAT-AP 3.0.1 ask of the dataset description beyond VoID: the
publisher and creator, the contact point, identifiers, themes, access rights, dates, and the
values of the EU controlled vocabularies described where they are used (their class, scheme and
label), so the description is complete without fetching the vocabularies.

The deployment settings (publisher, its type, contact e-mail, licence, planned availability)
come from :class:`~vitaalkg.config.Settings`; the rest is read from the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from ..config import Settings

EU = "http://publications.europa.eu/resource/authority/"
ADMS_PUBLISHER_TYPE = "http://purl.org/adms/publishertype/"
ADMS_LICENCE_TYPE = "http://purl.org/adms/licencetype/"
DCATAP = Namespace("http://data.europa.eu/r5r/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
PROV_GENERATED = URIRef("http://www.w3.org/ns/prov#generatedAtTime")
#: the project team that runs the knowledge base (data/organisations.ttl)
DEFAULT_PUBLISHER = "id/organisatie/projectteam-continuiteit"

#: labels of the EU and ADMS concepts the description uses: IRI -> ((text, language), ...)
LABELS: dict[str, tuple[tuple[str, str], ...]] = {
    EU + "data-theme/JUST": (("Justice, legal system and public safety", "en"),
                             ("Justitie, rechtsstelsel en openbare veiligheid", "nl")),
    EU + "data-theme/GOVE": (("Government and public sector", "en"),
                             ("Overheid en publieke sector", "nl")),
    EU + "access-right/PUBLIC": (("public", "en"), ("openbaar", "nl")),
    EU + "language/NLD": (("Dutch", "en"), ("Nederlands", "nl")),
    EU + "language/ENG": (("English", "en"), ("Engels", "nl")),
    EU + "country/NLD": (("Netherlands", "en"), ("Nederland", "nl")),
    EU + "file-type/RDF_TURTLE": (("RDF Turtle", "en"),),
    EU + "file-type/RDF_N_TRIPLES": (("RDF N-Triples", "en"),),
    EU + "file-type/SPARQLQ": (("SPARQL Query", "en"),),
    EU + "planned-availability/AVAILABLE": (("available", "en"),),
    EU + "planned-availability/EXPERIMENTAL": (("experimental", "en"),),
    EU + "planned-availability/STABLE": (("stable", "en"),),
    EU + "planned-availability/TEMPORARY": (("temporary", "en"),),
    ADMS_LICENCE_TYPE + "PublicDomain": (("Public domain", "en"),
                                         ("Werk in het publiek domein", "nl")),
    ADMS_LICENCE_TYPE + "Attribution": (("Attribution", "en"),),
    **{ADMS_PUBLISHER_TYPE + code: ((label, "en"),) for code, label in (
        ("Academia-ScientificOrganisation", "Academia/Scientific organisation"),
        ("Company", "Company"), ("IndustryConsortium", "Industry consortium"),
        ("LocalAuthority", "Local Authority"), ("NationalAuthority", "National authority"),
        ("NonGovernmentalOrganisation", "Non-Governmental Organisation"),
        ("NonProfitOrganisation", "Non-Profit Organisation"),
        ("PrivateIndividual(s)", "Private Individual(s)"),
        ("RegionalAuthority", "Regional authority"),
        ("StandardisationBody", "Standardisation body"),
        ("SupraNationalAuthority", "Supra-national authority"))},
}
#: the scheme of each table, by the part of the IRI before the code
SCHEMES = {
    EU + "data-theme/": URIRef(EU + "data-theme"),
    EU + "access-right/": URIRef(EU + "access-right"),
    EU + "language/": URIRef(EU + "language"),
    EU + "country/": URIRef(EU + "country"),
    EU + "file-type/": URIRef(EU + "file-type"),
    EU + "planned-availability/": URIRef(EU + "planned-availability"),
    ADMS_LICENCE_TYPE: URIRef(ADMS_LICENCE_TYPE + "1.0"),
    ADMS_PUBLISHER_TYPE: URIRef(ADMS_PUBLISHER_TYPE + "1.0"),
}
#: ADMS licence type of the licences we know (http and https forms of Creative Commons)
LICENCE_TYPES = {
    "creativecommons.org/publicdomain/zero/1.0/": "PublicDomain",
    EU + "licence/CC0": "PublicDomain",
    "creativecommons.org/licenses/by/4.0/": "Attribution",
    EU + "licence/CC_BY_4_0": "Attribution",
}
THEMES = (URIRef(EU + "data-theme/JUST"), URIRef(EU + "data-theme/GOVE"))
LANGUAGES = (URIRef(EU + "language/NLD"), URIRef(EU + "language/ENG"))
PUBLIC = URIRef(EU + "access-right/PUBLIC")
NETHERLANDS = URIRef(EU + "country/NLD")
DESCRIPTIONS = {
    "sparql": (("Te bevragen met het SPARQL 1.1-protocol.", "nl"),
               ("To be queried with the SPARQL 1.1 Protocol.", "en")),
    "dump": (("De volledige openbare kennis in één bestand, gemaakt uit de store.", "nl"),
             ("All public knowledge in one file, made from the store.", "en")),
}
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")


@dataclass(frozen=True)
class Profile:
    """The deployment's part of the description."""

    publisher: URIRef
    publisher_name: str | None
    publisher_type: URIRef
    contact_email: str | None
    license: URIRef
    availability: URIRef

    @classmethod
    def from_settings(cls, settings: Settings) -> Profile:
        return cls(
            publisher=URIRef(settings.publisher or settings.base + DEFAULT_PUBLISHER),
            publisher_name=settings.publisher_name,
            publisher_type=URIRef(ADMS_PUBLISHER_TYPE + settings.publisher_type),
            contact_email=settings.contact_email,
            license=URIRef(settings.data_license),
            availability=URIRef(EU + "planned-availability/" + settings.data_availability),
        )


def describe_concept(g: Graph, iri: URIRef, *classes: URIRef) -> URIRef:
    """``iri`` as a SKOS concept of its table (and of ``classes``), with its labels."""
    for cls in (SKOS.Concept, *classes):
        g.add((iri, RDF.type, cls))
    for prefix, scheme in SCHEMES.items():
        if str(iri).startswith(prefix):
            g.add((iri, SKOS.inScheme, scheme))
    for text, lang in LABELS.get(str(iri), ()):
        g.add((iri, SKOS.prefLabel, Literal(text, lang=lang)))
    return iri


def _labels(store: Any, iri: str) -> list[Literal]:
    rows = store.query(
        f"SELECT DISTINCT ?l WHERE {{ GRAPH ?g {{ <{iri}> <{SKOS.prefLabel}> ?l }} }}")
    return [Literal(r["l"].value, lang=r["l"].language) for r in rows]


def _one_value(store: Any, sparql: str) -> Any:
    rows = list(store.query(sparql))
    return rows[0][0] if rows and rows[0][0] is not None else None


def publisher(g: Graph, store: Any, profile: Profile) -> URIRef:
    """The publisher as a foaf:Agent named as the knowledge base names it."""
    agent = profile.publisher
    g.add((agent, RDF.type, FOAF.Agent))
    names = ([Literal(profile.publisher_name)] if profile.publisher_name
             else _labels(store, str(agent)) or [Literal(str(agent))])
    for name in names:
        g.add((agent, FOAF.name, name))
    g.add((agent, DCTERMS.type, profile.publisher_type))
    describe_concept(g, profile.publisher_type)
    scheme = SCHEMES[ADMS_PUBLISHER_TYPE]
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    g.add((scheme, DCTERMS.title, Literal("Publisher Type", lang="en")))
    return agent


def contact_point(g: Graph, base: str, profile: Profile, name: Literal) -> BNode:
    """One vcard:Kind for the catalogue, the dataset and the service."""
    contact = BNode()
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, name))
    g.add((contact, VCARD.hasURL, URIRef(base)))
    if profile.contact_email:
        g.add((contact, VCARD.hasEmail, URIRef("mailto:" + profile.contact_email)))
    return contact


def licence(g: Graph, iri: URIRef) -> URIRef:
    """The licence as a dct:LicenseDocument, with its ADMS type where it is known."""
    g.add((iri, RDF.type, DCTERMS.LicenseDocument))
    key = str(iri)
    if "creativecommons.org/" in key:  # http or https, with or without the final slash
        key = key.split("://", 1)[-1].rstrip("/") + "/"
    kind = LICENCE_TYPES.get(key)
    if kind:
        g.add((iri, DCTERMS.type, describe_concept(g, URIRef(ADMS_LICENCE_TYPE + kind))))
    return iri


def dates(store: Any, base: str) -> tuple[Literal | None, Literal | None]:
    """(issued, modified): the date of the ontology, and the newest plan version the caller may
    see (else the ontology's date again)."""
    created = _one_value(store, f"SELECT ?d WHERE {{ GRAPH ?g {{ <{base}def/> "
                                f"<{DCTERMS.created}> ?d }} }} LIMIT 1")
    newest = _one_value(store, f"SELECT (MAX(?t) AS ?m) WHERE {{ GRAPH ?g {{ ?v "
                               f"<{PROV_GENERATED}> ?t }} }}")
    issued = Literal(created.value, datatype=XSD.date) if created is not None else None
    modified = (Literal(newest.value, datatype=XSD.dateTime) if newest is not None
                else issued)
    return issued, modified


def add_profile(g: Graph, store: Any, base: str, profile: Profile, *, catalog: URIRef,
                dataset: URIRef, service: URIRef, distributions: dict[URIRef, str | None]
                ) -> None:
    """Add what DCAT-AP-NL 3.0 and DCAT-AP 3.0.1 require and recommend.

    ``distributions`` maps each distribution to its EU file type (``None``: the SPARQL one).
    """
    g.bind("vcard", VCARD)
    g.bind("skos", SKOS)
    g.bind("dcatap", DCATAP)
    agent = publisher(g, store, profile)
    name = next(iter(sorted(g.objects(agent, FOAF.name), key=lambda n: n.language != "nl")))
    contact = contact_point(g, base, profile, name)
    licence(g, profile.license)
    ontology = URIRef(f"{base}def/")
    g.add((ontology, RDF.type, DCTERMS.Standard))
    g.add((ontology, DCTERMS.title, Literal("vitaalkg-ontologie", lang="nl")))
    g.add((ontology, DCTERMS.title, Literal("vitaalkg ontology", lang="en")))
    g.add((SPARQL_PROTOCOL, RDF.type, DCTERMS.Standard))
    g.add((SPARQL_PROTOCOL, DCTERMS.title, Literal("SPARQL 1.1 Protocol", lang="en")))
    for page in (URIRef(base), URIRef(f"{base}dataset")):
        g.add((page, RDF.type, FOAF.Document))
    for iri in THEMES:
        describe_concept(g, iri)
    for iri in LANGUAGES:
        describe_concept(g, iri, DCTERMS.LinguisticSystem)
    describe_concept(g, PUBLIC, DCTERMS.RightsStatement)
    describe_concept(g, NETHERLANDS, DCTERMS.Location)
    describe_concept(g, profile.availability)
    themes = SCHEMES[EU + "data-theme/"]
    g.add((themes, RDF.type, SKOS.ConceptScheme))
    g.add((themes, DCTERMS.title, Literal("Data theme", lang="en")))

    issued, modified = dates(store, base)
    for node in (catalog, dataset, service):
        g.add((node, DCTERMS.publisher, agent))
        g.add((node, DCTERMS.creator, agent))
        g.add((node, DCAT.contactPoint, contact))
        for lang in LANGUAGES:
            g.add((node, DCTERMS.language, lang))
    for node in (catalog, dataset):
        g.add((node, DCTERMS.spatial, NETHERLANDS))
        if modified is not None:
            g.add((node, DCTERMS.modified, modified))
    if issued is not None:
        g.add((catalog, DCTERMS.issued, issued))
    g.add((catalog, DCTERMS.license, profile.license))
    g.add((catalog, DCAT.themeTaxonomy, themes))
    for node in (dataset, service):
        g.add((node, DCTERMS.identifier, Literal(str(node))))
        g.add((node, DCTERMS.accessRights, PUBLIC))
        for theme in THEMES:
            g.add((node, DCAT.theme, theme))
    g.add((dataset, DCTERMS.conformsTo, ontology))
    g.add((dataset, FOAF.page, URIRef(f"{base}dataset")))
    g.add((service, DCTERMS.description, Literal(
        "Het SPARQL 1.1-endpoint over de openbare kennis van vitaalkg (alleen lezen).",
        lang="nl")))
    g.add((service, DCTERMS.description, Literal(
        "The SPARQL 1.1 endpoint over the public knowledge of vitaalkg (read-only).",
        lang="en")))
    for keyword in ("SPARQL", "linked data", "crisisbeheersing"):
        g.add((service, DCAT.keyword, Literal(keyword, lang="nl")))

    for dist, filetype in distributions.items():
        for media in (*g.objects(dist, DCAT.mediaType), *g.objects(dist, DCAT.compressFormat)):
            g.add((media, RDF.type, DCTERMS.MediaType))
        fmt = URIRef(EU + "file-type/" + (filetype or "SPARQLQ"))
        g.add((dist, DCTERMS["format"], describe_concept(g, fmt, DCTERMS.MediaTypeOrExtent)))
        g.add((dist, DCATAP.availability, profile.availability))
        g.add((dist, DCTERMS.conformsTo, ontology))
        for lang in LANGUAGES:
            g.add((dist, DCTERMS.language, lang))
        texts = DESCRIPTIONS["sparql" if filetype is None else "dump"]
        for text, lang in texts:
            g.add((dist, DCTERMS.description, Literal(text, lang=lang)))
