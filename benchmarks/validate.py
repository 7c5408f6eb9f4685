"""Benchmark plan validation: our engine vs pySHACL vs parsing alone, on synthetic plans.

Synthetic plans shaped like ours (docs/MODEL.md): N actions in network drinkwater-vitens with
owner, deadline, financing; every 10th action lacks an owner, every 10th (offset 3) a deadline,
every 10th (offset 5) financing, every 10th (offset 7) has an owner from outside the network.
"Four shapes" = the shapes for owner, deadline, financing and owner-is-member (as in the issue);
"all plan shapes" = the whole of shapes/plans.ttl. Time = plan bytes parsed → report built, in
one process, shapes and knowledge context already loaded; median of several runs.

Reproduce:  python benchmarks/validate.py [--sizes 100 1000 10000] [--runs 5] [--pyshacl-max 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import pyoxigraph as ox  # noqa: E402

from vitaalkg.config import Settings  # noqa: E402
from vitaalkg.validation import report as rep  # noqa: E402
from vitaalkg.validation.engine import KnowledgeContext, PlanValidator  # noqa: E402
from vitaalkg.validation.inputs import read_plan  # noqa: E402

FOUR = ("OpenActionOwner", "OpenActionDeadline", "OpenActionFinancing", "OwnerIsNetworkMember")
REF = dt.date(2016, 9, 1)


def synthetic_plan(n: int) -> bytes:
    base = "https://w3id.org/vitaalkg/id/"
    members = ["veiligheidsregio/vr05", "veiligheidsregio/vr06", "organisatie/vitens"]
    lines = ["@prefix vkg: <https://w3id.org/vitaalkg/def/> .",
             "@prefix dct: <http://purl.org/dc/terms/> .",
             "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
             f"<{base}actieplan/synth> a vkg:ActionPlan ; "
             f"vkg:network <{base}netwerk/drinkwater-vitens> ."]
    for i in range(n):
        a = f"<{base}actie/synth-a{i}>"
        parts = [f"{a} a vkg:Action", f'dct:identifier "A{i}"',
                 f'dct:description "Actie {i}"@nl', f"vkg:theme <{base}thema/{i % 8 + 1}>",
                 f"vkg:status <{base}status/open>", f"vkg:sourceRow {i + 2}",
                 'vkg:startDate "2016-01-01"^^xsd:date']
        if i % 10 != 0:
            owner = "veiligheidsregio/vr13" if i % 10 == 7 else members[i % 3]
            parts.append(f"vkg:owner <{base}{owner}>")
        if i % 10 != 3:
            parts.append('vkg:deadline "2016-12-31"^^xsd:date')
        if i % 10 != 5:
            parts.append('vkg:financing "reguliere capaciteit"')
        lines.append(" ; ".join(parts) + " .")
        lines.append(f"<{base}actieplan/synth> vkg:hasAction {a} .")
    return ("\n".join(lines) + "\n").encode()


def four_shapes_only(text: str) -> str:
    """shapes/plans.ttl reduced to the four shapes of the issue's comparison."""
    keep = []
    for block in re.split(r"\n(?=vkgsh:)", text):
        name = re.match(r"vkgsh:(\w+)", block)
        if name is None or name.group(1) in FOUR:
            keep.append(block)
    return "\n".join(keep)


def median_time(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pyshacl-max", type=int, default=10000,
                    help="largest plan to give pySHACL (it takes minutes at 10,000)")
    ap.add_argument("--pyshacl-runs", type=int, default=1)
    args = ap.parse_args()

    settings = Settings()
    context = KnowledgeContext.from_files(settings)
    ours_all = PlanValidator(settings, context=context)
    ours_four = PlanValidator(settings, context=context)
    from vitaalkg.validation import shacl
    from vitaalkg.validation.engine import OxigraphEngine, PyshaclEngine

    four_text = four_shapes_only(ours_all.shapes_text)
    ours_four.engine = OxigraphEngine(four_text)
    theirs = PlanValidator(settings, context=context, engine="pyshacl")
    theirs.engine = PyshaclEngine(four_text)
    del shacl

    header = (f"{'actions':>8} {'triples':>8} | {'ours 4 shapes':>13} {'ours all':>9} "
              f"{'pySHACL 4':>10} | {'parse oxigraph':>14} {'parse rdflib':>12} | findings")
    print(header)
    print("-" * len(header))
    for n in args.sizes:
        data = synthetic_plan(n)

        def run(v: PlanValidator, data: bytes = data) -> object:
            report = v.validate(read_plan(data, "synth.ttl", limit=1 << 40), REF)
            rep.to_json(report)
            return report

        t_four, r_four = median_time(lambda: run(ours_four), args.runs)
        t_all, _ = median_time(lambda: run(ours_all), args.runs)
        store = ox.Store()
        store.load(data, format=ox.RdfFormat.TURTLE)
        triples = len(store)
        t_ox, _ = median_time(lambda d=data: ox.Store().load(d, format=ox.RdfFormat.TURTLE),
                              args.runs)
        from rdflib import Graph

        t_rdflib, _ = median_time(lambda d=data: Graph().parse(data=d, format="turtle"),
                                  max(1, args.runs // 2))
        if n <= args.pyshacl_max:
            t_py, r_py = median_time(lambda: run(theirs), args.pyshacl_runs)
            same = sorted((f.actie, f.shape) for f in r_py.findings) == \
                sorted((f.actie, f.shape) for f in r_four.findings)
            py = f"{t_py:9.3f}s"
        else:
            py, same = f"{'(skipped)':>10}", None
        counts = f"{r_four.violations} violations" + (
            "" if same is None else (", same as pySHACL" if same else ", DIFFERENT from pySHACL"))
        print(f"{n:8d} {triples:8d} | {t_four:12.3f}s {t_all:8.3f}s {py} | "
              f"{t_ox:13.3f}s {t_rdflib:11.3f}s | {counts}", flush=True)
    print("\nreproduce: python benchmarks/validate.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
