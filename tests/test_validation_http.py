"""POST /validate against the real server: negotiation, reports, 400/413/415."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "data" / "examples"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def post(server, data: bytes, ctype: str, accept: str = "application/json",
         params: dict | None = None) -> httpx.Response:
    return httpx.post(server.url + "/validate", content=data,
                      headers={"Content-Type": ctype, "Accept": accept},
                      params={"reference-date": "2016-09-01", **(params or {})}, timeout=60)


def test_json_report(live_server) -> None:
    r = post(live_server, (EXAMPLES / "plan-drinkwater-vitens-defecten.csv").read_bytes(),
             "text/csv")
    assert r.status_code == 200
    data = r.json()
    assert data["conforms"] is False and data["violations"] == 11 and data["warnings"] == 1
    assert ("A7", 9) in {(x["actie"], x["rij"]) for x in data["results"]}


def test_xlsx_and_turtle_report(live_server) -> None:
    r = post(live_server, (EXAMPLES / "plan-elektriciteit-liander-defecten.xlsx").read_bytes(),
             XLSX, accept="text/turtle")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert "sh:ValidationReport" in r.text and "OwnerIsNetworkMember" in r.text


def test_html_report_english(live_server) -> None:
    r = post(live_server, (EXAMPLES / "plan-nationaal-defecten.ttl").read_bytes(),
             "text/turtle", accept="text/html", params={"lang": "en"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "does NOT conform" in r.text and "N2" in r.text


def test_correct_plan_conforms(live_server) -> None:
    r = post(live_server, (EXAMPLES / "plan-drinkwater-vitens-correct.csv").read_bytes(),
             "text/csv")
    assert r.status_code == 200 and r.json()["conforms"] is True and r.json()["results"] == []


def test_multipart_upload(live_server) -> None:
    path = EXAMPLES / "plan-twee-netwerken.csv"
    r = httpx.post(live_server.url + "/validate?reference-date=2016-09-01",
                   files={"file": (path.name, path.read_bytes(),
                                   "text/csv")}, timeout=60)
    assert r.status_code == 200
    assert [x["sourceShape"].rsplit("#", 1)[-1] for x in r.json()["results"]] == \
        ["PlanOneNetwork"]


@pytest.mark.parametrize("data,ctype,status,word", [
    (b"netwerk,actie,omschrijving,thema,status\nx,A1,caf\xe9,1,open\n", "text/csv", 400, "UTF-8"),
    (b"netwerk;omschrijving;thema;status\nx;y;1;open\n", "text/csv", 400, "actie"),
    (b"@prefix x: <http://x/> .\n\n\n\n\n\nx:a x:b ;; ] .\n", "text/turtle", 400, "regel 7"),
    (b"PK\x03\x04 broken zip", XLSX, 400, "XLSX"),
    (b"%PDF-1.4", "application/pdf", 415, "niet ondersteund"),
])
def test_unreadable_input(live_server, data: bytes, ctype: str, status: int, word: str) -> None:
    r = post(live_server, data, ctype)
    assert r.status_code == status
    assert word.lower() in r.json()["error"].lower()
    assert "Traceback" not in r.text


def test_too_large(live_server) -> None:
    data = b"netwerk;actie;omschrijving;thema;status\n" + b"x" * (20 * 1024 * 1024)
    r = post(live_server, data, "text/csv")
    assert r.status_code == 413
    assert "te groot" in r.json()["error"]
