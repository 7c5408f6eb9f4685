"""The planner's workflow over HTTP: the XLSX template with its lists, the report of an uploaded
plan (page, annotated spreadsheet, JSON), sign-in sessions (cookie attributes, revocation,
forgery, CSRF) and restricted plans seen through a session on every page family."""

from __future__ import annotations

import io
import re
import stat
from collections.abc import Iterator

import httpx
import pytest
from plans_support import BASE, PlanServer, example, mark, running

NETWORK = "drinkwater-vitens"
MARKER = "BESLOTEN9c1e"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Iterator[PlanServer]:
    with running(tmp_path_factory.mktemp("planner"), backend) as server:
        yield server


@pytest.fixture(scope="module")
def tokens(srv: PlanServer) -> dict[str, str]:
    return {"member": srv.token("--org", "VR06"), "other": srv.token("--org", "tennet"),
            "team": srv.token("--team")}


@pytest.fixture(scope="module")
def restricted(srv: PlanServer, tokens: dict[str, str]) -> None:
    plan = mark(example("plan-drinkwater-vitens-correct.csv"), MARKER)
    r = srv.submit(plan, tokens["member"], allow_warnings="true")
    assert r.status_code == 201, r.text
    assert r.json()["visibility"] == "restricted"


def client(srv: PlanServer) -> httpx.Client:
    return httpx.Client(base_url=srv.url, timeout=120.0, follow_redirects=False,
                        headers={"Origin": srv.url})


def sign_in(srv: PlanServer, token: str, **headers: str) -> httpx.Client:
    c = client(srv)
    r = c.post("/aanmelden", data={"token": token, "terug": "/plannen"}, headers=headers)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/plannen"
    return c


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field on the page"
    return m.group(1)


def load(data: bytes):  # noqa: ANN201 - openpyxl workbook
    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(data))


# -- 1. the template ---------------------------------------------------------------------------
def test_xlsx_template_lists_the_networks_members(srv: PlanServer) -> None:
    r = httpx.get(srv.url + "/plannen/sjabloon.xlsx", params={"netwerk": NETWORK}, timeout=60)
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    wb = load(r.content)
    ws = wb["Acties"]
    assert [c.value for c in ws[1]][:5] == ["netwerk", "actie", "omschrijving", "thema", "status"]
    assert wb["Lijsten"].sheet_state == "hidden" and "Toelichting" in wb.sheetnames
    found = {}
    for dv in ws.data_validations.dataValidation:
        found[str(dv.sqref).split(":")[0]] = dv
    # thema (D), status (E), verantwoordelijke (F): lists on the hidden sheet; start/deadline dates
    assert found["D2"].type == "list" and found["D2"].formula1.startswith("=Lijsten!")
    assert found["E2"].type == "list" and found["F2"].type == "list"
    assert found["G2"].type == "date" and found["H2"].type == "date"
    lists = wb["Lijsten"]

    def values(dv: object) -> list[str]:
        col = re.search(r"\$([A-Z]+)\$", dv.formula1).group(1)  # type: ignore[attr-defined]
        return [str(c.value) for c in lists[col][1:] if c.value is not None]

    assert values(found["D2"]) == [str(n) for n in range(1, 9)]
    assert values(found["E2"]) == ["open", "in uitvoering", "afgerond", "vervallen"]
    members = values(found["F2"])
    assert {"VR06", "VR05", "vitens"} <= set(members) and "VR13" not in members
    # the theme names are in the prompt and on the instruction sheet
    assert "Toelichting" in wb.sheetnames and found["D2"].prompt.count(";") == 7
    info = " ".join(str(c.value) for row in wb["Toelichting"].iter_rows() for c in row if c.value)
    assert "Vitens" in info and NETWORK in info


def test_xlsx_template_without_network_lists_all_organisations(srv: PlanServer) -> None:
    r = httpx.get(srv.url + "/plannen/sjabloon.xlsx", timeout=60)
    wb = load(r.content)
    listed = {str(c.value) for c in wb["Lijsten"]["C"][1:] if c.value is not None}
    assert {"VR01", "VR13", "VR25", "vitens", "tennet"} <= listed
    assert not any(code.startswith(("drinkwater-", "elektriciteit-")) for code in listed)
    # longer than Excel's 255-character literal list: hence the range reference
    assert len(",".join(listed)) > 255
    assert httpx.get(srv.url + "/plannen/sjabloon.xlsx?netwerk=bestaat-niet").status_code == 404
    csv = httpx.get(srv.url + "/plannen/sjabloon.csv")
    assert csv.status_code == 200 and csv.text.startswith("netwerk;actie;")


# -- 2. the report -----------------------------------------------------------------------------
def check(srv: PlanServer, data: bytes, name: str, **fields: str) -> httpx.Response:
    return httpx.post(srv.url + "/plannen/controleren", files={"bestand": (name, data)},
                      data=fields, timeout=300)


def test_report_page_per_row_with_typed_value_column_and_members(srv: PlanServer) -> None:
    r = check(srv, example("plan-drinkwater-vitens-defecten.csv"), "defecten.csv")
    assert r.status_code == 200, r.text
    html = r.text
    assert '<html lang="nl"' in html and "Het plan voldoet niet" in html
    section = html[html.index("Rij 7 — actie A5"):]
    section = section[:section.index("</section>")]
    # the value as typed, the column, and the members of the network with their codes
    assert "VR13" in section and "veiligheidsregio/vr13" not in section
    assert "<code>verantwoordelijke</code>" in section
    assert "Kies een lid van het netwerk" in section and "<strong>VR06</strong>" in section
    assert "<strong>vitens</strong>" in section
    # violations before warnings
    assert section.index("Overtreding") < section.index("Waarschuwing")
    # the bad date as typed, not as an IRI or literal
    assert "31-12-2016" in html
    en = check(srv, example("plan-drinkwater-vitens-defecten.csv"), "defecten.csv", lang="en")
    assert "Row 7 — action A5" in en.text and "Choose a member" in en.text


def test_report_downloads_annotated_spreadsheet_and_json(srv: PlanServer) -> None:
    data = example("plan-elektriciteit-liander-defecten.xlsx")
    report = check(srv, data, "liander.xlsx", uitvoer="json")
    assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
    results = report.json()["results"]
    assert results and all(r["rij"] for r in results)
    r = check(srv, data, "liander.xlsx", uitvoer="xlsx")
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    ws = load(r.content).worksheets[0]
    headers = {str(c.value).lower(): c.column for c in ws[1]}
    columns = {"https://w3id.org/vitaalkg/def/owner": "verantwoordelijke",
               "https://w3id.org/vitaalkg/def/deadline": "deadline",
               "https://w3id.org/vitaalkg/def/costs": "kosten"}
    for result in results:
        column = columns.get(result["path"])
        if column is None:
            continue
        cell = ws.cell(result["rij"], headers[column])
        assert cell.comment is not None, (result, cell.coordinate)
        assert result["message"] in cell.comment.text
        assert cell.fill.fgColor.rgb.endswith(("FFC7CE", "FFEB9C"))
    # the owner outside the network: E3 (row 5), vitens
    owner = ws.cell(5, headers["verantwoordelijke"])
    assert owner.value == "vitens" and "lid" in owner.comment.text
    # the planner's own data is kept
    assert ws.cell(3, 2).value == "E1"
    # CSV in, XLSX out
    r = check(srv, example("plan-drinkwater-vitens-defecten.csv"), "d.csv", uitvoer="xlsx")
    ws = load(r.content).worksheets[0]
    assert ws["F7"].value == "VR13" and ws["F7"].comment is not None


def test_unreadable_upload_is_a_clear_page(srv: PlanServer) -> None:
    r = check(srv, b"\x00\x01 geen plan", "x.xlsx")
    assert r.status_code == 400 and "Het bestand kon niet gecontroleerd worden" in r.text
    assert "Traceback" not in r.text
    empty = httpx.post(srv.url + "/plannen/controleren", data={"uitvoer": "html"})
    assert empty.status_code == 400 and "Kies eerst een bestand" in empty.text


# -- 3. sessions -------------------------------------------------------------------------------
def test_cookie_attributes(srv: PlanServer, tokens: dict[str, str]) -> None:
    c = client(srv)
    r = c.post("/aanmelden", data={"token": tokens["member"]})
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("vkg_sessie=") and tokens["member"] not in cookie
    attrs = {a.strip().split("=")[0].lower(): a for a in cookie.split(";")}
    assert "httponly" in attrs and attrs["samesite"].strip().lower() == "samesite=lax"
    assert "secure" not in attrs  # plain http
    assert attrs["max-age"].strip() == "Max-Age=28800"
    assert "no-store" in r.headers["cache-control"]
    # behind a trusted proxy that terminates TLS (uvicorn trusts 127.0.0.1)
    r = c.post("/aanmelden", data={"token": tokens["member"]},
               headers={"X-Forwarded-Proto": "https", "Origin": srv.url.replace("http:", "https:")})
    assert r.status_code == 303, r.text
    assert "secure" in r.headers["set-cookie"].lower()
    bad = client(srv).post("/aanmelden", data={"token": "vkg_onzin"})
    assert bad.status_code == 401 and "onbekend of ingetrokken" in bad.text
    assert "set-cookie" not in bad.headers


def test_secret_is_kept_beside_the_store(srv: PlanServer) -> None:
    path = srv.store_dir.parent / (srv.store_dir.name + "-session-secret")
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_session_sees_restricted_plan_everywhere(srv: PlanServer, tokens: dict[str, str],
                                                 restricted: None) -> None:
    anon = client(srv)
    assert anon.get(f"/plannen/{NETWORK}").status_code == 404
    home = anon.get("/")
    assert "cookie" in home.headers["vary"].lower() and "no-store" not in home.headers.get(
        "cache-control", "")
    assert MARKER not in anon.get("/monitoring").text + anon.get("/plannen").text
    member = sign_in(srv, tokens["member"])
    page = member.get(f"/plannen/{NETWORK}")
    assert page.status_code == 200 and MARKER in page.text and "besloten" in page.text
    assert "private" in page.headers["cache-control"] and "no-store" in page.headers[
        "cache-control"]
    assert "cookie" in page.headers["vary"].lower()
    assert "Aangemeld: VR06" in page.text
    # the same principal as the Bearer token: plan API, SPARQL, linked-data pages, monitoring
    assert member.get(f"/plans/{NETWORK}").status_code == 200
    ask = member.post("/sparql", data={"query": f'ASK {{ ?s ?p ?o FILTER(CONTAINS(STR(?o), '
                                                f'"{MARKER}")) }}'},
                      headers={"Accept": "application/sparql-results+json"})
    assert ask.json()["boolean"] is True
    assert anon.post("/sparql", data={"query": f'ASK {{ ?s ?p ?o FILTER(CONTAINS(STR(?o), '
                                               f'"{MARKER}")) }}'},
                     headers={"Accept": "application/sparql-results+json"}).json()[
        "boolean"] is False
    assert member.get(f"/doc/actie/{NETWORK}-a1").status_code == 200
    assert anon.get(f"/doc/actie/{NETWORK}-a1").status_code == 404
    late = "/queries/acties-te-laat"
    assert f"{NETWORK}-a" in member.get(late, headers={"Accept": "text/csv"}).text
    assert f"{NETWORK}-a" not in anon.get(late, headers={"Accept": "text/csv"}).text
    monitoring = member.get("/monitoring", headers={"Accept": "application/json"}).json()
    assert NETWORK in str(monitoring)
    # another organisation's session does not see it
    other = sign_in(srv, tokens["other"])
    assert other.get(f"/plannen/{NETWORK}").status_code == 404
    assert other.get(f"/plans/{NETWORK}").status_code == 404
    # the team sees everything
    assert sign_in(srv, tokens["team"]).get(f"/plannen/{NETWORK}").status_code == 200


def test_revoked_token_session_no_longer_works(srv: PlanServer, restricted: None) -> None:
    token = srv.token("--org", "VR05")
    c = sign_in(srv, token)
    assert c.get(f"/plannen/{NETWORK}").status_code == 200
    srv.cli("token", "revoke", token)
    r = c.get(f"/plannen/{NETWORK}")
    assert r.status_code == 404 and MARKER not in r.text
    assert c.get(f"/plans/{NETWORK}").status_code == 404
    assert "Aangemeld" not in c.get("/plannen").text


def test_forged_or_expired_cookie_is_the_public(srv: PlanServer, tokens: dict[str, str],
                                                restricted: None) -> None:
    c = sign_in(srv, tokens["member"])
    value = c.cookies["vkg_sessie"]
    body, mac = value.split(".")
    forged = client(srv)
    forged.cookies.set("vkg_sessie", body + "." + ("A" if mac[0] != "A" else "B") + mac[1:])
    assert forged.get(f"/plannen/{NETWORK}").status_code == 404


def test_cross_site_form_posts_are_refused(srv: PlanServer, tokens: dict[str, str]) -> None:
    c = sign_in(srv, tokens["member"])
    csrf = csrf_of(c.get("/plannen").text)
    plan = {"inhoud": "", "bestandsnaam": "x.csv"}
    evil = {"Origin": "https://evil.example"}
    # a cross-site post without the token (what another site's form would send)
    refused = c.post("/plannen/indienen", data=plan, headers=evil)
    assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
    assert "niet vanaf deze site verstuurd" in refused.text
    # from this site, but without the form's token
    nocsrf = c.post("/plannen/indienen", data=plan)
    assert nocsrf.status_code == 403 and "formuliertoken (CSRF)" in nocsrf.text
    assert c.post("/afmelden", data={}, headers=evil).status_code == 403
    # with the token but from another site, or with a wrong token from this site
    assert c.post("/afmelden", data={"csrf": csrf}, headers=evil).status_code == 403
    assert c.post("/afmelden", data={"csrf": "fout"}).status_code == 403
    # no Origin and no Referer
    bare = httpx.post(srv.url + "/afmelden", data={"csrf": csrf}, cookies=c.cookies)
    assert bare.status_code == 403
    # a sign-in form posted from another site
    assert client(srv).post("/aanmelden", data={"token": tokens["member"]},
                            headers=evil).status_code == 403
    # the real form works, and signs out
    out = c.post("/afmelden", data={"csrf": csrf}, headers={"Referer": srv.url + "/plannen"})
    assert out.status_code == 303 and 'vkg_sessie=""' in out.headers["set-cookie"]


def test_submit_through_the_form(srv: PlanServer, tokens: dict[str, str]) -> None:
    """A conforming plan submitted by a signed-in member as public; the plan page and diff."""
    team = sign_in(srv, tokens["team"])
    body = example("plan-drinkwater-vitens-correct.csv").replace(
        b"drinkwater-vitens", b"elektriciteit-liander").replace(b"VR06", b"VR13").replace(
        b"vitens 50; VR05 25; VR06 25", b"liander 50; VR13 50").replace(b";vitens;", b";liander;")
    r = team.post("/plannen/controleren", files={"bestand": ("liander.csv", body)})
    assert r.status_code == 200, r.text
    assert "Plan indienen" in r.text, r.text[r.text.index("<h1"):][:3000]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                             r.text[r.text.index('action="/plannen/indienen"'):]))
    fields.update({"zichtbaarheid": "public", "waarschuwingen": "ja"})
    done = team.post("/plannen/indienen", data=fields)
    assert done.status_code == 303, done.text
    assert re.match(r"^/plannen/elektriciteit-liander\?ingediend=\d+$", done.headers["location"])
    page = httpx.get(srv.url + "/plannen/elektriciteit-liander")
    assert page.status_code == 200 and "openbaar" in page.text
    assert BASE not in page.text.split("<h2 id=\"acties\"")[1].split("</table>")[0]


def test_sign_in_returns_only_to_this_site(srv: PlanServer, tokens: dict[str, str]) -> None:
    c = client(srv)
    for back in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        r = c.post("/aanmelden", data={"token": tokens["member"], "terug": back})
        assert r.status_code == 303 and r.headers["location"] == "/plannen", back


def test_sessions_survive_a_restart(srv: PlanServer, tokens: dict[str, str],
                                    restricted: None) -> None:
    """The generated secret is kept beside the store: a restart keeps the sessions (last test
    of the module: it restarts the shared server)."""
    c = sign_in(srv, tokens["member"])
    assert c.get(f"/plannen/{NETWORK}").status_code == 200
    srv.stop()
    srv.start()
    assert c.get(f"/plannen/{NETWORK}").status_code == 200


def test_instances_sharing_the_configured_secret_share_sessions(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """VITAALKG_SESSION_SECRET: a session made by one instance works on another with the same
    secret, not on one with another secret; VITAALKG_SESSION_HOURS ends it."""
    import time

    from conftest import LiveServer

    work = tmp_path_factory.mktemp("shared-secret")
    tokens = work / "tokens.json"
    common = {"VITAALKG_TOKENS": str(tokens), "VITAALKG_SESSION_SECRET": "gedeeld-geheim-1"}
    servers = [LiveServer(work / "a", env=common),
               LiveServer(work / "b", env={**common, "VITAALKG_SESSION_HOURS": "0.001"}),
               LiveServer(work / "c", env={**common, "VITAALKG_SESSION_SECRET": "ander-geheim"})]
    try:
        for s in servers:
            s.start()
        a, b, c = servers
        made = PlanServer.cli(a, "token", "create", "--org", "VR06")  # type: ignore[arg-type]
        token = made.stdout.strip().splitlines()[-1]
        session = client(a)  # type: ignore[arg-type]
        assert session.post("/aanmelden", data={"token": token}).status_code == 303
        cookie = {"vkg_sessie": session.cookies["vkg_sessie"]}
        assert "Aangemeld: VR06" in httpx.get(b.url + "/plannen", cookies=cookie).text
        assert "Aangemeld" not in httpx.get(c.url + "/plannen", cookies=cookie).text
        assert not (a.store_dir.parent / "a-session-secret").exists()  # configured: no file
        # b's sessions last 3.6 seconds
        short = httpx.post(b.url + "/aanmelden", data={"token": token},
                           headers={"Origin": b.url})
        assert "Max-Age=3" in short.headers["set-cookie"]
        cookie = {"vkg_sessie": short.cookies["vkg_sessie"]}
        assert "Aangemeld: VR06" in httpx.get(b.url + "/plannen", cookies=cookie).text
        time.sleep(4.5)
        assert "Aangemeld" not in httpx.get(b.url + "/plannen", cookies=cookie).text
    finally:
        for s in servers:
            s.stop()
