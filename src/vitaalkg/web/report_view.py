"""A validation report as the planner reads it: per row and action, violations first, the
value as typed in the spreadsheet, the column, and what would fix it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..validation.annotate import column_of
from ..validation.convert import _text, normalise_header
from ..validation.engine import Finding, Report
from ..validation.template import STATUSES

FIX_NL = {
    "thema": "Kies een themanummer van 1 tot en met 8: {themes}.",
    "status": "Kies een van: " + ", ".join(STATUSES) + ".",
    "start": "Vul een datum in als JJJJ-MM-DD.",
    "deadline": "Vul een datum in als JJJJ-MM-DD, niet vóór de start.",
    "financiering": "Vul in hoe het betaald wordt, bijvoorbeeld reguliere capaciteit, BDUR of "
                    "kostenverdeling.",
    "kostenverdeling": "Noem partijen met percentages die samen 100 zijn, bijvoorbeeld "
                       "'vitens 50; VR06 50'.",
    "netwerk": "Vul op elke rij dezelfde netwerksleutel in (zie de pagina Netwerken).",
    "actie": "Geef elke actie een eigen code, bijvoorbeeld A1.",
    "omschrijving": "Beschrijf wat er gedaan wordt.",
    "kosten": "Vul een bedrag in euro in, bijvoorbeeld 12000.",
}
FIX_EN = {
    "thema": "Choose a theme number from 1 to 8: {themes}.",
    "status": "Choose one of: " + ", ".join(STATUSES) + ".",
    "start": "Enter a date as YYYY-MM-DD.",
    "deadline": "Enter a date as YYYY-MM-DD, not before the start.",
    "financiering": "Say how it is paid, e.g. reguliere capaciteit, BDUR or kostenverdeling.",
    "kostenverdeling": "Name parties with percentages adding up to 100, e.g. 'vitens 50; VR06 50'.",
    "netwerk": "Enter the same network key on every row (see the Networks page).",
    "actie": "Give every action its own code, e.g. A1.",
    "omschrijving": "Describe what is to be done.",
    "kosten": "Enter an amount in euro, e.g. 12000.",
}


@dataclass
class Item:
    severity: str
    column: str | None
    value: str
    message: str
    fix: str
    members: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Group:
    row: int | None
    actie: str | None
    items: list[Item] = field(default_factory=list)


def typed_values(table: list[list[Any]] | None) -> tuple[dict[str, int], list[list[Any]]]:
    """(column name → index, rows) of the spreadsheet as read, header first."""
    if not table:
        return {}, []
    headers: dict[str, int] = {}
    for i, h in enumerate(table[0]):
        name = normalise_header(h)
        if name and name not in headers:
            headers[name] = i
    return headers, table


def network_of(table: list[list[Any]] | None) -> str | None:
    headers, rows = typed_values(table)
    col = headers.get("netwerk")
    if col is None:
        return None
    for row in rows[1:]:
        if col < len(row) and _text(row[col]) and not _text(row[0]).startswith("#"):
            return _text(row[col])
    return None


def _typed(table: list[list[Any]] | None, finding: Finding, column: str | None) -> str:
    headers, rows = typed_values(table)
    if finding.row is None or column is None or column not in headers:
        value = finding.value or ""  # no spreadsheet (Turtle, JSON-LD): an IRI's last segment
        return value.rsplit("/", 1)[-1] if value.startswith("http") else value
    index = finding.row - 1
    if index >= len(rows) or headers[column] >= len(rows[index]):
        return ""
    return _text(rows[index][headers[column]])


def build(report: Report, table: list[list[Any]] | None, members: list[tuple[str, str]],
          themes: list[tuple[str, str]], lang: str = "nl") -> list[Group]:
    """The groups of the report page, in row order; the plan's own findings first."""
    fixes = FIX_EN if lang == "en" else FIX_NL
    theme_text = ", ".join(f"{n} {t}".strip() for n, t in themes)
    groups: dict[tuple[int, str], Group] = {}
    for f in report.findings:
        key = (f.row or 0, f.actie or "")
        group = groups.setdefault(key, Group(f.row, f.actie))
        column = column_of(f.path)
        if column == "verantwoordelijke":
            fix = ("Choose a member of the plan's network:" if lang == "en"
                   else "Kies een lid van het netwerk van dit plan:") if members else \
                ("Enter a region code (VR06) or an organisation key." if lang == "en"
                 else "Vul een regiocode (VR06) of organisatiesleutel in.")
        else:
            fix = fixes.get(column or "", "").format(themes=theme_text)
        group.items.append(Item(f.severity, column, _typed(table, f, column), f.message(lang),
                                fix, members if column == "verantwoordelijke" else []))
    order = {"Violation": 0, "Warning": 1}
    for group in groups.values():
        group.items.sort(key=lambda i: order.get(i.severity, 2))
    return [groups[k] for k in sorted(groups)]
