"""SHACL-SPARQL query text: the checks of 5.2.1, pre-binding, bulk safety, messages.

Works on query strings only (no store): :func:`check_query` refuses what SHACL-SPARQL forbids,
:func:`prebind` writes pre-bound variables into a query, :func:`bulk_safe` says when joining
the targets equals pre-binding ``$this``, and :func:`fill` fills message templates.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from .model import ShaclError, sparql_term

_FORBIDDEN = re.compile(r"\b(MINUS|VALUES|SERVICE)\b", re.IGNORECASE)


def check_query(text: str) -> None:
    """SHACL-SPARQL 5.2.1: no MINUS, VALUES, SERVICE; pre-bound variables never assigned."""
    body = strip_literals(text)
    if _FORBIDDEN.search(body):
        raise ShaclError("SPARQL-query gebruikt MINUS, VALUES of SERVICE (niet toegestaan)")
    if re.search(r"AS\s+[?$](this|shapesGraph|currentShape)\b", body, re.IGNORECASE):
        raise ShaclError("SPARQL-query kent een waarde toe aan een vooraf gebonden variabele")
    subselects = [m.start() for m in re.finditer(r"\bSELECT\b", body, re.IGNORECASE)][1:]
    for start in subselects:
        projection = body[start:body.find("{", start)]
        if "$this" not in projection and "?this" not in projection:
            raise ShaclError("subquery projecteert $this niet")



_LITERALS = re.compile(r'"""(.|\n)*?"""|"[^"\n]*"' + r"|'[^'\n]*'")


def strip_literals(text: str) -> str:
    """The query without comments and with every string literal emptied."""
    return _LITERALS.sub('""', re.sub(r"#[^\n]*", "", text))


def bulk_safe(query: str) -> bool:
    """Joining the targets into the outer group equals pre-binding $this (SHACL-SPARQL 5.2.1)
    when every nested group is an EXISTS / NOT EXISTS / OPTIONAL block, and the focus node
    of each solution is known when the query projects ``$this`` (or ``*``)."""
    body = strip_literals(query)
    if "$currentShape" in body or "$shapesGraph" in body:
        return False
    projection = body[:body.find("{")]
    if not re.search(r"[?$]this\b|\*", projection):
        return False
    opens = [m.start() for m in re.finditer(r"\{", body)]
    return all(re.search(r"(EXISTS|OPTIONAL)\s*$", body[:pos], re.IGNORECASE)
               for pos in opens[1:])


_MODIFIER = re.compile(r"(?is)\b(GROUP|ORDER)\s+BY\b.*?"
                       r"(?=\bHAVING\b|\bORDER\b|\bLIMIT\b|\bOFFSET\b|\bVALUES\b|[{}]|$)")
_PROLOGUE = re.compile(r"^\s*((PREFIX\s+[^:\s]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*", re.IGNORECASE)


def prebind(query: str, bindings: dict[str, ox.Term]) -> tuple[str, dict[str, ox.Term]]:
    """Pre-bind variables (SHACL-SPARQL 5.2.1) by writing IRIs and literals into the query.

    Blank nodes cannot be written into a query; they are returned to be passed as
    substitutions (SEP-0007), which pyoxigraph applies to projected (SELECT) or in-scope
    (ASK) variables only: a variable the query does not mention is left out, since binding
    it changes nothing and pyoxigraph refuses it.
    """
    rest: dict[str, ox.Term] = {}
    m = _PROLOGUE.match(query)
    head, body = query[: m.end()], query[m.end():]
    kw = re.match(r"\s*(SELECT|ASK|CONSTRUCT)\b", body, re.IGNORECASE)
    brace = body.find("{")
    projection, where = (body[:brace], body[brace:]) if kw and brace > 0 else ("", body)
    for name, term in bindings.items():
        var = re.compile(r"[?$]" + re.escape(name) + r"(?![A-Za-z0-9_])")
        if isinstance(term, ox.BlankNode):
            if not var.search(projection) and not var.search(where):
                continue
            rest[name] = term
            if kw and kw.group(1).upper() == "SELECT" and not var.search(projection) \
                    and "*" not in projection:
                end = re.search(r"(?i)\s*(\bWHERE\s*)?$", projection).start()  # type: ignore[union-attr]
                projection = f"{projection[:end]} ?{name}{projection[end:]}"
            continue
        text = sparql_term(term)

        def project(seg: str, t: str = text, n: str = name, v: re.Pattern = var) -> str:
            return v.sub(lambda _m: f"({t} AS \x00{n})", seg)

        where = re.sub(r"(?i)\bbound\s*\(\s*[?$]" + re.escape(name) + r"\s*\)", "(true)", where)
        where = re.sub(r"(?is)\bSELECT\b[^{]*?(?=\bWHERE\b|\{)",
                       lambda mm: project(mm.group(0)), where)
        # GROUP BY / ORDER BY take variables or bracketed expressions, not bare terms
        where = _MODIFIER.sub(
            lambda mm, t=text, v=var: v.sub(lambda _m: f"({t})", mm.group(0)), where)
        where = var.sub(lambda _m, t=text: t, where)
        projection = var.sub("", projection)
        if re.fullmatch(r"(?is)\s*SELECT(\s+(DISTINCT|REDUCED))?\s*(WHERE\s*)?", projection):
            projection = re.sub(r"(?i)(\s*WHERE\s*)?$", " * ", projection, count=1)
        where = where.replace("\x00", "?")
    return head + projection + where, rest


def fill(message: ox.Literal, bindings: dict[str, ox.Term]) -> ox.Literal:
    """``{?var}`` / ``{$var}`` in a message replaced by the bound values."""
    def rep(m: re.Match[str]) -> str:
        t = bindings.get(m.group(1))
        return t.value if t is not None else m.group(0)
    text = re.sub(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}", rep, message.value)
    if message.language:
        return ox.Literal(text, language=message.language)
    return ox.Literal(text)

