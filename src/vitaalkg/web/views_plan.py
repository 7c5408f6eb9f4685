"""The action-plan view (title from its network, actions, version history the caller may
read, links to a readable diff), the diff page itself, and :func:`domain_page`, which picks
the view for a resource by its type."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from ..plans.registry import PlanRegistry
from .access import principal_from_request
from .describe import INVERSE_SHOWN
from .domain_views import (
    VKG,
    Context,
    action_rows,
    actions_href,
    humanise,
    status_counts,
    theme_view,
)
from .i18n import _
from .views_knowledge import article_view, goal_view, law_view, sector_agenda_view, task_view
from .views_network import network_view, region_view

TALLY_PROPS = {f"{VKG}actionTally"}
# the /doc/{kind} pages with a view for people, and how many resources per property the
# generic table below them lists (the rest: its count and a query for all, as elsewhere)
VIEW_KINDS = {"thema", "netwerk", "actieplan", "veiligheidsregio", "taak", "wetsartikel",
              "lac-doel", "sectoragenda"}
SHOWN_BELOW_VIEW = 25
TALLY_MARK = "/telling/"


def registry_for(request: Request) -> PlanRegistry:
    return PlanRegistry(request.app.state.store, request.app.state.settings.base)


def readable_history(request: Request, key: str) -> list[dict[str, Any]]:
    """The versions of ``key``'s plan the caller may read, newest first, each with a link to
    the diff against the one before."""
    registry = registry_for(request)
    readable = set(registry.readable_versions(principal_from_request(request), key))
    versions = [v for v in registry.versions(key) if v.version in readable]
    out = []
    previous = None
    for v in versions:
        out.append({
            "version": v.version, "at": v.submitted_at[:19].replace("T", " "),
            "actions": v.actions, "visibility": _("openbaar") if v.visibility == "public"
            else _("beperkt"), "file": v.filename,
            "diff_href": (f"/plannen/{key}/verschil?van={previous}&naar={v.version}"
                          if previous is not None else None)})
        previous = v.version
    return list(reversed(out))


def plan_view(ctx: Context, request: Request, iri: str) -> dict[str, Any]:
    rows = ctx.select(f"SELECT ?n WHERE {{ <{iri}> <{VKG}network> ?n }} LIMIT 1", ["n"])
    network = rows[0]["n"] if rows else None
    ctx.load_labels([network])
    where = f"<{iri}> <{VKG}hasAction> ?a ."
    actions, total = action_rows(ctx, where)
    key = registry_for(request).network_key(network) if network else None
    filters = {"netwerk": network} if network else None
    return {
        "network": ctx.link(network),
        "title": _("Actieplan %(network)s") % {"network": ctx.name(network)} if network else None,
        "actions": actions, "total": total, "counts": status_counts(ctx, where, filters),
        "all_href": actions_href(netwerk=network) if network else None,
        "history": readable_history(request, key) if key else [],
    }


def shown_below_view(kind: str) -> int:
    """Resources per property in the generic table of a ``/doc/{kind}`` page: fewer below a
    view for people (which shows the actions itself), :data:`describe.INVERSE_SHOWN` else."""
    return SHOWN_BELOW_VIEW if kind in VIEW_KINDS else INVERSE_SHOWN


def domain_page(request: Request, store: Any, iri: str, types: set[str]
                ) -> tuple[str, dict[str, Any]] | None:
    """(template, context) of the view for a resource of one of the domain types, or None."""
    ctx = Context(store, request.app.state.settings.base)
    if f"{VKG}Theme" in types:
        return "domain_theme.html", theme_view(ctx, iri)
    if f"{VKG}ActionPlan" in types:
        return "domain_plan.html", plan_view(ctx, request, iri)
    if f"{VKG}Network" in types:
        registry = registry_for(request)
        key = registry.network_key(iri)
        history = readable_history(request, key) if key else []
        info = {"last": history[0], "history_count": len(history)} if history else None
        return "domain_network.html", network_view(ctx, iri, info)
    if f"{VKG}SafetyRegion" in types:
        return "domain_region.html", region_view(ctx, iri)
    if f"{VKG}Task" in types:
        return "domain_task.html", task_view(ctx, iri)
    if f"{VKG}LegalProvision" in types:
        return "domain_article.html", article_view(ctx, iri)
    if f"{VKG}Law" in types:
        return "domain_law.html", law_view(ctx, iri)
    if f"{VKG}AgendaGoal" in types:
        return "domain_goal.html", goal_view(ctx, iri)
    if f"{VKG}SectorAgenda" in types:
        return "domain_sector_agenda.html", sector_agenda_view(ctx, iri)
    return None


def hide_tallies(view: Any) -> None:
    """Drop the derived action tallies from a generic view: they are for queries, not people."""
    view.rows = [r for r in view.rows if r.iri not in TALLY_PROPS]
    kept = []
    for row in view.inverse_rows:
        row.values = [v for v in row.values if TALLY_MARK not in (v.iri or "")]
        if row.values:
            kept.append(row)
    view.inverse_rows = kept


def human(value: Any) -> str:
    """A diff value for people: IRIs by their humanised key, lists joined."""
    if value is None:
        return "—"
    if isinstance(value, list):
        return "; ".join(human(v) for v in value)
    text = str(value)
    return humanise(text) if text.startswith(("http://", "https://")) else text
