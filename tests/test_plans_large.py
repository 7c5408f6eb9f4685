"""A plan of several hundred actions is stored whole on every backend (Virtuoso refuses one
update of that size; the version is then staged in chunks and moved in with its provenance)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from plans_support import PlanServer, big_plan, running


@pytest.fixture(scope="module")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanServer]:
    with running(tmp_path_factory.mktemp(f"large-{backend}"), backend) as srv:
        yield srv


def test_a_400_action_plan_is_stored_whole(server: PlanServer) -> None:
    team = server.token("--team")
    plan = big_plan("drinkwater-vitens", ["vitens", "VR05", "VR06"], 400)
    r = server.submit(plan, team, allow_warnings="true", visibility="public")
    assert r.status_code == 201, r.text[:500]
    assert r.json()["actions"] == 400
    again = server.submit(plan.replace(b"Synthetische", b"Herziene"), team,
                          allow_warnings="true", visibility="public")
    assert again.status_code == 201, again.text[:500]
    detail = server.get("/plans/drinkwater-vitens", team).json()
    assert [v["version"] for v in detail["history"]] == [1, 2]
    assert [v["actions"] for v in detail["history"]] == [400, 400]
    # no staging graph left visible, and the count through SPARQL is the same
    rows = server.sparql(
        "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a <https://w3id.org/vitaalkg/def/Action> ;"
        " <http://purl.org/dc/terms/description> ?d FILTER(STRSTARTS(?d, \"Herziene\")) }",
        team).json()["results"]["bindings"]
    assert rows[0]["n"]["value"] == "400"
