"""Hostile plan uploads never crash, freeze or exhaust the server (issue 10).

Against a real server: each hostile file (built in ``upload_hostile.py``) is sent to
``POST /validate`` in a thread while ``/health`` is asked every 0.2 s and must answer within
1 s; the answer is 413 (or 400) naming the limit; the server process is alive afterwards; the
same file to ``POST /plans`` with a token is refused the same way. Two more servers, one
without a depth limit and one with tight time and worker limits, show a crashing reader, one
out of memory, a slow one and uploads waiting for a turn.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from plans_support import EXAMPLES, PlanServer, big_plan, running
from upload_hostile import (
    big_csv,
    deep_jsonld,
    deep_turtle,
    multipart,
    xlsx_bomb,
    xlsx_from_csv,
    xlsx_many_entries,
    xlsx_many_sheets,
    xlsx_shared_strings,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Iterator[PlanServer]:
    with running(tmp_path_factory.mktemp("uploads"), backend) as srv:
        yield srv


@pytest.fixture(scope="module")
def team(server: PlanServer) -> str:
    return server.token("--team")


def post(server: PlanServer, path: str, body: bytes, ctype: str, token: str | None = None,
         **params: str) -> httpx.Response:
    headers = {"Content-Type": ctype}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.post(server.url + path, content=body, headers=headers,
                      params={"reference-date": "2016-09-01", **params}, timeout=300)


def while_healthy(server: PlanServer, *calls: Callable[[], httpx.Response]
                  ) -> list[httpx.Response | BaseException]:
    """Run ``calls`` in threads; meanwhile ``/health`` must answer 200 within 1 s each time
    (asked at least once). Returns the responses (or errors); the server must be alive."""
    out: list[httpx.Response | BaseException] = [RuntimeError("no answer")] * len(calls)

    def run(i: int, call: Callable[[], httpx.Response]) -> None:
        try:
            out[i] = call()
        except BaseException as exc:  # the connection dies when the server does
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    probes = 0
    while probes == 0 or any(t.is_alive() for t in threads):
        time.sleep(0.2)
        started = time.monotonic()
        r = httpx.get(server.url + "/health", timeout=1.0)
        assert r.status_code == 200 and time.monotonic() - started < 1.0
        probes += 1
    for t in threads:
        t.join()
    assert server.proc is not None and server.proc.poll() is None, "the server died"
    assert httpx.get(server.url + "/health", timeout=5).status_code == 200
    return out


def refused(r: httpx.Response | BaseException, setting: str, *words: str,
            status: int = 413) -> dict[str, Any]:
    assert isinstance(r, httpx.Response), f"no answer: {r!r}"
    assert r.status_code == status, r.text[:500]
    body = r.json()
    assert setting in body["error"], body
    for w in words:
        assert w.lower() in body["error"].lower(), body
    assert "Traceback" not in r.text
    return body


def hostile(server: PlanServer, team: str, body: bytes, ctype: str, setting: str,
            *words: str) -> None:
    """``body`` to /validate (checked while healthy), in English, and to /plans with a token."""
    (r,) = while_healthy(server, lambda: post(server, "/validate", body, ctype))
    refused(r, setting, "upload geweigerd", *words)
    en = post(server, "/validate", body, ctype, lang="en")
    refused(en, setting, "upload refused")
    refused(post(server, "/plans", body, ctype, team), setting)


# -- finding 1: a crash ------------------------------------------------------------------------
def test_deeply_nested_jsonld_is_refused_and_the_server_lives(server: PlanServer,
                                                               team: str) -> None:
    body = deep_jsonld(5000)
    assert len(body) < 40_000
    hostile(server, team, body, "application/ld+json", "VITAALKG_UPLOAD_MAX_DEPTH", "genest")


def test_deeply_nested_turtle_is_refused(server: PlanServer, team: str) -> None:
    hostile(server, team, deep_turtle(5000), "text/turtle", "VITAALKG_UPLOAD_MAX_DEPTH")


# -- finding 3: freezes --------------------------------------------------------------------------
def test_xlsx_zip_bomb_is_refused_from_the_zip_directory(server: PlanServer, team: str) -> None:
    body = xlsx_bomb(199)
    assert len(body) < 8 * 1024 * 1024
    hostile(server, team, body, XLSX, "VITAALKG_UPLOAD_MAX_XLSX_MEMBER_BYTES", "zip-bom")


def test_huge_shared_strings_are_refused(server: PlanServer, team: str) -> None:
    hostile(server, team, xlsx_shared_strings(2_000_000), XLSX,
            "VITAALKG_UPLOAD_MAX_SHARED_STRINGS", "gedeelde teksten")


def test_100000_sheet_entries_are_refused(server: PlanServer, team: str) -> None:
    hostile(server, team, xlsx_many_sheets(100_000), XLSX, "VITAALKG_UPLOAD_MAX_SHEETS",
            "werkbladen")
    hostile(server, team, xlsx_many_entries(5_000), XLSX, "VITAALKG_UPLOAD_MAX_XLSX_ENTRIES",
            "onderdelen")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_three_concurrent_10mb_csvs(server: PlanServer) -> None:
    bodies = [big_csv(9.5, tag=f"t{i} ") for i in range(3)]
    started = time.monotonic()
    answers = while_healthy(server, *[
        (lambda b=b: post(server, "/validate", b, "text/csv")) for b in bodies])
    assert time.monotonic() - started < 60
    statuses = []
    for r in answers:
        assert isinstance(r, httpx.Response), r
        statuses.append(r.status_code)
        if r.status_code == 503:
            assert r.headers["Retry-After"].isdigit()
            assert "VITAALKG_UPLOAD_WORKERS" in r.json()["error"]
        else:
            refused(r, "VITAALKG_UPLOAD_MAX_ROWS", "rijen")
    assert 413 in statuses
    assert server.proc is not None
    assert _rss_mb(server.proc.pid) < 1024, "the server holds on to the uploads' memory"


# -- finding 11 (part): multipart bodies -----------------------------------------------------------
FORM = "multipart/form-data"


@pytest.mark.parametrize("ctype,body,status,word", [
    (FORM, multipart(file=b"x"), 400, "multipart"),                       # no boundary
    (FORM + "; boundary=", multipart(file=b"x"), 400, "multipart"),        # empty boundary
    (FORM + "; boundary=abc", multipart(file=b"x"), 400, "multipart"),     # wrong boundary
    (FORM + "; boundary=xyz", multipart(fields=2000, file=b"x"), 413, "velden"),
    (FORM + "; boundary=xyz", multipart(fields=1, value=b"v" * 200_000, file=b"x"), 413,
     "KB per veld"),
    (FORM + "; boundary=xyz", multipart(fields=1), 400, "geen bestand"),
])
def test_broken_multipart_is_a_client_error(server: PlanServer, team: str, ctype: str,
                                            body: bytes, status: int, word: str) -> None:
    for path, token in (("/validate", None), ("/plans", team)):
        r = post(server, path, body, ctype, token)
        assert r.status_code == status, (path, r.status_code, r.text[:300])
        assert word.lower() in r.json()["error"].lower()
    assert server.proc is not None and server.proc.poll() is None


# -- what must still pass -------------------------------------------------------------------------
def test_examples_and_a_10000_action_plan_pass(server: PlanServer, team: str) -> None:
    for path in sorted(EXAMPLES.glob("plan-*")):
        r = httpx.post(server.url + "/validate?reference-date=2016-09-01",
                       files={"file": (path.name, path.read_bytes())}, timeout=120)
        assert r.status_code == 200, (path.name, r.text[:300])
        assert "results" in r.json()
    plan = big_plan("drinkwater-vitens", ["vitens", "VR06"], 10_000)
    r = post(server, "/validate", plan, "text/csv")
    assert r.status_code == 200 and r.json()["conforms"] is True, r.text[:300]
    r = post(server, "/validate", xlsx_from_csv(plan), XLSX)
    assert r.status_code == 200 and r.json()["actions"] == 10_000, r.text[:300]
    r = post(server, "/plans", plan, "text/csv", team)
    if server.backend == "virtuoso" and r.status_code == 500:
        pytest.xfail("storing a 10,000-action plan in Virtuoso answers 500 (before the upload "
                     "limits too): a store problem, not reading the upload")
    assert r.status_code == 201, r.text[:300]
    assert r.json()["actions"] == 10_000


# -- the reader process itself: a crash, memory, the time limit, the queue ------------------------
def _server(tmp_path_factory: pytest.TempPathFactory, name: str, **env: str) -> PlanServer:
    srv = PlanServer(tmp_path_factory.mktemp(name))
    srv.env.update(env)
    return srv.start()  # type: ignore[return-value]


@pytest.fixture(scope="module")
def deep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanServer]:
    """A server that lets the parser see deep nesting (no depth limit)."""
    srv = _server(tmp_path_factory, "uploads-deep", VITAALKG_UPLOAD_MAX_DEPTH="1000000")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanServer]:
    """A server that gives a reader 0.5 s and reads one upload at a time, waiting at most
    0.2 s for a turn."""
    srv = _server(tmp_path_factory, "uploads-tight", VITAALKG_UPLOAD_SECONDS="0.5",
                  VITAALKG_UPLOAD_WORKERS="1", VITAALKG_UPLOAD_QUEUE_SECONDS="0.2")
    yield srv
    srv.stop()


def test_a_crashing_reader_is_a_clear_error(deep: PlanServer) -> None:
    (r,) = while_healthy(deep, lambda: post(deep, "/validate", deep_jsonld(5000),
                                            "application/ld+json"))
    assert isinstance(r, httpx.Response) and r.status_code == 400, r
    assert "leesproces stopte onverwacht" in r.json()["error"]
    assert "SIGSEGV" in r.json()["error"]


def test_a_reader_is_stopped_at_the_memory_limit(deep: PlanServer) -> None:
    # 20,000 levels make the JSON-LD parser take 5.6 GB (and 30 s) before it crashes
    (r,) = while_healthy(deep, lambda: post(deep, "/validate", deep_jsonld(20_000),
                                            "application/ld+json"))
    refused(r, "VITAALKG_UPLOAD_MEMORY_MB", "geheugen")


def test_a_slow_reader_is_stopped_at_the_time_limit(tight: PlanServer) -> None:
    body = big_plan("drinkwater-vitens", ["vitens"], 45_000)
    (r,) = while_healthy(tight, lambda: post(tight, "/validate", body, "text/csv"))
    refused(r, "VITAALKG_UPLOAD_SECONDS", "duurt te lang")


def test_more_uploads_than_readers_wait_then_get_503(tight: PlanServer) -> None:
    body = big_plan("drinkwater-vitens", ["vitens"], 45_000)
    answers = while_healthy(tight, *[(lambda: post(tight, "/validate", body, "text/csv"))
                                     for _ in range(4)])
    statuses = [r.status_code for r in answers if isinstance(r, httpx.Response)]
    assert len(statuses) == 4 and set(statuses) <= {413, 503}, statuses
    assert 503 in statuses
    busy = next(r for r in answers if isinstance(r, httpx.Response) and r.status_code == 503)
    assert busy.headers["Retry-After"] == "1"
    assert "te veel uploads tegelijk" in busy.json()["error"]


# -- the command line gets the same content limits -------------------------------------------------
def test_cli_validate_refuses_deep_jsonld(tmp_path: Path) -> None:
    path = tmp_path / "diep.jsonld"
    path.write_bytes(deep_jsonld(5000))
    proc = subprocess.run([sys.executable, "-m", "vitaalkg.cli", "validate", str(path)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-500:])
    assert "VITAALKG_UPLOAD_MAX_DEPTH" in proc.stderr and "Traceback" not in proc.stderr


def test_brackets_in_strings_iris_and_comments_do_not_count() -> None:
    from vitaalkg.validation.inputs import read_plan
    from vitaalkg.validation.limits import nesting_depth

    many = "[(" * 500
    turtle = (f'@prefix vkg: <https://w3id.org/vitaalkg/def/> .  # {many}\n'
              f'<https://w3id.org/vitaalkg/id/actieplan/x> vkg:note "{many}", """{many}\n""", '
              f"'{many}' ; vkg:n [ vkg:m ( 1 2 ) ] .\n").encode()
    assert nesting_depth(turtle, "turtle") == 2
    assert len(read_plan(turtle, "p.ttl").to_triples()) == 8  # two notes, n, m, a list
    jsonld = ('{"@context": {"@vocab": "https://w3id.org/vitaalkg/def/"}, '
              f'"@id": "https://w3id.org/vitaalkg/id/actieplan/x", "note": "{{[\\"{many}"}}')
    assert nesting_depth(jsonld.encode(), "jsonld") == 2
    assert len(read_plan(jsonld.encode(), "p.jsonld").to_triples()) == 1
