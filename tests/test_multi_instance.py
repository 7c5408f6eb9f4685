"""Several stateless instances over one triple store: two real ``vitaalkg serve`` processes over
one real remote store (``oxigraph serve``, Virtuoso). Version numbers, tokens, caches and
visibility are shared through the store (docs/DEPLOYMENT.md)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from conftest import REMOTE_SERVERS, selected_backends
from plans_support import BASE, PlanServer, big_plan, example, mark

pytestmark = [pytest.mark.remote, pytest.mark.slow]

#: VITAALKG_SHARED_STATE_SECONDS of the instances: the bound on seeing another's writes
BOUND = 1.0
#: slack for a loaded 2-core test machine on top of the bound
SLACK = 4.0
VITENS = "drinkwater-vitens"
VKG = BASE + "def/"


class Pair:
    """Instance A and instance B over the remote store that A started."""

    def __init__(self, workdir: Path, backend: str) -> None:
        env = {"VITAALKG_SHARED_STATE_SECONDS": str(BOUND)}
        self.a = PlanServer(workdir / "a", backend, env=env)
        self.b = PlanServer(workdir / "b", backend, env=env, remote=self.a.remote)

    def start(self) -> Pair:
        self.a.start()
        self.b.start()
        return self

    def stop(self) -> None:
        self.b.stop()
        self.a.stop()


@pytest.fixture(scope="module", params=[b for b in REMOTE_SERVERS])
def pair(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Pair]:
    if request.param not in selected_backends():
        pytest.skip(f"backend {request.param} not selected")
    p = Pair(tmp_path_factory.mktemp(f"multi-{request.param}"), request.param)
    try:
        yield p.start()
    finally:
        p.stop()


@pytest.fixture(scope="module")
def tokens(pair: Pair) -> dict[str, str]:
    """Tokens made once with the CLI against the shared store (no token file anywhere)."""
    made = {"team": pair.a.token("--team"), "vitens": pair.a.token("--org", "vitens"),
            "vr05": pair.a.token("--org", "VR05"), "tennet": pair.a.token("--org", "tennet")}
    assert not pair.a.tokens.exists() and not pair.b.tokens.exists()
    return made


def within(bound: float, check: Callable[[], bool]) -> float:
    """Seconds until ``check()`` holds (fails after ``bound``)."""
    start = time.monotonic()
    while True:
        if check():
            return time.monotonic() - start
        if time.monotonic() - start > bound:
            raise AssertionError(f"not within {bound} s")
        time.sleep(0.05)


def versions(server: PlanServer, token: str, network: str) -> list[dict]:
    r = server.get(f"/plans/{network}", token, headers={"Accept": "application/json"})
    if r.status_code == 404:
        return []
    assert r.status_code == 200, r.text
    return r.json()["history"]


def test_a_token_made_once_works_on_both_and_revocation_reaches_both(pair: Pair,
                                                                     tokens: dict[str, str]
                                                                     ) -> None:
    for server in (pair.a, pair.b):
        assert server.get("/plans", tokens["vitens"]).status_code == 200
    extra = pair.a.token("--org", "VR06")
    assert pair.b.get("/plans", extra).status_code == 200
    pair.b.cli("token", "revoke", extra)
    for server in (pair.a, pair.b):
        within(BOUND + SLACK, lambda s=server: s.get("/plans", extra).status_code == 401)


def test_concurrent_submissions_through_both_get_versions_1_to_40(pair: Pair,
                                                                   tokens: dict[str, str]
                                                                   ) -> None:
    network = "drinkwater-pwn"
    owners = ["pwn", "VR10", "VR11", "VR12"]
    assert versions(pair.a, tokens["team"], network) == []

    def submit(i: int) -> int:
        server = pair.a if i % 2 == 0 else pair.b
        body = big_plan(network, owners, 3, tag=f"inzending {i}: ")
        r = server.submit(body, tokens["team"], allow_warnings="true", visibility="public")
        return r.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(submit, range(40)))
    assert codes == [201] * 40
    for server in (pair.a, pair.b):
        found = versions(server, tokens["team"], network)
        assert [v["version"] for v in found] == list(range(1, 41))
        assert all(v["checksum"].startswith("sha256:") and v["submittedAt"] for v in found)
    # each version's provenance: one PlanVersion per number, each revision of the one before
    rows = pair.b.sparql(f"""
        PREFIX vkg: <{VKG}> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?n (COUNT(?v) AS ?c) (SAMPLE(?prev) AS ?p) WHERE {{
          ?v a vkg:PlanVersion ; vkg:versionNumber ?n ; vkg:network <{BASE}id/netwerk/{network}>
          OPTIONAL {{ ?v prov:wasRevisionOf ?prev }} }} GROUP BY ?n ORDER BY ?n""",
                         tokens["team"]).json()["results"]["bindings"]
    assert [int(r["n"]["value"]) for r in rows] == list(range(1, 41))
    assert all(r["c"]["value"] == "1" for r in rows)
    assert all(r["p"]["value"].endswith(f"{network}-v{int(r['n']['value']) - 1}")
               for r in rows[1:])


def test_a_submission_through_a_is_seen_through_b(pair: Pair, tokens: dict[str, str]) -> None:
    marker = f"zichtbaar-{os.getpid()}-{time.monotonic_ns()}"
    # warm B's caches first, so that seeing the change proves they follow A's write
    assert marker not in pair.b.get("/monitoring").text
    named = "/queries/voortgang-per-netwerk"
    before = pair.b.get(named, headers={"Accept": "application/json"}).json()
    body = mark(example("plan-drinkwater-vitens-correct.csv"), marker)
    r = pair.a.submit(body, tokens["vitens"], allow_warnings="true", visibility="public")
    assert r.status_code == 201, r.text
    n = r.json()["version"]
    ask = f'ASK {{ ?a <http://purl.org/dc/terms/description> ?d FILTER(CONTAINS(?d, "{marker}")) }}'

    def seen() -> bool:
        return (pair.b.sparql(ask).json()["boolean"] is True
                and any(v["version"] == n for v in versions(pair.b, tokens["vitens"], VITENS))
                and marker in pair.b.get(f"/doc/actie/{VITENS}-a1").text
                and pair.b.get(named, headers={"Accept": "application/json"}).json() != before
                and pair.b.get("/monitoring", headers={"Accept": "application/json"})
                .status_code == 200)

    within(BOUND + SLACK, seen)


def test_restricted_plans_stay_invisible_to_outsiders_on_both(pair: Pair,
                                                               tokens: dict[str, str]) -> None:
    marker = f"geheim-{os.getpid()}-{time.monotonic_ns()}"
    body = mark(example("plan-drinkwater-vitens-correct.csv"), marker)
    r = pair.b.submit(body, tokens["vitens"], allow_warnings="true", visibility="restricted")
    assert r.status_code == 201, r.text
    ask = f'ASK {{ ?a ?p ?d FILTER(CONTAINS(STR(?d), "{marker}")) }}'
    for server in (pair.a, pair.b):
        within(BOUND + SLACK, lambda s=server: s.sparql(ask, tokens["vr05"]).json()["boolean"])
        for token in (None, tokens["tennet"]):
            assert server.sparql(ask, token).json()["boolean"] is False
            assert marker not in server.get(f"/doc/actie/{VITENS}-a1", token).text
            assert marker not in server.get("/monitoring", token).text


def test_b_answers_without_errors_while_a_is_killed(pair: Pair, tokens: dict[str, str]
                                                    ) -> None:
    """A load on both; A is killed with SIGKILL halfway; B keeps answering every request, and
    the store holds only complete versions (each version graph with its provenance and all
    its actions)."""
    stop = threading.Event()
    errors: list[str] = []
    done: dict[str, int] = {"a": 0, "b": 0}

    def reads(server: PlanServer, name: str) -> None:
        with httpx.Client(timeout=30.0) as client:
            while not stop.is_set():
                for path in ("/doc/veiligheidsregio/vr13", "/queries/veiligheidsregios",
                             "/plans", "/health"):
                    try:
                        r = client.get(server.url + path)
                    except httpx.HTTPError as exc:
                        if name == "b":
                            errors.append(f"{path}: {exc}")
                        continue
                    if r.status_code != 200 and name == "b":
                        errors.append(f"{path}: {r.status_code}")
                    done[name] += 1

    def writes(server: PlanServer, name: str, network: str, owners: list[str]) -> None:
        i = 0
        while not stop.is_set():
            i += 1
            try:
                r = server.submit(big_plan(network, owners, 50, tag=f"{name}{i} "),
                                  tokens["team"], allow_warnings="true", timeout=60.0)
            except httpx.HTTPError as exc:
                if name == "b":
                    errors.append(f"submit: {exc}")
                continue
            if r.status_code != 201 and name == "b":
                errors.append(f"submit: {r.status_code} {r.text[:200]}")

    threads = [threading.Thread(target=reads, args=(pair.a, "a")),
               threading.Thread(target=reads, args=(pair.b, "b")),
               threading.Thread(target=writes, args=(pair.a, "a", "drinkwater-evides",
                                                     ["evides", "VR17", "VR18", "VR19"])),
               threading.Thread(target=writes, args=(pair.b, "b", "drinkwater-dunea",
                                                     ["dunea", "VR15", "VR17"]))]
    for t in threads:
        t.start()
    time.sleep(6)
    pair.a.kill()
    at_kill = done["b"]
    time.sleep(8)
    stop.set()
    for t in threads:
        t.join(90)
    assert errors == []
    assert done["b"] > at_kill  # B went on answering after A died
    # only complete versions: every version graph has its provenance and its 50 actions
    rows = pair.b.sparql(f"""
        PREFIX vkg: <{VKG}>
        SELECT ?g (COUNT(DISTINCT ?a) AS ?n) WHERE {{
          GRAPH ?g {{ ?a a vkg:Action }}
          FILTER(STRSTARTS(STR(?g), "{BASE}graph/plan/drinkwater-"))
        }} GROUP BY ?g""", tokens["team"]).json()["results"]["bindings"]
    prov = pair.b.sparql(f"""
        PREFIX vkg: <{VKG}> SELECT ?g WHERE {{ ?v a vkg:PlanVersion ; vkg:versionGraph ?g }}""",
                         tokens["team"]).json()["results"]["bindings"]
    graphs = {r["g"]["value"]: int(r["n"]["value"]) for r in rows}
    described = {r["g"]["value"] for r in prov}
    for network in ("drinkwater-evides", "drinkwater-dunea"):
        mine = {g: n for g, n in graphs.items() if f"/plan/{network}/" in g}
        assert mine, network
        assert set(mine.values()) == {50}, mine
        assert set(mine) <= described
    # restart A: it serves the same store at once
    pair.a.start()
    assert pair.a.get("/health").status_code == 200
