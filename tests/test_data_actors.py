"""The actors of the knowledge base: regions, organisations, sectors, networks, vocabularies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import DCTERMS, RDFS, SKOS

from vitaalkg.namespaces import SPARQL_PREFIXES

ROOT = Path(__file__).resolve().parents[1]
ACTOR_FILES = ["regions", "organisations", "sectors", "networks", "vocabularies"]
GRAPH = "https://w3id.org/vitaalkg/graph/data/{}"
ID = "https://w3id.org/vitaalkg/id/"


def q(sparql: str) -> str:
    return SPARQL_PREFIXES + sparql


def _graph(stem: str) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(ROOT / "data" / f"{stem}.ttl", format="turtle")
    return g


@pytest.mark.parametrize("stem", ACTOR_FILES)
def test_turtle_parses(stem: str) -> None:
    assert len(_graph(stem)) > 100


def test_25_regions_with_exact_cbs_codes(kb) -> None:
    rows = kb.select(q("""
        SELECT ?r ?code WHERE { ?r a vkg:SafetyRegion ; skos:notation ?code }"""))
    codes = sorted(r["code"] for r in rows)
    assert codes == [f"VR{n:02d}" for n in range(1, 26)]
    for row in rows:
        assert row["r"] == f"{ID}veiligheidsregio/{row['code'].lower()}"
    assert len({r["r"] for r in rows}) == 25


def test_region_labels_and_legal_spelling(kb) -> None:
    label = kb.select(q("""SELECT ?l WHERE {
        vkgid:veiligheidsregio\\/vr13 skos:prefLabel ?l FILTER(lang(?l) = "nl") }"""))
    assert [r["l"] for r in label] == ["Veiligheidsregio Amsterdam-Amstelland"]
    for key, legal in [("vr10", "Noord-Holland-Noord"), ("vr18", "Zuid-Holland-Zuid"),
                       ("vr24", "Limburg-Zuid")]:
        assert kb.ask(q(f"""ASK {{ <{ID}veiligheidsregio/{key}> skos:altLabel
                                  "Veiligheidsregio {legal}"@nl }}"""))


def test_region_province_is_stated_with_confidence(kb) -> None:
    rows = kb.select(q("""SELECT ?r ?p ?c WHERE {
        ?r a vkg:SafetyRegion ; vkg:province ?p .
        ?st rdf:subject ?r ; rdf:predicate vkg:province ; rdf:object ?p ; vkg:confidence ?c }"""))
    assert len(rows) == 25
    assert {r["c"] for r in rows} == {f"{ID}betrouwbaarheid/waarschijnlijk"}
    gelderland = {r["r"].rsplit("/", 1)[1] for r in rows if r["p"] == "Gelderland"}
    assert gelderland == {"vr06", "vr07", "vr08"}


def test_five_sectors(kb) -> None:
    rows = kb.select(q("""SELECT ?s ?n WHERE {
        ?s a vkg:Sector ; skos:inScheme vkgid:conceptschema\\/sectoren ; skos:notation ?n }"""))
    assert sorted(r["n"] for r in rows) == ["drinkwater", "elektriciteit", "gas",
                                              "ict-telecom", "olie"]


def test_vital_processes_have_category_and_ministry(kb) -> None:
    rows = kb.select(q("""SELECT ?p ?cat ?m WHERE {
        ?p a vkg:VitalProcess ; vkg:category ?cat .
        OPTIONAL { ?p vkg:responsibleMinistry ?m } }"""))
    assert len(rows) >= 10
    assert {r["cat"] for r in rows} == {"A", "B"}
    by_key = {r["p"].rsplit("/", 1)[1]: r for r in rows}
    assert by_key["drinkwatervoorziening"]["cat"] == "A"
    assert by_key["drinkwatervoorziening"]["m"] == f"{ID}organisatie/ienw"
    assert by_key["regionale-distributie-gas"]["cat"] == "B"
    assert by_key["regionale-distributie-gas"]["m"] == f"{ID}organisatie/ezk"


# Electricity: the national network with all 25 regions was not in the sources (issue 14), and
# the reference facts give no regional grid operator for VR01/VR02; drinking water is complete.
@pytest.mark.parametrize("sector", ["drinkwater"])
def test_every_region_in_a_sector_network(kb, sector: str) -> None:
    rows = kb.select(q(f"""SELECT ?r WHERE {{
        ?r a vkg:SafetyRegion .
        FILTER NOT EXISTS {{
            ?n a vkg:Network ; vkg:sector vkgid:sector\\/{sector} ; org:hasMember ?r }} }}"""))
    assert rows == [], f"regions outside every {sector} network: {rows}"


def test_drinking_water_members_are_regions_or_companies(kb) -> None:
    rows = kb.select(q("""SELECT ?n ?m WHERE {
        ?n a vkg:Network ; vkg:sector vkgid:sector\\/drinkwater ; org:hasMember ?m .
        FILTER NOT EXISTS { ?m a vkg:SafetyRegion }
        FILTER NOT EXISTS { ?m a vkg:VitalCompany } }"""))
    assert rows == []
    networks = kb.select(q("""SELECT DISTINCT ?n WHERE {
        ?n a vkg:RegionalNetwork ; vkg:sector vkgid:sector\\/drinkwater }"""))
    assert len(networks) == 10


def test_every_regional_network_has_a_region_and_a_company(kb) -> None:
    rows = kb.select(q("""SELECT ?n
        (SUM(IF(EXISTS { ?m a vkg:SafetyRegion }, 1, 0)) AS ?regions)
        (SUM(IF(EXISTS { ?m a vkg:VitalCompany }, 1, 0)) AS ?companies)
        WHERE { ?n a vkg:RegionalNetwork ; org:hasMember ?m } GROUP BY ?n"""))
    assert len(rows) >= 20
    for row in rows:
        assert int(row["regions"]) >= 1 and int(row["companies"]) >= 1, row


def test_members_and_memberships_agree(kb) -> None:
    missing = kb.select(q("""SELECT ?n ?m WHERE {
        ?n a vkg:Network ; org:hasMember ?m .
        FILTER NOT EXISTS { ?ms org:member ?m ; org:organization ?n ; org:role ?role ;
                                dct:source ?src } }"""))
    assert missing == []
    extra = kb.select(q("""SELECT ?ms WHERE {
        ?ms a org:Membership ; org:member ?m ; org:organization ?n .
        FILTER NOT EXISTS { ?n org:hasMember ?m } }"""))
    assert extra == []


def test_region_memberships_carry_confidence(kb) -> None:
    rows = kb.select(q("""SELECT ?ms WHERE {
        ?ms a org:Membership ; org:member ?m ; org:organization ?n .
        ?n a vkg:RegionalNetwork . ?m a vkg:SafetyRegion .
        FILTER NOT EXISTS { ?ms vkg:confidence ?c } }"""))
    assert rows == []


def test_lead_partners_are_uncertain_members(kb) -> None:
    """Seed 000/001: national players appoint a lead partner and a contact person for the
    regional network; no source names one, so the knowledge base names none (issue 14)."""
    assert kb.select(q("""SELECT ?n ?lp WHERE { ?n vkg:leadPartner ?lp }""")) == []
    rows = kb.select(q("""SELECT ?n (COUNT(DISTINCT ?role) AS ?roles) WHERE {
        ?n a vkg:NationalNetwork ; vkg:appointsForRegionalNetwork ?role } GROUP BY ?n"""))
    assert {r["n"].rsplit("/", 1)[1]: int(r["roles"]) for r in rows} == {
        k: 2 for k in ("ict-telecom", "olie", "gastransport", "elektriciteit-landelijk")}
    # none of them is one national network with the safety regions as members
    assert kb.select(q("""SELECT ?n WHERE { ?n vkg:appointsForRegionalNetwork ?role ;
        org:hasMember ?r . ?r a vkg:SafetyRegion }""")) == []
    # no lead partner is asserted without a membership that states it
    assert kb.select(q("""SELECT ?n WHERE { ?n vkg:leadPartner ?lp .
        FILTER NOT EXISTS { ?ms org:organization ?n ; org:member ?lp ;
                                org:role vkgid:rol\\/lead-partner } }""")) == []


def test_netwerk_continuiteit(kb) -> None:
    rows = kb.select(q("""SELECT ?m WHERE {
        vkgid:netwerk\\/continuiteit a vkg:NationalNetwork ; org:hasMember ?m }"""))
    members = {r["m"].rsplit("/", 1)[1] for r in rows}
    assert {"jenv", "ezk", "ienw", "cvi"} <= members


def test_vitens_regions_in_standard_vocabularies_only(kb) -> None:
    """An integrator's question, asked with ORG, SKOS and DCTERMS only (no vkg: terms)."""
    sparql = """
        PREFIX org: <http://www.w3.org/ns/org#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT DISTINCT ?code ?name WHERE {
            ?network org:hasMember ?company ;
                     org:classification ?sector ;
                     org:hasMember ?region .
            ?company skos:prefLabel "Vitens"@nl .
            ?sector skos:prefLabel "Drinkwater"@nl .
            ?region skos:notation ?code ; skos:prefLabel ?name .
            FILTER(REGEX(?code, "^VR[0-9]{2}$") && lang(?name) = "nl")
        } ORDER BY ?code"""
    assert "vkg:" not in sparql
    rows = kb.select(sparql)
    assert [r["code"] for r in rows] == ["VR02", "VR04", "VR05", "VR06", "VR07", "VR08",
                                         "VR09", "VR25"]
    assert rows[0]["name"] == "Veiligheidsregio Fryslân"


def test_organisation_keys_and_former_names(kb) -> None:
    for key in ["jenv", "ezk", "ienw", "bzk", "defensie", "nctv", "veiligheidsberaad", "rcdv",
                "vakraad-rcb", "cvi", "vno-ncw", "nipv", "politie", "ghor", "locc", "lms",
                "inspectie-jenv", "stuurgroep-continuiteit", "projectteam-continuiteit",
                "bureau-veiligheidsberaad"]:
        assert kb.ask(q(f"ASK {{ <{ID}organisatie/{key}> a org:Organization }}")), key
    for key, alt in [("jenv", "V&J"), ("jenv", "VenJ"), ("ezk", "EZ"), ("ienw", "I&M"),
                     ("ienw", "IenM"), ("nipv", "IFV"), ("odido", "T-Mobile"),
                     ("odido", "Tele2")]:
        assert kb.ask(q(f'ASK {{ <{ID}organisatie/{key}> skos:altLabel "{alt}"@nl }}')), alt
    assert kb.ask(q("""ASK { vkgid:organisatie\\/vakraad-rcb
                               org:subOrganizationOf vkgid:organisatie\\/rcdv .
                           vkgid:organisatie\\/cvi
                               org:subOrganizationOf vkgid:organisatie\\/vno-ncw }"""))


def test_vital_companies_per_sector(kb) -> None:
    rows = kb.select(q("""SELECT ?c ?s WHERE {
        ?c a vkg:VitalCompany, org:Organization ; vkg:sector ?s }"""))
    by_sector: dict[str, set[str]] = {}
    for r in rows:
        by_sector.setdefault(r["s"].rsplit("/", 1)[1], set()).add(r["c"].rsplit("/", 1)[1])
    assert len(by_sector["drinkwater"]) == 10
    assert {"tennet", "liander", "enexis", "stedin", "rendo"} <= by_sector["elektriciteit"]
    assert {"kpn", "vodafoneziggo", "odido"} == by_sector["ict-telecom"]
    assert "cova" in by_sector["olie"]


@pytest.mark.parametrize("stem", ACTOR_FILES)
def test_every_resource_has_source_and_dutch_label(stem: str) -> None:
    g = _graph(stem)
    bad = []
    for s in {s for s in g.subjects() if isinstance(s, rdflib.URIRef)}:
        has_source = (s, DCTERMS.source, None) in g
        has_nl = any(getattr(o, "language", None) == "nl"
                     for p in (RDFS.label, SKOS.prefLabel) for o in g.objects(s, p))
        if not (has_source and has_nl):
            bad.append(str(s))
    assert bad == []
    # reified statements (blank nodes) carry a source and confidence too
    for b in {s for s in g.subjects() if isinstance(s, rdflib.BNode)}:
        assert (b, DCTERMS.source, None) in g


SOURCE_KEY = re.compile(
    r"^https://w3id\.org/vitaalkg/id/bron/(projectplan-continuiteit-2015|memo-resultaten|"
    r"mjp-2024-2028|strategische-agenda-2014|referentie-domeinfeiten|ref-s([1-9]|[12]\d|3[0-8]))"
    r"(-[a-z0-9-]+)?$")  # a document or one of its sections


@pytest.mark.parametrize("stem", ACTOR_FILES)
def test_sources_are_known_documents(kb, stem: str) -> None:
    rows = kb.select(q(f"""SELECT DISTINCT ?src WHERE {{
        GRAPH <{GRAPH.format(stem)}> {{ ?s dct:source ?src }} }}"""))
    assert rows
    for r in rows:
        assert SOURCE_KEY.match(r["src"]), r["src"]


@pytest.mark.parametrize("stem", ["vocabularies", "sectors"])
def test_concepts_are_nl_sbb_clean(stem: str) -> None:
    """NL-SBB: definition, inScheme of a ConceptScheme, at most one prefLabel per language."""
    g = _graph(stem)
    concepts = set(g.subjects(rdflib.RDF.type, SKOS.Concept))
    concepts |= set(g.subjects(rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/org#Role")))
    assert concepts
    schemes = set(g.subjects(rdflib.RDF.type, SKOS.ConceptScheme))
    for c in concepts:
        assert any(True for _ in g.objects(c, SKOS.definition)), c
        assert set(g.objects(c, SKOS.inScheme)) & schemes, c
        langs = [o.language for o in g.objects(c, SKOS.prefLabel)]
        assert "nl" in langs and len(langs) == len(set(langs)), c


def test_status_and_confidence_notations(kb) -> None:
    rows = kb.select(q("""SELECT ?c ?n WHERE {
        ?c skos:inScheme vkgid:conceptschema\\/status ; skos:notation ?n }"""))
    assert sorted(r["n"] for r in rows) == ["afgerond", "in uitvoering", "open", "vervallen"]
    assert {r["c"].rsplit("/", 1)[1] for r in rows} == {"open", "in-uitvoering", "afgerond",
                                                          "vervallen"}
    rows = kb.select(q("""SELECT ?n WHERE {
        ?c skos:inScheme vkgid:conceptschema\\/betrouwbaarheid ; skos:notation ?n }"""))
    assert sorted(r["n"] for r in rows) == ["C", "L", "U"]


def test_boundary_roles(kb) -> None:
    rows = kb.select(q("SELECT ?r WHERE { ?r a org:Role, vkg:BoundaryRole }"))
    keys = {r["r"].rsplit("/", 1)[1] for r in rows}
    assert {"business-continuity-manager", "liaison", "accounthouder", "lead-partner",
            "contactpersoon"} <= keys
    assert kb.ask(q("ASK { vkgid:rol\\/lid a org:Role }"))
