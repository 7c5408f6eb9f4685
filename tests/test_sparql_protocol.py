"""The SPARQL 1.1 Protocol endpoint against a real ``vitaalkg serve`` (shared live server)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import httpx
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

VKG = "https://w3id.org/vitaalkg/def/"
SELECT = f"""PREFIX vkg: <{VKG}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?regio ?code WHERE {{ ?regio a vkg:SafetyRegion ; skos:notation ?code }} ORDER BY ?code"""
ASK = f"ASK {{ <https://w3id.org/vitaalkg/id/veiligheidsregio/vr13> a <{VKG}SafetyRegion> }}"
CONSTRUCT = f"""CONSTRUCT {{ ?r a <{VKG}SafetyRegion> }}
WHERE {{ ?r a <{VKG}SafetyRegion> }}"""
DESCRIBE = "DESCRIBE <https://w3id.org/vitaalkg/id/veiligheidsregio/vr13>"
VR13 = rdflib.URIRef("https://w3id.org/vitaalkg/id/veiligheidsregio/vr13")


def wrapper(url: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_select_all_result_formats(live_server, method):
    url = live_server.url
    data = wrapper(url, SELECT, JSON, method).query().convert()
    codes = [b["code"]["value"] for b in data["results"]["bindings"]]
    assert codes == [f"VR{i:02d}" for i in range(1, 26)]

    result = wrapper(url, SELECT, XML, method).query()
    assert result.info()["content-type"].startswith("application/sparql-results+xml")
    doc = result.convert()
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert len(doc.getElementsByTagName("result")) == 25
    assert ET.fromstring(doc.toxml()).find(f"{ns}head") is not None

    result = wrapper(url, SELECT, CSV, method).query()
    assert result.info()["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(result.convert().decode())))
    assert len(rows) == 25 and rows[12]["code"] == "VR13"
    assert rows[12]["regio"] == str(VR13)

    result = wrapper(url, SELECT, TSV, method).query()
    assert result.info()["content-type"].startswith("text/tab-separated-values")
    lines = result.convert().decode().strip().split("\n")
    assert lines[0] == "?regio\t?code" and len(lines) == 26
    assert lines[13] == f'<{VR13}>\t"VR13"'


@pytest.mark.parametrize("fmt, ctype", [(JSON, "application/sparql-results+json"),
                                        (XML, "application/sparql-results+xml"),
                                        (CSV, "text/csv"), (TSV, "text/tab-separated-values")])
def test_ask_all_result_formats(live_server, fmt, ctype):
    result = wrapper(live_server.url, ASK, fmt).query()
    assert result.info()["content-type"].startswith(ctype)
    converted = result.convert()
    if fmt == JSON:
        assert converted["boolean"] is True
    elif fmt == XML:
        assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"
    else:
        assert converted.decode().split()[-1] == "true"


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE])
@pytest.mark.parametrize("fmt, ctype", [(TURTLE, "text/turtle"), (JSONLD, "application/ld+json"),
                                        (RDFXML, "application/rdf+xml"), (N3, "text/turtle")])
def test_graph_queries_all_rdf_formats(live_server, query, fmt, ctype):
    result = wrapper(live_server.url, query, fmt).query()
    assert result.info()["content-type"].startswith(ctype)
    graph = result.convert()
    if not isinstance(graph, rdflib.Graph):
        graph = rdflib.Graph().parse(data=graph, format="turtle" if fmt in (TURTLE, N3)
                                     else "json-ld" if fmt == JSONLD else "xml")
    if query is CONSTRUCT:
        assert len(graph) == 25
    else:
        assert (VR13, rdflib.URIRef("http://www.w3.org/2004/02/skos/core#notation"),
                rdflib.Literal("VR13")) in graph


def test_ntriples_via_sparqlwrapper(live_server):
    client = wrapper(live_server.url, CONSTRUCT, N3)
    client.setOnlyConneg(True)
    client.addCustomHttpHeader("Accept", "application/n-triples")
    result = client.query()
    assert result.info()["content-type"].startswith("application/n-triples")
    graph = rdflib.Graph().parse(data=result.response.read().decode(), format="nt")
    assert len(graph) == 25


def test_rdflib_sparqlstore_reads_through_endpoint(live_server):
    store = SPARQLStore(live_server.url + "/sparql", returnFormat="json")
    graph = rdflib.Graph(store=store)
    rows = list(graph.query(SELECT))
    assert len(rows) == 25 and str(rows[0][1]) == "VR01"
    assert (VR13, rdflib.RDF.type, rdflib.URIRef(VKG + "SafetyRegion")) in graph
    assert bool(graph.query(ASK).askAnswer) is True


ACCEPTS = [
    (SELECT, "application/sparql-results+json", "application/sparql-results+json"),
    (SELECT, "application/sparql-results+xml", "application/sparql-results+xml"),
    (SELECT, "text/csv", "text/csv"),
    (SELECT, "text/tab-separated-values", "text/tab-separated-values"),
    (SELECT, "application/json", "application/sparql-results+json"),
    (SELECT, "text/csv;q=0.4, application/sparql-results+xml;q=0.9",
     "application/sparql-results+xml"),
    (SELECT, "text/html,application/xhtml+xml,*/*;q=0.8", "application/sparql-results+json"),
    (SELECT, None, "application/sparql-results+json"),
    (CONSTRUCT, "text/turtle", "text/turtle"),
    (CONSTRUCT, "application/ld+json", "application/ld+json"),
    (CONSTRUCT, "application/n-triples", "application/n-triples"),
    (CONSTRUCT, "application/rdf+xml", "application/rdf+xml"),
    (CONSTRUCT, "application/rdf+xml;q=0.5, application/n-triples", "application/n-triples"),
    (CONSTRUCT, "*/*", "text/turtle"),
]


@pytest.mark.parametrize("query, accept, expected", ACCEPTS)
def test_accept_negotiation(live_server, query, accept, expected):
    headers = {"Accept": accept} if accept else {}
    r = httpx.get(live_server.url + "/sparql", params={"query": query}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == expected
    assert "accept" in r.headers.get("vary", "").lower()


@pytest.mark.parametrize("fmt, expected", [
    ("csv", "text/csv"), ("tsv", "text/tab-separated-values"),
    ("xml", "application/sparql-results+xml"), ("json", "application/sparql-results+json")])
def test_format_parameter_overrides_accept(live_server, fmt, expected):
    r = httpx.get(live_server.url + "/sparql", params={"query": SELECT, "format": fmt},
                  headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith(expected)


def test_post_forms_and_direct_body(live_server):
    url = live_server.url + "/sparql"
    r = httpx.post(url, data={"query": SELECT}, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.text.count("\n") == 26
    r = httpx.post(url, content=SELECT.encode(), headers={
        "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 25
    r = httpx.post(url, content=b"x", headers={"Content-Type": "image/png"})
    assert r.status_code == 415


def test_dataset_parameters(live_server):
    url = live_server.url + "/sparql"
    regions = "https://w3id.org/vitaalkg/graph/data/regions"
    themes = "https://w3id.org/vitaalkg/graph/data/themes"
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?r a <{VKG}SafetyRegion> }}"
    only_regions = httpx.get(url, params={"query": count, "default-graph-uri": regions})
    only_themes = httpx.get(url, params={"query": count, "default-graph-uri": themes})
    assert only_regions.json()["results"]["bindings"][0]["n"]["value"] == "25"
    assert only_themes.json()["results"]["bindings"][0]["n"]["value"] == "0"
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = httpx.post(url, data={"query": named, "named-graph-uri": [regions, themes]})
    graphs = {b["g"]["value"] for b in r.json()["results"]["bindings"]}
    assert graphs == {regions, themes}
    r = httpx.get(url, params={"query": count, "default-graph-uri": "not an iri"})
    assert r.status_code == 400


@pytest.mark.parametrize("request_kwargs", [
    {"method": "GET", "params": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
    {"method": "GET", "params": {"update": "DROP ALL"}},
    {"method": "POST", "data": {"update": "CLEAR DEFAULT"}},
    {"method": "POST",
     "data": {"query": "# comment\nPREFIX x: <urn:x>\n delete where { ?s ?p ?o }"}},
    {"method": "POST", "content": b"DROP ALL",
     "headers": {"Content-Type": "application/sparql-update"}},
])
def test_updates_are_refused(live_server, request_kwargs):
    kwargs = dict(request_kwargs)
    method = kwargs.pop("method")
    r = httpx.request(method, live_server.url + "/sparql", **kwargs)
    assert r.status_code == 403
    assert "alleen-lezen" in r.text and "read-only" in r.text
    count = httpx.get(live_server.url + "/health").json()["triples"]
    assert count > 1000


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { sErViCe\n  # a comment\n  SILENT <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE {#x\nservice<http://127.0.0.1:9/>{?s ?p ?o}}",
])
def test_service_is_refused(live_server, query):
    r = httpx.get(live_server.url + "/sparql", params={"query": query})
    assert r.status_code == 403 and "SERVICE" in r.text


def test_service_word_elsewhere_is_not_refused(live_server):
    query = ('PREFIX service: <urn:service:> SELECT ?service WHERE { '
             '?service a service:SERVICE FILTER(?service != "SERVICE") } # SERVICE')
    r = httpx.get(live_server.url + "/sparql", params={"query": query})
    assert r.status_code == 200, r.text


def test_malformed_query_gives_parser_message(live_server):
    r = httpx.get(live_server.url + "/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert r.status_code == 400
    assert "error at" in r.text or "expected" in r.text
    r = httpx.get(live_server.url + "/sparql", params={"query": ""})
    assert r.status_code == 400


def test_not_acceptable(live_server):
    r = httpx.get(live_server.url + "/sparql", params={"query": SELECT},
                  headers={"Accept": "image/png"})
    assert r.status_code == 406 and "application/sparql-results+json" in r.text
    r = httpx.get(live_server.url + "/sparql", params={"query": CONSTRUCT},
                  headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 406
    r = httpx.get(live_server.url + "/sparql", headers={"Accept": "image/png"})
    assert r.status_code == 406


def test_cors(live_server):
    url = live_server.url + "/sparql"
    origin = {"Origin": "https://example.org"}
    r = httpx.get(url, params={"query": ASK}, headers=origin)
    assert r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers
    r = httpx.post(url, data={"query": ASK}, headers=origin)
    assert r.headers["access-control-allow-origin"] == "*"
    r = httpx.options(url, headers={**origin, "Access-Control-Request-Method": "POST",
                                    "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 200
    assert "POST" in r.headers["access-control-allow-methods"]


@pytest.mark.parametrize("accept, fmt", [
    ("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"), ("application/n-triples", "nt")])
def test_service_description(live_server, accept, fmt):
    r = httpx.get(live_server.url + "/sparql", headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    graph = rdflib.Graph().parse(data=r.text, format=fmt)
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = rdflib.URIRef(live_server.url + "/sparql")
    assert (service, rdflib.RDF.type, sd.Service) in graph
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (service, sd.resultFormat,
            rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON")) in graph
    names = set(graph.objects(None, sd.name))
    assert rdflib.URIRef("https://w3id.org/vitaalkg/graph/data/regions") in names


def test_browser_gets_query_editor(live_server):
    r = httpx.get(live_server.url + "/sparql",
                  headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "/static/yasgui/yasgui.min.js" in page and "/static/yasgui/yasgui.min.css" in page
    assert live_server.url + "/sparql" in page
    examples = json.loads(page.split('<script id="examples" type="application/json">')[1]
                          .split("</script>")[0])
    assert len(examples) >= 13 and any(e["name"] == "taken-per-thema" for e in examples)
    for asset in ("/static/yasgui/yasgui.min.js", "/static/yasgui/yasgui.min.css"):
        response = httpx.get(live_server.url + asset)
        assert response.status_code == 200 and len(response.content) > 10_000
    assert "cdn" not in page.lower()
