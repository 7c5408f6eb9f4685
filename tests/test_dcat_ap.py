"""The dataset description of a real server against the official SHACL shapes of DCAT-AP-NL 3.0
(Geonovum) and DCAT-AP 3.0.1 (SEMIC), as copied into ``../shared/standards``.

Everything the shapes need to know about the values of the controlled vocabularies (the class of
a theme, a language or a licence, the scheme it is in, its label) is in the description itself,
so nothing is fetched: the shapes are checked against what the server says and nothing else.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import ROOT, LiveServer
from plans_support import PlanServer, example
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

STANDARDS = ROOT.parent / "shared" / "standards" / "dcat-ap"
if not STANDARDS.exists():
    STANDARDS = Path("/work/shared/standards/dcat-ap")
NL = STANDARDS / "dcat-ap-nl-3.0"
EU = STANDARDS / "dcat-ap-3.0.1"

pytestmark = pytest.mark.skipif(not STANDARDS.exists(), reason="DCAT-AP shapes not present")

#: the shapes whose every result is a violation of the profile
NL_CORE = ("dcat-ap-nl-SHACL.ttl", "dcat-ap-nl-SHACL-klassebereik.ttl",
           "dcat-ap-nl-SHACL-klassebereik-codelijsten.ttl")
EU_MANDATORY = ("shapes.ttl", "range.ttl", "mdr-vocabularies.shape.ttl")

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SH = Namespace("http://www.w3.org/ns/shacl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # plain: no warnings on look-ups
BASE = "https://w3id.org/vitaalkg/"
PROJECT_TEAM = URIRef(BASE + "id/organisatie/projectteam-continuiteit")
SAFETY_COUNCIL = URIRef(BASE + "id/organisatie/veiligheidsberaad")

#: the warnings that remain, as (class of the focus node, path); README.md ("DCAT-AP-NL")
#: says why each one stays
EU_RECOMMENDED_LEFT = {
    (DCT.Location, DCAT.bbox), (DCT.Location, DCAT.centroid), (DCAT.Dataset, DCT.temporal),
}
NL_RECOMMENDED_LEFT = {
    # the two dumps are downloads, served by no data service
    (DCAT.Distribution, DCAT.accessService),
    # the SPARQL endpoint is a service, with nothing to download
    (DCAT.Distribution, DCAT.downloadURL),
}


def shapes(folder: Path, *names: str) -> Graph:
    g = Graph()
    for name in names:
        g.parse(folder / name, format="turtle")
    return g


def results(data: Graph, shacl: Graph) -> list[tuple[URIRef, object, URIRef | None, URIRef]]:
    """The top-level results as (severity, focus node, path, constraint component)."""
    _conforms, report, _text = validate(data, shacl_graph=shacl, advanced=True)
    return [(report.value(r, SH.resultSeverity), report.value(r, SH.focusNode),
             report.value(r, SH.resultPath), report.value(r, SH.sourceConstraintComponent))
            for r in report.objects(None, SH.result)]


def fetch_description(url: str) -> Graph:
    r = httpx.get(url + "/dataset", headers={"Accept": "text/turtle"}, timeout=60.0)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    return Graph().parse(data=r.content, format="turtle", publicID=BASE)


@pytest.fixture(scope="module")
def description(live_server: LiveServer) -> Graph:
    return fetch_description(live_server.url)


def classes(data: Graph, node: object) -> set[URIRef]:
    return set(data.objects(node, RDF.type))


def test_dcat_ap_nl_core_and_class_ranges_no_violations(description: Graph) -> None:
    found = results(description, shapes(NL, *NL_CORE))
    assert found == []


def test_dcat_ap_mandatory_ranges_and_vocabularies_no_violations(description: Graph) -> None:
    found = results(description, shapes(EU, *EU_MANDATORY))
    violations = [r for r in found if r[0] == SH.Violation]
    assert violations == []
    # what is left are warnings that the publisher is not an EU body (mdr-vocabularies)
    assert {(r[2], r[3]) for r in found} <= {(DCT.publisher, SH.NodeConstraintComponent)}


def test_dcat_ap_recommended_at_most_three_warnings_each_explained(description: Graph) -> None:
    found = results(description, shapes(EU, "shapes_recommended.ttl"))
    assert {r[0] for r in found} <= {SH.Warning}
    assert len(found) <= 3, found
    for _sev, focus, path, _c in found:
        assert any((c, path) in EU_RECOMMENDED_LEFT for c in classes(description, focus)), \
            (focus, path)


def test_dcat_ap_nl_recommended_only_what_does_not_apply(description: Graph) -> None:
    found = results(description, shapes(NL, "dcat-ap-nl-SHACL-aanbevolen.ttl"))
    assert {r[0] for r in found} <= {SH.Warning}
    assert {(DCAT.Distribution, r[2]) for r in found} <= NL_RECOMMENDED_LEFT
    assert all(DCAT.Distribution in classes(description, r[1]) for r in found)
    # a download has no access service, a service no download URL: never both
    for _sev, focus, path, _c in found:
        other = DCAT.downloadURL if path == DCAT.accessService else DCAT.accessService
        assert description.value(focus, other) is not None


def test_readme_explains_the_warnings_left() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"### DCAT-AP-NL\n(.*?)(\n## |\Z)", readme, re.S)
    assert section, "README.md has no 'DCAT-AP-NL' subsection"
    text = section.group(1)
    for term in ("dcat:bbox", "dcat:centroid", "dct:temporal", "dcat:accessService",
                 "dcat:downloadURL"):
        assert term in text, term


def test_required_values_are_real(description: Graph) -> None:
    ds = next(description.subjects(RDF.type, DCAT.Dataset))
    svc = next(description.subjects(RDF.type, DCAT.DataService))
    catalog = next(description.subjects(RDF.type, DCAT.Catalog))
    eu_theme = "http://publications.europa.eu/resource/authority/data-theme/"
    for node in (ds, svc):
        assert str(description.value(node, DCT.identifier)) == str(node)
        themes = set(description.objects(node, DCAT.theme))
        assert URIRef(eu_theme + "JUST") in themes
        assert description.value(node, DCT.accessRights) == URIRef(
            "http://publications.europa.eu/resource/authority/access-right/PUBLIC")
    # one publisher, an organisation of the knowledge base, named as it is named there
    for node in (catalog, ds, svc):
        assert description.value(node, DCT.publisher) == PROJECT_TEAM
    assert description.value(ds, DCT.creator) == PROJECT_TEAM
    assert (PROJECT_TEAM, FOAF.name,
            Literal("Projectteam Continuïteit van de samenleving", lang="nl")) in description
    # one contact point, a vcard:Kind; no e-mail address unless the deployment sets one
    contacts = {description.value(n, DCAT.contactPoint) for n in (catalog, ds, svc)}
    assert len(contacts) == 1
    contact = contacts.pop()
    assert VCARD.Kind in classes(description, contact)
    assert description.value(contact, VCARD.hasEmail) is None
    assert description.value(contact, VCARD.hasURL) == URIRef(BASE)
    # the SPARQL protocol the service conforms to is a dct:Standard
    protocol = description.value(svc, DCT.conformsTo)
    assert DCT.Standard in classes(description, protocol)


# -- the deployment settings and the dates -----------------------------------------------------
@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanServer]:
    server = PlanServer(tmp_path_factory.mktemp("dcat"))
    server.env.update({
        "VITAALKG_PUBLISHER": str(SAFETY_COUNCIL),
        "VITAALKG_PUBLISHER_TYPE": "NationalAuthority",
        "VITAALKG_CONTACT_EMAIL": "kennisbank@example.org",
    })
    try:
        yield server.start()
    finally:
        server.stop()


def test_publisher_and_contact_email_are_settings(configured: PlanServer) -> None:
    description = fetch_description(configured.url)
    ds = next(description.subjects(RDF.type, DCAT.Dataset))
    assert description.value(ds, DCT.publisher) == SAFETY_COUNCIL
    assert (SAFETY_COUNCIL, FOAF.name, Literal("Veiligheidsberaad", lang="nl")) in description
    assert description.value(SAFETY_COUNCIL, DCT.type) == URIRef(
        "http://purl.org/adms/publishertype/NationalAuthority")
    contact = description.value(ds, DCAT.contactPoint)
    assert description.value(contact, VCARD.hasEmail) == URIRef("mailto:kennisbank@example.org")
    assert results(description, shapes(NL, *NL_CORE)) == []
    assert [r for r in results(description, shapes(EU, *EU_MANDATORY))
            if r[0] == SH.Violation] == []


@pytest.mark.parametrize(("name", "value"), [
    ("VITAALKG_DATA_AVAILABILITY", "FOREVER"),
    ("VITAALKG_PUBLISHER_TYPE", "Ministry"),
    ("VITAALKG_CONTACT_EMAIL", "not an address"),
    ("VITAALKG_PUBLISHER", "projectteam"),
])
def test_a_setting_the_description_cannot_use_is_a_clear_error(
        name: str, value: str, tmp_path: Path) -> None:
    env = {**os.environ, "VITAALKG_ROOT": str(ROOT), "VITAALKG_STORE": str(tmp_path / "kb"),
           name: value}
    run = subprocess.run([sys.executable, "-m", "vitaalkg.cli", "serve", "--port", "9"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 4
    assert name in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "kb").exists()  # refused before anything was written


def test_modified_is_the_newest_plan_version_the_caller_may_see(configured: PlanServer) -> None:
    def dates(token: str | None) -> tuple[Literal, Literal]:
        r = configured.get("/.well-known/void", token)
        g = Graph().parse(data=r.content, format="turtle", publicID=BASE)
        catalog = next(g.subjects(RDF.type, DCAT.Catalog))
        return g.value(catalog, DCT.issued), g.value(catalog, DCT.modified)

    ontology = Graph().parse(ROOT / "ontology" / "vitaalkg.ttl", format="turtle")
    created = ontology.value(URIRef(BASE + "def/"), DCT.created)
    issued, modified = dates(None)
    assert issued == created and created.datatype == XSD.date
    assert modified == issued  # no plan submitted yet
    team = configured.token("--team")
    # a restricted plan: its submission time is for the network and the team only
    r = configured.submit(example("plan-drinkwater-vitens-correct.csv"),
                          configured.token("--org", "VR06"), allow_warnings="true")
    assert r.status_code == 201, r.text
    assert r.json()["visibility"] == "restricted"
    assert dates(None) == (issued, issued)
    team_issued, team_modified = dates(team)
    assert team_issued == issued
    assert team_modified.datatype == XSD.dateTime
    assert str(team_modified) > str(created)
