"""The domain pages in headless Chromium: an analyst's question answered from the home page in
a few clicks, and a screenshot of each page type in ``test-artifacts/``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_support import shot
from plans_support import PlanServer, example, revised_vitens_plan

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanServer]:
    srv = PlanServer(tmp_path_factory.mktemp("domain-browser"))
    srv.start()
    token = srv.token("--org", "VR06")
    for body in (example("plan-drinkwater-vitens-correct.csv"), revised_vitens_plan()):
        r = srv.submit(body, token, allow_warnings="true", visibility="public")
        assert r.status_code == 201, r.text
    yield srv
    srv.stop()


def test_tasks_of_theme_5_with_articles_within_three_clicks(page: object,
                                                              server: PlanServer) -> None:
    page.goto(server.url + "/")
    clicks = 0
    page.locator("ol.themes a[href='/doc/thema/5']").first.click()
    clicks += 1
    page.wait_for_url("**/doc/thema/5")
    tasks = page.locator("#taken + table tbody tr")
    assert tasks.count() == 4
    first = tasks.filter(has_text="Grootschalige alarmering")
    article = first.locator("a[href^='/doc/wetsartikel/']").first
    assert article.is_visible() and article.inner_text().strip()
    assert not article.inner_text().startswith("id/")
    assert clicks <= 3
    shot(page, "domain-theme.png")
    # one more click: the article itself
    article.click()
    page.wait_for_url("**/doc/wetsartikel/**")
    assert page.locator("h1").inner_text().strip()


@pytest.mark.parametrize("path, name, expect", [
    ("/doc/netwerk/drinkwater-vitens", "domain-network.png", "#leden"),
    ("/doc/actieplan/drinkwater-vitens", "domain-plan.png", "#geschiedenis"),
    ("/doc/veiligheidsregio/vr06", "domain-region.png", "#netwerken"),
    ("/plannen/drinkwater-vitens/verschil?van=1&naar=2", "domain-plan-diff.png", "h1"),
    ("/doc/taak/5-1", "domain-task.png", "#grondslag"),
    ("/doc/wetsartikel/bwbr0027466-art-10-onderdeel-g", "domain-article.png", "#taken"),
    ("/doc/lac-doel/2.4", "domain-lac-goal.png", "#planning"),
    ("/doc/sectoragenda/drinkwater", "domain-sector-agenda.png", "#verbeterpunten"),
    ("/doc/wet/bwbr0027466", "domain-law.png", "#artikelen"),
])
def test_screenshots(page: object, server: PlanServer, path: str, name: str,
                     expect: str) -> None:
    response = page.goto(server.url + path)
    assert response is not None and response.status == 200
    assert page.locator(expect).first.is_visible()
    shot(page, name)
