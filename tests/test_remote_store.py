"""The remote store against real servers: Oxigraph server and Virtuoso, started by the tests.

The same knowledge base loaded remotely must answer like the embedded store.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import LiveServer
from remote_servers import OxigraphServer, RemoteServer, VirtuosoServer

from vitaalkg.config import Settings
from vitaalkg.plans.loading import load_all
from vitaalkg.store import EmbeddedStore, StoreError
from vitaalkg.store.remote import RemoteStore, bind_values, where_brace

pytestmark = pytest.mark.remote

SERVERS = {"oxigraph-server": OxigraphServer, "virtuoso": VirtuosoServer}


@pytest.fixture(scope="module", params=sorted(SERVERS))
def server(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteServer]:
    cls = SERVERS[request.param]
    if cls.binary() is None:
        pytest.skip(f"{request.param} is not installed (.ci/run installs it)")
    srv = cls(tmp_path_factory.mktemp(request.param)).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def remote(server: RemoteServer, settings: Settings) -> RemoteStore:
    store = RemoteStore(server.query_endpoint, server.update_endpoint)
    load_all(store, settings)
    return store


def test_same_graphs_and_counts_as_embedded(remote: RemoteStore, kb: EmbeddedStore) -> None:
    assert remote.graphs() == kb.graphs()
    for graph in kb.graphs():
        assert remote.triple_count(graph) == kb.triple_count(graph), graph
    assert remote.triple_count() == kb.triple_count()


def test_reload_does_not_duplicate(remote: RemoteStore, settings: Settings) -> None:
    before = remote.triple_count()
    load_all(remote, settings)
    assert remote.triple_count() == before


QUERIES = [
    "SELECT ?s ?label WHERE { ?s a <https://w3id.org/vitaalkg/def/SafetyRegion> ; "
    "<http://www.w3.org/2004/02/skos/core#notation> ?label } ORDER BY ?label",
    "SELECT ?t (COUNT(?s) AS ?n) WHERE { ?s a ?t } GROUP BY ?t ORDER BY ?t",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
]


@pytest.mark.parametrize("query", QUERIES)
def test_select_answers_equal_embedded(remote: RemoteStore, kb: EmbeddedStore,
                                       query: str) -> None:
    assert remote.select(query) == kb.select(query)


def test_ask_and_construct(remote: RemoteStore, kb: EmbeddedStore) -> None:
    ask = "ASK { ?s a <https://w3id.org/vitaalkg/def/SafetyRegion> }"
    assert remote.ask(ask) == kb.ask(ask) is True
    construct = ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?s = "
                 "<https://w3id.org/vitaalkg/id/veiligheidsregio/vr13>) }")
    remote_triples = {str(t) for t in remote.query(construct)}
    assert remote_triples == {str(t) for t in kb.query(construct)}
    assert remote_triples, "vr13 has a description"


def test_substitutions_bind_safely(remote: RemoteStore) -> None:
    query = ("SELECT ?s WHERE { ?s <http://www.w3.org/2004/02/skos/core#notation> ?code }")
    hit = remote.select(query, substitutions={"code": ox.Literal("VR13")})
    assert [r["s"] for r in hit] == ["https://w3id.org/vitaalkg/id/veiligheidsregio/vr13"]
    hostile = ox.Literal('VR13" } UNION { ?s ?p ?o } #')
    assert remote.select(query, substitutions={"code": hostile}) == []


def test_bad_data_leaves_graph_as_it_was(remote: RemoteStore) -> None:
    graph = "https://w3id.org/vitaalkg/graph/test/atomic"
    remote.replace_graph(graph, "<urn:a> <urn:b> 1 .", "ttl")
    with pytest.raises(StoreError):
        remote.replace_graph(graph, "<urn:a> <urn:b> .", "ttl")
    assert remote.triple_count(graph) == 1
    remote.drop_graph(graph)
    assert graph not in remote.graphs()


def test_blank_nodes_survive_chunking(remote: RemoteStore) -> None:
    graph = "https://w3id.org/vitaalkg/graph/test/bnodes"
    lines = [f"<urn:s{i}> <urn:p> [ <urn:q> {i} ; <urn:r> [ <urn:q> \"x{i}\" ] ] ."
             for i in range(6000)]
    assert remote.replace_graph(graph, "\n".join(lines), "ttl") == 6000 * 4
    rows = remote.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s <urn:p> ?b . "
                         "?b <urn:r> ?c . ?c <urn:q> ?x } }", named_graphs=[graph])
    assert int(rows[0]["n"]) == 6000
    remote.drop_graph(graph)


def test_service_runs_on_the_remote_store(server: RemoteServer, remote: RemoteStore,
                                          tmp_path: Path) -> None:
    live = LiveServer(tmp_path / "unused-store", env=server.env()).start()
    try:
        health = httpx.get(live.url + "/health").json()
        assert health["store"] == "remote"
        assert health["triples"] == remote.triple_count()
        assert not (tmp_path / "unused-store").exists(), "no embedded store is made"
    finally:
        live.stop()


def test_where_brace_skips_construct_template_strings_and_comments() -> None:
    q = 'CONSTRUCT { ?s ?p "}{" } # { comment\nWHERE { ?s ?p ?o }'
    assert q[where_brace(q):].strip() == "?s ?p ?o }"
    q2 = "PREFIX x: <urn:{x}> SELECT * { ?s ?p ?o }"
    assert q2[where_brace(q2):].strip() == "?s ?p ?o }"
    bound = bind_values("SELECT ?s WHERE { ?s ?p ?o }", {"o": ox.Literal('a"b')})
    assert 'VALUES (?o) { ("a\\"b") }' in bound


def test_bind_values_reaches_subqueries_as_a_substitution_does(kb) -> None:
    """A parameter used inside a subquery is bound there too (a VALUES block at the top is
    invisible to a subquery): the same rows as Oxigraph's substitution, which binds it
    everywhere; subqueries that do not use it, strings and comments are left alone."""
    query = (
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?c ?n ?x WHERE {\n"
        "  { SELECT ?c ?n ?x WHERE { ?c skos:notation ?n FILTER(STR(?n) = ?x) } }  # ?x { }\n"
        "  { SELECT ?c WHERE { ?c a skos:Concept } }\n"
        "  FILTER(\"?x { }\" != ?x)\n"
        "}")
    term = ox.Literal("3")
    bound = bind_values(query, {"x": term})
    assert bound.count('VALUES (?x) { ("3") }') == 2
    inner = bound.index("WHERE { VALUES (?x)", bound.index("SELECT ?c ?n ?x WHERE {", 80))
    assert inner > 0 and "{ SELECT ?c WHERE { ?c a" in bound  # untouched
    by_values = sorted(str(r["c"]) for r in kb.query(bound))
    by_substitution = sorted(str(r["c"]) for r in kb.query(
        query, substitutions={"x": term}))
    assert by_values == by_substitution and len(by_values) >= 1
