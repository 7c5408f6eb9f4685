"""Namespaces and URI helpers shared by every module."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD

from .config import DEFAULT_BASE

VKG = Namespace(DEFAULT_BASE + "def/")
ID = Namespace(DEFAULT_BASE + "id/")
GRAPH = Namespace(DEFAULT_BASE + "graph/")

PREFIXES: dict[str, str] = {
    "vkg": str(VKG),
    "vkgid": str(ID),
    "org": str(ORG),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "prov": str(PROV),
    "dcat": str(DCAT),
    "void": str(VOID),
    "foaf": str(FOAF),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
}

SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def id_uri(kind: str, key: str, base: str = DEFAULT_BASE) -> str:
    """``{base}id/{kind}/{key}``, the URI of a thing."""
    return f"{base}id/{kind}/{key}"


def doc_uri(kind: str, key: str, base: str = DEFAULT_BASE) -> str:
    """``{base}doc/{kind}/{key}``, the URI of the page that describes a thing."""
    return f"{base}doc/{kind}/{key}"


def graph_uri(path: str, base: str = DEFAULT_BASE) -> str:
    """``{base}graph/{path}``, the named graph of a loaded file."""
    return f"{base}graph/{path}"


def rebase(iri: str, base: str) -> str:
    """Move an IRI under the default base to the configured base."""
    if base != DEFAULT_BASE and iri.startswith(DEFAULT_BASE):
        return base + iri[len(DEFAULT_BASE) :]
    return iri
