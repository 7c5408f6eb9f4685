"""``/monitoring``: progress of the action plans per sector, network and theme.

Routes (all GET/HEAD, all take ``?peildatum=YYYY-MM-DD``, default today):
- ``/monitoring``             HTML page; JSON with ``Accept: application/json`` or ``?format=json``
- ``/monitoring.json``        the whole report as JSON
- ``/monitoring/{view}.json`` one view as JSON           (view: ``sector``, ``netwerk``, ``thema``)
- ``/monitoring/{view}.csv``  one view as CSV: UTF-8 with BOM, ``;`` separated, decimal comma
  (opens directly in Dutch Excel; parse with ``csv.reader(..., delimiter=";")``)
- ``/monitoring/{view}.svg``  one view as SVG bar chart

Figures count only the current version of each plan the caller may read (see
:mod:`vitaalkg.monitoring`); answers are therefore ``Cache-Control: private`` and vary on
``Authorization``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from markupsafe import Markup

from ..plans.monitoring import (
    OTHER,
    STATUS_KEYS,
    STATUSES,
    VIEW_LABELS,
    VIEWS,
    MonitoringError,
    Report,
    Row,
    View,
    monitoring_report,
    parse_reference_date,
)
from ..plans.tokens import PUBLIC, Principal
from .charts import COLOURS, STATUS_LABELS, bar_chart, percent, status_label
from .i18n import _, is_english, pick
from .negotiation import HTML, best_match

try:  # plan submission brings authentication; without it everyone is the public
    from .access import principal_from_request
except ImportError as _exc:  # pragma: no cover - depends on which modules are installed
    if getattr(_exc, "name", None) not in (None, "vitaalkg.web.access"):
        raise

    def principal_from_request() -> Principal:
        """Fallback while ``vitaalkg.web.access`` does not exist: the public."""
        return PUBLIC


router = APIRouter(tags=["monitoring"])
HEADERS = {"Cache-Control": "private, no-cache", "Vary": "Accept, Authorization"}
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")
CSV_COLUMNS = (
    ("peildatum", None), ("sleutel", "key"), ("naam", "label"), ("acties", "actions"),
    *((STATUS_LABELS[k].lower(), k) for k in STATUS_KEYS),
    ("aandeel afgerond (%)", "share_finished"), ("te laat", "late"),
    ("zonder verantwoordelijke", "missing_owner"), ("zonder planning", "missing_planning"),
    ("zonder financiering", "missing_financing"), ("onvolledig", "incomplete"), ("iri", "iri"),
)
Peildatum = Annotated[str | None, Query(
    description="Peildatum JJJJ-MM-DD voor 'te laat' (standaard vandaag)",
    examples=["2017-01-01"])]
Caller = Annotated[Principal, Depends(principal_from_request)]


MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")


def dutch_date(day: dt.date) -> str:
    """``5 december 2026`` (``5 December 2026`` on English pages)."""
    return f"{day.day} {(MONTHS_EN if is_english() else MONTHS)[day.month - 1]} {day.year}"


def dutch_datetime(value: str | None) -> str:
    if not value:
        return "–"
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return f"{dutch_date(moment.date())}, {moment:%H:%M}" + (" UTC" if moment.tzinfo else "")


def _report(request: Request, principal: Principal, peildatum: str | None) -> Report:
    settings = request.app.state.settings
    return monitoring_report(request.app.state.store, settings.base, principal,
                             parse_reference_date(peildatum))


def _bad_date(request: Request, exc: MonitoringError, html: bool) -> Response:
    if html:
        from .pages import templates

        return templates.TemplateResponse(
            request, "error.html", {"base": request.app.state.settings.base,
                                    "title": _("Ongeldige peildatum"), "message": str(exc)},
            status_code=400)
    return JSONResponse({"error": str(exc)}, status_code=400, headers=HEADERS)


def _json(data: Any) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    return Response(body, media_type="application/json", headers=HEADERS)


def chart_title(view: str, day: dt.date) -> str:
    return _("Acties per status, %(view)s (peildatum %(day)s)") % {
        "view": pick(*VIEW_LABELS[view]).lower(), "day": dutch_date(day)}


def view_csv(view: View, day: dt.date) -> bytes:
    """One view as CSV for Dutch spreadsheets: BOM, ``;``, decimal comma, CRLF."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow([name for name, _attr in CSV_COLUMNS])
    for row in view.rows:
        writer.writerow([_csv_cell(row, attr, day) for _name, attr in CSV_COLUMNS])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _csv_cell(row: Row, attr: str | None, day: dt.date) -> str:
    if attr is None:
        return day.isoformat()
    if attr in STATUS_KEYS:
        return str(row.by_status[attr])
    if attr == "share_finished":
        share = row.share_finished
        return "" if share is None else f"{share * 100:.1f}".replace(".", ",")
    value = getattr(row, attr)
    return "" if value is None else str(value)


def _doc_href(iri: str | None, base: str) -> str | None:
    if iri and iri.startswith(base + "id/"):
        return "/doc/" + iri[len(base + "id/"):]
    return None


KENMERK = {"late": "te-laat", "missing_owner": "zonder-eigenaar",
           "missing_planning": "zonder-planning", "missing_financing": "zonder-financiering",
           "incomplete": "onvolledig"}


def list_href(base: str, day: dt.date, view: str | None, row: Row | None,
              figure: str | None) -> str | None:
    """The query page listing the actions behind one count (named query ``acties``): the row's
    sector, network or theme and the figure's status or 'kenmerk' as filters; None for a count
    that no filter can select (no sector, no theme, an invalid status)."""
    params: list[tuple[str, str]] = []
    if view is not None and row is not None:
        ids = base + "id/"
        if not row.iri or not row.iri.startswith(ids):  # 'no sector', 'no theme'
            return None
        key = row.iri[len(ids):]  # sector/…, netwerk/…, thema/5
        if view == "thema":  # the query filters on the theme's number
            if not key.startswith("thema/"):
                return None
            key = key[len("thema/"):]
        params.append((view, key))
    if figure in STATUSES:
        params.append(("status", figure))
    elif figure in KENMERK:
        params.append(("kenmerk", KENMERK[figure]))
    elif figure is not None:
        return None
    params.append(("peildatum", day.isoformat()))
    return "/queries/acties?" + urlencode(params)


def _page(request: Request, report: Report, peildatum: str | None) -> Response:
    from .pages import templates

    base = request.app.state.settings.base
    day = report.reference_date
    query = f"?peildatum={day.isoformat()}" if peildatum else ""
    views = []
    for name, view in report.views.items():
        views.append({
            "name": name, "label": pick(*VIEW_LABELS[name]),
            "view": view,
            "chart": Markup(bar_chart(view, chart_title(name, day), id_prefix=f"chart-{name}")),
            "hrefs": {suffix: f"/monitoring/{name}.{suffix}{query}"
                      for suffix in ("csv", "svg", "json")},
            "show_other": view.total.by_status[OTHER] > 0,
        })
    submissions = [s for s in report.submissions if s.submitted]
    return templates.TemplateResponse(request, "monitoring.html", {
        "base": base, "report": report, "views": views, "day": day,
        "day_text": dutch_date(day), "today": dt.date.today().isoformat(),
        "submissions": submissions, "never": report.never_submitted,
        "networks_total": len(report.submissions),
        "statuses": [(k, status_label(k), COLOURS[k][0]) for k in STATUS_KEYS],
        "main_statuses": list(STATUSES), "percent": percent,
        "doc_href": lambda iri: _doc_href(iri, base), "when": dutch_datetime,
        "list_href": lambda view, row, figure: list_href(base, day, view, row, figure),
        "json_href": f"/monitoring.json{query}",
        "crumbs": [{"label": "monitoring"}],
    }, headers=HEADERS)


@router.head("/monitoring", include_in_schema=False)
@router.get("/monitoring", operation_id="monitoring",
            summary="Voortgang actieplannen (HTML; JSON met Accept: application/json "
                    "of ?format=json)")
def monitoring(request: Request, principal: Caller, peildatum: Peildatum = None,
               format: Annotated[str | None, Query(  # noqa: A002
                   pattern="^(html|json)$", description="html of json (anders via Accept)")
               ] = None) -> Response:
    fmt = format or ("json" if best_match(request.headers.get("accept"),
                                          [HTML, "application/json"]) == "application/json"
                     else "html")
    try:
        report = _report(request, principal, peildatum)
    except MonitoringError as exc:
        return _bad_date(request, exc, fmt == "html")
    if fmt == "json":
        return _json(report.as_dict())
    return _page(request, report, peildatum)


@router.head("/monitoring.json", include_in_schema=False)
@router.get("/monitoring.json", operation_id="monitoring_json",
            summary="Voortgang actieplannen als JSON (alle overzichten)")
def monitoring_json(request: Request, principal: Caller,
                    peildatum: Peildatum = None) -> Response:
    try:
        return _json(_report(request, principal, peildatum).as_dict())
    except MonitoringError as exc:
        return _bad_date(request, exc, False)


@router.head("/monitoring/{name}", include_in_schema=False)
@router.get("/monitoring/{name}", operation_id="monitoring_view",
            summary="Eén overzicht (sector, netwerk, thema) als .csv, .svg of .json")
def monitoring_view(name: str, request: Request, principal: Caller,
                    peildatum: Peildatum = None) -> Response:
    view_name, _, suffix = name.partition(".")
    if view_name not in VIEWS or suffix not in ("", "csv", "svg", "json"):
        return JSONResponse(
            {"error": f"onbekend overzicht '{name}'; kies uit "
                      + ", ".join(f"{v}.csv, {v}.svg, {v}.json" for v in VIEWS)},
            status_code=404)
    if not suffix:
        query = f"?peildatum={peildatum}" if peildatum else ""
        return RedirectResponse(f"/monitoring{query}#{view_name}", status_code=303)
    try:
        report = _report(request, principal, peildatum)
    except MonitoringError as exc:
        return _bad_date(request, exc, False)
    view, day = report.views[view_name], report.reference_date
    if suffix == "json":
        return _json({"reference_date": day.isoformat(), "viewer": report.principal,
                      **view.as_dict()})
    if suffix == "svg":
        svg = bar_chart(view, chart_title(view_name, day), id_prefix=f"chart-{view_name}")
        return Response(('<?xml version="1.0" encoding="UTF-8"?>\n' + svg).encode("utf-8"),
                        media_type="image/svg+xml", headers=HEADERS)
    filename = f"monitoring-{view_name}-{day.isoformat()}.csv"
    return Response(view_csv(view, day), media_type="text/csv; charset=utf-8",
                    headers={**HEADERS,
                             "Content-Disposition": f'attachment; filename="{filename}"'})


def install(app: FastAPI) -> None:
    """Add the monitoring routes."""
    app.include_router(router)
