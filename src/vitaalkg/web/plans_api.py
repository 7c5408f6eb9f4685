"""``/plans``: submit action plans (validated, versioned, with provenance) and read them back.

- ``POST /plans`` (``Authorization: Bearer TOKEN``): the body is a plan as for ``POST /validate``
  (Turtle, JSON-LD, CSV, XLSX; raw or multipart). The plan names its network (``vkg:network``,
  exactly one); the token's organisation must be a member of it (the team token may submit for
  any network). The plan is checked with the same validator as ``/validate``; a plan with
  violations, or with warnings unless ``allow_warnings=true``, is refused with 422 and its report,
  and nothing changes. Otherwise it becomes the next version (201). Retrying is safe: with the
  same ``Idempotency-Key`` header as before (same principal), or with the same file and
  visibility as the current version, the answer is that stored version (200), not a new one.
- ``GET /plans``, ``GET /plans/{network}``, ``GET /plans/{network}/versions/{n}`` (RDF by content
  negotiation), ``GET /plans/{network}/diff?from=&to=``.

Plans the caller may not read answer 404, exactly like plans that do not exist.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from ..plans.registry import PlanError, PlanRegistry
from ..plans.submission import Refusal, submit_plan, version_json
from ..plans.tokens import Principal
from ..store.remote import knowledge_store
from ..validation import report as rep
from ..validation.engine import PlanValidator
from ..validation.inputs import InputError
from .access import dataset_for_request, principal_from_request, unauthorized
from .negotiation import best_match
from .validation_api import input_error_response, read_request_plan

VERSION_MEDIA = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/json": ox.RdfFormat.JSON_LD,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}
_VALIDATOR_LOCK = threading.Lock()


def _error(status: int, nl: str, en: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": f"{nl} / {en}", "status": status, **extra},
                        status_code=status)


def not_found() -> JSONResponse:
    return _error(404, "geen plan gevonden", "no such plan")


def validator(app: FastAPI) -> PlanValidator:
    """The validator of ``POST /validate`` (shared on ``app.state``), built once."""
    with _VALIDATOR_LOCK:
        if getattr(app.state, "plan_validator", None) is None:
            kb = knowledge_store(app.state.store, app.state.settings.base)
            app.state.plan_validator = PlanValidator(app.state.settings, kb=kb)
        return app.state.plan_validator


def registry(request: Request) -> PlanRegistry:
    return PlanRegistry(request.app.state.store, request.app.state.settings.base)


# -- the routes ----------------------------------------------------------------------------------
def install(app: FastAPI) -> None:
    """Add ``/plans`` and make the SPARQL endpoint and named queries respect plan access."""
    app.state.sparql_dataset = dataset_for_request

    @app.post(
        "/plans", tags=["plannen"], status_code=201,
        summary="Dien een actieplan in (gecontroleerd, als nieuwe versie) / submit a plan",
        responses={201: {"description": "opgeslagen als nieuwe versie / stored"},
                   400: {"description": "onleesbaar"}, 401: {"description": "token nodig"},
                   403: {"description": "geen lid van het netwerk"},
                   200: {"description": "al opgeslagen (herhaald verzoek) / already stored"},
                   413: {"description": "te groot"}, 415: {"description": "niet ondersteund"},
                   422: {"description": "voldoet niet: rapport / does not conform: report"}},
    )
    async def post_plan(
        request: Request,
        principal: Annotated[Principal, Depends(principal_from_request)],
        visibility: Annotated[str | None, Query(pattern="^(public|restricted)$")] = None,
        allow_warnings: Annotated[bool, Query()] = False,
        lang: Annotated[str, Query(pattern="^(nl|en)$")] = "nl",
    ) -> Response:
        if principal.anonymous:
            raise unauthorized("een token is nodig om een plan in te dienen",
                               "a token is needed to submit a plan", "invalid_request")
        try:
            data, name, plan = await read_request_plan(request, app.state.settings)
        except InputError as exc:
            return input_error_response(exc, lang)
        try:
            done = await run_in_threadpool(
                lambda: submit_plan(registry(request), plan, principal, validator(app),
                                    content=data, filename=name or "plan",
                                    visibility=visibility, allow_warnings=allow_warnings,
                                    lang=lang,
                                    idempotency_key=request.headers.get("idempotency-key")))
        except Refusal as exc:
            return JSONResponse(exc.body, status_code=exc.status)
        runner = getattr(app.state, "query_runner", None)
        if done.created and runner is not None and hasattr(runner, "invalidate"):
            runner.invalidate()
        version = done.version
        body = {"stored": True, "created": done.created, "network": done.network,
                **version_json(version),
                "report": rep.to_json(done.report, lang) if done.report else None}
        return JSONResponse(body, status_code=201 if done.created else 200, headers={
            "Location": f"/plans/{done.network}/versions/{version.version}"})

    @app.get("/plans", tags=["plannen"],
             summary="Plannen die u mag zien / plans you may see")
    def list_plans(request: Request,
                   principal: Annotated[Principal, Depends(principal_from_request)]
                   ) -> JSONResponse:
        reg = registry(request)
        out = []
        for key in reg.networks_with_plans():
            if not reg.may_read(principal, key):
                continue
            readable = set(reg.readable_versions(principal, key))
            versions = [v for v in reg.versions(key) if v.version in readable]
            if not versions:
                continue
            current = versions[-1]
            out.append({"network": key, "networkIri": reg.network_iri(key),
                        "plan": current.plan, "currentVersion": current.version,
                        "visibility": current.visibility, "submittedAt": current.submitted_at,
                        "actions": current.actions, "versions": len(versions),
                        "href": f"/plans/{key}"})
        return JSONResponse({"plans": out})

    def _readable(request: Request, principal: Principal, network: str) -> tuple[
            PlanRegistry, list[Any]] | None:
        reg = registry(request)
        if not reg.may_read(principal, network):
            return None
        readable = set(reg.readable_versions(principal, network))
        versions = [v for v in reg.versions(network) if v.version in readable]
        return (reg, versions) if versions else None

    @app.get("/plans/{network}", tags=["plannen"],
             summary="Huidige versie en geschiedenis van een plan / current version and history")
    def plan_detail(network: str, request: Request,
                    principal: Annotated[Principal, Depends(principal_from_request)]
                    ) -> JSONResponse:
        found = _readable(request, principal, network)
        if found is None:
            return not_found()
        reg, versions = found
        current = versions[-1]
        return JSONResponse({
            "network": network, "networkIri": reg.network_iri(network), "plan": current.plan,
            "visibility": current.visibility, "current": version_json(current),
            "history": [version_json(v) for v in versions],
            "provenanceGraph": reg.prov_graph(network)})

    @app.get("/plans/{network}/versions/{n}", tags=["plannen"],
             summary="Een versie als RDF (Turtle, JSON-LD, N-Triples) / one version as RDF",
             response_class=Response,
             responses={200: {"content": {m: {} for m in list(VERSION_MEDIA)[:3]}}})
    def plan_version(network: str, n: int, request: Request,
                     principal: Annotated[Principal, Depends(principal_from_request)]
                     ) -> Response:
        found = _readable(request, principal, network)
        version = next((v for v in (found[1] if found else []) if v.version == n), None)
        if found is None or version is None:
            return not_found()
        media = best_match(request.headers.get("accept"), list(VERSION_MEDIA))
        if media is None:
            return _error(406, "geen passend formaat", "not acceptable; offered: "
                          + ", ".join(list(VERSION_MEDIA)[:3]))
        # as submitted: the derived action tallies stay out, so a download can be resubmitted
        triples = found[0].version_triples(version.graph)
        body = ox.serialize(triples, format=VERSION_MEDIA[media])
        return Response(body, media_type=media if media != "application/json"
                        else "application/ld+json", headers={"Vary": "Accept"})

    @app.get("/plans/{network}/diff", tags=["plannen"],
             summary="Verschil tussen twee versies / difference between two versions")
    def plan_diff(network: str, request: Request,
                  principal: Annotated[Principal, Depends(principal_from_request)],
                  from_: Annotated[int, Query(alias="from")],
                  to: Annotated[int, Query()]) -> JSONResponse:
        found = _readable(request, principal, network)
        numbers = {v.version for v in (found[1] if found else [])}
        if found is None or from_ not in numbers or to not in numbers:
            return not_found()
        try:
            diff = found[0].diff(network, from_, to)
        except PlanError as exc:
            raise HTTPException(404, str(exc)) from exc
        return JSONResponse({"network": network, "from": from_, "to": to, **diff.as_dict(),
                             "summary": {"added": len(diff.added),
                                         "removed": len(diff.removed),
                                         "changed": len(diff.changed)}})

