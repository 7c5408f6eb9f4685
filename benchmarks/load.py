"""Load time of the whole knowledge base and triples per named graph.

Run: python benchmarks/load.py [--runs 5]
Loads ontology/, shapes/ and data/ into a fresh store N times (in memory and on disk) and prints
the median, plus the triple count of every named graph.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from vitaalkg.config import Settings
from vitaalkg.plans.loading import load_all
from vitaalkg.store import EmbeddedStore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    settings = Settings()
    memory, disk = [], []
    loaded = []
    for _ in range(args.runs):
        store = EmbeddedStore(None)
        start = time.perf_counter()
        loaded = load_all(store, settings)
        memory.append(time.perf_counter() - start)
        with tempfile.TemporaryDirectory() as tmp:
            store = EmbeddedStore(Path(tmp) / "store")
            start = time.perf_counter()
            load_all(store, settings)
            disk.append(time.perf_counter() - start)
            store.close()
    print(f"{'graph':70s} {'triples':>8s}")
    for item in loaded:
        print(f"{item.graph:70s} {item.triples:8d}")
    print(f"{'total':70s} {sum(i.triples for i in loaded):8d}")
    print(f"\nload time, median of {args.runs}: in memory {statistics.median(memory)*1000:.0f} ms,"
          f" on disk {statistics.median(disk)*1000:.0f} ms")
    print("command: python benchmarks/load.py --runs", args.runs)


if __name__ == "__main__":
    main()
