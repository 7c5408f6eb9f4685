"""Named SPARQL queries (``queries/*.rq``) with grlc decorators and grlc/BASIL parameters.

Each file is valid SPARQL as it is. A header of ``#+`` lines holds YAML, as grlc reads it::

    #+ summary: Taken en wettelijke basis per thema
    #+ description: …
    #+ tags:
    #+   - rolbeschrijving
    #+ method: GET
    #+ defaults:
    #+   - thema: "1"
    #+ enumerate:
    #+   - thema:
    #+     - "1"

Parameters are variables named after the BASIL convention that grlc follows: ``?_name`` is a
required parameter, ``?__name`` an optional one; a suffix gives the type: ``_iri`` (an IRI),
``_integer``, ``_decimal``, ``_boolean``, ``_date`` (xsd), ``_xsd_date`` / ``_xsd_gYear`` (any
``prefix_datatype``), ``_nl`` / ``_en`` (language-tagged); none means a plain string literal.

A date parameter may default to ``today`` (``#+ defaults: - peildatum: today``); the value
``today`` / ``vandaag`` stands for the service's current date, so a query needs no ``NOW()`` and its
answers can be cached (per day).

Values are bound with SEP-0007 substitutions (:meth:`NamedQuery.bind` returns RDF terms), so a
parameter can never change the structure of the query.

``#+ pagination: N`` (grlc) makes a SELECT query paginated: page ``K`` (1-based) is the query with
``LIMIT N OFFSET (K-1)*N`` appended (:meth:`NamedQuery.page_text`). Pages only make sense in a
fixed order, so such a query must end with a top-level ``ORDER BY`` (a total order, or rows that
tie may move between pages) and must not have its own ``LIMIT`` / ``OFFSET`` / trailing
``VALUES``; a file that breaks these rules is refused when it is loaded. ``page`` and ``format``
are the API's own parameters and cannot be declared by a query.

A query may instead mark where its page is cut with the comment ``# vitaalkg:page`` on its own
line after the ``ORDER BY`` of a subquery: the service puts ``LIMIT``/``OFFSET`` there, so what
the outer query adds (labels, details) is looked up for the rows of one page only. The subquery
and the outer query must sort the same way; to grlc and to the file as it is, the marker is a
comment, and the query answers every row in the same order.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from .sparqltext import query_form, tokenize

XSD = "http://www.w3.org/2001/XMLSchema#"
DEFAULT_BASE = "https://w3id.org/vitaalkg/"
DATATYPE_PREFIXES = {"xsd": XSD}
XSD_SUFFIXES = {"integer", "decimal", "boolean", "date", "datetime", "double", "gyear", "string"}
XSD_NAMES = {"datetime": "dateTime", "gyear": "gYear"}
LANGUAGES = {"nl", "en", "de", "fr"}
TODAY = {"today", "vandaag"}  # a date parameter's value for the current date
_IRI_OK = re.compile(r"[^<>\"{}|^`\\\x00-\x20]+")
_KEY_OK = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~/-]*")
_NAME_OK = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
PAGE_MARK = "# vitaalkg:page"  # where a paginated query's page may be cut (a subquery)
RESERVED = {"page", "format"}  # parameters of the API itself (pagination, result format)
MAX_PAGE = 1_000_000


class NamedQueryError(Exception):
    """A named query or one of its parameter values is not usable; the message is for users."""


@dataclass
class Parameter:
    """One API parameter of a named query."""

    name: str
    variable: str
    kind: str  # "string", "iri", "literal" (typed), "lang"
    datatype: str | None = None
    language: str | None = None
    required: bool = True
    default: str | None = None
    enum: list[str] | None = None

    @property
    def type_label(self) -> str:
        """A short type name for listings: ``string``, ``iri``, ``integer``, ``date`` …"""
        if self.kind == "literal" and self.datatype:
            return self.datatype.rsplit("#", 1)[-1]
        if self.kind == "lang":
            return f"string@{self.language}"
        return self.kind

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type_label,
                               "required": self.required, "variable": "?" + self.variable}
        if self.datatype:
            out["datatype"] = self.datatype
        if self.default is not None:
            out["default"] = self.default
        if self.enum:
            out["enum"] = self.enum
        return out

    def term(self, value: str, base: str) -> Any:
        """The RDF term for ``value``; raises :class:`NamedQueryError` with a Dutch message."""
        if self.enum and value not in self.enum:
            raise NamedQueryError(
                f"parameter '{self.name}': '{value}' is niet toegestaan; kies uit "
                f"{', '.join(self.enum)} / not allowed, choose from the list")
        if self.kind == "iri":
            return _iri(self.name, value, base)
        if self.kind == "lang":
            return ox.Literal(value, language=self.language)
        if self.kind == "string" or self.datatype is None:
            return ox.Literal(value)
        return ox.Literal(_check_lexical(self.name, value, self.datatype),
                          datatype=ox.NamedNode(self.datatype))


def _iri(name: str, value: str, base: str) -> ox.NamedNode:
    value = value.strip()
    if value.startswith(("http://", "https://", "urn:")):
        if not _IRI_OK.fullmatch(value):
            raise NamedQueryError(f"parameter '{name}': '{value}' is geen geldige IRI / "
                                  "not a valid IRI")
        return ox.NamedNode(value)
    if not _KEY_OK.fullmatch(value) or ".." in value:
        raise NamedQueryError(
            f"parameter '{name}': '{value}' is geen geldige IRI of sleutel (zoals "
            "'veiligheidsregio/vr13') / not a valid IRI or key")
    return ox.NamedNode(f"{base}id/{value}")


def _check_lexical(name: str, value: str, datatype: str) -> str:
    """``value`` normalised if it is a valid literal of ``datatype``; else a clear error."""
    local = datatype.removeprefix(XSD)
    value = value.strip()
    try:
        if local == "integer":
            if not re.fullmatch(r"[+-]?\d+", value):
                raise ValueError
            return str(int(value))
        if local in ("decimal", "double", "float"):
            return str(Decimal(value)) if local == "decimal" else str(float(value))
        if local == "boolean":
            if value.lower() not in ("true", "false", "1", "0"):
                raise ValueError
            return "true" if value.lower() in ("true", "1") else "false"
        if local == "date":
            if value.lower() in TODAY:
                return dt.date.today().isoformat()
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError
            return dt.date.fromisoformat(value).isoformat()
        if local == "dateTime":
            return dt.datetime.fromisoformat(value).isoformat()
        if local == "gYear":
            if not re.fullmatch(r"\d{4}", value):
                raise ValueError
            return value
    except (ValueError, InvalidOperation):
        raise NamedQueryError(
            f"parameter '{name}': '{value}' is geen geldige waarde van type {local} "
            f"(bijvoorbeeld {_EXAMPLES.get(local, '…')}) / not a valid {local}") from None
    return value


_EXAMPLES = {"integer": "2024", "decimal": "12.5", "boolean": "true", "date": "2016-06-30",
             "dateTime": "2016-06-30T12:00:00", "gYear": "2025"}


def parse_variable(variable: str) -> Parameter | None:
    """The parameter a variable name stands for (grlc/BASIL convention), or None."""
    if not variable.startswith("_") or variable.startswith("___"):
        return None
    required = not variable.startswith("__")
    rest = variable[2:] if not required else variable[1:]
    parts = rest.split("_")
    if not parts or not parts[0]:
        return None
    kind, datatype, language = "string", None, None
    last = parts[-1].lower()
    if len(parts) > 2 and parts[-2].lower() in DATATYPE_PREFIXES:
        prefix = DATATYPE_PREFIXES[parts[-2].lower()]
        local = XSD_NAMES.get(last, parts[-1])
        kind, datatype, parts = "literal", prefix + local, parts[:-2]
    elif len(parts) > 1 and last == "iri":
        kind, parts = "iri", parts[:-1]
    elif len(parts) > 1 and last in XSD_SUFFIXES:
        kind, datatype, parts = "literal", XSD + XSD_NAMES.get(last, last), parts[:-1]
    elif len(parts) > 1 and last in LANGUAGES:
        kind, language, parts = "lang", last, parts[:-1]
    if datatype == XSD + "string":
        kind, datatype = "string", None
    name = "_".join(parts)
    if not _NAME_OK.fullmatch(name):
        return None
    return Parameter(name=name, variable=variable, kind=kind, datatype=datatype,
                     language=language, required=required)


@dataclass
class NamedQuery:
    """One ``.rq`` file: its SPARQL, its decorators and its parameters."""

    name: str
    path: Path
    text: str
    summary: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    method: str = "GET"
    parameters: list[Parameter] = field(default_factory=list)
    decorators: dict[str, Any] = field(default_factory=dict)
    form: str = "SELECT"
    page_size: int | None = None  # ``#+ pagination: N``; None: not paginated

    def to_json(self, link: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name, "summary": self.summary, "description": self.description,
            "tags": self.tags, "method": self.method, "form": self.form,
            "parameters": [p.to_json() for p in self.parameters],
            "pageSize": self.page_size,
        }
        if link is not None:
            out["link"] = link
        return out

    def text_for(self, base: str) -> str:
        """The query for a service whose base is not the default: every IRI written with the
        default base (``<https://w3id.org/vitaalkg/…>``, PREFIX declarations included) is
        rewritten, as the loader rewrites the data."""
        if base == DEFAULT_BASE:
            return self.text
        parts: list[str] = []
        last = 0
        for token in tokenize(self.text):
            if token.kind == "iri" and token.text.startswith("<" + DEFAULT_BASE):
                rest = token.text[len(DEFAULT_BASE) + 1:]
                parts += [self.text[last:token.start], "<" + base + rest]
                last = token.start + len(token.text)
        parts.append(self.text[last:])
        return "".join(parts)

    def paginate(self, text: str, page: int) -> str:
        """``text`` (this query, possibly rewritten by :meth:`text_for`) limited to page ``page``
        (1-based): ``LIMIT N OFFSET (page-1)*N`` appended on a line of its own, as grlc does,
        or in place of the :data:`PAGE_MARK` comment in a subquery (see the module text)."""
        if self.page_size is None:
            raise NamedQueryError(f"query '{self.name}' kent geen paginering / "
                                  "this query has no pagination")
        page = parse_page(page)
        clause = f"LIMIT {self.page_size} OFFSET {(page - 1) * self.page_size}"
        if PAGE_MARK in text:
            return text.replace(PAGE_MARK, clause, 1)
        return f"{text.rstrip()}\n{clause}\n"

    def page_text(self, page: int, base: str = DEFAULT_BASE) -> str:
        """The query for page ``page`` (1-based) on a service with ``base``."""
        return self.paginate(self.text_for(base), page)

    def bind(self, params: dict[str, str], base: str = "https://w3id.org/vitaalkg/") -> dict:
        """Substitutions (variable name -> RDF term) for the given parameter values.

        Unknown parameters, missing required ones and values of the wrong type raise
        :class:`NamedQueryError`. Empty values count as absent.
        """
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(params) - set(known))
        if unknown:
            allowed = ", ".join(known) or "geen / none"
            raise NamedQueryError(
                f"onbekende parameter(s) {', '.join(unknown)} voor query '{self.name}'; "
                f"toegestaan: {allowed} / unknown parameter(s)")
        out: dict[str, Any] = {}
        for param in self.parameters:
            value = params.get(param.name)
            if value is None or value == "":
                value = param.default
            if value is None or value == "":
                if param.required:
                    raise NamedQueryError(
                        f"parameter '{param.name}' is verplicht voor query '{self.name}' / "
                        "parameter is required")
                continue
            out[param.variable] = param.term(str(value), base)
        return out


def parse_page(value: str | int | None) -> int:
    """A page number (1-based; absent or empty is 1); else :class:`NamedQueryError`."""
    if value is None or value == "":
        return 1
    text = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"[0-9]{1,7}", text) \
            or not 1 <= int(text) <= MAX_PAGE:
        raise NamedQueryError(
            f"parameter 'page': '{value}' is geen geldig paginanummer (een geheel getal van 1 "
            f"tot en met {MAX_PAGE}) / not a valid page number (an integer from 1)")
    return int(text)


def _page_size(name: str, deco: dict[str, Any]) -> int | None:
    """The ``#+ pagination`` decorator: None when absent, else a positive integer."""
    if "pagination" not in deco:
        return None
    value = deco["pagination"]
    if isinstance(value, str) and re.fullmatch(r"\s*[0-9]+\s*", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise NamedQueryError(
            f"{name}: 'pagination' moet een positief geheel getal zijn (rijen per pagina), niet "
            f"{value!r} / pagination must be a positive integer")
    return value


def solution_modifiers(text: str) -> list[str]:
    """The keywords after the query's WHERE group (``GROUP``, ``BY``, ``ORDER``, ``LIMIT`` …,
    a trailing ``VALUES``), upper case. Words inside parentheses, subqueries and braces inside
    the projection (``(EXISTS { … } AS ?x)``) are not among them."""
    depth = parens = 0
    closed = False  # the WHERE group (the first top-level group) is behind us
    tail: list[str] = []
    for token in tokenize(text):
        if token.kind == "other" and token.text in "()":
            parens += 1 if token.text == "(" else -1
        elif token.kind == "other" and token.text == "{" and parens == 0:
            depth += 1
        elif token.kind == "other" and token.text == "}" and parens == 0:
            depth -= 1
            closed = closed or depth == 0
        elif closed and depth == 0 and parens == 0 and token.kind == "word":
            tail.append(token.text.upper())
    return tail


def _check_paginated(name: str, text: str, form: str) -> None:
    """A paginated query must be a SELECT ending with ORDER BY, without LIMIT / OFFSET."""
    if form != "SELECT":
        raise NamedQueryError(f"{name}: paginering kan alleen bij een SELECT-query / "
                              "pagination needs a SELECT query")
    tail = solution_modifiers(text)
    own = sorted({"LIMIT", "OFFSET", "VALUES"} & set(tail))
    if own:
        raise NamedQueryError(
            f"{name}: een query met paginering mag zelf geen {'/'.join(own)} na de "
            f"WHERE-groep hebben; de service voegt LIMIT en OFFSET toe / a paginated query has "
            "no LIMIT, OFFSET or VALUES of its own after WHERE")
    marks = [line.strip() for line in text.splitlines() if PAGE_MARK in line]
    if marks and (len(marks) > 1 or marks[0] != PAGE_MARK):
        raise NamedQueryError(
            f"{name}: '{PAGE_MARK}' mag één keer voorkomen, op een eigen regel / "
            f"'{PAGE_MARK}' may occur once, on a line of its own")
    if marks and not _marked_subquery_sorted(text):
        raise NamedQueryError(
            f"{name}: '{PAGE_MARK}' hoort in een subquery, direct na diens ORDER BY / "
            f"'{PAGE_MARK}' belongs in a subquery, right after its ORDER BY")
    if not any(a == "ORDER" and b == "BY" for a, b in zip(tail, tail[1:], strict=False)):
        raise NamedQueryError(
            f"{name}: een query met paginering moet eindigen op ORDER BY (een vaste volgorde, "
            "anders verschuiven rijen tussen pagina's) / a paginated query must end with a "
            "top-level ORDER BY")


def _marked_subquery_sorted(text: str) -> bool:
    """Whether :data:`PAGE_MARK` sits inside a group (depth > 0) and the last keywords before
    it are an ``ORDER BY`` that follows that subquery's WHERE group."""
    at = text.index(PAGE_MARK)
    depth, words, closed = 0, [], False
    for token in tokenize(text[:at]):
        if token.text == "{":
            depth += 1
            words, closed = [], False
        elif token.text == "}":
            depth -= 1
            words, closed = [], True
        elif token.kind == "word":
            words.append(token.text.upper())
    return depth > 0 and closed and words[:2] == ["ORDER", "BY"]


def _decorators(text: str) -> dict[str, Any]:
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#+"):
            lines.append(stripped[2:].removeprefix(" "))
        elif stripped and not stripped.startswith("#"):
            break
    if not lines:
        return {}
    data = yaml.safe_load("\n".join(lines))
    if not isinstance(data, dict):
        raise NamedQueryError("de #+ kop is geen YAML-mapping / the #+ header is not a mapping")
    return data


def _list_of_maps(value: Any) -> dict[str, Any]:
    """grlc writes defaults/enumerate as a list of one-key maps; accept a plain map too."""
    if isinstance(value, dict):
        return dict(value)
    out: dict[str, Any] = {}
    for item in value or []:
        if isinstance(item, dict):
            out.update(item)
    return out


def parse_named_query(path: Path) -> NamedQuery:
    """Read one ``.rq`` file; raises :class:`NamedQueryError` for a broken header or query."""
    text = path.read_text(encoding="utf-8")
    try:
        deco = _decorators(text)
    except yaml.YAMLError as exc:
        raise NamedQueryError(f"{path.name}: ongeldige #+ kop / invalid header: {exc}") from exc
    form = query_form(text)
    if form not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
        raise NamedQueryError(f"{path.name}: geen SPARQL-query / not a SPARQL query")
    params: list[Parameter] = []
    seen: set[str] = set()
    for token in tokenize(text):
        if token.kind != "var":
            continue
        param = parse_variable(token.text[1:])
        if param is None or param.name in seen:
            continue
        if param.name in RESERVED:
            raise NamedQueryError(
                f"{path.name}: de parameternaam '{param.name}' ({token.text}) is gereserveerd "
                f"voor de API; kies een andere naam / parameter name '{param.name}' is reserved")
        seen.add(param.name)
        params.append(param)
    page_size = _page_size(path.name, deco)
    if page_size is not None:
        _check_paginated(path.name, text, form)
    elif PAGE_MARK in text:
        raise NamedQueryError(f"{path.name}: '{PAGE_MARK}' zonder '#+ pagination' / "
                              f"'{PAGE_MARK}' without '#+ pagination'")
    defaults = _list_of_maps(deco.get("defaults"))
    enums = _list_of_maps(deco.get("enumerate"))
    for param in params:
        if param.name in defaults and defaults[param.name] is not None:
            param.default = str(defaults[param.name])
            param.required = False
        if param.name in enums and enums[param.name]:
            param.enum = [str(v) for v in enums[param.name]]
    tags = deco.get("tags") or []
    if isinstance(tags, str):
        tags = [tags]
    return NamedQuery(
        name=path.stem, path=path, text=text,
        summary=str(deco.get("summary") or "").strip(),
        description=str(deco.get("description") or "").strip(),
        tags=[str(t) for t in tags], method=str(deco.get("method") or "GET").upper(),
        parameters=params, decorators=deco, form=form, page_size=page_size,
    )


def load_named_queries(folder: Path) -> dict[str, NamedQuery]:
    """All ``*.rq`` files of ``folder`` by name (the file stem), sorted by name."""
    if not folder.is_dir():
        return {}
    return {path.stem: parse_named_query(path) for path in sorted(folder.glob("*.rq"))}
