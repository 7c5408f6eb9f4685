"""Monitoring of progress (/monitoring): real numbers from the example plans on a real server.

The store of the test server is filled BEFORE it starts: the knowledge base plus plan versions
written with :meth:`PlanRegistry.submit` from the files in ``data/examples/`` (the defect
examples too: monitoring counts what was stored, and the registry itself does not validate):

- ``drinkwater-vitens``: v1 = ``plan-drinkwater-vitens-defecten.csv`` (13 actions), v2 =
  ``plan-drinkwater-vitens-correct.csv`` (5 actions, the current one), public;
- ``elektriciteit-liander``: ``plan-elektriciteit-liander-defecten.xlsx`` (5 actions), public;
- ``continuiteit``: ``plan-nationaal-defecten.ttl`` (2 actions, N2 without theme), public;
- ``drinkwater-evides``: the correct Vitens CSV under the Evides network key, RESTRICTED.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import ROOT, LiveServer

from vitaalkg.config import Settings
from vitaalkg.plans.loading import load_all
from vitaalkg.plans.monitoring import (
    Monitor,
    MonitoringError,
    monitoring_report,
    parse_reference_date,
)
from vitaalkg.plans.registry import PlanRegistry
from vitaalkg.plans.tokens import PUBLIC, Principal, TokenRegistry
from vitaalkg.store import EmbeddedStore
from vitaalkg.validation.inputs import read_plan
from vitaalkg.web.charts import bar_chart

EXAMPLES = ROOT / "data" / "examples"
BASE = "https://w3id.org/vitaalkg/"
PEIL = "2017-01-01"
SVG = "{http://www.w3.org/2000/svg}"
TEAM = Principal(team=True)
EVIDES_CSV = (EXAMPLES / "plan-drinkwater-vitens-correct.csv").read_bytes().replace(
    b"drinkwater-vitens", b"drinkwater-evides")

#: (network key, file name, content, visibility), in submission order
PLANS: list[tuple[str, str, bytes, str]] = [
    ("drinkwater-vitens", "plan-drinkwater-vitens-defecten.csv",
     (EXAMPLES / "plan-drinkwater-vitens-defecten.csv").read_bytes(), "public"),
    ("drinkwater-vitens", "plan-drinkwater-vitens-correct.csv",
     (EXAMPLES / "plan-drinkwater-vitens-correct.csv").read_bytes(), "public"),
    ("elektriciteit-liander", "plan-elektriciteit-liander-defecten.xlsx",
     (EXAMPLES / "plan-elektriciteit-liander-defecten.xlsx").read_bytes(), "public"),
    ("continuiteit", "plan-nationaal-defecten.ttl",
     (EXAMPLES / "plan-nationaal-defecten.ttl").read_bytes(), "public"),
    ("drinkwater-evides", "plan-evides.csv", EVIDES_CSV, "restricted"),
]

# Hand count of the current versions, peildatum 2017-01-01 (late = not finished/cancelled and
# deadline < 2017-01-01). Order of by_status: open, in-uitvoering, afgerond, vervallen, overig.
NETWORKS_PUBLIC = {
    # A1 open 2016-12-31 late, A2 i.u. 2017-06-30, A3 afgerond, A4 vervallen, A5 open 2016-11-30
    "drinkwater-vitens": dict(actions=5, st=(2, 1, 1, 1, 0), share=0.25, late=2,
                              missing_owner=0, missing_planning=0, missing_financing=0),
    # E1/E3/E5 open 2016-12-31 (late), E2 i.u. without deadline, E4 afgerond
    "elektriciteit-liander": dict(actions=5, st=(3, 1, 1, 0, 0), share=0.2, late=3,
                                  missing_owner=0, missing_planning=1, missing_financing=0),
    # N1 open 2016-12-31 (late), N2 afgerond
    "continuiteit": dict(actions=2, st=(1, 0, 1, 0, 0), share=0.5, late=1,
                         missing_owner=0, missing_planning=0, missing_financing=0),
}
SECTORS_PUBLIC = {
    "drinkwater": (5, (2, 1, 1, 1, 0)), "elektriciteit": (5, (3, 1, 1, 0, 0)),
    "gas": (0, (0, 0, 0, 0, 0)), "olie": (0, (0, 0, 0, 0, 0)),
    "ict-telecom": (0, (0, 0, 0, 0, 0)), "": (2, (1, 0, 1, 0, 0)),  # "" = no sector
}
THEMES_PUBLIC = {  # vitens A1-A5: 3,5,2,4,6; liander E1-E5: 3,5,2,2,6; national N1: 1, N2: -
    "1": (1, (1, 0, 0, 0, 0)), "2": (3, (1, 0, 2, 0, 0)), "3": (2, (2, 0, 0, 0, 0)),
    "4": (1, (0, 0, 0, 1, 0)), "5": (2, (0, 2, 0, 0, 0)), "6": (2, (2, 0, 0, 0, 0)),
    "7": (0, (0, 0, 0, 0, 0)), "8": (0, (0, 0, 0, 0, 0)), "": (1, (0, 0, 1, 0, 0)),
}
STATUS_ORDER = ("open", "in-uitvoering", "afgerond", "vervallen", "overig")


def settings_for(store_dir: Path | None) -> Settings:
    s = Settings()
    s.root = ROOT
    s.base = BASE
    s.store_path = store_dir
    return s


def submit_examples(store: EmbeddedStore, plans: list[tuple[str, str, bytes, str]] = PLANS
                    ) -> None:
    registry = PlanRegistry(store, BASE)
    for key, name, content, visibility in plans:
        plan = read_plan(content, name, base=BASE)
        registry.submit(key, plan.to_triples(), principal=TEAM, filename=name,
                        content=content, visibility=visibility)


def prefill(target: Path | LiveServer, plans: list[tuple[str, str, bytes, str]] = PLANS
            ) -> None:
    """The knowledge base and the plan versions (default: the examples), in a store on disk
    or in the store of a live server (its directory, or its remote store), then closed."""
    live = target if isinstance(target, LiveServer) else LiveServer(target)
    store = live.open_store()
    load_all(store, settings_for(live.store_dir))
    submit_examples(store, plans)
    store.close()


def access_available() -> bool:
    try:
        import vitaalkg.web.access  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def team_token(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("tokens") / "tokens.json"
    token, _record = TokenRegistry(path).create(team=True)
    return path, token


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, team_token: tuple[Path, str],
           backend: str) -> Iterator[LiveServer]:
    store_dir = tmp_path_factory.mktemp("monitoring") / "store"
    live = LiveServer(store_dir, {"VITAALKG_TOKENS": str(team_token[0])}, backend=backend)
    prefill(live)
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def report_json(server: LiveServer) -> dict:
    r = httpx.get(server.url + "/monitoring.json", params={"peildatum": PEIL}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


@pytest.fixture(scope="module")
def memory_store() -> EmbeddedStore:
    """The knowledge base and the example plans in memory (for the function-level tests)."""
    store = EmbeddedStore(None)
    load_all(store, settings_for(None))
    submit_examples(store)
    return store


def rows_by_key(view: dict) -> dict[str, dict]:
    return {r["key"]: r for r in view["rows"]}


def statuses(row: dict) -> tuple[int, ...]:
    return tuple(row["by_status"][k] for k in STATUS_ORDER)


def hand_count_csv(path: Path) -> Counter:
    """Status counts of a plan CSV, counted with the csv module (comment rows skipped)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter=";")
                if not r["netwerk"].startswith("#")]
    return Counter(r["status"].strip().replace(" ", "-") for r in rows)


# -- the numbers ------------------------------------------------------------------------------
def test_per_network_counts_match_the_example_plans(report_json: dict) -> None:
    assert report_json["reference_date"] == PEIL
    assert report_json["viewer"] == "publiek"
    rows = rows_by_key(report_json["views"]["netwerk"])
    # the restricted Evides plan is not counted for the public; old versions never are
    assert set(rows) == set(NETWORKS_PUBLIC)
    for key, want in NETWORKS_PUBLIC.items():
        row = rows[key]
        assert row["actions"] == want["actions"], key
        assert statuses(row) == want["st"], key
        assert row["share_finished"] == pytest.approx(want["share"]), key
        for name in ("late", "missing_owner", "missing_planning", "missing_financing"):
            assert row[name] == want[name], (key, name)
        assert row["iri"] == BASE + "id/netwerk/" + key
    # the Vitens figures are those of the correct CSV (v2), not of the defect CSV (v1)
    counted = hand_count_csv(EXAMPLES / "plan-drinkwater-vitens-correct.csv")
    vitens = rows["drinkwater-vitens"]
    assert {k: v for k, v in vitens["by_status"].items() if v} == dict(counted)
    assert rows["elektriciteit-liander"]["incomplete"] == 1
    total = report_json["views"]["netwerk"]["total"]
    assert total["actions"] == 12
    assert statuses(total) == (6, 2, 3, 1, 0)
    assert total["share_finished"] == pytest.approx(round(3 / 11, 4))
    assert total["late"] == 6


def test_per_sector_and_per_theme(report_json: dict) -> None:
    sectors = rows_by_key(report_json["views"]["sector"])
    assert set(sectors) == set(SECTORS_PUBLIC)
    for key, (actions, st) in SECTORS_PUBLIC.items():
        assert sectors[key]["actions"] == actions, key
        assert statuses(sectors[key]) == st, key
    assert sectors["drinkwater"]["share_finished"] == 0.25
    assert sectors["gas"]["share_finished"] is None  # nothing to finish
    assert sectors[""]["label"] == "Geen sector"
    themes = rows_by_key(report_json["views"]["thema"])
    assert set(themes) == set(THEMES_PUBLIC)
    for key, (actions, st) in THEMES_PUBLIC.items():
        assert themes[key]["actions"] == actions, key
        assert statuses(themes[key]) == st, key
    assert themes["2"]["share_finished"] == pytest.approx(2 / 3, abs=1e-4)
    assert themes["4"]["share_finished"] is None  # only a cancelled action
    assert themes[""]["label"] == "Zonder thema"
    assert themes["3"]["label"] == "Risicobeheersing"
    assert [r["key"] for r in report_json["views"]["thema"]["rows"]][:8] == \
        [str(n) for n in range(1, 9)]
    for view in report_json["views"].values():
        assert view["total"]["actions"] == 12


@pytest.mark.parametrize(("peildatum", "late"), [
    ("2016-01-01", {"drinkwater-vitens": 0, "elektriciteit-liander": 0, "continuiteit": 0}),
    ("2016-12-01", {"drinkwater-vitens": 1, "elektriciteit-liander": 0, "continuiteit": 0}),
    ("2016-12-31", {"drinkwater-vitens": 1, "elektriciteit-liander": 0, "continuiteit": 0}),
    ("2017-01-01", {"drinkwater-vitens": 2, "elektriciteit-liander": 3, "continuiteit": 1}),
    ("2017-07-01", {"drinkwater-vitens": 3, "elektriciteit-liander": 3, "continuiteit": 1}),
    (None, {"drinkwater-vitens": 3, "elektriciteit-liander": 3, "continuiteit": 1}),  # today
])
def test_late_actions_depend_on_the_reference_date(server: LiveServer, peildatum: str | None,
                                                   late: dict[str, int]) -> None:
    params = {"peildatum": peildatum} if peildatum else {}
    data = httpx.get(server.url + "/monitoring/netwerk.json", params=params, timeout=30).json()
    assert data["reference_date"] == (peildatum or dt.date.today().isoformat())
    assert {r["key"]: r["late"] for r in data["rows"]} == late
    assert data["total"]["late"] == sum(late.values())


def test_last_submission_and_networks_that_never_submitted(report_json: dict,
                                                           server: LiveServer) -> None:
    subs = {s["key"]: s for s in report_json["submissions"]}
    assert set(subs) == {"drinkwater-vitens", "elektriciteit-liander", "continuiteit"}
    assert subs["drinkwater-vitens"]["version"] == 2
    assert subs["drinkwater-vitens"]["versions"] == 2
    assert subs["continuiteit"]["version"] == 1
    assert subs["elektriciteit-liander"]["sector"] == BASE + "id/sector/elektriciteit"
    for s in subs.values():
        when = dt.datetime.fromisoformat(s["last_submission"])
        assert abs(dt.datetime.now(dt.UTC) - when) < dt.timedelta(hours=1)
    # Vitens v2 came after v1 and after nothing else: its time is its second submission
    never = {s["key"] for s in report_json["never_submitted"]}
    store = EmbeddedStore(None)
    load_all(store, settings_for(None))
    all_networks = {r["n"].rsplit("/", 1)[1] for r in store.select(
        f"SELECT ?n WHERE {{ ?n a <{BASE}def/Network> }}")}
    assert len(all_networks) >= 20
    # for the public, the restricted Evides plan is invisible: Evides has no plan it may read
    assert never == all_networks - set(subs)
    assert "drinkwater-evides" in never and "gas-liander" in never
    assert report_json["complete"] is False


# -- the formats ------------------------------------------------------------------------------
def test_html_is_the_default_and_json_by_accept_or_format(server: LiveServer) -> None:
    r = httpx.get(server.url + "/monitoring", params={"peildatum": PEIL}, timeout=30)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "Voortgang van de actieplannen" in r.text
    assert r.text.count("<svg") == 3
    assert 'value="2017-01-01"' in r.text
    assert "Regionaal netwerk drinkwater Vitens" in r.text
    assert "<script" not in r.text  # works without JavaScript
    by_accept = httpx.get(server.url + "/monitoring", params={"peildatum": PEIL},
                          headers={"Accept": "application/json"}, timeout=30)
    by_param = httpx.get(server.url + "/monitoring",
                         params={"peildatum": PEIL, "format": "json"}, timeout=30)
    plain = httpx.get(server.url + "/monitoring.json", params={"peildatum": PEIL}, timeout=30)
    assert by_accept.headers["content-type"].startswith("application/json")
    assert by_accept.json()["views"] == by_param.json()["views"] == plain.json()["views"]
    assert "private" in r.headers["cache-control"]
    assert "Authorization" in r.headers["vary"]
    for path in ("/monitoring", "/monitoring.json", "/monitoring/sector.csv"):
        assert httpx.head(server.url + path, timeout=30).status_code == 200, path


def test_bad_reference_date_and_unknown_view(server: LiveServer) -> None:
    r = httpx.get(server.url + "/monitoring.json", params={"peildatum": "31-12-2016"})
    assert r.status_code == 400
    assert "peildatum" in r.json()["error"]
    r = httpx.get(server.url + "/monitoring", params={"peildatum": "2017-02-30"})
    assert r.status_code == 400 and "text/html" in r.headers["content-type"]
    assert httpx.get(server.url + "/monitoring/regio.csv").status_code == 404
    assert httpx.get(server.url + "/monitoring/sector.xls").status_code == 404
    r = httpx.get(server.url + "/monitoring/thema", params={"peildatum": PEIL})
    assert r.status_code == 303 and r.headers["location"].endswith("#thema")


@pytest.mark.parametrize("view", ["sector", "netwerk", "thema"])
def test_csv_matches_the_json(server: LiveServer, report_json: dict, view: str) -> None:
    r = httpx.get(f"{server.url}/monitoring/{view}.csv", params={"peildatum": PEIL}, timeout=30)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    assert f"monitoring-{view}-{PEIL}.csv" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    expected = report_json["views"][view]["rows"]
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected, strict=True):
        assert got["peildatum"] == PEIL
        assert got["sleutel"] == want["key"]
        assert got["naam"] == want["label"]
        assert int(got["acties"]) == want["actions"]
        assert int(got["open"]) == want["by_status"]["open"]
        assert int(got["in uitvoering"]) == want["by_status"]["in-uitvoering"]
        assert int(got["afgerond"]) == want["by_status"]["afgerond"]
        assert int(got["vervallen"]) == want["by_status"]["vervallen"]
        assert int(got["te laat"]) == want["late"]
        assert int(got["zonder verantwoordelijke"]) == want["missing_owner"]
        assert int(got["zonder planning"]) == want["missing_planning"]
        assert int(got["zonder financiering"]) == want["missing_financing"]
        share = got["aandeel afgerond (%)"]
        if want["share_finished"] is None:
            assert share == ""
        else:
            assert float(share.replace(",", ".")) == pytest.approx(
                want["share_finished"] * 100, abs=0.05)
        assert got["iri"] == (want["iri"] or "")


@pytest.mark.parametrize("view", ["sector", "netwerk", "thema"])
def test_svg_has_one_bar_per_row(server: LiveServer, report_json: dict, view: str) -> None:
    r = httpx.get(f"{server.url}/monitoring/{view}.svg", params={"peildatum": PEIL}, timeout=30)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(r.content)
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    assert root.find(SVG + "title") is not None and "1 januari 2017" in root.find(
        SVG + "title").text
    assert "12 acties" in root.find(SVG + "desc").text
    bars = [g for g in root.iter(SVG + "g") if g.get("class") == "bar"]
    expected = report_json["views"][view]["rows"]
    assert len(bars) == len(expected)
    for bar, row in zip(bars, expected, strict=True):
        assert int(bar.get("data-total")) == row["actions"]
        segments = {rect.get("data-status"): int(rect.get("data-count"))
                    for rect in bar.iter(SVG + "rect") if rect.get("class") == "segment"}
        assert segments == {k: v for k, v in row["by_status"].items() if v}
        assert bar.find(SVG + "title").text.startswith(row["label"])
        label = [t for t in bar.iter(SVG + "text") if t.get("class") == "label"]
        assert label and label[0].text


# -- access ---------------------------------------------------------------------------------
def test_restricted_plan_counts_only_for_readers(memory_store: EmbeddedStore) -> None:
    day = dt.date(2017, 1, 1)
    public = monitoring_report(memory_store, BASE, PUBLIC, day)
    team = monitoring_report(memory_store, BASE, TEAM, day)
    evides_org = BASE + "id/organisatie/evides"
    member = monitoring_report(memory_store, BASE, Principal(org=evides_org), day)
    assert "drinkwater-evides" not in {r.key for r in public.views["netwerk"].rows}
    team_rows = {r.key: r for r in team.views["netwerk"].rows}
    assert team_rows["drinkwater-evides"].actions == 5
    assert team.views["sector"].total.actions == 17
    drinkwater = {r.key: r for r in team.views["sector"].rows}["drinkwater"]
    assert drinkwater.actions == 10 and drinkwater.by_status["afgerond"] == 2
    assert drinkwater.share_finished == pytest.approx(0.25)
    assert {r.key for r in member.views["netwerk"].rows} >= {"drinkwater-evides"}
    assert team.complete and not public.complete
    assert "drinkwater-evides" not in {s.key for s in team.never_submitted}
    assert "drinkwater-evides" in {s.key for s in public.never_submitted}


@pytest.mark.skipif(not access_available(), reason="vitaalkg.web.access not present")
def test_restricted_plan_over_http_with_a_team_token(server: LiveServer,
                                                     team_token: tuple[Path, str]) -> None:
    headers = {"Authorization": f"Bearer {team_token[1]}"}
    team = httpx.get(server.url + "/monitoring.json", params={"peildatum": PEIL},
                     headers=headers, timeout=30).json()
    rows = rows_by_key(team["views"]["netwerk"])
    assert rows["drinkwater-evides"]["actions"] == 5
    assert team["views"]["sector"]["total"]["actions"] == 17
    assert team["complete"] is True
    assert "drinkwater-evides" in {s["key"] for s in team["submissions"]}
    csv_text = httpx.get(server.url + "/monitoring/netwerk.csv", params={"peildatum": PEIL},
                         headers=headers, timeout=30).content.decode("utf-8-sig")
    assert "drinkwater-evides" in csv_text
    public_csv = httpx.get(server.url + "/monitoring/netwerk.csv",
                           params={"peildatum": PEIL}, timeout=30).text
    assert "drinkwater-evides" not in public_csv
    bad = httpx.get(server.url + "/monitoring.json", headers={"Authorization": "Bearer vkg_x"})
    assert bad.status_code == 401


# -- function level ----------------------------------------------------------------------------
def test_reference_date_parsing() -> None:
    assert parse_reference_date(None, dt.date(2020, 5, 1)) == dt.date(2020, 5, 1)
    assert parse_reference_date("2017-01-01") == dt.date(2017, 1, 1)
    for bad in ("2017-1-1", "01-01-2017", "2017-13-01", "gisteren"):
        with pytest.raises(MonitoringError):
            parse_reference_date(bad)


def test_no_plans_means_zero_rows_and_every_network_without_plan() -> None:
    store = EmbeddedStore(None)
    load_all(store, settings_for(None))
    report = monitoring_report(store, BASE, PUBLIC, dt.date(2017, 1, 1))
    assert report.views["netwerk"].rows == []
    assert [r.actions for r in report.views["sector"].rows] == [0] * 5
    assert report.views["sector"].total.actions == 0
    assert report.submissions and all(not s.submitted for s in report.submissions)
    svg = bar_chart(report.views["sector"], "leeg")
    assert len([g for g in ET.fromstring(svg).iter(SVG + "g") if g.get("class") == "bar"]) == 5


def test_odd_values_are_escaped_and_counted_apart() -> None:
    """A theme IRI with XML-special characters and a theme that is a literal (Turtle plans can
    say anything): the SVG still parses, the text is escaped, the literal is 'ongeldig'."""
    store = EmbeddedStore(None)
    load_all(store, settings_for(None))
    ttl = f"""@prefix vkg: <{BASE}def/> . @prefix dct: <http://purl.org/dc/terms/> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    <{BASE}id/actieplan/gas-liander> a vkg:ActionPlan ;
        vkg:network <{BASE}id/netwerk/gas-liander> ;
        vkg:hasAction <{BASE}id/actie/gas-liander-x1>, <{BASE}id/actie/gas-liander-x2> .
    <{BASE}id/actie/gas-liander-x1> a vkg:Action ; dct:identifier "X1" ;
        vkg:theme <{BASE}id/thema/a&b'c> ; vkg:status <{BASE}id/status/open> .
    <{BASE}id/actie/gas-liander-x2> a vkg:Action ; dct:identifier "X2" ;
        vkg:theme "<script>alert(1)</script>" ; vkg:status <{BASE}id/status/klaar> ;
        vkg:deadline "2016-01-01"^^xsd:date .
    """.encode()
    submit_examples(store, [("gas-liander", "x.ttl", ttl, "public")])
    report = Monitor(store, BASE).report(PUBLIC, dt.date(2017, 1, 1))
    themes = {r.key: r for r in report.views["thema"].rows}
    assert themes["a&b'c"].actions == 1
    assert themes["ongeldig"].actions == 1
    assert themes["ongeldig"].by_status["overig"] == 1  # status 'klaar' is no known status
    assert themes["ongeldig"].late == 0  # only open / in uitvoering actions can be late
    assert themes["a&b'c"].missing_owner == 1 and themes["a&b'c"].missing_planning == 1
    svg = bar_chart(report.views["thema"], "Titel met <tekens> & 'quotes'")
    root = ET.fromstring(svg)  # would fail on unescaped & or <
    assert root.find(SVG + "title").text == "Titel met <tekens> & 'quotes'"
    assert "<script>" not in svg
    labels = [t.text for t in root.iter(SVG + "text") if t.get("class") == "label"]
    assert "a&b'c" in labels


def plans_api_available() -> bool:
    try:
        import vitaalkg.web.plans_api  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not plans_api_available(), reason="POST /plans not present")
def test_plan_submitted_over_http_shows_up(tmp_path: Path, backend: str) -> None:
    """The real flow: POST /plans (team token) and the monitoring follows, per visibility."""
    tokens = tmp_path / "tokens.json"
    token, _ = TokenRegistry(tokens).create(team=True)
    live = LiveServer(tmp_path / "store", {"VITAALKG_TOKENS": str(tokens)},
                      backend=backend).start()
    try:
        before = httpx.get(live.url + "/monitoring.json", params={"peildatum": PEIL}).json()
        assert before["views"]["netwerk"]["rows"] == []
        auth = {"Authorization": f"Bearer {token}"}
        content = (EXAMPLES / "plan-drinkwater-vitens-correct.csv").read_bytes()

        def post(**params: str) -> None:
            r = httpx.post(live.url + "/plans", content=content, timeout=60,
                           params={"allow_warnings": "true", **params},
                           headers={**auth, "Content-Type": "text/csv"})
            assert r.status_code == 201, r.text

        def get(headers: dict[str, str] | None = None) -> dict:
            return httpx.get(live.url + "/monitoring.json", params={"peildatum": PEIL},
                             headers=headers or {}, timeout=30).json()

        post()  # a regional plan: restricted by default
        assert get()["views"]["netwerk"]["rows"] == []
        assert "drinkwater-vitens" in {s["key"] for s in get()["never_submitted"]}
        team = get(auth)
        assert statuses(rows_by_key(team["views"]["netwerk"])["drinkwater-vitens"]) == \
            (2, 1, 1, 1, 0)
        assert "drinkwater-vitens" not in {s["key"] for s in team["never_submitted"]}
        post(visibility="public")  # version 2, public
        public = get()
        rows = rows_by_key(public["views"]["netwerk"])
        assert set(rows) == {"drinkwater-vitens"}
        assert statuses(rows["drinkwater-vitens"]) == (2, 1, 1, 1, 0)
        assert rows_by_key(public["views"]["sector"])["drinkwater"]["actions"] == 5
        subs = {s["key"]: s for s in public["submissions"]}
        assert subs["drinkwater-vitens"]["version"] == 2
    finally:
        live.stop()
