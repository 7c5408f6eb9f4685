"""Views for people on the main domain pages: a theme (its tasks with their legal basis,
attention points, instruments, LAC goals, actions), a network (members, plan, actions), an
action plan (actions, version history) and a safety region (networks, plans, actions).

Each ``*_view`` gathers what its template shows with a few SELECT queries over the caller's
readable graphs (``PublicStore``); :func:`domain_view` picks one by the resource's type. The
generic property table stays below each view (``resource.html``)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from ..namespaces import PREFIXES
from ..plans.registry import generation
from .i18n import _, is_english, label
from .resource_view import fetch_labels, humanise, local_path, natural

VKG = PREFIXES["vkg"]
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
STATUS_ORDER = ["open", "in-uitvoering", "afgerond", "vervallen"]
ACTIVE = {"open", "in-uitvoering"}


@dataclass
class Link:
    """A link as a person reads it: a label, never a raw id."""

    text: str
    href: str | None = None
    external: bool = False
    lang: str | None = None  # set when the label is not in the page's language


class _Memo:
    """The answers of the view queries and the labels they looked up, per store and readable
    graphs, valid while the store's generation (:func:`..plans.registry.generation`: every plan
    write, reload or restore, and on a remote store every write by another instance) stays the
    same. Pages for people repeat the same few queries; at 10,000 actions each costs ms."""

    MAX_ENTRIES = 4096  # per slot: queries + labelled IRIs; a full slot starts again

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._slots: dict[tuple[int, int], tuple[Any, dict[Any, Any]]] = {}

    def slot(self, store: Any) -> dict[Any, Any]:
        inner = getattr(store, "store", store)
        graphs = tuple(getattr(store, "public_graphs", ()) or ())
        key = (id(inner), hash(graphs))
        current = generation(inner)
        with self._lock:
            hit = self._slots.get(key)
            if hit is None or hit[0] != (current, graphs) or len(hit[1]) > self.MAX_ENTRIES:
                # a write changes the readable graphs too: drop every slot of an older one
                for old in [k for k, v in self._slots.items()
                            if k[0] == key[0] and v[0][0] != current]:
                    del self._slots[old]
                hit = self._slots[key] = ((current, graphs), {})
            return hit[1]


MEMO = _Memo()


@dataclass
class Context:
    """What every view query needs: the caller's store, the base and a label cache (the
    answers are kept in :data:`MEMO` for the store's generation and the readable graphs)."""

    store: Any
    base: str
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    memo: dict[Any, Any] | None = None

    def __post_init__(self) -> None:
        if self.memo is None:
            self.memo = MEMO.slot(self.store)

    def select(self, sparql: str, names: Iterable[str]) -> list[dict[str, str | None]]:
        keys = list(names)
        memo_key = ("q", sparql, tuple(keys))
        hit = self.memo.get(memo_key)  # type: ignore[union-attr]
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        rows = []
        for r in self.store.query(sparql):
            rows.append({k: (r[k].value if r[k] is not None else None) for k in keys})
        self.memo[memo_key] = rows  # type: ignore[index]
        return rows

    def load_labels(self, iris: Iterable[str | None]) -> None:
        memo = self.memo or {}
        wanted = set()
        for iri in iris:
            if not iri or iri in self.labels:
                continue
            known = memo.get(("l", iri))
            if known is not None:
                self.labels[iri] = known
            else:
                wanted.add(iri)
        if wanted:
            found = fetch_labels(self.store, wanted)
            for iri in wanted:
                self.labels[iri] = memo[("l", iri)] = found.get(iri, {})

    def named(self, iri: str) -> tuple[str, str | None]:
        """The label in the page's language, else Dutch (or untagged), else any, else the
        humanised last segment of the IRI; with the label's language when it is not the
        page's."""
        labels = self.labels.get(iri) or {}
        english = is_english()
        for lang in (("en", "nl", "") if english else ("nl", "", "en")):
            if labels.get(lang):
                other = lang and lang != ("en" if english else "nl")
                return labels[lang], (lang if other else None)
        if labels:
            lang, text = next(iter(labels.items()))
            return text, lang or None
        return humanise(iri), None

    def name(self, iri: str) -> str:
        return self.named(iri)[0]

    def link(self, iri: str | None) -> Link | None:
        if not iri:
            return None
        text, lang = self.named(iri)
        href = local_path(iri, self.base)
        if href is None:
            return Link(text, iri if iri.startswith(("http://", "https://")) else None,
                        external=True, lang=lang)
        return Link(text, href, lang=lang)


def status_key(iri: str | None) -> str | None:
    return iri.rsplit("/", 1)[-1] if iri else None


def actions_href(**filters: str) -> str:
    """The ``/queries/acties`` page with the given filters set."""
    return "/queries/acties?" + urlencode(filters)


def _values(iris: Iterable[str]) -> str:
    return " ".join(f"<{i}>" for i in iris)


def status_counts(ctx: Context, where: str,
                  filters: dict[str, str] | None) -> list[dict[str, Any]]:
    """Actions per status for the actions ``?a`` matched by ``where``, linked to the list
    with ``filters`` set (None: no filter of that list selects them, so no link)."""
    rows = ctx.select(f"""SELECT ?s (COUNT(DISTINCT ?a) AS ?n) WHERE {{ {where}
        OPTIONAL {{ ?a <{VKG}status> ?s }} }} GROUP BY ?s""", ["s", "n"])
    return _linked_counts(ctx, rows, filters)


def theme_status_counts(ctx: Context, theme: str, filters: dict[str, str]
                        ) -> list[dict[str, Any]]:
    """Actions on ``theme`` per status, summed from the plans' action tallies (as
    ``/monitoring`` and the progress queries count: actions with a status), not by visiting
    every action; each pattern in its own subquery so that Oxigraph hash-joins them."""
    rows = ctx.select(f"""SELECT ?s (SUM(?c) AS ?n) WHERE {{
        {{ SELECT ?t WHERE {{ ?t <{VKG}tallyTheme> <{theme}> }} }}
        {{ SELECT ?t WHERE {{ ?plan <{VKG}actionTally> ?t }} }}
        ?t <{VKG}tallyStatus> ?s ; <{VKG}numberOfActions> ?c }} GROUP BY ?s""", ["s", "n"])
    return _linked_counts(ctx, [r for r in rows if int(r["n"] or 0)], filters)


def _linked_counts(ctx: Context, rows: list[dict[str, str | None]],
                   filters: dict[str, str] | None) -> list[dict[str, Any]]:
    ctx.load_labels(r["s"] for r in rows)
    out = []
    for r in rows:
        key = status_key(r["s"])
        label = ctx.name(r["s"]) if r["s"] else _("zonder status")
        href = (actions_href(**filters, status=key)
                if filters is not None and key in STATUS_ORDER else None)
        out.append({"key": key or "", "label": label, "count": int(r["n"] or 0), "href": href})
    order = {k: i for i, k in enumerate(STATUS_ORDER)}
    return sorted(out, key=lambda c: order.get(c["key"], 99))


# -- actions ---------------------------------------------------------------------------------
@dataclass
class ActionRow:
    code: str
    link: Link
    description: str
    theme: Link | None
    status: Link | None
    status_key: str | None
    owner: Link | None
    deadline: str
    financing: str
    late: bool = False


def action_rows(ctx: Context, where: str, limit: int = 100) -> tuple[list[ActionRow], int]:
    """The actions ``?a`` matched by ``where`` (at most ``limit``) and how many there are."""
    total = ctx.select(f"SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ {where} }}", ["n"])
    # first the page of actions (only their codes are sorted), then the details of those
    first = ctx.select(f"""SELECT ?a (SAMPLE(?i) AS ?id) WHERE {{ {where}
        OPTIONAL {{ ?a <{DCT}identifier> ?i }} }} GROUP BY ?a ORDER BY ?id LIMIT {limit}""",
                       ["a", "id"])
    values = _values(r["a"] for r in first if r["a"])
    rows = ctx.select(f"""SELECT ?a (SAMPLE(?i) AS ?id) (SAMPLE(?d) AS ?desc)
        (SAMPLE(?t) AS ?theme) (SAMPLE(?s) AS ?status) (SAMPLE(?o) AS ?owner)
        (MIN(STR(?dl)) AS ?deadline) (SAMPLE(?f) AS ?fin) WHERE {{ VALUES ?a {{ {values} }}
        OPTIONAL {{ ?a <{DCT}identifier> ?i }} OPTIONAL {{ ?a <{DCT}description> ?d }}
        OPTIONAL {{ ?a <{VKG}theme> ?t }} OPTIONAL {{ ?a <{VKG}status> ?s }}
        OPTIONAL {{ ?a <{VKG}owner> ?o }} OPTIONAL {{ ?a <{VKG}deadline> ?dl }}
        OPTIONAL {{ ?a <{VKG}financing> ?f }} }} GROUP BY ?a""",
                      ["a", "id", "desc", "theme", "status", "owner", "deadline", "fin"]
                      ) if values else []
    ctx.load_labels([x for r in rows for x in (r["theme"], r["status"], r["owner"])])
    today = dt.date.today().isoformat()
    out = []
    for r in rows:
        code = r["id"] or humanise(r["a"] or "")
        key = status_key(r["status"])
        deadline = r["deadline"] or ""
        late = key in ACTIVE and bool(deadline) and deadline[:10] < today
        out.append(ActionRow(
            code=code, link=Link(code, local_path(r["a"] or "", ctx.base)),
            description=r["desc"] or "", theme=ctx.link(r["theme"]), status=ctx.link(r["status"]),
            status_key=key, owner=ctx.link(r["owner"]), deadline=deadline,
            financing=r["fin"] or "", late=late))
    out.sort(key=lambda a: natural(a.code))
    return out, int(total[0]["n"] or 0) if total else 0


# -- theme -----------------------------------------------------------------------------------
def theme_view(ctx: Context, iri: str) -> dict[str, Any]:
    """Tasks with their legal basis, attention points per partner, menukaart instruments,
    related LAC goals with their confidence, and the actions on the theme per status."""
    tasks = ctx.select(f"""SELECT ?t ?law ?page WHERE {{ ?t a <{VKG}Task> ; <{VKG}theme> <{iri}> .
        OPTIONAL {{ ?t <{VKG}legalBasis> ?law OPTIONAL {{ ?law <{FOAF}page> ?page }} }} }}""",
                       ["t", "law", "page"])
    points = ctx.select(f"""SELECT ?p ?to ?law WHERE {{ ?p a <{VKG}AttentionPoint> ;
        <{VKG}theme> <{iri}> . OPTIONAL {{ ?p <{VKG}towards> ?to }}
        OPTIONAL {{ ?p <{VKG}legalBasis> ?law }} }}""", ["p", "to", "law"])
    instruments = ctx.select(f"""SELECT DISTINCT ?i WHERE {{ ?i a <{VKG}Instrument> ;
        <{VKG}theme> <{iri}> }}""", ["i"])
    goals = ctx.select(f"""SELECT ?g (SAMPLE(?c) AS ?conf) WHERE {{
        ?g <{VKG}relatedTheme> <{iri}> .
        OPTIONAL {{ ?st <{RDF}subject> ?g ; <{RDF}predicate> <{VKG}relatedTheme> ;
                    <{RDF}object> <{iri}> ; <{VKG}confidence> ?c }} }} GROUP BY ?g""",
                       ["g", "conf"])
    descriptions = _descriptions(ctx, [r["t"] for r in tasks] + [r["p"] for r in points]
                                 + [r["i"] for r in instruments])
    ctx.load_labels([x for r in tasks for x in (r["t"], r["law"])]
                    + [x for r in points for x in (r["p"], r["to"], r["law"])]
                    + [r["i"] for r in instruments]
                    + [x for r in goals for x in (r["g"], r["conf"])])
    by_task: dict[str, dict[str, Any]] = {}
    for r in tasks:
        task = by_task.setdefault(r["t"] or "", {
            "link": ctx.link(r["t"]), "description": descriptions.get(r["t"] or "", ""),
            "articles": []})
        if r["law"] and all(a["link"].href != local_path(r["law"], ctx.base)
                            for a in task["articles"]):
            task["articles"].append({"link": ctx.link(r["law"]), "page": r["page"]})
    groups: dict[str, dict[str, Any]] = {}
    for r in points:
        to = r["to"] or ""
        group = groups.setdefault(to, {"label": ctx.name(to) if to else _("overig"),
                                       "key": status_key(to) or "", "points": {}})
        item = group["points"].setdefault(r["p"], {
            "link": ctx.link(r["p"]), "description": descriptions.get(r["p"] or "", ""),
            "articles": []})
        if r["law"]:
            item["articles"].append(ctx.link(r["law"]))
    number = iri.rsplit("/", 1)[-1]
    counts = theme_status_counts(ctx, iri, {"thema": number})
    return {
        "tasks": sorted(by_task.values(), key=lambda t: natural(t["link"].href or "")),
        "attention": [{**g, "points": list(g["points"].values())}
                      for g in sorted(groups.values(), key=lambda g: g["label"])],
        "instruments": sorted(({"link": ctx.link(r["i"]),
                                "description": descriptions.get(r["i"] or "", "")}
                               for r in instruments), key=lambda i: i["link"].text.lower()),
        "goals": sorted(({"link": ctx.link(r["g"]), "confidence": ctx.link(r["conf"])}
                         for r in goals), key=lambda g: natural(g["link"].href or "")),
        "counts": counts, "total": sum(c["count"] for c in counts),
        "all_href": actions_href(thema=number),
    }


def _descriptions(ctx: Context, iris: list[str | None]) -> dict[str, Any]:
    """A ``dct:description`` per IRI in the page's language (Dutch: also untagged), else the
    other one marked with its language."""
    values = _values(sorted({i for i in iris if i}))
    if not values:
        return {}
    rows = ctx.select(f"""SELECT ?s ?d (LANG(?d) AS ?l) WHERE {{ VALUES ?s {{ {values} }}
        ?s <{DCT}description> ?d FILTER(LANG(?d) IN ("nl", "", "en")) }}""", ["s", "d", "l"])
    found: dict[str, dict[str, str]] = {}
    for r in rows:
        found.setdefault(r["s"] or "", {}).setdefault("en" if r["l"] == "en" else "nl",
                                                       r["d"] or "")
    return {iri: label(texts.get("nl"), texts.get("en")) for iri, texts in found.items()}
