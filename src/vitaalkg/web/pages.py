"""The linked-data pages: home, ``/id`` → ``/doc`` redirects, resource pages with content
negotiation, lists, the ontology browser under ``/def``, the dataset description and dumps."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from rdflib import Graph, URIRef
from rdflib.namespace import FOAF, OWL, RDF, RDFS, SKOS

from ..namespaces import PREFIXES
from . import describe as d
from . import jsonld
from . import resource_view as rv
from .answers import (  # noqa: F401 - templates: used by the monitoring pages
    FORMAT_LINKS,
    OFFERED,
    STATIC_DIR,
    _settings,
    _store,
    alternate_links,
    format_links,
    html_or_rdf,
    jsonld_context,
    negotiate,
    not_found,
    rdf_response,
    render,
    templates,
)
from .dataset import DUMP_FILES, DatasetIris, make_dump, void_graph
from .http_cache import conditional
from .i18n import N_, _, label_text
from .negotiation import HTML, RDF_FORMATS, best_match, split_suffix
from .page_texts import kind_label
from .views_plan import domain_page, hide_tallies, shown_below_view

ONTOLOGY_KINDS = {
    str(OWL.Class): "class", str(RDFS.Class): "class",
    str(OWL.ObjectProperty): "property", str(OWL.DatatypeProperty): "property",
    str(OWL.AnnotationProperty): "property", str(RDF.Property): "property",
}
_SEGMENT = re.compile(r"^[A-Za-z0-9._~%!$&'()*+,;=:@-]+$")

router = APIRouter()


def labels_for(request: Request, iris: list[str]) -> dict[str, tuple[str, str | None]]:
    """``{iri: (Dutch label, English label)}`` with built-in and compact fall-backs."""
    found = rv.fetch_labels(_store(request), iris)
    result: dict[str, tuple[str, str | None]] = {}
    for iri in iris:
        labels = found.get(iri, {})
        builtin = rv.BUILTIN_LABELS.get(iri)
        nl = labels.get("nl") or labels.get("") or (builtin[0] if builtin else None)
        nl = nl or rv.pick(labels) or _fallback_name(request, iri)
        en = labels.get("en") or (builtin[1] if builtin and not labels else None)
        result[iri] = (nl, en if en != nl else None)
    return result


def _fallback_name(request: Request, iri: str) -> str:
    """A name for an IRI without a label: compact for a vocabulary term, else humanised."""
    short = rv.compact(iri)
    if short != iri and not iri.startswith(_settings(request).base + "id/"):
        return short
    return rv.humanise(iri) if iri.startswith(_settings(request).base) else short


def _type_label(kind: str) -> str:
    return kind_label(kind)


# -- home ------------------------------------------------------------------------------------
@router.get("/", include_in_schema=False)
def home(request: Request) -> Response:
    store = _store(request)
    key = _home_key(request, store)
    memo: dict[Any, dict[str, Any]] | None = getattr(request.app.state, "home_memo", None)
    if memo is None:
        memo = request.app.state.home_memo = {}
    context = memo.get(key) if key is not None else None
    if context is None:
        context = _home_context(request, store)
        if key is not None:
            if len(memo) >= 16:  # generations and datasets of the past
                memo.clear()
            memo[key] = context
    return conditional(request, render(request, "home.html", **context))


def _home_key(request: Request, store: d.PublicStore) -> Any:
    """What the home page depends on: the store's write generation and the caller's graphs
    (None: a store without a generation). A remote store may also be written by others, so
    there the figures are kept for a minute at most."""
    raw = request.app.state.store
    generation = getattr(raw, "generation", None)
    if generation is None:
        return None
    minute = int(time.monotonic() // 60) if getattr(raw, "kind", "") == "remote" else 0
    return (generation, minute, tuple(store.public_graphs))


def _home_context(request: Request, store: d.PublicStore) -> dict[str, Any]:
    """The home page's figures and lists (a few scans of the store: ~0.3 s at 10,000 actions,
    hence kept per generation)."""
    base = _settings(request).base
    class_rows = list(store.query(
        f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?c .
        FILTER(isIRI(?c) && STRSTARTS(STR(?s), "{base}id/")) }} GROUP BY ?c"""))
    class_labels = labels_for(request, [r["c"].value for r in class_rows])
    classes = sorted(
        ({"iri": r["c"].value, "label": class_labels[r["c"].value][0],
          "label_en": class_labels[r["c"].value][1], "count": int(r["n"].value),
          "href": "/lijst?klasse=" + quote(r["c"].value, safe="")}
         for r in class_rows),
        key=lambda c: c["label"].lower())
    themes = concepts(request, f"{PREFIXES['vkg']}Theme")
    sectors = concepts(request, f"{PREFIXES['vkg']}Sector")
    entry_points = [
        (f"{base}id/veiligheidsregio/", N_("De 25 veiligheidsregio's"), "/doc/veiligheidsregio"),
        (f"{base}id/netwerk/", N_("Netwerken"), "/doc/netwerk"),
        (f"{base}id/rolbeschrijving/veiligheidsregio", N_("Rolbeschrijving veiligheidsregio"),
         "/doc/rolbeschrijving/veiligheidsregio"),
        (f"{base}id/agenda/lac-2024-2028", N_("Landelijke Agenda Crisisbeheersing 2024–2028"),
         "/doc/agenda/lac-2024-2028"),
        (f"{base}id/sectoragenda/", N_("Sectoragenda's"), "/doc/sectoragenda"),
        (f"{base}id/actieplan/", N_("Actieplannen"), "/doc/actieplan"),
        (f"{base}id/menukaart/continuiteit", N_("Menukaart"), "/doc/menukaart/continuiteit"),
    ]
    entries = [
        {"label": label, "href": href}
        for iri, label, href in entry_points
        if _exists_prefix(store, iri)
    ]
    return dict(
        classes=classes, themes=themes, sectors=sectors,
        entries=entries, queries=named_queries(request),
        triples=_count_public(store), graphs=len(store.public_graphs),
        dumps=[{"name": name, "title": title, "href": f"/dumps/{name}"}
               for name, (title, _m, _f) in DUMP_FILES.items()],
    )


def _count_public(store: d.PublicStore) -> int:
    rows = list(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
    return int(rows[0]["n"].value) if rows else 0


def _exists_prefix(store: Any, iri: str) -> bool:
    if not d.valid_iri(iri):
        return False
    if iri.endswith("/"):  # every resource is typed: scan the types, not every triple
        return bool(store.query(
            f'ASK {{ ?s a ?t FILTER(STRSTARTS(STR(?s), "{iri}")) }}'))
    return bool(store.query(f"ASK {{ <{iri}> ?p ?o }}"))


def concepts(request: Request, cls: str) -> list[dict[str, Any]]:
    """The instances of a SKOS-like class with notation and labels, ordered by notation."""
    rows = _store(request).query(
        f"""SELECT ?s (SAMPLE(?not) AS ?n) WHERE {{ ?s a <{cls}> .
        OPTIONAL {{ ?s <{SKOS.notation}> ?not }} }} GROUP BY ?s""")
    items = [(r["s"].value, r["n"].value if r["n"] is not None else "") for r in rows]
    labels = labels_for(request, [i for i, _n in items])
    base = _settings(request).base
    result = [{"iri": i, "notation": n, "label": labels[i][0], "label_en": labels[i][1],
               "href": rv.local_path(i, base) or i} for i, n in items]
    return sorted(result, key=lambda c: (rv.natural(c["notation"]), c["label"].lower()))


def named_queries(request: Request) -> list[dict[str, str]]:
    """The named queries of ``queries/`` (empty when that module is not there)."""
    try:
        from ..store.namedqueries import load_named_queries  # type: ignore[import-not-found]
    except ImportError:
        return []
    try:
        loaded = load_named_queries(_settings(request).queries_dir)
    except Exception:  # a broken query file must not take the home page down
        return []
    items = loaded.values() if isinstance(loaded, dict) else loaded
    result = []
    for item in items:
        def get(name: str, item: Any = item) -> Any:
            return item.get(name) if isinstance(item, dict) else getattr(item, name, None)

        name = get("name")
        if not name:
            continue
        title = get("summary") or get("title") or get("label") or name
        params = [
            {"name": str(p.get("name") if isinstance(p, dict) else getattr(p, "name", p)),
             "required": bool(p.get("required") if isinstance(p, dict)
                              else getattr(p, "required", False))}
            for p in (get("parameters") or [])
        ]
        result.append({"name": str(name), "title": str(title),
                       "description": str(get("description") or ""), "parameters": params,
                       "href": f"/queries/{quote(str(name))}"})
    return sorted(result, key=lambda q: q["name"])


# -- /id → /doc ------------------------------------------------------------------------------
@router.api_route("/id/{path:path}", methods=["GET", "HEAD"], tags=["linked data"],
                  summary="URI van een ding: 303 See Other naar de beschrijving")
def identifier(path: str, request: Request) -> Response:
    """303 to the description of a thing that exists (for this caller); 404 at once for one
    that does not; a trailing slash leads to the thing without it."""
    target = _known_identifier(request, path)
    if target is None:
        return not_found(request, f"{_settings(request).base}id/{path}",
                         split_suffix(path)[1])
    location = "/doc/" + quote(target, safe="/:@!$&'()*+,;=-._~")
    return RedirectResponse(location, status_code=303, headers={"Vary": "Accept"})


def _known_identifier(request: Request, path: str) -> str | None:
    """The path under ``/doc/`` for ``/id/{path}``, or None when there is nothing to show."""
    store, base = _store(request), _settings(request).base
    stripped = path.rstrip("/")
    if not stripped:
        return None
    if "/" not in stripped:  # a kind: its list
        prefix = f"{base}id/{stripped}/"
        return stripped if _SEGMENT.match(stripped) and _exists_prefix(store, prefix) else None
    kind, _, key = stripped.partition("/")
    stem, suffix = split_suffix(key)
    candidates = [path, stripped] if path != stripped else [path]
    if suffix is not None:
        candidates.append(f"{kind}/{stem}")
    for candidate in candidates:
        if _resource_exists(request, f"{base}id/{candidate}"):
            return stripped if candidate == f"{kind}/{stem}" else candidate
    return None


def _resource_exists(request: Request, iri: str) -> bool:
    """Whether the caller's store, or the dataset description, says anything about ``iri``."""
    if not d.valid_iri(iri):
        return False
    store = _store(request)
    if store.query(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}"):
        return True
    return (URIRef(iri), None, None) in void_graph(store, _settings(request))


# -- lists -----------------------------------------------------------------------------------
@router.get("/doc/{kind}", tags=["linked data"], summary="Lijst van alle dingen van één soort")
def kind_list(kind: str, request: Request) -> Response:
    store, base = _store(request), _settings(request).base
    prefix = f"{base}id/{kind}/"
    if not _SEGMENT.match(kind) or not d.valid_iri(prefix):
        return not_found(request)
    rows = store.query(
        f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{prefix}")) }}')
    iris = [r["s"].value for r in rows]
    if not iris:
        return not_found(request)
    return render_list(request, iris, title=_type_label(kind).capitalize(),
                       subtitle=f"{base}id/{kind}/…",
                       crumbs=[{"label": _type_label(kind)}])


@router.get("/lijst", tags=["linked data"], summary="Lijst van de instanties van een klasse")
def class_list(request: Request,
               klasse: str = Query(..., description="klasse, als IRI of vkg:Naam")) -> Response:
    store = _store(request)
    cls = expand(klasse)
    if not d.valid_iri(cls):
        return not_found(request)
    rows = store.query(
        f"SELECT DISTINCT ?s WHERE {{ ?s a/<{RDFS.subClassOf}>* <{cls}> FILTER(isIRI(?s)) }}")
    iris = [r["s"].value for r in rows]
    label = label_text(*labels_for(request, [cls])[cls])
    base = _settings(request).base
    return render_list(request, iris, title=label[:1].upper() + label[1:],
                       class_iri=cls, class_href=rv.local_path(cls, base) or cls,
                       crumbs=[{"label": label}])


def expand(name: str) -> str:
    prefix, colon, local = name.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return name


LIST_PAGE = 500  # items per page of a list


def render_list(request: Request, iris: list[str], **context: Any) -> Response:
    """A list, by label; a longer one than :data:`LIST_PAGE` in pages (``?pagina=N``), by
    IRI: labels are fetched for the page only."""
    base = _settings(request).base
    total = len(iris)
    paging: dict[str, Any] = {"total": total}
    if total > LIST_PAGE:
        pages = -(-total // LIST_PAGE)
        try:
            page = min(max(int(request.query_params.get("pagina", "1")), 1), pages)
        except ValueError:
            page = 1
        iris = sorted(iris, key=rv.natural)[(page - 1) * LIST_PAGE:page * LIST_PAGE]

        def href(n: int) -> str:
            params = {**request.query_params, "pagina": str(n)}
            return f"{request.url.path}?{urlencode(params)}"

        paging.update(page=page, pages=pages, first=(page - 1) * LIST_PAGE + 1,
                      last=(page - 1) * LIST_PAGE + len(iris),
                      prev_href=href(page - 1) if page > 1 else None,
                      next_href=href(page + 1) if page < pages else None)
    labels = labels_for(request, iris)
    items = [{"iri": i, "label": labels[i][0], "label_en": labels[i][1],
              "href": rv.local_path(i, base) or i,
              "anchor": i.rsplit("#", 1)[1] if "#" in i else None} for i in iris]
    if "pages" not in paging:
        items.sort(key=lambda x: rv.natural(x["label"]))
    return conditional(request, render(request, "list.html", items=items, paging=paging,
                                       **context))


# -- /doc ------------------------------------------------------------------------------------
@router.api_route("/doc/{kind}/{key:path}", methods=["GET", "HEAD"], tags=["linked data"],
                  summary="Beschrijving van een ding (HTML, Turtle, JSON-LD, N-Triples, RDF/XML)")
def document(kind: str, key: str, request: Request) -> Response:
    store, base = _store(request), _settings(request).base
    if not key.strip("/"):  # "/doc/veiligheidsregio/": the list
        return RedirectResponse(f"/doc/{quote(kind)}", status_code=301)
    stem, suffix = split_suffix(key)
    iri = f"{base}id/{kind}/{stem}"
    cap = shown_below_view(kind)  # pages with a view for people list fewer references
    graph, totals, forward = _describe_for_page(store, iri, cap)
    if suffix is not None and not d.exists(graph, iri):
        # maybe the key itself ends in something that looks like a suffix
        whole_iri = f"{base}id/{kind}/{key}"
        whole, whole_totals, whole_forward = _describe_for_page(store, whole_iri, cap)
        if d.exists(whole, whole_iri):
            iri, graph, suffix, stem = whole_iri, whole, None, key
            totals, forward = whole_totals, whole_forward
    parent = {"label": _type_label(kind), "href": f"/doc/{kind}"}
    if not d.exists(graph, iri):
        void = void_graph(store, _settings(request))
        if (URIRef(iri), None, None) not in void:
            if key.endswith("/") and _resource_exists(request, iri.rstrip("/")):
                return RedirectResponse(f"/doc/{quote(kind)}/{quote(key.rstrip('/'))}",
                                        status_code=301)
            return not_found(request, iri, suffix)
        graph = d.describe_in_graph(void, iri)
        parent = {"label": _("dataset"), "href": "/dataset"}  # no /doc/{kind} list for these
    fmt = negotiate(request, suffix)
    path = f"/doc/{kind}/{stem}"

    def page() -> Response:
        view = rv.resource_view(store, graph, iri, base, inverse_totals=totals,
                                forward_totals=forward, inverse_limit=cap)
        chosen = domain_page(request, store, iri, {t.iri or "" for t in view.types})
        template, extra = chosen if chosen else ("resource.html", {})
        if chosen:
            hide_tallies(view)
            view.label = extra.get("title") or view.label
            view.label_en = extra.get("title") or view.label_en
        crumbs = [parent, {"label": label_text(view.label, view.label_en)}]
        return render(request, template, view=view, formats=format_links(path),
                      crumbs=crumbs, doc_path=path, d=extra)

    def rdf() -> Graph:  # the RDF document is complete: every resource that points here
        full = d.describe(store, iri) if _many(totals, cap) or _many(forward, cap) else graph
        doc, thing = URIRef(f"{base}doc/{kind}/{stem}"), URIRef(iri)
        full.add((doc, FOAF.primaryTopic, thing))
        full.add((thing, FOAF.isPrimaryTopicOf, doc))
        return full

    return html_or_rdf(request, fmt, suffix, rdf, page, iri=iri, links=alternate_links(path))


def _many(totals: dict[str, int], cap: int = d.INVERSE_SHOWN) -> list[str]:
    """The properties with more resources than a page shows."""
    return [p for p, n in totals.items() if n > cap]


def _describe_for_page(store: Any, iri: str, cap: int = d.INVERSE_SHOWN
                       ) -> tuple[Graph, dict[str, int], dict[str, int]]:
    """The description of ``iri`` as a page shows it (long properties, either way, cut to
    the first ``cap``) and the number of resources per inverse and forward property."""
    totals = d.inverse_counts(store, iri)
    forward = d.forward_counts(store, iri)
    return (d.describe(store, iri, capped=_many(totals, cap),
                       capped_forward=_many(forward, cap), cap=cap), totals, forward)


# -- /def: the ontology ----------------------------------------------------------------------
def ontology_graph(request: Request) -> Graph:
    """All triples of the ontology's named graphs."""
    base = _settings(request).base
    return d.construct(_store(request), f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
        GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{base}graph/ontology/")) }}""")


def ontology_terms(request: Request) -> dict[str, list[dict[str, Any]]]:
    store, base = _store(request), _settings(request).base
    kinds = " ".join(f"<{k}>" for k in ONTOLOGY_KINDS)
    rows = store.query(
        f"""SELECT DISTINCT ?t ?k WHERE {{ ?t a ?k . VALUES ?k {{ {kinds} }}
        FILTER(STRSTARTS(STR(?t), "{base}def/")) }}""")
    terms: dict[str, str] = {}
    for r in rows:
        terms.setdefault(r["t"].value, ONTOLOGY_KINDS[r["k"].value])
    labels = labels_for(request, list(terms))
    definitions = fetch_definitions(store, list(terms))
    result: dict[str, list[dict[str, Any]]] = {"class": [], "property": []}
    for iri, kind in terms.items():
        result[kind].append({
            "iri": iri, "curie": rv.compact(iri), "label": labels[iri][0],
            "label_en": labels[iri][1], "definition": definitions.get(iri, {}).get("nl"),
            "definition_en": definitions.get(iri, {}).get("en"),
            "href": rv.local_path(iri, base) or iri,
        })
    for items in result.values():
        items.sort(key=lambda t: t["label"].lower())
    return result


def fetch_definitions(store: Any, iris: list[str]) -> dict[str, dict[str, str]]:
    """A Dutch (``nl``: Dutch or untagged) and an English (``en``) definition per term
    (skos:definition, else rdfs:comment)."""
    values = " ".join(f"<{i}>" for i in iris if d.valid_iri(i))
    if not values:
        return {}
    rows = store.query(
        f"""SELECT ?t ?p ?v WHERE {{ VALUES ?t {{ {values} }}
        VALUES ?p {{ <{SKOS.definition}> <{RDFS.comment}> }} ?t ?p ?v }}""")
    best: dict[tuple[str, str], tuple[tuple[int, int], str]] = {}
    for r in rows:
        lang = getattr(r["v"], "language", None) or ""
        which = "en" if lang == "en" else "nl" if lang in ("nl", "") else None
        if which is None:
            continue
        rank = (0 if r["p"].value == str(SKOS.definition) else 1, 0 if lang else 1)
        current = best.get((r["t"].value, which))
        if current is None or rank < current[0]:
            best[(r["t"].value, which)] = (rank, r["v"].value)
    result: dict[str, dict[str, str]] = {}
    for (term, which), (_rank, text) in best.items():
        result.setdefault(term, {})[which] = text
    return result


@router.api_route("/def", methods=["GET", "HEAD"], tags=["linked data"],
                  summary="De ontologie: index (HTML) of de hele ontologie (RDF)")
@router.api_route("/def/", methods=["GET", "HEAD"], include_in_schema=False)
def ontology_index(request: Request) -> Response:
    fmt = negotiate(request)

    def page() -> Response:
        terms = ontology_terms(request)
        return render(request, "def_index.html", classes=terms["class"],
                      properties=terms["property"], formats=format_links("/def/index"),
                      crumbs=[{"label": _("ontologie")}])

    return html_or_rdf(request, fmt, None, lambda: ontology_graph(request), page)


@router.api_route("/def/context.jsonld", methods=["GET", "HEAD"], tags=["linked data"],
                  summary="JSON-LD-context: termen voor alle eigenschappen van de ontologie")
def context_document(request: Request) -> Response:
    """The JSON-LD context of every JSON-LD answer, as a document of its own."""
    body = jsonld.dumps({"@context": jsonld_context(request).document()})
    response = Response(body, media_type="application/ld+json")
    response.headers["Access-Control-Allow-Origin"] = "*"  # JSON-LD processors in browsers
    return conditional(request, response)


@router.api_route("/def/{term}", methods=["GET", "HEAD"], tags=["linked data"],
                  summary="Een klasse of eigenschap van de ontologie")
def ontology_term(term: str, request: Request) -> Response:
    store, base = _store(request), _settings(request).base
    stem, suffix = split_suffix(term)
    if stem == "index" and suffix is not None:
        fmt = negotiate(request, suffix)
        return html_or_rdf(request, fmt, suffix, lambda: ontology_graph(request),
                           lambda: RedirectResponse("/def", status_code=303))
    iri = f"{base}def/{stem}"
    graph, totals, forward = _describe_for_page(store, iri)
    if not d.exists(graph, iri) and stem == "shapes" and suffix is None:
        return shapes_page(request)
    if not d.exists(graph, iri):
        return not_found(request, iri, suffix)
    fmt = negotiate(request, suffix)
    path = f"/def/{stem}"

    def rdf() -> Graph:
        return d.describe(store, iri, inverse=False)

    def page() -> Response:
        view = rv.resource_view(store, graph, iri, base, inverse_totals=totals,
                                forward_totals=forward)
        types = {t.iri for t in view.types}
        is_class = bool(types & {str(OWL.Class), str(RDFS.Class)})
        count = None
        if is_class:
            count = int(next(iter(store.query(
                f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a/<{RDFS.subClassOf}>* <{iri}> }}"
            )))["n"].value)
        else:
            count = int(next(iter(store.query(
                f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{iri}> ?o }}")))["n"].value)
        # instances are linked from the count; do not list them all here
        view.inverse_rows = [r for r in view.inverse_rows if r.iri != str(RDF.type)]
        crumbs = [{"label": _("ontologie"), "href": "/def"},
                  {"label": label_text(view.label, view.label_en)}]
        return render(request, "def.html", view=view, formats=format_links(path), crumbs=crumbs,
                      is_class=is_class, count=count,
                      list_href="/lijst?klasse=" + quote(iri, safe=""))

    return html_or_rdf(request, fmt, suffix, rdf, page, iri=iri, links=alternate_links(path))


def shapes_page(request: Request) -> Response:
    """``/def/shapes``: the SHACL shapes (``{base}def/shapes#Name``), one row (and anchor)
    each, so the links to ``/def/shapes#ActionShape`` land on their shape."""
    prefix = f"{_settings(request).base}def/shapes#"
    rows = _store(request).query(
        f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{prefix}")) }}')
    iris = [r["s"].value for r in rows]
    return render_list(request, iris, title=_("Vormen (SHACL)"),
                       crumbs=[{"label": _("ontologie"), "href": "/def"},
                               {"label": _("vormen")}])


# -- dataset description and dumps -----------------------------------------------------------
@router.api_route("/.well-known/void", methods=["GET", "HEAD"], tags=["dataset"],
                  summary="VoID/DCAT-beschrijving van de dataset (standaard Turtle)")
def well_known_void(request: Request) -> Response:
    media = best_match(request.headers.get("accept"),
                       [m for m, _f in RDF_FORMATS.values()] + ["application/json", HTML, "*/*"])
    fmt = "turtle" if media in (None, "*/*") else OFFERED.get(media, "turtle")
    if fmt == "html":
        return RedirectResponse("/dataset", status_code=303)
    graph = void_graph(_store(request), _settings(request))
    return conditional(request, rdf_response(graph, fmt, vary=True, request=request))


@router.api_route("/dataset", methods=["GET", "HEAD"], tags=["dataset"],
                  summary="Beschrijving van de dataset (HTML of RDF)")
def dataset_page(request: Request) -> Response:
    store, base = _store(request), _settings(request).base
    void = void_graph(store, _settings(request))
    iri = str(DatasetIris(base).dataset)
    fmt = negotiate(request)

    def page() -> Response:
        graph = d.describe_in_graph(void, iri)
        view = rv.resource_view(store, graph, iri, base)
        return render(request, "dataset.html", view=view, crumbs=[{"label": _("dataset")}],
                      formats=[{"label": "VoID (Turtle)", "href": "/.well-known/void",
                                "media": "text/turtle"}],
                      dumps=[{"name": n, "title": t, "href": f"/dumps/{n}"}
                             for n, (t, _m, _f) in DUMP_FILES.items()])

    return html_or_rdf(request, fmt, None, lambda: void, page)


@router.api_route("/dumps/{filename}", methods=["GET", "HEAD"], tags=["dataset"],
                  summary="Volledige dump van de kennisbank (vitaalkg.nt.gz, vitaalkg.ttl)")
def dump(filename: str, request: Request) -> Response:
    if filename not in DUMP_FILES:
        return not_found(request, filename)
    result = make_dump(_store(request), filename)
    response = Response(result.content, media_type=result.media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})
    return conditional(request, response, tag=result.etag)


def install(app: FastAPI) -> None:
    """Add the pages and, unless another module did so, the ``/static`` files."""
    app.include_router(router)
    if not any(getattr(r, "name", None) == "static" for r in app.routes):
        app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
