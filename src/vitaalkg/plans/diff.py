"""What changed between two versions of a plan: actions added, removed and changed field by
field (the plan as submitted, without its derived tallies). A part of
:class:`~.registry.PlanRegistry`, kept apart to keep each module to one job."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import PlanError

DCT = "http://purl.org/dc/terms/"


@dataclass
class ActionDiff:
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"added": self.added, "removed": self.removed, "changed": self.changed}


class VersionDiffs:
    """The actions of a version graph and the diff of two versions (needs ``store``,
    ``base`` and ``versions`` of :class:`~.registry.PlanRegistry`)."""

    store: Any
    base: str

    def _actions(self, graph: str) -> dict[str, dict[str, Any]]:
        rows = self.store.select(f"""
            PREFIX vkg: <{self.base}def/> PREFIX dct: <{DCT}>
            SELECT ?a ?id ?status ?owner ?deadline ?start ?theme ?financing ?costs ?description
            WHERE {{ GRAPH <{graph}> {{ ?a a vkg:Action .
                OPTIONAL {{ ?a dct:identifier ?id }}
                OPTIONAL {{ ?a vkg:status ?status }} OPTIONAL {{ ?a vkg:owner ?owner }}
                OPTIONAL {{ ?a vkg:deadline ?deadline }} OPTIONAL {{ ?a vkg:startDate ?start }}
                OPTIONAL {{ ?a vkg:theme ?theme }} OPTIONAL {{ ?a vkg:financing ?financing }}
                OPTIONAL {{ ?a vkg:costs ?costs }}
                OPTIONAL {{ ?a dct:description ?description }} }} }}""",
            default_graph=[graph], named_graphs=[graph])
        out: dict[str, dict[str, Any]] = {}
        for r in rows:
            ident = r.pop("id") or r["a"]
            fields = out.setdefault(ident, {})
            for k, v in r.items():
                if v is None:
                    continue
                if k in fields and fields[k] != v:
                    values = fields[k] if isinstance(fields[k], list) else [fields[k]]
                    if v not in values:
                        fields[k] = sorted([*values, v])
                else:
                    fields.setdefault(k, v)
        return out

    def actions(self, graph: str) -> dict[str, dict[str, Any]]:
        """The actions of one version graph by identifier, with their fields (IRIs, values)."""
        return self._actions(graph)

    def diff(self, key: str, old: int, new: int) -> ActionDiff:
        versions = {v.version: v for v in self.versions(key, count_actions=False)}
        if old not in versions or new not in versions:
            raise PlanError(f"versie {old if old not in versions else new} bestaat niet / "
                            "version does not exist")
        a, b = self._actions(versions[old].graph), self._actions(versions[new].graph)
        result = ActionDiff()
        for ident in sorted(b.keys() - a.keys()):
            result.added.append({"actie": ident, **b[ident]})
        for ident in sorted(a.keys() - b.keys()):
            result.removed.append({"actie": ident, **a[ident]})
        for ident in sorted(a.keys() & b.keys()):
            fields = sorted((a[ident].keys() | b[ident].keys()) - {"a"})
            changes = {k: {"van": a[ident].get(k), "naar": b[ident].get(k)}
                       for k in fields if a[ident].get(k) != b[ident].get(k)}
            if changes:
                result.changed.append({"actie": ident, "wijzigingen": changes})
        return result
