"""Linked-data pages of ``vitaalkg serve`` at N synthetic actions: first and repeated latency.

The knowledge base plus N synthetic actions (default 10,000; generated into a temporary
directory, never committed) is served by a real ``vitaalkg serve`` on 127.0.0.1; one client
requests every page once (the first answer after start, once the search index is built:
nothing kept yet) and then ``--runs`` times more, one after another; the medians, p99 and the
slowest of those are printed in ms.

    python benchmarks/pages.py [--actions 10000] [--runs 20] [--search-runs 50] [--pages-only]

Search (``/zoeken.json``, the autocomplete endpoint) is measured the same way, each term
``--search-runs`` times after the first answer (which waits for the index to be built); the
table gives median, p99 and max per term and over all terms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vitaalkg.config import Settings  # noqa: E402
from vitaalkg.plans.loading import load_all  # noqa: E402
from vitaalkg.plans.synthetic import make_root, network_members, synthetic_plans  # noqa: E402
from vitaalkg.store import EmbeddedStore  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from sparql_http import free_port  # noqa: E402

PAGES = [
    ("home", "/", "text/html"),
    ("region", "/doc/veiligheidsregio/vr13", "text/html"),
    ("region, Turtle", "/doc/veiligheidsregio/vr13", "text/turtle"),
    ("network", "/doc/netwerk/drinkwater-vitens", "text/html"),
    ("action plan", "/doc/actieplan/drinkwater-vitens", "text/html"),
    ("action", "/doc/actie/drinkwater-vitens-a3", "text/html"),
    ("ontology class", "/def/Action", "text/html"),
    ("theme", "/doc/thema/1", "text/html"),
    ("theme 5 (tasks, articles, goals)", "/doc/thema/5", "text/html"),
    ("region with plans (VR06)", "/doc/veiligheidsregio/vr06", "text/html"),
    ("task", "/doc/taak/5-1", "text/html"),
    ("law article", "/doc/wetsartikel/bwbr0027466-art-10-onderdeel-g", "text/html"),
    ("LAC goal", "/doc/lac-doel/2.4", "text/html"),
    ("sector agenda", "/doc/sectoragenda/drinkwater", "text/html"),
    ("status", "/doc/status/open", "text/html"),
    ("monitoring", "/monitoring", "text/html"),
    ("monitoring, JSON", "/monitoring", "application/json"),
    ("query page", "/queries/taken-per-thema?thema=5", "text/html"),
    ("action list (from /monitoring)", "/queries/acties?kenmerk=te-laat", "text/html"),
    ("search page", "/zoeken?q=Vitens", "text/html"),
]
# what analysts type: whole terms, codes, legal references and the prefixes while typing
SEARCHES = ["Vitens", "drinkwater", "VR13", "artikel 10", "art. 10 lid 2", "continuiteit",
            "alarmering", "2.4", "dr", "drin", "ac", "actie", "synthetische actie", "oefen",
            "veiligheidsregio", "plan", "Vakraad", "liander"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--search-runs", type=int, default=50)
    parser.add_argument("--pages-only", action="store_true", help="skip the search table")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="vitaalkg-pages-"))
    proc = None
    try:
        settings = Settings()
        settings.root = ROOT
        kb = EmbeddedStore(None)
        load_all(kb, settings)
        root = make_root(tmp / "root", ROOT, {
            "zz-synthetic-plans": synthetic_plans(network_members(kb), args.actions)})
        port = free_port()
        env = {**os.environ, "VITAALKG_ROOT": str(root), "VITAALKG_STORE": str(tmp / "store")}
        proc = subprocess.Popen([sys.executable, "-m", "vitaalkg.cli", "serve", "--host",
                                 "127.0.0.1", "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        rows = []
        with httpx.Client(base_url=base, timeout=60) as http:
            # the search index is built in a background thread at start; wait for it, so the
            # page times below are not those of a server still busy starting
            warm_start = time.perf_counter()
            http.get("/zoeken.json", params={"q": "warm"}, timeout=300)
            warm = 1000 * (time.perf_counter() - warm_start)
            for name, path, accept in PAGES:
                times = []
                for _ in range(args.runs + 1):
                    start = time.perf_counter()
                    r = http.get(path, headers={"Accept": accept})
                    times.append(1000 * (time.perf_counter() - start))
                    if r.status_code != 200:
                        raise SystemExit(f"{path} ({accept}): {r.status_code}")
                rows.append((name, path, accept, times[0], statistics.median(times[1:]),
                             percentile(times[1:], 99), max(times[1:])))
            searches = []
            for term in ([] if args.pages_only else SEARCHES):
                times = []
                for _ in range(args.search_runs + 1):
                    start = time.perf_counter()
                    r = http.get("/zoeken.json", params={"q": term})
                    times.append(1000 * (time.perf_counter() - start))
                    if r.status_code != 200:
                        raise SystemExit(f"search {term!r}: {r.status_code}")
                searches.append((term, times[0], times[1:], r.json()["total"]))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nPages of vitaalkg serve at {args.actions} synthetic actions, one client, "
          f"127.0.0.1, {args.runs} runs after the first (ms):\n")
    print(f"(after the search index was built: {warm:.0f} ms after /health)\n")
    print("| page | path | Accept | first | median | p99 | max |")
    print("|---|---|---|---:|---:|---:|---:|")
    for name, path, accept, first, median, p99, worst in rows:
        print(f"| {name} | `{path}` | {accept} | {first:.1f} | {median:.1f} | {p99:.1f} "
              f"| {worst:.1f} |")
    if not searches:
        print("\nreproduce: python benchmarks/pages.py " + " ".join(sys.argv[1:]))
        return
    print(f"\nSearch (`/zoeken.json?q=`), {args.search_runs} runs after the first (ms):\n")
    print("| term | matches | first | median | p99 | max |")
    print("|---|---:|---:|---:|---:|---:|")
    every: list[float] = []
    for term, first, times, total in searches:
        every += times
        print(f"| `{term}` | {total} | {first:.1f} | {statistics.median(times):.1f} | "
              f"{percentile(times, 99):.1f} | {max(times):.1f} |")
    print(f"| all terms | | | {statistics.median(every):.1f} | {percentile(every, 99):.1f} | "
          f"{max(every):.1f} |")
    print("\nreproduce: python benchmarks/pages.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
