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
