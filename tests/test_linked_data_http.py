"""Linked-data HTTP conformance for integrators (Jena, Comunica, rdflib, JSON-LD processors,
DCAT harvesters), on every backend: conditional requests, ``Link`` headers, the document and
its primary topic, ``/id`` without detours, 404 in the asked format, ``Accept: application/*``,
security headers and a hostile ``Host``; JSON-LD with a published context, framed, checked with
pyld against the Turtle."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from conftest import LiveServer
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import FOAF, SKOS

BASE = "https://w3id.org/vitaalkg/"
VR13 = URIRef(BASE + "id/veiligheidsregio/vr13")
DOC = "/doc/veiligheidsregio/vr13"
RDF_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld",
             "application/n-triples": "nt", "application/rdf+xml": "xml"}


@pytest.fixture(scope="module")
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=60.0) as c:
        yield c


def graph_of(r: httpx.Response) -> Graph:
    media = r.headers["content-type"].split(";")[0]
    return Graph().parse(data=r.content, format=RDF_TYPES[media], publicID=BASE)


# -- caching -----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [DOC, "/def/Action", "/", "/dataset", "/.well-known/void",
                                  "/dumps/vitaalkg.nt.gz", "/dumps/vitaalkg.ttl"])
def test_conditional_get_answers_304(client: httpx.Client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    etag, modified = r.headers["etag"], r.headers["last-modified"]
    assert "no-cache" in r.headers["cache-control"] and "public" in r.headers["cache-control"]
    assert "Authorization" in r.headers["vary"]
    same = client.get(path, headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.content == b""
    assert same.headers["etag"] == etag
    assert client.get(path, headers={"If-None-Match": f'W/{etag}, "other"'}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(path, headers={
        "If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110)
    assert client.get(path, headers={"If-None-Match": '"other"',
                                     "If-Modified-Since": modified}).status_code == 200


def test_etag_differs_per_representation(client: httpx.Client) -> None:
    tags = {client.get(DOC, headers={"Accept": media}).headers["etag"]
            for media in ["text/html", *RDF_TYPES]}
    assert len(tags) == 1 + len(RDF_TYPES)
    turtle = client.get(DOC, headers={"Accept": "text/turtle"}).headers["etag"]
    assert client.get(DOC, headers={"Accept": "application/ld+json",
                                    "If-None-Match": turtle}).status_code == 200


# -- links between the representations, the document and the thing -------------------------------
def test_link_headers_name_the_alternates(client: httpx.Client) -> None:
    r = client.get(DOC, headers={"Accept": "text/turtle"})
    links = httpx.Headers(r.headers).get("link", "")
    for suffix, media in [("html", "text/html"), ("ttl", "text/turtle"),
                          ("jsonld", "application/ld+json"), ("nt", "application/n-triples"),
                          ("rdf", "application/rdf+xml")]:
        assert f'<{DOC}.{suffix}>; rel="alternate"; type="{media}"' in links
    for suffix in ("html", "ttl", "jsonld", "nt", "rdf"):  # and each of them answers
        assert client.get(f"{DOC}.{suffix}").status_code == 200
    assert 'rel="alternate"' in client.get("/def/Action").headers.get("link", "")


@pytest.mark.parametrize("media", sorted(RDF_TYPES))
def test_document_names_its_primary_topic(client: httpx.Client, media: str) -> None:
    g = graph_of(client.get(DOC, headers={"Accept": media}))
    doc = URIRef(BASE + "doc/veiligheidsregio/vr13")
    assert (doc, FOAF.primaryTopic, VR13) in g
    assert (VR13, FOAF.isPrimaryTopicOf, doc) in g


def test_unknown_id_is_404_at_once(client: httpx.Client) -> None:
    r = client.get("/id/veiligheidsregio/vr99", follow_redirects=False)
    assert r.status_code == 404
    assert client.get("/id/geen-soort", follow_redirects=False).status_code == 404
    known = client.get("/id/veiligheidsregio/vr13", follow_redirects=False)
    assert known.status_code == 303
    assert client.get("/id/veiligheidsregio", follow_redirects=False).status_code == 303
    assert client.get("/id/dataset/vitaalkg", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("path", ["/id/veiligheidsregio/vr05/", "/doc/veiligheidsregio/vr05/"])
def test_trailing_slash_leads_to_the_resource(client: httpx.Client, path: str) -> None:
    r = client.get(path, headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert r.status_code == 200
    assert str(r.url).endswith("/doc/veiligheidsregio/vr05")
    assert (URIRef(BASE + "id/veiligheidsregio/vr05"), None, None) in graph_of(r)
    lst = client.get("/doc/veiligheidsregio/", follow_redirects=True)
    assert lst.status_code == 200 and str(lst.url).endswith("/doc/veiligheidsregio")


@pytest.mark.parametrize("accept", ["application/*", "application/*;q=0.9, text/html;q=0.1"])
def test_application_wildcard_gets_rdf(client: httpx.Client, accept: str) -> None:
    r = client.get(DOC, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] in RDF_TYPES
    assert (VR13, SKOS.notation, Literal("VR13")) in graph_of(r)


@pytest.mark.parametrize("media", sorted(RDF_TYPES))
@pytest.mark.parametrize("path", ["/doc/veiligheidsregio/vr99", "/id/veiligheidsregio/vr99",
                                  "/def/GeenKlasse"])
def test_404_in_the_asked_format(client: httpx.Client, media: str, path: str) -> None:
    r = client.get(path, headers={"Accept": media}, follow_redirects=False)
    assert r.status_code == 404
    assert r.headers["content-type"].split(";")[0] == media
    assert len(graph_of(r)) == 0  # an empty, parseable document
    suffixed = client.get("/doc/veiligheidsregio/vr99.ttl")
    assert suffixed.status_code == 404 and suffixed.headers["content-type"].startswith(
        "text/turtle")
    plain = client.get(path, headers={"Accept": "image/png"}, follow_redirects=False)
    assert plain.status_code == 404 and plain.headers["content-type"].startswith("text/plain")
    assert "Niet gevonden" in plain.text
    html = client.get(path, headers={"Accept": "text/html"}, follow_redirects=False)
    assert html.status_code == 404 and html.headers["content-type"].startswith("text/html")


# -- security headers, Host --------------------------------------------------------------------
PATHS = ["/", DOC, f"{DOC}.ttl", "/doc/veiligheidsregio/vr99", "/id/veiligheidsregio/vr13",
         "/def", "/sparql", "/sparql?query=ASK%7B%7D", "/queries", "/monitoring",
         "/static/style.css", "/health", "/openapi.json", "/dumps/vitaalkg.ttl",
         "/def/context.jsonld", "/plans"]


@pytest.mark.parametrize("path", PATHS)
def test_security_headers_on_every_response(client: httpx.Client, path: str) -> None:
    r = client.get(path, follow_redirects=False)
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("path", [*PATHS, "/doc/veiligheidsregio/", "/queries/", "/plans/",
                                  "/monitoring/", "/sparql/", "/id/veiligheidsregio/vr05/",
                                  "/queries/lac-doelen", "/docs"])
@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "application/json"])
def test_hostile_host_is_never_reflected(live_server: LiveServer, path: str,
                                         accept: str) -> None:
    r = httpx.get(live_server.url + path, timeout=60.0, follow_redirects=False,
                  headers={"Host": "evil.example", "Accept": accept,
                           "X-Forwarded-Host": "evil2.example"})
    assert r.status_code < 500
    body = r.content if not path.endswith(".gz") else gzip.decompress(r.content)
    assert b"evil" not in body.lower()
    assert not any("evil" in v.lower() for v in r.headers.values()), dict(r.headers)


# -- JSON-LD -----------------------------------------------------------------------------------
def jsonld_of(client: httpx.Client, path: str) -> dict:
    r = client.get(path, headers={"Accept": "application/ld+json"})
    assert r.status_code == 200
    return r.json()


def test_context_is_published_and_used(client: httpx.Client) -> None:
    r = client.get("/def/context.jsonld")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    ctx = r.json()["@context"]
    assert ctx["memberOf"] == {"@id": "http://www.w3.org/ns/org#memberOf", "@type": "@id",
                               "@container": "@set"}
    assert ctx["prefLabel"]["@container"] == "@language"
    assert ctx["source"]["@type"] == "@id"
    ontology = [t for t in client.get("/def").text.split('"') if t.startswith("/def/")]
    assert ontology
    props = Graph().parse(data=client.get("/def/index.ttl").content, format="turtle")
    owl_props = {str(s) for s, o in props.subject_objects(
        URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"))
        if str(o).startswith("http://www.w3.org/2002/07/owl#") and str(o).endswith("Property")
        and str(s).startswith(BASE + "def/")}
    terms = {v["@id"] for v in ctx.values() if isinstance(v, dict)}
    assert owl_props and owl_props <= terms  # a term for every property of the ontology
    assert jsonld_of(client, DOC)["@context"] == ctx  # the same context in every answer


def test_jsonld_is_plain_json(client: httpx.Client) -> None:
    doc = jsonld_of(client, DOC)
    assert doc["@id"] == str(VR13)  # the resource itself at the top
    assert "SafetyRegion" in doc["@type"]
    assert doc["prefLabel"]["nl"]  # a language map
    assert doc["notation"] == ["VR13"]  # a set: always an array
    assert all(isinstance(v, str) and v.startswith("http") for v in doc["source"])
    members = doc["@reverse"]["member"] if "member" in doc.get("@reverse", {}) else None
    reverse = doc.get("@reverse", {})
    assert reverse and all(isinstance(v, list) for v in reverse.values())
    assert members is None or all("@id" in m for m in members)
    assert not any(":" in k and not k.startswith("@") for k in doc if k != "@context")


def _pyld_graph(data: object) -> Graph:
    from pyld import jsonld

    nquads = jsonld.to_rdf(data, {"format": "application/n-quads"})
    return Graph().parse(data=nquads, format="nt")


def _values(g: Graph) -> Graph:
    """``g`` with decimals of the same value written alike ('1.0' and '1'): rdflib's Turtle
    writer writes ``625000.0`` for the stored ``625000``."""
    out = Graph()
    for s, p, o in g:
        if isinstance(o, Literal) and isinstance(o.value, Decimal):
            o = Literal(format(o.value.normalize(), "f"), datatype=o.datatype)
        out.add((s, p, o))
    return out


@pytest.mark.parametrize("path", [DOC, "/doc/netwerk/drinkwater-vitens",
                                  "/doc/rolbeschrijving/veiligheidsregio",
                                  "/doc/agenda/lac-2024-2028", "/doc/dataset/vitaalkg",
                                  "/def/Action", "/graph/data/networks"])
def test_pyld_expands_compacts_and_frames_to_the_turtle(client: httpx.Client,
                                                        path: str) -> None:
    pyld = pytest.importorskip("pyld")
    jsonld = pyld.jsonld
    doc = jsonld_of(client, path)
    turtle = Graph().parse(data=client.get(path, headers={"Accept": "text/turtle"}).content,
                           format="turtle")
    assert len(turtle) > 0
    expected = _values(turtle)
    assert isomorphic(_values(_pyld_graph(jsonld.expand(doc))), expected)
    assert isomorphic(_values(_pyld_graph(jsonld.compact(doc, doc["@context"]))), expected)
    everything = jsonld.frame(doc, {"@context": doc["@context"]})
    assert isomorphic(_values(_pyld_graph(everything)), expected)
    if "@id" in doc:  # a resource: framing on it puts it at the top, as we answer
        framed = jsonld.frame(doc, {"@context": doc["@context"], "@id": doc["@id"]})
        top = framed.get("@graph", [framed])[0]
        prefix, _, local = top["@id"].partition(":")  # vkg:Action for an ontology term
        ctx = doc["@context"]
        expanded = ctx[prefix] + local if isinstance(ctx.get(prefix), str) else top["@id"]
        assert expanded == doc["@id"]
    # rdflib's own JSON-LD parser reads the same triples
    assert isomorphic(_values(Graph().parse(data=json.dumps(doc), format="json-ld")), expected)


def test_pyld_with_the_context_by_reference(client: httpx.Client,
                                            live_server: LiveServer) -> None:
    """A client that compacts with the published context's URL (fetched over HTTP from the
    server, as ``{base}def/context.jsonld`` resolves to it) gets the same document."""
    pyld = pytest.importorskip("pyld")
    jsonld = pyld.jsonld
    requested: list[str] = []

    def loader(url: str, options: object = None) -> dict:
        requested.append(url)
        local = url.replace(BASE, live_server.url + "/")
        r = httpx.get(local, headers={"Accept": "application/ld+json"}, timeout=60.0)
        return {"contentType": "application/ld+json", "contextUrl": None,
                "documentUrl": url, "document": r.json()}

    doc = jsonld_of(client, DOC)
    compacted = jsonld.compact(doc, BASE + "def/context.jsonld",
                               {"documentLoader": loader})
    assert requested == [BASE + "def/context.jsonld"]
    assert compacted["@id"] == doc["@id"] and compacted["notation"] == ["VR13"]
