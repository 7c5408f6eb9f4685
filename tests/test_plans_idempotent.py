"""Retried submissions are stored once, and a restricted version's details stay restricted
(issue 10, findings 10 and 11).

- A client that loses the connection after the server stored its plan sends it again with the
  same ``Idempotency-Key``: the answer is the stored version (200), not a second one. The same
  file and visibility as the current version is recognised without a key too; ``vitaalkg
  submit --server`` sends a key and retries by itself.
- The file name, checksum and token of a restricted version stay unreadable for non-members
  after a later version is made public.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from plans_support import BASE, VKG, PlanServer, big_plan, example, running

from vitaalkg.plans.registry import PlanRegistry
from vitaalkg.plans.tokens import Principal
from vitaalkg.validation.inputs import read_plan

NETWORK = "drinkwater-vitens"
OWNERS = ["VR06", "vitens", "VR05", "VR25"]
#: actions of the plans retried below (Virtuoso refuses much larger single updates)
SIZE = 60


class LosingProxy:
    """A TCP proxy in front of the server that loses the answers of the first ``lose``
    connections: it passes the request on, waits until the server starts answering (the
    version is stored by then) and closes the client's connection without a byte of it."""

    def __init__(self, port: int, lose: int = 1) -> None:
        self.port, self.lose = port, lose
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.lost = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                client, _ = self.listener.accept()
                threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    @staticmethod
    def _copy(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def _handle(self, client: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.port))
        threading.Thread(target=self._copy, args=(client, upstream), daemon=True).start()
        if self.lost < self.lose:
            self.lost += 1
            with contextlib.suppress(OSError):
                upstream.recv(1)  # the server answers: the submission is done
        else:
            self._copy(upstream, client)
        for sock in (client, upstream):  # shutdown, not just close: the other thread reads it
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self) -> None:
        self.listener.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Iterator[PlanServer]:
    with running(tmp_path_factory.mktemp("plans-idem"), backend) as srv:
        yield srv


@pytest.fixture(scope="module")
def tokens(server: PlanServer) -> dict[str, str]:
    return {"vr06": server.token("--org", "VR06"), "vitens": server.token("--org", "vitens"),
            "tennet": server.token("--org", "tennet"), "team": server.token("--team")}


def post(server: PlanServer, body: bytes, token: str, *, key: str | None = None,
         name: str = "plan.csv", timeout: float = 600.0, url: str | None = None,
         **params: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    return httpx.post((url or server.url) + "/plans", files={"file": (name, body, "text/csv")},
                      headers=headers, params=params, timeout=timeout)


def history(server: PlanServer, token: str) -> list[dict]:
    r = server.get(f"/plans/{NETWORK}", token)
    return r.json()["history"] if r.status_code == 200 else []


def test_retry_with_the_same_key_after_a_lost_connection(server: PlanServer,
                                                          tokens: dict[str, str]) -> None:
    """Failed before the fix: the retry stored a second, identical version (201, v2)."""
    before = len(history(server, tokens["team"]))
    body = big_plan(NETWORK, OWNERS, SIZE, tag="verloren ")
    proxy = LosingProxy(server.port)
    try:
        with pytest.raises(httpx.TransportError):  # stored, but the answer is lost
            post(server, body, tokens["vr06"], key="poging-1", url=proxy.url)
    finally:
        proxy.close()
    assert len(history(server, tokens["team"])) == before + 1
    r = post(server, body, tokens["vr06"], key="poging-1")
    assert r.status_code == 200, r.text
    assert r.json()["version"] == before + 1 and r.json()["created"] is False
    assert r.headers["location"] == f"/plans/{NETWORK}/versions/{before + 1}"
    assert len(history(server, tokens["team"])) == before + 1
    # the same key for another file is a client error, and stores nothing
    other = big_plan(NETWORK, OWNERS, 10, tag="ander ")
    r = post(server, other, tokens["vr06"], key="poging-1")
    assert r.status_code == 422 and "Idempotency-Key" in r.json()["error"]
    # the same key from another principal is another request
    r = post(server, other, tokens["vitens"], key="poging-1")
    assert r.status_code == 201, r.text
    assert len(history(server, tokens["team"])) == before + 2
    # a malformed key
    r = post(server, other, tokens["vitens"], key="x" * 201)
    assert r.status_code == 400


def test_same_file_as_the_current_version_is_not_stored_again(
        server: PlanServer, tokens: dict[str, str]) -> None:
    """Failed before the fix: every repeat was a new version (201)."""
    body = big_plan(NETWORK, OWNERS, 12, tag="dubbel ")
    first = post(server, body, tokens["vr06"])
    assert first.status_code == 201, first.text
    again = post(server, body, tokens["vitens"])  # no key, another member: same content
    assert again.status_code == 200, again.text
    assert again.json()["version"] == first.json()["version"]
    assert again.json()["checksum"] == first.json()["checksum"]
    # another visibility is a real change: a new version
    public = post(server, body, tokens["vr06"], visibility="public")
    assert public.status_code == 201
    assert public.json()["version"] == first.json()["version"] + 1


def test_cli_submit_retries_and_stores_once(server: PlanServer, tokens: dict[str, str],
                                            tmp_path: Path) -> None:
    """Failed before the fix: ``vitaalkg submit`` had no retries (and no key to make them
    safe); a lost answer was an error."""
    before = len(history(server, tokens["team"]))
    path = tmp_path / "plan.csv"
    path.write_bytes(big_plan(NETWORK, OWNERS, SIZE, tag="cli "))
    proxy = LosingProxy(server.port, lose=2)  # the first two answers are lost
    try:
        out = server.cli("submit", str(path), "--server", proxy.url, "--token",
                         tokens["vr06"], "--retries", "3", check=False, timeout=600)
    finally:
        proxy.close()
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stderr.count("opnieuw") == 2  # it tried again, twice
    assert "al opgeslagen" in out.stdout  # the third answer: the version stored the first time
    assert len(history(server, tokens["team"])) == before + 1
    # run again (a user who is not sure it worked): the current version, nothing new
    out = server.cli("submit", str(path), "--server", server.url, "--token", tokens["vr06"],
                     check=False, timeout=600)
    assert out.returncode == 0 and "al opgeslagen" in out.stdout, out.stdout + out.stderr
    assert len(history(server, tokens["team"])) == before + 1


def test_restricted_details_stay_restricted_after_a_public_version(
        server: PlanServer, tokens: dict[str, str]) -> None:
    """Failed before the fix: once v(n+1) was public, anyone read v(n)'s file name, checksum
    and token id from the provenance graph."""
    secret = example("plan-drinkwater-vitens-correct.csv")
    r = post(server, secret, tokens["vr06"], name="geheim-concept-7q.csv",
             allow_warnings="true", visibility="restricted")
    assert r.status_code == 201, r.text
    restricted = r.json()
    r = post(server, secret.replace(b"Uitval", b"Het uitvallen van"), tokens["vr06"],
             name="openbaar.csv", allow_warnings="true", visibility="public")
    assert r.status_code == 201, r.text
    version_iri = restricted["iri"]
    secrets_ = (restricted["fileName"], restricted["checksum"], restricted["token"])
    query = (f"SELECT ?p ?o WHERE {{ {{ <{version_iri}> ?p ?o }} UNION "
             f"{{ GRAPH ?g {{ <{version_iri}> ?p ?o }} }} }}")
    for who in (None, tokens["tennet"]):
        r = server.sparql(query, who)
        assert r.status_code == 200, r.text
        assert not [s for s in secrets_ if s in r.text], r.text
        assert f"{VKG}versionNumber" in r.text  # the version itself is still listed
        page = server.get(f"/doc/planversie/{NETWORK}-v{restricted['version']}", who,
                          headers={"Accept": "text/turtle"})
        assert not [s for s in secrets_ if s in page.text]
        listing = server.get(f"/plans/{NETWORK}", who).json()
        assert restricted["version"] not in [v["version"] for v in listing["history"]]
    # members and the team still read them
    for who in (tokens["vitens"], tokens["team"]):
        r = server.sparql(query, who)
        assert all(s in r.text for s in secrets_), r.text
        detail = [v for v in history(server, who) if v["version"] == restricted["version"]]
        assert detail[0]["fileName"] == "geheim-concept-7q.csv"


def test_details_stored_in_the_old_layout_are_protected_on_start(
        tmp_path_factory: pytest.TempPathFactory, backend: str) -> None:
    """Failed before the fix: a store written by the old code kept a restricted version's
    details in the (then public) provenance graph. The server moves them when it starts."""
    srv = PlanServer(tmp_path_factory.mktemp("plans-old-layout"), backend)
    store = srv.open_store()
    reg = PlanRegistry(store, BASE)
    member = Principal(org=f"{BASE}id/veiligheidsregio/vr06", token_id="oudtoken0001")
    for i, vis in enumerate(("restricted", "public")):
        body = big_plan(NETWORK, OWNERS, 5 + i, tag="oud ")
        reg.submit(NETWORK, read_plan(body, "p.csv", base=BASE).to_triples(),
                   principal=member, filename=f"oud-geheim-{vis}.csv", content=body,
                   visibility=vis)
    details, prov = f"{BASE}graph/plan/{NETWORK}/prov/v1", f"{BASE}graph/plan/{NETWORK}/prov"
    store.update(f"DELETE {{ GRAPH <{details}> {{ ?s ?p ?o }} }} "  # as the old code wrote it
                 f"INSERT {{ GRAPH <{prov}> {{ ?s ?p ?o }} }} "
                 f"WHERE {{ GRAPH <{details}> {{ ?s ?p ?o }} }}")
    store.flush()
    store.close()
    srv.start()
    try:
        team = srv.token("--team")
        query = "SELECT ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
        for who in (None, srv.token("--org", "tennet")):
            text = srv.sparql(query, who).text
            assert "oud-geheim-public.csv" in text and "oud-geheim-restricted.csv" not in text
            assert "oudtoken0001" in text  # (the public version's token id)
        assert "oud-geheim-restricted.csv" in srv.sparql(query, team).text
        assert [v["fileName"] for v in history(srv, team)] == [
            "oud-geheim-restricted.csv", "oud-geheim-public.csv"]
    finally:
        srv.stop()
