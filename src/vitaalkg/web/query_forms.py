"""The form of a named query's HTML page: one field per parameter, with the choices taken from
the knowledge base where the parameter names a theme, region, network, sector, organisation,
year or status (see :data:`OPTION_QUERIES`), a date input for dates and a number input for
other numbers. Choices are public knowledge and cached per store generation."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from ..plans.registry import generation
from ..store.namedqueries import NamedQuery, Parameter
from .i18n import N_, _, current_language

_PREFIXES = """PREFIX vkg: <https://w3id.org/vitaalkg/def/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
_LABEL = "OPTIONAL { ?v rdfs:label ?l FILTER(LANG(?l) = 'nl') }"
# parameter name -> SELECT ?v ?l (value, label); ?v an IRI or a literal
OPTION_QUERIES: dict[str, str] = {
    "netwerk": f"SELECT ?v ?l WHERE {{ ?v a vkg:Network . {_LABEL} }}",
    "regio": f"SELECT ?v ?l WHERE {{ ?v a vkg:SafetyRegion . {_LABEL} }}",
    "sector": f"SELECT ?v ?l WHERE {{ ?v a vkg:Sector . {_LABEL} }}",
    "organisatie": f"SELECT DISTINCT ?v ?l WHERE {{ ?v a org:Organization . "
                   f"FILTER NOT EXISTS {{ ?v a vkg:Network }} {_LABEL} }}",
    "regie": f"SELECT DISTINCT ?v ?l WHERE {{ ?doel vkg:lead ?v . {_LABEL} }}",
    "thema": "SELECT ?v ?l WHERE { ?t a vkg:Theme ; skos:notation ?v . "
             "OPTIONAL { ?t rdfs:label ?l FILTER(LANG(?l) = 'nl') } }",
    "jaar": "SELECT DISTINCT ?v WHERE { ?doel vkg:plannedYear ?v }",
    "status": "SELECT ?v ?l WHERE { ?s skos:inScheme "
              "<https://w3id.org/vitaalkg/id/conceptschema/status> . "
              "BIND(STRAFTER(STR(?s), '/id/status/') AS ?v) "
              "OPTIONAL { ?s skos:prefLabel ?l FILTER(LANG(?l) = 'nl') } }",
}
FIELD_LABELS = {
    "netwerk": N_("Netwerk"), "regio": N_("Veiligheidsregio"), "sector": N_("Sector"),
    "organisatie": N_("Organisatie"), "regie": N_("Regie (wie heeft de lead)"),
    "thema": N_("Thema"), "jaar": N_("Jaar"), "status": N_("Status"),
    "peildatum": N_("Peildatum"), "kenmerk": N_("Kenmerk"),
}
# choices that are no resources: parameter name -> (value, label)
FIXED_OPTIONS: dict[str, list[tuple[str, str]]] = {
    "kenmerk": [("te-laat", N_("te laat")), ("zonder-eigenaar", N_("zonder verantwoordelijke")),
                ("zonder-planning", N_("zonder planning")),
                ("zonder-financiering", N_("zonder financiering")),
                ("onvolledig", N_("onvolledig"))],
}
_lock = threading.Lock()
_cache: dict[Any, tuple[Any, list[tuple[str, str]]]] = {}


@dataclass
class FormField:
    """One input of the form."""

    name: str
    label: str
    widget: str  # "select", "date", "number", "text"
    value: str = ""
    required: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, label)
    hint: str = ""


def _value(term: Any, base: str) -> str:
    text = str(term)
    prefix = base + "id/"
    return text[len(prefix):] if text.startswith(prefix) else text


def _sort_key(item: tuple[str, str]) -> tuple[Any, ...]:
    value, label = item
    return (0, int(value), "") if value.isdigit() else (1, 0, label.casefold())


def options_for(store: Any, base: str, name: str) -> list[tuple[str, str]]:
    """(value, label) choices for a parameter called ``name``, labelled in the page's language
    (English pages: the English label, else the Dutch one); [] when not a known kind."""
    if name in FIXED_OPTIONS:
        return [(value, _(label)) for value, label in FIXED_OPTIONS[name]]
    query = OPTION_QUERIES.get(name)
    if query is None:
        return []
    gen = generation(store)
    lang = current_language()
    key = (id(store), name, base, lang)
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == gen:
            return hit[1]
    text = (_PREFIXES + query).replace("https://w3id.org/vitaalkg/", base)
    rows = store.select(text)
    if lang != "nl":  # the labels in the page's language first, the Dutch ones after
        rows = list(store.select(text.replace("= 'nl'", f"= '{lang}'"))) + list(rows)
    seen: dict[str, str] = {}
    labelled: set[str] = set()
    for row in rows:
        value = _value(row["v"], base)
        if value in labelled:
            continue
        label = str(row.get("l") or "") or value
        if name == "thema" and row.get("l"):
            label = f"{value}. {label}"
        seen[value] = label
        if row.get("l"):
            labelled.add(value)
    options = sorted(seen.items(), key=_sort_key)
    with _lock:
        _cache[key] = (gen, options)
    return options


def _widget(param: Parameter) -> str:
    kind = param.type_label
    if kind in ("date", "dateTime"):
        return "date"
    if kind in ("integer", "decimal", "double", "gYear"):
        return "number"
    return "text"


def form_fields(store: Any, base: str, nq: NamedQuery, values: dict[str, str]
                ) -> list[FormField]:
    """The fields of ``nq``'s form, filled with ``values`` (the request's parameters)."""
    fields: list[FormField] = []
    for param in nq.parameters:
        label = (_(FIELD_LABELS[param.name]) if param.name in FIELD_LABELS
                 else param.name.replace("_", " ").capitalize())
        value = values.get(param.name, "")
        if not value and param.default and param.default not in ("today", "vandaag"):
            value = param.default
        options = options_for(store, base, param.name)
        if param.enum:
            known = dict(options)
            options = [(v, known.get(v, v)) for v in param.enum]
        widget = "select" if options else _widget(param)
        hint = ""
        if widget == "date":
            hint = _("JJJJ-MM-DD; leeg is vandaag") if param.default in ("today", "vandaag") \
                else _("JJJJ-MM-DD")
        elif widget == "text" and param.kind == "iri":
            hint = _("sleutel zoals 'veiligheidsregio/vr13' of een volledige IRI")
        fields.append(FormField(param.name, label, widget, value, param.required, options,
                                hint))
    return fields
