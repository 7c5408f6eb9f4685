"""A restricted plan stays invisible to the public and to non-members through every reading
path — SPARQL in all its forms, named queries, pages, dumps, the plan API — while members and
the project team see it. The plan carries a marker in every description and action IRIs that
exist nowhere else, so any leak shows up as text in an answer."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from plans_support import BASE, VKG, PlanServer, example, mark

NETWORK = "drinkwater-vitens"
MARKER = "GEHEIM7f3a"
VERSION_GRAPH = f"{BASE}graph/plan/{NETWORK}/v1"
PROV_GRAPH = f"{BASE}graph/plan/{NETWORK}/prov"
ACTION = f"{BASE}id/actie/{NETWORK}-a1"
PLAN = f"{BASE}id/actieplan/{NETWORK}"
NET = f"{BASE}id/netwerk/{NETWORK}"
#: any of these in an answer means the restricted plan leaked
LEAKS = (MARKER, f"{NETWORK}-a", VERSION_GRAPH, PROV_GRAPH, f"{BASE}graph/plan/{NETWORK}",
         f"planversie/{NETWORK}")

PREFIX = f"PREFIX vkg: <{VKG}> PREFIX dct: <http://purl.org/dc/terms/> "
ACTION_CLASS_LINK = "/lijst?klasse=" + quote(f"{VKG}Action", safe="") + '"'
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
ASK_OWNER = PREFIX + "ASK { { ?s vkg:owner ?o } UNION { GRAPH ?g { ?s vkg:owner ?o } } }"


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory,
          backend: str) -> Iterator[dict[str, object]]:
    srv = PlanServer(tmp_path_factory.mktemp("access"), backend)
    srv.start()
    tokens = {"member": srv.token("--org", "VR06"), "other": srv.token("--org", "tennet"),
              "team": srv.token("--team")}
    before = {"count": count(srv, None), "ask": ask(srv, ASK_OWNER, None),
              "health": srv.get("/health", None).json()["triples"]}
    plan = mark(example("plan-drinkwater-vitens-correct.csv"), MARKER)
    r = srv.submit(plan, tokens["member"], allow_warnings="true")
    assert r.status_code == 201, r.text
    assert r.json()["visibility"] == "restricted"
    yield {"server": srv, "tokens": tokens, "before": before}
    srv.stop()


def count(srv: PlanServer, token: str | None) -> int:
    r = srv.sparql(COUNT_ALL, token)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def ask(srv: PlanServer, query: str, token: str | None) -> bool:
    r = srv.sparql(query, token)
    assert r.status_code == 200, r.text
    return bool(r.json()["boolean"])


def leaked(text: str) -> list[str]:
    return [x for x in LEAKS if x in text]


def hostile_queries(port: int) -> dict[str, tuple[str, dict[str, str]]]:
    """name -> (query, extra protocol parameters)."""
    g = VERSION_GRAPH
    return {
        "graph-var": ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", {}),
        "graph-names": ("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", {}),
        "from-named": (f"SELECT * FROM NAMED <{g}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
        "from": (f"SELECT * FROM <{g}> WHERE {{ ?s ?p ?o }} LIMIT 20000", {}),
        "from-prov": (f"SELECT * FROM <{PROV_GRAPH}> WHERE {{ ?s ?p ?o }} LIMIT 20000", {}),
        "graph-iri": (f"SELECT * WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}", {}),
        "default-graph-uri": ("SELECT * WHERE { ?s ?p ?o } LIMIT 20000",
                              {"default-graph-uri": g}),
        "named-graph-uri": ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
                            {"named-graph-uri": g}),
        "describe-iri": (f"DESCRIBE <{ACTION}>", {}),
        "describe-plan": (f"DESCRIBE <{PLAN}>", {}),
        "describe-var": (PREFIX + "DESCRIBE ?x WHERE { ?x a vkg:Action }", {}),
        "path-any": (f"SELECT ?x WHERE {{ <{NET}> (<urn:x>|!<urn:x>)* ?x }}", {}),
        "path-inverse": (PREFIX + f"SELECT ?p ?a WHERE {{ <{NET}> ^vkg:network ?p . "
                                  f"OPTIONAL {{ ?p vkg:hasAction ?a }} }}", {}),
        "path-owner": (PREFIX + "SELECT ?a ?o WHERE { ?o ^vkg:owner ?a }", {}),
        "service-self": (f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> "
                         f"{{ GRAPH ?g {{ ?s ?p ?o }} }} }}", {}),
        "bind-iri": (f"SELECT * WHERE {{ BIND(IRI(CONCAT('{BASE}graph/plan/', "
                     f"'{NETWORK}', '/v1')) AS ?g) GRAPH ?g {{ ?s ?p ?o }} }}", {}),
        "values-graph": (f"SELECT * WHERE {{ VALUES ?g {{ <{g}> <{PROV_GRAPH}> }} "
                         f"GRAPH ?g {{ ?s ?p ?o }} }}", {}),
        "construct-all": ("CONSTRUCT WHERE { ?s ?p ?o }", {}),
        "construct-graphs": ("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", {}),
        "regex-text": (PREFIX + f"SELECT ?s ?d WHERE {{ {{ ?s dct:description ?d }} UNION "
                                f"{{ GRAPH ?g {{ ?s dct:description ?d }} }} "
                                f"FILTER(CONTAINS(STR(?d), '{MARKER}')) }}", {}),
        "identifier": (PREFIX + "SELECT ?s ?id WHERE { GRAPH ?g { ?s dct:identifier ?id "
                                "FILTER(?id IN ('A1', 'A2', 'A5')) } }", {}),
        "exists-filter": (f"SELECT ?x WHERE {{ BIND(1 AS ?x) FILTER EXISTS {{ GRAPH <{g}> "
                          f"{{ ?s ?p ?o }} }} }}", {}),
    }


@pytest.mark.parametrize("who", ["anonymous", "other"])
def test_hostile_sparql_queries_see_nothing(setup: dict, who: str) -> None:
    srv: PlanServer = setup["server"]
    token = None if who == "anonymous" else setup["tokens"]["other"]
    queries = hostile_queries(srv.port)
    assert len(queries) >= 15
    for name, (query, params) in queries.items():
        accept = "application/n-triples" if "CONSTRUCT" in query or "DESCRIBE" in query \
            else "text/csv"
        r = srv.sparql(query, token, accept=accept, **params)
        assert r.status_code in (200, 400, 403), (name, r.status_code, r.text[:300])
        assert not leaked(r.text), (name, leaked(r.text), r.text[:300])
        if name == "exists-filter":
            assert r.text.strip().splitlines()[1:] == [], name
        if name == "service-self":
            assert r.status_code == 403
    # aggregates and ASK answer as if the plan did not exist
    assert count(srv, token) == setup["before"]["count"]
    assert ask(srv, ASK_OWNER, token) == setup["before"]["ask"]
    assert not ask(srv, f"ASK {{ GRAPH ?g {{ <{ACTION}> ?p ?o }} }}", token)
    # the service description names no plan graph
    r = srv.get("/sparql", token, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and not leaked(r.text), leaked(r.text)


@pytest.mark.parametrize("who", ["anonymous", "other"])
def test_other_reading_paths_hide_the_plan(setup: dict, who: str) -> None:
    srv: PlanServer = setup["server"]
    token = None if who == "anonymous" else setup["tokens"]["other"]
    for name in ("acties-te-laat", "acties-onvolledig", "voortgang-per-netwerk"):
        r = srv.get(f"/queries/{name}", token, headers={"Accept": "text/csv"})
        assert r.status_code == 200, (name, r.text[:300])
        assert not leaked(r.text), (name, leaked(r.text))
    r = srv.get(f"/queries/acties-te-laat?netwerk={quote(NET)}", token,
                headers={"Accept": "text/csv"})
    assert not leaked(r.text)
    dump = srv.get("/dumps/vitaalkg.nt.gz", token)
    assert dump.status_code == 200 and not leaked(gzip.decompress(dump.content).decode())
    ttl = srv.get("/dumps/vitaalkg.ttl", token)
    assert ttl.status_code == 200 and not leaked(ttl.text)
    for path in (f"/doc/actie/{NETWORK}-a1", f"/doc/actieplan/{NETWORK}",
                 f"/doc/actie/{NETWORK}-a1.ttl", f"/plans/{NETWORK}",
                 f"/plans/{NETWORK}/versions/1", f"/plans/{NETWORK}/diff?from=1&to=1"):
        r = srv.get(path, token)
        assert r.status_code == 404, (path, r.status_code)
        assert MARKER not in r.text and VERSION_GRAPH not in r.text  # 404 pages echo the path
    r = srv.get(f"/doc/netwerk/{NETWORK}", token)
    assert r.status_code == 200 and not leaked(r.text), leaked(r.text)
    r = srv.get("/plans", token)
    assert r.status_code == 200 and not leaked(r.text)
    void = srv.get("/.well-known/void", token)
    assert void.status_code == 200 and not leaked(void.text)
    health = srv.get("/health", token).json()
    assert health["triples"] == setup["before"]["health"], "the size of hidden plans leaks"
    # the home page (kept per store generation and dataset) counts no hidden actions
    for _ in range(2):
        home = srv.get("/", token)
        assert home.status_code == 200 and not leaked(home.text)
        assert ACTION_CLASS_LINK not in home.text


@pytest.mark.parametrize("who", ["member", "team"])
def test_member_and_team_see_the_plan(setup: dict, who: str) -> None:
    srv: PlanServer = setup["server"]
    token = setup["tokens"][who]
    r = srv.sparql(f"SELECT * WHERE {{ GRAPH <{VERSION_GRAPH}> {{ ?s ?p ?o }} }}", token,
                   accept="text/csv")
    assert MARKER in r.text and ACTION in r.text
    r = srv.sparql(PREFIX + "SELECT ?a WHERE { ?a a vkg:Action }", token, accept="text/csv")
    assert r.text.count(f"{NETWORK}-a") == 5
    r = srv.sparql(f"DESCRIBE <{ACTION}>", token, accept="application/n-triples")
    assert MARKER in r.text
    assert count(srv, token) > setup["before"]["count"]
    assert srv.get(f"/doc/actie/{NETWORK}-a1", token).status_code == 200
    assert srv.get(f"/doc/actieplan/{NETWORK}", token).status_code == 200
    r = srv.get("/queries/acties-te-laat", token, headers={"Accept": "text/csv"})
    assert f"{NETWORK}-a1" in r.text
    dump = srv.get("/dumps/vitaalkg.nt.gz", token)
    assert MARKER in gzip.decompress(dump.content).decode()
    assert srv.get(f"/plans/{NETWORK}/versions/1", token).status_code == 200
    assert srv.get("/health", token).json()["triples"] > setup["before"]["health"]
    for _ in range(2):  # computed once per generation and dataset, then kept
        home = srv.get("/", token)
        assert home.status_code == 200 and ACTION_CLASS_LINK in home.text
