"""The OWL ontology: it parses, documents every term in Dutch and English, covers the terms the
model, data and shapes use, is OWL 2 DL enough for owlready2/HermiT, and lets the reasoner catch
the contradictions the documents rule out."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from pathlib import Path

import owlready2
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "vitaalkg.ttl"
VKG = Namespace("https://w3id.org/vitaalkg/def/")
ONTOLOGY_IRI = URIRef(str(VKG))
ID = "https://w3id.org/vitaalkg/id/"
VANN = Namespace("http://purl.org/vocab/vann/")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # plain: no warnings on unknown names

DECLARATION_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
                     RDFS.Datatype, OWL.NamedIndividual)
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)

# The terms the brief and docs/MODEL.md require (MODEL.md is scanned as well, see below).
REQUIRED_CLASSES = [
    "SafetyRegion", "Ministry", "PublicBody", "VitalCompany", "Network", "RegionalNetwork",
    "NationalNetwork", "BoundaryRole", "Theme", "Sector", "VitalProcess", "RoleDescription",
    "Task", "AttentionPoint", "Law", "LegalProvision", "SectorAgenda", "ImprovementPoint",
    "ActionPlan", "Action", "CostShare", "MenuCard", "Instrument", "Project", "ProjectResult",
    "ProjectPhase", "Activity", "Milestone", "CrisisManagementAgenda", "Pillar", "AgendaTheme",
    "AgendaGoal", "SocietalNeed", "StrategicAgenda", "StrategicGoal", "Effort",
    "ProjectPlanRequirement", "SourceDocument", "ApprovalStep", "Signature"
]
REQUIRED_PROPERTIES = [
    "sector", "leadPartner", "contactPerson", "distributionArea", "confidence", "network",
    "hasAction", "theme", "status", "owner", "startDate", "deadline", "financing", "costs",
    "costShare", "party", "percentage", "sourceRow", "visibility", "legalBasis", "juriconnect",
    "hasTask", "hasAttentionPoint", "towards", "approvalStep", "signedBy", "lead",
    "plannedYear", "pillar", "agendaTheme", "improvementPoint", "rank", "dueDate", "phase",
    "result", "contact", "example", "category", "responsibleMinistry", "province",
    "requirement", "effort", "goal", "budget", "contribution"
]

# The OWL/RDF vocabulary HermiT knows without declaration.
BUILTIN_PREDICATES = {RDF.type, RDF.first, RDF.rest, RDFS.subClassOf, RDFS.subPropertyOf,
                      RDFS.domain, RDFS.range, RDFS.label, RDFS.comment, RDFS.seeAlso,
                      RDFS.isDefinedBy}
OWL2_DATATYPES = {XSD[n] for n in [
    "string", "decimal", "integer", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "long", "int", "short", "byte", "unsignedLong",
    "unsignedInt", "unsignedShort", "unsignedByte", "double", "float", "boolean", "dateTime",
    "dateTimeStamp", "anyURI", "normalizedString", "token", "language", "Name", "NCName",
    "NMTOKEN", "hexBinary", "base64Binary"
]} | {RDFS.Literal, RDF.PlainLiteral, RDF.XMLLiteral, RDF.langString, OWL.real, OWL.rational}
FACETS = {XSD.minInclusive, XSD.maxInclusive, XSD.minExclusive, XSD.maxExclusive, XSD.pattern,
          XSD.length, XSD.minLength, XSD.maxLength}
# Datatype properties whose values use datatypes the OWL 2 datatype map lacks (range rdfs:Literal
# in the ontology, the datatypes named in their skos:scopeNote).
CALENDAR_PROPERTIES = {
    VKG.startDate: {XSD.date},
    VKG.deadline: {XSD.date},
    VKG.dueDate: {XSD.date},  # always the end of the stated period (issue 14)
}

PREFIXES = """
@base <https://w3id.org/vitaalkg/id/> .
@prefix vkg: <https://w3id.org/vitaalkg/def/> . @prefix id: <https://w3id.org/vitaalkg/id/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix org: <http://www.w3.org/ns/org#> .
"""
# A small plan in the shape docs/MODEL.md prescribes: must be consistent with the ontology.
VALID_PLAN = """
<actieplan/x> a vkg:ActionPlan ; vkg:network <netwerk/x> ; vkg:hasAction <actie/x-a1> ;
    vkg:visibility "restricted" ;
    vkg:costShare [ a vkg:CostShare ; vkg:party <organisatie/vitens> ; vkg:percentage 50.0 ] .
<netwerk/x> a vkg:RegionalNetwork ; vkg:sector <sector/drinkwater> ;
    org:hasMember <organisatie/vitens> , <veiligheidsregio/vr13> ;
    vkg:leadPartner <veiligheidsregio/vr13> ; vkg:distributionArea "Utrecht"@nl .
<sector/drinkwater> a vkg:Sector . <thema/3> a vkg:Theme . <status/open> a skos:Concept .
<organisatie/vitens> a vkg:VitalCompany . <veiligheidsregio/vr13> a vkg:SafetyRegion .
<actie/x-a1> a vkg:Action ; vkg:theme <thema/3> ; vkg:status <status/open> ;
    vkg:owner <veiligheidsregio/vr13> ; vkg:financing "reguliere capaciteit" ;
    vkg:startDate "2016-01-01"^^xsd:date ; vkg:deadline "2016-06-30"^^xsd:date ;
    vkg:costs 12000.0 ; vkg:sourceRow 2 .
<vitaal-proces/drinkwatervoorziening> a vkg:VitalProcess ; vkg:category "A" .
<planversie/x-1> a vkg:PlanVersion ; vkg:network <netwerk/x> ; vkg:visibility "public" ;
    vkg:versionNumber 1 ; vkg:checksum "sha256:00" .
"""
# Each of these contradicts something the documents imply.
CONTRADICTIONS = {
    "region-and-company": "id:x a vkg:SafetyRegion , vkg:VitalCompany .",
    "plan-with-two-networks": "id:p a vkg:ActionPlan ; vkg:network id:n1 , id:n2 . "
                              "id:n1 owl:differentFrom id:n2 .",
    "action-with-two-themes": "id:a a vkg:Action ; vkg:theme id:t1 , id:t2 . "
                              "id:t1 owl:differentFrom id:t2 .",
    "action-is-plan": "id:a a vkg:Action , vkg:ActionPlan .",
    "sector-as-theme": "id:s a vkg:Sector . id:a vkg:theme id:s .",
    "percentage-over-100": "id:c a vkg:CostShare ; vkg:percentage 150.0 .",
    "unknown-visibility": 'id:p vkg:visibility "secret" .',
    "category-c": 'id:p vkg:category "C" .',
    "version-is-plan": "id:v a vkg:PlanVersion , vkg:ActionPlan .",
}


def _typed(graph: Graph, types: Iterable[URIRef]) -> set[URIRef]:
    return {s for t in types for s in graph.subjects(RDF.type, t) if isinstance(s, URIRef)}


def _vkg_terms(graph: Graph) -> set[URIRef]:
    """Every ``vkg:`` IRI in the graph except the ontology and its version IRI."""
    found = {t for triple in graph for t in triple
             if isinstance(t, URIRef) and str(t).startswith(str(VKG))}
    version = set(graph.objects(ONTOLOGY_IRI, OWL.versionIRI))
    return found - {ONTOLOGY_IRI} - version


def _reason(graph: Graph, tmp_path: Path, *, ignore_unsupported: bool = False) -> None:
    """Load the graph into a fresh owlready2 world and run HermiT; raises on inconsistency."""
    path = tmp_path / f"kb-{len(list(tmp_path.iterdir()))}.nt"
    graph.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        owlready2.sync_reasoner(world, infer_property_values=False, debug=0,
                                ignore_unsupported_datatypes=ignore_unsupported)
    world.close()


def _files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).glob("*.ttl"))


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def declared(onto: Graph) -> set[URIRef]:
    return _typed(onto, DECLARATION_TYPES)


@pytest.fixture(scope="module")
def own_terms(onto: Graph) -> set[URIRef]:
    return {t for t in _typed(onto, (OWL.Class, *PROPERTY_TYPES, RDFS.Datatype))
            if str(t).startswith(str(VKG))}


def test_ontology_header(onto: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in onto
    assert onto.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    assert isinstance(onto.value(ONTOLOGY_IRI, OWL.versionIRI), URIRef)
    assert onto.value(ONTOLOGY_IRI, DCTERMS.license) in {
        URIRef("https://creativecommons.org/publicdomain/zero/1.0/"),
        URIRef("https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12")}
    assert {t.language for t in onto.objects(ONTOLOGY_IRI, DCTERMS.title)} >= {"nl", "en"}
    assert onto.value(ONTOLOGY_IRI, DCTERMS.created) is not None
    assert onto.value(ONTOLOGY_IRI, DCTERMS.creator) is not None
    assert str(onto.value(ONTOLOGY_IRI, VANN.preferredNamespacePrefix)) == "vkg"
    assert not list(onto.objects(ONTOLOGY_IRI, OWL.imports)), "nothing may download at run time"


def test_every_term_has_dutch_and_english_label_and_definition(
        onto: Graph, own_terms: set[URIRef]) -> None:
    assert len(own_terms) > 80
    problems = []
    for term in sorted(own_terms):
        for prop in (RDFS.label, SKOS.definition):
            langs = {o.language for o in onto.objects(term, prop) if isinstance(o, Literal)}
            if not {"nl", "en"} <= langs:
                problems.append(f"{term} {prop}: languages {sorted(filter(None, langs))}")
        if (term, RDFS.isDefinedBy, ONTOLOGY_IRI) not in onto:
            problems.append(f"{term}: no rdfs:isDefinedBy vkg:")
    assert not problems, "\n".join(problems)


def test_every_vkg_iri_is_a_declared_term(onto: Graph, own_terms: set[URIRef]) -> None:
    undeclared = _vkg_terms(onto) - own_terms
    assert not undeclared, sorted(undeclared)


def test_every_property_has_exactly_one_owl_kind(onto: Graph) -> None:
    problems = []
    for prop in _typed(onto, PROPERTY_TYPES):
        kinds = [k for k in PROPERTY_TYPES if (prop, RDF.type, k) in onto]
        if len(kinds) != 1:
            problems.append(f"{prop}: {kinds}")
    assert not problems, problems


def test_ontology_only_uses_declared_vocabulary(onto: Graph, declared: set[URIRef]) -> None:
    """OWL 2 DL: predicates and referenced classes/datatypes are declared or built in."""
    problems = set()
    for _s, p, o in onto:
        builtin = str(p).startswith(str(OWL)) or p in BUILTIN_PREDICATES or p in FACETS
        if not builtin and p not in declared:
            problems.add(f"undeclared predicate {p}")
        if p in (RDFS.range, RDFS.domain, RDFS.subClassOf, OWL.onClass, OWL.disjointWith,
                 OWL.onDatatype) and isinstance(o, URIRef):
            ok = o in declared or o in OWL2_DATATYPES or o == OWL.Thing
            if not ok:
                problems.add(f"undeclared class or datatype {o} (in {p})")
    for lst in onto.objects(None, OWL.members):
        problems |= {f"undeclared member {m}" for m in onto.items(lst) if m not in declared}
    for lst in onto.objects(None, OWL.unionOf):
        problems |= {f"undeclared union member {m}" for m in onto.items(lst) if m not in declared}
    assert not problems, sorted(problems)


def test_required_terms_are_declared(onto: Graph, own_terms: set[URIRef]) -> None:
    classes = _typed(onto, (OWL.Class,))
    props = _typed(onto, PROPERTY_TYPES)
    assert {VKG[c] for c in REQUIRED_CLASSES} - classes == set()
    assert {VKG[p] for p in REQUIRED_PROPERTIES} - props == set()
    model = (ROOT / "docs" / "MODEL.md").read_text(encoding="utf-8")
    named = {VKG[m] for m in re.findall(r"\bvkg:([A-Za-z][A-Za-z0-9]*)", model)}
    assert named - own_terms == set()


def test_standard_classes_are_reused(onto: Graph) -> None:
    org = Namespace("http://www.w3.org/ns/org#")
    prov = Namespace("http://www.w3.org/ns/prov#")
    for cls in ("SafetyRegion", "Ministry", "PublicBody", "VitalCompany", "Network"):
        assert (VKG[cls], RDFS.subClassOf, org.Organization) in onto
    for cls in ("Theme", "Sector", "VitalProcess"):
        assert (VKG[cls], RDFS.subClassOf, SKOS.Concept) in onto
    assert (VKG.ActionPlan, RDFS.subClassOf, prov.Entity) in onto
    assert (VKG.BoundaryRole, RDFS.subClassOf, org.Role) in onto
    assert (VKG.leadPartner, RDFS.subPropertyOf, org.hasMember) in onto
    for prop in ("status", "network", "owner", "deadline", "startDate", "costs"):
        assert (VKG[prop], RDF.type, OWL.FunctionalProperty) in onto, prop


def test_data_and_shapes_use_only_declared_terms(own_terms: set[URIRef]) -> None:
    """Every vkg: term in data/*.ttl and shapes/*.ttl (shape names aside) is in the ontology."""
    missing: dict[str, set[str]] = {}
    for path in _files("data") + _files("shapes"):
        graph = Graph().parse(path, format="turtle")
        shapes = {s for s, p, _ in graph if str(p).startswith(str(SH))}
        shapes |= set(graph.objects(None, SH.prefixes)) | set(graph.objects(None, SH.property))
        unknown = _vkg_terms(graph) - own_terms - shapes
        if unknown:
            missing[path.name] = {t.removeprefix(str(VKG)) for t in unknown}
    assert not missing, missing


def test_data_uses_properties_as_declared(onto: Graph) -> None:
    """Object properties get resources, datatype properties literals of a fitting datatype."""
    objects = _typed(onto, (OWL.ObjectProperty,))
    datas = _typed(onto, (OWL.DatatypeProperty,))
    ranges = {p: r for p in datas if isinstance(r := onto.value(p, RDFS.range), URIRef)}
    one_of = {}
    for p in datas:
        rng = onto.value(p, RDFS.range)
        if isinstance(rng, BNode) and (lst := onto.value(rng, OWL.oneOf)) is not None:
            one_of[p] = {str(v) for v in onto.items(lst)}
    integer = {XSD.integer, XSD.positiveInteger, XSD.nonNegativeInteger}
    problems = []
    for path in _files("data"):
        for s, p, o in Graph().parse(path, format="turtle"):
            where = f"{path.name}: {s} {p.n3()} {o.n3()}"
            if p in objects and isinstance(o, Literal):
                problems.append(f"{where}: object property with a literal")
            elif p in datas and not isinstance(o, Literal):
                problems.append(f"{where}: datatype property with a resource")
            elif p in datas:
                rng = ranges.get(p)
                fits = {XSD.string: o.datatype in (None, XSD.string) and not o.language,
                        XSD.decimal: o.datatype in integer | {XSD.decimal},
                        XSD.boolean: o.datatype == XSD.boolean}
                if p in CALENDAR_PROPERTIES:
                    ok = o.datatype in CALENDAR_PROPERTIES[p]
                elif rng in integer:
                    ok = o.datatype in integer and isinstance(o.value, int)
                    ok = ok and (rng == XSD.integer or o.value > 0)
                else:
                    ok = fits.get(rng, True)
                if p in one_of:
                    ok = ok and str(o) in one_of[p]
                if not ok:
                    problems.append(f"{where}: does not fit the range")
    assert not problems, "\n".join(problems[:50])


def test_hermit_accepts_the_ontology(onto: Graph, tmp_path: Path) -> None:
    _reason(onto, tmp_path)


def test_hermit_accepts_a_plan_as_the_model_describes_it(onto: Graph, tmp_path: Path) -> None:
    graph = Graph() + onto
    graph.parse(data=PREFIXES + VALID_PLAN, format="turtle")
    assert (URIRef(ID + "actie/x-a1"), VKG.owner, URIRef(ID + "veiligheidsregio/vr13")) in graph
    _reason(graph, tmp_path, ignore_unsupported=True)


@pytest.mark.parametrize("case", sorted(CONTRADICTIONS))
def test_hermit_catches_contradictions(onto: Graph, tmp_path: Path, case: str) -> None:
    graph = Graph() + onto
    graph.parse(data=PREFIXES + CONTRADICTIONS[case], format="turtle")
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        _reason(graph, tmp_path)


def test_knowledge_base_is_consistent_with_the_ontology(onto: Graph, tmp_path: Path) -> None:
    """The real data in data/*.ttl does not contradict the ontology (xsd:date etc. ignored)."""
    graph = Graph() + onto
    for path in _files("data"):
        graph.parse(path, format="turtle")
    _reason(graph, tmp_path, ignore_unsupported=True)


def test_reasoner_sees_a_contradiction_in_the_knowledge_base(onto: Graph, tmp_path: Path) -> None:
    """The check above is not vacuous: one wrong type on a real region makes the KB inconsistent."""
    region = URIRef(ID + "veiligheidsregio/vr01")
    graph = Graph() + onto
    for path in _files("data"):
        graph.parse(path, format="turtle")
    if (region, RDF.type, VKG.SafetyRegion) not in graph:
        pytest.skip("data/ has no veiligheidsregio VR01 yet")
    graph.add((region, RDF.type, VKG.VitalCompany))
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        _reason(graph, tmp_path, ignore_unsupported=True)
