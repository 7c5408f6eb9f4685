"""Submitted plans as pages: the list, one plan with its current actions and history, and the
difference between two versions (the HTML faces of ``/plans`` and ``/plans/{network}/diff``).
Plans the caller may not read are 'not found', exactly as in the API."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse

from ..plans.registry import PlanRegistry, PlanVersion
from ..plans.tokens import Principal
from .access import principal_from_request
from .i18n import _
from .pages import not_found, render

FIELDS = [("description", "omschrijving"), ("theme", "thema"), ("status", "status"),
          ("owner", "verantwoordelijke"), ("start", "start"), ("deadline", "deadline"),
          ("financing", "financiering"), ("costs", "kosten")]


def short(value: Any) -> str:
    """What a planner typed for an IRI or value: ``VR06``, ``vitens``, ``open``, ``3``."""
    if isinstance(value, list):
        return ", ".join(short(v) for v in value)
    text = str(value)
    if not text.startswith("http"):
        return text
    tail = text.rstrip("/").rsplit("/", 1)[-1]
    if "/veiligheidsregio/" in text and tail.startswith("vr"):
        return tail.upper()
    return tail.replace("-", " ") if "/status/" in text else tail


def _readable(request: Request, principal: Principal, network: str
              ) -> tuple[PlanRegistry, list[PlanVersion]] | None:
    reg = PlanRegistry(request.app.state.store, request.app.state.settings.base)
    if not reg.may_read(principal, network):
        return None
    readable = set(reg.readable_versions(principal, network))
    versions = [v for v in reg.versions(network) if v.version in readable]
    return (reg, versions) if versions else None


def plans_page(request: Request) -> HTMLResponse:
    principal = principal_from_request(request)
    reg = PlanRegistry(request.app.state.store, request.app.state.settings.base)
    plans = []
    for key in reg.networks_with_plans():
        found = _readable(request, principal, key)
        if found:
            plans.append({"network": key, "current": found[1][-1], "versions": len(found[1])})
    return render(request, "plan_list.html", plans=plans, title=_("Ingediende plannen"),
                  crumbs=[{"label": _("Plannen")}])


def plan_page(network: str, request: Request, ingediend: int | None = None) -> HTMLResponse:
    principal = principal_from_request(request)
    found = _readable(request, principal, network)
    if found is None:
        return not_found(request, f"/plannen/{network}")
    reg, versions = found
    current = versions[-1]
    actions = reg.actions(current.graph)
    rows = [{"actie": ident, **{col: short(fields.get(f, "")) for f, col in FIELDS}}
            for ident, fields in sorted(actions.items(), key=lambda kv: _natural(kv[0]))]
    return render(request, "plan_page.html", network=network, current=current,
                  history=list(reversed(versions)), rows=rows, submitted=ingediend,
                  title=_("Plan %(network)s") % {"network": network},
                  columns=[c for _f, c in FIELDS],
                  crumbs=[{"label": _("Plannen"), "href": "/plannen"}, {"label": network}])


def _natural(text: str) -> tuple[Any, ...]:
    import re

    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def diff_page(network: str, request: Request, van: int, naar: int) -> HTMLResponse:
    principal = principal_from_request(request)
    found = _readable(request, principal, network)
    numbers = {v.version for v in (found[1] if found else [])}
    if found is None or van not in numbers or naar not in numbers:
        return not_found(request, f"/plannen/{network}/verschil")
    diff = found[0].diff(network, van, naar)
    fields = dict((f, c) for f, c in FIELDS)
    changed = [{"actie": c["actie"], "changes": [
        {"column": fields.get(k, k), "van": short(v["van"] or ""), "naar": short(v["naar"] or "")}
        for k, v in c["wijzigingen"].items()]} for c in diff.changed]
    return render(request, "plan_diff.html", network=network, van=van, naar=naar,
                  added=[_flat(a) for a in diff.added], removed=[_flat(a) for a in diff.removed],
                  changed=changed,
                  title=_("Verschil %(network)s %(old)s–%(new)s")
                  % {"network": network, "old": van, "new": naar},
                  crumbs=[{"label": _("Plannen"), "href": "/plannen"},
                          {"label": network, "href": f"/plannen/{network}"},
                          {"label": _("versie %(old)s → %(new)s") % {"old": van, "new": naar}}])


def _flat(action: dict[str, Any]) -> dict[str, str]:
    return {"actie": action["actie"], **{c: short(action.get(f, "")) for f, c in FIELDS}}


def install(app: FastAPI) -> None:
    """Add ``/plannen``, ``/plannen/{network}`` and ``/plannen/{network}/verschil``."""
    app.get("/plannen", tags=["plannen"], response_class=HTMLResponse,
            summary="Ingediende plannen die u mag zien (HTML)")(plans_page)
    app.get("/plannen/{network}", tags=["plannen"], response_class=HTMLResponse,
            summary="Een plan: huidige acties en geschiedenis (HTML)")(plan_page)

    @app.get("/plannen/{network}/verschil", tags=["plannen"], response_class=HTMLResponse,
             summary="Verschil tussen twee versies (HTML)")
    def verschil(network: str, request: Request, van: int = Query(..., ge=1),
                 naar: int = Query(..., ge=1)) -> HTMLResponse:
        return diff_page(network, request, van, naar)
