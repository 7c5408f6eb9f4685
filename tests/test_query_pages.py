"""Named queries as pages for policy analysts: a browser's Accept gets an HTML page with a form
(choices from the knowledge base), a labelled result table with links to /doc/ pages,
pagination and downloads (CSV for Dutch Excel, XLSX, JSON); API clients keep their JSON/CSV.
All against a live server, HTML parsed with the stdlib parser."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

import httpx
import pytest
from conftest import LiveServer

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class Page(HTMLParser):
    """The parts of a page the tests look at: form fields, labels, table cells, links."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.selects: dict[str, list[tuple[str, str, bool]]] = {}
        self.inputs: dict[str, dict[str, str | None]] = {}
        self.labels: dict[str, str] = {}  # for= -> text
        self.links: list[tuple[str, str]] = []
        self.headers: list[str] = []
        self.cells: list[list[str]] = []
        self._select: str | None = None
        self._option: tuple[str, bool] | None = None
        self._label: str | None = None
        self._link: str | None = None
        self._cell: list[str] | None = None
        self._th: list[str] | None = None
        self._text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "select":
            self._select = a.get("name") or ""
            self.selects[self._select] = []
            self.inputs[self._select] = {"id": a.get("id"), "type": "select"}
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value") or "", "selected" in a)
            self._text = []
        elif tag == "input" and a.get("name"):
            self.inputs[a["name"] or ""] = {"id": a.get("id"), "type": a.get("type"),
                                            "value": a.get("value")}
        elif tag == "label":
            self._label = a.get("for") or ""
            self._text = []
        elif tag == "a":
            self._link = a.get("href") or ""
            self._text = []
        elif tag == "tr" and self._th is None:
            self.cells.append([])
        elif tag == "td":
            self._cell = []
        elif tag == "th":
            self._th = []

    def handle_endtag(self, tag: str) -> None:
        text = " ".join("".join(self._text).split())
        if tag == "select":
            self._select = None
        elif tag == "option" and self._option is not None and self._select is not None:
            self.selects[self._select].append((self._option[0], text, self._option[1]))
            self._option = None
        elif tag == "label" and self._label is not None:
            self.labels[self._label] = text
            self._label = None
        elif tag == "a" and self._link is not None:
            self.links.append((self._link, text))
            self._link = None
        elif tag == "td" and self._cell is not None:
            self.cells[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "th" and self._th is not None:
            self.headers.append(" ".join("".join(self._th).split()))
            self._th = None

    def handle_data(self, data: str) -> None:
        self._text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._th is not None:
            self._th.append(data)

    @property
    def rows(self) -> list[list[str]]:
        return [r for r in self.cells if r]


def page(server: LiveServer, path: str, **params: str) -> tuple[httpx.Response, Page]:
    r = httpx.get(server.url + path, params=params, headers={"Accept": BROWSER}, timeout=60)
    return r, Page(r.text)


def test_query_page_form_table_and_links(live_server: LiveServer) -> None:
    """'Which tasks does the safety region have for theme 5, on which article?'"""
    r, p = page(live_server, "/queries/taken-per-thema", thema="5")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "Taken van de veiligheidsregio en hun wettelijke basis" in r.text
    # one labelled select, filled from the knowledge base, theme 5 chosen
    options = p.selects["thema"]
    assert len(options) == 9  # '— alle —' and the eight themes
    chosen = [o for o in options if o[2]]
    assert chosen and chosen[0][0] == "5" and "alarmering" in chosen[0][1]
    assert p.labels[p.inputs["thema"]["id"] or ""].startswith("Thema")
    # the table: labels linking to /doc/ pages, no raw IRIs as text
    assert p.rows and all(row[0] == "5" for row in p.rows)
    assert ("/doc/taak/5-1", "Meldkamerfunctie") in p.links
    assert any(href.startswith("/doc/wetsartikel/bwbr0027466-art-10") and "Wvr art. 10" in text
               for href, text in p.links)
    assert not any(cell.startswith("https://w3id.org/") for row in p.rows for cell in row)
    downloads = [href for href, _ in p.links if "format=" in href]
    assert any("format=csv-nl" in h for h in downloads)
    assert any("format=xlsx" in h for h in downloads)


def test_query_page_required_choice_and_default(live_server: LiveServer) -> None:
    """'Who is in the Vitens network and who leads it?' — network chosen from a select."""
    r, p = page(live_server, "/queries/leden-van-netwerk", netwerk="netwerk/drinkwater-vitens")
    assert r.status_code == 200
    values = [v for v, _t, _s in p.selects["netwerk"]]
    assert "netwerk/drinkwater-vitens" in values and len(values) > 20
    assert ("/doc/organisatie/vitens", "Vitens") in p.links
    # booleans as ja/nee (no source names a lead partner for this network: all 'nee')
    column = p.headers.index("Lead partner")
    assert {row[column] for row in p.rows} == {"nee"}
    # a required parameter: its default (#+ defaults) is the chosen option
    r, p = page(live_server, "/queries/netwerken-van-regio")
    assert r.status_code == 200 and p.rows
    assert len(p.selects["regio"]) == 26
    assert [v for v, _t, chosen in p.selects["regio"] if chosen] == ["veiligheidsregio/vr13"]
    r, p = page(live_server, "/queries/netwerken-van-regio", regio="veiligheidsregio/vr13")
    assert r.status_code == 200 and p.rows


def test_query_page_lac_goals_of_the_vakraad(live_server: LiveServer) -> None:
    """'Which LAC goals does the Vakraad lead in 2026?' — year and lead as selects."""
    r, p = page(live_server, "/queries/lac-doelen", jaar="2026", regie="organisatie/vakraad-rcb")
    assert r.status_code == 200
    assert "2026" in [v for v, _t, _s in p.selects["jaar"]]
    assert "organisatie/vakraad-rcb" in [v for v, _t, _s in p.selects["regie"]]
    assert p.rows
    assert all("Vakraad" in " ".join(row) for row in p.rows)
    assert any(href.startswith("/doc/lac-doel/") for href, _ in p.links)


def test_query_page_bad_value_is_a_clear_400(live_server: LiveServer) -> None:
    r, p = page(live_server, "/queries/lac-doelen", jaar="twintig")
    assert r.status_code == 400
    assert "jaar" in r.text and "<form" in r.text
    assert "Traceback" not in r.text
    r, _ = page(live_server, "/queries/lac-doelen", jaar="<script>alert(1)</script>")
    assert r.status_code == 400 and "<script>alert(1)" not in r.text


def test_query_page_date_input_and_pagination(live_server: LiveServer) -> None:
    r, p = page(live_server, "/queries/acties-te-laat", peildatum="2030-01-01")
    assert r.status_code == 200
    assert p.inputs["peildatum"]["type"] == "date"
    assert p.inputs["peildatum"]["value"] == "2030-01-01"
    assert "pagina 1" in r.text
    r, _ = page(live_server, "/queries/acties-te-laat", page="0")
    assert r.status_code == 400


def test_csv_for_dutch_excel_and_xlsx(live_server: LiveServer) -> None:
    url = live_server.url + "/queries/voortgang-per-thema"
    r = httpx.get(url, params={"format": "csv-nl"}, timeout=60)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows[0]) > 2 and not any(h.startswith("_") for h in rows[0])
    r = httpx.get(live_server.url + "/queries/taken-per-thema",
                  params={"format": "xlsx", "thema": "5"}, timeout=60)
    assert r.status_code == 200 and r.content[:2] == b"PK"
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    values = list(sheet.values)
    assert values[0][0] == "themaNummer" and len(values) > 2
    assert all(row[0] == "5" for row in values[1:])


def test_decimal_comma_in_csv_nl() -> None:
    """A decimal is written with a comma; integers and text are left alone."""
    from vitaalkg.web.query_tables import csv_nl

    xsd = "http://www.w3.org/2001/XMLSchema#"
    body = csv_nl(["a", "b", "c", "__p"], [{
        "a": {"type": "literal", "value": "0.25", "datatype": xsd + "decimal"},
        "b": {"type": "literal", "value": "12", "datatype": xsd + "integer"},
        "c": {"type": "literal", "value": "v1.2"}}])
    assert body == "\ufeffa;b;c\r\n0,25;12;v1.2\r\n".encode()


def test_api_answers_unchanged(live_server: LiveServer) -> None:
    """No Accept, */*, JSON and CSV keep the API formats."""
    url = live_server.url + "/queries/veiligheidsregios"
    for accept in (None, "*/*", "application/json"):
        r = httpx.get(url, headers={"Accept": accept} if accept else {}, timeout=60)
        assert r.headers["content-type"].startswith("application/json"), accept
        assert r.json()["count"] == 25
    r = httpx.get(url, headers={"Accept": "text/csv"}, timeout=60)
    assert r.headers["content-type"].startswith("text/csv") and not r.content.startswith(b"\xef")
    r = httpx.get(live_server.url + "/queries", timeout=60)
    assert r.headers["content-type"].startswith("application/json")


def test_queries_index_grouped_by_question(live_server: LiveServer) -> None:
    r, p = page(live_server, "/queries")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Welke taken heeft de veiligheidsregio" in r.text
    assert "Wie zit in welk netwerk" in r.text
    hrefs = {href for href, _ in p.links}
    assert {"/queries/taken-per-thema", "/queries/leden-van-netwerk",
            "/queries/acties-onvolledig", "/queries/lac-doelen"} <= hrefs
