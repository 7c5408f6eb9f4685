"""The linked-data pages against a real server: redirects, content negotiation, HTML pages,
the ontology browser, the dataset description and the dumps."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from collections.abc import Iterator

import httpx
import pytest
from conftest import ROOT, LiveServer
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from vitaalkg.store import EmbeddedStore

BASE = "https://w3id.org/vitaalkg/"
VR13 = URIRef(BASE + "id/veiligheidsregio/vr13")
VKG = BASE + "def/"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
SUFFIXES = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt", "rdf": "xml"}
DCAT = Namespace("http://www.w3.org/ns/dcat#")  # plain namespaces: no warnings on attribute
VOID = Namespace("http://rdfs.org/ns/void#")   # look-ups by pytest's introspection
SCRIPT_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=30.0) as c:
        yield c


def parse(body: bytes, fmt: str, base: str = BASE) -> Graph:
    g = Graph()
    g.parse(data=body, format=fmt, publicID=base)
    return g


def label_of(kb: EmbeddedStore, iri: str) -> str:
    rows = kb.select(f"""SELECT ?l WHERE {{ <{iri}> <{SKOS.prefLabel}>|<{RDFS.label}> ?l
        FILTER(LANG(?l) = "nl") }} LIMIT 1""")
    return rows[0]["l"]


# -- /id and /doc ----------------------------------------------------------------------------
def test_id_answers_303_see_other_to_doc(client: httpx.Client) -> None:
    r = client.get("/id/veiligheidsregio/vr13", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].endswith("/doc/veiligheidsregio/vr13")
    followed = client.get("/id/veiligheidsregio/vr13", headers={"Accept": "text/turtle"},
                          follow_redirects=True)
    assert followed.status_code == 200
    assert followed.headers["content-type"].startswith("text/turtle")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_id_refuses_writes(client: httpx.Client, method: str) -> None:
    r = client.request(method, "/id/veiligheidsregio/vr13", follow_redirects=False)
    assert r.status_code == 405


@pytest.mark.parametrize("accept", ["", "*/*", "text/html",
                                    "text/html,application/xhtml+xml,application/xml;q=0.9,"
                                    "*/*;q=0.8"])
def test_doc_defaults_to_html(client: httpx.Client, accept: str) -> None:
    r = client.get("/doc/veiligheidsregio/vr13", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "Accept" in r.headers.get("vary", "")
    assert "Amsterdam-Amstelland" in r.text
    assert '<html lang="nl">' in r.text


@pytest.mark.parametrize("media", sorted(RDF_TYPES))
def test_doc_negotiates_rdf(client: httpx.Client, kb: EmbeddedStore, media: str) -> None:
    r = client.get("/doc/veiligheidsregio/vr13", headers={"Accept": media})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    assert "Accept" in r.headers.get("vary", "")
    g = parse(r.content, RDF_TYPES[media])
    label = label_of(kb, str(VR13))
    assert (VR13, SKOS.prefLabel, Literal(label, lang="nl")) in g or (
        VR13, RDFS.label, Literal(label, lang="nl")) in g
    assert (VR13, SKOS.notation, Literal("VR13")) in g


def test_doc_prefers_by_q_value(client: httpx.Client) -> None:
    r = client.get("/doc/veiligheidsregio/vr13",
                   headers={"Accept": "text/html;q=0.3, application/ld+json;q=0.9"})
    assert r.headers["content-type"].startswith("application/ld+json")
    json.loads(r.text)


@pytest.mark.parametrize("suffix", sorted(SUFFIXES))
def test_doc_suffix_negotiation(client: httpx.Client, suffix: str) -> None:
    r = client.get(f"/doc/veiligheidsregio/vr13.{suffix}", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] != "text/html"
    g = parse(r.content, SUFFIXES[suffix])
    assert (VR13, RDF.type, URIRef(VKG + "SafetyRegion")) in g


def test_doc_html_suffix(client: httpx.Client) -> None:
    r = client.get("/doc/veiligheidsregio/vr13.html", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")


def test_key_with_a_dot(client: httpx.Client, kb: EmbeddedStore) -> None:
    goal = BASE + "id/lac-doel/1.1"
    assert kb.ask(f"ASK {{ <{goal}> ?p ?o }}")
    html = client.get("/doc/lac-doel/1.1")
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert label_of(kb, goal) in html.text or "1.1" in html.text
    ttl = client.get("/doc/lac-doel/1.1.ttl")
    assert ttl.status_code == 200
    g = parse(ttl.content, "turtle")
    assert (URIRef(goal), None, None) in g
    nt = client.get("/id/lac-doel/1.1", headers={"Accept": "application/n-triples"},
                    follow_redirects=True)
    assert (URIRef(goal), None, None) in parse(nt.content, "nt")


def test_not_acceptable(client: httpx.Client) -> None:
    r = client.get("/doc/veiligheidsregio/vr13", headers={"Accept": "image/png"})
    assert r.status_code == 406


def test_unknown_resource_is_a_404_page(client: httpx.Client) -> None:
    r = client.get("/doc/veiligheidsregio/vr99")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "Niet gevonden" in r.text
    assert client.get("/doc/veiligheidsregio/vr99.ttl").status_code == 404
    assert client.get("/doc/bestaat-niet").status_code == 404


def test_head_request(client: httpx.Client) -> None:
    r = client.head("/doc/veiligheidsregio/vr13", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")


# -- the HTML page ---------------------------------------------------------------------------
def test_region_page_shows_labels_types_sources_and_networks(
        client: httpx.Client, kb: EmbeddedStore) -> None:
    html = client.get("/doc/veiligheidsregio/vr13").text
    assert "<h1>" + label_of(kb, str(VR13)) + "</h1>" in html
    assert 'href="/def/SafetyRegion"' in html  # the type, linked to the ontology
    assert "veiligheidsregio" in html  # the type's Dutch label
    assert "Bron" in html
    # inverse relations: the networks it is a member of, linked with their labels
    networks = kb.select(f"""SELECT DISTINCT ?n WHERE {{ ?n <http://www.w3.org/ns/org#hasMember>
        <{VR13}> }}""")
    assert networks, "vr13 should be a member of at least one network"
    assert "lid van" in html
    for row in networks:
        path = row["n"].replace(BASE + "id/", "/doc/")
        assert f'href="{path}"' in html
        assert label_of(kb, row["n"]).replace("&", "&amp;").replace("'", "&#39;") in html
    # no raw IRIs as property names
    assert ">http://www.w3.org/2004/02/skos/core#notation<" not in html
    # links to the other formats
    for suffix in SUFFIXES:
        assert f'href="/doc/veiligheidsregio/vr13.{suffix}"' in html


def test_embedded_jsonld_is_valid(client: httpx.Client) -> None:
    html = client.get("/doc/veiligheidsregio/vr13").text
    scripts = SCRIPT_LD.findall(html)
    assert len(scripts) == 1
    g = Graph().parse(data=scripts[0], format="json-ld")
    assert (VR13, SKOS.notation, Literal("VR13")) in g


def test_list_pages(client: httpx.Client) -> None:
    regions = client.get("/doc/veiligheidsregio")
    assert regions.status_code == 200
    assert regions.text.count('href="/doc/veiligheidsregio/vr') == 25
    by_class = client.get("/lijst", params={"klasse": "vkg:SafetyRegion"})
    assert by_class.status_code == 200
    assert by_class.text.count('href="/doc/veiligheidsregio/vr') == 25


def test_blank_nodes_rendered_inline(client: httpx.Client, kb: EmbeddedStore) -> None:
    rows = kb.select("SELECT ?s WHERE { ?s ?p ?b . FILTER(isBlank(?b) && isIRI(?s) && "
                     f'STRSTARTS(STR(?s), "{BASE}id/")) ?b ?q ?o }} LIMIT 1')
    if not rows:
        pytest.skip("no resource with a blank node in the data")
    path = rows[0]["s"].replace(BASE + "id/", "/doc/")
    html = client.get(path).text
    assert 'class="bnode"' in html


# -- the ontology ----------------------------------------------------------------------------
def test_def_index_lists_classes_and_properties(client: httpx.Client) -> None:
    r = client.get("/def")
    assert r.status_code == 200
    assert 'href="/def/SafetyRegion"' in r.text
    assert 'href="/def/sector"' in r.text
    assert client.get("/def/").status_code == 200


def test_def_index_as_turtle_is_the_ontology(client: httpx.Client) -> None:
    r = client.get("/def", headers={"Accept": "text/turtle"})
    assert r.headers["content-type"].startswith("text/turtle")
    g = parse(r.content, "turtle")
    assert (URIRef(VKG + "SafetyRegion"), RDF.type, OWL.Class) in g
    assert len(g) > 100


def test_def_class_page(client: httpx.Client) -> None:
    r = client.get("/def/SafetyRegion")
    assert r.status_code == 200
    assert "<h1>veiligheidsregio</h1>" in r.text
    assert "safety region" in r.text
    assert 'class="count-badge" href="/lijst?klasse=' in r.text
    assert ">25</a>" in r.text  # instance count
    ttl = client.get("/def/SafetyRegion", headers={"Accept": "text/turtle"})
    g = parse(ttl.content, "turtle")
    assert (URIRef(VKG + "SafetyRegion"), RDFS.label, Literal("veiligheidsregio", lang="nl")) in g
    assert (URIRef(VKG + "SafetyRegion"), RDF.type, OWL.Class) in g


def test_def_property_page(client: httpx.Client, kb: EmbeddedStore) -> None:
    r = client.get("/def/sector")
    assert r.status_code == 200
    assert "keer gebruikt" in r.text
    ranges = kb.select(f"SELECT ?r WHERE {{ <{VKG}sector> <{RDFS.range}> ?r }}")
    for row in ranges:
        if row["r"].startswith(VKG):
            assert f'href="/def/{row["r"][len(VKG):]}"' in r.text
    jsonld = client.get("/def/sector.jsonld")
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert (URIRef(VKG + "sector"), None, None) in parse(jsonld.content, "json-ld")
    assert client.get("/def/BestaatNiet").status_code == 404


# -- home ------------------------------------------------------------------------------------
def test_home_page(client: httpx.Client, kb: EmbeddedStore) -> None:
    r = client.get("/")
    assert r.status_code == 200
    html = r.text
    assert "Kennisbank crisisbeheersing en vitale infrastructuur" in html
    for n in range(1, 9):
        assert f'href="/doc/thema/{n}"' in html
    for sector in ("drinkwater", "elektriciteit", "gas", "olie", "ict-telecom"):
        assert f'href="/doc/sector/{sector}"' in html
    # counts by kind: one column of names in the page's language (no English column beside)
    assert re.search(r"veiligheidsregio</a></td><td class=\"num\">25<", html)
    for link in ('href="/sparql"', 'href="/docs"', 'href="/dataset"',
                 'href="/dumps/vitaalkg.nt.gz"', 'href="/.well-known/void"',
                 'href="/doc/veiligheidsregio"', 'href="/doc/netwerk"'):
        assert link in html


def test_static_stylesheet(client: httpx.Client) -> None:
    r = client.get("/static/style.css")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/css")


# -- dataset description and dumps -----------------------------------------------------------
def test_void_description(client: httpx.Client) -> None:
    r = client.get("/.well-known/void")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    g = parse(r.content, "turtle")
    datasets = list(g.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 1
    ds = datasets[0]
    assert (ds, RDF.type, VOID.Dataset) in g
    assert g.value(ds, VOID.sparqlEndpoint) is not None
    assert str(g.value(ds, VOID.sparqlEndpoint)).endswith("/sparql")
    assert int(g.value(ds, VOID.triples)) > 1000
    assert int(g.value(ds, VOID.entities)) > 100
    assert (ds, VOID.exampleResource, VR13) in g
    assert len(list(g.objects(ds, VOID.dataDump))) == 2
    assert len(list(g.objects(ds, DCAT.distribution))) == 3
    assert list(g.subjects(RDF.type, DCAT.DataService))
    assert list(g.subjects(RDF.type, DCAT.Catalog))
    partitions = {g.value(p, VOID["class"]): int(g.value(p, VOID.entities))
                  for p in g.objects(ds, VOID.classPartition)}
    assert partitions[URIRef(VKG + "SafetyRegion")] == 25


def test_dataset_page_negotiates(client: httpx.Client) -> None:
    html = client.get("/dataset")
    assert html.headers["content-type"].startswith("text/html")
    assert 'href="/dumps/vitaalkg.nt.gz"' in html.text
    ttl = client.get("/dataset", headers={"Accept": "text/turtle"})
    assert list(parse(ttl.content, "turtle").subjects(RDF.type, DCAT.Dataset))


def test_dumps_are_complete_and_consistent(client: httpx.Client) -> None:
    health = client.get("/health").json()
    void = parse(client.get("/.well-known/void").content, "turtle")
    ds = next(void.subjects(RDF.type, DCAT.Dataset))
    r = client.get("/dumps/vitaalkg.nt.gz")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/gzip"
    nt = gzip.decompress(r.content)
    g = Graph().parse(data=nt, format="nt")
    assert len(g) == int(void.value(ds, VOID.triples))
    assert 0 < len(g) <= health["triples"]
    assert (VR13, SKOS.notation, Literal("VR13")) in g
    # cached and revalidatable
    again = client.get("/dumps/vitaalkg.nt.gz", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    ttl = client.get("/dumps/vitaalkg.ttl")
    assert ttl.headers["content-type"].startswith("text/turtle")
    assert len(parse(ttl.content, "turtle")) == len(g)
    assert client.get("/dumps/other.zip").status_code == 404


# -- hostile data ----------------------------------------------------------------------------
HOSTILE = BASE + "id/organisatie/zz-hostile"
HOSTILE_TTL = f"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix org: <http://www.w3.org/ns/org#> .
<{HOSTILE}> a org:Organization ;
    rdfs:label "<script>alert(1)</script>"@nl ;
    dct:description "</script><script>alert(2)</script><!-- & \\"quoted\\" 'single'"@nl ;
    rdfs:seeAlso <javascript:alert(3)> ;
    org:memberOf <{BASE}id/netwerk/continuiteit> .
"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory,
                   backend: str) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("hostile-root")
    for name in ("ontology", "shapes", "data", "queries"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, root / name,
                            ignore=shutil.ignore_patterns("examples"))
    (root / "data").mkdir(exist_ok=True)
    (root / "data" / "zz-hostile.ttl").write_text(HOSTILE_TTL, encoding="utf-8")
    server = LiveServer(tmp_path_factory.mktemp("hostile") / "store",
                        env={"VITAALKG_ROOT": str(root)}, backend=backend).start()
    yield server
    server.stop()


def test_hostile_literals_are_escaped(hostile_server: LiveServer) -> None:
    r = httpx.get(hostile_server.url + "/doc/organisatie/zz-hostile", timeout=30)
    assert r.status_code == 200
    html = r.text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;/script&gt;&lt;script&gt;alert(2)" in html
    assert 'href="javascript:' not in html
    # exactly one script element: the JSON-LD, which the literal cannot close
    assert html.count("<script") == 1
    scripts = SCRIPT_LD.findall(html)
    assert len(scripts) == 1
    data = json.loads(scripts[0])
    g = Graph().parse(data=json.dumps(data), format="json-ld")
    assert (URIRef(HOSTILE), RDFS.label, Literal("<script>alert(1)</script>", lang="nl")) in g
    # the page of a resource that links to it shows its label escaped too
    linked = httpx.get(hostile_server.url + "/doc/netwerk/continuiteit", timeout=30).text
    assert "<script>alert" not in linked
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in linked
    listing = httpx.get(hostile_server.url + "/doc/organisatie", timeout=30).text
    assert "<script>alert" not in listing


def test_hostile_path_is_not_injected(client: httpx.Client) -> None:
    r = client.get("/doc/veiligheidsregio/vr13%3E%20%3Fp%20%3Fo%20%7D%20%23")
    assert r.status_code == 404
    r = client.get("/lijst", params={"klasse": "vkg:X> ?p ?o } #"})
    assert r.status_code == 404


def test_many_inverse_relations_are_shown_in_part_and_counted(client: httpx.Client,
                                                              kb: EmbeddedStore) -> None:
    """A source cited by hundreds of resources: the page lists 200 and says how many there
    are, with a working query for all of them; the RDF document has every one."""
    path = "/doc/bron/referentie-domeinfeiten"
    source = URIRef(BASE + "id/bron/referentie-domeinfeiten")
    total = int(kb.select(f"SELECT (COUNT(?s) AS ?n) WHERE {{ ?s <{DCTERMS}source> "
                          f"<{source}> FILTER(isIRI(?s)) }}")[0]["n"])
    assert total > 200
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert f"200 van {total} getoond" in page.text
    link = re.search(r'<a href="(/sparql\?query=[^"]+)">alle ' + str(total), page.text)
    assert link, "no link to the full list"
    rows = client.get(link.group(1).replace("&amp;", "&"),
                      headers={"Accept": "application/sparql-results+json"})
    assert rows.status_code == 200 and len(rows.json()["results"]["bindings"]) == total
    ttl = client.get(path, headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=ttl.text, format="turtle")
    assert len(set(graph.subjects(URIRef(DCTERMS + "source"), source))) == total
    # the citing resources on the page are links with labels, not raw IRIs
    assert page.text.count('href="/doc/') > 200
