"""Counts against the sources, one test per section row of docs/SOURCES.md (issue 14).

Expected values are read from the seeds in ../shared/seeds/ (000/001 project plan 2015, 002
memo, 003 Meerjarenplan 2024-2028, 004 strategic agenda 2014).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vitaalkg.store import EmbeddedStore

ROOT = Path(__file__).resolve().parents[1]
ID = "https://w3id.org/vitaalkg/id/"
PREFIXES = """
PREFIX vkg: <https://w3id.org/vitaalkg/def/>
PREFIX vkgid: <https://w3id.org/vitaalkg/id/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def q(kb: EmbeddedStore, body: str) -> list[dict]:
    return kb.select(PREFIXES + body)


def keys(rows: list[dict], var: str) -> set[str]:
    return {r[var].rsplit("/", 1)[-1] for r in rows}


def objects(kb: EmbeddedStore, s: str, p: str) -> set[str]:
    return keys(q(kb, f"SELECT ?o WHERE {{ <{ID}{s}> {p} ?o }}"), "o")


# --- seeds 000/001 and 002 ------------------------------------------------------------------

def test_memo_names_no_creator(kb) -> None:
    for doc in ("projectplan-continuiteit-2015", "memo-resultaten"):
        assert objects(kb, f"bron/{doc}", "dct:creator") == set(), doc


def test_focus_sectors_are_category_a(kb) -> None:
    rows = q(kb, 'SELECT ?s WHERE { ?s a vkg:Sector ; vkg:provisionalCategory "A" }')
    assert keys(rows, "s") == {"drinkwater", "elektriciteit", "gas", "olie", "ict-telecom"}


def test_dijkkringen_are_the_scale_analogy_not_an_instrument(kb) -> None:
    assert objects(kb, "project/continuiteit-samenleving", "vkg:scaleAnalogy") == {"dijkkringen"}
    assert "dijkkringen" not in objects(kb, "menukaart/continuiteit", "vkg:instrument")
    assert len(objects(kb, "menukaart/continuiteit", "vkg:instrument")) == 4  # "Te denken valt aan"


def test_national_players_appoint_lead_partner_and_contact_for_the_regional_network(kb) -> None:
    rows = q(kb, """SELECT ?n ?r WHERE { ?n vkg:appointsForRegionalNetwork ?r }""")
    assert keys(rows, "r") == {"lead-partner", "contactpersoon"}
    assert q(kb, "SELECT ?n WHERE { ?n vkg:leadPartner ?x }") == []  # no source names one


def test_sector_agenda_review_and_adoption(kb) -> None:
    assert objects(kb, "resultaat/b", "vkg:adoptedBy") == {"cvi", "veiligheidsberaad", "jenv"}
    assert objects(kb, "resultaat/b", "vkg:reviewedBy") == {
        "managementraden-veiligheidsberaad", "cvi"}
    assert objects(kb, "resultaat/b", "vkg:contributor") == {"nctv", "veiligheidsberaad"}


def test_consultation_outcome_is_not_copied_into_the_sector_agendas(kb) -> None:
    rows = q(kb, """SELECT ?p WHERE { ?p a vkg:ImprovementPoint ; vkg:phase vkgid:fase\\/2 }""")
    assert keys(rows, "p") == {"voorkant-veiligheidsketen", "informatievoorziening"}
    rows = q(kb, """SELECT ?a ?p WHERE { ?a a vkg:SectorAgenda ; vkg:improvementPoint ?p }""")
    assert keys(rows, "p") == {"drinkwater-3", "gas-3"}  # the two examples of fase II stap 1


def test_regional_action_plans_initiated_by_the_region_within_existing_capacity(kb) -> None:
    assert objects(kb, "resultaat/c", "vkg:initiatorType") == {"SafetyRegion"}
    assert objects(kb, "resultaat/c", "vkg:adoptedByType") == {"SafetyRegion", "VitalCompany"}
    assert kb.ask(PREFIXES + """ASK { vkgid:project\\/continuiteit-samenleving
                                      vkg:withinExistingCapacity true }""")


def test_national_action_plan_initiator_and_networks(kb) -> None:
    assert objects(kb, "actieplan/nationaal", "vkg:initiator") == {"jenv"}
    assert objects(kb, "actieplan/nationaal", "vkg:usesNetwork") == {"cvi", "iwnv"}


def test_who_takes_part_in_the_activities(kb) -> None:
    assert objects(kb, "activiteit/1-2", "prov:wasAssociatedWith") == {
        "db-veiligheidsberaad", "cvi"}
    assert confidence_of(kb, "activiteit/1-2", "prov:wasAssociatedWith",
                         "organisatie/db-veiligheidsberaad") == {"onzeker"}  # "mogelijk DB VB"
    assert objects(kb, "activiteit/1-4", "prov:wasAssociatedWith") == {
        "db-veiligheidsberaad", "cvi", "managementraden-veiligheidsberaad", "ghor"}
    assert objects(kb, "activiteit/2-2", "prov:wasAssociatedWith") == {
        "projectteam-continuiteit", "cvi", "jenv"}
    assert objects(kb, "activiteit/2-5", "prov:wasAssociatedWith") == {
        "projectteam-continuiteit", "stuurgroep-continuiteit", "cvi"}


def test_footnote_source_is_cited(kb) -> None:
    assert objects(kb, "bron/projectplan-continuiteit-2015", "dct:references") == {
        "recipe-tno-2011"}


def test_attention_point_sides_are_marked_uncertain(kb) -> None:
    rows = q(kb, """SELECT ?a ?c WHERE { ?a a vkg:AttentionPoint ; vkg:towards ?side .
        OPTIONAL { ?st rdf:subject ?a ; rdf:predicate vkg:towards ; rdf:object ?side ;
                       vkg:confidence ?c } }""")
    assert len(rows) == 18
    assert {r.get("c") for r in rows} == {f"{ID}betrouwbaarheid/onzeker"}


def test_due_dates_are_comparable_dates_with_their_text(kb) -> None:
    rows = q(kb, """SELECT ?s (DATATYPE(?d) AS ?dt) ?t WHERE { ?s vkg:dueDate ?d .
                                                              OPTIONAL { ?s vkg:dueText ?t } }""")
    assert len(rows) >= 20
    assert {r["dt"] for r in rows} == {"http://www.w3.org/2001/XMLSchema#date"}
    assert all(r.get("t") for r in rows)


def test_date_conflicts_between_plan_and_memo_are_marked(kb) -> None:
    assert objects(kb, "tegenstrijdigheid/menukaart-gereed", "vkg:concerns") == {
        "menukaart-gereed", "menukaart-gereed-memo", "d"}
    assert objects(kb, "tegenstrijdigheid/actieplannen-gereed", "vkg:concerns") == {
        "actieplannen-gereed", "actieplannen-opgesteld", "c"}


def test_sector_agenda_examples_are_not_ranked(kb) -> None:
    rows = q(kb, """SELECT ?p WHERE { ?a a vkg:SectorAgenda ; vkg:improvementPoint ?p .
                                      ?p vkg:rank ?r }""")
    assert rows == []  # "Te denken valt aan": examples, no top-five position


def confidence_of(kb, s: str, p: str, o: str) -> set[str]:
    rows = q(kb, f"""SELECT ?c WHERE {{ <{ID}{s}> {p} <{ID}{o}> .
        ?st rdf:subject <{ID}{s}> ; rdf:predicate {p} ; rdf:object <{ID}{o}> ;
            vkg:confidence ?c ; dct:source ?src }}""")
    return keys(rows, "c")


def test_links_the_seeds_do_not_make_are_marked(kb) -> None:
    assert confidence_of(kb, "project/continuiteit-samenleving", "vkg:goal",
                         "strategisch-doel/1") == {"waarschijnlijk"}
    assert confidence_of(kb, "inspanning/continuiteit-van-de-samenleving", "vkg:project",
                         "project/continuiteit-samenleving") == {"waarschijnlijk"}
    assert confidence_of(kb, "actieplan/nationaal", "vkg:network",
                         "netwerk/continuiteit") == {"onzeker"}
    assert confidence_of(kb, "actieplan/nationaal", "vkg:lead",
                         "organisatie/jenv") == {"waarschijnlijk"}


# --- seed 003 -----------------------------------------------------------------------------

def test_lac_and_mjp_are_two_documents_with_two_commissioners(kb) -> None:
    assert objects(kb, "meerjarenplan/vakraad-2024-2028", "prov:wasDerivedFrom") == {
        "lac-2024-2028"}
    assert objects(kb, "meerjarenplan/vakraad-2024-2028", "vkg:commissioner") == {"rcdv"}
    assert "rcdv" not in objects(kb, "agenda/lac-2024-2028", "vkg:commissioner")
    labels = q(kb, """SELECT ?l WHERE { vkgid:agenda\\/lac-2024-2028 skos:altLabel ?l }""")
    assert {r["l"] for r in labels} == {"LAC"}


def test_bdur_funding_and_its_growth(kb) -> None:
    rows = q(kb, """SELECT ?y ?b ?s WHERE {
        vkgid:financiering\\/bdur-versterking-crisisbeheersing vkg:amountStep ?st .
        ?st vkg:fromYear ?y ; vkg:budget ?b ; vkg:structural ?s }""")
    assert {(int(r["y"]), float(r["b"]), r["s"]) for r in rows} == {
        (2023, 46_000_000.0, "false"), (2026, 83_000_000.0, "true")}
    assert objects(kb, "financiering/bdur-versterking-crisisbeheersing", "vkg:signatory") == {
        "vng", "veiligheidsberaad", "ipo", "rijksoverheid"}
    (row,) = q(kb, """SELECT ?d WHERE {
        vkgid:financiering\\/bdur-versterking-crisisbeheersing dct:date ?d }""")
    assert row["d"] == "2022-08-26"


def test_bdur_programme_lines(kb) -> None:
    rows = q(kb, "SELECT ?n WHERE { ?l a vkg:ProgrammeLine ; skos:notation ?n }")
    assert {r["n"] for r in rows} == {"1", "2a", "2b", "3"}


def test_coming_law(kb) -> None:
    (row,) = q(kb, """SELECT ?y ?old WHERE {
        vkgid:wet\\/wet-crisisbeheersing-en-brandweerzorg vkg:expectedInForce ?y ;
            vkg:succeeds ?old }""")
    assert row["y"] == "2026" and row["old"].endswith("wet/bwbr0027466")


def test_veiligheidsberaad_agenda_2024_2027_has_four_themes(kb) -> None:
    rows = q(kb, """SELECT ?t WHERE {
        vkgid:strategische-agenda\\/veiligheidsberaad-2024-2027 vkg:themeText ?t }""")
    assert len(rows) == 4


def test_lac_dates(kb) -> None:
    (row,) = q(kb, """SELECT ?d WHERE { vkgid:agenda\\/lac-2024-2028-aangeboden vkg:dueDate ?d }""")
    assert row["d"] == "2024-03-19"


def test_lac_to_the_house_is_a_milestone_with_its_conflict(kb) -> None:
    (row,) = q(kb, """SELECT ?d ?t WHERE { vkgid:agenda\\/lac-2024-2028-tweede-kamer
                                              vkg:dueDate ?d ; vkg:dueText ?t }""")
    assert row["d"] == "2024-06-10" and "juni" in row["t"] and "inmiddels" in row["t"]
    assert objects(kb, "tegenstrijdigheid/lac-tweede-kamer", "vkg:concerns") == {
        "lac-2024-2028-tweede-kamer"}
    rows = q(kb, """SELECT ?c WHERE { ?st rdf:subject vkgid:agenda\\/lac-2024-2028-tweede-kamer ;
        rdf:predicate vkg:dueDate ; vkg:confidence ?c }""")
    assert keys(rows, "c") == {"zeker"}  # the date is [C] in the reference (S10)


def test_bdur_initiative_group(kb) -> None:
    g = "organisatie/bdur-initiatiefgroep"
    assert objects(kb, g, "org:hasMember") == {"nipv", "jenv"}
    assert objects(kb, g, "vkg:commissioner") == {"rcdv"}
    (row,) = q(kb, """SELECT ?d WHERE { vkgid:organisatie\\/bdur-initiatiefgroep vkg:milestone ?m .
                                        ?m vkg:dueDate ?d }""")
    assert row["d"] == "2022-12-09"


def test_jenv_budget_2023_and_networks_founded_2024(kb) -> None:
    (row,) = q(kb, """SELECT ?d WHERE { vkgid:bron\\/begroting-jenv-2023 dct:issued ?d }""")
    assert row["d"] == "2022-09-20"
    rows = q(kb, """SELECT ?s WHERE { ?s dct:references vkgid:bron\\/begroting-jenv-2023 }""")
    assert keys(rows, "s") >= {"bdur-versterking-crisisbeheersing-2023",
                               "bdur-versterking-crisisbeheersing-2026"}
    for org in ("lnceko", "platform-netwerk-regie"):
        (row,) = q(kb, f"SELECT ?y WHERE {{ <{ID}organisatie/{org}> dct:created ?y }}")
        assert row["y"] == "2024"


def test_planning_rows_are_not_efforts_and_have_english_labels(kb) -> None:
    rows = q(kb, """SELECT ?r WHERE { ?r a vkg:PlanningRow ; rdfs:label ?en
                                      FILTER(LANG(?en) = "en") }""")
    assert len(rows) == 21
    assert q(kb, "SELECT ?r WHERE { ?r a vkg:PlanningRow , vkg:Effort }") == []


def test_goal_1_8_conflict_is_kept_and_marked(kb) -> None:
    assert objects(kb, "tegenstrijdigheid/doel-1-8", "vkg:concerns") == {"1.8", "1-3-1"}
    (row,) = q(kb, "SELECT ?t WHERE { vkgid:lac-doel\\/1.8 vkg:leadText ?t }")
    assert row["t"] == "Niet van toepassing"
    assert objects(kb, "mjp-opgave/1-3-1", "vkg:lead") == {"vakraad-rcb"}


def test_lac_goals_relate_to_theme_7_with_confidence(kb) -> None:
    rows = q(kb, """SELECT ?n ?c WHERE { ?g vkg:relatedTheme vkgid:thema\\/7 ; skos:notation ?n .
        ?st rdf:subject ?g ; rdf:predicate vkg:relatedTheme ; rdf:object vkgid:thema\\/7 ;
            vkg:confidence ?c }""")
    assert {r["n"] for r in rows} == {"1.2", "1.5", "1.8", "1.9"}
    assert {r["c"] for r in rows} == {f"{ID}betrouwbaarheid/waarschijnlijk"}


def test_every_interpretation_has_confidence_and_source(kb) -> None:
    rows = q(kb, """SELECT ?st WHERE { ?st a rdf:Statement .
        FILTER NOT EXISTS { ?st vkg:confidence ?c ; dct:source ?s ; rdf:subject ?x ;
                                rdf:predicate ?p ; rdf:object ?o } }""")
    assert rows == []


# --- seed 004 -----------------------------------------------------------------------------

def test_strategic_agenda_principles(kb) -> None:
    rows = q(kb, """SELECT ?p WHERE { ?a a vkg:StrategicAgenda ; vkg:principle ?p }""")
    assert len(rows) == 6  # hoofduitgangspunt, four of hoofdstuk 2, one of hoofdstuk 5


def test_strategic_agenda_initiated_by_the_db_from_three_earlier_agendas(kb) -> None:
    a = "strategische-agenda/versterking-veiligheidsregios-2014"
    assert objects(kb, a, "vkg:initiator") == {"db-veiligheidsberaad"}
    assert objects(kb, a, "prov:wasDerivedFrom") == {
        "aanbevelingen-commissie-hoekstra", "agenda-van-de-veiligheidsregios", "voorwaartse-agenda"}


def test_strategic_agenda_organisation(kb) -> None:
    a = "strategische-agenda/versterking-veiligheidsregios-2014"
    assert objects(kb, a, "vkg:commissioner") == {"veiligheidsberaad"}
    assert objects(kb, a, "vkg:facilitator") == {"nipv"}  # "Vanuit het IFV"
    assert objects(kb, a, "vkg:steeringGroup") == {"db-veiligheidsberaad"}
    assert objects(kb, a, "vkg:overseenBy") == {"afdeling-bdo"}


def test_project_plans_for_the_veiligheidsberaad_of_26_september_2014(kb) -> None:
    rows = q(kb, """SELECT ?e WHERE { ?e a vkg:Effort ;
        vkg:milestone vkgid:mijlpaal\\/projectplannen-veiligheidsberaad-2014 }""")
    assert keys(rows, "e") == {"water-en-evacuatie", "continuiteit-van-de-samenleving",
                               "nucleaire-veiligheid", "kwaliteit-vergelijkbaarheid", "vcms",
                               "versterken-bevolkingszorg"}
    for joint in ("water-en-evacuatie", "continuiteit-van-de-samenleving", "nucleaire-veiligheid"):
        assert objects(kb, f"inspanning/{joint}", "vkg:contributor") == {"nctv", "nipv"}
        assert objects(kb, f"inspanning/{joint}", "vkg:partner") == {"jenv"}


def test_efforts_joint_with_jenv_or_initiated_by_the_veiligheidsberaad(kb) -> None:
    joint = keys(q(kb, "SELECT ?e WHERE { ?e a vkg:Effort ; "
                       "vkg:partner vkgid:organisatie\\/jenv }"), "e")
    own = keys(q(kb, """SELECT ?e WHERE { ?e a vkg:Effort ;
                       vkg:initiator vkgid:organisatie\\/veiligheidsberaad }"""), "e")
    assert joint == {"water-en-evacuatie", "continuiteit-van-de-samenleving",
                     "nucleaire-veiligheid"}
    assert len(own) == 13 and not joint & own  # 4.1 footnote 1: the rest is the VB's own


def test_only_vcms_is_prioritised_within_samenwerking_in_de_regio(kb) -> None:
    rows = q(kb, "SELECT ?e WHERE { ?e a vkg:Effort ; vkg:prioritised true }")
    assert keys(rows, "e") == {"kwaliteit-vergelijkbaarheid", "versterken-bevolkingszorg", "vcms"}


@pytest.mark.parametrize("doc", ["000", "001", "002", "003", "004"])
def test_sources_md_covers_every_seed(doc: str) -> None:
    text = (ROOT / "docs" / "SOURCES.md").read_text(encoding="utf-8")
    assert f"Seed {doc}" in text or "Seeds 000 / 001" in text


def test_every_planning_row_goal_link_is_marked(kb) -> None:
    rows = q(kb, """SELECT ?r ?g ?c WHERE { ?r a vkg:PlanningRow ; vkg:goal ?g .
        OPTIONAL { ?st rdf:subject ?r ; rdf:predicate vkg:goal ; rdf:object ?g ;
                       vkg:confidence ?c } }""")
    assert len(rows) == 35 and all(r.get("c") for r in rows)
    sure = {(r["r"].rsplit("/", 1)[1], r["g"].rsplit("/", 1)[1]) for r in rows
            if r["c"].endswith("/zeker")}
    assert sure == {("1-3-1", "1.8"), ("1-4-1", "1.11")}  # the row repeats the goal's text
