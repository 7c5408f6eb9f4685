"""Dutch by default, English on request (issue 13, point 5), against a real server: the choice
of language (cookie, ``Accept-Language``), the switch in the header and its redirect, one
language per page with its headers and entity tags, and a catalogue that covers every text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from conftest import ROOT, LiveServer
from rdflib import Graph

WEB = ROOT / "src" / "vitaalkg" / "web"
PO_FILE = WEB / "locale" / "en" / "LC_MESSAGES" / "messages.po"
H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
NAV = re.compile(r'<nav class="site-nav".*?</nav>', re.S)
TAGS = re.compile(r"<[^>]+>")
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}
#: Dutch words of the navigation and headings that an English page must not show
DUTCH_UI = ("Zoeken", "Aanmelden", "Netwerken", "Vragen", "Ontologie", "Veiligheidsregio's",
            "Naar de inhoud", "Kant-en-klare vragen", "Actieplannen", "Peildatum", "Controleren",
            "Sjabloon", "Ingediende plannen", "Toegankelijkheid")


@pytest.fixture(scope="module")
def shared(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=60.0) as c:
        yield c


@pytest.fixture
def client(shared: httpx.Client) -> httpx.Client:
    """A client without the cookies of earlier tests (the switch sets one)."""
    shared.cookies.clear()
    return shared


def html_lang(text: str) -> str:
    found = re.search(r'<html lang="([a-z]+)"', text)
    assert found, text[:300]
    return found.group(1)


def h1(text: str) -> str:
    found = H1.search(text)
    assert found
    return TAGS.sub("", found.group(1)).strip()


def visible(text: str) -> str:
    """The page's text without scripts, styles and the parts marked as Dutch data."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r'<(\w+)[^>]*\blang="nl"[^>]*>.*?</\1>', " ", text, flags=re.S)
    return re.sub(r"\s+", " ", TAGS.sub(" ", text))


# -- choosing the language -------------------------------------------------------------------------
def test_dutch_by_default(client: httpx.Client) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert html_lang(r.text) == "nl" and r.headers["content-language"] == "nl"
    assert h1(r.text) == "Kennisbank crisisbeheersing en vitale infrastructuur"
    assert ">Netwerken</a>" in NAV.search(r.text).group(0)
    # the switch: to English, marked as English
    assert re.search(r'<a class="language-switch" href="/taal/en\?terug=%2F" lang="en" '
                     r'hreflang="en">English</a>', r.text)
    assert 'class="h-en"' not in r.text and "Knowledge base crisis" not in r.text


def test_accept_language_english(client: httpx.Client) -> None:
    r = client.get("/", headers=ENGLISH)
    assert html_lang(r.text) == "en" and r.headers["content-language"] == "en"
    assert h1(r.text) == "Knowledge base crisis management and vital infrastructure"
    nav = NAV.search(r.text).group(0)
    assert ">Networks</a>" in nav and ">Questions</a>" in nav and "Netwerken" not in nav
    assert 'hreflang="nl">Nederlands</a>' in r.text


@pytest.mark.parametrize("header", ["fr", "de-DE,fr;q=0.8", "nl-BE", "en;q=0", ""])
def test_other_languages_get_dutch(client: httpx.Client, header: str) -> None:
    r = client.get("/", headers={"Accept-Language": header})
    assert html_lang(r.text) == "nl"


@pytest.mark.parametrize("header", ["en-GB", "nl;q=0.5, en;q=0.8", "fr, en;q=0.1"])
def test_english_wins_by_q_value(client: httpx.Client, header: str) -> None:
    assert html_lang(client.get("/", headers={"Accept-Language": header}).text) == "en"


def test_the_switch_sets_the_cookie_and_goes_back(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url, timeout=60.0) as browser:
        page = browser.get("/monitoring?peildatum=2026-01-01")
        assert html_lang(page.text) == "nl"
        href = re.search(r'class="language-switch" href="([^"]+)"', page.text).group(1)
        assert href == "/taal/en?terug=%2Fmonitoring%3Fpeildatum%3D2026-01-01"
        r = browser.get(href.replace("&amp;", "&"), follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"] == "/monitoring?peildatum=2026-01-01"
        cookie = r.headers["set-cookie"].lower()
        assert cookie.startswith("taal=en;") and "max-age=31536000" in cookie
        assert "path=/" in cookie and "samesite=lax" in cookie
        assert "secure" not in cookie  # plain HTTP here; Secure over HTTPS
        back = browser.get(r.headers["location"])
        assert html_lang(back.text) == "en"
        assert h1(back.text) == "Progress of the action plans"
        # remembered on the next page, without Accept-Language
        assert h1(browser.get("/queries", headers={"Accept": "text/html"}).text) \
            == "Ready-made questions"
        # and back to Dutch with the switch on the English page
        href = re.search(r'class="language-switch" href="([^"]+)"', back.text).group(1)
        assert href.startswith("/taal/nl?terug=")
        assert html_lang(browser.get(href.replace("&amp;", "&"),
                                     follow_redirects=True).text) == "nl"
        assert html_lang(browser.get("/").text) == "nl"


def test_the_cookie_beats_accept_language(client: httpx.Client) -> None:
    r = client.get("/", headers={"Accept-Language": "en", "Cookie": "taal=nl"})
    assert html_lang(r.text) == "nl"
    r = client.get("/", headers={"Accept-Language": "nl", "Cookie": "taal=en"})
    assert html_lang(r.text) == "en"
    # an unknown value is no choice: Accept-Language decides
    r = client.get("/", headers={"Accept-Language": "en", "Cookie": "taal=fr"})
    assert html_lang(r.text) == "en"


@pytest.mark.parametrize("back", ["//evil.example/", "https://evil.example/", "/\\evil.example",
                                  "\\\\evil.example", "evil.example", "", "/%0d%0aX: y",
                                  "javascript:alert(1)"])
def test_the_switch_never_leaves_the_site(client: httpx.Client, back: str) -> None:
    r = client.get("/taal/en", params={"terug": back}, follow_redirects=False)
    assert r.status_code == 303
    location = r.headers["location"]
    assert location == "/" or (location.startswith("/") and not location.startswith("//")
                               and "\\" not in location and "\n" not in location), location
    if back in ("//evil.example/", "https://evil.example/", "/\\evil.example",
                "\\\\evil.example", "evil.example", "", "javascript:alert(1)"):
        assert location == "/"


def test_the_switch_keeps_a_local_path(client: httpx.Client) -> None:
    r = client.get("/taal/en", params={"terug": "/doc/thema/1?x=1#top"}, follow_redirects=False)
    assert r.headers["location"] == "/doc/thema/1?x=1#top"
    r = client.get("/taal/xx", params={"terug": "/def"}, follow_redirects=False)
    assert r.status_code == 303 and "set-cookie" not in r.headers


@pytest.mark.parametrize("headers", [
    {"Cookie": 'taal="en; \\x00;;;=;"'}, {"Cookie": "taal=fr"}, {"Cookie": "=" * 4000},
    {"Accept-Language": "en;q=abc, nl;q=nan"}, {"Accept-Language": ",;,;q=;" * 500},
    {"Accept-Language": "e" * 6000}])
def test_malformed_language_headers_give_a_dutch_page(client: httpx.Client,
                                                      headers: dict[str, str]) -> None:
    r = client.get("/", headers=headers)
    assert r.status_code == 200 and html_lang(r.text) == "nl"


def test_an_oversized_way_back_is_refused_or_sent_home(client: httpx.Client) -> None:
    r = client.get("/taal/en", params={"terug": "/" + "a" * 20_000}, follow_redirects=False)
    assert r.status_code in (303, 400, 414, 431)
    assert "Traceback" not in r.text


# -- one language per answer -----------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/doc/thema/1", "/monitoring", "/queries",
                                  "/plannen/controleren", "/doc/netwerk/drinkwater-vitens"])
def test_html_answers_vary_on_language(client: httpx.Client, path: str) -> None:
    for headers in ({}, ENGLISH):
        r = client.get(path, headers={"Accept": "text/html", **headers})
        assert r.status_code == 200
        vary = {v.strip().lower() for v in r.headers["vary"].split(",")}
        assert {"accept-language", "cookie"} <= vary, r.headers["vary"]
        assert r.headers["content-language"] == html_lang(r.text)


def test_machine_formats_do_not_change(client: httpx.Client) -> None:
    for path, accept in (("/doc/thema/1", "text/turtle"), ("/monitoring", "application/json"),
                         ("/queries", "application/json")):
        nl = client.get(path, headers={"Accept": accept})
        en = client.get(path, headers={"Accept": accept, **ENGLISH})
        assert nl.status_code == en.status_code == 200
        assert "content-language" not in en.headers
        if accept == "application/json":
            assert nl.json() == en.json()
        else:
            assert len(Graph().parse(data=nl.text, format="turtle")) \
                == len(Graph().parse(data=en.text, format="turtle"))


def test_a_dutch_entity_tag_does_not_match_the_english_page(client: httpx.Client) -> None:
    for path in ("/doc/thema/1", "/def/Action", "/"):
        dutch = client.get(path, headers={"Accept": "text/html"})
        tag = dutch.headers["etag"]
        assert client.get(path, headers={"Accept": "text/html", "If-None-Match": tag}
                          ).status_code == 304
        english = client.get(path, headers={"Accept": "text/html", "If-None-Match": tag,
                                            **ENGLISH})
        assert english.status_code == 200 and html_lang(english.text) == "en"
        assert english.headers["etag"] != tag
        again = client.get(path, headers={"Accept": "text/html", **ENGLISH,
                                          "If-None-Match": english.headers["etag"]})
        assert again.status_code == 304
        assert "accept-language" in again.headers["vary"].lower()


# -- English pages ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("path", "heading"), [
    ("/", "Knowledge base crisis management and vital infrastructure"),
    ("/doc/thema/1", None),
    ("/monitoring", "Progress of the action plans"),
    ("/queries", "Ready-made questions"),
    ("/plannen/controleren", "Check an action plan"),
    ("/aanmelden", "Sign in"),
    ("/zoeken?q=vitens", "Search"),
    ("/def", "Ontology"),
    ("/doc/bestaat-niet", "Not found"),
])
def test_english_pages_have_no_dutch_interface(client: httpx.Client, path: str,
                                               heading: str | None) -> None:
    r = client.get(path, headers={"Accept": "text/html", **ENGLISH})
    assert html_lang(r.text) == "en"
    if heading:
        assert h1(r.text) == heading
    text = visible(r.text)
    left = [word for word in DUTCH_UI if re.search(rf"(?<![\w/]){re.escape(word)}(?!\w)", text)]
    assert not left, left


def test_numbers_are_written_for_the_page_language(client: httpx.Client) -> None:
    pattern = re.compile(r"<dt>(?:triples)</dt><dd>([0-9.,]+)</dd>")
    dutch = pattern.search(client.get("/").text)
    english = pattern.search(client.get("/", headers=ENGLISH).text)
    assert dutch and english
    count = int(english.group(1).replace(",", ""))
    assert count > 1000
    assert dutch.group(1) == f"{count:,}".replace(",", ".")
    assert english.group(1) == f"{count:,}"


def test_english_data_labels_with_a_dutch_fallback(client: httpx.Client) -> None:
    nl = client.get("/doc/thema/1", headers={"Accept": "text/html"}).text
    en = client.get("/doc/thema/1", headers={"Accept": "text/html", **ENGLISH}).text
    assert h1(nl) == "Inrichten en faciliteren regionale netwerken"
    assert h1(en) == "Setting up and facilitating regional networks"
    # no longer side by side: the other label only in the table of all labels, marked
    header = nl[:nl.index("</header>", nl.index("<h1"))]
    assert "Setting up and facilitating" not in header
    assert "Inrichten en faciliteren" not in visible(en)
    # a Dutch label on an English page is marked as Dutch (WCAG 3.1.2)
    home = client.get("/", headers=ENGLISH).text
    for marked in re.findall(r'<(?:span|a)[^>]*lang="nl"[^>]*>([^<]+)<', home):
        assert marked.strip()


def test_the_report_follows_the_page_language(live_server: LiveServer) -> None:
    plan = ROOT / "data" / "examples" / "plan-drinkwater-vitens-defecten.csv"
    files = {"bestand": (plan.name, plan.read_bytes(), "text/csv")}
    with httpx.Client(base_url=live_server.url, timeout=300.0) as c:
        en = c.post("/plannen/controleren", files=files, headers={"Cookie": "taal=en"})
        nl = c.post("/plannen/controleren", files=files)
    assert en.status_code == nl.status_code == 200
    assert html_lang(en.text) == "en" and h1(en.text) == "The plan does not conform"
    assert "Row 7 — action A5" in en.text and "Choose a member" in en.text
    assert html_lang(nl.text) == "nl" and h1(nl.text) == "Het plan voldoet niet"
    assert "Rij 7 — actie A5" in nl.text and "Kies een lid van het netwerk" in nl.text


# -- the catalogue ---------------------------------------------------------------------------------
def catalogue() -> dict[object, object]:
    with PO_FILE.open("rb") as handle:
        return {(m.id if isinstance(m.id, str) else tuple(m.id)): m.string
                for m in read_po(handle) if m.id}


def used_messages() -> set[object]:
    """Every text of the pages, extracted as ``pybabel extract -F babel.cfg`` does."""
    method_map = [("src/vitaalkg/web/**.py", "python"),
                  ("src/vitaalkg/web/templates/**.html", "jinja2")]
    options = {"src/vitaalkg/web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found: set[object] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options, keywords={"_": None, "N_": None, "gettext": None,
                                                       "ngettext": (1, 2)}):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def test_every_text_has_an_english_translation() -> None:
    used = used_messages()
    assert len(used) > 300  # the extraction sees the templates and the code
    po = catalogue()
    # a singular that is also the singular of a plural entry shares that entry
    po.update({k[0]: v[0] for k, v in list(po.items()) if isinstance(k, tuple)
               and k[0] not in po})
    missing = sorted(str(m) for m in used if m not in po)
    assert not missing, missing
    empty = sorted(str(m) for m in used
                   if not po[m] or (isinstance(po[m], tuple) and not all(po[m])))
    assert not empty, empty
    # placeholders survive translation
    for msgid, msgstr in po.items():
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        strs = msgstr if isinstance(msgstr, tuple) else (msgstr,)
        wanted = set(re.findall(r"%\(\w+\)s", ids[-1]))
        for s in strs:
            assert set(re.findall(r"%\(\w+\)s", s)) == wanted, (msgid, s)


def test_no_template_shows_both_languages_side_by_side() -> None:
    side_by_side = re.compile(r'<span[^>]*lang="en"|class="h-en"|class="prop-en" lang="en"'
                              r'|title_en|label_en \}\}</span>|/ [A-Z][a-z]+ [a-z]+</')
    offenders = []
    for template in sorted(Path(WEB / "templates").glob("*.html")):
        for n, line in enumerate(template.read_text(encoding="utf-8").splitlines(), 1):
            if side_by_side.search(line):
                offenders.append(f"{template.name}:{n}: {line.strip()}")
    assert not offenders, offenders
