"""Hostile load: runaway clients next to normal ones, against a fresh ``vitaalkg serve``.

A bounded run (default 60 s) on 127.0.0.1 only. The server gets a fresh on-disk store (the
knowledge base is loaded at start) and the default settings. Clients come from their own
loopback addresses (127.0.1.x hostile, 127.0.2.x normal), so the server tells them apart as
it tells apart clients on different hosts.

- Hostile clients (default 4) send, in turn and without pause: a query that needs unbounded
  memory (``SELECT DISTINCT ... ORDER BY`` over a cross product), a CPU runaway (a four-way
  cross product counted), a query nested 5,000 deep, a 5 MB query; with ``--uploads`` also a
  50 MB upload to ``POST /validate``.
- Normal clients (default 4) send, with 50 ms pauses, the normal mix: named queries
  (``/queries/...`` with varying parameters), linked-data pages (``/doc/...``, HTML) and small
  validations (``POST /validate`` with data/examples/plan-drinkwater-vitens-correct.csv).

Reported: the command, the normal mix's errors (anything but 200; target 0), its p50/p99
latency (target p99 < 1 s), what the hostile clients got, and the peak resident memory of the
server with all its child processes, read from /proc every 100 ms (target < 2 GB). Exit code 1
when a target is missed.

    python benchmarks/hostile_load.py [--seconds 60] [--hostile 4] [--normal 4] [--uploads]
"""

from __future__ import annotations

import argparse
import collections
import itertools
import os
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "data" / "examples" / "plan-drinkwater-vitens-correct.csv"
MEMORY_HOG = "SELECT DISTINCT ?c ?f WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c"
CPU_RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
DEEP = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
HUGE = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 #" + "x" * 5_000_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss[int(entry.name)] = int(line.split()[1])
    family, frontier = {pid}, [pid]
    while frontier:
        current = frontier.pop()
        for child, parent in parents.items():
            if parent == current and child not in family:
                family.add(child)
                frontier.append(child)
    return sum(rss.get(p, 0) for p in family) / 1024


def normal_requests(index: int) -> itertools.cycle:
    plan = PLAN.read_bytes()
    items: list[tuple[str, str, dict]] = []
    for n in range(1, 26):
        items += [
            ("query", f"/queries/netwerken-van-regio?regio=veiligheidsregio/vr{n:02d}", {}),
            ("page", f"/doc/veiligheidsregio/vr{n:02d}", {}),
            ("query", f"/queries/taken-per-thema?thema={1 + n % 8}", {}),
            ("query", f"/queries/lac-doelen?jaar={2024 + n % 5}", {}),
            ("page", f"/doc/thema/{1 + n % 8}", {}),
            ("query", "/queries/veiligheidsregios", {}),
        ]
        if n % 2 == 0:
            items.append(("validate", "/validate", {"content": plan,
                                                    "headers": {"Content-Type": "text/csv"}}))
    shift = index * 7 % len(items)
    return itertools.cycle(items[shift:] + items[:shift])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--hostile", type=int, default=4, help="hostile clients")
    parser.add_argument("--normal", type=int, default=4, help="normal clients")
    parser.add_argument("--uploads", action="store_true",
                        help="hostile clients also send 50 MB uploads to POST /validate")
    parser.add_argument("--verbose", action="store_true", help="list the slowest requests")
    args = parser.parse_args()
    print("command: python " + shlex.join([sys.argv[0], *sys.argv[1:]]))

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    tmp = tempfile.TemporaryDirectory(prefix="vitaalkg-hostile-")
    env = {**os.environ, "VITAALKG_ROOT": str(ROOT), "VITAALKG_STORE": f"{tmp.name}/store",
           "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    server = subprocess.Popen([sys.executable, "-m", "vitaalkg.cli", "serve", "--host",
                               "127.0.0.1", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            print("the server did not start")
            return 1
        httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=60)  # workers up
        return run(args, url, server.pid)
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        tmp.cleanup()


def run(args: argparse.Namespace, url: str, pid: int) -> int:
    stop = time.monotonic() + args.seconds
    normal: list[tuple[str, int, float]] = []
    hostile: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()
    slowest: list[tuple[float, float, str]] = []
    begin = time.monotonic()
    peak = [tree_rss_mb(pid)]
    baseline = peak[0]

    def sample() -> None:
        while time.monotonic() < stop + 1:
            peak[0] = max(peak[0], tree_rss_mb(pid))
            time.sleep(0.1)

    def hostile_client(index: int) -> None:
        attacks: list[tuple[str, dict]] = [
            ("memory", {"data": {"query": MEMORY_HOG}}),
            ("cpu", {"data": {"query": CPU_RUNAWAY}}),
            ("nesting", {"data": {"query": DEEP}}),
            ("size", {"content": HUGE.encode(),
                      "headers": {"Content-Type": "application/sparql-query"}}),
        ]
        upload = b"a,b\n" + b"x" * 50_000_000
        transport = httpx.HTTPTransport(local_address=f"127.0.1.{index + 1}")
        with httpx.Client(transport=transport, timeout=120) as client:
            for i in itertools.count(index):
                if time.monotonic() >= stop:
                    return
                if args.uploads and i % 5 == 4:
                    kind, path, kwargs = "upload", "/validate", {
                        "content": upload, "headers": {"Content-Type": "text/csv"}}
                else:
                    kind, kwargs = attacks[i % len(attacks)]
                    path = "/sparql"
                try:
                    status = str(client.post(url + path, **kwargs).status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                with lock:
                    hostile[f"{kind} {status}"] += 1

    def normal_client(index: int) -> None:
        requests = normal_requests(index)
        transport = httpx.HTTPTransport(local_address=f"127.0.2.{index + 1}")
        with httpx.Client(transport=transport, timeout=60) as client:
            for kind, path, kwargs in requests:
                if time.monotonic() >= stop:
                    return
                start = time.monotonic()
                try:
                    if kind == "validate":
                        r = client.post(url + path, **kwargs)
                    else:
                        r = client.get(url + path, headers={"Accept": "text/html"}
                                       if kind == "page" else {"Accept": "application/json"})
                    status = r.status_code
                except httpx.HTTPError:
                    status = 0
                with lock:
                    normal.append((kind, status, time.monotonic() - start))
                    slowest.append((time.monotonic() - start, start - begin, path))
                time.sleep(0.05)

    threads = [threading.Thread(target=sample)]
    threads += [threading.Thread(target=hostile_client, args=(i,)) for i in range(args.hostile)]
    threads += [threading.Thread(target=normal_client, args=(i,)) for i in range(args.normal)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if args.verbose:
        for seconds, at, path in sorted(slowest, reverse=True)[:10]:
            print(f"  slow: {seconds * 1000:5.0f} ms at {at:5.1f} s {path}")
    return report(args, normal, hostile, peak[0], baseline)


def report(args: argparse.Namespace, normal: list[tuple[str, int, float]],
           hostile: collections.Counter[str], peak: float, baseline: float) -> int:
    seconds = sorted(s for _, _, s in normal)
    errors = [(k, s) for k, s, _ in normal if s != 200]
    p50 = statistics.median(seconds) if seconds else float("nan")
    p99 = seconds[min(len(seconds) - 1, int(len(seconds) * 0.99))] if seconds else float("nan")
    print(f"run: {args.seconds:g} s, {args.hostile} hostile clients"
          f"{' (with 50 MB uploads)' if args.uploads else ''}, {args.normal} normal clients")
    print(f"normal mix: {len(normal)} requests, {len(errors)} errors, p50 {p50 * 1000:.0f} ms, "
          f"p99 {p99 * 1000:.0f} ms, max {seconds[-1] * 1000 if seconds else 0:.0f} ms")
    for kind in ("query", "page", "validate"):
        own = sorted(s for k, _, s in normal if k == kind)
        if own:
            print(f"  {kind:9s} n={len(own):5d} p50 {statistics.median(own) * 1000:6.0f} ms  "
                  f"p99 {own[min(len(own) - 1, int(len(own) * 0.99))] * 1000:6.0f} ms")
    if errors:
        print("  errors: " + ", ".join(f"{k} {s} x{n}"
                                       for (k, s), n in collections.Counter(errors).items()))
    print("hostile: " + ", ".join(f"{k} x{n}" for k, n in sorted(hostile.items())))
    print(f"server resident memory incl. children: {baseline:.0f} MB at start, "
          f"peak {peak:.0f} MB")
    ok = not errors and p99 < 1.0 and peak < 2048
    print("targets (0 errors, p99 < 1 s, peak < 2 GB): " + ("met" if ok else "MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
