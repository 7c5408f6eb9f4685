"""Views for people on the main domain pages: a theme (its tasks with their legal basis,
attention points, instruments, LAC goals, actions), a network (members, plan, actions), an
action plan (actions, version history) and a safety region (networks, plans, actions).

Each ``*_view`` gathers what its template shows with a few SELECT queries over the caller's
readable graphs (``PublicStore``); :func:`domain_view` picks one by the resource's type. The
generic property table stays below each view (``resource.html``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from ..namespaces import PREFIXES
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


@dataclass
class Context:
    """What every view query needs: the caller's store, the base and a label cache."""

    store: Any
    base: str
    labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def select(self, sparql: str, names: Iterable[str]) -> list[dict[str, str | None]]:
        keys = list(names)
        rows = []
        for r in self.store.query(sparql):
            rows.append({k: (r[k].value if r[k] is not None else None) for k in keys})
        return rows

    def load_labels(self, iris: Iterable[str | None]) -> None:
        wanted = {i for i in iris if i and i not in self.labels}
        if wanted:
            found = fetch_labels(self.store, wanted)
            for iri in wanted:
                self.labels[iri] = found.get(iri, {})

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
    rows = ctx.select(f"""SELECT ?a (SAMPLE(?i) AS ?id) (SAMPLE(?d) AS ?desc)
        (SAMPLE(?t) AS ?theme) (SAMPLE(?s) AS ?status) (SAMPLE(?o) AS ?owner)
        (MIN(STR(?dl)) AS ?deadline) (SAMPLE(?f) AS ?fin) WHERE {{ {where}
        OPTIONAL {{ ?a <{DCT}identifier> ?i }} OPTIONAL {{ ?a <{DCT}description> ?d }}
        OPTIONAL {{ ?a <{VKG}theme> ?t }} OPTIONAL {{ ?a <{VKG}status> ?s }}
        OPTIONAL {{ ?a <{VKG}owner> ?o }} OPTIONAL {{ ?a <{VKG}deadline> ?dl }}
        OPTIONAL {{ ?a <{VKG}financing> ?f }} }} GROUP BY ?a ORDER BY ?id LIMIT {limit}""",
                      ["a", "id", "desc", "theme", "status", "owner", "deadline", "fin"])
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
    where = f"?plan a <{VKG}ActionPlan> ; <{VKG}hasAction> ?a . ?a <{VKG}theme> <{iri}> ."
    counts = status_counts(ctx, where, {"thema": number})
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
