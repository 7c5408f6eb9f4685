"""SPARQL over HTTP: ``vitaalkg serve`` vs plain ``oxigraph serve`` vs ``rdflib-endpoint``.

The knowledge base plus N synthetic actions (default 10,000; generated into a temporary directory,
never committed) is served by all three; C concurrent clients (threads, one httpx client each)
send an analyst query mix (named queries, parameters bound with VALUES) to 127.0.0.1 only, for a
bounded number of requests. Prints throughput, p50/p99 latency and the ratios to vitaalkg.

    python benchmarks/sparql_http.py [--actions 10000] [--clients 4] [--requests 400]
                                     [--rdflib-requests 24]

Targets: vitaalkg >= 0.7x oxigraph server throughput, >= 10x rdflib-endpoint, p99 < 50 ms.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vitaalkg.config import Settings  # noqa: E402
from vitaalkg.loader import load_all  # noqa: E402
from vitaalkg.namedqueries import load_named_queries  # noqa: E402
from vitaalkg.remote import bind_values  # noqa: E402
from vitaalkg.store import EmbeddedStore  # noqa: E402
from vitaalkg.synthetic import make_root, network_members, synthetic_plans  # noqa: E402

MIX = {
    "taken-per-thema": {"thema": "2"},
    "netwerken-van-regio": {},
    "leden-van-netwerk": {},
    "lac-doelen": {"jaar": "2025"},
    "veiligheidsregios": {},
    "acties-te-laat": {"peildatum": "2017-01-01"},
    "voortgang-per-sector": {},
    "voortgang-per-thema": {},
}
ACCEPT = {"Accept": "application/sparql-results+json"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_up(url: str, proc: subprocess.Popen, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {url}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, headers=ACCEPT,
                         timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server not up: {url}")


def query_texts(settings: Settings) -> list[tuple[str, str]]:
    """(name, SPARQL with the parameters bound by VALUES) for the mix."""
    named = load_named_queries(settings.queries_dir)
    out = []
    for name, params in MIX.items():
        nq = named[name]
        out.append((name, bind_values(nq.text, nq.bind(params))))
    return out


def run_load(url: str, queries: list[tuple[str, str]], clients: int, total: int,
             time_cap: float) -> dict[str, float]:
    """``total`` requests spread over ``clients`` threads; stops early after ``time_cap`` s."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + time_cap

    def client(index: int) -> None:
        nonlocal errors
        with httpx.Client(timeout=60) as http:
            for i in range(index, total, clients):
                if time.monotonic() > deadline:
                    return
                _, text = queries[i % len(queries)]
                start = time.perf_counter()
                try:
                    ok = http.post(url, data={"query": text}, headers=ACCEPT).status_code == 200
                except httpx.HTTPError:  # a time-out counts as an error
                    ok = False
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    if not ok:
                        errors += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    latencies.sort()
    n = len(latencies)
    if not n:
        return {"requests": 0, "errors": 0, "rps": 0.0, "p50": 0.0, "p99": 0.0}
    return {"requests": n, "errors": errors, "rps": (n - errors) / wall,
            "p50": 1000 * statistics.median(latencies),
            "p99": 1000 * latencies[min(n - 1, int(0.99 * n))]}


RDFLIB_APP = textwrap.dedent("""
    import sys
    import rdflib, uvicorn
    from rdflib_endpoint import SparqlEndpoint
    ds = rdflib.Dataset(default_union=True)
    ds.parse(sys.argv[1], format="nquads")
    app = SparqlEndpoint(graph=ds, path="/sparql", cors_enabled=True)
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
""")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rdflib-requests", type=int, default=24)
    parser.add_argument("--time-cap", type=float, default=120.0)
    args = parser.parse_args()

    settings = Settings()
    settings.root = ROOT
    tmp = Path(tempfile.mkdtemp(prefix="vitaalkg-bench-"))
    procs: list[subprocess.Popen] = []
    try:
        kb = EmbeddedStore(None)
        load_all(kb, settings)
        triples = synthetic_plans(network_members(kb), args.actions)
        root = make_root(tmp / "root", ROOT, {"zz-synthetic-plans": triples})
        settings.root = root
        full = EmbeddedStore(None)
        load_all(full, settings)
        dump = tmp / "all.nq"
        full.oxigraph.dump(str(dump), format=ox.RdfFormat.N_QUADS)
        size = full.triple_count()
        queries = query_texts(settings)
        for name, text in queries:  # sanity: every query answers with rows
            rows = len(list(full.query(text)))
            print(f"  {name:28s} {rows:6d} rows", file=sys.stderr)

        env = {**os.environ, "VITAALKG_ROOT": str(root), "VITAALKG_STORE": str(tmp / "vkg"),
               "VITAALKG_QUERY_TIMEOUT": "60"}
        vport, nport, oport, rport = free_port(), free_port(), free_port(), free_port()
        for port, extra in ((vport, {}), (nport, {"VITAALKG_QUERY_CACHE_MB": "0",
                                                  "VITAALKG_STORE": str(tmp / "vkg2")})):
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "vitaalkg.cli", "serve", "--host", "127.0.0.1",
                 "--port", str(port)], env={**env, **extra}, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL))
        subprocess.run(["oxigraph", "load", "--location", str(tmp / "oxi"), "--file",
                        str(dump)], check=True, capture_output=True)
        procs.append(subprocess.Popen(
            ["oxigraph", "serve", "--location", str(tmp / "oxi"), "--bind",
             f"127.0.0.1:{oport}", "--union-default-graph"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        app = tmp / "rdflib_app.py"
        app.write_text(RDFLIB_APP)
        procs.append(subprocess.Popen([sys.executable, str(app), str(dump), str(rport)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        targets = {"vitaalkg serve": f"http://127.0.0.1:{vport}/sparql",
                   "vitaalkg serve (cache off)": f"http://127.0.0.1:{nport}/sparql",
                   "oxigraph serve": f"http://127.0.0.1:{oport}/query",
                   "rdflib-endpoint": f"http://127.0.0.1:{rport}/sparql"}
        for (name, url), proc in zip(targets.items(), procs, strict=True):
            wait_up(url, proc)
            print(f"  {name} up", file=sys.stderr)
        results = {}
        for name, url in targets.items():
            total = args.rdflib_requests if name == "rdflib-endpoint" else args.requests
            if name != "rdflib-endpoint":  # warm up
                run_load(url, queries, args.clients, 2 * len(queries), 60)
            results[name] = run_load(url, queries, args.clients, total, args.time_cap)
            print(f"  {name} done", file=sys.stderr)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)

    vkg = results["vitaalkg serve"]
    print(f"\nSPARQL over HTTP: {args.actions} synthetic actions, {size} triples, "
          f"{len(queries)} analyst queries, {args.clients} concurrent clients, 127.0.0.1\n")
    print("| server | requests | errors | req/s | p50 ms | p99 ms | throughput / vitaalkg |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        ratio = r["rps"] / vkg["rps"] if vkg["rps"] else 0.0
        print(f"| {name} | {r['requests']} | {r['errors']} | {r['rps']:.1f} | {r['p50']:.1f} "
              f"| {r['p99']:.1f} | {ratio:.2f}x |")
    oxi, rdf = results["oxigraph serve"], results["rdflib-endpoint"]
    print(f"\nvitaalkg / oxigraph throughput: {vkg['rps'] / oxi['rps']:.2f} (target >= 0.7)")
    print(f"vitaalkg / rdflib-endpoint throughput: {vkg['rps'] / rdf['rps']:.1f} (target >= 10)")
    print(f"vitaalkg p99: {vkg['p99']:.1f} ms (target < 50)")
    off = results["vitaalkg serve (cache off)"]
    print(f"without the result cache: {off['rps'] / oxi['rps']:.2f}x oxigraph, "
          f"{off['rps'] / rdf['rps']:.1f}x rdflib-endpoint, p99 {off['p99']:.1f} ms")
    print("\nreproduce: python benchmarks/sparql_http.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
