"""Empty plan templates (CSV, XLSX) with the headers of the contract and a short instruction.

The XLSX template also guides the planner with data validation: a list of the eight themes, the
four statuses and the organisations that may own an action (the members of one network, or all
organisations), and dates in ``start`` and ``deadline``. The lists live on a hidden sheet
``Lijsten`` and are referenced by range (Excel limits a literal list to 255 characters).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from .convert import COLUMN_HELP, COLUMNS, REQUIRED_COLUMNS

INSTRUCTION = [
    "Actieplan: één rij per actie; de kopregel (rij 1) niet wijzigen.",
    "Verplicht: " + ", ".join(REQUIRED_COLUMNS) + "; bij status open of in uitvoering ook "
    "verantwoordelijke, deadline en financiering.",
    "Controleer met: vitaalkg validate <bestand>, of in de browser op /plannen/controleren",
]
STATUSES = ("open", "in uitvoering", "afgerond", "vervallen")
#: data rows that get the validations (a template is rarely longer)
VALIDATED_ROWS = 1000
ORG = "http://www.w3.org/ns/org#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"


@dataclass
class Choices:
    """What the lists offer: themes ``(number, name)``, owners ``(code, name)``, a network."""

    themes: list[tuple[str, str]] = field(
        default_factory=lambda: [(str(n), "") for n in range(1, 9)])
    owners: list[tuple[str, str]] = field(default_factory=list)
    network: str | None = None
    network_label: str | None = None


def organisation_code(iri: str, notation: str | None = None) -> str:
    """What a planner types for an organisation: the region code (``VR06``) or its key."""
    if notation and re.match(r"^VR\d{2}$", notation):
        return notation
    return iri.rstrip("/").rsplit("/", 1)[-1]


def owners(store: Any, graphs: list[str], network_iri: str | None = None
           ) -> list[tuple[str, str]]:
    """``(code, Dutch name)`` of the members of a network, or of every organisation."""
    if network_iri:
        where = f"<{network_iri}> <{ORG}hasMember> ?o ."
    else:
        where = (f"?o a <{ORG}Organization> . FILTER NOT EXISTS {{ ?o a ?net . "
                 f"FILTER(STRENDS(STR(?net), 'Network')) }}")
    rows = store.select(f"""
        SELECT ?o (SAMPLE(?l) AS ?label) (SAMPLE(?n) AS ?notation) WHERE {{ {where}
          OPTIONAL {{ ?o <{SKOS}prefLabel> ?l FILTER(LANG(?l) = "nl") }}
          OPTIONAL {{ ?o <{SKOS}notation> ?n }} }} GROUP BY ?o""", default_graph=graphs)
    out = {organisation_code(r["o"], r.get("notation")): str(r.get("label") or r["o"])
           for r in rows}
    return sorted(out.items(), key=lambda kv: (not kv[0].startswith("VR"), kv[0].lower()))


def themes(store: Any, graphs: list[str], base: str) -> list[tuple[str, str]]:
    """``(number, Dutch name)`` of the eight themes."""
    rows = store.select(f"""
        SELECT ?t (SAMPLE(?l) AS ?label) WHERE {{
          VALUES ?t {{ {' '.join(f'<{base}id/thema/{n}>' for n in range(1, 9))} }}
          OPTIONAL {{ ?t <{SKOS}prefLabel> ?l FILTER(LANG(?l) = "nl") }} }} GROUP BY ?t""",
        default_graph=graphs)
    names = {r["t"].rsplit("/", 1)[-1]: str(r.get("label") or "") for r in rows}
    return [(str(n), names.get(str(n), "")) for n in range(1, 9)]


def choices(store: Any, graphs: list[str], base: str, network: str | None = None) -> Choices:
    """The lists for a template, from the knowledge (``graphs``: the public graphs)."""
    network_iri = f"{base}id/netwerk/{network}" if network else None
    label = None
    if network_iri:
        rows = store.select(f"""SELECT ?l WHERE {{ <{network_iri}> <{SKOS}prefLabel> ?l
                                FILTER(LANG(?l) = "nl") }} LIMIT 1""", default_graph=graphs)
        label = str(rows[0]["l"]) if rows else None
    return Choices(themes=themes(store, graphs, base),
                   owners=owners(store, graphs, network_iri), network=network,
                   network_label=label)


def csv_template() -> str:
    """Header, then ``#`` rows with the instruction (the converter skips ``#`` rows)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS)
    for line in INSTRUCTION:
        writer.writerow([f"# {line}"] + [""] * (len(COLUMNS) - 1))
    for col in COLUMNS:
        writer.writerow([f"# {col}: {COLUMN_HELP[col]}"] + [""] * (len(COLUMNS) - 1))
    return buf.getvalue()


def xlsx_template(options: Choices | None = None) -> bytes:
    """Sheet 1 'Acties' with the headers and data validation; sheet 2 'Toelichting' with the
    instruction and the lists; hidden sheet 'Lijsten' with the values the lists offer."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    options = options or Choices()
    wb = Workbook()
    ws = wb.active
    ws.title = "Acties"
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, col in enumerate(COLUMNS, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(14, len(col) + 4)
    ws.freeze_panes = "A2"
    _instruction(wb, options)
    _validations(wb, ws, options)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _instruction(wb: Any, options: Choices) -> None:
    from openpyxl.styles import Font

    info = wb.create_sheet("Toelichting")
    for line in INSTRUCTION:
        info.append([line])
    if options.network:
        info.append([f"Netwerk: {options.network}"
                     + (f" ({options.network_label})" if options.network_label else "")])
    info.append([])
    info.append(["kolom", "verplicht", "inhoud"])
    for col in COLUMNS:
        info.append([col, "ja" if col in REQUIRED_COLUMNS else "", COLUMN_HELP[col]])
    info.append([])
    info.append(["thema", "naam"])
    info.cell(info.max_row, 1).font = Font(bold=True)
    for number, name in options.themes:
        info.append([number, name])
    if options.owners:
        info.append([])
        info.append(["verantwoordelijke", "naam"])
        info.cell(info.max_row, 1).font = Font(bold=True)
        for code, name in options.owners:
            info.append([code, name])
    info.column_dimensions["A"].width = 22
    info.column_dimensions["C"].width = 80


def _validations(wb: Any, ws: Any, options: Choices) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    lists = wb.create_sheet("Lijsten")
    lists.sheet_state = "hidden"
    columns = {"thema": [n for n, _ in options.themes], "status": list(STATUSES),
               "verantwoordelijke": [c for c, _ in options.owners]}
    last = VALIDATED_ROWS + 1
    for i, (name, values) in enumerate(columns.items(), start=1):
        if not values:
            continue
        letter = get_column_letter(i)
        lists.cell(1, i, name)
        for row, value in enumerate(values, start=2):
            lists.cell(row, i, value)
        target = get_column_letter(COLUMNS.index(name) + 1)
        dv = DataValidation(type="list",
                            formula1=f"=Lijsten!${letter}$2:${letter}${len(values) + 1}",
                            allow_blank=True, showErrorMessage=True, showInputMessage=True)
        dv.errorTitle = f"Ongeldige {name}"
        dv.error = f"Kies een waarde uit de lijst ({COLUMN_HELP[name]})"[:255]
        dv.promptTitle = name
        dv.prompt = _prompt(name, options)[:255]
        dv.add(f"{target}2:{target}{last}")
        ws.add_data_validation(dv)
    for name in ("start", "deadline"):
        target = get_column_letter(COLUMNS.index(name) + 1)
        dv = DataValidation(type="date", operator="greaterThan", formula1="1",
                            allow_blank=True, showErrorMessage=True, showInputMessage=True)
        dv.errorTitle = f"Ongeldige {name}"
        dv.error = "Vul een datum in (JJJJ-MM-DD)"
        dv.promptTitle = name
        dv.prompt = COLUMN_HELP[name][:255]
        dv.add(f"{target}2:{target}{last}")
        ws.add_data_validation(dv)
        for row in range(2, last + 1):
            ws.cell(row, COLUMNS.index(name) + 1).number_format = "yyyy-mm-dd"


def _prompt(name: str, options: Choices) -> str:
    if name == "thema":  # Excel allows 255 characters: shorten the names when needed
        full = "; ".join(f"{n} {t}".strip() for n, t in options.themes)
        if len(full) <= 255:
            return full
        return "; ".join(f"{n} {t[:24].rstrip()}…" if len(t) > 25 else f"{n} {t}"
                         for n, t in options.themes)
    if name == "verantwoordelijke" and options.network:
        return f"Een lid van {options.network}; zie het blad Toelichting"
    return COLUMN_HELP[name]
