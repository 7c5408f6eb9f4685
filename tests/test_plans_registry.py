"""PlanRegistry on the embedded store and on real remote servers (Oxigraph server, Virtuoso):
versions, provenance, who may read which version, the dataset per principal, the diff."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from plans_support import BASE, example, revised_vitens_plan
from remote_servers import OxigraphServer, VirtuosoServer

from vitaalkg.config import Settings
from vitaalkg.plans.loading import load_all
from vitaalkg.plans.registry import PlanError, PlanRegistry
from vitaalkg.plans.tokens import PUBLIC, Principal
from vitaalkg.store import EmbeddedStore
from vitaalkg.store.remote import RemoteStore
from vitaalkg.validation.inputs import read_plan

NETWORK = "drinkwater-vitens"
VR06 = Principal(org=BASE + "id/veiligheidsregio/vr06", token_id="t1")
TENNET = Principal(org=BASE + "id/organisatie/tennet", token_id="t2")
TEAM = Principal(team=True, token_id="t3")
KINDS = {"embedded": None, "oxigraph-server": OxigraphServer, "virtuoso": VirtuosoServer}


@pytest.fixture(scope="module", params=[
    "embedded", pytest.param("oxigraph-server", marks=pytest.mark.remote),
    pytest.param("virtuoso", marks=pytest.mark.remote)])
def store(request: pytest.FixtureRequest, settings: Settings,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    cls = KINDS[request.param]
    if cls is None:
        st = EmbeddedStore(None)
        load_all(st, settings)
        yield st
        return
    if cls.binary() is None:
        pytest.skip(f"{request.param} is not installed")
    srv = cls(tmp_path_factory.mktemp(request.param)).start()
    try:
        st = RemoteStore(srv.query_endpoint, srv.update_endpoint)
        load_all(st, settings)
        yield st
    finally:
        srv.stop()


def triples(data: bytes) -> list:
    return read_plan(data, "plan.csv", "text/csv", base=BASE).to_triples()


def test_versions_visibility_and_diff(store: object) -> None:
    reg = PlanRegistry(store, BASE)
    public_default, _ = reg.dataset_for(PUBLIC)
    v1 = reg.submit(NETWORK, triples(example("plan-drinkwater-vitens-correct.csv")),
                    principal=VR06, filename="v1.csv", content=b"1")
    assert (v1.version, v1.actions, v1.visibility, v1.replaces) == (1, 5, "restricted", None)
    # restricted: not in the dataset of the public or of non-members; members and team see it
    assert reg.dataset_for(PUBLIC) == (public_default, public_default)
    assert reg.dataset_for(TENNET)[0] == public_default
    for who in (VR06, TEAM):
        default, named = reg.dataset_for(who)
        assert v1.graph in default and v1.graph in named
        assert reg.prov_graph(NETWORK) in default
    # a public second version: everybody reads it, but not the restricted first one
    v2 = reg.submit(NETWORK, triples(revised_vitens_plan()), principal=TEAM,
                    filename="v2.csv", content=b"2", visibility="public")
    assert (v2.version, v2.replaces, v2.submitted_for) == (2, v1.iri, None)
    default, named = reg.dataset_for(PUBLIC)
    assert v2.graph in default and v1.graph not in default and v1.graph not in named
    assert reg.readable_versions(PUBLIC, NETWORK) == [2]
    assert reg.readable_versions(VR06, NETWORK) == [1, 2]
    _, named = reg.dataset_for(VR06)
    assert v1.graph in named
    assert [v.version for v in reg.versions(NETWORK)] == [1, 2]
    diff = reg.diff(NETWORK, 1, 2)
    assert [a["actie"] for a in diff.added] == ["A6"]
    assert [a["actie"] for a in diff.removed] == ["A4"]
    assert {c["actie"] for c in diff.changed} == {"A1", "A3"}
    with pytest.raises(PlanError):
        reg.diff(NETWORK, 1, 3)
    with pytest.raises(PlanError):
        reg.submit(NETWORK, [], principal=TEAM, filename="x", content=b"",
                   visibility="geheim")
    # the query over the restricted dataset of the public finds only the public version
    rows = store.select(
        f"SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ ?a a <{BASE}def/Action> }}",
        default_graph=reg.dataset_for(PUBLIC)[0])
    assert int(rows[0]["n"]) == 5


def test_counts_and_diff_follow_a_configured_base(settings: Settings) -> None:
    """Under another base the plans' vocabulary moves with it (the loader and the plan reader
    rewrite IRIs): action counts and the diff look for it there. The provenance vocabulary
    stays the default one, as in every store."""
    other = "http://localhost:8000/"
    local = Settings(base=other, root=settings.root, store_path=None)
    st = EmbeddedStore(None)
    load_all(st, local)
    reg = PlanRegistry(st, other)
    org = Principal(org=other + "id/veiligheidsregio/vr06", token_id="t1")

    def plan(data: bytes) -> list:
        return read_plan(data, "plan.csv", "text/csv", base=other).to_triples()

    v1 = reg.submit(NETWORK, plan(example("plan-drinkwater-vitens-correct.csv")),
                    principal=org, filename="v1.csv", content=b"1")
    v2 = reg.submit(NETWORK, plan(revised_vitens_plan()), principal=org, filename="v2.csv",
                    content=b"2")
    assert (v1.actions, v2.actions) == (5, 5)
    diff = reg.diff(NETWORK, 1, 2)
    assert [a["actie"] for a in diff.added] == ["A6"]
    assert {c["actie"] for c in diff.changed} == {"A1", "A3"}
