"""The SPARQL editor page for browsers (``GET /sparql`` asking for HTML).

A form with a textarea and a run button, inside the site's layout; ``static/sparql-editor.js``
turns the textarea into YASQE (the editor of YASGUI, ``static/yasgui``, with SPARQL highlighting
and completion), runs the query with ``fetch`` and shows the result as a table in a box that
scrolls on its own. Tab leaves the editor (no keyboard trap, WCAG 2.1.2); Ctrl+] indents.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from .answers import render
from .i18n import _

FIRST_LOOK = {"name": "Eerste blik", "summary": "Klassen en hun aantallen",
              "query": "SELECT ?klasse (COUNT(?s) AS ?aantal)\nWHERE { ?s a ?klasse }\n"
                       "GROUP BY ?klasse\nORDER BY DESC(?aantal)\nLIMIT 50\n"}


def editor_examples(settings: Any) -> list[dict[str, str]]:
    """Example queries for the editor: a first look, then every named query."""
    examples = [dict(FIRST_LOOK)]
    try:
        from ..store.namedqueries import load_named_queries

        named = load_named_queries(settings.queries_dir)
    except Exception:  # noqa: BLE001 - the editor works without examples
        named = {}
    for nq in named.values():
        examples.append({"name": nq.name, "summary": nq.summary, "query": nq.text})
    return examples


def editor_page(request: Request, endpoint: str) -> HTMLResponse:
    """The editor page; ``endpoint`` is the public address shown (requests go to this site)."""
    examples = editor_examples(request.app.state.settings)
    response = render(request, "sparql_editor.html", title=_("SPARQL-editor"),
                      endpoint=endpoint, examples=examples, crumbs=[{"label": _("SPARQL-editor")}],
                      examples_json=json.dumps(examples, ensure_ascii=False)
                      .replace("</", "<\\/"))
    response.headers["Vary"] = "Accept"
    return response
