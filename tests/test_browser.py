"""The pages in a real browser: Debian's headless Chromium driven by Playwright.

Screenshots go to ``test-artifacts/`` at the repository root (not in git).
"""

from __future__ import annotations

import pytest
from browser_support import shot
from conftest import LiveServer

pytestmark = pytest.mark.browser

QUERY = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?label WHERE {
  <https://w3id.org/vitaalkg/id/veiligheidsregio/vr13> skos:prefLabel ?label
}"""

pytest.importorskip("playwright.sync_api")


def test_home_region_and_network(page: object, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert "Kennisbank crisisbeheersing" in page.locator("header").inner_text()
    themes = page.locator("ol.themes li")
    assert themes.count() == 8
    shot(page, "home.png")

    # from the home page to the list of regions, then to VR13
    page.get_by_role("link", name="De 25 veiligheidsregio's").first.click()
    page.wait_for_url("**/doc/veiligheidsregio")
    assert page.locator("table.list tbody tr").count() == 25
    page.locator('a[href="/doc/veiligheidsregio/vr13"]').first.click()
    page.wait_for_url("**/doc/veiligheidsregio/vr13")
    assert "Amsterdam-Amstelland" in page.locator("h1").inner_text()
    # the stylesheet is applied (header bar in dark blue)
    colour = page.locator(".site-nav").evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(21, 66, 115)"
    shot(page, "region-vr13.png")

    # follow a "lid van" link to one of its networks
    link = page.locator("section#verwijzingen, section[aria-labelledby=verwijzingen]") \
        .locator('a[href^="/doc/netwerk/"]').first
    name = link.inner_text()
    link.click()
    page.wait_for_url("**/doc/netwerk/**")
    assert page.locator("h1").inner_text() == name
    assert page.locator('a[href="/doc/veiligheidsregio/vr13"]').count() >= 1
    assert page.js_errors == []


def test_sparql_editor_runs_a_query(page: object, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/sparql")
    editor = page.locator(".sparql-editor .CodeMirror")
    editor.wait_for(state="visible", timeout=5000)  # YASQE over the form's textarea
    assert not page.locator("textarea[name=query]").is_visible()
    editor.evaluate("(el, q) => el.CodeMirror.setValue(q)", QUERY)
    page.get_by_role("button", name="Uitvoeren").click()
    result = page.locator("#result table").filter(has_text="Amsterdam-Amstelland")
    result.first.wait_for(state="visible", timeout=15000)
    assert "Amsterdam-Amstelland" in result.first.inner_text()
    shot(page, "sparql.png")
    assert page.js_errors == []


def test_language_switch_in_the_header(browser: object, live_server: LiveServer) -> None:
    """Dutch for a Dutch browser; the header's switch (a plain link: works without JavaScript)
    gives the same page in English and is remembered on the next page, and back again."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL",
                                  java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/doc/thema/1")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("h1").inner_text() == "Inrichten en faciliteren regionale netwerken"
    switch = page.locator("header a.language-switch")
    assert switch.inner_text() == "English" and switch.get_attribute("lang") == "en"
    switch.click()
    page.wait_for_url("**/doc/thema/1")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Setting up and facilitating regional networks"
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("link", name="Networks").click()
    page.wait_for_url("**/doc/netwerk")
    assert page.locator("html").get_attribute("lang") == "en"  # remembered
    assert page.locator("header a.language-switch").inner_text() == "Nederlands"
    shot(page, "language-en.png")
    page.locator("header a.language-switch").click()
    page.wait_for_url("**/doc/netwerk")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.get_by_role("navigation", name="Hoofdnavigatie").count() == 1
    context.close()
