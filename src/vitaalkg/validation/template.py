"""Empty plan templates (CSV, XLSX) with the headers of the contract and a short instruction."""

from __future__ import annotations

import csv
import io

from .convert import COLUMN_HELP, COLUMNS, REQUIRED_COLUMNS

INSTRUCTION = [
    "Actieplan: één rij per actie; de kopregel (rij 1) niet wijzigen.",
    "Verplicht: " + ", ".join(REQUIRED_COLUMNS) + "; bij status open of in uitvoering ook "
    "verantwoordelijke, deadline en financiering.",
    "Controleer met: vitaalkg validate <bestand>",
]


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


def xlsx_template() -> bytes:
    """Sheet 1 'Acties' with the headers; sheet 2 'Toelichting' with the instruction."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Acties"
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, col in enumerate(COLUMNS, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(14, len(col) + 4)
    ws.freeze_panes = "A2"
    info = wb.create_sheet("Toelichting")
    for line in INSTRUCTION:
        info.append([line])
    info.append([])
    info.append(["kolom", "verplicht", "inhoud"])
    for col in COLUMNS:
        info.append([col, "ja" if col in REQUIRED_COLUMNS else "", COLUMN_HELP[col]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
