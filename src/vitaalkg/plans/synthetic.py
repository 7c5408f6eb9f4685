"""Synthetic action plans for tests and benchmarks (never part of the knowledge base).

:func:`synthetic_plans` writes plans in the shape of docs/MODEL.md for the real networks of a
loaded store; :func:`make_root` builds a project directory (symlinks to the real ``ontology/``,
``shapes/``, ``queries/`` and ``data/`` files) with the synthetic plans as one more data file, so a
real ``vitaalkg serve`` loads them like any other data.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pyoxigraph as ox

DEFAULT_BASE = "https://w3id.org/vitaalkg/"
VKG = DEFAULT_BASE + "def/"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD = "http://www.w3.org/2001/XMLSchema#"
STATUSES = [("open", 40), ("in-uitvoering", 25), ("afgerond", 30), ("vervallen", 5)]
FINANCING = ["reguliere capaciteit", "BDUR", "kostenverdeling"]


def network_members(store: Any) -> dict[str, list[str]]:
    """Network IRI -> member IRIs, from a loaded store (embedded)."""
    rows = store.select(
        "PREFIX org: <http://www.w3.org/ns/org#> PREFIX vkg: <https://w3id.org/vitaalkg/def/> "
        "SELECT ?n ?m WHERE { ?n a vkg:Network ; org:hasMember ?m } ORDER BY ?n ?m")
    out: dict[str, list[str]] = {}
    for row in rows:
        out.setdefault(row["n"], []).append(row["m"])
    return out


def synthetic_plans(networks: dict[str, list[str]], n_actions: int, *, seed: int = 1,
                    base: str = DEFAULT_BASE) -> list[ox.Triple]:
    """``n_actions`` actions spread over one plan per network (deterministic for a seed)."""
    rng = random.Random(seed)
    keys = sorted(networks)
    triples: list[ox.Triple] = []

    def nn(path: str) -> ox.NamedNode:
        return ox.NamedNode(base + path)

    def v(local: str) -> ox.NamedNode:
        return ox.NamedNode(VKG + local)

    statuses = [s for s, w in STATUSES for _ in range(w)]
    for key_iri in keys:
        key = key_iri.rsplit("/", 1)[-1]
        plan = nn(f"id/actieplan/{key}")
        triples += [ox.Triple(plan, RDF_TYPE, v("ActionPlan")),
                    ox.Triple(plan, v("network"), ox.NamedNode(key_iri))]
    for i in range(n_actions):
        key_iri = keys[i % len(keys)]
        key = key_iri.rsplit("/", 1)[-1]
        number = i // len(keys) + 1
        action = nn(f"id/actie/{key}-a{number}")
        status = rng.choice(statuses)
        start = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(0, 3000))
        deadline = start + dt.timedelta(days=rng.randrange(30, 900))
        triples += [
            ox.Triple(nn(f"id/actieplan/{key}"), v("hasAction"), action),
            ox.Triple(action, RDF_TYPE, v("Action")),
            ox.Triple(action, ox.NamedNode(DCT + "identifier"), ox.Literal(f"A{number}")),
            ox.Triple(action, ox.NamedNode(DCT + "description"),
                      ox.Literal(f"Synthetische actie {number} van {key}", language="nl")),
            ox.Triple(action, v("theme"), nn(f"id/thema/{rng.randint(1, 8)}")),
            ox.Triple(action, v("status"), nn(f"id/status/{status}")),
            ox.Triple(action, v("startDate"),
                      ox.Literal(start.isoformat(), datatype=ox.NamedNode(XSD + "date"))),
            ox.Triple(action, v("sourceRow"),
                      ox.Literal(str(number + 1), datatype=ox.NamedNode(XSD + "integer"))),
        ]
        incomplete = rng.random() < 0.1
        if not (incomplete and rng.random() < 0.5):
            owner = rng.choice(networks[key_iri])
            triples.append(ox.Triple(action, v("owner"), ox.NamedNode(owner)))
        if not (incomplete and rng.random() < 0.5):
            triples.append(ox.Triple(action, v("deadline"), ox.Literal(
                deadline.isoformat(), datatype=ox.NamedNode(XSD + "date"))))
        if not incomplete:
            triples.append(ox.Triple(action, v("financing"), ox.Literal(rng.choice(FINANCING))))
            triples.append(ox.Triple(action, v("costs"), ox.Literal(
                f"{rng.randrange(1, 500) * 100}.0", datatype=ox.NamedNode(XSD + "decimal"))))
    return triples


def make_root(target: Path, root: Path, extra: dict[str, list[ox.Triple]]) -> Path:
    """A project directory at ``target`` that links to ``root`` and adds ``extra`` data files
    (file stem -> triples, written as N-Triples into ``data/``)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("ontology", "shapes", "queries"):
        link = target / name
        if not link.exists():
            link.symlink_to(root / name, target_is_directory=True)
    data = target / "data"
    data.mkdir(exist_ok=True)
    for path in sorted((root / "data").iterdir()):
        if path.is_file() and not (data / path.name).exists():
            (data / path.name).symlink_to(path)
    for stem, triples in extra.items():
        (data / f"{stem}.nt").write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
    return target
