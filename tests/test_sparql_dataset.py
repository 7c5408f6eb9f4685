"""Standards conformance of /sparql for integrators (issue 11), on every backend: the dataset of
FROM / FROM NAMED (SPARQL 1.1 Query 13.2) with curl-like httpx, SPARQLWrapper and rdflib's
SPARQLStore; the protocol's dataset overriding it; restricted plans staying out of it; the base
IRI; one query per request; HEAD; parse errors positioned in the user's text; ASK as CSV/TSV."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import rdflib
from conftest import ROOT
from plans_support import BASE, PlanServer, example
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, SPARQLWrapper

ONTOLOGY = f"{BASE}graph/ontology/vitaalkg"
THEMES = f"{BASE}graph/data/themes"
MISSING = f"{BASE}graph/data/does-not-exist"


def _triples(path: str) -> int:
    """Triples of a source file, counted independently of the service (rdflib)."""
    return len(rdflib.Graph().parse(ROOT / path))


#: the sizes of the two graphs the tests name (1,316 and 135 when this test was written)
ONTOLOGY_TRIPLES, THEMES_TRIPLES = _triples("ontology/vitaalkg.ttl"), _triples("data/themes.ttl")
COUNT = "SELECT (COUNT(*) AS ?n) {from_} WHERE {{ ?s ?p ?o }}"
COUNT_NAMED = "SELECT (COUNT(*) AS ?n) {from_} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"


def count(url: str, query: str, **params: object) -> int:
    r = httpx.post(url + "/sparql", data={"query": query, **params},
                   headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_from_names_the_default_graph(live_server):
    url = live_server.url
    everything = count(url, COUNT.format(from_=""))
    assert everything > ONTOLOGY_TRIPLES  # sanity: the union holds more than the one graph
    assert count(url, COUNT.format(from_=f"FROM <{ONTOLOGY}>")) == ONTOLOGY_TRIPLES
    both = f"FROM <{ONTOLOGY}> FROM <{THEMES}>"
    assert count(url, COUNT.format(from_=both)) == ONTOLOGY_TRIPLES + THEMES_TRIPLES
    # prefixed names and GET work as well
    r = httpx.get(url + "/sparql", params={"query": "PREFIX g: <" + BASE + "graph/ontology/> "
                                           + COUNT.format(from_="FROM g:vitaalkg")},
                  headers={"Accept": "application/sparql-results+json"})
    assert r.json()["results"]["bindings"][0]["n"]["value"] == str(ONTOLOGY_TRIPLES)


def test_from_named_and_the_empty_parts(live_server):
    url = live_server.url
    # FROM NAMED only: these named graphs, an empty default graph
    assert count(url, COUNT_NAMED.format(from_=f"FROM NAMED <{ONTOLOGY}>")) == ONTOLOGY_TRIPLES
    assert count(url, COUNT.format(from_=f"FROM NAMED <{ONTOLOGY}>")) == 0
    # FROM only: no named graphs at all
    assert count(url, COUNT_NAMED.format(from_=f"FROM <{ONTOLOGY}>")) == 0
    # a graph that does not exist is empty
    assert count(url, COUNT.format(from_=f"FROM <{MISSING}>")) == 0


def test_protocol_dataset_overrides_from(live_server):
    query = COUNT.format(from_=f"FROM <{ONTOLOGY}>")
    assert count(live_server.url, query, **{"default-graph-uri": THEMES}) == THEMES_TRIPLES


def test_from_with_sparqlwrapper(live_server):
    client = SPARQLWrapper(live_server.url + "/sparql")
    client.setQuery(COUNT.format(from_=f"FROM <{ONTOLOGY}>"))
    client.setReturnFormat(JSON)
    data = client.query().convert()
    assert int(data["results"]["bindings"][0]["n"]["value"]) == ONTOLOGY_TRIPLES
    client.setQuery(COUNT_NAMED.format(from_=f"FROM NAMED <{THEMES}>"))
    data = client.query().convert()
    assert int(data["results"]["bindings"][0]["n"]["value"]) == THEMES_TRIPLES


def test_from_with_rdflib_sparqlstore(live_server):
    store = SPARQLStore(live_server.url + "/sparql", returnFormat="json")
    graph = rdflib.Graph(store=store)
    rows = list(graph.query(COUNT.format(from_=f"FROM <{ONTOLOGY}>")))
    assert int(rows[0][0]) == ONTOLOGY_TRIPLES
    # a graph with an identifier: rdflib sends it as default-graph-uri
    ontology = rdflib.Graph(store=store, identifier=rdflib.URIRef(ONTOLOGY))
    assert len(ontology) == ONTOLOGY_TRIPLES
    assert len(rdflib.Graph(store=store, identifier=rdflib.URIRef(MISSING))) == 0


def test_relative_iris_resolve_against_the_endpoint(live_server):
    r = httpx.get(live_server.url + "/sparql",
                  params={"query": "CONSTRUCT { <s> <p> <o> } WHERE {}"},
                  headers={"Accept": "application/n-triples"})
    assert r.status_code == 200, r.text
    endpoint = live_server.url + "/"
    assert r.text.strip() == f"<{endpoint}s> <{endpoint}p> <{endpoint}o> ."
    # the query's own BASE wins
    r = httpx.get(live_server.url + "/sparql",
                  params={"query": "BASE <http://example.org/x/> CONSTRUCT { <s> <p> <o> } "
                                   "WHERE {}"}, headers={"Accept": "application/n-triples"})
    assert r.text.strip() == ("<http://example.org/x/s> <http://example.org/x/p> "
                              "<http://example.org/x/o> .")


def test_two_queries_in_one_request_are_refused(live_server):
    url = live_server.url + "/sparql"
    r = httpx.get(url, params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert r.status_code == 400 and "more than one query" in r.text
    r = httpx.post(url, data={"query": ["ASK {}", "ASK {}"]})
    assert r.status_code == 400
    r = httpx.post(url + "?query=ASK%7B%7D", content="ASK {}",
                   headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400


def test_head_answers_like_get_without_body(live_server):
    params = {"query": "ASK {}"}
    got = httpx.get(live_server.url + "/sparql", params=params)
    head = httpx.head(live_server.url + "/sparql", params=params)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == str(len(got.content))


def test_parse_error_positions_are_in_the_users_text(live_server):
    for query in ("SELECT * WHERE { ?s ?p ?o ", "SELECT * WHERE { ?s ?p }"):
        r = httpx.get(live_server.url + "/sparql", params={"query": query})
        assert r.status_code == 400
        assert "1:" in r.text and "2:1" not in r.text, r.text


@pytest.mark.parametrize("accept, expected", [
    ("text/csv", b"_askResult\r\ntrue\r\n"),
    ("text/tab-separated-values", b"?_askResult\ntrue\n"),
])
def test_ask_as_csv_and_tsv_follows_jena(live_server, accept, expected):
    r = httpx.get(live_server.url + "/sparql", params={"query": "ASK {}"},
                  headers={"Accept": accept})
    assert r.status_code == 200 and r.content == expected


# -- restricted plans stay out of a dataset named in the query -------------------------------
NETWORK = "drinkwater-vitens"
PLAN_GRAPH = f"{BASE}graph/plan/{NETWORK}/v1"


@pytest.fixture(scope="module")
def restricted(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Iterator[dict]:
    srv = PlanServer(tmp_path_factory.mktemp("from-restricted"), backend)
    srv.start()
    member = srv.token("--org", "VR06")
    r = srv.submit(example("plan-drinkwater-vitens-correct.csv"), member,
                   allow_warnings="true")
    assert r.status_code == 201, r.text
    assert r.json()["visibility"] == "restricted"
    yield {"server": srv, "member": member, "other": srv.token("--org", "tennet")}
    srv.stop()


def _count(srv: PlanServer, query: str, token: str | None, **params: object) -> int:
    r = srv.sparql(query, token, **params)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("who", [None, "other"])
def test_from_a_restricted_plan_is_empty_for_outsiders(restricted, who):
    srv, token = restricted["server"], restricted.get(who) if who else None
    for template in (COUNT, COUNT_NAMED):
        for graph in (PLAN_GRAPH, MISSING):
            for clause in ("FROM", "FROM NAMED"):
                assert _count(srv, template.format(from_=f"{clause} <{graph}>"), token) == 0
        assert _count(srv, template.format(from_=""), token,
                      **{"default-graph-uri": PLAN_GRAPH,
                         "named-graph-uri": PLAN_GRAPH}) == 0
    # the member sees it, through the same clauses
    member = restricted["member"]
    assert _count(srv, COUNT.format(from_=f"FROM <{PLAN_GRAPH}>"), member) > 0
    assert _count(srv, COUNT_NAMED.format(from_=f"FROM NAMED <{PLAN_GRAPH}>"), member) > 0
