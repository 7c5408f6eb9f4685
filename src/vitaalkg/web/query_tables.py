"""A named query's SPARQL JSON result as a table for people: labelled links instead of IRIs, and
as downloads for spreadsheets (CSV for Dutch Excel, XLSX)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .describe import SAFE_LINK_SCHEMES
from .i18n import _, current_language, number
from .resource_view import compact, fetch_labels, humanise, local_path, pick

XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGERS = {XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger",
                              "positiveInteger", "gYear")}
DECIMALS = {XSD + t for t in ("decimal", "double", "float")}
BOOLEAN = XSD + "boolean"
COLUMN_LABELS = {"id": "Id", "iri": "IRI"}


@dataclass
class Cell:
    """One value as shown: text, optional link, whether it is a number (right-aligned)."""

    text: str = ""
    href: str | None = None
    number: bool = False
    external: bool = False
    lang: str | None = None  # the text's language where it is not the page's


@dataclass
class Column:
    name: str  # the variable
    label: str  # the header shown
    label_var: str | None = None  # a companion ``{name}Label`` variable shown as the link text


def heading(var: str) -> str:
    """``themaNummer`` -> ``Thema nummer``."""
    if var in COLUMN_LABELS:
        return COLUMN_LABELS[var]
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", var).lower()
    return words[:1].upper() + words[1:]


def visible_vars(variables: list[str]) -> list[str]:
    """The result variables without the parameters (``?_x`` / ``?__x``)."""
    return [v for v in variables if not v.startswith("_")]


def columns(variables: list[str]) -> list[Column]:
    """Columns for the HTML table: ``x`` and ``xLabel`` become one column (label as link)."""
    shown = visible_vars(variables)
    names = set(shown)
    out: list[Column] = []
    for var in shown:
        if var.endswith("Label") and var[:-5] in names:
            continue
        companion = var + "Label" if var + "Label" in names else None
        out.append(Column(var, heading(var), companion))
    return out


def dutch_number(value: str, datatype: str | None) -> str:
    """A decimal written with a decimal comma (integers unchanged)."""
    if datatype in DECIMALS:
        return value.replace(".", ",")
    return value


def _literal_cell(term: dict[str, Any]) -> Cell:
    datatype = term.get("datatype")
    value = term.get("value", "")
    if datatype == BOOLEAN:
        return Cell(_("ja") if value in ("true", "1") else _("nee"))
    if datatype in INTEGERS or datatype in DECIMALS:
        return Cell(number(value, grouping=False), number=True)
    return Cell(value, lang=_other_language(term.get("xml:lang")))


def _other_language(lang: str | None) -> str | None:
    """``lang`` when it is not the page's language (for a ``lang`` attribute), else None."""
    return lang if lang and lang != current_language() else None


def table_rows(store: Any, base: str, cols: list[Column], bindings: list[dict[str, Any]]
               ) -> list[list[Cell]]:
    """The rows of the HTML table; IRIs without a label in the result are looked up."""
    wanted = {b[c.name]["value"] for b in bindings for c in cols
              if c.name in b and b[c.name].get("type") == "uri"
              and not (c.label_var and c.label_var in b)}
    labels = fetch_labels(store, wanted) if wanted else {}
    rows: list[list[Cell]] = []
    for b in bindings:
        row: list[Cell] = []
        for c in cols:
            term = b.get(c.name)
            if term is None:
                row.append(Cell())
            elif term.get("type") == "uri":
                iri = term["value"]
                given = (b.get(c.label_var) or {}) if c.label_var else {}
                text, lang = given.get("value"), _other_language(given.get("xml:lang"))
                if not text:
                    found = labels.get(iri) or {}
                    text = pick(found, current_language())
                    lang = _other_language(next((k for k, v in found.items() if v == text),
                                                None))
                href = local_path(iri, base)
                # a thing of this site without a label (an action): its key, never the IRI
                text = text or (humanise(iri) if href else compact(iri))
                external = False
                parts = urlsplit(iri)
                if href is None and parts.scheme in SAFE_LINK_SCHEMES:
                    href, external = iri, True
                    if text == compact(iri):  # no label: the site, not the whole address
                        text = parts.netloc + (" ↗" if len(iri) > 40 else parts.path)
                row.append(Cell(text, href, external=external, lang=lang))
            elif term.get("type") == "bnode":
                row.append(Cell("–"))
            else:
                row.append(_literal_cell(term))
        rows.append(row)
    return rows


def _plain(term: dict[str, Any] | None) -> str:
    if term is None:
        return ""
    if term.get("type") == "literal" or "datatype" in term:
        datatype = term.get("datatype")
        if datatype == BOOLEAN:
            return "ja" if term["value"] in ("true", "1") else "nee"
        return dutch_number(term["value"], datatype)
    return term.get("value", "")


def csv_nl(variables: list[str], bindings: list[dict[str, Any]]) -> bytes:
    """CSV for Dutch spreadsheets (as ``/monitoring/*.csv``): UTF-8 BOM, ``;``, decimal comma,
    CRLF; one column per result variable (parameters left out), IRIs in full."""
    shown = visible_vars(variables)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(shown)
    for b in bindings:
        writer.writerow([_plain(b.get(v)) for v in shown])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _xlsx_value(term: dict[str, Any] | None) -> Any:
    if term is None:
        return None
    value, datatype = term.get("value", ""), term.get("datatype")
    try:
        if datatype in INTEGERS:
            return int(value)
        if datatype in DECIMALS:
            return float(value)
        if datatype == BOOLEAN:
            return value in ("true", "1")
        if datatype == XSD + "date":
            return dt.date.fromisoformat(value[:10])
    except ValueError:
        return value
    return value


def xlsx(title: str, variables: list[str], bindings: list[dict[str, Any]]) -> bytes:
    """The result as an Excel workbook: typed cells (numbers, dates, yes/no), bold header."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    shown = visible_vars(variables)
    book = Workbook()
    sheet = book.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", "", title)[:31] or "resultaat"
    sheet.append(shown)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for b in bindings:
        sheet.append([_xlsx_value(b.get(v)) for v in shown])
    for index, cell in enumerate(sheet[1], start=1):
        if cell.column_letter:
            sheet.column_dimensions[cell.column_letter].width = max(10, min(60, len(shown[
                index - 1]) + 4))
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
