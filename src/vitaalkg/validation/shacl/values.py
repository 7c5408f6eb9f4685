"""Value semantics: well-formed literals of XSD datatypes and SPARQL ``<`` / ``<=``."""

from __future__ import annotations

import re

import pyoxigraph as ox

from .model import TRUE, XSD

_XSD_PATTERNS = {
    "integer": r"[+-]?\d+", "decimal": r"[+-]?(\d+(\.\d*)?|\.\d+)",
    "boolean": r"true|false|1|0",
    "date": r"-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?",
    "dateTime": r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?",
    "double": r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF)|-INF|NaN",
}
_XSD_PATTERNS["float"] = _XSD_PATTERNS["double"]
_INT_RANGES = {"int": (-2**31, 2**31 - 1), "long": (-2**63, 2**63 - 1),
               "short": (-2**15, 2**15 - 1),
               "byte": (-128, 127), "nonNegativeInteger": (0, None), "positiveInteger": (1, None),
               "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1),
               "unsignedInt": (0, 2**32 - 1), "unsignedLong": (0, 2**64 - 1),
               "unsignedShort": (0, 65535), "unsignedByte": (0, 255)}
#: datatypes whose well-formedness a SPARQL cast checks in oxigraph
CASTABLE = {XSD + t for t in ("integer", "decimal", "boolean", "date", "dateTime", "double",
                              "float", "time", "duration", "string")}


def well_formed(lit: ox.Literal) -> bool:
    """Whether the lexical form is valid for the literal's XSD datatype."""
    dt = lit.datatype.value
    if not dt.startswith(XSD):
        return True
    local = dt[len(XSD):]
    text = lit.value
    if local in _INT_RANGES:
        if not re.fullmatch(_XSD_PATTERNS["integer"], text):
            return False
        lo, hi = _INT_RANGES[local]
        n = int(text)
        return (lo is None or n >= lo) and (hi is None or n <= hi)
    pat = _XSD_PATTERNS.get(local)
    if pat is None:
        return True
    if not re.fullmatch(pat, text):
        return False
    if local in ("date", "dateTime"):
        import datetime as dt_mod

        try:
            dt_mod.date.fromisoformat(text.lstrip("-")[:10])
        except ValueError:
            return False
    return True


class Comparator:
    """SPARQL operator semantics (``<``, ``<=``) for terms, via a query on an empty store."""

    def __init__(self) -> None:
        self.store = ox.Store()
        self.cache: dict[tuple[ox.Term, ox.Term], tuple[bool, bool]] = {}

    def compare(self, a: ox.Term, b: ox.Term) -> tuple[bool, bool]:
        """(a < b, a <= b); False where SPARQL raises an error."""
        key = (a, b)
        if key not in self.cache:
            if isinstance(a, ox.BlankNode) or isinstance(b, ox.BlankNode):
                self.cache[key] = (False, False)
            else:
                row = next(iter(self.store.query(
                    "SELECT ?a ?b (?a < ?b AS ?lt) (?a <= ?b AS ?le) {}",
                    substitutions={ox.Variable("a"): a, ox.Variable("b"): b})))
                self.cache[key] = (row["lt"] == TRUE, row["le"] == TRUE)
        return self.cache[key]
