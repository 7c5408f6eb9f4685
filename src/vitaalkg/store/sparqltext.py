"""Lexical analysis of SPARQL text: query form, update and ``SERVICE`` detection.

A tokenizer (not a regex over the raw text) so that comments, string literals, IRIs, variables
and prefixed names can never be mistaken for keywords: ``# SERVICE`` in a comment, ``"SERVICE"``
in a string, ``?service`` or ``ex:SERVICE`` are not the keyword; ``sErViCe`` across line breaks
and after comments is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS = _PN_CHARS_BASE + r"_\-0-9\u00b7\u0300-\u036f\u203f-\u2040"

_TOKEN = re.compile(
    rf"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              | '''(?:[^'\\]|\\.|'(?!''))*'''
              | "(?:[^"\\\n\r]|\\.)*"
              | '(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][{_PN_CHARS}]+)
  | (?P<pname>(?:[{_PN_CHARS_BASE}][{_PN_CHARS}.]*)?:(?:[{_PN_CHARS}:.%]|\\.)*)
  | (?P<bnode>_:[{_PN_CHARS}.]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int


def tokenize(text: str) -> Iterator[Token]:
    """The significant tokens of ``text`` (whitespace and comments dropped)."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        yield Token(kind, match.group(), match.start())


def query_form(text: str) -> str | None:
    """``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``, ``UPDATE`` or None (unrecognisable).

    The first keyword after the prologue (``BASE`` / ``PREFIX`` declarations) decides.
    """
    for token in tokenize(text):
        if token.kind != "word":
            continue
        word = token.text.upper()
        if word in ("BASE", "PREFIX"):
            continue
        if word in QUERY_FORMS:
            return word
        if word in UPDATE_KEYWORDS:
            return "UPDATE"
        return None
    return None


def uses_keyword(text: str, keyword: str) -> bool:
    """Whether ``keyword`` occurs as a keyword (not in a comment, string, IRI or name)."""
    keyword = keyword.upper()
    return any(t.kind == "word" and t.text.upper() == keyword for t in tokenize(text))


def uses_service(text: str) -> bool:
    """Whether the query contains a federated ``SERVICE`` clause."""
    return uses_keyword(text, "SERVICE")


def variables(text: str) -> list[str]:
    """The names of the variables the text mentions, in order of first appearance."""
    seen: dict[str, None] = {}
    for token in tokenize(text):
        if token.kind == "var":
            seen.setdefault(token.text[1:], None)
    return list(seen)


def capped_select(query: str, rows: int) -> str:
    """A SELECT without a LIMIT (or final VALUES) of its own gets ``LIMIT rows``: the same
    answer up to ``rows`` solutions, so a remote server need not produce a huge result just
    for it to be refused as too large. Not with ORDER BY (sorting needs every row anyway, and
    Virtuoso caps the rows of a sorted LIMIT)."""
    if query_form(query) != "SELECT":
        return query
    depth, closed_groups = 0, 0
    for token in tokenize(query):
        if token.text == "{":
            depth += 1
        elif token.text == "}":
            depth -= 1
            closed_groups += depth == 0
        elif depth == 0 and closed_groups and token.kind == "word" \
                and token.text.upper() in ("LIMIT", "VALUES", "ORDER"):
            return query
    return f"{query}\nLIMIT {rows}"


def split_dataset_clauses(sparql: str, base: str = ""
                          ) -> tuple[str, list[str], list[str]] | None:
    """The query without its ``FROM`` / ``FROM NAMED`` clauses, and the graphs they name
    (prefixed names and relative IRIs resolved, against ``base`` unless the query sets its own
    ``BASE``); None when it has none.

    A protocol dataset must override the clauses (SPARQL 1.1 Protocol 2.1.4), but Virtuoso adds
    them to it instead, so a remote store never lets a server see them.
    """
    tokens = list(tokenize(sparql))
    if not any(t.kind == "word" and t.text.upper() == "FROM" for t in tokens):
        return None
    prefixes: dict[str, str] = {}
    default: list[str] = []
    named: list[str] = []
    cut: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        upper = tok.text.upper() if tok.kind == "word" else ""
        if upper == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2].kind == "iri":
            prefixes[tokens[i + 1].text.rstrip(":")] = tokens[i + 2].text[1:-1]
        elif upper == "BASE" and i + 1 < len(tokens) and tokens[i + 1].kind == "iri":
            base = urljoin(base, tokens[i + 1].text[1:-1]) if base else tokens[i + 1].text[1:-1]
        elif upper == "FROM":
            j = i + 1
            is_named = j < len(tokens) and tokens[j].kind == "word" \
                and tokens[j].text.upper() == "NAMED"
            j += is_named
            if j >= len(tokens) or tokens[j].kind not in ("iri", "pname"):
                raise SyntaxError("FROM zonder graaf-IRI / FROM without a graph IRI")
            target = tokens[j]
            if target.kind == "iri":
                iri = target.text[1:-1]
                if base and not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri):
                    iri = urljoin(base, iri)
            else:
                prefix, _, local = target.text.partition(":")
                if prefix not in prefixes:
                    raise SyntaxError(f"onbekend prefix / unknown prefix: {prefix}:")
                iri = prefixes[prefix] + local
            (named if is_named else default).append(iri)
            cut.append((tok.start, target.start + len(target.text)))
            i = j
        i += 1
    text = sparql
    for start, end in reversed(cut):
        text = text[:start] + " " + text[end:]
    return text, default, named


BRACKETS = {"{": 1, "(": 1, "[": 1, "}": -1, ")": -1, "]": -1}


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``{`` ``(`` ``[`` in ``text`` (those in strings, IRIs and comments
    do not count). Cheap when the text holds few brackets at all."""
    if sum(text.count(c) for c in "{([") <= 16:
        return sum(text.count(c) for c in "{([")
    depth = deepest = 0
    for token in tokenize(text):
        step = BRACKETS.get(token.text) if token.kind == "other" else None
        if step:
            depth = max(0, depth + step)
            deepest = max(deepest, depth)
    return deepest
