"""Time and size limits of the SPARQL endpoint: a runaway query is stopped by killing its worker
process, while the server stays responsive (own server with a 2 s limit)."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from conftest import LiveServer

TIMEOUT = 2.0
RUNAWAY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
SMALL = "ASK { <https://w3id.org/vitaalkg/id/veiligheidsregio/vr13> ?p ?o }"


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory, backend):
    server = LiveServer(tmp_path_factory.mktemp("limited") / "store", backend=backend,
                        env={"VITAALKG_QUERY_TIMEOUT": str(TIMEOUT),
                             "VITAALKG_MAX_RESULTS": "50", "VITAALKG_QUERY_WORKERS": "2"}).start()
    # warm up: the workers are ready
    httpx.get(server.url + "/sparql", params={"query": SMALL}, timeout=30)
    yield server
    server.stop()


@pytest.mark.slow
def test_runaway_query_is_stopped_and_server_stays_responsive(limited_server):
    url = limited_server.url
    outcome: dict[str, object] = {}

    def runaway() -> None:
        start = time.monotonic()
        r = httpx.post(url + "/sparql", data={"query": RUNAWAY}, timeout=30)
        outcome["status"], outcome["text"] = r.status_code, r.text
        outcome["seconds"] = time.monotonic() - start

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    latencies = []
    while thread.is_alive():
        start = time.monotonic()
        health = httpx.get(url + "/health", timeout=5)
        small = httpx.get(url + "/sparql", params={"query": SMALL}, timeout=5)
        latencies.append(time.monotonic() - start)
        assert health.status_code == 200
        assert small.status_code == 200 and small.json()["boolean"] is True
        time.sleep(0.1)
    thread.join()
    assert outcome["status"] == 503
    assert "tijdslimiet" in str(outcome["text"]) and "time limit" in str(outcome["text"])
    assert TIMEOUT - 0.1 <= float(outcome["seconds"]) <= TIMEOUT + 1.5
    assert len(latencies) >= 3 and max(latencies) < 1.0

    # the killed worker is replaced: several queries in a row still work
    for _ in range(4):
        r = httpx.get(url + "/sparql", params={"query": SMALL}, timeout=10)
        assert r.status_code == 200


@pytest.mark.slow
def test_two_runaways_at_once_both_stopped(limited_server):
    results: list[int] = []

    def runaway() -> None:
        r = httpx.get(limited_server.url + "/sparql", params={"query": RUNAWAY}, timeout=30)
        results.append(r.status_code)

    threads = [threading.Thread(target=runaway) for _ in range(2)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [503, 503]
    assert time.monotonic() - start < TIMEOUT + 2.0
    r = httpx.get(limited_server.url + "/sparql", params={"query": SMALL}, timeout=15)
    assert r.status_code == 200


def test_result_size_limit(limited_server):
    url = limited_server.url + "/sparql"
    r = httpx.get(url, params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 413 and "LIMIT" in r.text and "50" in r.text
    r = httpx.get(url, params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert r.status_code == 413
    r = httpx.get(url, params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 50"})
    assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 50
