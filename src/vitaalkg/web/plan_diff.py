"""``/actieplannen/{network}/verschil``: what changed between two versions of an action plan,
readable for people (the JSON of ``/plans/{network}/diff`` as a page), for those who may read
both versions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import Response

from ..plans.registry import PlanError
from .access import principal_from_request
from .pages import labels_for, not_found, render
from .views_plan import human, registry_for

router = APIRouter()


@router.get("/actieplannen/{network}/verschil", tags=["plannen"],
            summary="Verschil tussen twee versies van een actieplan, leesbaar (HTML)")
def plan_diff_page(network: str, request: Request, van: int = Query(..., ge=1),
                   naar: int = Query(..., ge=1)) -> Response:
    registry = registry_for(request)
    readable = set(registry.readable_versions(principal_from_request(request), network))
    if van not in readable or naar not in readable:
        return not_found(request, f"actieplan {network}, versie {van}–{naar}")
    try:
        diff = registry.diff(network, van, naar)
    except PlanError:
        return not_found(request, f"actieplan {network}, versie {van}–{naar}")
    plan_href = "/doc/actieplan/" + ("nationaal" if network == "continuiteit" else network)
    name = labels_for(request, [registry.network_iri(network)])[registry.network_iri(network)][0]
    title = f"Actieplan {name}: versie {van} → {naar}"
    crumbs = [{"label": "actieplan", "href": "/doc/actieplan"},
              {"label": f"Actieplan {name}", "href": plan_href},
              {"label": f"verschil {van}–{naar}"}]
    return render(request, "plan_diff.html", title=title, diff=diff, van=van, naar=naar,
                  plan_href=plan_href, crumbs=crumbs, field_labels=FIELD_LABELS,
                  human=human)


FIELD_LABELS: dict[str, Any] = {
    "status": "status", "owner": "verantwoordelijke", "deadline": "deadline", "start": "start",
    "theme": "thema", "financing": "financiering", "costs": "kosten",
    "description": "omschrijving"}


def install(app: FastAPI) -> None:
    app.include_router(router)
