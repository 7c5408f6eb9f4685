"""The eight themes, the role description of the veiligheidsregio and its legal basis (data/)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import rdflib

from vitaalkg.config import Settings
from vitaalkg.namespaces import SPARQL_PREFIXES
from vitaalkg.store import EmbeddedStore

ROOT = Path(__file__).resolve().parents[1]
MY_FILES = ("themes", "role-description", "legislation")
JCI = re.compile(r"^jci1\.3:c:BWBR\d{7}(&[a-z]+=[\w.]+)+$")
WETTEN = "https://wetten.overheid.nl/"


@pytest.fixture(scope="module")
def mine(settings: Settings) -> dict[str, list[str]]:
    """Dataset arguments that restrict a query to the graphs of this task's files."""
    return {"default_graph": [f"{settings.base}graph/data/{stem}" for stem in MY_FILES]}


@pytest.fixture(scope="module")
def base(settings: Settings) -> str:
    return settings.base


def q(kb: EmbeddedStore, body: str, **dataset) -> list[dict]:
    return kb.select(SPARQL_PREFIXES + body, **dataset)


def ask(kb: EmbeddedStore, body: str, **dataset) -> bool:
    return kb.ask(SPARQL_PREFIXES + body, **dataset)


# --- themes --------------------------------------------------------------------------------------


def test_eight_themes_with_notations_1_to_8(kb, mine, base):
    rows = q(kb, "SELECT ?t ?n WHERE { ?t a vkg:Theme, skos:Concept ; skos:notation ?n }", **mine)
    assert sorted(r["n"] for r in rows) == [str(i) for i in range(1, 9)]
    assert {r["t"] for r in rows} == {f"{base}id/thema/{i}" for i in range(1, 9)}


def test_one_preflabel_per_language_and_a_definition_each(kb, mine):
    rows = q(kb, """SELECT ?t ?label (LANG(?label) AS ?lang) WHERE {
        ?t a vkg:Theme ; skos:prefLabel ?label }""", **mine)
    per_theme: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        per_theme[r["t"]][r["lang"]] += 1
    assert len(per_theme) == 8
    for theme, langs in per_theme.items():
        assert langs == Counter({"nl": 1, "en": 1}), theme
    defs = q(kb, """SELECT ?t (LANG(?d) AS ?lang) WHERE {
        ?t a vkg:Theme ; skos:definition ?d }""", **mine)
    by_lang = Counter(r["lang"] for r in defs)
    assert by_lang == Counter({"nl": 8, "en": 8})
    # prefLabels are unique within the scheme (NL-SBB warning otherwise)
    labels = [r["label"] for r in rows]
    assert len(labels) == len(set(labels))


def test_themes_are_in_the_scheme_as_top_concepts(kb, mine, base):
    scheme = f"{base}id/conceptschema/themas"
    assert ask(kb, f"""ASK {{ <{scheme}> a skos:ConceptScheme ; skos:prefLabel ?l ;
        skos:definition ?d ; dct:source ?s }}""", **mine)
    assert not ask(kb, f"""ASK {{ ?t a vkg:Theme .
        FILTER NOT EXISTS {{ ?t skos:inScheme <{scheme}> ; skos:topConceptOf <{scheme}> .
                             <{scheme}> skos:hasTopConcept ?t }} }}""", **mine)


def test_theme_definitions_follow_the_seed(kb, mine, base):
    rows = q(kb, """SELECT ?n ?d WHERE { ?t a vkg:Theme ; skos:notation ?n ; skos:definition ?d .
        FILTER(LANG(?d) = "nl") }""", **mine)
    defs = {r["n"]: r["d"] for r in rows}
    assert "platformfunctie" in defs["1"]
    assert "risicoprofiel" in defs["2"]
    assert "vergunningverlening" in defs["3"]
    assert "meldkamer" in defs["5"]
    assert "defensiecapaciteit" in defs["8"]


def test_skos_and_dcterms_only_query_answers_which_themes_exist(kb, base):
    """Integrators need no vkg: term to read the themes: SKOS + DCTERMS suffice."""
    query = f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?notation ?label ?definition ?source WHERE {{
  ?scheme skos:hasTopConcept ?theme .
  ?theme skos:inScheme ?scheme ; skos:notation ?notation ; skos:prefLabel ?label ;
         skos:definition ?definition ; dct:source ?source .
  FILTER(?scheme = <{base}id/conceptschema/themas>)
  FILTER(LANG(?label) = "nl" && LANG(?definition) = "nl")
}} ORDER BY ?notation"""
    assert "vitaalkg/def" not in query
    rows = kb.select(query)
    assert sorted({r["notation"] for r in rows}) == [str(i) for i in range(1, 9)]
    labels = {r["notation"]: r["label"] for r in rows}
    assert labels["4"] == "Opleiden, trainen, oefenen"
    assert labels["7"] == "Crisismanagement"


# --- tasks and legal basis -----------------------------------------------------------------------


def test_every_task_has_one_theme_and_a_legal_basis(kb, mine):
    tasks = q(kb, "SELECT ?t WHERE { ?t a vkg:Task }", **mine)
    assert len(tasks) >= 16
    assert not ask(kb, """ASK { ?t a vkg:Task .
        FILTER NOT EXISTS { ?t vkg:legalBasis ?b . ?b a vkg:LegalProvision } }""", **mine)
    themes = q(kb, """SELECT ?t (COUNT(DISTINCT ?th) AS ?n) WHERE {
        ?t a vkg:Task . OPTIONAL { ?t vkg:theme ?th . ?th a vkg:Theme } } GROUP BY ?t""", **mine)
    assert all(int(r["n"]) == 1 for r in themes), themes
    labels = q(kb, """SELECT ?t WHERE { ?t a vkg:Task .
        FILTER NOT EXISTS { ?t rdfs:label ?nl , ?en ; dct:description ?d .
            FILTER(LANG(?nl) = "nl" && LANG(?en) = "en") } }""", **mine)
    assert labels == []


def test_every_theme_has_at_least_one_task(kb, mine):
    rows = q(kb, """SELECT ?n (COUNT(?task) AS ?tasks) WHERE {
        ?th a vkg:Theme ; skos:notation ?n . OPTIONAL { ?task a vkg:Task ; vkg:theme ?th }
        } GROUP BY ?n""", **mine)
    assert len(rows) == 8
    assert all(int(r["tasks"]) >= 1 for r in rows), rows


def test_legal_bases_are_juriconnect_references_to_wetten_overheid(kb, mine):
    rows = q(kb, """SELECT DISTINCT ?p ?jci ?page ?notation WHERE {
        ?p a vkg:LegalProvision ; vkg:juriconnect ?jci ; foaf:page ?page ;
           dct:isPartOf ?law . ?law a vkg:Law ; skos:notation ?notation }""", **mine)
    provisions = {r["p"] for r in q(kb, "SELECT ?p WHERE { ?p a vkg:LegalProvision }", **mine)}
    assert provisions and {r["p"] for r in rows} == provisions
    assert len(rows) == len(provisions)  # one juriconnect, one page, one law each
    for r in rows:
        assert JCI.match(r["jci"]), r["jci"]
        assert r["page"] == WETTEN + r["jci"]
        assert r["jci"].startswith(f"jci1.3:c:{r['notation']}&artikel=")


def test_the_reference_articles_are_linked_to_their_themes(kb, mine, base):
    rows = q(kb, """SELECT ?n ?jci WHERE { ?t a vkg:Task ; vkg:theme/skos:notation ?n ;
        vkg:legalBasis/vkg:juriconnect ?jci }""", **mine)
    by_theme: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        by_theme[r["n"]].add(r["jci"])
    wvr = "jci1.3:c:BWBR0027466"
    assert f"{wvr}&artikel=15&lid=5" in by_theme["1"]
    assert f"{wvr}&artikel=15" in by_theme["2"]
    assert f"{wvr}&artikel=46&lid=2" in by_theme["3"]
    assert f"{wvr}&artikel=14&lid=2&onderdeel=d" in by_theme["4"]
    assert f"{wvr}&artikel=10&onderdeel=g" in by_theme["5"]
    assert f"{wvr}&artikel=22" in by_theme["6"]
    assert f"{wvr}&artikel=39" in by_theme["7"]
    assert f"{wvr}&artikel=51" in by_theme["8"]
    assert "jci1.3:c:BWBR0030111&artikel=48&lid=2" in by_theme["8"]
    # the general tasks of Wvr art. 10 that map to a theme are used
    used = set().union(*by_theme.values())
    for letter in "abcdgi":
        assert f"{wvr}&artikel=10&onderdeel={letter}" in used


def test_uncertain_reference_facts_carry_their_confidence(kb, mine, base):
    rows = q(kb, """SELECT ?jci ?c WHERE { ?p a vkg:LegalProvision ; vkg:juriconnect ?jci .
        OPTIONAL { ?p vkg:confidence ?c } }""", **mine)
    conf = {r["jci"]: r["c"] for r in rows}
    likely, unsure = f"{base}id/betrouwbaarheid/waarschijnlijk", f"{base}id/betrouwbaarheid/onzeker"
    # Drinkwaterbesluit numbering is [L]; Wvr meldkamer text changed in 2020 [L]; risicokaart [U]
    assert all(c == likely for j, c in conf.items() if "BWBR0030111" in j)
    assert conf["jci1.3:c:BWBR0027466&artikel=35"] == likely
    assert conf["jci1.3:c:BWBR0027466&artikel=45"] == unsure
    assert conf["jci1.3:c:BWBR0027466&artikel=39"] is None  # [C]: no confidence


# --- attention points, role description, approval path -------------------------------------------


def test_attention_points_per_theme_towards_rijk_or_bedrijfsleven(kb, mine):
    rows = q(kb, """SELECT ?a ?n ?towards ?label WHERE { ?a a vkg:AttentionPoint ;
        vkg:theme/skos:notation ?n ; vkg:towards/skos:notation ?towards ; rdfs:label ?label .
        FILTER EXISTS { ?a dct:source ?s } FILTER(LANG(?label) = "nl") }""", **mine)
    assert len(rows) == len(q(kb, "SELECT ?a WHERE { ?a a vkg:AttentionPoint }", **mine))
    assert {r["towards"] for r in rows} == {"rijk", "bedrijfsleven"}
    assert {r["n"] for r in rows} == {str(i) for i in range(1, 9)}
    for r in rows:
        side = "rijk" if r["towards"] == "rijk" else "bedrijven"
        assert re.search(rf"/aandachtspunt/{r['n']}-{side}-\d+$", r["a"]), r["a"]
    text: dict[tuple[str, str], str] = defaultdict(str)
    for r in rows:
        text[(r["n"], r["towards"])] += r["label"].lower() + " | "
    assert "defensie" in text[("8", "rijk")]
    assert "meldkamer" in text[("5", "rijk")]
    assert "platformfunctie" in text[("1", "bedrijfsleven")]
    assert "distributie" in text[("8", "bedrijfsleven")]


def test_role_description_links_every_task_and_attention_point(kb, mine, base):
    rd = f"<{base}id/rolbeschrijving/veiligheidsregio>"
    assert ask(kb, f"ASK {{ {rd} a vkg:RoleDescription ; rdfs:label ?l ; dct:source ?s }}", **mine)
    assert not ask(kb, f"""ASK {{ {{ ?x a vkg:Task }} UNION {{ ?x a vkg:AttentionPoint }}
        FILTER NOT EXISTS {{ {{ {rd} vkg:hasTask ?x }} UNION {{ {rd} vkg:hasAttentionPoint ?x }} }}
        }}""", **mine)


def test_approval_path_as_planned_steps(kb, mine, base):
    rows = q(kb, f"""SELECT ?order ?due (DATATYPE(?due) AS ?dt) ?status
        (GROUP_CONCAT(STR(?who); separator=" ") AS ?approvers) WHERE {{
        <{base}id/rolbeschrijving/veiligheidsregio> vkg:approvalStep ?s .
        ?s a vkg:ApprovalStep ; vkg:rank ?order ; vkg:dueDate ?due ; vkg:status ?status ;
           vkg:approvalBody ?who }} GROUP BY ?order ?due ?status ORDER BY ?order""", **mine)
    assert [int(r["order"]) for r in rows] == [1, 2, 3]
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert [(r["due"], r["dt"]) for r in rows] == [
        ("2015-09-30", xsd + "date"), ("2015-12-31", xsd + "date"), ("2016-12-31", xsd + "date")]
    assert {r["status"] for r in rows} == {f"{base}id/status/open"}  # planned, not yet done
    org = f"{base}id/organisatie/"
    assert rows[0]["approvers"].split() == [org + "stuurgroep-continuiteit"]
    assert set(rows[1]["approvers"].split()) == {org + "cvi", org + "veiligheidsberaad",
                                                 org + "jenv"}
    assert set(rows[2]["approvers"].split()) == {
        f"{base}id/veiligheidsregio/vr{i:02d}" for i in range(1, 26)}


def test_no_invented_signatures_in_the_knowledge_base(kb):
    assert not ask(kb, """ASK { { ?s a vkg:Signature } UNION { ?s vkg:signedBy ?r }
        UNION { ?d vkg:signature ?s } }""")


def test_example_signatures_are_marked_as_examples():
    g = rdflib.Graph().parse(ROOT / "data" / "examples" / "signatures-example.ttl")
    vkg = rdflib.Namespace("https://w3id.org/vitaalkg/def/")
    sigs = set(g.subjects(rdflib.RDF.type, vkg.Signature))
    assert len(sigs) == 3
    rd = rdflib.URIRef("https://w3id.org/vitaalkg/id/rolbeschrijving/veiligheidsregio")
    assert set(g.objects(rd, vkg.signature)) == sigs
    marker = rdflib.Literal("Voorbeeld — geen echte ondertekening", lang="nl")
    for s in sigs:
        assert (s, rdflib.DCTERMS.description, marker) in g
        assert g.value(s, vkg.signedBy) is not None
        assert g.value(s, rdflib.DCTERMS.date) is not None


# --- provenance ----------------------------------------------------------------------------------


def test_every_resource_has_a_source(kb, mine):
    missing = q(kb, """SELECT DISTINCT ?s WHERE { ?s a ?type .
        FILTER NOT EXISTS { ?s dct:source ?src }
        FILTER NOT EXISTS { ?s a vkg:SourceDocument } }""", **mine)
    assert missing == []
    sections = q(kb, """SELECT ?s WHERE { ?s a vkg:SourceDocument . FILTER NOT EXISTS {
        ?s dct:isPartOf ?doc ; rdfs:label ?l ; dct:bibliographicCitation ?c } }""", **mine)
    assert sections == []


def test_sources_resolve_to_source_documents(kb, mine):
    objects = {r["src"] for r in q(kb, "SELECT DISTINCT ?src WHERE { ?s dct:source ?src }", **mine)}
    typed = {r["d"] for r in q(kb, "SELECT ?d WHERE { ?d a vkg:SourceDocument }")}
    assert objects and objects <= typed, sorted(objects - typed)


def test_referenced_things_exist_in_the_knowledge_base(kb, mine):
    """Organisations, regions, statuses and confidence levels this data points to are described."""
    refs = {r["o"] for r in q(kb, """SELECT DISTINCT ?o WHERE { ?s ?p ?o .
        FILTER(isIRI(?o) && CONTAINS(STR(?o), "/id/")) }""", **mine)}
    typed = {r["x"] for r in q(kb, "SELECT DISTINCT ?x WHERE { ?x a ?type }")}
    assert any("/id/organisatie/" in r for r in refs)
    assert refs <= typed, sorted(refs - typed)
