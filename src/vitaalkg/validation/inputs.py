"""Read a submitted plan (Turtle, JSON-LD, CSV, XLSX) from bytes into RDF triples.

Everything that makes the input unreadable raises :class:`InputError` with a clear Dutch (and
English) message and the HTTP status that fits (400 unreadable, 413 too large, 415 unsupported).
Content errors inside a readable plan are not input errors: they become findings.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..config import DEFAULT_BASE
from .convert import ConversionError, rows_from_table, rows_to_triples
from .limits import InputError, UploadLimits, check_depth, check_xlsx_zip, refuse

__all__ = ["InputError", "PlanInput", "UploadLimits", "read_plan", "read_plan_file"]

KINDS = ("turtle", "jsonld", "csv", "xlsx")

CONTENT_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "text/csv": "csv",
    "application/csv": "csv",
    "text/plain": None,  # sniff
    "application/octet-stream": None,  # sniff
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
SUFFIXES = {".ttl": "turtle", ".turtle": "turtle", ".jsonld": "jsonld", ".json": "jsonld",
            ".csv": "csv", ".xlsx": "xlsx"}


@dataclass
class PlanInput:
    """A plan read from a file or upload: its name, kind and its RDF.

    RDF input keeps its bytes (parsed straight into a store); spreadsheets keep the triples
    that the converter made; a plan read by a worker process (``sandbox.py``) keeps the
    N-Triples that the worker wrote.
    """

    name: str
    kind: str
    triples: list[ox.Triple] | None = None
    data: bytes | None = None
    ntriples: bytes | None = None
    base: str = DEFAULT_BASE
    _parsed: ox.Store | None = None

    def store(self) -> ox.Store:
        """A fresh in-memory store with the plan in its default graph (the data graph)."""
        if self._parsed is not None:
            store, self._parsed = self._parsed, None
            return store
        store = ox.Store()
        if self.ntriples is not None:
            store.load(self.ntriples, format=ox.RdfFormat.N_TRIPLES)
        elif self.triples is not None:
            store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in self.triples)
        else:
            load_rdf(store, self.data or b"", self.kind, self.base)
        return store

    def to_triples(self) -> list[ox.Triple]:
        if self.triples is not None:
            return self.triples
        return [ox.Triple(q.subject, q.predicate, q.object)
                for q in self.store().quads_for_pattern(None, None, None, ox.DefaultGraph())]


def check_size(size: int, limit: int) -> None:
    if size > limit:
        raise InputError(
            f"bestand te groot: {size:,} bytes, het maximum is {limit:,} bytes".replace(",", "."),
            413, f"file too large: {size:,} bytes, the limit is {limit:,} bytes")


def detect_kind(data: bytes, name: str = "", content_type: str | None = None) -> str:
    """The kind of input, from the media type, the file name, or the first bytes."""
    if content_type:
        media = content_type.split(";")[0].strip().lower()
        if media in CONTENT_TYPES:
            if CONTENT_TYPES[media]:
                return CONTENT_TYPES[media]  # type: ignore[return-value]
        elif media and media != "multipart/form-data":
            raise InputError(
                f"niet ondersteund type '{media}': stuur Turtle (text/turtle), JSON-LD "
                "(application/ld+json), CSV (text/csv) of XLSX", 415,
                f"unsupported media type '{media}': send Turtle, JSON-LD, CSV or XLSX")
    suffix = Path(name).suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    return sniff(data)


def sniff(data: bytes) -> str:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head[:1] in (b"{", b"["):
        return "jsonld"
    first_line = head.split(b"\n", 1)[0].lower()
    if b"actie" in first_line and (b"," in first_line or b";" in first_line):
        return "csv"
    if re.search(rb"(@prefix|@base|PREFIX\s|BASE\s|<[^>\s]*>\s)", head, re.IGNORECASE):
        return "turtle"
    raise InputError(
        "onbekend bestandstype: geen Turtle, JSON-LD, CSV of XLSX", 415,
        "unknown file type: not Turtle, JSON-LD, CSV or XLSX")


def decode_utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"geen geldige UTF-8-tekst (byte {exc.start}, regel {line}); sla het bestand op "
            "als UTF-8", 400, f"not valid UTF-8 (byte {exc.start}, line {line})") from None


def _syntax_message(kind: str, exc: Exception) -> InputError:
    text = str(exc)
    m = re.search(r"line (\d+),? column (\d+)", text) or re.search(r"(\d+):(\d+)", text)
    where_nl = f" op regel {m.group(1)}, kolom {m.group(2)}" if m else ""
    where_en = f" on line {m.group(1)}, column {m.group(2)}" if m else ""
    label = "Turtle" if kind == "turtle" else "JSON-LD"
    return InputError(f"{label}-syntaxfout{where_nl}: {text}", 400,
                      f"{label} syntax error{where_en}: {text}")


def load_rdf(store: ox.Store, data: bytes, kind: str, base: str = DEFAULT_BASE) -> None:
    """Turtle / JSON-LD into the default graph of ``store`` (named graphs are merged)."""
    fmt = ox.RdfFormat.TURTLE if kind == "turtle" else ox.RdfFormat.JSON_LD
    try:
        store.load(data, format=fmt, base_iri=base + "id/")
    except SyntaxError as exc:
        raise _syntax_message(kind, exc) from None
    except (ValueError, OSError) as exc:
        raise InputError(f"kan het {kind}-bestand niet lezen: {exc}", 400,
                         f"cannot read the {kind} file: {exc}") from None
    if kind != "turtle" and any(True for _ in store.named_graphs()):
        store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")


def read_csv_rows(data: bytes, limits: UploadLimits) -> list:
    if data.count(b"\n") > limits.max_rows + 1:
        raise _too_many_rows(limits)
    text = decode_utf8(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        return _bounded(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), limits)
    except csv.Error as exc:
        raise InputError(f"CSV kan niet gelezen worden: {exc}", 400,
                         f"cannot read the CSV: {exc}") from None


def _too_many_rows(limits: UploadLimits) -> InputError:
    return refuse(f"meer dan {limits.max_rows:,} rijen".replace(",", "."),
                  f"more than {limits.max_rows:,} rows", "max_rows", limits.max_rows)


def _bounded(rows: Any, limits: UploadLimits) -> list:
    """The rows of a table (header included), refused past the row or cell limit."""
    table: list = []
    cells = 0
    for row in rows:
        row = list(row)
        cells += len(row)
        if cells > limits.max_cells:
            raise refuse(f"meer dan {limits.max_cells:,} cellen".replace(",", "."),
                         f"more than {limits.max_cells:,} cells", "max_cells", limits.max_cells)
        table.append(row)
        if len(table) > limits.max_rows + 1:
            raise _too_many_rows(limits)
    return table


def read_xlsx_rows(data: bytes, limits: UploadLimits) -> list:
    check_xlsx_zip(data, limits).close()
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = wb.worksheets[0]
        table = _bounded(ws.iter_rows(values_only=True), limits)
        wb.close()
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors on broken files
        raise InputError(f"XLSX kan niet gelezen worden: {type(exc).__name__}: {exc}", 400,
                         f"cannot read the XLSX: {exc}") from None
    return table


def read_plan(data: bytes, name: str = "", content_type: str | None = None, *,
              base: str = DEFAULT_BASE, limit: int = 10 * 1024 * 1024,
              limits: UploadLimits | None = None) -> PlanInput:
    """Read one plan from bytes; raises :class:`InputError` when it cannot be read or exceeds
    ``limits`` (nesting, rows, cells, XLSX size and parts; the defaults when ``None``)."""
    limits = limits or UploadLimits()
    check_size(len(data), limit)
    if not data.strip():
        raise InputError("het bestand is leeg", 400, "the file is empty")
    kind = detect_kind(data, name, content_type)
    if kind in ("turtle", "jsonld"):
        decode_utf8(data)
        check_depth(data, kind, limits)
        plan = PlanInput(name, kind, data=data, base=base)
        store = ox.Store()
        load_rdf(store, data, kind, base)
        plan._parsed = store
        return plan
    table = read_csv_rows(data, limits) if kind == "csv" else read_xlsx_rows(data, limits)
    try:
        rows = rows_from_table(table)
    except ConversionError as exc:
        raise InputError(str(exc), 400, _en_conversion(str(exc))) from None
    stem = Path(name).stem or "plan"
    return PlanInput(name, kind, triples=rows_to_triples(rows, base, fallback_key=stem), base=base)


def _en_conversion(message: str) -> str:
    if message.startswith("verplichte kolom"):
        return "required column(s) missing: " + message.split(": ", 1)[1]
    return message


def read_plan_file(path: Path, *, base: str = DEFAULT_BASE, limit: int = 10 * 1024 * 1024,
                   limits: UploadLimits | None = None) -> PlanInput:
    """Read one plan file; a missing or unreadable file is an :class:`InputError` too."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"kan {path} niet openen: {exc.strerror}", 400,
                         f"cannot open {path}: {exc.strerror}") from None
    if path.is_dir():
        raise InputError(f"{path} is een map, geen bestand", 400, f"{path} is a directory")
    check_size(size, limit)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"kan {path} niet lezen: {exc.strerror}", 400,
                         f"cannot read {path}: {exc.strerror}") from None
    return read_plan(data, path.name, None, base=base, limit=limit, limits=limits)
