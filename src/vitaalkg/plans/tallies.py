"""Action tallies ("tellingen"): per plan, how many of its actions have each status, in all and
per theme, precomputed so that the progress queries (``queries/voortgang-*.rq``) sum a few
hundred tallies instead of joining every action.

A tally lives in the plan's own named graph and is written in the same transaction as the plan
(the loader for files in ``data/``, :meth:`vitaalkg.plans.PlanRegistry.submit` for submitted
versions)::

    <plan> vkg:actionTally <plan/telling/{scope}/{status}> ,
        <plan/telling/{scope}/{theme}/{status}> .
    <plan/telling/{scope}/{status}> a vkg:ActionTally ; prov:wasDerivedFrom <plan> ;
        vkg:tallyStatus <status> ; vkg:numberOfActions 7 .
    <plan/telling/{scope}/{theme}/{status}> a vkg:ActionTally ; prov:wasDerivedFrom <plan> ;
        vkg:tallyTheme <theme> ; vkg:tallyStatus <status> ; vkg:numberOfActions 2 .

Counting rule (exactly what the direct-count queries count), from the triples of one graph:
every ``?plan vkg:hasAction ?a`` with ``?a vkg:status ?s`` counts once in the tally of (plan, s);
with ``?a vkg:theme ?t`` as well, once in the tally of (plan, t, s). Actions without status are
not counted; an action with two themes counts in both.

``{scope}`` is the last path segment of the graph (``v3`` for a submitted version, the file stem
for a loaded file), so two graphs that describe the same plan (a plan in ``data/`` and a
submitted version of it) never state two counts for one tally; keys are the last path segment of
our own status and theme IRIs (``open``, ``3``), a hash for any other term. Tally statements in
the input are never trusted: :func:`with_tallies` drops them and computes its own.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable

import pyoxigraph as ox

DEFAULT_BASE = "https://w3id.org/vitaalkg/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
PROV_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
SEGMENT = "telling"
_KEY_OK = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*")

Statement = ox.Triple | ox.Quad


class _Vocab:
    """The vkg: terms for one base (the loader rewrites ``vkg:`` along with the base)."""

    def __init__(self, base: str) -> None:
        vkg = base + "def/"
        self.base = base
        self.has_action = ox.NamedNode(vkg + "hasAction")
        self.status = ox.NamedNode(vkg + "status")
        self.theme = ox.NamedNode(vkg + "theme")
        self.tally_class = ox.NamedNode(vkg + "ActionTally")
        self.action_tally = ox.NamedNode(vkg + "actionTally")
        self.tally_status = ox.NamedNode(vkg + "tallyStatus")
        self.tally_theme = ox.NamedNode(vkg + "tallyTheme")
        self.number = ox.NamedNode(vkg + "numberOfActions")
        self.predicates = {self.action_tally, self.tally_status, self.tally_theme, self.number}


def _is_tally(t: Statement, vocab: _Vocab) -> bool:
    return t.predicate in vocab.predicates or (t.predicate == RDF_TYPE
                                               and t.object == vocab.tally_class)


def scope_of(graph: str) -> str:
    """The tally IRIs' scope for a graph: its last path segment (``v3``, ``zz-plans``)."""
    last = graph.rstrip("/").rsplit("/", 1)[-1]
    return last if _KEY_OK.fullmatch(last) else _hashed(graph)


def _hashed(text: str) -> str:
    return "_" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _key(term: ox.NamedNode | ox.BlankNode, own: str) -> str:
    """``open`` for ``{base}id/status/open`` (own concepts), a hash for any other term."""
    if isinstance(term, ox.NamedNode) and term.value.startswith(own):
        rest = term.value[len(own):]
        if _KEY_OK.fullmatch(rest):
            return rest
    return _hashed(str(term))


def tally_triples(triples: Iterable[Statement], graph: str,
                  base: str = DEFAULT_BASE) -> list[ox.Triple]:
    """The tallies of every plan in ``triples`` (the triples of one graph, whose IRI is
    ``graph``); tally statements in the input are ignored. Deterministic and sorted."""
    vocab = _Vocab(base)
    actions: dict[ox.NamedNode | ox.BlankNode, set] = {}
    statuses: dict[ox.Term, set] = {}
    themes: dict[ox.Term, set] = {}
    for t in triples:
        if t.predicate == vocab.has_action:
            actions.setdefault(t.subject, set()).add(t.object)
        elif t.predicate == vocab.status and isinstance(t.object, ox.NamedNode | ox.BlankNode):
            statuses.setdefault(t.subject, set()).add(t.object)
        elif t.predicate == vocab.theme and isinstance(t.object, ox.NamedNode | ox.BlankNode):
            themes.setdefault(t.subject, set()).add(t.object)
    scope = scope_of(graph)
    status_ns, theme_ns = f"{base}id/status/", f"{base}id/thema/"
    out: list[ox.Triple] = []
    for plan in sorted(actions, key=str):
        by_status: Counter = Counter()
        by_theme: Counter = Counter()
        for action in actions[plan]:
            for s in statuses.get(action, ()):
                by_status[s] += 1
                for theme in themes.get(action, ()):
                    by_theme[(theme, s)] += 1
        if not by_status:
            continue
        cells = [((_key(s, status_ns),), None, s, n) for s, n in by_status.items()]
        cells += [((_key(th, theme_ns), _key(s, status_ns)), th, s, n)
                  for (th, s), n in by_theme.items()]
        for keys, theme, status, n in sorted(cells, key=lambda c: c[0]):
            if isinstance(plan, ox.NamedNode):
                tally: ox.NamedNode | ox.BlankNode = ox.NamedNode(
                    "/".join((plan.value, SEGMENT, scope, *keys)))
            else:  # a plan without IRI gets tallies without IRI
                tally = ox.BlankNode()
            out += [ox.Triple(plan, vocab.action_tally, tally),
                    ox.Triple(tally, RDF_TYPE, vocab.tally_class),
                    ox.Triple(tally, PROV_DERIVED, plan)]
            if theme is not None:
                out.append(ox.Triple(tally, vocab.tally_theme, theme))
            out += [ox.Triple(tally, vocab.tally_status, status),
                    ox.Triple(tally, vocab.number, ox.Literal(str(n), datatype=XSD_INTEGER))]
    return out


def without_tallies(triples: Iterable[Statement], base: str = DEFAULT_BASE) -> list[ox.Triple]:
    """``triples`` (as triples) without the statements a tally is made of: the tally
    properties, ``a vkg:ActionTally`` and a tally's ``prov:wasDerivedFrom``."""
    vocab = _Vocab(base)
    items = [ox.Triple(t.subject, t.predicate, t.object) for t in triples]
    tally_nodes = {t.object if t.predicate == vocab.action_tally else t.subject
                   for t in items if _is_tally(t, vocab)}
    return [t for t in items if not _is_tally(t, vocab)
            and not (t.predicate == PROV_DERIVED and t.subject in tally_nodes)]


def with_tallies(triples: Iterable[Statement], graph: str,
                 base: str = DEFAULT_BASE) -> list[ox.Triple]:
    """The triples of graph ``graph`` with their tallies: tally statements in the input are
    dropped (tallies are derived, never taken from a file or a submitted plan), then the
    computed tallies are added."""
    kept = without_tallies(triples, base)
    return kept + tally_triples(kept, graph, base)
