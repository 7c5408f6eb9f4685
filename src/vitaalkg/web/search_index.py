"""The full-text index behind ``/zoeken``: SQLite FTS5 (stdlib ``sqlite3``) in memory.

One document per (resource, named graph): its labels (``rdfs:label``, ``skos:prefLabel``,
``dct:title``), alternative labels, codes (``skos:notation``, ``dct:identifier``), and text
(``skos:definition``, ``dct:description``, ``rdfs:comment``). Every document remembers its
graph, so a search only answers documents from the graphs the caller may read (restricted plans
stay hidden from outsiders; their text is never mixed into a public document).

Text is folded before it is indexed and before it is searched (:func:`fold`): lower case,
diacritics removed (``continuiteit`` finds "continuïteit"), punctuation to spaces, and
``artikel`` / ``art.`` written as ``art``. Legal references (``artikel 10``, ``Wvr 10``,
``art. 10 lid 2``) are also read as structured references and matched against the article,
paragraph and point of the ``vkg:LegalProvision`` resources (:func:`legal_reference`).

Ranking: exact label or code first, then the legal provisions a reference names, then documents
whose label or code holds every word, shorter labels and more important types first, then the
rest by FTS5's bm25. While typing, the last word is a prefix.

Freshness: the index is built from the store on start and rebuilt whenever the store's
generation changes (every write through this process: plan submission, reload, restore; see
:func:`vitaalkg.plans.registry.generation`). On a remote store, writes by other processes are
not counted, so the index is also rebuilt when it is older than ``refresh_seconds``
(``VITAALKG_SEARCH_REFRESH_SECONDS``).
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..plans.registry import generation

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
LABELS = (SKOS + "prefLabel", RDFS + "label", DCT + "title")
ALT = (SKOS + "altLabel",)
CODES = (SKOS + "notation", DCT + "identifier")
TEXTS = (SKOS + "definition", DCT + "description", RDFS + "comment")
ARTICLE_PROPS = ("article", "paragraph", "point", "law")  # vkg: properties of a provision
# Types shown first when the ranking ties; the rest follow, actions (there are many) last.
TYPE_ORDER = ("Theme", "Sector", "SafetyRegion", "Network", "VitalCompany", "PublicBody",
              "Ministry", "Organization", "Law", "LegalProvision", "AgendaGoal", "Task",
              "AgendaTheme", "SectorAgenda", "ImprovementPoint", "Concept", "Class")
MAX_TOKENS = 12
BM25_MAX = 1000  # above this many matches, rank by type and label length instead of bm25
CANDIDATES = 400  # re-ranked matches of a small result set (bm25 order)
LARGE_CANDIDATES = 100  # of a large one (ordered by type and label length)
KNOWLEDGE = "knowledge"  # the files' graphs as one: readable by everyone
_NON_WORD = re.compile(r"[^0-9a-z]+")
_SYNONYMS = {"artikel": "art", "artikelen": "art", "arts": "art"}
_LEGAL = re.compile(
    r"^(?:(?P<law>[a-z]{2,5}) )?(?:(?:art|artikel) )?(?P<article>\d+(?: \d+)*[a-z]?)"
    r"(?: lid (?P<paragraph>\d+))?(?: (?:onderdeel|sub) (?P<point>[a-z]))?$")


def fold(text: str) -> str:
    """Lower case, no diacritics, words separated by one space; ``artikel`` -> ``art``."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    words = _NON_WORD.sub(" ", plain).split()
    return " ".join(_SYNONYMS.get(w, w) for w in words)


@dataclass(frozen=True)
class LegalRef:
    law: str | None
    article: str
    paragraph: str | None = None
    point: str | None = None


def legal_reference(folded: str) -> LegalRef | None:
    """``art 10 lid 2`` / ``wvr 10`` / ``wvr art 14 lid 2 onderdeel d`` as a reference; a bare
    number is none (it needs ``art`` or a law's abbreviation)."""
    match = _LEGAL.match(folded)
    if not match or (not match["law"] and not folded.startswith("art ")):
        return None
    law = match["law"]
    if law in ("art", "artikel"):
        law = None
    return LegalRef(law, match["article"].replace(" ", "."), match["paragraph"], match["point"])


@dataclass
class Hit:
    iri: str
    label: str
    type_key: str
    type_label: str
    code: str = ""
    snippet: str = ""


@dataclass
class Result:
    hits: list[Hit] = field(default_factory=list)
    facets: list[tuple[str, str, int]] = field(default_factory=list)  # (key, label, count)
    total: int = 0


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def _knowledge(graph: str, base: str) -> bool:
    return graph.startswith((base + "graph/data/", base + "graph/ontology/"))


@dataclass(frozen=True)
class Doc:
    iri: str
    graph: int
    type_key: str
    type_rank: int
    words: int  # words of the shown label
    label: str
    code: str
    snippet: str
    names: frozenset[str]  # folded words of labels, alternative labels and codes


@dataclass
class Snapshot:
    """One built index: FTS5 (rowid = position in ``docs``) plus lookups kept in Python."""

    db: sqlite3.Connection
    docs: list[Doc | None]
    graph_ids: dict[str, int]
    exact: dict[str, list[tuple[int, int]]]  # folded label/code -> [(doc, 0) or (doc, 1 alt)]
    legal: dict[str, list[tuple[int, str, str | None, str | None]]]  # article -> provisions
    type_labels: dict[str, str]
    type_keys: list[str] = field(default_factory=list)  # type index -> type key
    lock: threading.Lock = field(default_factory=threading.Lock)  # one SQLite user at a time


def rowid(n: int, graph: int, type_index: int, type_rank: int, words: int) -> int:
    """The FTS5 rowid of document ``n``: its graph, type and static rank are bits of it, so
    that filtering by readable graph and type, counting per type and ordering by type and label
    length all run inside SQLite (no Python per match)."""
    return ((((graph << 8 | type_index) << 8 | min(type_rank, 255)) << 8 | min(words, 255))
            << 24) | n


N_MASK = (1 << 24) - 1
GRAPH_SHIFT, TYPE_SHIFT, STATIC_SHIFT = 48, 40, 24


class SearchIndex:
    """An FTS5 index over the store's labels and texts, rebuilt when the store changes."""

    def __init__(self, store: Any, base: str, refresh_seconds: float = 60.0) -> None:
        self.store = store
        self.base = base
        self.refresh_seconds = refresh_seconds
        self._snapshot: Snapshot | None = None
        self._generation: Any = None
        self._built_at = 0.0
        self._lock = threading.Lock()
        self.build_seconds = 0.0

    # -- building ----------------------------------------------------------------------------
    def current(self) -> Snapshot:
        """The index for the store as it is now (rebuilt first when the store changed)."""
        with self._lock:
            gen = generation(self.store)
            remote = getattr(self.store, "kind", "embedded") != "embedded"
            if self._snapshot is None or gen != self._generation or (
                    remote and time.monotonic() - self._built_at > self.refresh_seconds):
                started = time.monotonic()
                self._snapshot = self._build()
                self._generation, self._built_at = gen, time.monotonic()
                self.build_seconds = self._built_at - started
            return self._snapshot

    def _rows(self) -> Iterable[tuple[str, str, str, str, str | None]]:
        props = " ".join(f"<{p}>" for p in (*LABELS, *ALT, *CODES, *TEXTS, RDF_TYPE,
                                            *(self.base + "def/" + a for a in ARTICLE_PROPS)))
        query = f"""SELECT ?g ?s ?p ?o WHERE {{ VALUES ?p {{ {props} }}
            GRAPH ?g {{ ?s ?p ?o }} FILTER(isIRI(?s)) }}"""
        for row in self.store.query(query):
            obj = row["o"]
            yield (row["g"].value, row["s"].value, row["p"].value, obj.value,
                   getattr(obj, "language", None))

    def _collect(self) -> tuple[dict[tuple[str, str], dict[str, Any]], dict[str, set[str]]]:
        docs: dict[tuple[str, str], dict[str, Any]] = {}
        types: dict[str, set[str]] = {}
        for graph, subject, prop, value, lang in self._rows():
            if "/graph/shapes/" in graph:
                continue
            if _knowledge(graph, self.base):
                graph = KNOWLEDGE  # one document per resource of the (public) knowledge
            if prop == RDF_TYPE:
                types.setdefault(subject, set()).add(value)
                continue
            doc = docs.setdefault((subject, graph), {"labels": [], "alt": [], "codes": [],
                                                     "texts": [], "legal": {}})
            if prop in LABELS:
                doc["labels"].append((0 if lang == "nl" else 1 if not lang else 2, value))
            elif prop in ALT:
                doc["alt"].append(value)
            elif prop in CODES:
                doc["codes"].append(value)
            elif prop in TEXTS:
                doc["texts"].append((0 if lang in ("nl", None, "") else 1, value))
            else:
                doc["legal"][_local(prop)] = value
        return docs, types

    def _build(self) -> Snapshot:
        found, types = self._collect()
        db = sqlite3.connect(":memory:", check_same_thread=False)
        db.executescript("""
            CREATE VIRTUAL TABLE fts USING fts5(label, alt, code, body, content = '',
                tokenize = "unicode61 remove_diacritics 2", prefix = '2 3 4 5 6 8');
            INSERT INTO fts(fts, rank) VALUES ('rank', 'bm25(10.0, 6.0, 10.0, 1.0)');
        """)
        snap = Snapshot(db, [None], {KNOWLEDGE: 0}, {}, {}, self._type_labels())
        laws = {subject: fold(doc["alt"][0]) for (subject, _g), doc in found.items()
                if doc["alt"] and subject.startswith(self.base + "id/wet/")}
        rows = []
        type_index: dict[str, int] = {}
        for n, ((subject, graph), doc) in enumerate(found.items(), start=1):
            labels = [v for _r, v in sorted(doc["labels"])]
            texts = [v for _r, v in sorted(doc["texts"])]
            label = labels[0] if labels else (texts[0][:120] if texts else _local(subject))
            type_key = self._type_key(types.get(subject, set()))
            names = fold(" ".join([*labels, *doc["alt"], *doc["codes"]]))
            doc_ = Doc(
                subject, snap.graph_ids.setdefault(graph, len(snap.graph_ids)), type_key,
                TYPE_ORDER.index(type_key) if type_key in TYPE_ORDER else len(TYPE_ORDER),
                len(fold(label).split()), label, doc["codes"][0] if doc["codes"] else "",
                texts[0][:240] if texts else "", frozenset(names.split()))
            snap.docs.append(doc_)
            t_index = type_index.setdefault(type_key, min(len(type_index), 255))
            rows.append((rowid(n, doc_.graph, t_index, doc_.type_rank, doc_.words),
                         fold(" ".join(labels)), fold(" ".join(doc["alt"])),
                         fold(" ".join(doc["codes"])), fold(" ".join(texts))))
            keys = {fold(v): 1 for v in doc["alt"]} | {fold(v): 0
                                                        for v in (*labels, *doc["codes"])}
            for key, alt in keys.items():
                if key:
                    snap.exact.setdefault(key, []).append((n, alt))
            legal = doc["legal"]
            if legal.get("article"):
                snap.legal.setdefault(legal["article"], []).append(
                    (n, laws.get(legal.get("law", ""), ""), legal.get("paragraph"),
                     legal.get("point")))
        db.executemany("INSERT INTO fts(rowid, label, alt, code, body) VALUES (?,?,?,?,?)",
                       rows)
        snap.type_keys = sorted(type_index, key=type_index.__getitem__)
        return snap

    def _type_key(self, classes: set[str]) -> str:
        local = {_local(c): c for c in classes}
        for key in TYPE_ORDER:
            if key in local:
                return key
        vkg = sorted(_local(c) for c in classes if c.startswith(self.base + "def/"))
        if vkg:
            return vkg[0]
        return sorted(local)[0] if local else "Resource"

    def _type_labels(self) -> dict[str, str]:
        rows = self.store.query(f"""SELECT ?c ?l WHERE {{ ?c <{RDFS}label> ?l
            FILTER(LANG(?l) = "nl" && STRSTARTS(STR(?c), "{self.base}def/")) }}""")
        labels = {_local(r["c"].value): r["l"].value for r in rows}
        labels.update({"Organization": "organisatie", "Concept": "begrip", "Class": "klasse",
                       "Membership": "lidmaatschap", "Post": "functie", "Role": "rol",
                       "DatatypeProperty": "eigenschap", "ObjectProperty": "eigenschap",
                       "ConceptScheme": "begrippenkader", "Resource": "overig"})
        return labels

    # -- searching ---------------------------------------------------------------------------
    def allowed(self, snap: Snapshot, graphs: Iterable[str] | None) -> set[int] | None:
        """The graph ids of ``graphs`` (None: all)."""
        if graphs is None:
            return None
        readable = list(graphs)
        ids = {snap.graph_ids[g] for g in readable if g in snap.graph_ids}
        if any(_knowledge(g, self.base) for g in readable):
            ids.add(0)
        return ids

    def search(self, q: str, graphs: Iterable[str] | None, type_key: str | None = None,
               limit: int = 20) -> Result:
        """Hits for ``q`` among the documents of ``graphs`` (None: all), best first."""
        folded = fold(q)
        tokens = folded.split()[:MAX_TOKENS]
        if not tokens:
            return Result()
        snap = self.current()
        allowed = self.allowed(snap, graphs)
        docs = snap.docs

        def readable(n: int) -> bool:
            doc = docs[n]
            return doc is not None and (allowed is None or doc.graph in allowed) and (
                type_key is None or doc.type_key == type_key)

        ranked: dict[int, tuple[Any, ...]] = {}

        def add(n: int, tier: int, score: float = 0.0) -> None:
            doc = docs[n]
            assert doc is not None
            # exact and legal matches: important types first; word matches: short labels first
            key = ((tier, doc.type_rank, doc.words, score, doc.label) if tier < 4
                   else (tier, doc.words, doc.type_rank, score, doc.label))
            if n not in ranked or key < ranked[n]:
                ranked[n] = key

        for n, alt in snap.exact.get(folded, []):
            if readable(n):
                add(n, alt)
        self._legal(snap, folded, readable, add)
        facets: dict[str, int] = {}
        if len(folded) >= 2:  # one letter: exact labels and codes only
            match = " ".join(f'"{t}"*' for t in tokens)
            with snap.lock:
                facets = self._facets(snap, match, allowed)
                total = facets.get(type_key, 0) if type_key else sum(facets.values())
                candidates = self._candidates(snap, match, allowed, type_key, total)
            for n, score in candidates:
                doc = docs[n]
                assert doc is not None
                if all(t in doc.names for t in tokens):
                    tier = 4
                elif all(any(w.startswith(t) for w in doc.names) for t in tokens):
                    tier = 5
                else:
                    tier = 6
                add(n, tier, score)
        hits: list[Hit] = []
        seen: set[str] = set()
        for n in sorted(ranked, key=ranked.__getitem__):
            doc = docs[n]
            assert doc is not None
            if doc.iri in seen:
                continue
            seen.add(doc.iri)
            if not facets.get(doc.type_key):  # found as an exact code or legal reference only
                facets[doc.type_key] = facets.get(doc.type_key, 0) + 1
            if len(hits) < limit:
                hits.append(Hit(doc.iri, doc.label, doc.type_key,
                                snap.type_labels.get(doc.type_key, doc.type_key), doc.code,
                                doc.snippet))
        facet_list = sorted(((k, snap.type_labels.get(k, k), c) for k, c in facets.items()),
                            key=lambda f: (-f[2], f[1]))
        total = facets.get(type_key, 0) if type_key else sum(facets.values())
        return Result(hits, facet_list, total)

    @staticmethod
    def _filter(snap: Snapshot, allowed: set[int] | None, type_key: str | None
                ) -> tuple[str, list[Any]]:
        """SQL conditions on the rowid bits: readable graph, type."""
        where, args = "", []
        if allowed is not None:
            where += (f" AND (rowid >> {GRAPH_SHIFT}) IN "
                      f"({','.join('?' * len(allowed)) or 'NULL'})")
            args += sorted(allowed)
        if type_key is not None:
            index = snap.type_keys.index(type_key) if type_key in snap.type_keys else -1
            where += f" AND ((rowid >> {TYPE_SHIFT}) & 255) = ?"
            args.append(index)
        return where, args

    @staticmethod
    def _facets(snap: Snapshot, match: str, allowed: set[int] | None) -> dict[str, int]:
        """Readable matches per type (counted by SQLite per graph and type)."""
        facets: dict[str, int] = {}
        for gt, count in snap.db.execute(
                f"SELECT rowid >> {TYPE_SHIFT}, COUNT(*) FROM fts WHERE fts MATCH ? GROUP BY 1",
                [match]):
            graph, index = gt >> 8, gt & 255
            if allowed is None or graph in allowed:
                key = snap.type_keys[index]
                facets[key] = facets.get(key, 0) + count
        return facets

    def _candidates(self, snap: Snapshot, match: str, allowed: set[int] | None,
                    type_key: str | None, total: int) -> list[tuple[int, float]]:
        """The best few hundred readable matches with a score: bm25 for a small set; for a
        large one the documents whose names match, then the others, by type and label length
        (bits of the rowid, sorted by SQLite)."""
        where, args = self._filter(snap, allowed, type_key)
        if total <= BM25_MAX:
            rows = snap.db.execute(f"SELECT rowid, rank FROM fts WHERE fts MATCH ?{where} "
                                   f"ORDER BY rank LIMIT {CANDIDATES}", [match, *args])
            return [(r & N_MASK, score) for r, score in rows]
        order = f"ORDER BY (rowid >> {STATIC_SHIFT}) & 65535 LIMIT {LARGE_CANDIDATES}"
        out: list[tuple[int, float]] = []
        for query in ("{label alt code} : " + match, match):
            out += [(r & N_MASK, 0.0) for (r,) in snap.db.execute(
                f"SELECT rowid FROM fts WHERE fts MATCH ?{where} {order}", [query, *args])]
            if len(out) >= LARGE_CANDIDATES:  # enough whose names match
                break
        return out

    @staticmethod
    def _legal(snap: Snapshot, folded: str, readable: Any, add: Any) -> None:
        """Legal provisions named by a reference in the query (``art 10 lid 2``)."""
        ref = legal_reference(folded)
        if ref is None:
            return
        for n, law, paragraph, point in snap.legal.get(ref.article, []):
            if (ref.law and law != ref.law) or not readable(n):
                continue
            if (paragraph, point) == (ref.paragraph, ref.point):
                add(n, 2)
            elif (ref.paragraph in (None, paragraph) or paragraph is None) and (
                    ref.point in (None, point) or point is None):
                add(n, 3)
