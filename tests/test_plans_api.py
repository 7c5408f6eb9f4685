"""Submitting, revising and reading plans over HTTP and with the CLI, on a real server with its
own store and token file; tokens are made with the real ``vitaalkg token`` command."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from plans_support import VKG, PlanServer, example, revised_vitens_plan, running

NETWORK = "drinkwater-vitens"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Iterator[PlanServer]:
    with running(tmp_path_factory.mktemp("plans-api"), backend) as srv:
        yield srv


@pytest.fixture(scope="module")
def tokens(server: PlanServer) -> dict[str, str]:
    return {"vr06": server.token("--org", "VR06"), "vitens": server.token("--org", "vitens"),
            "tennet": server.token("--org", "tennet"), "team": server.token("--team"),
            "jenv": server.token("--org", "jenv")}


def snapshot(server: PlanServer, team: str) -> tuple[int, int, list[str]]:
    """(triples, graphs, graph names the team sees): what a refused submission must not change."""
    health = server.get("/health").json()
    rows = server.sparql("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", team).json()
    names = sorted(b["g"]["value"] for b in rows["results"]["bindings"])
    return health["triples"], health["graphs"], names


def test_submit_revise_and_diff(server: PlanServer, tokens: dict[str, str]) -> None:
    plan = example("plan-drinkwater-vitens-correct.csv")
    first = server.submit(plan, tokens["vr06"], allow_warnings="true")
    assert first.status_code == 201, first.text
    v1 = first.json()
    assert (v1["network"], v1["version"], v1["actions"], v1["visibility"]) == (
        NETWORK, 1, 5, "restricted")
    assert first.headers["location"] == f"/plans/{NETWORK}/versions/1"
    assert v1["submittedFor"].endswith("/veiligheidsregio/vr06")

    second = server.submit(revised_vitens_plan(), tokens["vitens"], allow_warnings="true")
    assert second.status_code == 201, second.text
    v2 = second.json()
    assert (v2["version"], v2["actions"], v2["replaces"]) == (2, 5, v1["iri"])

    detail = server.get(f"/plans/{NETWORK}", tokens["vr06"]).json()
    assert detail["current"]["version"] == 2
    assert [h["version"] for h in detail["history"]] == [1, 2]
    assert detail["history"][1]["submittedFor"].endswith("/organisatie/vitens")

    diff = server.get(f"/plans/{NETWORK}/diff", tokens["vr06"],
                      params={"from": 1, "to": 2}).json()
    assert [a["actie"] for a in diff["added"]] == ["A6"]
    assert [a["actie"] for a in diff["removed"]] == ["A4"]
    changed = {c["actie"]: c["wijzigingen"] for c in diff["changed"]}
    assert set(changed) == {"A1", "A3"}
    assert changed["A1"]["costs"] == {"van": "5000", "naar": "6000"}
    assert changed["A3"]["status"]["naar"].endswith("/status/vervallen")

    # every version as RDF by content negotiation; the old one is kept unchanged
    for media, fmt in (("text/turtle", ox.RdfFormat.TURTLE),
                       ("application/ld+json", ox.RdfFormat.JSON_LD),
                       ("application/n-triples", ox.RdfFormat.N_TRIPLES)):
        r = server.get(f"/plans/{NETWORK}/versions/1", tokens["vr06"],
                       headers={"Accept": media})
        assert r.status_code == 200 and r.headers["content-type"].startswith(media)
        triples = list(ox.parse(r.content, format=fmt))
        actions = {t.subject.value for t in triples
                   if t.predicate.value.endswith("#type") and t.object.value == VKG + "Action"}
        assert len(actions) == 5 and any(a.endswith("-a4") for a in actions)

    # the provenance is in the store, queryable by members with SPARQL (PROV-O)
    q = f"""PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX vkg: <{VKG}>
        SELECT ?n ?who ?prev WHERE {{ ?v a vkg:PlanVersion ; vkg:versionNumber ?n ;
          prov:wasAttributedTo ?who ; prov:generatedAtTime ?t .
          OPTIONAL {{ ?v prov:wasRevisionOf ?prev }} }} ORDER BY ?n"""
    rows = server.sparql(q, tokens["vr06"]).json()["results"]["bindings"]
    assert [int(r["n"]["value"]) for r in rows] == [1, 2]
    assert "prev" not in rows[0] and rows[1]["prev"]["value"] == v1["iri"]


def test_non_conforming_plan_is_refused_and_nothing_changes(
        server: PlanServer, tokens: dict[str, str]) -> None:
    before = snapshot(server, tokens["team"])
    r = server.submit(example("plan-drinkwater-vitens-defecten.csv"), tokens["vr06"],
                      allow_warnings="true")
    assert r.status_code == 422
    body = r.json()
    assert body["stored"] is False and body["report"]["conforms"] is False
    assert body["report"]["violations"] > 0
    assert {res["actie"] for res in body["report"]["results"]} >= {"A2", "A3"}
    # warnings only, but not allowed: refused as well
    r = server.submit(example("plan-drinkwater-vitens-correct.csv"), tokens["vr06"])
    assert r.status_code == 422 and r.json()["report"]["warnings"] == 3
    # two networks in one plan
    r = server.submit(example("plan-twee-netwerken.csv"), tokens["team"], allow_warnings="true")
    assert r.status_code == 422 and "netwerk" in r.json()["error"]
    # a plan that makes statements about other resources
    bad = (b"@prefix vkg: <" + VKG.encode() + b"> .\n"
           b"<https://w3id.org/vitaalkg/id/actieplan/x> a vkg:ActionPlan ; vkg:network "
           b"<https://w3id.org/vitaalkg/id/netwerk/drinkwater-vitens> .\n"
           b"<https://w3id.org/vitaalkg/id/veiligheidsregio/vr13> "
           b"<http://www.w3.org/2000/01/rdf-schema#label> \"gekaapt\" .\n")
    r = server.submit(bad, tokens["team"], ctype="text/turtle", allow_warnings="true")
    assert r.status_code == 422 and any("vr13" in x for x in r.json()["resources"])
    # unreadable input
    r = server.submit(b"\x00\x01 not a plan", tokens["vr06"], ctype="application/octet-stream")
    assert r.status_code in (400, 415)
    assert snapshot(server, tokens["team"]) == before


def test_tokens_and_membership(server: PlanServer, tokens: dict[str, str]) -> None:
    plan = example("plan-drinkwater-vitens-correct.csv")
    before = snapshot(server, tokens["team"])
    # no token, a wrong token: 401 with a Bearer challenge
    r = server.submit(plan, None, allow_warnings="true")
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    r = server.submit(plan, "vkg_not-a-real-token", allow_warnings="true")
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    # TenneT is not in the Vitens network
    r = server.submit(plan, tokens["tennet"], allow_warnings="true")
    assert r.status_code == 403
    assert snapshot(server, tokens["team"]) == before
    # a revoked token is refused at once, for writing and for reading
    extra = server.token("--org", "VR06")
    assert server.get("/plans", extra).status_code == 200
    server.cli("token", "revoke", extra)
    listed = json.loads(server.cli("token", "list", "--output", "json").stdout)
    assert listed[-1]["revoked"] and not listed[0]["revoked"]
    r = server.submit(plan, extra, allow_warnings="true")
    assert r.status_code == 401
    assert server.get("/plans", extra).status_code == 401
    assert server.sparql("ASK { ?s ?p ?o }", extra).status_code == 401
    assert snapshot(server, tokens["team"]) == before


def test_team_token_submits_anywhere_and_reads_everything(
        server: PlanServer, tokens: dict[str, str]) -> None:
    liander = (b"netwerk;actie;omschrijving;thema;status;verantwoordelijke;start;deadline;"
               b"financiering\n"
               b"elektriciteit-liander;L1;Stroomuitval oefenen;5;open;VR13;2025-01-01;"
               b"2099-12-31;BDUR\n"
               b"elektriciteit-liander;L2;Contactlijst bijwerken;2;afgerond;;;;\n")
    r = server.submit(liander, tokens["team"])
    assert r.status_code == 201, r.text
    assert r.json()["submittedFor"] is None
    national = (b"netwerk;actie;omschrijving;thema;status;verantwoordelijke;start;deadline;"
                b"financiering\n"
                b"continuiteit;N1;Landelijk beeld afhankelijkheden;1;open;jenv;2025-01-01;"
                b"2099-12-31;reguliere capaciteit\n")
    r = server.submit(national, tokens["jenv"])
    assert r.status_code == 201, r.text
    assert r.json()["visibility"] == "public"

    def networks(token: str | None) -> set[str]:
        r = server.get("/plans", token)
        assert r.status_code == 200
        return {p["network"] for p in r.json()["plans"]}

    assert networks(tokens["team"]) >= {NETWORK, "elektriciteit-liander", "continuiteit"}
    assert networks(None) == {"continuiteit"}
    assert networks(tokens["tennet"]) == {"continuiteit"}
    assert networks(tokens["vr06"]) >= {NETWORK, "elektriciteit-liander", "continuiteit"}
    assert networks(tokens["vitens"]) == {NETWORK, "continuiteit"}
    assert server.get("/plans/elektriciteit-liander", tokens["vitens"]).status_code == 404
    assert server.get("/plans/elektriciteit-liander", tokens["team"]).status_code == 200
    assert server.get("/plans/continuiteit/versions/1").status_code == 200
    assert server.get("/plans/bestaat-niet", tokens["team"]).status_code == 404


def test_cli_submit_against_the_running_server(server: PlanServer, tokens: dict[str, str],
                                               tmp_path: Path) -> None:
    path = tmp_path / "plan-vitens-v3.csv"
    path.write_bytes(revised_vitens_plan("Herzien:"))
    refused = server.cli("submit", str(path), "--server", server.url, "--token",
                         tokens["tennet"], "--allow-warnings", check=False)
    assert refused.returncode == 3
    done = server.cli("submit", str(path), "--server", server.url, "--token", tokens["vr06"],
                      "--allow-warnings", "--output", "json")
    body = json.loads(done.stdout)
    assert body["stored"] and body["fileName"] == "plan-vitens-v3.csv"
    # queries see the new version at once
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a a <{VKG}Action> FILTER(CONTAINS(STR(?a), " \
        f"'{NETWORK}')) ?a <http://purl.org/dc/terms/description> ?d " \
        f"FILTER(STRSTARTS(STR(?d), 'Herzien:')) }}"
    n = server.sparql(q, tokens["vr06"]).json()["results"]["bindings"][0]["n"]["value"]
    assert int(n) == 5
    bad = server.cli("submit", str(path), "--server", server.url, "--token", "vkg_x",
                     check=False)
    assert bad.returncode == 3
