"""Views for people on the knowledge pages: a task (its theme, legal basis with the articles'
text, who carries it out, what else the theme holds), a law (its articles and the tasks on
them), a law article (its law, the tasks and attention points based on it), a goal of the
Landelijke Agenda Crisisbeheersing (number, theme, lead, partners, years, the planning rows that
work on it) and a sector agenda (sector, improvement points, the networks of the sector).

Each view reads only public knowledge (no actions), with a few SELECT queries over the caller's
readable graphs; :func:`.views_plan.domain_page` picks one by the resource's type."""

from __future__ import annotations

from typing import Any

from .domain_views import DCT, RDF, SKOS, VKG, Context, Link, _descriptions, actions_href
from .i18n import N_, _
from .resource_view import natural

FOAF = "http://xmlns.com/foaf/0.1/"


def _dutch(ctx: Context, iri: str, prop: str) -> list[str]:
    """The Dutch (else untagged) values of ``prop`` on ``iri``."""
    rows = ctx.select(f"""SELECT ?v WHERE {{ <{iri}> <{prop}> ?v
        FILTER(LANG(?v) = "nl" || LANG(?v) = "") }}""", ["v"])
    return sorted(r["v"] or "" for r in rows)


def _articles(ctx: Context, iris: list[str]) -> list[dict[str, Any]]:
    """Law articles with their law, text (description) and page on wetten.overheid.nl."""
    wanted = sorted({i for i in iris if i})
    if not wanted:
        return []
    values = " ".join(f"<{i}>" for i in wanted)
    rows = ctx.select(f"""SELECT ?a (SAMPLE(?l) AS ?law) (SAMPLE(?p) AS ?page) WHERE {{
        VALUES ?a {{ {values} }} OPTIONAL {{ ?a <{VKG}law> ?l }}
        OPTIONAL {{ ?a <{FOAF}page> ?p }} }} GROUP BY ?a""", ["a", "law", "page"])
    texts = _descriptions(ctx, wanted)
    ctx.load_labels([x for r in rows for x in (r["a"], r["law"])])
    out = [{"iri": r["a"], "link": ctx.link(r["a"]), "law": ctx.link(r["law"]), "page": r["page"],
            "text": texts.get(r["a"] or "", "")} for r in rows]
    return sorted(out, key=lambda a: natural(a["link"].text))


# -- task ------------------------------------------------------------------------------------
def task_view(ctx: Context, iri: str) -> dict[str, Any]:
    """The task's theme, its legal basis (article, law, text, source link), who carries it out
    (the role description that holds it), and the theme's attention points, instruments, other
    tasks and LAC goals."""
    facts = ctx.select(f"""SELECT ?p ?o WHERE {{ <{iri}> ?p ?o
        VALUES ?p {{ <{VKG}theme> <{VKG}legalBasis> <{VKG}confidence> }} }}""", ["p", "o"])
    themes = [r["o"] for r in facts if r["p"] == f"{VKG}theme" and r["o"]]
    laws = [r["o"] or "" for r in facts if r["p"] == f"{VKG}legalBasis"]
    confidence = [r["o"] for r in facts if r["p"] == f"{VKG}confidence"]
    roles = ctx.select(f"SELECT ?r WHERE {{ ?r <{VKG}hasTask> <{iri}> }}", ["r"])
    related: list[dict[str, str | None]] = []
    if themes:
        theme = themes[0]
        related = ctx.select(f"""SELECT ?x ?k ?to WHERE {{
            {{ ?x a <{VKG}AttentionPoint> ; <{VKG}theme> <{theme}> . BIND("point" AS ?k)
               OPTIONAL {{ ?x <{VKG}towards> ?to }} }}
            UNION {{ ?x a <{VKG}Instrument> ; <{VKG}theme> <{theme}> . BIND("instrument" AS ?k) }}
            UNION {{ ?x a <{VKG}Task> ; <{VKG}theme> <{theme}> . BIND("task" AS ?k)
                     FILTER(?x != <{iri}>) }}
            UNION {{ ?x <{VKG}relatedTheme> <{theme}> . BIND("goal" AS ?k) }} }}""",
                             ["x", "k", "to"])
    ctx.load_labels(themes + confidence + [r["r"] for r in roles]
                    + [x for r in related for x in (r["x"], r["to"])])
    points: dict[str, list[Link]] = {}
    for r in related:
        if r["k"] == "point":
            group = ctx.name(r["to"]) if r["to"] else "overig"
            points.setdefault(group, []).append(ctx.link(r["x"]))  # type: ignore[arg-type]

    def of_kind(kind: str) -> list[Link]:
        links = [ctx.link(r["x"]) for r in related if r["k"] == kind]
        return sorted((x for x in links if x), key=lambda x: natural(x.href or x.text))

    theme_link = ctx.link(themes[0]) if themes else None
    number = themes[0].rsplit("/", 1)[-1] if themes else None
    return {
        "theme": theme_link, "theme_number": number,
        "articles": _articles(ctx, laws),
        "roles": [ctx.link(r["r"]) for r in roles],
        "confidence": ctx.link(confidence[0]) if confidence else None,
        "attention": [{"label": k, "points": sorted(v, key=lambda x: x.text.lower())}
                      for k, v in sorted(points.items())],
        "instruments": of_kind("instrument"), "tasks": of_kind("task"),
        "goals": of_kind("goal"),
        "actions_href": actions_href(thema=number) if number else None,
    }


# -- law article -----------------------------------------------------------------------------
def article_view(ctx: Context, iri: str) -> dict[str, Any]:
    """The article's law and place in it (article, paragraph, point), its text and source
    link, and the tasks and attention points based on it (with their themes)."""
    facts = ctx.select(f"""SELECT ?p ?o WHERE {{ <{iri}> ?p ?o VALUES ?p {{ <{VKG}law>
        <{VKG}article> <{VKG}paragraph> <{VKG}point> <{FOAF}page> <{VKG}confidence> }} }}""",
                       ["p", "o"])
    got = {(r["p"] or "").rsplit("/", 1)[-1]: r["o"] for r in facts}
    based = ctx.select(f"""SELECT ?x ?k (SAMPLE(?t) AS ?theme) WHERE {{
        ?x <{VKG}legalBasis> <{iri}> ; a ?c . VALUES (?c ?k) {{ (<{VKG}Task> "task")
        (<{VKG}AttentionPoint> "point") }} OPTIONAL {{ ?x <{VKG}theme> ?t }} }}
        GROUP BY ?x ?k""", ["x", "k", "theme"])
    law = got.get("law")
    ctx.load_labels([law, got.get("confidence")]
                    + [x for r in based for x in (r["x"], r["theme"])])
    law_name = ""
    if law:
        alt = ctx.select(f"""SELECT ?v WHERE {{ <{law}> <{SKOS}altLabel> ?v }} LIMIT 1""", ["v"])
        law_name = (alt[0]["v"] or "") if alt else ""

    def rows(kind: str) -> list[dict[str, Any]]:
        out = [{"link": ctx.link(r["x"]), "theme": ctx.link(r["theme"])}
               for r in based if r["k"] == kind]
        return sorted(out, key=lambda t: natural(t["link"].href or ""))

    place = [(_(label), got[key]) for key, label in (("article", N_("artikel")),
                                                     ("paragraph", N_("lid")),
                                                     ("point", N_("onderdeel")))
             if got.get(key)]
    return {
        "law": ctx.link(law), "law_short": law_name, "place": place,
        "text": " ".join(_dutch(ctx, iri, f"{DCT}description")),
        "page": got.get("page"), "confidence": ctx.link(got.get("confidence")),
        "tasks": rows("task"), "points": rows("point"),
    }


# -- law -------------------------------------------------------------------------------------
def law_view(ctx: Context, iri: str) -> dict[str, Any]:
    """The law's short name, BWB id, date and source link, and its provisions in the knowledge
    base, each with its text and the tasks of the safety region based on it."""
    facts = ctx.select(f"""SELECT ?p ?o WHERE {{ <{iri}> ?p ?o VALUES ?p {{ <{SKOS}altLabel>
        <{SKOS}notation> <{DCT}issued> <{FOAF}page> }} }}""", ["p", "o"])
    got = {(r["p"] or "").rsplit("/", 1)[-1].rsplit("#", 1)[-1]: r["o"] for r in facts}
    provisions = [r["a"] or "" for r in ctx.select(
        f"SELECT DISTINCT ?a WHERE {{ ?a <{VKG}law> <{iri}> }}", ["a"])]
    based = ctx.select(f"""SELECT ?a ?x WHERE {{ ?a <{VKG}law> <{iri}> .
        ?x <{VKG}legalBasis> ?a ; a <{VKG}Task> }}""", ["a", "x"])
    ctx.load_labels([r["x"] for r in based])
    tasks: dict[str, list[Link]] = {}
    for r in based:
        link = ctx.link(r["x"])
        if link:
            tasks.setdefault(r["a"] or "", []).append(link)
    articles = _articles(ctx, provisions)
    for article in articles:
        article["tasks"] = sorted(tasks.get(article["iri"] or "", []),
                                  key=lambda x: natural(x.href or x.text))
    return {"short": got.get("altLabel") or "", "notation": got.get("notation") or "",
            "issued": got.get("issued") or "", "page": got.get("page"),
            "articles": articles}


# -- LAC goal --------------------------------------------------------------------------------
def goal_view(ctx: Context, iri: str) -> dict[str, Any]:
    """Number, agenda theme and pillar, lead (organisations and the source's wording), partners
    and years from the planning rows, the planning rows themselves, related themes of 2015."""
    facts = ctx.select(f"""SELECT ?p ?o WHERE {{ <{iri}> ?p ?o VALUES ?p {{ <{SKOS}notation>
        <{VKG}agendaTheme> <{VKG}pillar> <{VKG}lead> <{VKG}plannedYear> }} }}""", ["p", "o"])

    def values(prop: str) -> list[str]:
        return [r["o"] or "" for r in facts if r["p"] == prop]

    planning = ctx.select(f"""SELECT ?row ?p ?o WHERE {{ ?row a <{VKG}PlanningRow> ;
        <{VKG}goal> <{iri}> . OPTIONAL {{ ?row ?p ?o VALUES ?p {{ <{VKG}lead> <{VKG}partner>
        <{VKG}plannedYear> }} }} }}""", ["row", "p", "o"])
    related = ctx.select(f"""SELECT ?t (SAMPLE(?c) AS ?conf) WHERE {{
        <{iri}> <{VKG}relatedTheme> ?t .
        OPTIONAL {{ ?st <{RDF}subject> <{iri}> ; <{RDF}predicate> <{VKG}relatedTheme> ;
                    <{RDF}object> ?t ; <{VKG}confidence> ?c }} }} GROUP BY ?t""",
                         ["t", "conf"])
    leads = values(f"{VKG}lead")
    ctx.load_labels(values(f"{VKG}agendaTheme") + values(f"{VKG}pillar") + leads
                    + [r["row"] for r in planning]
                    + [r["o"] for r in planning if r["p"] != f"{VKG}plannedYear"]
                    + [x for r in related for x in (r["t"], r["conf"])])
    rows: dict[str, dict[str, Any]] = {}
    for r in planning:
        row = rows.setdefault(r["row"] or "", {"link": ctx.link(r["row"]), "lead": [],
                                               "partners": [], "years": []})
        if r["p"] == f"{VKG}lead":
            row["lead"].append(ctx.link(r["o"]))
        elif r["p"] == f"{VKG}partner":
            row["partners"].append(ctx.link(r["o"]))
        elif r["p"] == f"{VKG}plannedYear" and r["o"]:
            row["years"].append(r["o"])
    partners: dict[str, Link] = {}
    for row in rows.values():
        row["years"] = sorted(set(row["years"]))
        for p in row["partners"]:
            if p and p.text not in partners:
                partners[p.text] = p
    notation = values(f"{SKOS}notation")
    return {
        "number": notation[0] if notation else "",
        "agenda_theme": [ctx.link(x) for x in values(f"{VKG}agendaTheme")],
        "pillar": [ctx.link(x) for x in values(f"{VKG}pillar")],
        "lead": sorted((x for x in (ctx.link(i) for i in leads) if x),
                       key=lambda x: x.text.lower()),
        "lead_text": _dutch(ctx, iri, f"{VKG}leadText"),
        "notes": _dutch(ctx, iri, f"{SKOS}note"),
        "partners": sorted(partners.values(), key=lambda x: x.text.lower()),
        "years": sorted(set(values(f"{VKG}plannedYear"))),
        "planning": sorted(rows.values(), key=lambda r: natural(r["link"].href or "")),
        "themes": sorted(({"link": ctx.link(r["t"]), "confidence": ctx.link(r["conf"])}
                          for r in related), key=lambda t: natural(t["link"].href or "")),
    }


# -- sector agenda ---------------------------------------------------------------------------
def sector_agenda_view(ctx: Context, iri: str) -> dict[str, Any]:
    """The agenda's sector, status and due date, its improvement points (with theme) and the
    networks of its sector with their lead partner."""
    facts = ctx.select(f"""SELECT ?p ?o WHERE {{ <{iri}> ?p ?o VALUES ?p {{ <{VKG}sector>
        <{VKG}dueDate> }} }}""", ["p", "o"])
    sectors = [r["o"] or "" for r in facts if r["p"] == f"{VKG}sector"]
    due = [r["o"] or "" for r in facts if r["p"] == f"{VKG}dueDate"]
    sector_values = " ".join(f"<{s}>" for s in sectors)
    points = ctx.select(f"""SELECT ?x (SAMPLE(?t) AS ?theme) WHERE {{
        {{ <{iri}> <{VKG}improvementPoint> ?x }}
        UNION {{ VALUES ?s {{ {sector_values} }} ?x a <{VKG}ImprovementPoint> ; <{VKG}sector> ?s }}
        OPTIONAL {{ ?x <{VKG}theme> ?t }} }} GROUP BY ?x""", ["x", "theme"])
    networks = ctx.select(f"""SELECT ?n (SAMPLE(?l) AS ?lead) WHERE {{
        VALUES ?s {{ {sector_values} }} ?n a <{VKG}Network> ; <{VKG}sector> ?s .
        OPTIONAL {{ ?n <{VKG}leadPartner> ?l }} }} GROUP BY ?n""", ["n", "lead"])
    parents = ctx.select(f"SELECT ?r WHERE {{ ?r <{VKG}deliverable> <{iri}> }}", ["r"])
    texts = _descriptions(ctx, [r["x"] for r in points])
    ctx.load_labels(sectors + [r["r"] for r in parents]
                    + [x for r in points for x in (r["x"], r["theme"])]
                    + [x for r in networks for x in (r["n"], r["lead"])])
    return {
        "sector": [ctx.link(s) for s in sectors],
        "status": _dutch(ctx, iri, f"{VKG}statusText"),
        "due_text": _dutch(ctx, iri, f"{VKG}dueText"), "due": due[0] if due else "",
        "part_of": [ctx.link(r["r"]) for r in parents],
        "points": sorted(({"link": ctx.link(r["x"]), "theme": ctx.link(r["theme"]),
                           "text": texts.get(r["x"] or "", "")} for r in points),
                         key=lambda p: p["link"].text.lower()),
        "networks": sorted(({"link": ctx.link(r["n"]), "lead": ctx.link(r["lead"])}
                            for r in networks), key=lambda n: natural(n["link"].text)),
    }


__all__ = ["article_view", "goal_view", "law_view", "sector_agenda_view", "task_view"]
