"""The monitoring page in a real browser (Debian's headless Chromium via Playwright).

Saves ``test-artifacts/monitoring.png`` (full page) and ``monitoring-narrow.png`` (phone width).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import ARTIFACTS, LiveServer
from test_monitoring import prefill

pytestmark = pytest.mark.browser




@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    store_dir = tmp_path_factory.mktemp("monitoring-browser") / "store"
    prefill(store_dir)
    live = LiveServer(store_dir).start()
    yield live
    live.stop()


def test_monitoring_page_screenshot(browser: object, server: LiveServer) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL",
                                  java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + "/monitoring?peildatum=2017-01-01")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert "Voortgang van de actieplannen" in page.locator("h1").inner_text()
    # three charts, each with one bar per table row, and the data table next to it
    for view, rows in (("sector", 6), ("netwerk", 3), ("thema", 9)):
        section = page.locator(f"section#{view}")
        assert section.locator("svg g.bar").count() == rows
        assert section.locator("table tbody tr").count() == rows
        box = section.locator("svg").bounding_box()
        assert box is not None and box["width"] > 600 and box["height"] > 100
    vitens = page.locator('section#netwerk tbody tr[data-key="drinkwater-vitens"] td')
    assert vitens.nth(0).inner_text() == "5"
    assert "25%" in page.locator('section#netwerk tbody tr[data-key="drinkwater-vitens"]') \
        .inner_text()
    # the nav marks the page; the summary shows the totals
    assert page.locator('.site-nav a[aria-current="page"]').inner_text() == "Monitoring"
    assert "12" in page.locator("dl.stats").inner_text()
    # the reference-date form works without JavaScript
    page.fill("#peildatum", "2016-12-01")
    page.get_by_role("button", name="Toon overzicht").click()
    page.wait_for_url("**peildatum=2016-12-01")
    late = page.locator('section#netwerk tbody tr[data-key="drinkwater-vitens"] td').nth(6)
    assert late.inner_text() == "1"
    page.goto(server.url + "/monitoring?peildatum=2017-01-01")
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "monitoring.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 50_000
    page.set_viewport_size({"width": 420, "height": 900})
    narrow = ARTIFACTS / "monitoring-narrow.png"
    page.screenshot(path=str(narrow), full_page=True)
    assert narrow.stat().st_size > 20_000
    context.close()
