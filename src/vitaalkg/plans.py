"""Submitted action plans: versions in their own named graphs, with PROV-O provenance.

Layout in the store, per network ``{key}``:
- ``{base}graph/plan/{key}/v{n}``   the triples of version n, as submitted (after conversion);
- ``{base}graph/plan/{key}/prov``   provenance of every version and the pointer to the current one.

A submission is one SPARQL update (one transaction in Oxigraph): the new version graph, its
provenance and the moved pointer are written together or not at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox

from .auth import Principal

VKG = "https://w3id.org/vitaalkg/def/"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
ORG = "http://www.w3.org/ns/org#"
SOURCE_DIRS = ("ontology", "shapes", "data")


class PlanError(Exception):
    """A plan operation failed; the message is for the user."""


@dataclass
class PlanVersion:
    network: str
    version: int
    graph: str
    iri: str
    submitted_at: str
    submitted_for: str | None
    submitted_by: str | None
    checksum: str
    filename: str
    visibility: str
    replaces: str | None
    actions: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


@dataclass
class ActionDiff:
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"added": self.added, "removed": self.removed, "changed": self.changed}


def _lit(value: str, datatype: str | None = None) -> str:
    return str(ox.Literal(value, datatype=ox.NamedNode(datatype) if datatype else None))


class PlanRegistry:
    """Plans and their versions in a store (embedded or remote)."""

    def __init__(self, store: Any, base: str) -> None:
        self.store = store
        self.base = base

    # -- naming --------------------------------------------------------------------------
    def network_iri(self, key: str) -> str:
        return f"{self.base}id/netwerk/{key}"

    def plan_iri(self, key: str) -> str:
        return f"{self.base}id/actieplan/{key}"

    def version_graph(self, key: str, n: int) -> str:
        return f"{self.base}graph/plan/{key}/v{n}"

    def prov_graph(self, key: str) -> str:
        return f"{self.base}graph/plan/{key}/prov"

    def version_iri(self, key: str, n: int) -> str:
        return f"{self.base}id/planversie/{key}-v{n}"

    # -- reading -------------------------------------------------------------------------
    def networks_with_plans(self) -> list[str]:
        prefix = f"{self.base}graph/plan/"
        keys = {g[len(prefix):].split("/")[0] for g in self.store.graphs()
                if g.startswith(prefix) and g.endswith("/prov")}
        return sorted(keys)

    def versions(self, key: str) -> list[PlanVersion]:
        graph = self.prov_graph(key)
        rows = self.store.select(f"""
            PREFIX prov: <{PROV}> PREFIX dct: <{DCT}> PREFIX vkg: <{VKG}>
            SELECT ?v ?n ?g ?at ?for ?by ?sum ?file ?vis ?prev WHERE {{ GRAPH <{graph}> {{
              ?v a vkg:PlanVersion ; vkg:versionNumber ?n ; vkg:versionGraph ?g ;
                 prov:generatedAtTime ?at ; vkg:checksum ?sum ; vkg:fileName ?file ;
                 vkg:visibility ?vis .
              OPTIONAL {{ ?v prov:wasAttributedTo ?for }}
              OPTIONAL {{ ?v vkg:submittedWithToken ?by }}
              OPTIONAL {{ ?v prov:wasRevisionOf ?prev }}
            }} }} ORDER BY ?n""", named_graphs=[graph])
        out = []
        for r in rows:
            out.append(PlanVersion(
                network=key, version=int(r["n"]), graph=r["g"], iri=r["v"],
                submitted_at=r["at"], submitted_for=r["for"], submitted_by=r["by"],
                checksum=r["sum"], filename=r["file"], visibility=r["vis"],
                replaces=r["prev"]))
        for v in out:
            v.actions = self._count_actions(v.graph)
        return out

    def _count_actions(self, graph: str) -> int:
        rows = self.store.select(
            f"SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ GRAPH <{graph}> "
            f"{{ ?a a <{VKG}Action> }} }}", named_graphs=[graph])
        return int(rows[0]["n"])

    def current(self, key: str) -> PlanVersion | None:
        versions = self.versions(key)
        return versions[-1] if versions else None

    def network_members(self, key: str) -> set[str]:
        rows = self.store.select(
            f"SELECT ?m WHERE {{ <{self.network_iri(key)}> <{ORG}hasMember> ?m }}",
            default_graph=self.public_graphs())
        return {r["m"] for r in rows}

    # -- access ----------------------------------------------------------------------------
    def public_graphs(self) -> list[str]:
        prefixes = tuple(f"{self.base}graph/{d}/" for d in SOURCE_DIRS)
        return [g for g in self.store.graphs() if g.startswith(prefixes)]

    def may_read(self, principal: Principal, key: str, visibility: str) -> bool:
        if visibility == "public" or principal.team:
            return True
        return principal.org is not None and principal.org in self.network_members(key)

    def may_submit(self, principal: Principal, key: str) -> bool:
        if principal.team:
            return True
        return principal.org is not None and principal.org in self.network_members(key)

    def dataset_for(self, principal: Principal) -> tuple[list[str], list[str]]:
        """(default graphs, named graphs) the principal may query: the public knowledge plus
        the current version of every plan it may read (default graph) and all versions and
        provenance of those plans (named graphs). Restricted plans of other networks are not
        in the dataset at all, so no query form can reach them."""
        public = self.public_graphs()
        default = list(public)
        named = list(public)
        for key in self.networks_with_plans():
            versions = self.versions(key)
            if not versions:
                continue
            current = versions[-1]
            if not self.may_read(principal, key, current.visibility):
                continue
            default += [current.graph, self.prov_graph(key)]
            named += [v.graph for v in versions] + [self.prov_graph(key)]
        return default, named

    # -- writing ---------------------------------------------------------------------------
    def submit(self, key: str, triples: list[ox.Triple], *, principal: Principal,
               filename: str, content: bytes, visibility: str) -> PlanVersion:
        """Store a validated plan as the next version of its network's plan, atomically."""
        if visibility not in ("public", "restricted"):
            raise PlanError("zichtbaarheid is 'public' of 'restricted'")
        previous = self.current(key)
        n = previous.version + 1 if previous else 1
        graph = self.version_graph(key, n)
        prov = self.prov_graph(key)
        v = self.version_iri(key, n)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        checksum = "sha256:" + hashlib.sha256(content).hexdigest()
        body = " .\n".join(f"{t.subject} {t.predicate} {t.object}" for t in triples)
        meta = [
            f"<{v}> a <{VKG}PlanVersion>, <{PROV}Entity>",
            f"<{v}> <{VKG}versionNumber> {_lit(str(n), XSD + 'integer')}",
            f"<{v}> <{VKG}versionGraph> <{graph}>",
            f"<{v}> <{DCT}isVersionOf> <{self.plan_iri(key)}>",
            f"<{v}> <{VKG}network> <{self.network_iri(key)}>",
            f"<{v}> <{PROV}generatedAtTime> {_lit(now, XSD + 'dateTime')}",
            f"<{v}> <{VKG}checksum> {_lit(checksum)}",
            f"<{v}> <{VKG}fileName> {_lit(filename)}",
            f"<{v}> <{VKG}visibility> {_lit(visibility)}",
            f"<{v}> <{DCT}created> {_lit(now, XSD + 'dateTime')}",
        ]
        if principal.org:
            meta.append(f"<{v}> <{PROV}wasAttributedTo> <{principal.org}>")
        if principal.token_id:
            meta.append(f"<{v}> <{VKG}submittedWithToken> {_lit(principal.token_id)}")
        if principal.team:
            meta.append(f"<{v}> <{VKG}submittedByTeam> {_lit('true', XSD + 'boolean')}")
        if previous:
            meta.append(f"<{v}> <{PROV}wasRevisionOf> <{previous.iri}>")
        update = (
            f"INSERT {{ GRAPH <{graph}> {{\n{body} .\n}}\n"
            f"GRAPH <{prov}> {{\n{' .'.join(meta)} .\n}} }} WHERE {{}}"
        )
        self.store.update(update)
        self.store.flush()
        current = self.current(key)
        if current is None or current.version != n:
            raise PlanError("de nieuwe versie is niet opgeslagen")
        return current

    # -- diff ------------------------------------------------------------------------------
    def _actions(self, graph: str) -> dict[str, dict[str, str | None]]:
        rows = self.store.select(f"""
            PREFIX vkg: <{VKG}> PREFIX dct: <{DCT}>
            SELECT ?id ?status ?owner ?deadline ?start ?theme ?financing ?description WHERE {{
              GRAPH <{graph}> {{ ?a a vkg:Action ; dct:identifier ?id .
                OPTIONAL {{ ?a vkg:status ?status }} OPTIONAL {{ ?a vkg:owner ?owner }}
                OPTIONAL {{ ?a vkg:deadline ?deadline }} OPTIONAL {{ ?a vkg:startDate ?start }}
                OPTIONAL {{ ?a vkg:theme ?theme }} OPTIONAL {{ ?a vkg:financing ?financing }}
                OPTIONAL {{ ?a dct:description ?description }} }} }}""", named_graphs=[graph])
        return {r["id"]: {k: v for k, v in r.items() if k != "id"} for r in rows}

    def diff(self, key: str, old: int, new: int) -> ActionDiff:
        versions = {v.version: v for v in self.versions(key)}
        if old not in versions or new not in versions:
            raise PlanError(f"versie {old if old not in versions else new} bestaat niet")
        a, b = self._actions(versions[old].graph), self._actions(versions[new].graph)
        result = ActionDiff()
        for ident in sorted(b.keys() - a.keys()):
            result.added.append({"actie": ident, **b[ident]})
        for ident in sorted(a.keys() - b.keys()):
            result.removed.append({"actie": ident, **a[ident]})
        for ident in sorted(a.keys() & b.keys()):
            changes = {k: {"van": a[ident][k], "naar": b[ident][k]}
                       for k in a[ident] if a[ident][k] != b[ident][k]}
            if changes:
                result.changed.append({"actie": ident, "wijzigingen": changes})
        return result
