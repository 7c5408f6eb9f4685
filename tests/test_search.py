"""Search (/zoeken, /zoeken.json) against a live server: the analysts' terms find the right
resource first, hostile input is harmless, the box is on every page, and a restricted plan's
actions are found by those who may read them and by nobody else — also right after the
submission (the index follows writes)."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

import httpx
import pytest
from conftest import LiveServer
from plans_support import PlanServer, example, mark

BASE = "https://w3id.org/vitaalkg/id/"
MARKER = "Zoekgeheim4821"


def search(server: LiveServer, q: str, token: str | None = None, **params: str
           ) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(server.url + "/zoeken.json", params={"q": q, **params}, headers=headers,
                     timeout=60)


@pytest.mark.parametrize(("q", "iri", "kind"), [
    ("Vitens", "organisatie/vitens", "VitalCompany"),
    ("drinkwater", "sector/drinkwater", "Sector"),
    ("VR13", "veiligheidsregio/vr13", "SafetyRegion"),
    ("vr13", "veiligheidsregio/vr13", "SafetyRegion"),
    ("artikel 10", "wetsartikel/bwbr0027466-art-10", "LegalProvision"),
    ("Wvr 10", "wetsartikel/bwbr0027466-art-10", "LegalProvision"),
    ("art. 10 lid 2", "wetsartikel/bwbr0027466-art-10", "LegalProvision"),
    ("Wvr art. 14 lid 2 onderdeel d", "wetsartikel/bwbr0027466-art-14-lid-2-onderdeel-d",
     "LegalProvision"),
    ("continuiteit", "netwerk/continuiteit", "Network"),
    ("alarmering", "thema/5", "Theme"),
    ("2.4", "lac-doel/2.4", "AgendaGoal"),
])
def test_first_hit(live_server: LiveServer, q: str, iri: str, kind: str) -> None:
    r = search(live_server, q)
    assert r.status_code == 200, r.text
    body = r.json()
    first = body["hits"][0]
    assert (first["iri"], first["type"]) == (BASE + iri, kind), body["hits"][:3]
    assert first["href"] == "/doc/" + iri
    assert body["total"] >= 1 and any(f["type"] == kind for f in body["facets"])


def test_diacritics_prefix_and_facets(live_server: LiveServer) -> None:
    r = search(live_server, "continuiteit")
    assert any("Continuïteit" in h["label"] for h in r.json()["hits"])
    # while typing: a prefix finds the whole word
    assert search(live_server, "Vite").json()["hits"][0]["iri"] == BASE + "organisatie/vitens"
    assert search(live_server, "alarm").json()["hits"][0]["iri"] == BASE + "thema/5"
    # a facet narrows to one type, and its count is the total
    body = search(live_server, "drinkwater").json()
    facet = next(f for f in body["facets"] if f["type"] == "Network")
    only = search(live_server, "drinkwater", type="Network").json()
    assert only["total"] == facet["count"] > 1
    assert {h["type"] for h in only["hits"]} == {"Network"}


class Results(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.search_forms = 0
        self.labels: set[str] = set()
        self.ids: set[str] = set()
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        if tag == "form" and a.get("role") == "search":
            self.search_forms += 1
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"] or "")
        if a.get("id"):
            self.ids.add(a["id"] or "")


def test_html_results_and_search_box_on_every_page(live_server: LiveServer) -> None:
    r = httpx.get(live_server.url + "/zoeken", params={"q": "Vitens"},
                  headers={"Accept": "text/html"}, timeout=60)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = Results(r.text)
    assert "/doc/organisatie/vitens" in page.links
    assert any(link.startswith("/zoeken?q=Vitens&type=") for link in page.links)
    for path in ("/", "/doc/veiligheidsregio/vr13", "/queries", "/monitoring", "/def"):
        r = httpx.get(live_server.url + path, headers={"Accept": "text/html"}, timeout=60)
        page = Results(r.text)
        assert page.search_forms >= 1, path
        assert "zoekveld" in page.ids and "zoekveld" in page.labels, path
        assert "/monitoring" in page.links and "/queries" in page.links, path


def test_hostile_input(live_server: LiveServer) -> None:
    script = '<script>alert("x")</script>'
    r = httpx.get(live_server.url + "/zoeken", params={"q": script},
                  headers={"Accept": "text/html"}, timeout=60)
    assert r.status_code == 200
    assert script not in r.text and "&lt;script&gt;" in r.text
    r = httpx.get(live_server.url + "/zoeken", params={"q": "x" * 10_240}, timeout=60)
    assert r.status_code in (400, 413, 414, 431)
    r = search(live_server, "x" * 300)
    assert r.status_code == 400 and "te lang" in r.json()["detail"]
    for q in ['"', '""', "*", "-", "NEAR(a b)", "a NEAR/2 b", "a OR", "NOT", "(", ")",
              "{label}: x", "label:vitens", "^vitens", "vitens*", '"drink" -water', "' OR 1=1 --",
              "\x00", "   ", "é" * 50]:
        r = search(live_server, q)
        assert r.status_code == 200, (q, r.text)
        assert isinstance(r.json()["hits"], list)
    assert search(live_server, "vitens*").json()["hits"][0]["iri"] == BASE + "organisatie/vitens"


def test_concurrent_searches_agree(live_server: LiveServer) -> None:
    """Many clients at once (the server's thread pool shares one index): same answers."""
    from concurrent.futures import ThreadPoolExecutor

    terms = ["Vitens", "drinkwater", "VR13", "artikel 10", "continuiteit", "alarm", "2.4"] * 6
    expected = {t: search(live_server, t).json() for t in set(terms)}
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda t: (t, search(live_server, t)), terms))
    for term, r in answers:
        assert r.status_code == 200
        assert r.json() == expected[term], term


# -- restricted plans ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Iterator[dict[str, object]]:
    srv = PlanServer(tmp_path_factory.mktemp("search"), backend)
    srv.start()
    tokens = {"member": srv.token("--org", "VR06"), "other": srv.token("--org", "tennet"),
              "team": srv.token("--team")}
    before = search(srv, MARKER, tokens["member"]).json()
    r = srv.submit(mark(example("plan-drinkwater-vitens-correct.csv"), MARKER),
                   tokens["member"], allow_warnings="true")
    assert r.status_code == 201, r.text
    assert r.json()["visibility"] == "restricted"
    yield {"server": srv, "tokens": tokens, "before": before}
    srv.stop()


def test_restricted_actions_only_for_readers(plans: dict[str, object]) -> None:
    srv: PlanServer = plans["server"]  # type: ignore[assignment]
    tokens: dict[str, str] = plans["tokens"]  # type: ignore[assignment]
    assert plans["before"]["total"] == 0  # type: ignore[index]
    # the member and the project team find the actions right after the submission
    for who in ("member", "team"):
        body = search(srv, MARKER, tokens[who]).json()
        assert body["total"] >= 3, who
        assert {h["type"] for h in body["hits"]} == {"Action"}, who
        assert all(h["href"].startswith("/doc/actie/drinkwater-vitens-") for h in body["hits"])
    # outsiders: nothing, not even a count or a facet
    for token in (None, tokens["other"]):
        for q in (MARKER, MARKER[:6], f"{MARKER} oefening"):
            r = search(srv, q, token)
            assert r.status_code == 200
            assert r.json() == {"query": q, "total": 0, "facets": [], "hits": []}, (q, token)
        r = httpx.get(srv.url + "/zoeken", params={"q": MARKER},
                      headers={"Authorization": f"Bearer {token}"} if token else {}, timeout=60)
        assert "Niets gevonden" in r.text and '<span class="count-badge">0</span>' in r.text
        assert "/doc/actie/" not in r.text and "Uitval drinkwater" not in r.text
    # a bad token is refused, not treated as the public
    r = search(srv, MARKER, "vkg_nietgeldig")
    assert r.status_code == 401
