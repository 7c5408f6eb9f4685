"""Durability: a submission killed with SIGKILL at any moment leaves exactly the old version or
exactly the complete new one; the store survives restarts; backup → wipe → restore gives the
same graphs, counts, versions and provenance; a damaged backup changes nothing."""

from __future__ import annotations

import gc
import gzip
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from plans_support import BASE, VKG, PlanServer, big_plan, running

pytestmark = pytest.mark.slow

NETWORK = "drinkwater-vitens"
OWNERS = ["VR06", "vitens", "VR05", "VR25"]
PLAN_PREFIX = f"{BASE}graph/plan/{NETWORK}/"


def raw_state(store_dir: Path) -> dict[str, object]:
    """Open the store directly (recovering its log like a restart does) and describe the plan:
    the versions the provenance names, the version graphs that exist, actions per graph."""
    store = ox.Store(str(store_dir))
    try:
        prov = {int(r["n"].value): r["g"].value for r in store.query(
            f"SELECT ?n ?g WHERE {{ GRAPH <{PLAN_PREFIX}prov> {{ ?v <{VKG}versionNumber> ?n ; "
            f"<{VKG}versionGraph> ?g }} }}")}
        graphs = sorted(g.value for g in store.named_graphs()
                        if g.value.startswith(PLAN_PREFIX + "v"))
        actions = {r["g"].value: int(r["n"].value) for r in store.query(
            f"SELECT ?g (COUNT(?a) AS ?n) WHERE {{ GRAPH ?g {{ ?a a <{VKG}Action> }} "
            f"FILTER(STRSTARTS(STR(?g), '{PLAN_PREFIX}v')) }} GROUP BY ?g")}
        quads = len(store)
    finally:
        del store
        gc.collect()
    return {"prov": prov, "graphs": graphs, "actions": actions, "quads": quads}


def check_consistent(state: dict, expected: list[tuple[int, int]]) -> tuple[int, int]:
    """Versions in the provenance == version graphs, and the current one is one of ``expected``
    ((version, action count) pairs: the old or the complete new one)."""
    prov, graphs, actions = state["prov"], state["graphs"], state["actions"]
    assert sorted(prov.values()) == graphs, (prov, graphs)
    assert sorted(prov) == list(range(1, len(prov) + 1))
    current = max(prov)
    found = (current, actions[prov[current]])
    assert found in expected, (found, expected)
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanServer]:
    with running(tmp_path_factory.mktemp("durability")) as srv:
        yield srv


def post_in_thread(srv: PlanServer, body: bytes, token: str) -> tuple[threading.Thread, dict]:
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["response"] = srv.submit(body, token, timeout=300.0)
        except httpx.HTTPError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_sigkill_during_submission_keeps_old_or_new_version(server: PlanServer) -> None:
    team = server.token("--team")
    first = big_plan(NETWORK, OWNERS, 2000, tag="eerste ")
    start = time.monotonic()
    r = server.submit(first, team)
    duration = time.monotonic() - start
    assert r.status_code == 201, r.text
    state = (1, 2000)
    outcomes = []
    for i, fraction in enumerate((0.6, 0.85, 1.0, 1.4)):
        n = 5000 + 7 * i  # a distinct size per attempt tells which plan got stored
        thread, outcome = post_in_thread(server, big_plan(NETWORK, OWNERS, n, tag=f"p{i} "),
                                         team)
        time.sleep(duration * 2.5 * fraction)  # the big plan takes ~2.5 times as long
        server.kill()
        thread.join(60)
        found = check_consistent(raw_state(server.store_dir), [state, (state[0] + 1, n)])
        if "response" in outcome:  # answered before the kill: must be stored
            assert outcome["response"].status_code == 201
            assert found == (state[0] + 1, n)
        outcomes.append(found != state)
        state = found
        server.start()
        detail = server.get(f"/plans/{NETWORK}", team).json()
        assert (detail["current"]["version"], detail["current"]["actions"]) == state
        q = f"SELECT (COUNT(?a) AS ?n) WHERE {{ ?a a <{VKG}Action> }}"
        rows = server.sparql(q, team).json()["results"]["bindings"]
        assert int(rows[0]["n"]["value"]) == state[1]
    # the store survives ordinary restarts too
    for _ in range(2):
        server.stop()
        server.start()
        detail = server.get(f"/plans/{NETWORK}", team).json()
        assert (detail["current"]["version"], detail["current"]["actions"]) == state
    print("kill outcomes (stored?):", outcomes)


KILL_SCRIPT = """
import sys
import pyoxigraph as ox
from vitaalkg.plans.tokens import Principal
from vitaalkg.plans.registry import PlanRegistry
from vitaalkg.store import EmbeddedStore
store_dir, triples_file, base = sys.argv[1:4]
triples = [ox.Triple(q.subject, q.predicate, q.object)
           for q in ox.parse(path=triples_file, format=ox.RdfFormat.N_TRIPLES)]
reg = PlanRegistry(EmbeddedStore(store_dir), base)
print("WRITING", flush=True)
reg.submit("drinkwater-vitens", triples, principal=Principal(team=True), filename="x.csv",
           content=b"x", visibility="restricted")
print("DONE", flush=True)
"""


def plan_triples(n: int, tag: str, target: Path) -> None:
    from vitaalkg.validation.inputs import read_plan

    plan = read_plan(big_plan(NETWORK, OWNERS, n, tag=tag), "plan.csv", "text/csv", base=BASE)
    target.write_bytes(ox.serialize(plan.to_triples(), format=ox.RdfFormat.N_TRIPLES))


def test_sigkill_inside_the_store_write(tmp_path: Path) -> None:
    """Kill a process while it is inside the write itself (the transaction of ~100k quads)."""
    store_dir = tmp_path / "store"
    state = (0, 0)
    for i, delay in enumerate((0.05, 0.5, 1.2, 4.0)):
        n = 6000 + i
        triples = tmp_path / f"plan{i}.nt"
        plan_triples(n, f"k{i} ", triples)
        proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(store_dir),
                                 str(triples), BASE], stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "WRITING"
        time.sleep(delay)
        proc.kill()
        proc.wait(10)
        if state == (0, 0):
            state_after = raw_state(store_dir)
            if state_after["prov"]:
                state = check_consistent(state_after, [(1, n)])
            else:
                assert state_after["graphs"] == []
            continue
        state = check_consistent(raw_state(store_dir), [state, (state[0] + 1, n)])


def canonical(data: bytes) -> list[str]:
    dataset = ox.Dataset(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return sorted(str(q) for q in dataset)


def test_backup_wipe_restore(server: PlanServer, tmp_path: Path) -> None:
    team = server.token("--team")
    small = big_plan(NETWORK, OWNERS, 20, tag="herstel ")
    assert server.submit(small, team).status_code == 201
    before_plans = server.get(f"/plans/{NETWORK}", team).json()
    server.stop()
    before = raw_state(server.store_dir)
    backup = tmp_path / "kb.nq.gz"
    out = server.cli("backup", str(backup)).stdout
    assert f"{before['quads']} quads" in out
    original = gzip.decompress(backup.read_bytes())

    # a damaged backup is refused as a whole and changes nothing
    lines = original.splitlines(keepends=True)
    truncated = tmp_path / "truncated.nq.gz"
    truncated.write_bytes(gzip.compress(b"".join(lines[: len(lines) // 2])))
    broken = tmp_path / "broken.nq.gz"
    broken.write_bytes(gzip.compress(b"".join(lines[:-3] + [b"<a> <b> oops .\n"] + lines[-3:])))
    for bad in (truncated, broken):
        r = server.cli("restore", str(bad), check=False)
        assert r.returncode == 1, r.stderr
        assert raw_state(server.store_dir) == before

    shutil.rmtree(server.store_dir)
    server.cli("restore", str(backup))
    after = raw_state(server.store_dir)
    assert after == before
    again = tmp_path / "again.nq.gz"
    server.cli("backup", str(again))
    assert canonical(gzip.decompress(again.read_bytes())) == canonical(original)

    server.start()
    after_plans = server.get(f"/plans/{NETWORK}", team).json()
    assert after_plans == before_plans
    prov = server.sparql(
        f"SELECT ?v ?t WHERE {{ GRAPH <{PLAN_PREFIX}prov> {{ ?v "
        f"<http://www.w3.org/ns/prov#generatedAtTime> ?t }} }}", team).json()
    assert len(prov["results"]["bindings"]) == len(before_plans["history"])
