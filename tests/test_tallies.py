"""Action tallies (``vitaalkg.plans.tallies``): what they count, where they are written, and that
the progress queries that sum them (``queries/voortgang-*.rq``) answer exactly as the queries that
counted every action did — on every backend, with plans loaded from ``data/``, with submitted
plans and their versions, after a reload, and for callers who may not read a plan."""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import owlready2
import pyoxigraph as ox
import pytest
from conftest import ROOT
from plans_support import BASE, VKG, PlanServer, big_plan, example
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from vitaalkg.config import Settings
from vitaalkg.plans import tallies
from vitaalkg.plans.loading import ensure_loaded, load_all
from vitaalkg.plans.registry import PlanRegistry
from vitaalkg.plans.synthetic import make_root, network_members, synthetic_plans
from vitaalkg.plans.tokens import Principal
from vitaalkg.store import EmbeddedStore
from vitaalkg.store.namedqueries import load_named_queries
from vitaalkg.store.remote import bind_values
from vitaalkg.validation.inputs import read_plan_file

QUERIES = load_named_queries(ROOT / "queries")
V = Namespace(VKG)
PROV = Namespace("http://www.w3.org/ns/prov#")
NETWORK = "drinkwater-vitens"
NET = f"{BASE}id/netwerk/{NETWORK}"
PLAN = f"{BASE}id/actieplan/{NETWORK}"
DATA_GRAPH = f"{BASE}graph/data/zz-synthetic-plans"
SYNTHETIC = 400
RDF_TYPE = ox.NamedNode(str(RDF.type))
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")

# -- the oracle: the progress queries as they were before tallies, counting every action -------
_SHARE = """
  BIND(?acties - ?afgerond - ?vervallen AS ?lopend)
  BIND(IF(?acties - ?vervallen > 0,
          ROUND(1000 * ?afgerond / (?acties - ?vervallen)) / 10, 0) AS ?procentAfgerond)"""
_PREFIXES = """PREFIX vkg: <https://w3id.org/vitaalkg/def/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
DIRECT = {
    "voortgang-per-thema": _PREFIXES + """
SELECT ?themaNummer ?themaLabel ?acties ?afgerond ?vervallen ?lopend ?procentAfgerond
WHERE {
  {
    SELECT ?thema (SUM(?n) AS ?acties) (SUM(IF(?status = "afgerond", ?n, 0)) AS ?afgerond)
           (SUM(IF(?status = "vervallen", ?n, 0)) AS ?vervallen)
    WHERE {
      {
        SELECT ?thema ?st (COUNT(?actie) AS ?n)
        WHERE {
          { SELECT ?actie WHERE { ?plan vkg:hasAction ?actie } }
          { SELECT ?actie ?thema WHERE { ?actie vkg:theme ?thema } }
          { SELECT ?actie ?st WHERE { ?actie vkg:status ?st } }
        }
        GROUP BY ?thema ?st
      }
      ?st skos:notation ?status .
    }
    GROUP BY ?thema
  }
  ?thema skos:notation ?themaNummer .
  OPTIONAL { ?thema skos:prefLabel ?themaLabel FILTER(LANG(?themaLabel) = "nl") }""" + _SHARE + """
}
ORDER BY ?themaNummer""",
    "voortgang-per-sector": _PREFIXES + """
SELECT ?sector ?sectorLabel ?acties ?afgerond ?vervallen ?lopend ?procentAfgerond
WHERE {
  {
    SELECT ?sector (SUM(?n) AS ?acties) (SUM(IF(?status = "afgerond", ?n, 0)) AS ?afgerond)
           (SUM(IF(?status = "vervallen", ?n, 0)) AS ?vervallen)
    WHERE {
      {
        SELECT ?plan ?st (COUNT(?actie) AS ?n)
        WHERE {
          { SELECT ?plan ?actie WHERE { ?plan vkg:hasAction ?actie } }
          { SELECT ?actie ?st WHERE { ?actie vkg:status ?st } }
        }
        GROUP BY ?plan ?st
      }
      ?plan vkg:network ?netwerk .
      ?netwerk vkg:sector ?sector .
      ?st skos:notation ?status .
    }
    GROUP BY ?sector
  }
  OPTIONAL { ?sector skos:prefLabel ?sectorLabel FILTER(LANG(?sectorLabel) = "nl") }""" + _SHARE
    + """
}
ORDER BY ?sectorLabel""",
    "voortgang-per-netwerk": _PREFIXES + """
SELECT ?netwerk ?netwerkLabel ?__sector_iri ?acties ?afgerond ?vervallen ?lopend
       ?procentAfgerond
WHERE {
  {
    SELECT ?netwerk (SUM(?n) AS ?acties) (SUM(IF(?status = "afgerond", ?n, 0)) AS ?afgerond)
           (SUM(IF(?status = "vervallen", ?n, 0)) AS ?vervallen)
    WHERE {
      {
        SELECT ?plan ?st (COUNT(?actie) AS ?n)
        WHERE {
          { SELECT ?plan ?actie WHERE { ?plan vkg:hasAction ?actie } }
          { SELECT ?actie ?st WHERE { ?actie vkg:status ?st } }
        }
        GROUP BY ?plan ?st
      }
      ?plan vkg:network ?netwerk .
      ?st skos:notation ?status .
    }
    GROUP BY ?netwerk
  }
  OPTIONAL { ?netwerk vkg:sector ?sector }
  FILTER(STR(COALESCE(?__sector_iri, "-")) = "-" || ?sector = ?__sector_iri)
  OPTIONAL { ?netwerk rdfs:label ?netwerkLabel FILTER(LANG(?netwerkLabel) = "nl") }""" + _SHARE
    + """
}
ORDER BY ?netwerkLabel""",
}
CASES = [("voortgang-per-thema", {}), ("voortgang-per-sector", {}),
         ("voortgang-per-netwerk", {}), ("voortgang-per-netwerk", {"sector": "sector/drinkwater"}),
         ("voortgang-per-netwerk", {"sector": "sector/gas"})]


# -- counting in Python, independently of vitaalkg.plans.tallies (rdflib, not pyoxigraph) ------
def python_counts(triples: list[ox.Triple]) -> Counter:
    """{(plan, theme or None, status): n} by the counting rule of docs/MODEL.md."""
    g = Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(),
                      format="nt")
    counts: Counter = Counter()
    for plan, action in g.subject_objects(V.hasAction):
        for status in set(g.objects(action, V.status)):
            if isinstance(status, URIRef):
                counts[(str(plan), None, str(status))] += 1
                for theme in set(g.objects(action, V.theme)):
                    if isinstance(theme, URIRef):
                        counts[(str(plan), str(theme), str(status))] += 1
    return counts


def tally_counts(triples: list[ox.Triple], base: str = BASE) -> Counter:
    """{(plan, theme or None, status): n} read back from tally triples (strictly shaped)."""
    vkg = base + "def/"
    by_subject: dict[str, dict[str, list[str]]] = {}
    plans: dict[str, str] = {}
    for t in triples:
        if t.predicate.value == vkg + "actionTally":
            assert t.object.value not in plans, "a tally belongs to one plan"
            plans[t.object.value] = t.subject.value
        else:
            by_subject.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(
                t.object.value)
    counts: Counter = Counter()
    assert set(by_subject) == set(plans)
    for tally, props in by_subject.items():
        plan = plans[tally]
        assert props[str(RDF.type)] == [vkg + "ActionTally"]
        assert props[str(PROV.wasDerivedFrom)] == [plan]
        (status,) = props[vkg + "tallyStatus"]
        (n,) = props[vkg + "numberOfActions"]
        theme = props.get(vkg + "tallyTheme", [None])
        assert len(theme) == 1 and int(n) > 0
        assert tally.startswith(plan + "/telling/")
        key = (plan, theme[0], status)
        assert key not in counts
        counts[key] = int(n)
    return counts


def example_plans() -> list[Path]:
    return [p for p in sorted((ROOT / "data" / "examples").iterdir())
            if p.name.startswith("plan-")]


@pytest.mark.parametrize("path", example_plans(), ids=lambda p: p.name)
def test_tallies_of_the_example_plans_match_python_counts(path: Path) -> None:
    triples = read_plan_file(path).to_triples()
    expected = python_counts(triples)
    assert expected, f"{path.name} has no counted actions"
    graph = f"{BASE}graph/plan/x/v7"
    found = tallies.tally_triples(triples, graph)
    assert tally_counts(found) == expected
    # deterministic IRIs: {plan}/telling/{scope}/[{theme key}/]{status key}
    for t in found:
        if t.predicate.value == VKG + "numberOfActions":
            tail = t.subject.value.split("/telling/", 1)[1].split("/")
            assert tail[0] == "v7" and len(tail) in (2, 3), t.subject
    assert tallies.tally_triples(list(reversed(triples)), graph) == found
    assert len(found) == len(set(found))


def test_counting_rule_edge_cases() -> None:
    def n(x: str) -> ox.NamedNode:
        return ox.NamedNode(BASE + x)

    def v(x: str) -> ox.NamedNode:
        return ox.NamedNode(VKG + x)

    plan, a1, a2, a3, a4 = n("id/actieplan/p"), n("id/actie/p-a1"), n("id/actie/p-a2"), \
        n("id/actie/p-a3"), n("id/actie/p-a4")
    open_, done = n("id/status/open"), n("id/status/afgerond")
    other_open = ox.NamedNode("http://example.org/vocab/open")
    triples = [
        ox.Triple(plan, v("hasAction"), a) for a in (a1, a2, a3, a4)] + [
        ox.Triple(a1, v("theme"), n("id/thema/1")), ox.Triple(a1, v("theme"), n("id/thema/2")),
        ox.Triple(a1, v("status"), open_),                 # two themes: counts in both
        ox.Triple(a2, v("status"), done),                   # no theme: per status only
        ox.Triple(a3, v("theme"), n("id/thema/1")),         # no status: not counted
        ox.Triple(a4, v("status"), other_open),             # a foreign status: hashed key
        ox.Triple(a4, v("status"), ox.Literal("open")),     # a literal status: not counted
    ]
    found = tallies.tally_triples(triples, f"{BASE}graph/data/plans")
    assert tally_counts(found) == python_counts(triples) == Counter({
        (plan.value, None, open_.value): 1, (plan.value, None, done.value): 1,
        (plan.value, None, other_open.value): 1,
        (plan.value, BASE + "id/thema/1", open_.value): 1,
        (plan.value, BASE + "id/thema/2", open_.value): 1})
    iris = {t.subject.value for t in found if t.predicate.value == VKG + "numberOfActions"}
    prefix = plan.value + "/telling/plans/"
    assert {prefix + "open", prefix + "afgerond", prefix + "1/open", prefix + "2/open"} < iris
    (foreign,) = iris - {prefix + "open", prefix + "afgerond", prefix + "1/open",
                         prefix + "2/open"}
    assert foreign.startswith(prefix + "_") and "example.org" not in foreign
    # a plan without actions with a status has no tallies
    assert tallies.tally_triples(triples[2:3] + triples[8:9], f"{BASE}graph/data/x") == []


def test_tallies_in_the_input_are_replaced() -> None:
    """A file or a plan cannot bring its own numbers: tally statements are dropped."""
    triples = read_plan_file(example_plans()[0]).to_triples()
    plan = ox.NamedNode(next(t.subject.value for t in triples
                             if t.predicate.value == VKG + "hasAction"))
    fake = ox.NamedNode(plan.value + "/telling/v1/afgerond")
    forged = [ox.Triple(plan, ox.NamedNode(VKG + "actionTally"), fake),
              ox.Triple(fake, RDF_TYPE, ox.NamedNode(VKG + "ActionTally")),
              ox.Triple(fake, ox.NamedNode(VKG + "tallyStatus"),
                        ox.NamedNode(BASE + "id/status/afgerond")),
              ox.Triple(fake, ox.NamedNode(VKG + "numberOfActions"),
                        ox.Literal("1000000", datatype=XSD_INTEGER)),
              ox.Triple(plan, ox.NamedNode(VKG + "numberOfActions"),
                        ox.Literal("7", datatype=XSD_INTEGER))]
    graph = f"{BASE}graph/plan/{NETWORK}/v1"
    result = tallies.with_tallies(triples + forged, graph)
    assert result == tallies.with_tallies(triples, graph)
    assert "1000000" not in ox.serialize(result, format=ox.RdfFormat.N_TRIPLES).decode()
    assert tallies.without_tallies(result) == triples


def test_hermit_accepts_plans_with_their_tallies(tmp_path: Path) -> None:
    """The ontology, the knowledge base, the example plans and their tallies are consistent."""
    graph = Graph().parse(ROOT / "ontology" / "vitaalkg.ttl", format="turtle")
    for path in sorted((ROOT / "data").glob("*.ttl")):
        graph.parse(path, format="turtle")
    for n, path in enumerate(example_plans()):
        if "correct" not in path.name:
            continue
        triples = tallies.with_tallies(read_plan_file(path).to_triples(),
                                       f"{BASE}graph/plan/x/v{n}")
        assert tallies.tally_triples(triples, f"{BASE}graph/plan/x/v{n}")
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(),
                    format="nt")
    assert (None, V.numberOfActions, None) in graph
    _reason(graph, tmp_path / "kb.nt")
    # not vacuous: a tally that is also an action, or a negative count, is caught
    tally = next(graph.subjects(V.numberOfActions, None))
    for bad in (f"<{tally}> <{RDF.type}> <{VKG}Action> .",
                f'<{BASE}id/t> <{VKG}numberOfActions> "-1"^^<{XSD_INTEGER.value}> .'):
        wrong = Graph() + graph
        wrong.parse(data=bad, format="nt")
        with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
            _reason(wrong, tmp_path / f"bad-{len(bad)}.nt")


def _reason(graph: Graph, path: Path) -> None:
    """HermiT on the graph (as test_ontology does it); raises when it is inconsistent."""
    graph.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            owlready2.sync_reasoner(world, infer_property_values=False, debug=0,
                                    ignore_unsupported_datatypes=True)
    finally:
        world.close()


# -- in process: the loader, the registry, another base ---------------------------------------
def rows_of(result: ox.QuerySolutions) -> list[tuple]:
    names = [v.value for v in result.variables]
    return [tuple(None if row[n] is None else str(row[n]) for n in names) for row in result]


def assert_same_in_process(store: EmbeddedStore, base: str = BASE, *,
                           only_drinkwater: bool = False) -> None:
    for name, params in CASES:
        nq = QUERIES[name]
        subs = nq.bind(params, base=base)
        oracle = DIRECT[name].replace("https://w3id.org/vitaalkg/", base)
        expected = rows_of(store.query(oracle, substitutions=subs))
        assert expected or (only_drinkwater and params.get("sector") == "sector/gas"), (
            name, params)
        assert rows_of(store.query(nq.text_for(base), substitutions=subs)) == expected, (
            name, params)


@pytest.fixture(scope="module")
def synthetic_root(tmp_path_factory: pytest.TempPathFactory, kb: EmbeddedStore) -> Path:
    members = network_members(kb)
    return make_root(tmp_path_factory.mktemp("tally-root"), ROOT,
                     {"zz-synthetic-plans": synthetic_plans(members, SYNTHETIC, seed=5)})


def test_loader_writes_tallies_with_the_file(synthetic_root: Path) -> None:
    settings = Settings()
    settings.root = synthetic_root
    store = EmbeddedStore(None)
    load_all(store, settings)
    data = list(ox.parse(path=str(synthetic_root / "data" / "zz-synthetic-plans.nt"),
                         format=ox.RdfFormat.N_TRIPLES))
    data = [ox.Triple(q.subject, q.predicate, q.object) for q in data]
    in_graph = [ox.Triple(q.subject, q.predicate, q.object) for q in
                store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(DATA_GRAPH))]
    assert tally_counts(tallies.tally_triples(in_graph, DATA_GRAPH)) == python_counts(data)
    computed = set(tallies.tally_triples(data, DATA_GRAPH))
    assert computed <= set(in_graph) and len(in_graph) == len(set(data)) + len(computed)
    assert_same_in_process(store)
    # reloading replaces, never doubles
    size = store.triple_count(DATA_GRAPH)
    load_all(store, settings)
    load_all(store, settings)
    assert store.triple_count(DATA_GRAPH) == size
    assert_same_in_process(store)


def test_another_base_rewrites_the_tallies(synthetic_root: Path) -> None:
    base = "http://localhost:8000/"
    settings = Settings()
    settings.root = synthetic_root
    settings.base = base
    store = EmbeddedStore(None)
    load_all(store, settings)
    graph = f"{base}graph/data/zz-synthetic-plans"
    tally_rows = store.select(
        f"SELECT ?p ?t ?n WHERE {{ GRAPH <{graph}> {{ ?p <{base}def/actionTally> ?t . "
        f"?t <{base}def/numberOfActions> ?n }} }}")
    assert tally_rows and all(r["t"].startswith(base + "id/actieplan/") for r in tally_rows)
    assert not store.select("SELECT ?s WHERE { ?s <https://w3id.org/vitaalkg/def/"
                            "numberOfActions> ?n } LIMIT 1")
    assert sum(int(r["n"]) for r in tally_rows if "/telling/zz-synthetic-plans/" in r["t"]
               and r["t"].count("/") == (base + "id/actieplan/x/telling/s/open").count("/")
               ) == SYNTHETIC
    assert_same_in_process(store, base)


def test_registry_writes_tallies_with_the_version(settings: Settings, tmp_path: Path) -> None:
    store = EmbeddedStore(None)
    load_all(store, settings)
    reg = PlanRegistry(store, BASE)
    team = Principal(team=True)
    plans = {}
    for n, body in ((1, example("plan-drinkwater-vitens-correct.csv")),
                    (2, big_plan(NETWORK, ["VR06", "vitens"], 20))):
        path = tmp_path / f"plan-{n}.csv"
        plan = read_plan_file(_write(path, body))
        plans[n] = plan.to_triples()
        version = reg.submit(NETWORK, plans[n], principal=team, filename=path.name,
                             content=body)
        assert version.version == n
        graph = reg.version_graph(NETWORK, n)
        stored = [ox.Triple(q.subject, q.predicate, q.object) for q in
                  store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(graph))]
        assert tally_counts(tallies.tally_triples(stored, graph)) == python_counts(plans[n])
        assert set(stored) == canonical(tallies.with_tallies(plans[n], graph))
        # the plan as submitted, and the version's action count, without the tallies
        assert set(reg.version_triples(graph)) == canonical(plans[n])
        assert version.actions == len({t.subject for t in plans[n]
                                       if t.object == ox.NamedNode(VKG + "Action")})
    diff = reg.diff(NETWORK, 1, 2)
    assert len(diff.added) == 20 and len(diff.removed) == 5 and not diff.changed
    assert_same_in_process(store, only_drinkwater=True)  # the union of all graphs: v1 and v2
    # only the current version is in a caller's default graph
    default, _named = reg.dataset_for(team)
    rows = store.select(QUERIES["voortgang-per-netwerk"].text, default_graph=default)
    (vitens,) = [r for r in rows if r["netwerk"] == NET]
    assert int(vitens["acties"]) == 20


def canonical(triples: list[ox.Triple]) -> set[ox.Triple]:
    """The triples as a store keeps them (literals in canonical form: ``12000.0`` → ``12000``)."""
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    return {ox.Triple(q.subject, q.predicate, q.object) for q in store}


def _write(path: Path, body: bytes) -> Path:
    path.write_bytes(body)
    return path


def test_versions_stored_without_tallies_get_them(settings: Settings, tmp_path: Path) -> None:
    store = EmbeddedStore(None)
    load_all(store, settings)
    reg = PlanRegistry(store, BASE)
    body = example("plan-drinkwater-vitens-correct.csv")
    triples = read_plan_file(_write(tmp_path / "plan.csv", body)).to_triples()
    reg.submit(NETWORK, triples, principal=Principal(team=True), filename="p.csv",
               content=body)
    graph = reg.version_graph(NETWORK, 1)
    before = store.triple_count(graph)
    store.update(f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{graph}> "
                 f"{{ ?s ?p ?o FILTER(?p IN (<{VKG}actionTally>, <{VKG}numberOfActions>, "
                 f"<{VKG}tallyStatus>, <{VKG}tallyTheme>) || ?o = <{VKG}ActionTally> || "
                 f"CONTAINS(STR(?s), '/telling/')) }} }}")
    assert store.triple_count(graph) == len(triples) < before
    settings_again = Settings()
    settings_again.root = settings.root
    settings_again.store_path = None
    assert ensure_loaded(store, settings_again) is None  # loaded already: no reload …
    assert store.triple_count(graph) == before           # … but the tallies are back
    assert reg.add_missing_tallies() == []
    assert store.triple_count(graph) == before


# -- on a live server, every backend -----------------------------------------------------------
# NETWORK has no plan in data/ (its submitted versions are its only plan); SHARED has one in
# data/ and a submitted version of the same plan IRI (two graphs of one plan in a dataset).
SHARED = "elektriciteit-liander"
SHARED_OWNERS = ["VR06", "liander"]


def loaded_plans(members: dict[str, list[str]], seed: int) -> list[ox.Triple]:
    return synthetic_plans({k: v for k, v in members.items() if k != NET}, SYNTHETIC, seed=seed)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, backend: str,
         kb: EmbeddedStore) -> Iterator[dict[str, object]]:
    work = tmp_path_factory.mktemp("tallies-live")
    members = network_members(kb)
    root = make_root(work / "root", ROOT, {"zz-synthetic-plans": loaded_plans(members, 5)})
    srv = PlanServer(work, backend)
    srv.env["VITAALKG_ROOT"] = str(root)
    srv.start()
    tokens = {"member": srv.token("--org", "VR06"), "other": srv.token("--org", "tennet"),
              "team": srv.token("--team")}
    yield {"server": srv, "tokens": tokens, "root": root, "members": members}
    srv.stop()


def bindings(r: httpx.Response) -> list[dict]:
    assert r.status_code == 200, r.text[:500]
    return r.json()["results"]["bindings"]


def bound(text: str, subs: dict) -> str:
    """The query with its parameters in a VALUES block, as /sparql gets it (no empty block:
    Virtuoso refuses ``VALUES () { () }``)."""
    return bind_values(text, subs) if subs else text


def assert_same_live(srv: PlanServer, token: str | None) -> dict[str, list[dict]]:
    """Every progress query (over /queries, as users call it, and its text over /sparql)
    answers as the direct count (over /sparql, parameters bound with VALUES) on the caller's
    dataset; returns the rows."""
    out = {}
    for name, params in CASES:
        nq = QUERIES[name]
        subs = nq.bind(params)
        expected = bindings(srv.sparql(bound(DIRECT[name], subs), token))
        assert expected, (name, params)
        headers = {"Accept": "application/sparql-results+json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        got = bindings(httpx.get(f"{srv.url}/queries/{name}", params=params, headers=headers,
                                 timeout=120))
        assert got == expected, (name, params, token and token[:8])
        new_text = bindings(srv.sparql(bound(nq.text, subs), token))
        assert new_text == expected, (name, params)
        out[f"{name}{params}"] = got
    return out


def network_acties(rows: dict[str, list[dict]], network: str = NETWORK) -> int | None:
    """The number of actions in the network's row of voortgang-per-netwerk (None: no row)."""
    for row in rows["voortgang-per-netwerk{}"]:
        if row["netwerk"]["value"] == f"{BASE}id/netwerk/{network}":
            return int(row["acties"]["value"])
    return None


def test_live_loaded_plans(live: dict) -> None:
    srv: PlanServer = live["server"]
    for who in (None, "team"):
        assert_same_live(srv, live["tokens"][who] if who else None)
    rows = bindings(srv.sparql(
        f"PREFIX vkg: <{VKG}> SELECT (SUM(?n) AS ?total) WHERE {{ GRAPH <{DATA_GRAPH}> {{ "
        f"?t vkg:numberOfActions ?n FILTER NOT EXISTS {{ ?t vkg:tallyTheme ?x }} }} }}"))
    assert int(rows[0]["total"]["value"]) == SYNTHETIC


def test_live_submitted_versions_only_the_current_counts(live: dict) -> None:
    """v1 restricted, v2 public, v3 restricted: every caller's progress rows are the direct
    counts of its dataset; only the current version counts, and only where it may be read."""
    srv: PlanServer = live["server"]
    tokens = live["tokens"]
    before = assert_same_live(srv, None)
    assert network_acties(before) is None
    sizes = {1: 30, 2: 12, 3: 7}
    for n, visibility in ((1, "restricted"), (2, "public"), (3, "restricted")):
        body = big_plan(NETWORK, ["VR06", "vitens"], sizes[n], tag=f"v{n} ")
        r = srv.submit(body, tokens["member"], allow_warnings="true", visibility=visibility)
        assert r.status_code == 201, r.text[:500]
        assert r.json()["version"] == n
        seen = {who: assert_same_live(srv, tokens.get(who)) for who in
                ("anonymous", "other", "member", "team")}
        for who in ("member", "team"):
            assert network_acties(seen[who]) == sizes[n], (n, who)
        for who in ("anonymous", "other"):
            if visibility == "public":
                assert network_acties(seen[who]) == sizes[n], (n, who)
                continue
            assert seen[who] == before, "a restricted plan's tallies leak"
            text = srv.sparql(f"PREFIX vkg: <{VKG}> SELECT ?t WHERE {{ {{ ?p vkg:actionTally "
                              f"?t }} UNION {{ GRAPH ?g {{ ?p vkg:actionTally ?t }} }} }}",
                              tokens.get(who), accept="text/csv").text
            assert "/telling/v" not in text and "/telling/zz-synthetic-plans/" in text
    rows = bindings(srv.sparql(
        f"PREFIX vkg: <{VKG}> SELECT ?t ?n WHERE {{ <{PLAN}> vkg:actionTally ?t . "
        f"?t vkg:numberOfActions ?n FILTER NOT EXISTS {{ ?t vkg:tallyTheme ?x }} }}",
        tokens["team"]))
    assert {r["t"]["value"].split("/telling/")[1].split("/")[0] for r in rows} == {"v3"}
    assert sum(int(r["n"]["value"]) for r in rows) == sizes[3]
    # a plan in data/ and a submitted version of it: both graphs count, as with the direct
    # count (tally IRIs carry their graph, so equal counts in the two graphs do not collapse)
    loaded = bindings(srv.sparql(
        f"PREFIX vkg: <{VKG}> SELECT (COUNT(?a) AS ?n) WHERE {{ GRAPH <{DATA_GRAPH}> {{ "
        f"<{BASE}id/actieplan/{SHARED}> vkg:hasAction ?a }} }}"))
    assert int(loaded[0]["n"]["value"]) > 0
    body = big_plan(SHARED, SHARED_OWNERS, 8)
    r = srv.submit(body, tokens["team"], allow_warnings="true", visibility="public")
    assert r.status_code == 201, r.text[:500]
    for who in ("anonymous", "member", "team"):
        seen = assert_same_live(srv, tokens.get(who))
        assert network_acties(seen, SHARED) >= int(loaded[0]["n"]["value"]) + 8


def test_live_reload_and_old_versions_without_tallies(live: dict) -> None:
    """A changed data file is reloaded with new tallies (not added to the old ones), twice
    gives the same; a version stored without tallies gets them back."""
    srv: PlanServer = live["server"]
    tokens = live["tokens"]
    srv._stop_service()
    store = srv.open_store()
    graph = f"{BASE}graph/plan/{NETWORK}/v2"
    store.update(f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{graph}> "
                 f"{{ ?s ?p ?o FILTER(CONTAINS(STR(?s), '/telling/') || ?p = "
                 f"<{VKG}actionTally>) }} }}")
    store.close()
    triples = loaded_plans(live["members"], 6)
    (live["root"] / "data" / "zz-synthetic-plans.nt").write_bytes(
        ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
    srv.cli("load")
    srv.cli("load")
    srv.start()
    for who in ("anonymous", "member", "team"):
        seen = assert_same_live(srv, tokens.get(who))
        assert network_acties(seen) == (None if who == "anonymous" else 7)
    expected = tally_counts(tallies.tally_triples(triples, DATA_GRAPH))
    rows = bindings(srv.sparql(
        f"SELECT ?s ?p ?o WHERE {{ GRAPH <{DATA_GRAPH}> {{ ?s ?p ?o FILTER(CONTAINS(STR(?s), "
        f"'/telling/') || ?p = <{VKG}actionTally>) }} }}"))
    stored = [ox.Triple(ox.NamedNode(r["s"]["value"]), ox.NamedNode(r["p"]["value"]),
                        ox.NamedNode(r["o"]["value"]) if r["o"]["type"] == "uri"
                        else ox.Literal(r["o"]["value"], datatype=ox.NamedNode(
                            r["o"].get("datatype", "http://www.w3.org/2001/XMLSchema#string"))))
              for r in rows]
    assert tally_counts(stored) == expected
    # the restored tallies of v2 (an older version: a named graph only, for the team)
    rows = bindings(srv.sparql(
        f"PREFIX vkg: <{VKG}> SELECT (SUM(?n) AS ?total) WHERE {{ GRAPH <{graph}> {{ "
        f"?t vkg:numberOfActions ?n FILTER NOT EXISTS {{ ?t vkg:tallyTheme ?x }} }} }}",
        tokens["team"]))
    assert int(rows[0]["total"]["value"]) == 12
