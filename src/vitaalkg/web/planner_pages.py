"""The planner's pages: the template, checking a plan in the browser (report in the layout,
annotated spreadsheet, JSON) and submitting it with a sign-in session.

- ``GET /plannen/sjabloon.xlsx[?netwerk=KEY]``, ``GET /plannen/sjabloon.csv``
- ``GET /plannen/controleren``: the upload form (works without JavaScript)
- ``POST /plannen/controleren``: the report (``uitvoer`` html, xlsx or json)
- ``POST /plannen/indienen``: submit a checked plan (session + CSRF token)
"""

from __future__ import annotations

import base64
import json
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..plans.registry import PlanRegistry, default_visibility
from ..plans.submission import Refusal, submit_plan
from ..validation import report as rep
from ..validation.annotate import annotate
from ..validation.convert import key as uri_key
from ..validation.engine import Report
from ..validation.inputs import InputError, read_csv_rows, read_xlsx_rows
from ..validation.limits import UploadLimits
from ..validation.template import choices, csv_template, owners, themes, xlsx_template
from . import report_view
from .access import principal_from_request
from .forms import Form, carried_file, read_form, read_upload
from .i18n import _, current_language, use_language
from .pages import render
from .plans_api import validator
from .session import check_csrf, read_session
from .validation_api import XLSX

#: files up to this size travel along with the report page (hidden field) for download/submit
CARRY_LIMIT = 4 * 1024 * 1024


def registry(request: Request) -> PlanRegistry:
    return PlanRegistry(request.app.state.store, request.app.state.settings.base)


def _lang(request: Request, form: Form | None = None) -> str:
    """The page's language; a ``lang`` field of the form (or ``?lang=``) overrides it."""
    explicit = (form.fields.get("lang") if form else None) or request.query_params.get("lang")
    if explicit:
        use_language(request, explicit)
    return current_language()


def _table(data: bytes, kind: str, settings: Any) -> list[list[Any]] | None:
    """The rows of a spreadsheet upload as typed (for the report and the annotated copy), read
    within the same content limits as the upload itself."""
    limits = UploadLimits.from_settings(settings)
    if kind == "csv":
        return read_csv_rows(data, limits)
    if kind == "xlsx":
        return read_xlsx_rows(data, limits)
    return None


def _download(body: bytes, media: str, filename: str) -> Response:
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


def _stem(name: str) -> str:
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "plan"
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in stem)[:60] or "plan"


def _error_page(request: Request, status: int, nl: str, en: str) -> HTMLResponse:
    _lang(request)
    return render(request, "planner_error.html", status=status, title=_("Niet gelukt"),
                  message=nl, message_en=en)


# -- pages ----------------------------------------------------------------------------------------
def upload_page(request: Request) -> HTMLResponse:
    _lang(request)
    return render(request, "planner_upload.html", title=_("Actieplan controleren"),
                  networks=_networks(request))


def _networks(request: Request) -> list[tuple[str, str]]:
    """(key, label) of the networks, for the template link."""
    reg = registry(request)
    rows = request.app.state.store.select(
        f"SELECT ?n (SAMPLE(?l) AS ?label) WHERE {{ ?n a <{reg.base}def/Network> . "
        "OPTIONAL { ?n <http://www.w3.org/2004/02/skos/core#prefLabel> ?l "
        "FILTER(LANG(?l) = 'nl') } } GROUP BY ?n ORDER BY ?label",
        default_graph=reg.public_graphs())
    prefix = f"{reg.base}id/netwerk/"
    return [(r["n"][len(prefix):], str(r.get("label") or r["n"])) for r in rows
            if r["n"].startswith(prefix)]


async def check(request: Request) -> Response:
    """The report of an uploaded (or carried) plan: HTML page, annotated XLSX or JSON."""
    settings = request.app.state.settings
    try:
        form = await read_form(request, settings.max_upload_bytes)
        lang = _lang(request, form)
        carried = carried_file(form)
        if carried is None:
            return render(request, "planner_upload.html", status=400,
                          title=_("Actieplan controleren"), networks=_networks(request),
                          error=("Kies eerst een bestand.", "Choose a file first."))
        data, name, plan = await read_upload(request, *carried)
        report: Report = await run_in_threadpool(validator(request.app).validate, plan, None)
        report.name = name or "plan"
        output = form.fields.get("uitvoer", "html")
        if output == "json":
            body = json.dumps(rep.to_json(report, lang), ensure_ascii=False, indent=2)
            return _download(body.encode("utf-8"), "application/json",
                             f"{_stem(name)}-rapport.json")
        if output == "xlsx":
            out = await run_in_threadpool(
                annotate, data, plan.kind, report.findings, lang,
                UploadLimits.from_settings(request.app.state.settings))
            return _download(out, XLSX, f"{_stem(name)}-gecontroleerd.xlsx")
        table = await run_in_threadpool(_table, data, plan.kind, request.app.state.settings)
    except InputError as exc:
        _lang(request)
        return render(request, "planner_upload.html", status=exc.status,
                      title=_("Actieplan controleren"), networks=_networks(request),
                      error=(exc.message, exc.message_en))
    return report_page(request, report, data, name, plan.kind, table, lang)


def report_page(request: Request, report: Report, data: bytes, name: str, kind: str,
                table: list[list[Any]] | None, lang: str, status: int = 200,
                refusal: str | None = None) -> HTMLResponse:
    reg = registry(request)
    network = report_view.network_of(table)
    network_key = uri_key(network) if network else None
    graphs = reg.public_graphs()
    store = request.app.state.store
    members = owners(store, graphs, reg.network_iri(network_key)) if network_key else []
    groups = report_view.build(report, table, members, themes(store, graphs, reg.base), lang)
    principal = principal_from_request(request)
    session = read_session(request)
    may_submit = (session is not None and not principal.anonymous and network_key is not None
                  and reg.network_exists(network_key) and reg.may_submit(principal, network_key))
    return render(
        request, "planner_report.html", status=status, report=report,
        groups=groups, filename=name, kind=kind, network=network_key,
        carried=base64.b64encode(data).decode("ascii") if len(data) <= CARRY_LIMIT else None,
        signed_in=session is not None and not principal.anonymous, may_submit=may_submit,
        csrf=session.csrf if session else "", refusal=refusal,
        visibility=default_visibility(network_key or ""), title=_("Controle actieplan"))


async def submit(request: Request) -> Response:
    """Submit a checked plan for the signed-in organisation; the plan's page on success."""
    settings = request.app.state.settings
    try:
        form = await read_form(request, settings.max_upload_bytes)
    except InputError as exc:
        return _error_page(request, exc.status, exc.message, exc.message_en)
    try:
        check_csrf(request, form.fields)
    except HTTPException as exc:
        nl, _sep, en = str(exc.detail).partition(" / ")
        return _error_page(request, 403, nl, en or nl)
    lang = _lang(request, form)
    principal = principal_from_request(request)
    if principal.anonymous:
        return _error_page(request, 403, "Meld u aan om een plan in te dienen.",
                           "Sign in to submit a plan.")
    visibility = form.fields.get("zichtbaarheid") or None
    allow = form.fields.get("waarschuwingen") == "ja"
    try:
        carried = carried_file(form)
        if carried is None:
            raise InputError("geen plan meegestuurd", 400, "no plan in the form")
        data, name, plan = await read_upload(request, *carried)
        done = await run_in_threadpool(
            lambda: submit_plan(registry(request), plan, principal, validator(request.app),
                                content=data, filename=name or "plan", visibility=visibility,
                                allow_warnings=allow, lang=lang))
    except InputError as exc:
        return _error_page(request, exc.status, exc.message, exc.message_en)
    except Refusal as exc:
        message = str(exc.body.get("error", ""))
        nl, _sep, en = message.partition(" / ")
        if "report" in exc.body:
            report = await run_in_threadpool(validator(request.app).validate, plan, None)
            report.name = name or "plan"
            table = await run_in_threadpool(_table, data, plan.kind, request.app.state.settings)
            return report_page(request, report, data, name, plan.kind, table, lang,
                               status=exc.status, refusal=en if lang == "en" else nl)
        return _error_page(request, exc.status, nl, en or nl)
    runner = getattr(request.app.state, "query_runner", None)
    if runner is not None and hasattr(runner, "invalidate"):
        runner.invalidate()
    return RedirectResponse(f"/plannen/{done.network}?ingediend={done.version.version}",
                            status_code=303)


def template_xlsx(request: Request, netwerk: str | None) -> Response:
    reg = registry(request)
    if netwerk is not None and not reg.network_exists(netwerk):
        raise HTTPException(404, f"onbekend netwerk '{netwerk}' / unknown network")
    options = choices(request.app.state.store, reg.public_graphs(), reg.base, netwerk)
    name = f"actieplan-{netwerk}.xlsx" if netwerk else "actieplan-sjabloon.xlsx"
    return _download(xlsx_template(options), XLSX, name)


def install(app: FastAPI) -> None:
    """Add the planner's pages."""
    app.get("/plannen/sjabloon.csv", tags=["plannen"], summary="CSV-sjabloon voor een plan")(
        lambda: _download(csv_template().encode("utf-8"), "text/csv; charset=utf-8",
                          "actieplan-sjabloon.csv"))

    @app.get("/plannen/sjabloon.xlsx", tags=["plannen"],
             summary="XLSX-sjabloon met keuzelijsten / XLSX template with drop-down lists")
    def xlsx(request: Request, netwerk: str | None = Query(
            None, pattern=r"^[a-z0-9._~%-]+$", description="Netwerksleutel")) -> Response:
        return template_xlsx(request, netwerk)

    app.get("/plannen/controleren", tags=["plannen"], response_class=HTMLResponse,
            summary="Formulier: een plan controleren")(upload_page)
    app.post("/plannen/controleren", tags=["plannen"],
             summary="Rapport van een plan (HTML, XLSX of JSON)")(check)
    app.post("/plannen/indienen", tags=["plannen"],
             summary="Een gecontroleerd plan indienen (aangemeld)")(submit)
