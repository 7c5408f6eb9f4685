"""Named queries for people: ``/queries`` and ``/queries/{name}`` as HTML pages.

A browser (best Accept match ``text/html``, or ``?format=html``) gets the query's title and
description, a plain GET form (one labelled field per parameter, choices from the knowledge base,
see :mod:`.query_forms`), the result as a table with labelled links to the ``/doc/`` pages,
pagination (grlc ``#+ pagination``) and downloads: ``?format=csv-nl`` (CSV for Dutch Excel: BOM,
``;``, decimal comma), ``?format=xlsx`` and the JSON of the API. Downloads hold all rows (not one
page; the service's result limit applies). Other clients keep the API's JSON/CSV unchanged
(:mod:`.queries_api`); ``format=csv-nl`` and ``format=xlsx`` are answered here as well.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from ..store.namedqueries import NamedQuery, NamedQueryError, parse_page
from .i18n import _, pick
from .negotiation import HTML, best_match
from .query_forms import form_fields
from .query_runner import QueryError, QueryJob
from .query_tables import columns, csv_nl, table_rows, xlsx
from .sparql import SparqlRequestError, apply_dataset_policy

PAGE_FORMATS = ("html", "csv-nl", "xlsx")
HEADERS = {"Vary": "Accept, Authorization", "Cache-Control": "private, no-cache"}
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Groups of the index: (question, English, tags); a query goes to the first group that shares a
# tag with it, else to "Overige vragen".
QUESTION_GROUPS: list[tuple[str, str, tuple[str, ...]]] = [
    ("Welke taken heeft de veiligheidsregio, en op grond van welk artikel?",
     "Which tasks does the safety region have, and on which article?",
     ("rolbeschrijving", "menukaart")),
    ("Wie zit in welk netwerk, en wie is aanspreekpunt of lead partner?",
     "Who is in which network, and who is contact or lead partner?",
     ("netwerken", "regio's", "organisaties")),
    ("Hoe staan de acties ervoor, en wat ontbreekt er?",
     "How are the actions doing, and what is missing?", ("actieplannen", "voortgang")),
    ("Wat staat er in de Landelijke Agenda en de sectoragenda's, en wie leidt het?",
     "What is in the national and sector agendas, and who leads?", ("lac", "sectoren")),
]


def page_format(nq: NamedQuery, request: Request, api_media: list[str]) -> str | None:
    """``html``, ``csv-nl`` or ``xlsx`` when this module answers the request, else None."""
    if nq.form != "SELECT":
        return None
    fmt = (request.query_params.get("format") or "").lower()
    if fmt:
        return fmt if fmt in PAGE_FORMATS else None
    return "html" if best_match(request.headers.get("accept"), [*api_media, HTML]) == HTML \
        else None


def wants_html_index(request: Request) -> bool:
    """Whether ``GET /queries`` should answer the HTML index (JSON stays the default)."""
    fmt = (request.query_params.get("format") or "").lower()
    if fmt:
        return fmt == "html"
    return best_match(request.headers.get("accept"), ["application/json", HTML]) == HTML


def _url(request: Request, **changes: str | None) -> str:
    items = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    items += [(k, v) for k, v in changes.items() if v is not None]
    return request.url.path + ("?" + urlencode(items) if items else "")


def _render(request: Request, context: dict[str, Any], status: int = 200) -> Response:
    from .pages import templates

    return templates.TemplateResponse(request, "query.html", context, status_code=status,
                                      headers=HEADERS)


async def answer(request: Request, name: str, nq: NamedQuery, text: str, fmt: str) -> Response:
    """The HTML page of a named query, or its CSV-nl / XLSX download."""
    app = request.app
    store, base = app.state.store, app.state.settings.base
    params = {k: v for k, v in request.query_params.items() if k not in ("format", "page")}
    context: dict[str, Any] = {
        "name": name, "nq": nq, "title": nq.summary or name,
        "fields": form_fields(store, base, nq, params), "error": None, "table": None,
        "crumbs": [{"label": _("Vragen"), "href": "/queries"}, {"label": nq.summary or name}],
    }
    missing = [p for p in nq.parameters if p.required and not params.get(p.name)
               and not p.default]
    if missing and fmt == "html" and not any(params.values()):
        context["prompt"] = _("Kies eerst: %(fields)s.") % {
            "fields": ", ".join(f.label for f in context["fields"] if f.required)}
        return _render(request, context)
    page = None
    try:
        if nq.page_size is not None and fmt == "html":
            page = parse_page(request.query_params.get("page"))
        substitutions = nq.bind(params, base=base)
    except NamedQueryError as exc:
        return _failed(request, context, fmt, 400, str(exc))
    job = QueryJob(query=text if page is None else nq.paginate(text, page),
                   result_format="json", substitutions=substitutions)
    try:
        await apply_dataset_policy(request, job)
        result = await app.state.query_runner.run(job)
    except (SparqlRequestError, QueryError) as exc:
        return _failed(request, context, fmt, exc.status, str(exc))
    data = json.loads(result.body)
    variables: list[str] = data["head"].get("vars", [])
    bindings: list[dict[str, Any]] = data.get("results", {}).get("bindings", [])
    if fmt == "csv-nl":
        return Response(csv_nl(variables, bindings), media_type="text/csv; charset=utf-8",
                        headers={**HEADERS, "Content-Disposition":
                                 f'attachment; filename="{name}.csv"'})
    if fmt == "xlsx":
        return Response(xlsx(name, variables, bindings), media_type=XLSX_MEDIA,
                        headers={**HEADERS, "Content-Disposition":
                                 f'attachment; filename="{name}.xlsx"'})
    cols = columns(variables)
    context["table"] = {"columns": cols, "rows": table_rows(store, base, cols, bindings)}
    context["count"] = len(bindings)
    if page is not None and nq.page_size is not None:
        context["paging"] = {
            "page": page, "size": nq.page_size,
            "prev": _url(request, page=str(page - 1)) if page > 1 else None,
            "next": _url(request, page=str(page + 1)) if len(bindings) >= nq.page_size
            else None}
    context["downloads"] = [
        (_("CSV (Excel, puntkomma)"), _url(request, format="csv-nl", page=None)),
        ("Excel (XLSX)", _url(request, format="xlsx", page=None)),
        ("JSON", _url(request, format="json")),
    ]
    return _render(request, context)


def _failed(request: Request, context: dict[str, Any], fmt: str, status: int,
            message: str) -> Response:
    if fmt != "html":
        return JSONResponse({"detail": message}, status_code=status, headers=HEADERS)
    context["error"] = message
    return _render(request, context, status)


def index(request: Request, named: dict[str, NamedQuery]) -> Response:
    """``/queries`` as HTML: the queries grouped by the question they answer."""
    from .pages import templates

    groups: list[dict[str, Any]] = [{"title": pick(t, en), "items": []}
                                    for t, en, _tags in QUESTION_GROUPS]
    other: dict[str, Any] = {"title": _("Overige vragen"), "items": []}
    for name, nq in named.items():
        target = other
        for group, (_t, _en, tags) in zip(groups, QUESTION_GROUPS, strict=True):
            if set(tags) & set(nq.tags):
                target = group
                break
        target["items"].append({"name": name, "nq": nq, "href": f"/queries/{name}"})
    shown = [g for g in [*groups, other] if g["items"]]
    return templates.TemplateResponse(request, "queries.html", {
        "groups": shown, "crumbs": [{"label": _("Vragen")}]}, headers=HEADERS)
