"""The analyst mix through two ``vitaalkg serve`` instances against one, over the same
``oxigraph serve``: throughput ratio and p99.

The knowledge base plus N synthetic actions (default 10,000; generated into a temporary
directory, never committed) is loaded once into one ``oxigraph serve`` on 127.0.0.1; instance A
(and for the second run also instance B) serve over it with ``VITAALKG_SPARQL_ENDPOINT``. C
concurrent clients (threads) send the same sequence of query texts as
``benchmarks/sparql_http.py`` (8 named queries with varying parameters) to ``/sparql``: first
all through A, then half of the clients through A and half through B. The result cache is off
(``VITAALKG_QUERY_CACHE_MB=0``) so that every request reaches the store, as it does for
distinct queries; ``--cache`` turns it on.

    python benchmarks/multi_instance.py [--actions 10000] [--clients 8] [--requests 400]
                                        [--runs 3] [--cache]

On a 2-core machine the two instances, the store and the load generator share the cores, so
the ratio shows the cost of the second instance more than its gain; on a deployment each
instance has its own machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sparql_http import (  # noqa: E402
    ACCEPT,
    free_port,
    percentile,
    query_texts,
    request_sequence,
)

from vitaalkg.config import Settings  # noqa: E402
from vitaalkg.plans.loading import load_all  # noqa: E402
from vitaalkg.plans.synthetic import make_root, network_members, synthetic_plans  # noqa: E402
from vitaalkg.store import EmbeddedStore  # noqa: E402


def wait_health(url: str, proc: subprocess.Popen, timeout: float = 900.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {url}")
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up")


def load(urls: list[str], requests: list[tuple[str, str]], clients: int) -> dict[str, float]:
    """``requests`` over ``clients`` threads; client k talks to ``urls[k % len(urls)]``."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def client(index: int) -> None:
        nonlocal errors
        url = urls[index % len(urls)] + "/sparql"
        with httpx.Client(timeout=60) as http:
            for i in range(index, len(requests), clients):
                start = time.perf_counter()
                try:
                    ok = http.post(url, data={"query": requests[i][1]},
                                   headers=ACCEPT).status_code == 200
                except httpx.HTTPError:
                    ok = False
                with lock:
                    latencies.append(time.perf_counter() - start)
                    errors += not ok

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    latencies.sort()
    return {"rps": (len(latencies) - errors) / wall, "p99": 1000 * percentile(latencies, 0.99),
            "p50": 1000 * statistics.median(latencies), "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cache", action="store_true", help="keep the result cache on")
    args = parser.parse_args()
    if not shutil.which("oxigraph"):
        raise SystemExit("needs the 'oxigraph' command (pip install oxigraph)")

    settings = Settings()
    settings.root = ROOT
    tmp = Path(tempfile.mkdtemp(prefix="vitaalkg-multi-"))
    procs: list[subprocess.Popen] = []
    try:
        kb = EmbeddedStore(None)
        load_all(kb, settings)
        members = network_members(kb)
        root = make_root(tmp / "root", ROOT,
                         {"zz-synthetic-plans": synthetic_plans(members, args.actions)})
        settings.root = root
        requests = request_sequence(query_texts(settings, sorted(members)[:12]), args.requests)
        oport = free_port()
        procs.append(subprocess.Popen(
            ["oxigraph", "serve", "--location", str(tmp / "oxi"), "--bind",
             f"127.0.0.1:{oport}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        store = f"http://127.0.0.1:{oport}"
        env = {**os.environ, "VITAALKG_ROOT": str(root),
               "VITAALKG_SPARQL_ENDPOINT": store + "/query",
               "VITAALKG_UPDATE_ENDPOINT": store + "/update",
               "VITAALKG_QUERY_TIMEOUT": "60",
               "VITAALKG_QUERY_CACHE_MB": "64" if args.cache else "0"}
        urls = []
        for name in ("a", "b"):
            port = free_port()
            proc = subprocess.Popen(
                [sys.executable, "-m", "vitaalkg.cli", "serve", "--host", "127.0.0.1", "--port",
                 str(port)], env={**env, "VITAALKG_STORE": str(tmp / f"local-{name}")},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(proc)
            urls.append(f"http://127.0.0.1:{port}")
            wait_health(urls[-1], proc)  # A loads the knowledge base; B finds it loaded
            print(f"  instance {name} up", file=sys.stderr)
        warm = requests[:40]
        for url in urls:
            load([url], warm, 2)
        one, two = [], []
        for _ in range(args.runs):  # interleaved, so drift of the machine hits both
            one.append(load(urls[:1], requests, args.clients))
            two.append(load(urls, requests, args.clients))
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)

    def med(runs: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    print(f"\npython benchmarks/multi_instance.py --actions {args.actions} --clients "
          f"{args.clients} --requests {args.requests} --runs {args.runs}"
          f"{' --cache' if args.cache else ''}")
    print(f"analyst mix, {args.requests} requests, {args.clients} clients, one oxigraph serve, "
          f"result cache {'on' if args.cache else 'off'}; medians of {args.runs} runs\n")
    print(f"{'':24s} {'req/s':>8s} {'p50 ms':>8s} {'p99 ms':>8s} {'errors':>7s}")
    for label, runs in (("one instance", one), ("two instances", two)):
        print(f"{label:24s} {med(runs, 'rps'):8.1f} {med(runs, 'p50'):8.1f} "
              f"{med(runs, 'p99'):8.1f} {sum(r['errors'] for r in runs):7d}")
    ratios = ", ".join(f"{t['rps'] / o['rps']:.2f}" for o, t in zip(one, two, strict=True))
    print(f"\nthroughput ratio two/one: {med(two, 'rps') / med(one, 'rps'):.2f}x "
          f"(per run: {ratios})")


if __name__ == "__main__":
    main()
