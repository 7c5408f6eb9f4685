"""Validate plans: shapes loaded once, a small validation context, a choice of SHACL engine.

The data graph of one validation holds the plan, plus only what its shapes need from the
knowledge base: the memberships of the plan's network(s), the types of the organisations it
names, the themes and status concepts, the class hierarchy, and the reference date
(``[] a vkg:ValidationContext ; vkg:referenceDate "…"^^xsd:date``).

Engines: ``oxigraph`` (default; :mod:`vitaalkg.validation.shacl`, SHACL compiled to SPARQL on
pyoxigraph) and ``pyshacl`` (the reference implementation, for comparison).
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..config import DEFAULT_BASE, Settings
from . import shacl
from .inputs import PlanInput

PLAN_SHAPE_FILES = ("plans.ttl",)
ENGINES = ("oxigraph", "pyshacl")
XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
RDF_TYPE = shacl.RDF_TYPE
DCT_IDENTIFIER = ox.NamedNode("http://purl.org/dc/terms/identifier")
SH = shacl.SH
SEVERITY_NAMES = {SH + "Violation": "Violation", SH + "Warning": "Warning", SH + "Info": "Info"}

PREFIXES = """PREFIX vkg: <{vkg}>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def rebase_text(text: str, base: str) -> str:
    """Files are written with the default base; move every IRI (also in SPARQL) to ``base``."""
    return text if base == DEFAULT_BASE else text.replace(DEFAULT_BASE, base)


# -- findings --------------------------------------------------------------------------------
@dataclass
class Finding:
    """One result, in the terms of the plan: which action, which row, which rule."""

    severity: str  # Violation | Warning | Info
    focus: str
    actie: str | None
    row: int | None
    path: str | None
    value: str | None
    messages: dict[str, str]
    shape: str
    rule: dict[str, str]
    component: str
    shacl_path: shacl.Path | None = None
    value_term: ox.Term | None = None
    focus_term: ox.Term | None = None

    def message(self, lang: str = "nl") -> str:
        return (self.messages.get(lang) or self.messages.get("") or self.messages.get("nl")
                or self.messages.get("en") or next(iter(self.messages.values()), ""))

    def rule_label(self, lang: str = "nl") -> str:
        return self.rule.get(lang) or self.rule.get("nl") or self.rule.get("en") or self.shape


@dataclass
class Report:
    """The outcome of validating one plan."""

    name: str
    findings: list[Finding] = field(default_factory=list)
    reference_date: dt.date | None = None
    actions: int = 0
    engine: str = "oxigraph"

    @property
    def violations(self) -> int:
        return sum(1 for f in self.findings if f.severity == "Violation")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "Warning")

    @property
    def conforms(self) -> bool:
        """Conforms when there are no violations (warnings do not block)."""
        return self.violations == 0


# -- the knowledge the shapes need -------------------------------------------------------------
class KnowledgeContext:
    """What plan shapes need from the knowledge base, extracted once and indexed."""

    def __init__(self, static: list[ox.Triple], organisations: dict[ox.Term, list[ox.Triple]],
                 networks: dict[ox.Term, list[ox.Triple]]) -> None:
        self.static = static
        self.organisations = organisations
        self.networks = networks

    @classmethod
    def from_store(cls, store: ox.Store, base: str = DEFAULT_BASE,
                   union: bool = True) -> KnowledgeContext:
        """From a store holding the knowledge base: the union of its source graphs
        (``{base}graph/ontology|shapes|data/…``) only, never the submitted plans, so a
        validation answers from the public knowledge alone; the union of all named graphs
        when the store has no source graphs."""
        p = PREFIXES.format(vkg=base + "def/")
        sources = tuple(f"{base}graph/{d}/" for d in ("ontology", "shapes", "data"))
        public = [g for g in store.named_graphs()
                  if isinstance(g, ox.NamedNode) and g.value.startswith(sources)]

        def q(text: str) -> Any:
            if union and public:
                return store.query(p + text, default_graph=public)
            return store.query(p + text, use_default_graph_as_union=union)

        org_type = ox.NamedNode("http://www.w3.org/ns/org#Organization")
        orgs: dict[ox.Term, list[ox.Triple]] = {}
        for row in q("SELECT DISTINCT ?x ?t WHERE { ?x a/rdfs:subClassOf* org:Organization ; "
                     "a ?t FILTER(isIRI(?t)) }"):
            orgs.setdefault(row[0], [ox.Triple(row[0], RDF_TYPE, org_type)]).append(
                ox.Triple(row[0], RDF_TYPE, row[1]))
        networks: dict[ox.Term, list[ox.Triple]] = {}
        has_member = ox.NamedNode("http://www.w3.org/ns/org#hasMember")
        for row in q("SELECT DISTINCT ?n ?m WHERE { ?n a/rdfs:subClassOf* vkg:Network ; "
                     "org:hasMember ?m }"):
            networks.setdefault(row[0], []).append(ox.Triple(row[0], has_member, row[1]))
        static = [ox.Triple(r[0], r[1], r[2]) for r in q(
            "SELECT DISTINCT ?s ?p ?o WHERE { "
            "{ ?s rdfs:subClassOf ?o FILTER(isIRI(?s) && isIRI(?o)) BIND(rdfs:subClassOf AS ?p) }"
            " UNION { ?s a ?c . FILTER(?c IN (vkg:Theme)) ?s ?p ?o "
            "         FILTER(?p IN (rdf:type, skos:inScheme, skos:notation)) }"
            " UNION { ?s skos:inScheme ?scheme ."
            "         FILTER(STRENDS(STR(?scheme), '/conceptschema/status'))"
            "         ?s ?p ?o FILTER(?p IN (rdf:type, skos:inScheme, skos:notation)) } }"
            .replace("rdf:type", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"))]
        return cls(static, orgs, networks)

    @classmethod
    def from_files(cls, settings: Settings) -> KnowledgeContext:
        """From ``ontology/`` and ``data/`` on disk (for the command line: no store needed)."""
        store = ox.Store()
        for folder in (settings.ontology_dir, settings.data_dir):
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob("*.ttl")):
                text = rebase_text(path.read_text(encoding="utf-8"), settings.base)
                store.load(text, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())
        return cls.from_store(store, settings.base, union=False)

    def triples_for(self, data: ox.Store, base: str) -> list[ox.Triple]:
        """The context of one plan: static part + its networks + the organisations it names.

        Asks, for each known network and organisation, whether the plan names it (one
        ``EXISTS`` each, which stops at the first mention) rather than listing every mention.
        """
        out = list(self.static)
        vkg = base + "def/"
        known = [t for t in dict.fromkeys([*self.networks, *self.organisations])
                 if isinstance(t, ox.NamedNode)]
        if not known:
            return out
        rows = data.query(
            "SELECT ?o WHERE { VALUES ?o { " + " ".join(str(t) for t in known) + " } "
            f"FILTER EXISTS {{ ?s <{vkg}owner>|<{vkg}party>|<{vkg}network> ?o }} }}")
        for row in rows:
            o = row[0]
            if o in self.networks:
                out += self.networks[o]
            if o in self.organisations:
                out += self.organisations[o]
        return out


# -- engines -----------------------------------------------------------------------------------
class OxigraphEngine:
    name = "oxigraph"

    def __init__(self, shapes_text: str) -> None:
        store = ox.Store()
        store.load(shapes_text, format=ox.RdfFormat.TURTLE)
        self.shapes_store = store
        self.validator = shacl.Validator(shacl.ShapesGraph(store))

    def run(self, data: ox.Store) -> list[shacl.Result]:
        return self.validator.validate(data)


class PyshaclEngine:
    """pySHACL on an rdflib copy of the data graph (slow; the reference for comparisons)."""

    name = "pyshacl"

    def __init__(self, shapes_text: str) -> None:
        from rdflib import Graph

        self.shapes = Graph().parse(data=shapes_text, format="turtle")
        store = ox.Store()
        store.load(shapes_text, format=ox.RdfFormat.TURTLE)
        self.shapes_store = store

    def run(self, data: ox.Store) -> list[shacl.Result]:
        import pyshacl
        from rdflib import Graph

        nt = data.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        graph = Graph().parse(data=nt.decode("utf-8"), format="nt")
        _, report, _ = pyshacl.validate(graph, shacl_graph=self.shapes, inference="none",
                                        allow_warnings=True, abort_on_first=False)
        rstore = ox.Store()
        rstore.load(report.serialize(format="nt").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
        g = shacl.Graph(rstore)
        out = []
        for r in g.subjects(RDF_TYPE, ox.NamedNode(SH + "ValidationResult")):
            def v(name: str, r: ox.Term = r) -> ox.Term | None:
                return g.value(r, ox.NamedNode(SH + name))
            path_node = v("resultPath")
            out.append(shacl.Result(
                focus=v("focusNode"), severity=v("resultSeverity").value,
                component=v("sourceConstraintComponent").value, shape=v("sourceShape"),
                path=shacl.parse_path(g, path_node) if path_node is not None else None,
                value=v("value"),
                messages=tuple(m for m in g.objects(r, ox.NamedNode(SH + "resultMessage"))
                               if isinstance(m, ox.Literal))))
        return out


# -- the validator -----------------------------------------------------------------------------
class PlanValidator:
    """Holds shapes and knowledge context; validates any number of plans."""

    def __init__(self, settings: Settings, *, kb: ox.Store | None = None,
                 engine: str = "oxigraph", shape_files: tuple[str, ...] = PLAN_SHAPE_FILES,
                 context: KnowledgeContext | None = None) -> None:
        if engine not in ENGINES:
            raise ValueError(f"onbekende engine '{engine}' (kies uit {', '.join(ENGINES)})")
        self.settings = settings
        self.base = settings.base
        self.shapes_text = read_shapes(settings, shape_files)
        self.engine = OxigraphEngine(self.shapes_text) if engine == "oxigraph" \
            else PyshaclEngine(self.shapes_text)
        if context is None:
            context = KnowledgeContext.from_store(kb, self.base) if kb is not None \
                else KnowledgeContext.from_files(settings)
        self.context = context
        self.labels = shape_labels(self.engine.shapes_store)
        self._lock = threading.Lock()

    def data_graph(self, plan: PlanInput, reference_date: dt.date) -> ox.Store:
        store = plan.store()
        ctx = ox.BlankNode()
        vkg = self.base + "def/"
        extra = self.context.triples_for(store, self.base) + [
            ox.Triple(ctx, RDF_TYPE, ox.NamedNode(vkg + "ValidationContext")),
            ox.Triple(ctx, ox.NamedNode(vkg + "referenceDate"),
                      ox.Literal(reference_date.isoformat(), datatype=XSD_DATE)),
        ]
        store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in extra)
        return store

    def validate(self, plan: PlanInput, reference_date: dt.date | None = None) -> Report:
        reference_date = reference_date or dt.date.today()
        data = self.data_graph(plan, reference_date)
        results = self.engine.run(data)
        report = Report(plan.name, reference_date=reference_date, engine=self.engine.name)
        report.findings = self.findings(results, data)
        count = next(iter(data.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a a <{self.base}def/Action> }}")))[0]
        report.actions = int(count.value)
        return report

    def locate(self, focus: list[ox.Term], data: ox.Store) -> dict[ox.Term, tuple[
            ox.Term | None, ox.Term | None]]:
        """(dct:identifier, vkg:sourceRow) of each focus node, or of the action (or plan)
        whose vkg:costShare it is; one query for all IRIs, lookups for blank nodes."""
        vkg = self.base + "def/"
        ident_p, row_p = DCT_IDENTIFIER.value, vkg + "sourceRow"
        where: dict[ox.Term, tuple[ox.Term | None, ox.Term | None]] = {}
        iris = [f for f in focus if isinstance(f, ox.NamedNode)]
        for i in range(0, len(iris), 5000):
            chunk = " ".join(str(f) for f in iris[i:i + 5000])
            rows = data.query(f"SELECT ?f ?i ?r WHERE {{ VALUES ?f {{ {chunk} }} "
                              f"OPTIONAL {{ ?f <{ident_p}> ?i }} OPTIONAL {{ ?f <{row_p}> ?r }} }}")
            for f, ident, row in rows:
                if ident is None and row is None:
                    continue  # looked up below (the action a cost share belongs to)
                if f in where:  # several values: keep the least, deterministically
                    old_ident, old_row = where[f]
                    ident = _first([t for t in (ident, old_ident) if t is not None])
                    row = _first([t for t in (row, old_row) if t is not None])
                where[f] = (ident, row)
        g = shacl.Graph(data)
        for f in focus:
            if f in where:
                continue
            ident, row = _first(g.objects(f, DCT_IDENTIFIER)), _first(
                g.objects(f, ox.NamedNode(row_p)))
            if ident is None and row is None and not isinstance(f, ox.Literal):
                parents = sorted(g.subjects(ox.NamedNode(vkg + "costShare"), f), key=str)
                if parents:
                    ident = _first(g.objects(parents[0], DCT_IDENTIFIER))
                    row = _first(g.objects(parents[0], ox.NamedNode(row_p)))
            where[f] = (ident, row)
        return where

    def findings(self, results: list[shacl.Result], data: ox.Store) -> list[Finding]:
        seen = set()
        unique: list[shacl.Result] = []
        for r in results:
            key = (r.focus, r.path, r.value, r.shape, r.component, r.severity)
            if key not in seen:
                seen.add(key)
                unique.append(r)
        where = self.locate(list(dict.fromkeys(r.focus for r in unique)), data)
        out: list[Finding] = []
        #: what results of one shape/component/severity/path/messages share, computed once
        common: dict[tuple[Any, ...], tuple[str, str | None, dict[str, str], str,
                                            dict[str, str]]] = {}
        texts: dict[ox.Term, str] = {}  # focus nodes and values as text
        row_cache: dict[ox.Term, int | None] = {}
        for r in unique:
            key = (r.shape, r.severity, r.path, r.messages)
            if key not in common:
                found: dict[str, str] = {}
                for m in r.messages:
                    found.setdefault(m.language or "", m.value)
                if not found:
                    found = {"nl": "voldoet niet aan " + self.labels.get(r.shape, {}).get(
                        "nl", str(r.shape)), "en": "does not conform to " + str(r.shape)}
                common[key] = (
                    SEVERITY_NAMES.get(r.severity, r.severity.rsplit("#", 1)[-1]),
                    shacl.path_text(r.path), found,
                    r.shape.value if isinstance(r.shape, ox.NamedNode) else str(r.shape),
                    self.labels.get(r.shape, {}))
            severity, path, messages, shape, rule = common[key]
            ident, row = where[r.focus]
            focus = texts.get(r.focus)
            if focus is None:
                focus = texts[r.focus] = _plain(r.focus)  # type: ignore[assignment]
            value = None
            if r.value is not None:
                value = texts.get(r.value)
                if value is None:
                    value = texts[r.value] = _plain(r.value)  # type: ignore[assignment]
            if row is not None and row not in row_cache:
                row_cache[row] = int(row.value) if row.value.isdigit() else None
            out.append(Finding(
                severity, focus, ident.value if ident is not None else None,
                row_cache[row] if row is not None else None, path, value, dict(messages),
                shape, rule, r.component, r.path, r.value, r.focus))
        out.sort(key=lambda f: (f.row if f.row is not None else -1, f.actie or "",
                                f.severity != "Violation", f.shape, f.value or ""))
        return out


def _first(terms: list[ox.Term]) -> ox.Term | None:
    """The least of several values (deterministic), None when there is none."""
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else min(terms, key=str)


def _plain(term: ox.Term | None) -> str | None:
    if term is None:
        return None
    return term.value if not isinstance(term, ox.BlankNode) else str(term)


def shape_labels(store: ox.Store) -> dict[ox.Term, dict[str, str]]:
    """sh:name / rdfs:label of every shape, per language."""
    labels: dict[ox.Term, dict[str, str]] = {}
    for pred in ("http://www.w3.org/2000/01/rdf-schema#label", SH + "name"):
        for q in store.quads_for_pattern(None, ox.NamedNode(pred), None, ox.DefaultGraph()):
            if isinstance(q.object, ox.Literal):
                labels.setdefault(q.subject, {}).setdefault(q.object.language or "",
                                                            q.object.value)
    return labels


def read_shapes(settings: Settings, files: tuple[str, ...] | None = None) -> str:
    """The text of the shapes files (all of ``shapes/`` when ``files`` is None), rebased."""
    folder = settings.shapes_dir
    paths = sorted(folder.glob("*.ttl")) if files is None else [folder / f for f in files]
    texts = []
    for path in paths:
        texts.append(rebase_text(Path(path).read_text(encoding="utf-8"), settings.base))
    return "\n".join(texts)


_cache: dict[tuple[Any, ...], PlanValidator] = {}


def validator_for(settings: Settings, engine: str = "oxigraph",
                  kb: ox.Store | None = None) -> PlanValidator:
    """A validator per (root, base, engine), built once per process."""
    key = (str(settings.root), settings.base, engine, id(kb))
    if key not in _cache:
        _cache[key] = PlanValidator(settings, kb=kb, engine=engine)
    return _cache[key]
