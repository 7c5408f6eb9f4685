"""Submitting a plan: the checks between a read plan and a stored version, shared by
``POST /plans`` and ``vitaalkg submit``.

Order: the plan names exactly one known network (else 422); the principal may submit for it
(else 403); the plan describes only itself, its actions and cost shares, with IRIs not used by
other resources or other networks' plans (else 422); it passes the SHACL checks — no violations,
and no warnings unless they are allowed (else 422 with the report). Only then is it stored, as
one transaction (:meth:`vitaalkg.plans.PlanRegistry.submit`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ..validation import report as rep
from ..validation.engine import PlanValidator, Report
from ..validation.inputs import PlanInput
from .registry import VISIBILITIES, PlanError, PlanRegistry, PlanVersion, default_visibility
from .tokens import Principal

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


class Refusal(Exception):
    """A submission that is refused; ``status`` (HTTP) and a JSON body for the client."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("error"))
        self.status = status
        self.body = body


# -- what a plan is about -----------------------------------------------------------------------
def plan_subjects(triples: list[ox.Triple], base: str) -> tuple[list[tuple[str, str]], set[str]]:
    """([(plan IRI, network IRI)], IRIs the plan may describe: plans, actions, cost shares)."""
    vkg = base + "def/"
    action_plan = ox.NamedNode(vkg + "ActionPlan")
    network = ox.NamedNode(vkg + "network")
    plans = {t.subject for t in triples
             if t.predicate.value == RDF_TYPE and t.object == action_plan}
    pairs = sorted({(t.subject.value, t.object.value) for t in triples
                    if t.predicate == network and isinstance(t.object, ox.NamedNode)
                    and (t.subject in plans or not plans)})
    own: set[ox.Term] = set(plans) | {ox.NamedNode(p) for p, _n in pairs}
    links = {vkg + "hasAction", vkg + "costShare"}
    changed = True
    while changed:
        changed = False
        for t in triples:
            if t.subject in own and t.predicate.value in links and t.object not in own:
                own.add(t.object)
                changed = True
    return pairs, {x.value for x in own if isinstance(x, ox.NamedNode)}


def check_scope(reg: PlanRegistry, triples: list[ox.Triple], own: set[str],
                plan_iri: str, network_iri: str) -> None:
    """A plan describes only itself, its actions and cost shares: statements about other
    resources (a region's label, another network's members) are refused."""
    strangers = sorted({t.subject.value for t in triples
                        if isinstance(t.subject, ox.NamedNode) and t.subject.value not in own})
    if strangers:
        raise Refusal(422, {
            "error": "het plan doet uitspraken over bronnen die niet bij het plan horen / the "
                     "plan makes statements about resources outside the plan",
            "resources": strangers[:20], "status": 422})
    vkg = reg.base + "def/"
    key = reg.network_key(network_iri) or ""
    mine = f"{reg.base}graph/plan/{key}/"
    others = [g for g in reg.store.graphs() if not g.startswith(mine)]
    existing = sorted(iri for iri in used_elsewhere(reg.store, sorted(own), others)
                      if iri != plan_iri)
    if existing:
        raise Refusal(422, {
            "error": "het plan gebruikt IRI's van bestaande bronnen voor zijn acties / the "
                     "plan uses IRIs of existing resources for its actions",
            "resources": existing[:20], "status": 422})
    if used_elsewhere(reg.store, [plan_iri], others) and not reg.store.ask(
            f"ASK {{ <{plan_iri}> a <{vkg}ActionPlan> ; <{vkg}network> <{network_iri}> }}",
            default_graph=reg.public_graphs()):
        raise Refusal(422, {"error": "de IRI van het plan is al in gebruik / the plan's IRI "
                                     "is already in use", "resources": [plan_iri],
                            "status": 422})


def used_elsewhere(store: Any, iris: list[str], graphs: list[str]) -> set[str]:
    """Those of ``iris`` that are the subject of a triple in one of ``graphs``."""
    found: set[str] = set()
    if not graphs:
        return found
    for i in range(0, len(iris), 500):
        values = " ".join(f"<{iri}>" for iri in iris[i:i + 500])
        rows = store.select(
            f"SELECT DISTINCT ?x WHERE {{ VALUES ?x {{ {values} }} ?x ?p ?o }}",
            default_graph=graphs, named_graphs=[])
        found |= {r["x"] for r in rows}
    return found


def prepare(reg: PlanRegistry, plan: PlanInput, principal: Principal
            ) -> tuple[str, str, list[ox.Triple]]:
    """(network key, plan IRI, triples) of a plan the principal may submit; else Refusal."""
    triples = plan.to_triples()
    pairs, own = plan_subjects(triples, reg.base)
    networks = sorted({n for _p, n in pairs})
    plans = sorted({p for p, _n in pairs})
    if len(networks) != 1 or len(plans) != 1:
        raise Refusal(422, {
            "error": f"een plan hoort bij precies één netwerk; dit plan noemt er "
                     f"{len(networks)} / a plan belongs to exactly one network; this plan "
                     f"names {len(networks)}", "networks": networks, "status": 422})
    key = reg.network_key(networks[0])
    if key is None or not reg.network_exists(key):
        raise Refusal(422, {"error": f"onbekend netwerk <{networks[0]}> / unknown network",
                            "status": 422})
    if not reg.may_submit(principal, key):
        raise Refusal(403, {"error": f"uw organisatie is geen lid van netwerk '{key}' / your "
                                     f"organisation is not a member of network '{key}'",
                            "status": 403})
    check_scope(reg, triples, own, plans[0], networks[0])
    return key, plans[0], triples


@dataclass
class Submission:
    """A stored version and the report of its checks."""

    network: str
    version: PlanVersion
    report: Report


def submit_plan(reg: PlanRegistry, plan: PlanInput, principal: Principal,
                validator: PlanValidator, *, content: bytes, filename: str,
                visibility: str | None = None, allow_warnings: bool = False,
                lang: str = "nl", reference_date: dt.date | None = None) -> Submission:
    """Check ``plan`` and store it as the next version; raises :class:`Refusal`."""
    if principal.anonymous:
        raise Refusal(401, {"error": "een token is nodig om een plan in te dienen / a token is "
                                     "needed to submit a plan", "status": 401})
    if visibility is not None and visibility not in VISIBILITIES:
        raise Refusal(422, {"error": "zichtbaarheid is 'public' of 'restricted' / visibility "
                                     "is 'public' or 'restricted'", "status": 422})
    key, plan_iri, triples = prepare(reg, plan, principal)
    checked = PlanInput(plan.name, plan.kind, triples=triples, base=plan.base)
    report = validator.validate(checked, reference_date)
    report.name = filename
    if report.violations or (report.warnings and not allow_warnings):
        reason = ("het plan voldoet niet / the plan does not conform" if report.violations
                  else "het plan heeft waarschuwingen; sta ze toe met allow_warnings / the plan "
                       "has warnings; allow them with allow_warnings")
        raise Refusal(422, {"error": reason, "status": 422, "stored": False,
                            "report": rep.to_json(report, lang)})
    try:
        version = reg.submit(key, triples, principal=principal, filename=filename,
                             content=content, visibility=visibility or default_visibility(key),
                             plan=plan_iri)
    except PlanError as exc:
        raise Refusal(409, {"error": str(exc), "status": 409, "stored": False}) from exc
    return Submission(key, version, report)


def version_json(v: PlanVersion) -> dict[str, Any]:
    """A version for JSON answers."""
    return {"version": v.version, "iri": v.iri, "graph": v.graph,
            "submittedAt": v.submitted_at, "submittedFor": v.submitted_for,
            "token": v.submitted_by, "checksum": v.checksum, "fileName": v.filename,
            "visibility": v.visibility, "replaces": v.replaces, "actions": v.actions,
            "href": f"/plans/{v.network}/versions/{v.version}"}
