"""SPARQL over HTTP: ``vitaalkg serve`` vs plain ``oxigraph serve`` vs ``rdflib-endpoint``.

The knowledge base plus N synthetic actions (default 10,000; generated into a temporary directory,
never committed) is served by all three from the same N-Quads dump; C concurrent clients
(threads, one httpx client each) send the analyst query mix (8 named queries, parameters bound
with VALUES; a paginated query as its first page, as ``GET /queries/{name}`` runs it) to
127.0.0.1 only, for a bounded number of requests. The parameters vary per
request (theme, region, network, year, reference date), so the result cache of ``vitaalkg
serve`` answers repeats only, not everything; every server gets the same sequence of query
texts. ``vitaalkg serve`` runs twice: with its result cache and with it off. Before the HTTP
runs the script measures every query of the mix inside pyoxigraph alone, on disk (as ``oxigraph
serve`` holds the data) and in memory (as the query workers of ``vitaalkg serve`` hold a store of
this size), median and p99 over repeated runs: what the query costs without any HTTP.

    python benchmarks/sparql_http.py [--actions 10000] [--clients 4] [--requests 400]
                                     [--rdflib-requests 24] [--queries DIR] [--repeats 20]
                                     [--no-http]

``--queries DIR`` serves another folder of named queries (e.g. an older version, for a
before/after comparison); ``--no-http`` stops after the in-process measurement.

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
from vitaalkg.plans.loading import load_all  # noqa: E402
from vitaalkg.plans.synthetic import make_root, network_members, synthetic_plans  # noqa: E402
from vitaalkg.store import EmbeddedStore  # noqa: E402
from vitaalkg.store.namedqueries import load_named_queries  # noqa: E402
from vitaalkg.store.remote import bind_values  # noqa: E402

# the analyst mix: per named query the parameter sets requests cycle through
MIX: dict[str, list[dict[str, str]]] = {
    "taken-per-thema": [{"thema": str(n)} for n in range(1, 9)],
    "netwerken-van-regio": [{"regio": f"veiligheidsregio/vr{n:02d}"} for n in range(1, 26)],
    "leden-van-netwerk": [],  # filled with the networks of the data (see query_texts)
    "lac-doelen": [{"jaar": str(y)} for y in range(2024, 2029)],
    "veiligheidsregios": [{}],
    "acties-te-laat": [{"peildatum": f"{2016 + q // 4}-{1 + 3 * (q % 4):02d}-01"}
                       for q in range(1, 13)],  # quarterly, 2016-04-01 … 2019-01-01
    "voortgang-per-sector": [{}],
    "voortgang-per-thema": [{}],
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


def wait_in_memory(base: str, timeout: float = 60.0) -> float:
    """Until every query worker of a ``vitaalkg serve`` at ``base`` answers from its in-memory
    copy (``/health`` → ``queryWorkers``): its steady state, which it reaches a few seconds
    after a start or a write. Returns the seconds waited."""
    start = time.monotonic()
    n = 0
    while time.monotonic() - start < timeout:
        health = httpx.get(base + "/health", timeout=10).json().get("queryWorkers", {})
        if health.get("workers") and health.get("inMemory") == health["workers"]:
            break
        for _ in range(4):  # distinct texts: answered by the workers, not by the cache
            n += 1
            httpx.get(base + "/sparql", params={"query": f"ASK {{}} # {n}"}, headers=ACCEPT,
                      timeout=10)
        time.sleep(0.2)
    return time.monotonic() - start


def query_texts(settings: Settings, networks: list[str]) -> list[list[tuple[str, str]]]:
    """Per query of the mix, its variants: (name, SPARQL with the parameters bound by VALUES)."""
    named = load_named_queries(settings.queries_dir)
    out = []
    for name, variants in MIX.items():
        if name == "leden-van-netwerk":
            variants = [{"netwerk": iri} for iri in networks]
        nq = named[name]
        # a paginated query (grlc ``#+ pagination``) is sent as the API runs it: page 1
        text = nq.page_text(1) if nq.page_size else nq.text
        out.append([(name, bind_values(text, nq.bind(params))) for params in variants])
    return out


def request_sequence(variants: list[list[tuple[str, str]]], total: int) -> list[tuple[str, str]]:
    """``total`` requests: the queries in turn, each cycling through its parameter variants."""
    return [variants[i % len(variants)][(i // len(variants)) % len(variants[i % len(variants)])]
            for i in range(total)]


def in_process(path: Path, dump: Path, variants: list[list[tuple[str, str]]],
               repeats: int) -> dict[str, dict[str, dict[str, float]]]:
    """Each query of the mix inside pyoxigraph alone, on an on-disk store (as ``oxigraph
    serve`` holds it) and on an in-memory store (as the query workers of ``vitaalkg serve`` hold
    a store of this size): ``repeats`` runs per query, cycling through its variants; median, p99
    and max in ms, per store kind."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for kind in ("disk", "memory"):
        store = ox.Store(str(path)) if kind == "disk" else ox.Store()
        store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        out[kind] = {}
        for group in variants:
            for _, text in group[:3]:  # warm up
                list(store.query(text, use_default_graph_as_union=True))
            times = []
            for i in range(repeats):
                text = group[i % len(group)][1]
                start = time.perf_counter()
                list(store.query(text, use_default_graph_as_union=True))
                times.append(1000 * (time.perf_counter() - start))
            times.sort()
            out[kind][group[0][0]] = {"median": statistics.median(times),
                                      "p99": times[min(len(times) - 1, int(0.99 * len(times)))],
                                      "max": times[-1]}
        del store
    return out


def run_load(url: str, requests: list[tuple[str, str]], clients: int,
             time_cap: float) -> dict[str, float]:
    """The requests spread over ``clients`` threads (client k sends requests k, k + clients, …);
    stops early after ``time_cap`` s."""
    latencies: list[float] = []
    per_query: dict[str, list[float]] = {}
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + time_cap

    def client(index: int) -> None:
        nonlocal errors
        with httpx.Client(timeout=60) as http:
            for i in range(index, len(requests), clients):
                if time.monotonic() > deadline:
                    return
                name, text = requests[i]
                start = time.perf_counter()
                try:
                    ok = http.post(url, data={"query": text}, headers=ACCEPT).status_code == 200
                except httpx.HTTPError:  # a time-out counts as an error
                    ok = False
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    per_query.setdefault(name, []).append(elapsed)
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
        return {"requests": 0, "errors": 0, "rps": 0.0, "p50": 0.0, "p99": 0.0, "queries": {}}
    return {"requests": n, "errors": errors, "rps": (n - errors) / wall,
            "p50": 1000 * statistics.median(latencies), "p99": 1000 * percentile(latencies, 0.99),
            "queries": {name: (1000 * statistics.median(ts), 1000 * percentile(ts, 0.99))
                        for name, ts in per_query.items()}}


def percentile(values: list[float], share: float) -> float:
    """The ``share`` percentile (nearest rank, the smaller side) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


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
    parser.add_argument("--queries", type=Path, default=ROOT / "queries",
                        help="folder of named queries to serve and send (default: queries/)")
    parser.add_argument("--repeats", type=int, default=20,
                        help="in-process runs per query (0: skip the in-process measurement)")
    parser.add_argument("--no-http", action="store_true", help="in-process measurement only")
    args = parser.parse_args()

    settings = Settings()
    settings.root = ROOT
    tmp = Path(tempfile.mkdtemp(prefix="vitaalkg-bench-"))
    procs: list[subprocess.Popen] = []
    results: dict[str, dict[str, float]] = {}
    inproc: dict[str, dict[str, dict[str, float]]] = {}
    try:
        kb = EmbeddedStore(None)
        load_all(kb, settings)
        members = network_members(kb)
        triples = synthetic_plans(members, args.actions)
        root = make_root(tmp / "root", ROOT, {"zz-synthetic-plans": triples})
        (root / "queries").unlink()
        (root / "queries").symlink_to(args.queries.resolve(), target_is_directory=True)
        settings.root = root
        full = EmbeddedStore(None)
        load_all(full, settings)
        dump = tmp / "all.nq"
        full.oxigraph.dump(str(dump), format=ox.RdfFormat.N_QUADS)
        size = full.triple_count()
        variants = query_texts(settings, sorted(members)[:12])
        requests = request_sequence(variants, args.requests)
        distinct = len({text for _, text in requests})
        for group in variants:  # sanity: every query answers with rows
            rows = [len(list(full.query(text))) for _, text in group]
            print(f"  {group[0][0]:28s} {len(group):3d} variants, {min(rows):5d}-{max(rows):5d} "
                  "rows", file=sys.stderr)
            if not max(rows):
                raise SystemExit(f"{group[0][0]} answers no rows")
        del full
        if args.repeats:
            inproc = in_process(tmp / "inproc", dump, variants, args.repeats)
            print("  in-process done", file=sys.stderr)
        if not args.no_http:
            results = http_runs(args, tmp, root, dump, variants, requests, procs)
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
    report(args, size, variants, distinct, inproc, results)


def http_runs(args: argparse.Namespace, tmp: Path, root: Path, dump: Path,
              variants: list[list[tuple[str, str]]], requests: list[tuple[str, str]],
              procs: list[subprocess.Popen]) -> dict[str, dict[str, float]]:
    """Start the four servers on the same data, warm them up, run the same requests."""
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
    for name in ("vitaalkg serve", "vitaalkg serve (cache off)"):
        waited = wait_in_memory(targets[name].removesuffix("/sparql"))
        print(f"  {name}: query workers in memory after {waited:.1f} s", file=sys.stderr)
    # warm-up: one request per query (its first variant) and as many again; the same for
    # every server except rdflib-endpoint, whose few requests would all go to warming up
    warm = [group[0] for group in variants] * 2
    results = {}
    for name, url in targets.items():
        if name == "rdflib-endpoint":
            results[name] = run_load(url, requests[:args.rdflib_requests], args.clients,
                                     args.time_cap)
        else:
            run_load(url, warm, args.clients, 60)
            results[name] = run_load(url, requests, args.clients, args.time_cap)
        print(f"  {name} done", file=sys.stderr)
    return results


def report(args: argparse.Namespace, size: int, variants: list[list[tuple[str, str]]],
           distinct: int, inproc: dict[str, dict[str, dict[str, float]]],
           results: dict[str, dict[str, float]]) -> None:
    print(f"\nSPARQL analyst mix: {args.actions} synthetic actions, {size} triples, "
          f"{len(variants)} named queries ({args.queries.name}/), {distinct} distinct query "
          f"texts in {args.requests} requests, {args.clients} concurrent clients, 127.0.0.1")
    if inproc:
        print(f"\nInside pyoxigraph alone ({args.repeats} runs per query, ms):\n")
        print("| query | variants | on disk: median | p99 | in memory: median | p99 |")
        print("|---|---:|---:|---:|---:|---:|")
        for group in variants:
            d, m = inproc["disk"][group[0][0]], inproc["memory"][group[0][0]]
            print(f"| {group[0][0]} | {len(group)} | {d['median']:.1f} | {d['p99']:.1f} "
                  f"| {m['median']:.1f} | {m['p99']:.1f} |")
    if results:
        vkg, off = results["vitaalkg serve"], results["vitaalkg serve (cache off)"]
        oxi, rdf = results["oxigraph serve"], results["rdflib-endpoint"]
        print("\nOver HTTP:\n")
        print("| server | requests | errors | req/s | p50 ms | p99 ms | req/s vs oxigraph "
              "| req/s vs rdflib-endpoint |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, r in results.items():
            to_oxi = r["rps"] / oxi["rps"] if oxi["rps"] else 0.0
            to_rdf = r["rps"] / rdf["rps"] if rdf["rps"] else float("inf")
            print(f"| {name} | {r['requests']} | {r['errors']} | {r['rps']:.1f} "
                  f"| {r['p50']:.1f} | {r['p99']:.1f} | {to_oxi:.2f}x | {to_rdf:.1f}x |")
        names = [group[0][0] for group in variants]
        servers = [n for n in results if n != "rdflib-endpoint"]
        print("\nPer query over HTTP, p50 / p99 ms (the same requests as above):\n")
        print("| query | " + " | ".join(servers) + " |")
        print("|---|" + "---:|" * len(servers))
        for q in names:
            cells = [results[s]["queries"].get(q) for s in servers]
            print(f"| {q} | " + " | ".join(f"{c[0]:.1f} / {c[1]:.1f}" if c else "-"
                                            for c in cells) + " |")
        print()
        for label, r in (("vitaalkg (result cache on)", vkg), ("vitaalkg (cache off)", off)):
            to_oxi = r["rps"] / oxi["rps"] if oxi["rps"] else 0.0
            to_rdf = r["rps"] / rdf["rps"] if rdf["rps"] else float("inf")
            print(f"{label}: {to_oxi:.2f}x oxigraph (target >= 0.7) "
                  f"{'met' if to_oxi >= 0.7 else 'NOT met'}, {to_rdf:.1f}x rdflib-endpoint "
                  f"(target >= 10) {'met' if to_rdf >= 10 else 'NOT met'}, p99 "
                  f"{r['p99']:.1f} ms (target < 50) {'met' if r['p99'] < 50 else 'NOT met'}")
        if rdf["errors"]:
            print(f"rdflib-endpoint: {rdf['errors']} of {rdf['requests']} requests failed or "
                  "timed out (60 s); its req/s counts successful requests only")
    print("\nreproduce: python benchmarks/sparql_http.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
