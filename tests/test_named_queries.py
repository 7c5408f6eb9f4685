"""Named queries: grlc decorators and parameters, validation, safety, and the /queries API."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import ROOT, LiveServer

from vitaalkg.plans.loading import load_all
from vitaalkg.plans.synthetic import make_root, network_members, synthetic_plans
from vitaalkg.plans.tallies import with_tallies
from vitaalkg.store import EmbeddedStore
from vitaalkg.store.namedqueries import (
    PAGE_MARK,
    NamedQueryError,
    load_named_queries,
    parse_named_query,
    parse_variable,
)

QUERIES = load_named_queries(ROOT / "queries")
# queries whose data only exists once plans / signatures are submitted: checked on the
# knowledge base plus synthetic plans and the signature example
NEEDS_PLANS = {"acties-onvolledig", "acties-te-laat", "voortgang-per-sector",
               "voortgang-per-netwerk", "voortgang-per-thema", "acties"}


def test_at_least_twelve_queries_with_headers():
    assert len(QUERIES) >= 12
    for nq in QUERIES.values():
        assert nq.summary and nq.description and nq.tags, nq.name
        assert nq.method == "GET"
        assert nq.form == "SELECT"
        # valid SPARQL as it is (the grlc variables are just variables)
        ox.Store().query(nq.text)


@pytest.mark.parametrize("variable, name, kind, datatype, required", [
    ("_regio_iri", "regio", "iri", None, True),
    ("__thema", "thema", "string", None, False),
    ("_jaar_integer", "jaar", "literal", "http://www.w3.org/2001/XMLSchema#integer", True),
    ("__peildatum_xsd_date", "peildatum", "literal", "http://www.w3.org/2001/XMLSchema#date",
     False),
    ("_start_datum_date", "start_datum", "literal", "http://www.w3.org/2001/XMLSchema#date",
     True),
    ("_naam_nl", "naam", "lang", None, True),
])
def test_grlc_parameter_convention(variable, name, kind, datatype, required):
    param = parse_variable(variable)
    assert param is not None
    assert (param.name, param.kind, param.datatype, param.required) == (name, kind, datatype,
                                                                         required)


def test_plain_variables_are_not_parameters():
    assert parse_variable("regio") is None
    assert parse_variable("___x") is None


def test_decorators_defaults_and_enumerate():
    nq = QUERIES["taken-per-thema"]
    (thema,) = nq.parameters
    assert thema.enum == [str(i) for i in range(1, 9)] and not thema.required
    org = QUERIES["verantwoordelijkheden-organisatie"].parameters[0]
    assert org.default == "veiligheidsregio/vr13" and not org.required
    listing = QUERIES["lac-doelen"].to_json("x")
    assert {p["name"]: p["type"] for p in listing["parameters"]} == {"regie": "iri",
                                                                     "jaar": "integer"}


@pytest.mark.parametrize("query, params, fragment", [
    ("lac-doelen", {"jaar": "twintig"}, "integer"),
    ("lac-doelen", {"jaar": "2025.5"}, "integer"),
    ("acties-te-laat", {"peildatum": "30-06-2016"}, "date"),
    ("acties-te-laat", {"peildatum": "2016-02-30"}, "date"),
    ("taken-per-thema", {"thema": "9"}, "niet toegestaan"),
    ("taken-per-thema", {"onderwerp": "1"}, "onbekende parameter"),
    ("netwerken-van-regio", {"regio": "vr13> } ; DROP ALL ; #"}, "geen geldige IRI"),
    ("netwerken-van-regio", {"regio": 'https://x/"> ?s ?p ?o'}, "geen geldige IRI"),
    ("netwerken-van-regio", {"regio": "../../etc"}, "geen geldige IRI"),
])
def test_bad_values_are_refused_with_a_message(query, params, fragment):
    with pytest.raises(NamedQueryError, match=fragment):
        QUERIES[query].bind(params)


def test_required_parameter(tmp_path: Path):
    path = tmp_path / "q.rq"
    path.write_text("#+ summary: t\nSELECT ?s ?_naam WHERE { ?s ?p ?_naam }\n")
    with pytest.raises(NamedQueryError, match="verplicht"):
        parse_named_query(path).bind({})


@pytest.fixture(scope="module")
def plans_store(settings) -> EmbeddedStore:
    """The knowledge base plus 400 synthetic actions and the signature example."""
    store = EmbeddedStore(None)
    load_all(store, settings)
    # written straight into the store (no loader), so with the tallies the loader would add
    triples = with_tallies(synthetic_plans(network_members(store), 400), "urn:test:plans")
    store.replace_graph("urn:test:plans", ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES),
                        "nt")
    example = ROOT / "data" / "examples" / "signatures-example.ttl"
    if example.exists():
        store.replace_graph("urn:test:signatures", example.read_bytes(), "ttl")
    return store


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_returns_rows(name, kb, plans_store):
    nq = QUERIES[name]
    store = plans_store if name in NEEDS_PLANS else kb
    rows = list(store.query(nq.text, substitutions=nq.bind({})))
    assert rows, f"{name} returned no rows"


def test_parameters_filter(kb, plans_store):
    def count(name: str, store: EmbeddedStore = kb, **params: str) -> int:
        nq = QUERIES[name]
        return len(list(store.query(nq.text, substitutions=nq.bind(params))))

    assert 0 < count("taken-per-thema", thema="3") < count("taken-per-thema")
    assert 0 < count("lac-doelen", jaar="2025") < count("lac-doelen")
    assert count("lac-doelen", regie="organisatie/vakraad-rcb") < count("lac-doelen")
    # one example point for gas; the consultation outcome is no longer copied per sector (issue 14)
    assert count("sectoragenda-verbeterpunten", sector="sector/gas") == 1
    assert count("netwerken-van-regio", regio="veiligheidsregio/vr13") >= 1
    assert count("netwerken-van-regio", regio="veiligheidsregio/vr99") == 0
    early = count("acties-te-laat", plans_store, peildatum="2017-01-01")
    late = count("acties-te-laat", plans_store, peildatum="2030-01-01")
    assert 0 < early < late
    signed = [r for r in plans_store.query(QUERIES["ondertekening-rolbeschrijving"].text)
              if r["ondertekend"].value == "true"]
    assert len(signed) == 3


def test_hostile_string_value_cannot_change_the_query(tmp_path: Path, kb):
    path = tmp_path / "q.rq"
    path.write_text(
        "#+ summary: t\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?r ?_code WHERE { ?r skos:notation ?_code }\n")
    nq = parse_named_query(path)
    assert len(list(kb.query(nq.text, substitutions=nq.bind({"code": "VR13"})))) == 1
    for hostile in ['VR13" . ?r ?p ?o #', "VR13' } UNION { ?r ?p ?o } #",
                    'x" ) } ; DROP ALL ; #', "VR13\\\" . ?s ?p ?o"]:
        assert list(kb.query(nq.text, substitutions=nq.bind({"code": hostile}))) == []


def test_text_for_other_base():
    nq = QUERIES["contactpersonen-per-netwerk"]
    text = nq.text_for("http://localhost:8000/")
    assert "<http://localhost:8000/def/>" in text and "w3id.org/vitaalkg" not in text
    assert nq.text_for("https://w3id.org/vitaalkg/") == nq.text


# -- over HTTP ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def plans_server(tmp_path_factory, plans_store, backend):
    root = tmp_path_factory.mktemp("root")
    members = network_members(plans_store)
    make_root(root, ROOT, {"zz-synthetic-plans": synthetic_plans(members, 400)})
    example = ROOT / "data" / "examples" / "signatures-example.ttl"
    if example.exists():
        shutil.copy(example, root / "data" / "zz-signatures-example.ttl")
    server = LiveServer(root / "store", env={"VITAALKG_ROOT": str(root)},
                        backend=backend).start()
    yield server
    server.stop()


def test_list_queries(plans_server):
    r = httpx.get(plans_server.url + "/queries")
    assert r.status_code == 200
    listed = {q["name"]: q for q in r.json()["queries"]}
    assert set(listed) == set(QUERIES)
    q = listed["lac-doelen"]
    assert q["summary"] and q["link"] == plans_server.url + "/queries/lac-doelen"
    assert {p["name"]: p["type"] for p in q["parameters"]} == {"regie": "iri", "jaar": "integer"}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_over_http(plans_server, name):
    r = httpx.get(f"{plans_server.url}/queries/{name}", timeout=30)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["query"] == name and doc["count"] == len(doc["rows"]) > 0
    assert set(doc["rows"][0]) <= set(doc["variables"])


def test_formats_and_typed_values(plans_server):
    url = plans_server.url + "/queries/voortgang-per-thema"
    rows = httpx.get(url).json()["rows"]
    assert isinstance(rows[0]["acties"], int) and 0 <= rows[0]["procentAfgerond"] <= 100
    r = httpx.get(url, params={"format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    assert len(list(csv.DictReader(io.StringIO(r.text)))) == len(rows)
    r = httpx.get(url, headers={"Accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv")
    r = httpx.get(url, headers={"Accept": "application/sparql-results+json"})
    assert len(r.json()["results"]["bindings"]) == len(rows)
    r = httpx.get(url, headers={"Accept": "image/png"})
    assert r.status_code == 406


def test_parameters_over_http(plans_server):
    url = plans_server.url + "/queries/"
    r = httpx.get(url + "netwerken-van-regio", params={"regio": "veiligheidsregio/vr13"})
    assert r.json()["parameters"] == {
        "regio": "https://w3id.org/vitaalkg/id/veiligheidsregio/vr13"}
    full = httpx.get(url + "netwerken-van-regio", params={
        "regio": "https://w3id.org/vitaalkg/id/veiligheidsregio/vr13"})
    assert full.json()["rows"] == r.json()["rows"] and r.json()["count"] > 0
    for params in ({"jaar": "volgend jaar"}, {"regie": "a b"}):
        bad = httpx.get(url + "lac-doelen", params=params)
        assert bad.status_code == 400 and bad.json()["detail"]
    bad = httpx.get(url + "acties-te-laat", params={"peildatum": "gisteren"})
    assert bad.status_code == 400 and "date" in bad.json()["detail"]
    assert httpx.get(url + "bestaat-niet").status_code == 404


@pytest.mark.parametrize("value", ["vr13> } ; DROP ALL ; #", 'vr13" . ?s ?p ?o #',
                                   "veiligheidsregio/vr13> <x:y> ?o . ?s ?p"])
def test_hostile_parameter_over_http(plans_server, value):
    before = httpx.get(plans_server.url + "/health").json()["triples"]
    r = httpx.get(plans_server.url + "/queries/netwerken-van-regio", params={"regio": value})
    assert r.status_code == 400
    assert httpx.get(plans_server.url + "/health").json()["triples"] == before


def test_openapi_has_one_path_per_query(plans_server):
    spec = httpx.get(plans_server.url + "/openapi.json").json()
    for name, nq in QUERIES.items():
        operation = spec["paths"][f"/queries/{name}"]["get"]
        names = {p["name"]: p for p in operation["parameters"]}
        paging = {"page"} if nq.page_size else set()
        assert set(names) == {p.name for p in nq.parameters} | {"format"} | paging
    params = {p["name"]: p for p in spec["paths"]["/queries/lac-doelen"]["get"]["parameters"]}
    assert params["jaar"]["schema"]["type"] == "integer"
    params = {p["name"]: p
              for p in spec["paths"]["/queries/acties-te-laat"]["get"]["parameters"]}
    assert params["peildatum"]["schema"]["format"] == "date"
    assert "/queries" in spec["paths"] and "/sparql" in spec["paths"]


# -- rewritten for speed: same answers as the plain formulations ----------------------------
# The action-plan queries are written for Oxigraph's evaluator (subqueries that force hash
# joins, BIND + VALUES instead of a late FILTER, no NOW()). These are the plain forms they
# replaced; both must give the same rows, in the same order, bound by substitution and by
# VALUES (as over HTTP).
_P = ("PREFIX vkg: <https://w3id.org/vitaalkg/def/> "
      "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
      "PREFIX dct: <http://purl.org/dc/terms/> "
      "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
      "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> ")
_COUNTS = ('SELECT {key} (COUNT(?actie) AS ?acties) (SUM(?af) AS ?afgerond) '
           '(SUM(?verv) AS ?vervallen) WHERE {{ {patterns} ?actie vkg:status ?st . '
           '?st skos:notation ?status . BIND(IF(?status = "afgerond", 1, 0) AS ?af) '
           'BIND(IF(?status = "vervallen", 1, 0) AS ?verv) }} GROUP BY {key}')
_SHARE = ('BIND(?acties - ?afgerond - ?vervallen AS ?lopend) '
          'BIND(IF(?acties - ?vervallen > 0, '
          'ROUND(1000 * ?afgerond / (?acties - ?vervallen)) / 10, 0) AS ?procentAfgerond)')
PLAIN = {
    "voortgang-per-thema": _P + (
        "SELECT ?themaNummer ?themaLabel ?acties ?afgerond ?vervallen ?lopend ?procentAfgerond "
        "WHERE { { " + _COUNTS.format(key="?thema", patterns="?plan vkg:hasAction ?actie . "
                                      "?actie vkg:theme ?thema .") + " } "
        "?thema skos:notation ?themaNummer . OPTIONAL { ?thema skos:prefLabel ?themaLabel "
        'FILTER(LANG(?themaLabel) = "nl") } ' + _SHARE + " } ORDER BY ?themaNummer"),
    "voortgang-per-sector": _P + (
        "SELECT ?sector ?sectorLabel ?acties ?afgerond ?vervallen ?lopend ?procentAfgerond "
        "WHERE { { " + _COUNTS.format(key="?sector", patterns="?plan vkg:network ?netwerk ; "
                                      "vkg:hasAction ?actie . ?netwerk vkg:sector ?sector .")
        + " } OPTIONAL { ?sector skos:prefLabel ?sectorLabel "
        'FILTER(LANG(?sectorLabel) = "nl") } ' + _SHARE + " } ORDER BY ?sectorLabel"),
    "voortgang-per-netwerk": _P + (
        "SELECT ?netwerk ?netwerkLabel ?__sector_iri ?acties ?afgerond ?vervallen ?lopend "
        "?procentAfgerond WHERE { { " + _COUNTS.format(
            key="?netwerk", patterns="?plan vkg:network ?netwerk ; vkg:hasAction ?actie .")
        + ' } OPTIONAL { ?netwerk vkg:sector ?sector } FILTER(sameTerm(COALESCE('
        '?__sector_iri, "-"), "-") || ?sector = ?__sector_iri) OPTIONAL { ?netwerk rdfs:label '
        '?netwerkLabel FILTER(LANG(?netwerkLabel) = "nl") } ' + _SHARE
        + " } ORDER BY ?netwerkLabel"),
    "acties-te-laat": _P + (
        "SELECT ?netwerk ?actie ?id ?omschrijving ?status ?eigenaar ?eigenaarLabel ?deadline "
        "?peildatum ?__peildatum_xsd_date WHERE { ?actie vkg:deadline ?deadline ; "
        'vkg:status ?st . ?st skos:notation ?status . FILTER(?status IN ("open", '
        '"in uitvoering")) BIND(COALESCE(?__peildatum_xsd_date, "x") AS ?peildatum) '
        "FILTER(?deadline < ?peildatum) ?plan vkg:hasAction ?actie ; vkg:network ?netwerk . "
        "OPTIONAL { ?actie dct:identifier ?id } OPTIONAL { ?actie dct:description "
        "?omschrijving } OPTIONAL { ?actie vkg:owner ?eigenaar . OPTIONAL { ?eigenaar "
        'rdfs:label ?eigenaarLabel FILTER(LANG(?eigenaarLabel) = "nl") } } } '
        "ORDER BY ?deadline ?netwerk ?id"),
    "acties-onvolledig": _P + (
        "SELECT ?netwerk ?actie ?id ?omschrijving ?status ?geenEigenaar ?geenDeadline "
        "?geenFinanciering ?__netwerk_iri WHERE { ?plan a vkg:ActionPlan ; vkg:network "
        "?netwerk ; vkg:hasAction ?actie . FILTER(?netwerk = COALESCE(?__netwerk_iri, "
        '?netwerk)) ?actie vkg:status/skos:notation ?status . FILTER(?status IN ("open", '
        '"in uitvoering")) OPTIONAL { ?actie dct:identifier ?id } OPTIONAL { ?actie '
        "dct:description ?omschrijving } BIND(NOT EXISTS { ?actie vkg:owner ?o } AS "
        "?geenEigenaar) BIND(NOT EXISTS { ?actie vkg:deadline ?d } AS ?geenDeadline) "
        "BIND(NOT EXISTS { ?actie vkg:financing ?f } AS ?geenFinanciering) "
        "FILTER(?geenEigenaar || ?geenDeadline || ?geenFinanciering) } "
        "ORDER BY ?netwerk ?id"),
}
PLAIN_PARAMS = {
    "voortgang-per-thema": [{}],
    "voortgang-per-sector": [{}],
    "voortgang-per-netwerk": [{}, {"sector": "sector/drinkwater"}, {"sector": "sector/gas"}],
    "acties-te-laat": [{"peildatum": d} for d in ("2016-01-01", "2017-01-01", "2019-06-30",
                                                  "2030-01-01", "vandaag")],
    "acties-onvolledig": [{}, {"netwerk": "netwerk/drinkwater-evides"},
                          {"netwerk": "netwerk/bestaat-niet"}],
}


EMPTY_CASES = [{"netwerk": "netwerk/bestaat-niet"}, {"peildatum": "2016-01-01"}]


def _rows(result) -> tuple[list[str], list[tuple]]:
    names = [v.value for v in result.variables]
    return names, [tuple(None if row[n] is None else str(row[n]) for n in names)
                   for row in result]


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_fast_queries_answer_as_the_plain_ones(name, plans_store):
    from vitaalkg.store.remote import bind_values

    nq = QUERIES[name]
    for params in PLAIN_PARAMS[name]:
        subs = nq.bind(params)
        expected = _rows(plans_store.query(PLAIN[name], substitutions=subs))
        # every case has rows except a network without a plan and a date before all deadlines
        assert bool(expected[1]) != (params in EMPTY_CASES), (name, params)
        assert _rows(plans_store.query(nq.text, substitutions=subs)) == expected, params
        over_http = plans_store.query(bind_values(nq.text, subs))  # as /sparql gets it
        assert _rows(over_http) == expected, params


def test_named_queries_are_cacheable():
    """No NOW(), RAND(), UUID() …: the result cache skips queries that use them."""
    from vitaalkg.store.sparqltext import tokenize

    for nq in QUERIES.values():
        words = {t.text.upper() for t in tokenize(nq.text) if t.kind == "word"}
        assert not words & {"NOW", "RAND", "UUID", "STRUUID", "BNODE"}, nq.name


def test_reference_date_defaults_to_today(plans_store):
    import datetime as dt

    nq = QUERIES["acties-te-laat"]
    (param,) = nq.parameters
    assert param.default == "today" and not param.required
    today = dt.date.today().isoformat()
    assert nq.bind({})[param.variable].value == today
    assert nq.bind({"peildatum": "vandaag"})[param.variable].value == today
    rows = list(plans_store.query(nq.text, substitutions=nq.bind({})))
    assert rows and {r["peildatum"].value for r in rows} == {today}
    assert all(r["deadline"].value < today for r in rows)


# -- pagination (#+ pagination: N) ----------------------------------------------------------
def _write(tmp_path: Path, body: str, name: str = "gepagineerd.rq") -> Path:
    path = tmp_path / name
    path.write_text("#+ summary: t\n" + body)
    return path


def test_pagination_decorator(tmp_path: Path):
    nq = QUERIES["acties-te-laat"]
    assert nq.page_size == 100 and nq.to_json()["pageSize"] == 100
    assert QUERIES["lac-doelen"].page_size is None and QUERIES["lac-doelen"].to_json()[
        "pageSize"] is None
    # the page is cut where the file marks it (in its subquery), nowhere else
    assert PAGE_MARK in nq.text and PAGE_MARK not in nq.page_text(1)
    assert nq.page_text(1) == nq.text.replace(PAGE_MARK, "LIMIT 100 OFFSET 0")
    assert nq.page_text(3) == nq.text.replace(PAGE_MARK, "LIMIT 100 OFFSET 200")
    other = nq.page_text(2, base="http://localhost:8000/")
    assert "<http://localhost:8000/def/>" in other and "LIMIT 100 OFFSET 100" in other
    # without a mark, LIMIT/OFFSET go at the end, as grlc puts them
    plain = parse_named_query(_write(tmp_path, "#+ pagination: 5\n"
                                     "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s\n"))
    assert plain.page_text(2).endswith("ORDER BY ?s\nLIMIT 5 OFFSET 5\n")


SUB = ("#+ pagination: 5\nSELECT ?s ?l WHERE {{ {{ SELECT ?s WHERE {{ ?s ?p ?o }} {inner} }} "
       "OPTIONAL {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }} }} ORDER BY ?s ?l\n")


@pytest.mark.parametrize("inner, ok", [
    (f"ORDER BY ?s\n{PAGE_MARK}\n", True),
    (f"ORDER BY ?s\n  {PAGE_MARK}\n", True),
    (f"\n{PAGE_MARK}\n", False),  # no ORDER BY before the mark
    (f"ORDER BY ?s\n{PAGE_MARK}\n{PAGE_MARK}\n", False),  # twice
    (f"ORDER BY ?s {PAGE_MARK}\n", False),  # not on a line of its own
])
def test_page_mark_rules(tmp_path: Path, kb, inner: str, ok: bool):
    path = _write(tmp_path, SUB.format(inner=inner))
    if not ok:
        with pytest.raises(NamedQueryError, match="vitaalkg:page"):
            parse_named_query(path)
        return
    nq = parse_named_query(path)
    assert "LIMIT 5 OFFSET 10" in nq.page_text(3) and PAGE_MARK not in nq.page_text(3)
    everything = [str(r["s"]) for r in kb.query(nq.text)]
    pages = [str(r["s"]) for k in (1, 2, 3) for r in kb.query(nq.page_text(k))]
    assert len(pages) == 15 and pages == everything[:15]


def test_page_mark_outside_a_subquery_or_without_pagination(tmp_path: Path):
    outer = _write(tmp_path, f"#+ pagination: 5\nSELECT ?s WHERE {{ ?s ?p ?o }} ORDER BY ?s\n"
                             f"{PAGE_MARK}\n")
    with pytest.raises(NamedQueryError, match="subquery"):
        parse_named_query(outer)
    unpaged = _write(tmp_path, SUB.format(inner=f"ORDER BY ?s\n{PAGE_MARK}\n")
                     .replace("#+ pagination: 5\n", ""), name="zonder.rq")
    with pytest.raises(NamedQueryError, match="pagination"):
        parse_named_query(unpaged)
    with pytest.raises(NamedQueryError, match="geen paginering"):
        QUERIES["lac-doelen"].page_text(1)


def test_paginated_file_ends_with_a_comment(tmp_path: Path, kb):
    """LIMIT/OFFSET go on a line of their own: a trailing comment cannot swallow them."""
    nq = parse_named_query(_write(tmp_path, (
        "#+ pagination: 2\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?r ?n WHERE { ?r skos:notation ?n } ORDER BY ?n ?r  # vaste volgorde")))
    assert nq.page_size == 2
    assert len(list(kb.query(nq.page_text(1)))) == 2
    everything = [tuple(map(str, (r["r"], r["n"]))) for r in kb.query(nq.text)]
    assert len(everything) > 4
    pages = [tuple(map(str, (r["r"], r["n"]))) for k in (1, 2)
             for r in kb.query(nq.page_text(k))]
    assert pages == everything[:4]


@pytest.mark.parametrize("header, query, fragment", [
    ("#+ pagination: 0\n", "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", "positief geheel getal"),
    ("#+ pagination: -5\n", "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", "positief geheel getal"),
    ("#+ pagination: veel\n", "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s",
     "positief geheel getal"),
    ("#+ pagination: 2.5\n", "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s",
     "positief geheel getal"),
    ("#+ pagination: true\n", "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s",
     "positief geheel getal"),
    ("#+ pagination:\n", "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", "positief geheel getal"),
    ("#+ pagination: 10\n", "SELECT ?s WHERE { ?s ?p ?o }", "ORDER BY"),
    # an ORDER BY inside a subquery does not order the pages
    ("#+ pagination: 10\n", "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s } }",
     "ORDER BY"),
    ("#+ pagination: 10\n", "SELECT ?s WHERE { ?s ?p ?o } # ORDER BY ?s", "ORDER BY"),
    ("#+ pagination: 10\n", "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 5", "LIMIT"),
    ("#+ pagination: 10\n", "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s OFFSET 5", "OFFSET"),
    ("#+ pagination: 10\n", "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s VALUES ?s { <x:a> }",
     "VALUES"),
    ("#+ pagination: 10\n", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s", "SELECT"),
    ("", "SELECT ?s ?_page WHERE { ?s ?p ?_page }", "gereserveerd"),
    ("", "SELECT ?s ?__page_integer WHERE { ?s ?p ?__page_integer }", "gereserveerd"),
    ("", "SELECT ?s ?_format WHERE { ?s ?p ?_format }", "gereserveerd"),
])
def test_bad_paginated_files_are_refused(tmp_path: Path, header, query, fragment):
    path = _write(tmp_path, header + query + "\n")
    with pytest.raises(NamedQueryError, match=fragment) as info:
        parse_named_query(path)
    assert "gepagineerd.rq" in str(info.value)


def test_good_paginated_files(tmp_path: Path):
    for query in ("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s",
                  "SELECT ?s (COUNT(*) AS ?n) WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 9 } }"
                  " GROUP BY ?s HAVING (COUNT(*) > 1) ORDER BY DESC(?n) ?s",
                  "SELECT ?s (EXISTS { ?s a ?t } AS ?typed) { ?s ?p ?o } ORDER BY ?s ?typed"):
        assert parse_named_query(_write(tmp_path, "#+ pagination: '25'\n" + query)).page_size \
            == 25


def test_paginated_file_without_order_is_left_out_of_the_api(tmp_path: Path, caplog):
    from vitaalkg.web.queries_api import load_queries

    _write(tmp_path, "#+ pagination: 10\nSELECT ?s WHERE { ?s ?p ?o }\n", "zonder-volgorde.rq")
    _write(tmp_path, "#+ pagination: 10\nSELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s\n", "goed.rq")
    with caplog.at_level("WARNING"):
        assert list(load_queries(tmp_path)) == ["goed"]
    assert "zonder-volgorde.rq" in caplog.text and "ORDER BY" in caplog.text
    with pytest.raises(NamedQueryError, match="zonder-volgorde.rq"):
        load_named_queries(tmp_path)


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", "1e3", "10000000", "２"])
def test_bad_page_numbers(value):
    from vitaalkg.store.namedqueries import parse_page

    with pytest.raises(NamedQueryError, match="paginanummer"):
        parse_page(value)


def test_pages_concatenate_to_the_unpaged_rows(plans_store):
    """In process, bound by substitution and by VALUES (as on a remote store): the pages in
    order are the unpaged rows, a full page may be followed by more, the rest are short."""
    from vitaalkg.store.remote import bind_values

    nq = QUERIES["acties-te-laat"]
    for date in ("2016-01-01", "2017-07-01", "2019-06-30", "2030-01-01"):
        subs = nq.bind({"peildatum": date})
        expected = _rows(plans_store.query(PLAIN["acties-te-laat"], substitutions=subs))[1]
        for bind in ("substitutions", "values"):
            pages: list[tuple] = []
            for page in range(1, 100):
                text = nq.page_text(page)
                result = (plans_store.query(text, substitutions=subs) if bind == "substitutions"
                          else plans_store.query(bind_values(text, subs)))
                rows = _rows(result)[1]
                assert len(rows) <= 100
                pages += rows
                if len(rows) < 100:
                    break
            assert pages == expected, (date, bind)


# over HTTP, on every backend
_LATE = "/queries/acties-te-laat"
_DATE = "2030-01-01"  # every open action of the synthetic plans is late: a few pages


def _unpaged_bindings(server) -> list[dict]:
    """The late actions without pagination, through /sparql (parameter bound by VALUES)."""
    from vitaalkg.store.remote import bind_values

    nq = QUERIES["acties-te-laat"]
    text = bind_values(nq.text, nq.bind({"peildatum": _DATE}))
    r = httpx.post(server.url + "/sparql", data={"query": text},
                   headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["results"]["bindings"]


def _links(response: httpx.Response) -> dict[str, str]:
    """rel -> URL of an RFC 8288 Link header."""
    out = {}
    for part in response.headers.get("link", "").split(","):
        if part.strip():
            url, rel = part.split(";", 1)
            out[rel.strip().removeprefix("rel=").strip('"')] = url.strip().strip("<>")
    return out


def test_pages_over_http(plans_server):
    expected = _unpaged_bindings(plans_server)
    total = len(expected)
    assert total > 200, total  # at least two full pages and a last one
    last = (total + 99) // 100
    url = plans_server.url + _LATE
    pages: list[dict] = []
    for page in range(1, last + 1):
        params = {"peildatum": _DATE, "page": str(page)}
        r = httpx.get(url, params=params, headers={"Accept": "application/sparql-results+json"},
                      timeout=60)
        assert r.status_code == 200, r.text
        rows = r.json()["results"]["bindings"]
        pages += rows
        links = _links(r)
        assert links["first"] == f"{_LATE}?peildatum={_DATE}&page=1"
        assert ("prev" in links) == (page > 1)
        if page > 1:
            assert links["prev"] == f"{_LATE}?peildatum={_DATE}&page={page - 1}"
        if page < last:
            assert len(rows) == 100
            assert links["next"] == f"{_LATE}?peildatum={_DATE}&page={page + 1}"
        else:
            assert len(rows) == total - 100 * (last - 1)
            assert ("next" in links) == (len(rows) == 100)  # a full last page: there may be more
    assert pages == expected
    # the link is followed as it is (an absolute path on this server), other parameters kept
    r = httpx.get(plans_server.url + _links(r)["first"], params={"format": "csv"}, timeout=60)
    assert r.status_code == 200 and len(list(csv.DictReader(io.StringIO(r.text)))) == 100


def test_page_documents_over_http(plans_server):
    url = plans_server.url + _LATE
    one = httpx.get(url, params={"peildatum": _DATE}, timeout=60)  # no page: page 1
    assert one.status_code == 200
    doc = one.json()
    assert (doc["page"], doc["pageSize"], doc["hasNext"], doc["count"]) == (1, 100, True, 100)
    assert doc["parameters"] == {"peildatum": _DATE} and len(doc["rows"]) == 100
    assert _links(one)["next"] == f"{_LATE}?peildatum={_DATE}&page=2"
    two = httpx.get(url, params={"peildatum": _DATE, "page": "2", "format": "json"}, timeout=60)
    doc2 = two.json()
    assert doc2["page"] == 2 and doc2["rows"] and doc2["rows"][0] != doc["rows"][0]
    assert _links(two)["prev"] == f"{_LATE}?peildatum={_DATE}&format=json&page=1"
    assert doc2["rows"][0]["deadline"] >= doc["rows"][-1]["deadline"]
    # CSV: the rows of that page; the Link header as well
    csv_two = httpx.get(url, params={"peildatum": _DATE, "page": "2"},
                        headers={"Accept": "text/csv"}, timeout=60)
    assert csv_two.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(csv_two.text)))
    assert [row["actie"] for row in table] == [row["actie"] for row in doc2["rows"]]
    assert "rel=\"prev\"" in csv_two.headers["link"]
    # past the end: no rows, no next
    far = httpx.get(url, params={"peildatum": _DATE, "page": "99"}, timeout=60).json()
    assert far["rows"] == [] and far["hasNext"] is False
    # the default date (today) pages too
    today = httpx.get(url, timeout=60)
    assert today.status_code == 200 and today.json()["page"] == 1
    # a query without pagination: no Link header, no page fields
    plain = httpx.get(plans_server.url + "/queries/veiligheidsregios", timeout=60)
    assert "link" not in plain.headers and "page" not in plain.json()


@pytest.mark.parametrize("path, params, fragment", [
    (_LATE, {"page": "0"}, "paginanummer"),
    (_LATE, {"page": "abc"}, "paginanummer"),
    (_LATE, {"page": "-2"}, "paginanummer"),
    (_LATE, {"page": "1.5", "peildatum": _DATE}, "paginanummer"),
    ("/queries/lac-doelen", {"page": "1"}, "geen paginering"),
    ("/queries/veiligheidsregios", {"page": "2"}, "geen paginering"),
])
def test_bad_pages_over_http(plans_server, path, params, fragment):
    r = httpx.get(plans_server.url + path, params=params, timeout=60)
    assert r.status_code == 400
    assert fragment in r.json()["detail"] and "/" in r.json()["detail"]  # Dutch / English


def test_pagination_in_listing_and_openapi(plans_server):
    listed = {q["name"]: q for q in httpx.get(plans_server.url + "/queries").json()["queries"]}
    assert listed["acties-te-laat"]["pageSize"] == 100
    assert listed["lac-doelen"]["pageSize"] is None
    spec = httpx.get(plans_server.url + "/openapi.json").json()
    operation = spec["paths"][_LATE]["get"]
    page = {p["name"]: p for p in operation["parameters"]}["page"]
    assert page["in"] == "query" and not page["required"]
    assert page["schema"] == {"type": "integer", "minimum": 1, "default": 1}
    assert "100" in page["description"]
    assert "Link" in operation["responses"]["200"]["headers"]
    names = {p["name"] for p in spec["paths"]["/queries/lac-doelen"]["get"]["parameters"]}
    assert "page" not in names
