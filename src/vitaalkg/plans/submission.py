"""Submitting a plan: the checks between a read plan and a stored version, shared by
``POST /plans`` and ``vitaalkg submit``.

Order: the plan names exactly one known network (else 422); the principal may submit for it
(else 403); the plan describes only itself, its actions and cost shares, with IRIs in its
network's own namespace (``id/actie/{network}-…``) that the public knowledge does not use for
something else (else 422); it passes the SHACL checks — no violations,
and no warnings unless they are allowed (else 422 with the report). Only then is it stored, as
one transaction (:meth:`vitaalkg.plans.PlanRegistry.submit`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ..store.base import StoreError, StoreUnavailable
from ..validation import report as rep
from ..validation.engine import PlanValidator, Report
from ..validation.inputs import PlanInput
from .registry import (
    VISIBILITIES,
    AlreadyStored,
    PlanError,
    PlanRegistry,
    PlanVersion,
    checksum,
    default_visibility,
    idempotency_hash,
)
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


def owning_network(local: str, keys: list[str]) -> str | None:
    """The network whose namespace ``local`` (``{key}`` or ``{key}-…``) lies in: the longest
    matching key, so ``gas-liander-a1`` belongs to ``gas-liander``, not to ``gas``."""
    found = [k for k in keys if local == k or local.startswith(k + "-")]
    return max(found, key=len) if found else None


def foreign_iris(reg: PlanRegistry, triples: list[ox.Triple], own: set[str], plan_iri: str,
                 key: str) -> list[str]:
    """IRIs the plan may not use: its actions and cost shares outside ``{base}id/actie/{key}-…``,
    a plan IRI that is not this network's, and any mention of another plan, action or plan
    version. Decided from the IRIs alone, never from what the store holds, so the answer tells
    nothing about other networks' (restricted) plans."""
    actions, plans = f"{reg.base}id/actie/", f"{reg.base}id/actieplan/"
    keys = reg.network_keys()
    own_plans = {f"{plans}{key}", reg.plan_iri(key)}
    bad = set()
    for iri in own:
        if iri == plan_iri:
            if iri not in own_plans and not reg.is_public_plan(iri, key):
                bad.add(iri)
        elif not (iri.startswith(actions)
                  and owning_network(iri[len(actions):], keys) == key):
            bad.add(iri)
    ours = (actions, plans, f"{reg.base}id/planversie/", f"{reg.base}graph/")
    for t in triples:
        for term in (t.subject, t.object):
            if isinstance(term, ox.NamedNode) and term.value not in own \
                    and term.value.startswith(ours):
                bad.add(term.value)
    return sorted(bad)


def check_scope(reg: PlanRegistry, triples: list[ox.Triple], own: set[str],
                plan_iri: str, network_iri: str) -> None:
    """A plan describes only itself, its actions and cost shares (statements about other
    resources, such as a region's label, are refused); its IRIs lie in its network's own
    namespace; and they are not used by the public knowledge for something else. Other plans
    are never consulted: they cannot hold this network's IRIs, and looking would tell the
    caller what restricted plans contain."""
    strangers = sorted({t.subject.value for t in triples
                        if isinstance(t.subject, ox.NamedNode) and t.subject.value not in own})
    if strangers:
        raise Refusal(422, {
            "error": "het plan doet uitspraken over bronnen die niet bij het plan horen / the "
                     "plan makes statements about resources outside the plan",
            "resources": strangers[:20], "status": 422})
    vkg = reg.base + "def/"
    key = reg.network_key(network_iri) or ""
    foreign = foreign_iris(reg, triples, own, plan_iri, key)
    if foreign:
        raise Refusal(422, {
            "error": f"het plan noemt IRI's buiten de naamruimte van netwerk '{key}': acties "
                     f"heten {reg.base}id/actie/{key}-…, het plan {reg.plan_iri(key)}, en "
                     f"plannen van anderen worden niet genoemd / the plan uses IRIs outside "
                     f"the namespace of network '{key}': actions are named "
                     f"{reg.base}id/actie/{key}-…, the plan {reg.plan_iri(key)}, and other "
                     f"plans are not mentioned",
            "resources": foreign[:20], "status": 422})
    public = reg.public_graphs()
    existing = sorted(iri for iri in used_elsewhere(reg.store, sorted(own), public)
                      if iri != plan_iri)
    if existing:
        raise Refusal(422, {
            "error": "het plan gebruikt IRI's van bestaande bronnen voor zijn acties / the "
                     "plan uses IRIs of existing resources for its actions",
            "resources": existing[:20], "status": 422})
    if used_elsewhere(reg.store, [plan_iri], public) and not reg.store.ask(
            f"ASK {{ <{plan_iri}> a <{vkg}ActionPlan> ; <{vkg}network> <{network_iri}> }}",
            default_graph=public):
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
    """A stored version and the report of its checks (None when the submission repeated a
    stored version: ``created`` is False then)."""

    network: str
    version: PlanVersion
    report: Report | None
    created: bool = True


#: what an ``Idempotency-Key`` may be: printable ASCII, 1 to 200 characters
MAX_IDEMPOTENCY_KEY = 200


def check_idempotency_key(key: str | None) -> None:
    """Refuse (400) an Idempotency-Key that is empty, too long or not printable ASCII."""
    if key is None:
        return
    if not 0 < len(key) <= MAX_IDEMPOTENCY_KEY or not all(33 <= ord(c) < 127 for c in key):
        raise Refusal(400, {"error": "Idempotency-Key: 1 tot 200 zichtbare ASCII-tekens / "
                                     "Idempotency-Key: 1 to 200 visible ASCII characters",
                            "status": 400})


def repeated(reg: PlanRegistry, digest: str | None, content: bytes) -> Submission | None:
    """The stored version an idempotency key names (same content), None when it names none;
    a key reused for another file is refused (422)."""
    found = reg.find_idempotent(digest) if digest else None
    if found is None:
        return None
    if found.checksum != checksum(content):
        raise Refusal(422, {"error": "deze Idempotency-Key is al gebruikt voor een ander "
                                     "bestand / this Idempotency-Key was used for another file",
                            "status": 422, "stored": False})
    return Submission(found.network, found, None, created=False)


def submit_plan(reg: PlanRegistry, plan: PlanInput, principal: Principal,
                validator: PlanValidator, *, content: bytes, filename: str,
                visibility: str | None = None, allow_warnings: bool = False,
                lang: str = "nl", reference_date: dt.date | None = None,
                idempotency_key: str | None = None) -> Submission:
    """Check ``plan`` and store it as the next version; raises :class:`Refusal`.

    Idempotent: a submission with an ``idempotency_key`` this principal used before, or with
    the same content and visibility as the current version, answers with that stored version
    (``created`` False) instead of storing it again."""
    if principal.anonymous:
        raise Refusal(401, {"error": "een token is nodig om een plan in te dienen / a token is "
                                     "needed to submit a plan", "status": 401})
    if visibility is not None and visibility not in VISIBILITIES:
        raise Refusal(422, {"error": "zichtbaarheid is 'public' of 'restricted' / visibility "
                                     "is 'public' or 'restricted'", "status": 422})
    check_idempotency_key(idempotency_key)
    digest = idempotency_hash(principal, idempotency_key) if idempotency_key else None
    again = repeated(reg, digest, content)
    if again is not None:
        return again
    key, plan_iri, triples = prepare(reg, plan, principal)
    effective = visibility or default_visibility(key)
    current = reg.current(key)
    if current is not None and current.checksum == checksum(content) \
            and current.visibility == effective:
        return Submission(key, current, None, created=False)
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
                             content=content, visibility=effective, plan=plan_iri,
                             idempotency=digest, dedupe=True)
    except AlreadyStored as exc:
        return Submission(exc.version.network, exc.version, None, created=False)
    except PlanError as exc:
        raise Refusal(409, {"error": str(exc), "status": 409, "stored": False}) from exc
    except StoreError as exc:  # full disk (507), read-only store (503), other write errors
        status = exc.status if isinstance(exc, StoreUnavailable) else 503
        raise Refusal(status, {"error": str(exc), "status": status, "stored": False}) from exc
    return Submission(key, version, report)


def version_json(v: PlanVersion) -> dict[str, Any]:
    """A version for JSON answers."""
    return {"version": v.version, "iri": v.iri, "graph": v.graph,
            "submittedAt": v.submitted_at, "submittedFor": v.submitted_for,
            "token": v.submitted_by, "checksum": v.checksum, "fileName": v.filename,
            "visibility": v.visibility, "replaces": v.replaces, "actions": v.actions,
            "href": f"/plans/{v.network}/versions/{v.version}"}
