"""The four analyst questions of issue 12 answered in a real browser from the home page, without
SPARQL: each in at most 3 clicks (selecting a value in a form is no click) or one search.
Screenshots of the answer pages go to ``test-artifacts/``.

The open actions without financing come from a plan with gaps written to the store before the
server starts (the registry stores what it is given; ``POST /plans`` would refuse such a plan,
so this is how plans stored before a rule existed look)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_support import shot
from conftest import LiveServer
from test_monitoring import prefill

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")


# a Vitens plan with gaps: two active actions without financing (A2 open, A3 in uitvoering);
# finished and cancelled actions need none (A4, A5), A1 has financing
GAPS_CSV = "\n".join([
    "netwerk;actie;omschrijving;thema;status;verantwoordelijke;start;deadline;financiering",
    "drinkwater-vitens;A1;Uitval drinkwater beleggen in het regionaal crisisplan;3;open;VR06;"
    "2016-01-01;2099-12-31;BDUR",
    "drinkwater-vitens;A2;Noodwaterdistributie afspreken met de gemeenten;8;open;VR06;"
    "2016-01-01;2099-12-31;",
    "drinkwater-vitens;A3;Crisisplan drinkwater actualiseren;3;in uitvoering;vitens;"
    "2016-01-01;2099-06-30;",
    "drinkwater-vitens;A4;Contactlijst opgesteld;2;afgerond;;;;",
    "drinkwater-vitens;A5;Oude oefenlocatie inventariseren;4;vervallen;;;;", ""]).encode()


@pytest.fixture(scope="module")
def plans_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    store_dir = tmp_path_factory.mktemp("analyst-plans") / "store"
    prefill(store_dir, [("drinkwater-vitens", "plan-vitens-gaten.csv", GAPS_CSV, "public")])
    live = LiveServer(store_dir).start()
    yield live
    live.stop()


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


def test_open_actions_without_financing_in_two_clicks(page: object,
                                                      plans_server: LiveServer) -> None:
    """'Which open actions lack financing?' — home, monitoring, the count behind it."""
    page.goto(plans_server.url + "/")
    page.get_by_role("main").get_by_role("link", name="Monitoring actieplannen").click()  # click 1
    page.wait_for_url("**/monitoring")
    header = page.locator("section#netwerk table.monitor thead th")
    column = [h.strip() for h in header.all_inner_texts()].index("Zonder financiering")
    vitens = page.locator('section#netwerk tbody tr[data-key="drinkwater-vitens"]')
    cell = vitens.locator("th, td").nth(column)
    assert cell.inner_text().strip() == "2"
    cell.get_by_role("link").click()                                                 # click 2
    page.wait_for_url("**/queries/acties?**kenmerk=zonder-financiering**")
    table = page.locator("table.query-result")
    text = table.inner_text()
    assert page.locator("table.query-result tbody tr").count() == 2
    assert "Noodwaterdistributie afspreken met de gemeenten" in text
    assert "Crisisplan drinkwater actualiseren" in text
    for absent in ("Uitval drinkwater beleggen", "Contactlijst opgesteld",
                   "Oude oefenlocatie inventariseren"):
        assert absent not in text
    # statuses and the network as people read them, linked to their pages
    assert table.get_by_role("link", name="Regionaal netwerk drinkwater Vitens").count() == 2
    assert "https://" not in text and "xsd:" not in text
    shot(page, "query-page-acties-zonder-financiering.png")
    assert page.js_errors == []


def test_lac_goals_led_by_vakraad_in_2026_in_three_clicks(page: object,
                                                          live_server: LiveServer) -> None:
    """'Which LAC goals does the Vakraad lead in 2026?' — menu, question, form."""
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Hoofdnavigatie").get_by_role(
        "link", name="Vragen").click()                                              # click 1
    page.wait_for_url("**/queries")
    page.get_by_role("link", name="Doelen van de Landelijke Agenda Crisisbeheersing per "
                                  "regie en jaar").click()                          # click 2
    page.wait_for_url("**/queries/lac-doelen")
    regie = page.get_by_label("Regie (wie heeft de lead)")
    vakraad = [o for o in regie.locator("option").all_inner_texts() if "Vakraad" in o]
    assert len(vakraad) == 1, vakraad
    regie.select_option(label=vakraad[0])
    page.get_by_label("Jaar").select_option("2026")
    page.get_by_role("button", name="Toon resultaat").click()                      # click 3
    page.wait_for_url("**/queries/lac-doelen?**jaar=2026**")
    headers = [h.strip() for h in
               page.locator("table.query-result thead th").all_inner_texts()]
    rows = page.locator("table.query-result tbody tr")
    numbers = [rows.nth(i).locator("td").nth(headers.index("Nummer")).inner_text().strip()
               for i in range(rows.count())]
    leads = {rows.nth(i).locator("td").nth(headers.index("Regie")).inner_text().strip()
             for i in range(rows.count())}
    assert leads == {vakraad[0]}, leads
    # Bijlage 1 and the planning table of the MJP 2024-2028: the Vakraad (alone or with the
    # NIPV) leads these goals with 2026 among their years
    expected = ["1.12", "1.13", "1.14", "1.15", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6",
                "2.7", "2.8", "2.9", "2.10", "3.1", "3.2", "3.5", "3.6", "3.7", "3.8"]
    assert sorted(numbers, key=lambda n: [int(x) for x in n.split(".")]) == expected
    text = page.locator("table.query-result").inner_text()
    # not led by the Vakraad (1.11: "niet van toepassing"), or not in 2026 (1.5, 3.3)
    assert "Operationele slagkracht inrichten" not in text  # 1.5: 2024-2025
    assert "2026" in text
    shot(page, "query-page-lac-doelen-vakraad-2026.png")
    # the goal's link leads to its page
    page.locator("table.query-result").get_by_role(
        "link", name="Kennis en tools ontwikkelen voor nieuwe soorten crises").click()
    page.wait_for_url("**/doc/lac-doel/**")
    assert page.js_errors == []
