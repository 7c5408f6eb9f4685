"""Consistency check of the ontology plus the knowledge with an OWL reasoner (HermiT via owlready2).

HermiT only answers "consistent" or "inconsistent"; to tell a person *what* contradicts what,
the check then looks for the usual causes with SPARQL (a thing in two disjoint classes, two
different values of a functional property, a value outside a property's range class that is
disjoint with it) and, failing that, narrows the contradiction down to the data file(s).
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import owlready2
import pyoxigraph as ox

from ..config import Settings
from .base import StoreError
from .loader import parse_file, source_files

LOG = logging.getLogger(__name__)


class ReasoningError(Exception):
    """The reasoner could not run (no Java, unreadable input); the message is for the user."""


@dataclass
class Finding:
    """One contradiction, in plain words."""

    message: str
    subject: str | None = None


@dataclass
class ConsistencyReport:
    consistent: bool
    triples: int
    files: list[str]
    findings: list[Finding] = field(default_factory=list)
    unsatisfiable_classes: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = [f"Gecontroleerd: {self.triples} triples uit {len(self.files)} bestanden "
                 "(ontologie en kennis) met HermiT."]
        if self.consistent and not self.unsatisfiable_classes:
            lines.append("Resultaat: consistent — geen tegenspraak gevonden.")
            return "\n".join(lines)
        if self.unsatisfiable_classes:
            lines.append("Klassen die geen leden kunnen hebben (onvervulbaar):")
            lines += [f"  - {c}" for c in self.unsatisfiable_classes]
        if not self.consistent:
            lines.append("Resultaat: NIET consistent — de kennis spreekt zichzelf tegen.")
            if self.findings:
                lines.append("Oorzaken:")
                lines += [f"  - {f.message}" for f in self.findings]
            else:
                lines.append("De oorzaak kon niet nader worden aangewezen.")
        return "\n".join(lines)


# -- plain-words explanations ----------------------------------------------------------------

_LABEL = """
OPTIONAL { ?%(v)s <http://www.w3.org/2004/02/skos/core#prefLabel> ?%(v)sPl
           FILTER(lang(?%(v)sPl) = "nl") }
OPTIONAL { ?%(v)s <http://www.w3.org/2000/01/rdf-schema#label> ?%(v)sRl
           FILTER(lang(?%(v)sRl) = "nl" || lang(?%(v)sRl) = "") }
BIND(COALESCE(?%(v)sPl, ?%(v)sRl, STR(?%(v)s)) AS ?%(v)sLabel)
"""

_PREFIXES = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

DISJOINT_TYPES = _PREFIXES + """
SELECT DISTINCT ?x ?xLabel ?aLabel ?bLabel WHERE {
  { ?a owl:disjointWith ?b }
  UNION
  { ?all a owl:AllDisjointClasses ; owl:members ?list .
    ?list rdf:rest*/rdf:first ?a . ?list rdf:rest*/rdf:first ?b . FILTER(?a != ?b) }
  ?x rdf:type/rdfs:subClassOf* ?a .
  ?x rdf:type/rdfs:subClassOf* ?b .
  FILTER(STR(?a) < STR(?b))
""" + _LABEL % {"v": "x"} + _LABEL % {"v": "a"} + _LABEL % {"v": "b"} + "} ORDER BY ?x"

FUNCTIONAL_LITERALS = _PREFIXES + """
SELECT DISTINCT ?x ?xLabel ?pLabel ?v1 ?v2 WHERE {
  ?p a owl:FunctionalProperty .
  ?x ?p ?v1 , ?v2 .
  FILTER(isLiteral(?v1) && isLiteral(?v2) && STR(?v1) < STR(?v2))
""" + _LABEL % {"v": "x"} + _LABEL % {"v": "p"} + "} ORDER BY ?x"

RANGE_CLASH = _PREFIXES + """
SELECT DISTINCT ?y ?yLabel ?pLabel ?rLabel ?cLabel WHERE {
  ?p rdfs:range ?r .
  ?x ?p ?y .
  { ?r owl:disjointWith ?c } UNION { ?c owl:disjointWith ?r }
  UNION
  { ?all a owl:AllDisjointClasses ; owl:members ?list .
    ?list rdf:rest*/rdf:first ?r . ?list rdf:rest*/rdf:first ?c . FILTER(?r != ?c) }
  ?y rdf:type/rdfs:subClassOf* ?c .
""" + _LABEL % {"v": "y"} + _LABEL % {"v": "p"} + _LABEL % {"v": "r"} + _LABEL % {"v": "c"} \
    + "} ORDER BY ?y"


def explain(store: ox.Store) -> list[Finding]:
    """Find the usual causes of an inconsistency and say them in plain Dutch."""
    findings: list[Finding] = []
    opts = {"use_default_graph_as_union": True}
    for row in store.query(DISJOINT_TYPES, **opts):
        findings.append(Finding(
            f"'{row['xLabel'].value}' is zowel {row['aLabel'].value} als "
            f"{row['bLabel'].value}, maar die klassen sluiten elkaar uit.",
            row["x"].value))
    for row in store.query(FUNCTIONAL_LITERALS, **opts):
        findings.append(Finding(
            f"'{row['xLabel'].value}' heeft twee waarden voor '{row['pLabel'].value}' "
            f"({row['v1'].value!r} en {row['v2'].value!r}), terwijl er maar één mag zijn.",
            row["x"].value))
    for row in store.query(RANGE_CLASH, **opts):
        findings.append(Finding(
            f"'{row['yLabel'].value}' wordt gebruikt als waarde van '{row['pLabel'].value}', "
            f"die een {row['rLabel'].value} verwacht, maar is een {row['cLabel'].value}.",
            row["y"].value))
    return findings


# -- the reasoner -----------------------------------------------------------------------------

def _hermit_consistent(triples: list[ox.Triple]) -> tuple[bool, list[str]]:
    """Run HermiT on the triples; (consistent, unsatisfiable class IRIs)."""
    with tempfile.TemporaryDirectory(prefix="vitaalkg-check-") as tmp:
        path = Path(tmp) / "kb.nt"
        path.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
        world = owlready2.World()
        try:
            onto = world.get_ontology(path.as_uri()).load()
        except Exception as exc:  # owlready2 raises plain exceptions for unreadable input
            raise ReasoningError(f"owlready2 kan de kennis niet lezen: {exc}") from exc
        try:
            with onto:
                owlready2.sync_reasoner_hermit(
                    world, infer_property_values=False, debug=0,
                    ignore_unsupported_datatypes=True,
                )
        except owlready2.OwlReadyInconsistentOntologyError:
            return False, []
        except FileNotFoundError as exc:
            raise ReasoningError("Java is niet gevonden; HermiT heeft Java nodig.") from exc
        except owlready2.OwlReadyJavaError as exc:
            raise ReasoningError(f"HermiT gaf een fout: {str(exc)[-500:]}") from exc
        unsat = sorted(c.iri for c in world.inconsistent_classes()
                       if c is not owlready2.Nothing)
        return True, unsat


def check_consistency(settings: Settings, extra: list[Path] | None = None) -> ConsistencyReport:
    """Check the ontology plus ``data/`` (plus ``extra`` files) for contradictions."""
    files = [p for g, p in source_files(settings) if "/graph/shapes/" not in g]
    files += list(extra or [])
    try:
        per_file = {p: parse_file(p, settings.base) for p in files}
    except StoreError as exc:
        raise ReasoningError(str(exc)) from exc
    triples = [t for ts in per_file.values() for t in ts]
    consistent, unsat = _hermit_consistent(triples)
    report = ConsistencyReport(consistent, len(triples), [str(p) for p in files],
                               unsatisfiable_classes=unsat)
    if not consistent:
        store = ox.Store()
        store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                     for t in triples)
        report.findings = explain(store)
        if not report.findings:
            report.findings = _narrow_down(per_file, files, settings)
    return report


def _narrow_down(per_file: dict[Path, list[ox.Triple]], files: list[Path],
                 settings: Settings) -> list[Finding]:
    """Which data files contradict the ontology on their own."""
    ontology = [p for p in files if p.parent == settings.ontology_dir]
    base = [t for p in ontology for t in per_file[p]]
    culprits = []
    for path in files:
        if path in ontology:
            continue
        ok, _ = _hermit_consistent(base + per_file[path])
        if not ok:
            culprits.append(Finding(f"{path} spreekt samen met de ontologie zichzelf tegen."))
    return culprits
