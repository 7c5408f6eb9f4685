"""The API documentation at ``/docs``: Swagger UI served from the package (``/static/swagger-ui``,
vendored from npm ``swagger-ui-dist``), inside the site's layout and under the site's strict
Content Security Policy (no CDN, no inline script). ``/redoc`` is not offered."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from .answers import render
from .i18n import _


def install(app: FastAPI) -> None:
    """Add ``GET /docs`` (FastAPI's own /docs and /redoc are switched off in ``app.py``)."""

    @app.get("/docs", tags=["service"], response_class=HTMLResponse, include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        return render(request, "api_docs.html", title=_("API-documentatie"),
                      openapi_url=app.openapi_url or "/openapi.json",
                      crumbs=[{"label": _("API-documentatie")}])
