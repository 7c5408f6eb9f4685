"""The network and safety-region views: members with their role, lead partner and contact
persons, the network's current plan with its actions; a region's networks per sector, the
plans it takes part in and the actions it owns."""

from __future__ import annotations

from typing import Any

from .domain_views import (
    ACTIVE,
    ORG,
    VKG,
    Context,
    action_rows,
    actions_href,
    status_counts,
    status_key,
)
from .i18n import _
from .resource_view import natural


def network_view(ctx: Context, iri: str, plan_info: dict[str, Any] | None) -> dict[str, Any]:
    """Members (role, confidence), lead partner, contact persons, sectors and the current plan
    the caller may read (``plan_info``: its key and last submission, from the registry)."""
    members = ctx.select(f"""SELECT ?m (SAMPLE(?r) AS ?role) (SAMPLE(?c) AS ?conf) WHERE {{
        <{iri}> <{ORG}hasMember> ?m .
        OPTIONAL {{ ?ms <{ORG}member> ?m ; <{ORG}organization> <{iri}> .
                    OPTIONAL {{ ?ms <{ORG}role> ?r }} OPTIONAL {{ ?ms <{VKG}confidence> ?c }} }}
        }} GROUP BY ?m""", ["m", "role", "conf"])
    lead = ctx.select(f"SELECT ?l WHERE {{ <{iri}> <{VKG}leadPartner> ?l }}", ["l"])
    contacts = ctx.select(f"""SELECT DISTINCT ?c WHERE {{ {{ <{iri}> <{VKG}contactPerson> ?c }}
        UNION {{ ?ms <{ORG}organization> <{iri}> ; <{VKG}contactPerson> ?c }} }}""", ["c"])
    sectors = ctx.select(f"SELECT DISTINCT ?s WHERE {{ <{iri}> <{VKG}sector> ?s }}", ["s"])
    plans = ctx.select(f"SELECT DISTINCT ?p WHERE {{ ?p a <{VKG}ActionPlan> ; "
                       f"<{VKG}network> <{iri}> }}", ["p"])
    ctx.load_labels([x for r in members for x in (r["m"], r["role"], r["conf"])]
                    + [r["l"] for r in lead] + [r["c"] for r in contacts]
                    + [r["s"] for r in sectors] + [r["p"] for r in plans])
    lead_iris = {r["l"] for r in lead}
    member_rows = sorted(({"link": ctx.link(r["m"]), "role": ctx.link(r["role"]),
                           "confidence": ctx.link(r["conf"]), "lead": r["m"] in lead_iris}
                          for r in members), key=lambda m: natural(m["link"].text))
    plan = None
    if plans:
        plan_iri = plans[0]["p"] or ""
        where = f"<{plan_iri}> <{VKG}hasAction> ?a ."
        actions, total = action_rows(ctx, where)
        link = ctx.link(plan_iri)
        if link is not None:
            link.text, link.lang = _("Actieplan %(network)s") % {"network": ctx.name(iri)}, None
        plan = {"link": link, "actions": actions, "total": total,
                "counts": status_counts(ctx, where, {"netwerk": iri}),
                "all_href": actions_href(netwerk=iri), **(plan_info or {})}
    return {"members": member_rows, "lead": [ctx.link(r["l"]) for r in lead],
            "contacts": [ctx.link(r["c"]) for r in contacts],
            "sectors": [ctx.link(r["s"]) for r in sectors], "plan": plan}


def region_view(ctx: Context, iri: str) -> dict[str, Any]:
    """The region's networks per sector (with lead partner), the plans of those networks the
    caller may read, and the actions it owns (open and late ones counted)."""
    nets = ctx.select(f"""SELECT ?n (SAMPLE(?s) AS ?sector) (SAMPLE(?l) AS ?lead) WHERE {{
        ?n <{ORG}hasMember> <{iri}> . ?n a <{VKG}Network> .
        OPTIONAL {{ ?n <{VKG}sector> ?s }} OPTIONAL {{ ?n <{VKG}leadPartner> ?l }} }}
        GROUP BY ?n""", ["n", "sector", "lead"])
    plans = ctx.select(f"""SELECT DISTINCT ?p ?n WHERE {{ ?p a <{VKG}ActionPlan> ;
        <{VKG}network> ?n . ?n <{ORG}hasMember> <{iri}> }}""", ["p", "n"])
    ctx.load_labels([x for r in nets for x in (r["n"], r["sector"], r["lead"])]
                    + [x for r in plans for x in (r["p"], r["n"])])
    sectors: dict[str, dict[str, Any]] = {}
    for r in nets:
        key = r["sector"] or ""
        group = sectors.setdefault(key, {"sector": ctx.link(r["sector"]), "networks": []})
        group["networks"].append({"link": ctx.link(r["n"]), "lead": ctx.link(r["lead"])})
    for group in sectors.values():
        group["networks"].sort(key=lambda n: natural(n["link"].text))
    where = f"?plan a <{VKG}ActionPlan> ; <{VKG}hasAction> ?a . ?a <{VKG}owner> <{iri}> ."
    actions, total = action_rows(ctx, where)
    return {
        "sectors": sorted(sectors.values(),
                          key=lambda g: g["sector"].text.lower() if g["sector"] else "~"),
        "plans": sorted(({"link": _plan_link(ctx, r["p"], r["n"]), "network": ctx.link(r["n"])}
                         for r in plans), key=lambda p: p["link"].text.lower()),
        "actions": actions, "total": total,
        "open": sum(1 for a in actions if a.status_key in ACTIVE),
        "late": sum(1 for a in actions if a.late),
        "counts": status_counts(ctx, where, None),
    }


def _plan_link(ctx: Context, plan: str | None, network: str | None) -> Any:
    """A plan has no label of its own: "Actieplan" and its network's name."""
    link = ctx.link(plan)
    if link is not None and network:
        link.text, link.lang = (_("Actieplan %(network)s")
                                % {"network": ctx.name(network)}, None)
    return link


__all__ = ["network_view", "region_view", "status_key"]
