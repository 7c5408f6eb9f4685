"""The Landelijke Agenda Crisisbeheersing / Meerjarenplan 2024-2028 of the Vakraad (data/lac.ttl).

The expected values below are written from a reading of the source (seed 003): Bijlage 1 for the
goals and their "Regie" cell, the Agenda/Planning tables for the years.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import rdflib

from vitaalkg.config import Settings
from vitaalkg.namespaces import SPARQL_PREFIXES
from vitaalkg.store import EmbeddedStore

ROOT = Path(__file__).resolve().parents[1]
ID = "https://w3id.org/vitaalkg/id/"
MJP = ID + "bron/mjp-2024-2028"
NVT = "Niet van toepassing"
VAKRAAD = "Vakraad R&Cb"
NIPV_VAKRAAD = "NIPV/Vakraad R&Cb"

# Bijlage 1, column "Regie": notation -> (cell text, organisation keys it names).
REGIE: dict[str, tuple[str, frozenset[str]]] = {
    "1.1": (NVT, frozenset()),
    "1.2": (NVT, frozenset()),
    "1.3": (NVT, frozenset()),
    "1.4": (NVT, frozenset()),
    "1.5": ("Vakraad R&Cb (opstellen kaders)", frozenset({"vakraad-rcb"})),
    "1.6": (NVT, frozenset()),
    "1.7": (NVT, frozenset()),
    "1.8": (NVT, frozenset()),
    "1.9": (NVT, frozenset()),
    "1.10": (NVT, frozenset()),
    "1.11": (NVT, frozenset()),
    "1.12": (VAKRAAD, frozenset({"vakraad-rcb"})),
    "1.13": (VAKRAAD, frozenset({"vakraad-rcb"})),
    "1.14": (VAKRAAD, frozenset({"vakraad-rcb"})),
    "1.15": (VAKRAAD, frozenset({"vakraad-rcb"})),
    "1.16": (NVT, frozenset()),
    "1.17": (NVT, frozenset()),
    "1.18": (NVT, frozenset()),
    "1.19": (NVT, frozenset()),
    "1.20": (NVT, frozenset()),
    "2.1": (NIPV_VAKRAAD, frozenset({"nipv", "vakraad-rcb"})),
    "2.2": (NIPV_VAKRAAD, frozenset({"nipv", "vakraad-rcb"})),
    "2.3": (NIPV_VAKRAAD, frozenset({"nipv", "vakraad-rcb"})),
    "2.4": (NIPV_VAKRAAD, frozenset({"nipv", "vakraad-rcb"})),
    "2.5": (NIPV_VAKRAAD, frozenset({"nipv", "vakraad-rcb"})),
    "2.6": (VAKRAAD, frozenset({"vakraad-rcb"})),
    "2.7": (VAKRAAD, frozenset({"vakraad-rcb"})),
    "2.8": (VAKRAAD, frozenset({"vakraad-rcb"})),
    "2.9": (VAKRAAD, frozenset({"vakraad-rcb"})),
    "2.10": (VAKRAAD, frozenset({"vakraad-rcb"})),
    "2.11": (NVT, frozenset()),
    "2.12": (NVT, frozenset()),
    "3.1": (VAKRAAD, frozenset({"vakraad-rcb"})),
    "3.2": (VAKRAAD, frozenset({"vakraad-rcb"})),
    "3.3": (VAKRAAD, frozenset({"vakraad-rcb"})),
    "3.4": (NVT, frozenset()),
    "3.5": (VAKRAAD, frozenset({"vakraad-rcb"})),
    "3.6": (VAKRAAD, frozenset({"vakraad-rcb"})),
    "3.7": (VAKRAAD, frozenset({"vakraad-rcb"})),
    "3.8": (VAKRAAD, frozenset({"vakraad-rcb"})),
}

# Years from the planning-table rows that work on a goal; 1.20 states "Planning: 2024" itself.
# Goals without a row (and without a year in their own text) have no planned year.
Y24_25, Y24_26, Y24_27 = {2024, 2025}, {2024, 2025, 2026}, {2024, 2025, 2026, 2027}
YEARS: dict[str, set[int]] = {
    "1.1": {2025}, "1.5": Y24_25, "1.8": Y24_25, "1.11": Y24_26,
    "1.12": Y24_27, "1.13": Y24_27, "1.14": Y24_27, "1.15": Y24_27, "1.20": {2024},
    "2.1": Y24_27, "2.2": Y24_27, "2.3": Y24_27, "2.4": Y24_27, "2.5": Y24_27,
    "2.6": Y24_26, "2.7": Y24_26, "2.8": Y24_26, "2.9": Y24_26, "2.10": Y24_26,
    "3.1": Y24_27, "3.2": Y24_26, "3.3": {2025}, "3.4": Y24_27,
    "3.5": {2025, 2026, 2027}, "3.6": Y24_26, "3.7": Y24_27, "3.8": {2025, 2026, 2027, 2028},
}
NOTATIONS = ([f"1.{i}" for i in range(1, 21)] + [f"2.{i}" for i in range(1, 13)]
             + [f"3.{i}" for i in range(1, 9)])


def q(kb: EmbeddedStore, body: str, **dataset) -> list[dict]:
    return kb.select(SPARQL_PREFIXES + body, **dataset)


def key(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


@pytest.fixture(scope="module")
def lac_graph(settings: Settings) -> str:
    return f"{settings.base}graph/data/lac"


@pytest.fixture(scope="module")
def goals(kb: EmbeddedStore) -> dict[str, dict[str, set[str]]]:
    """notation -> {'lead': IRIs, 'leadText': texts, 'year': years, 'pillar': …, 'theme': …}."""
    rows = q(kb, """
        SELECT ?n ?p ?o WHERE {
          ?g a vkg:AgendaGoal ; skos:notation ?n ; ?p ?o .
          VALUES ?p { vkg:lead vkg:leadText vkg:plannedYear vkg:pillar vkg:agendaTheme }
        }""")
    names = {"lead": "lead", "leadText": "leadText", "plannedYear": "year", "pillar": "pillar",
             "agendaTheme": "theme"}
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in rows:
        found[r["n"]][names[key(r["p"])]].add(r["o"])
    return found


def test_turtle_parses() -> None:
    graph = rdflib.Graph().parse(ROOT / "data" / "lac.ttl", format="turtle")
    assert len(graph) > 1000


def test_exactly_the_forty_goals_of_bijlage_1(kb: EmbeddedStore) -> None:
    rows = q(kb, "SELECT ?g ?n WHERE { ?g a vkg:AgendaGoal ; skos:notation ?n }")
    assert len(rows) == 40
    assert sorted(r["n"] for r in rows) == sorted(NOTATIONS)
    assert {r["g"] for r in rows} == {f"{ID}lac-doel/{n}" for n in NOTATIONS}


@pytest.mark.parametrize("notation", NOTATIONS)
def test_goal_regie_as_in_bijlage_1(goals: dict, notation: str) -> None:
    cell, leads = REGIE[notation]
    assert goals[notation]["leadText"] == {cell}
    assert {key(o) for o in goals[notation]["lead"]} == leads
    for org in goals[notation]["lead"]:
        assert org.startswith(ID + "organisatie/")


def test_goals_under_regie_have_a_lead_and_planned_years(goals: dict) -> None:
    with_lead = [n for n in NOTATIONS if goals[n]["lead"]]
    assert len(with_lead) == 22
    for n in with_lead:
        assert goals[n]["year"], n
    for n in set(NOTATIONS) - set(with_lead):
        assert goals[n]["leadText"] == {NVT}, n


@pytest.mark.parametrize("notation", NOTATIONS)
def test_planned_years_as_in_the_planning_table(goals: dict, notation: str) -> None:
    years = {int(y) for y in goals[notation]["year"]}
    assert years == YEARS.get(notation, set())
    assert all(2024 <= y <= 2028 for y in years)


def test_goal_years_are_those_of_the_rows_that_work_on_it(kb: EmbeddedStore) -> None:
    rows = q(kb, """
        SELECT ?n ?y WHERE {
          ?e a vkg:PlanningRow ; vkg:goal ?g ; vkg:plannedYear ?y .
          ?g a vkg:AgendaGoal ; skos:notation ?n .
        }""")
    from_rows: dict[str, set[int]] = defaultdict(set)
    for r in rows:
        from_rows[r["n"]].add(int(r["y"]))
    expected = {n: y for n, y in YEARS.items() if n != "1.20"}
    assert dict(from_rows) == expected


def test_planning_rows(kb: EmbeddedStore) -> None:
    rows = q(kb, """
        SELECT ?e (SAMPLE(?l) AS ?label) (SAMPLE(?lead) AS ?by) (SAMPLE(?t) AS ?theme)
               (MIN(?y) AS ?first) (MAX(?y) AS ?last) WHERE {
          ?e a vkg:PlanningRow ; dct:isPartOf vkgid:meerjarenplan\\/vakraad-2024-2028 ;
             rdfs:label ?l ;
             vkg:lead ?lead ; vkg:agendaTheme ?t ; vkg:plannedYear ?y .
        } GROUP BY ?e""")
    assert len(rows) == 21
    for r in rows:
        assert key(r["by"]) == "vakraad-rcb"
        assert 2024 <= int(r["first"]) <= int(r["last"]) <= 2028
    event = [r for r in rows if "netwerkevent" in r["label"]]
    assert len(event) == 1 and (event[0]["first"], event[0]["last"]) == ("2025", "2028")


def test_goal_pillar_matches_its_first_digit(goals: dict, kb: EmbeddedStore) -> None:
    theme_pillar = {r["t"]: r["p"] for r in q(kb, """
        SELECT ?t ?p WHERE { ?t a vkg:AgendaTheme ; vkg:pillar ?p }""")}
    for n in NOTATIONS:
        assert goals[n]["pillar"] == {f"{ID}pijler/{n.split('.')[0]}"}, n
        (theme,) = goals[n]["theme"]
        assert theme_pillar[theme] == f"{ID}pijler/{n.split('.')[0]}", n


def test_pillars_and_themes(kb: EmbeddedStore) -> None:
    pillars = q(kb, """
        SELECT ?p ?n ?l WHERE { ?p a vkg:Pillar ; skos:notation ?n ; rdfs:label ?l ;
                                   dct:isPartOf vkgid:agenda\\/lac-2024-2028 .
                                FILTER(lang(?l) = "nl") }""")
    assert {(key(r["p"]), r["n"], r["l"]) for r in pillars} == {
        ("1", "1", "Versterken voorbereiding en paraatheid"),
        ("2", "2", "Versterken van een weerbare samenleving"),
        ("3", "3", "Bevorderen van kwaliteit en professionaliteit"),
    }
    themes = q(kb, """
        SELECT ?p (COUNT(?t) AS ?n) WHERE { ?t a vkg:AgendaTheme ; vkg:pillar ?p } GROUP BY ?p""")
    assert {key(r["p"]): int(r["n"]) for r in themes} == {"1": 5, "2": 3, "3": 4}


def test_societal_needs(kb: EmbeddedStore) -> None:
    rows = q(kb, """
        SELECT ?s ?n ?l (COUNT(?part) AS ?parts) WHERE {
          ?s a vkg:SocietalNeed ; skos:notation ?n ; rdfs:label ?l ;
             dct:isPartOf vkgid:agenda\\/lac-2024-2028 .
          OPTIONAL { ?part dct:isPartOf ?s }
          FILTER(lang(?l) = "nl")
        } GROUP BY ?s ?n ?l""")
    assert {(r["n"], r["l"], int(r["parts"])) for r in rows} == {
        ("1", "Evacuatie", 0),
        ("2", "Acute medische en psychosociale zorg", 0),
        ("3", "Basisbehoeften", 4),
        ("4", "Nafase en herstel", 4),
    }


def test_agenda(kb: EmbeddedStore) -> None:
    rows = q(kb, """
        SELECT ?budget ?start ?end ?publisher WHERE {
          vkgid:meerjarenplan\\/vakraad-2024-2028 a vkg:MultiYearPlan ;
              prov:wasDerivedFrom vkgid:agenda\\/lac-2024-2028 ;
              vkg:budget ?budget ; dct:publisher ?publisher ;
              dct:temporal [ dcat:startDate ?start ; dcat:endDate ?end ] .
        }""")
    assert len(rows) == 1
    assert float(rows[0]["budget"]) == 625000.0
    assert (rows[0]["start"], rows[0]["end"]) == ("2024", "2028")
    assert key(rows[0]["publisher"]) == "vakraad-rcb"
    roles = q(kb, """
        SELECT ?p ?o WHERE { vkgid:agenda\\/lac-2024-2028 ?p ?o .
                             VALUES ?p { vkg:commissioner vkg:contractor } }""")
    assert {key(r["o"]) for r in roles if r["p"].endswith("commissioner")} == {
        "jenv", "veiligheidsberaad"}
    assert "rcdv" in {key(r["o"]) for r in roles if r["p"].endswith("contractor")}


def test_linked_organisations_exist(kb: EmbeddedStore, lac_graph: str) -> None:
    """Every organisation the agenda points to is an org:Organization somewhere in the KB."""
    rows = q(kb, f"""
        SELECT DISTINCT ?o WHERE {{
          GRAPH <{lac_graph}> {{
            ?s ?p ?o .
            VALUES ?p {{ vkg:lead vkg:partner vkg:commissioner vkg:contractor org:linkedTo }}
          }}
          FILTER NOT EXISTS {{ ?o a/rdfs:subClassOf* org:Organization }}
        }}""")
    assert rows == []


def test_every_resource_has_a_source_in_the_mjp(kb: EmbeddedStore, lac_graph: str) -> None:
    unsourced = q(kb, f"""
        SELECT ?s WHERE {{
          GRAPH <{lac_graph}> {{ ?s a ?type . FILTER(isIRI(?s))
                                 FILTER NOT EXISTS {{ ?s dct:source ?src }} }}
          FILTER NOT EXISTS {{ ?s a vkg:SourceDocument }}
        }}""")
    assert unsourced == []
    sources = q(kb, f"""
        SELECT DISTINCT ?src WHERE {{ GRAPH <{lac_graph}> {{ ?s dct:source ?src }} }}""")
    assert sources
    for r in sources:
        src = r["src"]
        assert src == MJP or src.startswith(MJP + "-"), src
    sections = q(kb, f"""
        SELECT ?sec WHERE {{
          ?sec a vkg:SourceDocument ; dct:isPartOf <{MJP}> ; rdfs:label ?l ;
               dct:bibliographicCitation ?c . FILTER(lang(?l) = "nl")
        }}""")
    cited = {r["src"] for r in sources} - {MJP}
    assert cited <= {r["sec"] for r in sections}
