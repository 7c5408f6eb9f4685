"""The planner's own spreadsheet with the findings on it: each offending cell filled (red for a
violation, yellow for a warning) and given a comment with the message(s).

XLSX in → the same workbook (first sheet annotated) out; CSV in → a new XLSX of the same cells.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from .convert import normalise_header
from .engine import Finding
from .inputs import InputError, check_xlsx_zip, read_csv_rows
from .limits import UploadLimits

#: the column a finding's path concerns, by the path's local name
PATH_COLUMNS = {
    "owner": "verantwoordelijke", "deadline": "deadline", "startDate": "start",
    "financing": "financiering", "costs": "kosten", "costShare": "kostenverdeling",
    "party": "kostenverdeling", "percentage": "kostenverdeling", "theme": "thema",
    "status": "status", "description": "omschrijving", "identifier": "actie",
    "network": "netwerk", "hasAction": "actie",
}
FILLS = {"Violation": "FFC7CE", "Warning": "FFEB9C", "Info": "DDEBF7"}
SEVERITY_NL = {"Violation": "overtreding", "Warning": "waarschuwing", "Info": "info"}
SEVERITY_EN = {"Violation": "violation", "Warning": "warning", "Info": "info"}


def column_of(path: str | None) -> str | None:
    """The template column (``verantwoordelijke``, ``deadline``…) a result path concerns."""
    if not path:
        return None
    local = path.rstrip("/").replace("#", "/").rsplit("/", 1)[-1]
    return PATH_COLUMNS.get(local)


def cell_of(finding: Finding, headers: dict[str, int]) -> tuple[int, int]:
    """(row, column), 1-based, of the cell a finding marks: its row and column, the action
    cell when the column is unknown, the header cell for findings about the whole plan."""
    column = column_of(finding.path)
    col = headers.get(column or "", headers.get("actie", 1))
    return (finding.row or 1, col)


def _headers(values: Iterable[Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, value in enumerate(values, start=1):
        name = normalise_header(value)
        if name and name not in out:
            out[name] = i
    return out


def annotate(data: bytes, kind: str, findings: list[Finding], lang: str = "nl",
             limits: UploadLimits | None = None) -> bytes:
    """The annotated workbook (XLSX bytes) for a CSV or XLSX plan and its findings, read
    within ``limits`` (the upload limits; defaults when not given)."""
    from openpyxl import Workbook, load_workbook

    limits = limits or UploadLimits()
    if kind == "xlsx":
        check_xlsx_zip(data, limits).close()
        try:
            wb = load_workbook(io.BytesIO(data))
        except Exception as exc:  # openpyxl raises many kinds of errors on broken files
            raise InputError(f"XLSX kan niet gelezen worden: {exc}", 400,
                             f"cannot read the XLSX: {exc}") from None
        ws = wb.worksheets[0]
        first = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
    elif kind == "csv":
        table = read_csv_rows(data, limits)
        wb = Workbook()
        ws = wb.active
        ws.title = "Acties"
        for row in table:
            ws.append(row)
        first = table[0] if table else []
    else:
        raise InputError("alleen een CSV- of XLSX-plan kan gemarkeerd worden", 415,
                         "only a CSV or XLSX plan can be annotated")
    mark_cells(ws, _headers(first), findings, lang)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def mark_cells(ws: Any, headers: dict[str, int], findings: list[Finding], lang: str) -> None:
    """Fill and comment the cells of ``findings`` on worksheet ``ws``."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    names = SEVERITY_EN if lang == "en" else SEVERITY_NL
    cells: dict[tuple[int, int], list[Finding]] = {}
    for f in findings:
        cells.setdefault(cell_of(f, headers), []).append(f)
    for (row, col), found in cells.items():
        found.sort(key=lambda f: f.severity != "Violation")
        cell = ws.cell(row, col)
        colour = FILLS.get(found[0].severity, FILLS["Info"])
        cell.fill = PatternFill(start_color=colour, end_color=colour, fill_type="solid")
        text = "\n".join(f"{names.get(f.severity, f.severity)}: {f.message(lang)}"
                         for f in found)
        comment = Comment(text, "vitaalkg")
        comment.width, comment.height = 320, 40 + 40 * len(found)
        cell.comment = comment
