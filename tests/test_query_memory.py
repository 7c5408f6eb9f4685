"""Query workers answer from an in-memory copy of the store when it is small enough.

The worker first answers from a RocksDB checkpoint (read-after-write) and switches to an
in-memory copy built in the background; a newer generation is never replaced by an older copy;
a store above ``VITAALKG_QUERY_MEMORY_QUADS`` stays on the checkpoint. A live server gives the
same answers with the copy on and off, and sees a submitted write at once.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import LiveServer

from vitaalkg.web.query_worker import Worker

EX = "http://example.org/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _checkpoint(tmp: Path, name: str, n: int) -> str:
    """An on-disk store with ``n`` triples in one named graph, backed up to a checkpoint."""
    store = ox.Store(str(tmp / f"{name}-live"))
    graph = ox.NamedNode(EX + "g")
    store.extend([ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(str(i)),
                          graph) for i in range(n)])
    store.flush()
    target = tmp / f"{name}-checkpoint"
    store.backup(str(target))
    del store
    return str(target)


def _count(worker: Worker) -> int:
    reply = worker.query({"query": COUNT, "result_format": "rows", "max_results": 10})
    assert reply[0] == "ok", reply
    return json.loads(reply[2])["rows"][0]["n"]


def _wait_in_memory(worker: Worker, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if worker.in_memory:
            return True
        time.sleep(0.02)
    return False


def test_worker_switches_to_an_in_memory_copy(tmp_path: Path) -> None:
    path = _checkpoint(tmp_path, "a", 500)
    worker = Worker()
    worker.load(1, "rocksdb", path, memory_quads=1000)
    assert _count(worker) == 500  # answers at once, from the checkpoint or the copy
    assert _wait_in_memory(worker), "the in-memory copy was never used"
    assert _count(worker) == 500


def test_worker_stays_on_checkpoint_above_the_limit(tmp_path: Path) -> None:
    path = _checkpoint(tmp_path, "b", 500)
    worker = Worker()
    worker.load(1, "rocksdb", path, memory_quads=499)
    assert not _wait_in_memory(worker, 1.5)
    assert _count(worker) == 500
    off = Worker()
    off.load(1, "rocksdb", path, memory_quads=0)
    assert not _wait_in_memory(off, 0.5)
    assert _count(off) == 500


def test_a_newer_generation_is_not_replaced_by_an_older_copy(tmp_path: Path) -> None:
    old, new = _checkpoint(tmp_path, "old", 20_000), _checkpoint(tmp_path, "new", 7)
    worker = Worker()
    worker.load(1, "rocksdb", old, memory_quads=10_000)
    worker.load(2, "rocksdb", new, memory_quads=0)  # generation 2, no copy wanted
    time.sleep(1.0)  # any copy of generation 1 has finished by now
    assert worker.generation == 2
    assert _count(worker) == 7
    assert not worker.in_memory


@pytest.mark.parametrize("memory_quads", ["0", "500000"])
def test_live_server_same_answers_and_read_after_write(tmp_path: Path,
                                                       memory_quads: str) -> None:
    """Through a real server: the named queries answer the same with and without the copy,
    and a reload of the knowledge base is visible to the very next query."""
    server = LiveServer(tmp_path / "store", env={"VITAALKG_QUERY_MEMORY_QUADS": memory_quads,
                                                 "VITAALKG_QUERY_CACHE_MB": "0"}).start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            first = http.get("/queries/veiligheidsregios", headers={"Accept": "text/csv"})
            assert first.status_code == 200
            assert first.text.count("\n") == 26  # header + 25 regions
            deadline = time.monotonic() + 30
            while True:  # until every worker answered from its copy (or, without one, 3 s)
                status = http.get("/health").json()["queryWorkers"]
                if status["inMemory"] == status["workers"] or time.monotonic() > deadline \
                        or (memory_quads == "0" and time.monotonic() > deadline - 27):
                    break
                for n in range(4):
                    http.get("/sparql", params={"query": f"ASK {{}} # {time.time()} {n}"})
                time.sleep(0.1)
            if memory_quads == "0":
                assert status["inMemory"] == 0
            else:
                assert status["inMemory"] == status["workers"] == 2
            again = http.get("/queries/veiligheidsregios", headers={"Accept": "text/csv"})
            assert again.text == first.text
            total = http.get("/sparql", params={"query": COUNT},
                             headers={"Accept": "text/csv"}).text
            assert int(total.split()[1]) > 10_000
    finally:
        server.stop()
