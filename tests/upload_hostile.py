"""Hostile plan uploads, built in the test: deep JSON-LD and Turtle, XLSX zip bombs, huge shared
strings, 100,000 sheet entries, large CSVs, broken multipart bodies."""

from __future__ import annotations

import io
import zipfile

import openpyxl
from plans_support import HEADER

SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              b"<sheetData>")
SHEET_TAIL = b"</sheetData></worksheet>"
MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def deep_jsonld(depth: int = 5000) -> bytes:
    """A JSON-LD plan whose one value is nested ``depth`` objects deep (~30 KB)."""
    return (b'{"@context": {"@vocab": "https://w3id.org/vitaalkg/def/"}, '
            b'"@id": "https://w3id.org/vitaalkg/id/actieplan/x", "note": '
            + b'{"n":' * depth + b"1" + b"}" * depth + b"}")


def deep_turtle(depth: int = 5000) -> bytes:
    return (b"@prefix vkg: <https://w3id.org/vitaalkg/def/> .\n"
            b"<https://w3id.org/vitaalkg/id/actieplan/x> vkg:note "
            + b"[ vkg:n " * depth + b"1" + b" ]" * depth + b" .\n")


def small_workbook() -> bytes:
    """A real one-sheet workbook with the plan header (openpyxl writes it)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER.split(";"))
    ws.append(["drinkwater-vitens", "A1", "Oefening", 1, "open", "vitens", "2025-01-01",
               "2099-01-01", "reguliere capaciteit", 10])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_from_csv(data: bytes) -> bytes:
    """The rows of a ``;``-separated plan CSV as a workbook."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    for line in data.decode("utf-8").splitlines():
        ws.append(line.split(";"))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def replace_members(xlsx: bytes, members: dict[str, object]) -> bytes:
    """The workbook with members replaced (or added): bytes, or an iterable of byte chunks
    written in a stream (so a 200 MB member is never held in memory)."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            if info.filename not in members:
                zf.writestr(info, src.read(info.filename))
        for name, body in members.items():
            if isinstance(body, bytes):
                zf.writestr(name, body)
                continue
            with zf.open(name, "w", force_zip64=True) as fh:
                for chunk in body:  # type: ignore[attr-defined]
                    fh.write(chunk)
    return out.getvalue()


def _bomb_rows(total: int) -> object:
    """Sheet XML of ``total`` bytes: numbered rows with a long text (packs ~60-fold, so a
    199 MB sheet is a ~3 MB file, as in the finding)."""
    pad = b"drinkwater-vitens oefening " * 20
    yield SHEET_HEAD
    written, i = 0, 0
    while written < total - 2_000_000:
        block = b"".join(b'<row r="%d"><c r="A%d" t="n"><v>%d</v></c><c r="B%d" '
                         b't="inlineStr"><is><t>%s</t></is></c></row>' % (n, n, n, n, pad)
                         for n in range(i + 1, i + 2001))
        i += 2000
        written += len(block)
        yield block
    yield SHEET_TAIL


def xlsx_bomb(megabytes: int = 199) -> bytes:
    """A real workbook whose sheet unpacks to ``megabytes`` million bytes (a few MB packed)."""
    return replace_members(small_workbook(),
                           {"xl/worksheets/sheet1.xml": _bomb_rows(megabytes * 1_000_000)})


def xlsx_shared_strings(count: int = 2_000_000) -> bytes:
    """A workbook with ``count`` distinct shared strings (~50 MB unpacked, within the ratio)."""
    def chunks() -> object:
        yield (b'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="' + MAIN_NS
               + b'" count="%d" uniqueCount="%d">' % (count, count))
        for start in range(0, count, 50_000):
            yield b"".join(b"<si><t>s%d</t></si>" % i
                           for i in range(start, min(count, start + 50_000)))
        yield b"</sst>"
    return replace_members(small_workbook(), {"xl/sharedStrings.xml": chunks()})


def xlsx_many_sheets(count: int = 100_000) -> bytes:
    """A workbook whose ``xl/workbook.xml`` lists ``count`` sheets."""
    sheets = b"".join(b'<sheet name="S%d" sheetId="%d" r:id="rId1"/>' % (i, i + 1)
                      for i in range(count))
    workbook = (b'<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="' + MAIN_NS
                + b'" xmlns:r="' + REL_NS + b'"><sheets>' + sheets + b"</sheets></workbook>")
    return replace_members(small_workbook(), {"xl/workbook.xml": workbook})


def xlsx_many_entries(count: int = 5_000) -> bytes:
    """A workbook zip with ``count`` extra (tiny) entries."""
    return replace_members(small_workbook(), {f"xl/extra/e{i}.xml": b"<x/>"
                                              for i in range(count)})


def big_csv(megabytes: float = 9.5, tag: str = "") -> bytes:
    """A plan CSV of about ``megabytes`` MB: valid rows, ~100 bytes each."""
    rows = [HEADER]
    size = len(HEADER)
    i = 0
    while size < megabytes * 1024 * 1024:
        i += 1
        line = (f"drinkwater-vitens;C{i};{tag}Actie {i};{i % 8 + 1};open;vitens;2025-01-01;"
                f"2099-01-01;reguliere capaciteit;{i}")
        rows.append(line)
        size += len(line) + 1
    return ("\n".join(rows) + "\n").encode("utf-8")


def multipart(fields: int = 0, boundary: str = "xyz", file: bytes | None = None,
              value: bytes = b"v") -> bytes:
    """A form body with ``fields`` fields of ``value`` and, if given, one file."""
    parts = [b'--%s\r\nContent-Disposition: form-data; name="f%d"\r\n\r\n%s\r\n'
             % (boundary.encode(), i, value) for i in range(fields)]
    if file is not None:
        parts.append(b'--%s\r\nContent-Disposition: form-data; name="file"; filename="p.csv"'
                     b"\r\nContent-Type: text/csv\r\n\r\n%s\r\n" % (boundary.encode(), file))
    return b"".join(parts) + b"--%s--\r\n" % boundary.encode()
