"""Two analyst questions answered in a real browser from the home page, without SPARQL: one via
the menu and a query page (3 clicks), one with the search box (one search). Screenshots of the
query page and the search page go to ``test-artifacts/``."""

from __future__ import annotations

import pytest
from browser_support import shot
from conftest import LiveServer

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")


def test_tasks_for_theme_5_in_three_clicks(page: object, live_server: LiveServer) -> None:
    """'Which tasks does the safety region have for theme 5, on which article?'"""
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Hoofdnavigatie").get_by_role(
        "link", name="Vragen").click()                                              # click 1
    page.wait_for_url("**/queries")
    page.get_by_role("link", name="Taken van de veiligheidsregio en hun wettelijke basis, "
                                  "per thema").click()                              # click 2
    page.wait_for_url("**/queries/taken-per-thema")
    page.get_by_label("Thema").select_option("5")
    page.get_by_role("button", name="Toon resultaat").click()                      # click 3
    page.wait_for_url("**/queries/taken-per-thema?thema=5")
    table = page.locator("table.query-result")
    assert "Meldkamerfunctie" in table.inner_text()
    assert table.get_by_role("link", name="Wvr art. 10 onderdeel g").count() == 1
    assert page.locator("table.query-result tbody tr").count() >= 3
    shot(page, "query-page-taken-thema-5.png")
    # the task's link leads to its page
    table.get_by_role("link", name="Meldkamerfunctie").first.click()
    page.wait_for_url("**/doc/taak/5-1")
    assert page.js_errors == []


def test_vitens_network_with_one_search(page: object, live_server: LiveServer) -> None:
    """'Who is in the Vitens network?' — one search from the home page."""
    page.goto(live_server.url + "/")
    box = page.get_by_label("Zoeken", exact=True)
    # suggestions while typing come from /zoeken.json (progressive enhancement)
    with page.expect_response(lambda r: "/zoeken.json" in r.url and r.status == 200):
        box.press_sequentially("Vite", delay=30)
    page.wait_for_function(
        "[...document.querySelectorAll('#zoek-suggesties option')].some(o => o.value == 'Vitens')")
    box.fill("Vitens")
    box.press("Enter")
    page.wait_for_url("**/zoeken?q=Vitens")
    results = page.locator("ol.search-results li")
    assert "Vitens" in results.first.inner_text()
    network = page.get_by_role("link", name="Regionaal netwerk drinkwater Vitens").first
    assert network.is_visible()
    shot(page, "search-page-vitens.png")
    network.click()
    page.wait_for_url("**/doc/netwerk/drinkwater-vitens")
    text = page.locator("main").inner_text()
    assert "Vitens" in text and "Veiligheidsregio" in text
    assert page.js_errors == []
