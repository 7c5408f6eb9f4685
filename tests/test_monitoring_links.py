"""Every count on /monitoring links to the list of the actions behind it (the query page of the
named query ``acties`` with the filters set), and that list holds exactly that many actions —
for a reader of a restricted plan, with a live server and a real plan."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest
from plans_support import PlanServer, example

LINK = re.compile(r'<a href="(/queries/acties\?[^"]+)">(\d+)</a>')


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Iterator[tuple[PlanServer,
                                                                                      str]]:
    srv = PlanServer(tmp_path_factory.mktemp("monitoring-links"), backend)
    srv.start()
    team = srv.token("--team")
    r = srv.submit(example("plan-drinkwater-vitens-correct.csv"), team, allow_warnings="true")
    assert r.status_code == 201, r.text
    assert r.json()["visibility"] == "restricted"
    yield srv, team
    srv.stop()


def test_every_count_links_to_its_actions(server: tuple[PlanServer, str]) -> None:
    srv, team = server
    r = srv.get("/monitoring", team, params={"peildatum": "2017-01-01"},
                headers={"Accept": "text/html"})
    assert r.status_code == 200
    links = [(unescape(href), int(n)) for href, n in LINK.findall(r.text)]
    figures = srv.get("/monitoring.json", team, params={"peildatum": "2017-01-01"}).json()
    total = figures["views"]["sector"]["total"]
    # the summary, every view's rows and totals: statuses, late, missing parts
    assert len(links) > 20
    kinds = {m for href, _ in links for m in re.findall(r"(?:status|kenmerk)=([a-z-]+)", href)}
    assert {"open", "in-uitvoering", "afgerond", "vervallen", "te-laat"} <= kinds
    assert any("sector=sector%2F" in h for h, _ in links)
    assert any("netwerk=netwerk%2F" in h for h, _ in links)
    assert any("thema=" in h for h, _ in links)
    assert ("/queries/acties?peildatum=2017-01-01", total["actions"]) in links
    checked = 0
    for href, n in sorted(set(links)):
        listing = srv.get(href + "&format=json", team)
        assert listing.status_code == 200, (href, listing.text)
        body = listing.json()
        assert body["count"] == n, (href, n, body["count"])
        assert len({row["actie"] for row in body["rows"]}) == n
        checked += 1
    assert checked == len(set(links))
    # the outsider (no token) sees no restricted action, so no count and no link to them
    r = srv.get("/queries/acties", None, params={"format": "json"})
    assert r.json()["count"] == 0
