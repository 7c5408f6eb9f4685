"""A plan lives in its network's own namespace (issue 10, findings 4 and 5).

- Squatting: a plan of one network may not use the action IRIs of another network, so it can
  never block that network's own plan; an IRI that a stored (older, superseded) version of
  another plan used — written before this rule existed — blocks nobody.
- No existence oracle: a refused probe plan names the foreign IRIs it used, whether or not
  they exist in some restricted plan of another network, so the answer tells nothing about it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from plans_support import BASE, PlanServer, example

from vitaalkg.plans.registry import PlanRegistry
from vitaalkg.plans.tokens import Principal
from vitaalkg.validation.inputs import read_plan

VITENS = "drinkwater-vitens"
PWN = "drinkwater-pwn"
#: the correct Vitens example, moved to the PWN network (owners: PWN and its regions)
PWN_CSV = (example("plan-drinkwater-vitens-correct.csv").decode("utf-8")
           .replace(VITENS, PWN).replace(";VR06;", ";VR10;").replace(";VR25;", ";VR11;")
           .replace("vitens 50; VR05 25; VR06 25", "pwn 50; VR10 25; VR11 25")
           .replace(";vitens;", ";pwn;").encode("utf-8"))


def nt(csv: bytes, replace: dict[str, str]) -> bytes:
    """The plan of ``csv`` as N-Triples, with IRIs replaced (whole IRIs only)."""
    triples = read_plan(csv, "plan.csv", base=BASE).to_triples()
    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    for old, new in replace.items():
        text = text.replace(f"<{old}>", f"<{new}>")
    return text.encode("utf-8")


def squatting_plan() -> bytes:
    """PWN's plan, whose action A4 is named with Vitens' IRI for its A4."""
    return nt(PWN_CSV, {f"{BASE}id/actie/{PWN}-a4": f"{BASE}id/actie/{VITENS}-a4"})


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Iterator[PlanServer]:
    srv = PlanServer(tmp_path_factory.mktemp("plans-ns"), backend)
    # a squatting version stored before the rule existed (written as the old code did), then
    # superseded by a clean version of that plan
    store = srv.open_store()
    reg = PlanRegistry(store, BASE)
    team = Principal(team=True, token_id="legacy")
    for body in (squatting_plan(), nt(PWN_CSV, {})):
        reg.submit(PWN, read_plan(body, "p.nt", base=BASE).to_triples(), principal=team,
                   filename="p.nt", content=body, visibility="restricted")
    store.close()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def tokens(server: PlanServer) -> dict[str, str]:
    return {"vr06": server.token("--org", "VR06"), "pwn": server.token("--org", "pwn"),
            "team": server.token("--team")}


def test_a_plan_cannot_use_another_networks_action_iris(server: PlanServer,
                                                        tokens: dict[str, str]) -> None:
    """Failed before the fix: PWN's squatting plan was stored (201)."""
    r = server.submit(squatting_plan(), tokens["pwn"], ctype="text/turtle",
                      allow_warnings="true")
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["resources"] == [f"{BASE}id/actie/{VITENS}-a4"]
    assert "naamruimte" in body["error"] and "namespace" in body["error"]
    # naming another network's plan (as a subject's object) is refused the same way
    other = nt(PWN_CSV, {f"{BASE}id/actieplan/{PWN}": f"{BASE}id/actieplan/{VITENS}"})
    r = server.submit(other, tokens["pwn"], ctype="text/turtle",
                      allow_warnings="true")
    assert r.status_code == 422 and f"{BASE}id/actieplan/{VITENS}" in r.json()["resources"]


def test_superseded_squatting_blocks_nobody(server: PlanServer, tokens: dict[str, str]) -> None:
    """Failed before the fix: Vitens' own plan with A4 was refused (422) for good, even for
    the project team, because an old PWN version had used that IRI."""
    plan = example("plan-drinkwater-vitens-correct.csv")
    r = server.submit(plan, tokens["team"], allow_warnings="true")
    assert r.status_code == 201, r.text
    assert r.json()["actions"] == 5
    r = server.submit(plan.replace(b"Noodwatervoorziening", b"Nood-watervoorziening"),
                      tokens["vr06"], allow_warnings="true")
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 2


def test_refusals_reveal_nothing_of_restricted_plans(server: PlanServer,
                                                     tokens: dict[str, str]) -> None:
    """Failed before the fix: a probe naming IRIs of Vitens' restricted plan got a 422 listing
    exactly those that exist (actions, versions, tallies); guesses that do not exist passed on
    to the SHACL report. Now both probes get the same answer, naming every foreign IRI."""
    if server.get(f"/plans/{VITENS}", tokens["team"]).status_code == 404:
        r = server.submit(example("plan-drinkwater-vitens-correct.csv"), tokens["vr06"],
                          allow_warnings="true")
        assert r.status_code == 201, r.text
    listing = server.get(f"/plans/{VITENS}", tokens["team"]).json()
    assert listing["current"]["visibility"] == "restricted"
    existing = [f"{BASE}id/actie/{VITENS}-a1", f"{BASE}id/planversie/{VITENS}-v1",
                f"{BASE}id/actieplan/{VITENS}/telling/v1/open"]
    missing = [f"{BASE}id/actie/{VITENS}-a9", f"{BASE}id/planversie/{VITENS}-v7",
               f"{BASE}id/actieplan/{VITENS}/telling/v7/open"]
    answers = []
    for guesses in (existing, missing):
        # a deliberate violation as well (A1 without owner), as a prober would add
        probe = nt(PWN_CSV.replace(b";VR10;", b";;", 1), {
            f"{BASE}id/actie/{PWN}-a1": guesses[0], f"{BASE}id/actie/{PWN}-a2": guesses[1],
            f"{BASE}id/actie/{PWN}-a3": guesses[2]})
        r = server.submit(probe, tokens["pwn"], ctype="text/turtle",
                          allow_warnings="true")
        assert r.status_code == 422, r.text
        answers.append(r.json())
    assert answers[0]["resources"] == sorted(existing)
    assert answers[1]["resources"] == sorted(missing)
    assert answers[0]["error"] == answers[1]["error"]
    assert set(answers[0]) == set(answers[1]) == {"error", "resources", "status"}
