"""Accessibility in a real browser (headless Chromium): every page type passes axe-core
(WCAG 2.1 A/AA) and does not scroll sideways at 320 px, signed out and signed in; the API
documentation is served from the package under the strict Content Security Policy; the SPARQL
editor can be left with the keyboard (WCAG 2.1.2) and works at 320 px.

Screenshots at 320 px go to ``test-artifacts/a11y-*-320.png``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_support import audit, axe_violations, new_page, page_width_at, shot, sign_in
from conftest import ROOT
from plans_support import PlanServer, example, revised_vitens_plan, running

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.sync_api")

NETWORK = "drinkwater-vitens"
QUERY = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?regio ?label WHERE {
  ?regio skos:prefLabel ?label .
  FILTER(?regio = <https://w3id.org/vitaalkg/id/veiligheidsregio/vr13> && lang(?label) = "nl")
}"""

#: one page of every type (path, what must be on it)
PAGES = [
    ("/", "ol.themes"),
    ("/zoeken?q=Vitens", "ol.search-results li"),
    ("/queries", "main a[href='/queries/taken-per-thema']"),
    ("/queries/taken-per-thema?thema=5", "table.query-result tbody tr"),
    ("/doc/thema/5", "#taken"),
    ("/doc/veiligheidsregio/vr06", "#netwerken"),
    (f"/doc/netwerk/{NETWORK}", "#leden"),
    (f"/doc/actieplan/{NETWORK}", "#geschiedenis"),
    ("/doc/taak/5-1", "#grondslag"),
    ("/doc/wetsartikel/bwbr0027466-art-10-onderdeel-g", "#taken"),
    ("/doc/lac-doel/2.4", "#planning"),
    ("/doc/sectoragenda/drinkwater", "#verbeterpunten"),
    ("/doc/wet/bwbr0027466", "#artikelen"),
    ("/doc/veiligheidsregio", "table.list tbody tr"),
    ("/lijst?klasse=https%3A%2F%2Fw3id.org%2Fvitaalkg%2Fdef%2FSafetyRegion", "table tbody tr"),
    ("/def", "h1"),
    ("/def/Action", "h1"),
    ("/dataset", "h1"),
    ("/monitoring", "section#netwerk"),
    ("/plannen", "main table"),
    (f"/plannen/{NETWORK}", "dl.stats"),
    (f"/plannen/{NETWORK}/verschil?van=1&naar=2", "#gewijzigd"),
    ("/plannen/controleren", "#bestand"),
    ("/sparql", ".sparql-editor .CodeMirror"),
    ("/docs", ".swagger-ui .opblock"),
    ("/toegankelijkheid", "h1"),
    ("/colofon", "h1"),
    ("/aanmelden", "#token"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanServer]:
    """A server with a public plan of two versions (plan page, diff) and a member's token."""
    with running(tmp_path_factory.mktemp("a11y-browser")) as srv:
        srv.member_token = srv.token("--org", "VR06")
        for body in (example("plan-drinkwater-vitens-correct.csv"), revised_vitens_plan()):
            r = srv.submit(body, srv.member_token, allow_warnings="true", visibility="public")
            assert r.status_code == 201, r.text
        yield srv


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
def test_every_page_type_passes_axe_and_fits_320(browser: object, server: PlanServer,
                                                signed_in: bool) -> None:
    page = new_page(browser)
    state = "in" if signed_in else "uit"
    if signed_in:
        sign_in(page, server.url, server.member_token)
    for path, expect in PAGES:
        response = page.goto(server.url + path)
        assert response is not None and response.status == 200, path
        page.locator(expect).first.wait_for(state="attached", timeout=15000)
        header = page.locator("header.site-header").inner_text()
        assert ("Aangemeld: VR06" in header) == signed_in, path
        name = path.split("?")[0].strip("/").replace("/", "-") or "home"
        audit(page, f"a11y-{state}-{name}")

    # the planner's report after an upload, and the error page
    page.goto(server.url + "/plannen/controleren")
    page.set_input_files("#bestand",
                         str(ROOT / "data/examples/plan-drinkwater-vitens-defecten.csv"))
    page.get_by_role("button", name="Plan controleren").click()
    page.wait_for_load_state()
    assert page.locator("section.finding-group").count() >= 1
    audit(page, f"a11y-{state}-rapport")
    assert page.js_errors == [] and page.console_errors == []
    response = page.goto(server.url + "/doc/veiligheidsregio/bestaat-niet")
    assert response is not None and response.status == 404
    audit(page, f"a11y-{state}-404")
    assert page.foreign_requests == []
    page.context.close()


def test_api_docs_are_served_from_the_package(browser: object, server: PlanServer) -> None:
    """/docs shows the operations with Swagger UI from /static, under the strict CSP: no request
    to another host, no console or CSP error, no axe violation (also with an operation open and
    its answer shown)."""
    page = new_page(browser)
    response = page.goto(server.url + "/docs")
    assert response is not None and response.status == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    assert "cdn" not in csp and "cdn" not in page.content().lower()
    sparql = page.locator("#operations-sparql-sparql_get_sparql_get")
    sparql.wait_for(state="visible", timeout=15000)
    assert page.locator(".opblock-summary-path[data-path='/queries']").count() == 1
    assert page.locator(".opblock-summary-path[data-path='/queries/taken-per-thema']").count() >= 1
    assert page.locator(".opblock-summary-path[data-path='/plans']").count() >= 1
    assert "vitaalkg" in page.locator(".swagger-ui .info .title").inner_text()
    assert axe_violations(page) == []
    # open the named-query list, try it out: the answer is shown
    queries = page.locator("#operations-queries-list_queries_queries_get")
    queries.locator(".opblock-summary-control").click()
    queries.locator(".try-out__btn").click()
    queries.locator(".execute").click()
    queries.locator(".live-responses-table .response-col_status").first.wait_for()
    assert "200" in queries.locator(".live-responses-table").inner_text()
    plans = page.locator("#operations-plannen-post_plan_plans_post")
    plans.locator(".opblock-summary-control").click()
    plans.locator(".try-out__btn").click()
    shot(page, "a11y-docs.png")
    audit(page, "a11y-docs-open")
    assert page.console_errors == [] and page.js_errors == []
    assert page.foreign_requests == []
    assert page.goto(server.url + "/redoc").status == 404
    page.context.close()


def test_sparql_editor_keyboard_and_narrow(browser: object, server: PlanServer) -> None:
    """Tab leaves the editor for the run button, Shift+Tab comes back, Ctrl+] indents; the hint
    saying so is the editor's description; at 320 px the page does not scroll sideways, before
    and after a result; axe finds nothing before and after the query."""
    page = new_page(browser)
    page.goto(server.url + "/sparql")
    page.locator(".sparql-editor .CodeMirror").wait_for(timeout=15000)
    assert axe_violations(page) == []
    assert page_width_at(page) <= 320
    editor = page.locator("#query-editor")
    hint = page.locator("#editor-hint").inner_text()
    assert editor.get_attribute("aria-describedby") == "editor-hint"
    assert "Tab" in hint and "Ctrl" in hint
    assert page.get_by_label("SPARQL-query").evaluate("e => e.id") == "query-editor"

    # keyboard only: into the editor, write, indent, out with Tab, back with Shift+Tab
    editor.focus()
    page.keyboard.press("Control+a")
    page.keyboard.type("SELECT * WHERE { ?s ?p ?o }")
    page.keyboard.press("Home")
    page.keyboard.press("Control+]")
    value = page.locator(".CodeMirror").evaluate("e => e.CodeMirror.getValue()")
    assert value.startswith("  SELECT") and "\t" not in value
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "run"
    assert "\t" not in page.locator(".CodeMirror").evaluate("e => e.CodeMirror.getValue()")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "query-editor"
    page.keyboard.press("Escape")  # Esc leaves it too; Tab then goes on from the editor
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "run"

    # an example into the editor, then a query run from the keyboard (Enter on the button)
    page.get_by_role("button", name="taken-per-thema").click()
    assert "taak" in page.locator(".CodeMirror").evaluate("e => e.CodeMirror.getValue()").lower()
    page.locator(".CodeMirror").evaluate("(e, q) => e.CodeMirror.setValue(q)", QUERY)
    page.locator("#run").focus()
    page.keyboard.press("Enter")
    table = page.locator("#result table.sparql-table")
    table.wait_for(timeout=15000)
    assert "Amsterdam-Amstelland" in table.inner_text()
    assert page.locator("#result-status").inner_text().startswith("1 resultaat")
    assert table.locator("a[href='/doc/veiligheidsregio/vr13']").count() == 1
    shot(page, "a11y-sparql.png")
    audit(page, "a11y-sparql-result")
    # a long result stays inside its own box at 320 px
    page.locator(".CodeMirror").evaluate(
        "(e, q) => e.CodeMirror.setValue(q)",
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 40")
    editor.focus()
    page.keyboard.press("Control+Enter")  # in the editor, Ctrl+Enter runs the query
    page.locator("#result-status").filter(has_text="40 resultaten").wait_for(timeout=15000)
    audit(page, "a11y-sparql-result-long")
    assert page.js_errors == [] and page.console_errors == []
    assert page.foreign_requests == []
    page.context.close()
