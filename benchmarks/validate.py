"""Benchmark plan validation: our engine vs pySHACL, pyrudof, pyshacl-turbo and parsing alone.

Synthetic plans shaped like ours (docs/MODEL.md): N actions in network drinkwater-vitens with
owner, deadline, financing; every 10th action lacks an owner, every 10th (offset 3) a deadline,
every 10th (offset 5) financing, every 10th (offset 7) has an owner from outside the network.
"Four shapes" = the shapes for owner, deadline, financing and owner-is-member (as in the issue);
"all plan shapes" = the whole of shapes/plans.ttl. Time = plan bytes parsed → report built, in
one process, shapes and knowledge context already loaded; median of several runs.

The other engines get the same data graph (the plan's Turtle plus the knowledge context that
our validator adds, as N-Triples) and the same four shapes; their time runs from that text to
their report (pyrudof: the list of result entries; pyshacl-turbo: the report graph). They are
optional: not installed means "n/a" (``pip install pyrudof pyshacl-turbo`` to include them).

Memory (``--big``): each engine validates the largest plan once in a fresh subprocess, which
prints its peak resident set (``VmHWM``) before and after validating, and wall and CPU time.
The machine may be shared: the table's ratios to "parse oxigraph" (same run, same load) are
the comparable numbers; the load average at the start is printed.

Reproduce:  python benchmarks/validate.py [--big] [--sizes 100 1000 10000] [--runs 5]
                [--pyshacl-max 1000] [--peers-max 10000] [--peers-memory] [--memory-only]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import pyoxigraph as ox  # noqa: E402

from vitaalkg.config import Settings  # noqa: E402
from vitaalkg.validation import report as rep  # noqa: E402
from vitaalkg.validation.engine import (  # noqa: E402
    KnowledgeContext,
    OxigraphEngine,
    PlanValidator,
    PyshaclEngine,
)
from vitaalkg.validation.inputs import read_plan  # noqa: E402

FOUR = ("OpenActionOwner", "OpenActionDeadline", "OpenActionFinancing", "OwnerIsNetworkMember")
REF = dt.date(2016, 9, 1)
SH = "http://www.w3.org/ns/shacl#"


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


def median_time(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


# -- the engines ------------------------------------------------------------------------------
class Bench:
    """Shapes, knowledge context and validators, loaded once (not timed)."""

    def __init__(self) -> None:
        self.settings = Settings()
        self.context = KnowledgeContext.from_files(self.settings)
        self.all = PlanValidator(self.settings, context=self.context)
        self.four_text = four_shapes_only(self.all.shapes_text)
        self.four = PlanValidator(self.settings, context=self.context)
        self.four.engine = OxigraphEngine(self.four_text)
        self._pyshacl: PlanValidator | None = None
        self._rudof: Any = None
        self._turbo: Any = None

    def ours(self, which: str, data: bytes) -> set[tuple[str, str]]:
        validator = self.four if which == "four" else self.all
        report = validator.validate(read_plan(data, "synth.ttl", limit=1 << 40), REF)
        rep.to_json(report)
        return {(f.focus, f.shape) for f in report.findings}

    def pyshacl(self, data: bytes) -> set[tuple[str, str]]:
        if self._pyshacl is None:
            self._pyshacl = PlanValidator(self.settings, context=self.context, engine="pyshacl")
            self._pyshacl.engine = PyshaclEngine(self.four_text)
        report = self._pyshacl.validate(read_plan(data, "synth.ttl", limit=1 << 40), REF)
        rep.to_json(report)
        return {(f.focus, f.shape) for f in report.findings}

    def full_data(self, data: bytes) -> str:
        """The plan's Turtle plus the context our validator adds (what peers validate)."""
        plan = read_plan(data, "synth.ttl", limit=1 << 40).store()
        graph = self.all.data_graph(read_plan(data, "synth.ttl", limit=1 << 40), REF)
        extra = [ox.Triple(q.subject, q.predicate, q.object) for q in graph if q not in plan]
        return (data + b"\n" + ox.serialize(extra, format=ox.RdfFormat.N_TRIPLES)).decode()

    def rudof_ready(self) -> bool:
        if self._rudof is None:
            try:
                import pyrudof
            except ImportError:
                self._rudof = False
                return False
            self._rudof = pyrudof.Rudof(pyrudof.RudofConfig())
            self._rudof.read_shacl(self.four_text)
        return bool(self._rudof)

    def rudof(self, text: str) -> set[tuple[str, str]]:
        self._rudof.read_data(text)
        return {(e.focus_node, e.source_shape) for e in self._rudof.validate_shacl()}

    def turbo_ready(self) -> bool:
        if self._turbo is None:
            try:
                import pyshacl_turbo
                from rdflib import Graph
            except ImportError:
                self._turbo = False
                return False
            self._turbo = pyshacl_turbo.compile_shapes(
                Graph().parse(data=self.four_text, format="turtle"))
        return bool(self._turbo)

    def turbo(self, text: str) -> set[tuple[str, str]]:
        from rdflib import URIRef

        _, graph, _ = self._turbo.validate(text, data_graph_format="turtle",
                                           allow_warnings=True)
        focus, shape = URIRef(SH + "focusNode"), URIRef(SH + "sourceShape")
        return {(str(graph.value(r, focus)), str(graph.value(r, shape)))
                for r in graph.subjects(URIRef(SH + "resultSeverity"), None)}


# -- memory, in a fresh process ---------------------------------------------------------------
def peak_rss_mb() -> float:
    """Peak resident set of this process so far. ``VmHWM`` belongs to the process image, so
    unlike ``ru_maxrss`` (kept across ``exec`` on Linux) it does not include the parent's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_memory(engine: str, n: int) -> None:
    """Validate one plan of ``n`` actions once; print JSON with peak RSS before/after."""
    bench = Bench()
    data = synthetic_plan(n)
    text = bench.full_data(data) if engine in ("rudof", "turbo") else ""
    ready = {"rudof": bench.rudof_ready, "turbo": bench.turbo_ready}.get(engine)
    if ready is not None and not ready():
        print(json.dumps({"engine": engine, "missing": True}))
        return
    before = peak_rss_mb()
    t, cpu = time.perf_counter(), time.process_time()
    if engine in ("four", "all"):
        bench.ours(engine, data)
    elif engine == "rudof":
        bench.rudof(text)
    else:
        bench.turbo(text)
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    after = peak_rss_mb()
    print(json.dumps({"engine": engine, "before_mb": before, "after_mb": after,
                      "seconds": seconds, "cpu_seconds": cpu}))


def measure_memory(engine: str, n: int) -> dict[str, Any] | None:
    proc = subprocess.run([sys.executable, __file__, "--child-memory", engine, str(n)],
                          capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        print(f"  ({engine}: memory run failed: {proc.stderr.strip().splitlines()[-1:]})")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- the table -------------------------------------------------------------------------------
def cell(seconds: float | None, width: int = 9) -> str:
    if seconds is None:
        return f"{'-':>{width}}"
    return f"{seconds:{width - 1}.3f}s"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    ap.add_argument("--big", action="store_true", help="also 100,000 actions, with memory")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pyshacl-max", type=int, default=1000,
                    help="largest plan to give pySHACL (about two minutes at 1,000)")
    ap.add_argument("--pyshacl-runs", type=int, default=1)
    ap.add_argument("--peers-max", type=int, default=10000,
                    help="largest plan to give pyrudof and pyshacl-turbo")
    ap.add_argument("--peers-runs", type=int, default=3)
    ap.add_argument("--rdflib-max", type=int, default=10000,
                    help="largest plan to parse with rdflib")
    ap.add_argument("--peers-memory", action="store_true",
                    help="with --big: also measure pyrudof and pyshacl-turbo at 100,000 "
                         "(minutes; pyrudof needs several GB)")
    ap.add_argument("--memory-only", action="store_true",
                    help="skip the timing table; only the memory runs at the largest size")
    ap.add_argument("--child-memory", nargs=2, metavar=("ENGINE", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child_memory:
        child_memory(args.child_memory[0], int(args.child_memory[1]))
        return
    sizes = sorted(set(args.sizes + ([100000] if args.big else [])))

    bench = Bench()
    have_rudof, have_turbo = bench.rudof_ready(), bench.turbo_ready()
    print(f"python {platform.python_version()}, pyoxigraph {ox.__version__}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start; "
          f"pyrudof {'yes' if have_rudof else 'not installed'}, "
          f"pyshacl-turbo {'yes' if have_turbo else 'not installed'}")
    print(f"median of {args.runs} runs (pySHACL {args.pyshacl_runs}, "
          f"pyrudof/pyshacl-turbo {args.peers_runs}); '-' = skipped or not installed\n")
    header = (f"{'actions':>8} {'triples':>8} | {'ours 4':>9} {'ours all':>9} | "
              f"{'pySHACL 4':>9} {'pyrudof 4':>9} {'turbo 4':>9} | "
              f"{'parse ox':>9} {'parse rdfl':>10} | {'4/parse':>7} {'all/parse':>9} | "
              f"results (4 shapes)")
    if not args.memory_only:
        print(header)
        print("-" * len(header))
    for n in [] if args.memory_only else sizes:
        data = synthetic_plan(n)
        store = ox.Store()
        store.load(data, format=ox.RdfFormat.TURTLE)
        triples = len(store)
        del store
        t_four, r_four = median_time(lambda d=data: bench.ours("four", d), args.runs)
        t_all, _ = median_time(lambda d=data: bench.ours("all", d), args.runs)
        t_ox, _ = median_time(lambda d=data: ox.Store().load(d, format=ox.RdfFormat.TURTLE),
                              args.runs)
        t_rdflib = None
        if n <= args.rdflib_max:
            from rdflib import Graph

            t_rdflib, _ = median_time(lambda d=data: Graph().parse(data=d, format="turtle"),
                                      max(1, args.runs // 2))
        agree: list[str] = []
        t_py = t_rudof = t_turbo = None
        if n <= args.pyshacl_max:
            t_py, r_py = median_time(lambda d=data: bench.pyshacl(d), args.pyshacl_runs)
            agree.append("pySHACL " + ("same" if r_py == r_four else "DIFFERENT"))
        if n <= args.peers_max and (have_rudof or have_turbo):
            text = bench.full_data(data)
            if have_rudof:
                t_rudof, r = median_time(lambda t=text: bench.rudof(t), args.peers_runs)
                agree.append("pyrudof " + ("same" if r == r_four else f"DIFFERENT ({len(r)})"))
            if have_turbo:
                t_turbo, r = median_time(lambda t=text: bench.turbo(t), args.peers_runs)
                agree.append("turbo " + ("same" if r == r_four else f"DIFFERENT ({len(r)})"))
        print(f"{n:8d} {triples:8d} | {cell(t_four)} {cell(t_all)} | {cell(t_py)} "
              f"{cell(t_rudof)} {cell(t_turbo)} | {cell(t_ox)} {cell(t_rdflib, 10)} | "
              f"{t_four / t_ox:6.2f}x {t_all / t_ox:8.2f}x | {len(r_four)}"
              + (f"; {', '.join(agree)}" if agree else ""), flush=True)

    if args.big or args.memory_only:
        n = max(sizes)
        print(f"\nmemory at {n:,} actions (fresh process each; peak RSS incl. interpreter, "
              "knowledge context and shapes):")
        peers = args.peers_memory or n <= args.peers_max
        engines = ["four", "all"] + (["rudof"] if have_rudof and peers else []) \
            + (["turbo"] if have_turbo and peers else [])
        names = {"four": "ours 4 shapes", "all": "ours all shapes", "rudof": "pyrudof 4",
                 "turbo": "pyshacl-turbo 4"}
        for engine in engines:
            m = measure_memory(engine, n)
            if m:
                print(f"  {names[engine]:16s} peak {m['after_mb']:7.0f} MB "
                      f"(before validating {m['before_mb']:5.0f} MB), {m['seconds']:.2f} s "
                      f"wall, {m['cpu_seconds']:.2f} s CPU (one run)")
    print("\nreproduce: python benchmarks/validate.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
