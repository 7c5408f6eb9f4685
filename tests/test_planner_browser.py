"""The planner's journey in a real browser (Debian's headless Chromium via Playwright): download
the template, fill it, check it, read the Dutch report, fix it, sign in, submit as restricted,
find the plan, submit a revision, read the diff — and the plan stays invisible to the public and
to another organisation. Every new page passes axe-core (WCAG 2.1 A/AA) and fits 320 px.

Screenshots go to ``test-artifacts/planner-*.png``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import audit, new_page, shot
from conftest import ROOT
from plans_support import PlanServer, running

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

NETWORK = "drinkwater-vitens"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanServer]:
    with running(tmp_path_factory.mktemp("planner-browser")) as srv:
        yield srv


def fill(path: Path, rows: list[tuple[object, ...]]) -> None:
    """Put action rows into the downloaded template, as a planner would in a spreadsheet."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb["Acties"]
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row, start=1):
            ws.cell(i, j, value)
    wb.save(path)


def action(ident: str, owner: str, status: str = "open", theme: int = 3) -> tuple[object, ...]:
    return (NETWORK, ident, f"Actie {ident} voor het netwerk", theme, status, owner,
            dt.datetime(2025, 1, 1), dt.datetime(2099, 6, 30), "reguliere capaciteit", 1000)


def upload(page: object, url: str, path: Path) -> None:
    page.goto(url + "/plannen/controleren")
    page.set_input_files("#bestand", str(path))
    page.get_by_role("button", name="Plan controleren").click()
    page.wait_for_load_state()


def test_planner_journey(browser: object, server: PlanServer, tmp_path: Path) -> None:
    member_token = server.token("--org", "VR06")
    other_token = server.token("--org", "tennet")
    page = new_page(browser)
    url = server.url

    # 1. the template for the network, from the upload page
    page.goto(url + "/plannen/controleren")
    assert page.locator("h1").inner_text() == "Actieplan controleren"
    shot(page, "planner-upload.png")
    audit(page, "planner-upload")
    page.select_option("#netwerk", NETWORK)
    with page.expect_download() as info:
        page.get_by_role("button", name="Sjabloon downloaden").click()
    plan = tmp_path / "actieplan.xlsx"
    info.value.save_as(str(plan))
    assert info.value.suggested_filename == f"actieplan-{NETWORK}.xlsx"

    # 2. three actions, one with an owner outside the network (VR13)
    fill(plan, [action("A1", "VR06"), action("A2", "vitens", "in uitvoering"),
                action("A3", "VR13")])
    upload(page, url, plan)
    assert page.locator("h1").inner_text() == "Het plan voldoet niet"
    assert "1 overtreding, 0 waarschuwingen, 3 acties" in page.locator("main").inner_text()
    group = page.locator("section.finding-group", has_text="Rij 4 — actie A3")
    text = group.inner_text()
    assert "De verantwoordelijke is geen lid van het netwerk" in text
    assert "VR13" in text and "verantwoordelijke" in text
    assert "VR06" in text and "Vitens" in text  # the members, with their codes
    assert page.locator("section.finding-group").count() == 1
    shot(page, "planner-report.png")
    audit(page, "planner-report")

    # the annotated spreadsheet: the offending cell is marked and commented
    with page.expect_download() as info:
        page.get_by_role("button",
                         name="Mijn spreadsheet met gemarkeerde cellen downloaden").click()
    marked = tmp_path / "gemarkeerd.xlsx"
    info.value.save_as(str(marked))
    import openpyxl

    cell = openpyxl.load_workbook(marked)["Acties"]["F4"]
    assert cell.value == "VR13" and "geen lid" in cell.comment.text

    # 3. fix it; not signed in, the report asks to sign in
    fill(plan, [action("A1", "VR06"), action("A2", "vitens", "in uitvoering"),
                action("A3", "VR05")])
    upload(page, url, plan)
    assert page.locator("h1").inner_text() == "Het plan voldoet"
    assert page.get_by_role("link", name="Meld u aan").count() == 1

    # 4. sign in with the organisation's token
    page.get_by_role("link", name="Meld u aan").click()
    page.wait_for_url("**/aanmelden**")
    shot(page, "planner-signin.png")
    audit(page, "planner-signin")
    page.fill("#token", member_token)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url("**/plannen/controleren")
    assert "Aangemeld: VR06" in page.locator("header").inner_text()

    # 5. submit as restricted; the plan's page shows it
    upload(page, url, plan)
    assert page.locator('input[name="zichtbaarheid"][value="restricted"]').is_checked()
    page.get_by_role("button", name="Plan indienen").click()
    page.wait_for_url(f"**/plannen/{NETWORK}?ingediend=1")
    assert "Versie 1 is opgeslagen" in page.locator("main").inner_text()
    assert page.locator("#acties + div table tbody tr").count() == 3
    assert "besloten" in page.locator("dl.stats").inner_text()
    shot(page, "planner-plan.png")
    audit(page, "planner-plan")

    # 6. a revision: A2 finished, A4 new; then the diff
    fill(plan, [action("A1", "VR06"), action("A2", "vitens", "afgerond"),
                action("A3", "VR05"), action("A4", "VR06", theme=5)])
    upload(page, url, plan)
    page.get_by_role("button", name="Plan indienen").click()
    page.wait_for_url(f"**/plannen/{NETWORK}?ingediend=2")
    page.get_by_role("link", name="Bekijk wat er veranderd is ten opzichte van versie 1").click()
    page.wait_for_url(f"**/plannen/{NETWORK}/verschil?van=1&naar=2")
    main = page.locator("main").inner_text()
    assert "1 toegevoegd, 0 verwijderd, 1 gewijzigd" in main
    changed = page.locator("#gewijzigd + div table tbody tr").first.inner_text()
    assert "A2" in changed and "status" in changed and "afgerond" in changed
    assert "A4" in page.locator("#toegevoegd + div table").first.inner_text()
    shot(page, "planner-diff.png")
    audit(page, "planner-diff")

    # the list, the statements, monitoring with the restricted plan
    page.goto(url + "/plannen")
    assert NETWORK in page.locator("main table").inner_text()
    audit(page, "planner-list")
    page.goto(url + "/monitoring")
    assert page.locator(f'section#netwerk tbody tr[data-key="{NETWORK}"]').count() == 1
    for path, name in (("/toegankelijkheid", "toegankelijkheid"), ("/colofon", "colofon")):
        page.goto(url + path)
        assert page.locator("footer a[href='/toegankelijkheid']").count() == 1
        shot(page, f"planner-{name}.png")
        audit(page, f"planner-{name}")
    assert page.js_errors == []

    # 7. invisible to the public and to another organisation's session
    anon = new_page(browser)
    response = anon.goto(url + f"/plannen/{NETWORK}")
    assert response.status == 404
    anon.goto(url + "/plannen")
    assert NETWORK not in anon.locator("main").inner_text()
    anon.goto(url + "/monitoring")
    assert anon.locator(f'section#netwerk tbody tr[data-key="{NETWORK}"]').count() == 0
    other = new_page(browser)
    other.goto(url + "/aanmelden")
    other.fill("#token", other_token)
    other.get_by_role("button", name="Aanmelden").click()
    other.wait_for_url("**/plannen")
    assert "Aangemeld: tennet" in other.locator("header").inner_text()
    assert NETWORK not in other.locator("main").inner_text()
    assert other.goto(url + f"/plannen/{NETWORK}").status == 404
    assert other.goto(url + f"/plannen/{NETWORK}/verschil?van=1&naar=2").status == 404

    # 8. sign out: the member's browser is the public again
    page.goto(url + "/plannen")
    page.get_by_role("button", name="Afmelden").click()
    page.wait_for_url(url + "/")
    assert page.goto(url + f"/plannen/{NETWORK}").status == 404


def test_upload_form_works_without_javascript(browser: object, server: PlanServer) -> None:
    page = new_page(browser, java_script_enabled=False)
    page.goto(server.url + "/plannen/controleren?lang=en")
    page.set_input_files("#bestand",
                         str(ROOT / "data/examples/plan-drinkwater-vitens-defecten.csv"))
    page.get_by_role("button", name="Check plan").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "The plan does not conform"
    assert page.locator("section.finding-group", has_text="Row 7 — action A5").count() == 1
    assert "Choose a member of the plan's network" in page.locator("main").inner_text()
    shot(page, "planner-report-en.png")
