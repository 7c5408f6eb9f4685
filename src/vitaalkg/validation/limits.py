"""Limits on reading an uploaded plan, and the cheap checks that enforce them before a parser
runs: nesting depth of JSON(-LD) and Turtle, the zip directory, sheets and shared strings of an
XLSX. Rows and cells are counted while a table is read (``inputs.py``); time and memory are
enforced by the worker process that reads (``sandbox.py``).

Every refusal is an :class:`InputError` (413) whose message names the limit and the setting
that changes it. ``InputError`` lives here so that ``inputs.py`` can use these checks.
"""

from __future__ import annotations

import io
import operator
import re
import zipfile
from dataclasses import dataclass, fields
from itertools import accumulate, repeat
from typing import Any

MB = 1024 * 1024
BYTES = (" bytes", " bytes")


class InputError(Exception):
    """The input cannot be read as a plan. ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400, message_en: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message
        self.status = status


@dataclass(frozen=True)
class UploadLimits:
    """What reading one upload may cost; each field is setting ``upload_{name}``
    (environment ``VITAALKG_UPLOAD_{NAME}``)."""

    seconds: float = 60.0
    memory_mb: int = 1536
    max_depth: int = 64
    max_rows: int = 50_000
    max_cells: int = 1_000_000
    max_sheets: int = 50
    max_shared_strings: int = 250_000
    max_xlsx_bytes: int = 128 * MB
    max_xlsx_member_bytes: int = 64 * MB
    max_xlsx_ratio: int = 100
    max_xlsx_entries: int = 1000

    @classmethod
    def from_settings(cls, settings: Any) -> UploadLimits:
        """The limits of ``settings`` (a :class:`vitaalkg.config.Settings`); defaults for
        settings it does not have."""
        values = {f.name: getattr(settings, "upload_" + f.name) for f in fields(cls)
                  if hasattr(settings, "upload_" + f.name)}
        return cls(**values)


def _n(value: float) -> str:
    """``1.000.000`` (Dutch thousands), ``0,5``."""
    if isinstance(value, float) and not value.is_integer():
        return str(value).replace(".", ",")
    return f"{int(value):,}".replace(",", ".")


def _en(value: float) -> str:
    return str(value) if isinstance(value, float) and not value.is_integer() \
        else f"{int(value):,}"


def refuse(what_nl: str, what_en: str, name: str, limit: float,
           unit: tuple[str, str] = ("", "")) -> InputError:
    """A 413 :class:`InputError` naming the limit and its setting ``VITAALKG_UPLOAD_{NAME}``."""
    env = "VITAALKG_UPLOAD_" + name.upper()
    return InputError(
        f"upload geweigerd: {what_nl} (limiet: {_n(limit)}{unit[0]}, instelling {env})", 413,
        f"upload refused: {what_en} (limit: {_en(limit)}{unit[1]}, setting {env})")


# -- nesting depth -------------------------------------------------------------------------
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_JSON_STRING = re.compile(rb'"[^"]*"')
_TURTLE_SKIP = re.compile(
    rb'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"[^"\n]*"|\'[^\'\n]*\'|<[^<>"{}|^`\s]*>|#[^\n]*')
_OPEN_CLOSE = {"jsonld": b"{[", "turtle": b"[("}
_CLOSE = {"jsonld": b"}]", "turtle": b")]"}


def nesting_depth(data: bytes, kind: str) -> int:
    """The deepest nesting of ``{``/``[`` (JSON) or ``[``/``(`` (Turtle) outside strings,
    IRIs and comments. Linear, in C: strings are cut out with regular expressions, the
    brackets kept and summed as +1 / -1."""
    text = _ESCAPE.sub(b"", data)
    text = (_JSON_STRING if kind == "jsonld" else _TURTLE_SKIP).sub(b"", text)
    opening, closing = _OPEN_CLOSE[kind], _CLOSE[kind]
    keep = opening + closing
    brackets = text.translate(None, bytes(b for b in range(256) if b not in keep))
    steps = brackets.translate(bytes.maketrans(keep, b"\x02\x02\x00\x00"))
    return max(accumulate(map(operator.sub, steps, repeat(1))), default=0)


def check_depth(data: bytes, kind: str, limits: UploadLimits) -> None:
    """Refuse JSON-LD / Turtle nested deeper than ``limits.max_depth`` (a recursive parser
    could run out of stack on it)."""
    if kind not in _OPEN_CLOSE:
        return
    if sum(data.count(c) for c in _OPEN_CLOSE[kind]) <= limits.max_depth:
        return  # fewer brackets than levels allowed: no need to scan
    depth = nesting_depth(data, kind)
    if depth > limits.max_depth:
        raise refuse(f"te diep genest ({_n(depth)} niveaus)",
                     f"nested too deeply ({depth:,} levels)", "max_depth", limits.max_depth,
                     (" niveaus", " levels"))


# -- XLSX ------------------------------------------------------------------------------------
_SHEET = re.compile(rb"<(?:\w{1,16}:)?sheet[\s/>]")
_SHARED = re.compile(rb"<(?:\w{1,16}:)?si[\s/>]")


def check_xlsx_zip(data: bytes, limits: UploadLimits) -> zipfile.ZipFile:
    """Refuse zip bombs and zips that are no spreadsheet from the zip directory alone: number
    of entries, uncompressed size in total and per entry, compression ratio; then count the
    sheets in the workbook and the shared strings. Returns the open zip."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError(f"geen geldig XLSX-bestand (zip onleesbaar: {exc})", 400,
                         f"not a valid XLSX file (unreadable zip: {exc})") from None
    if len(infos) > limits.max_xlsx_entries:
        raise refuse(f"XLSX bevat {_n(len(infos))} onderdelen", f"XLSX has "
                     f"{_n(len(infos))} entries", "max_xlsx_entries", limits.max_xlsx_entries)
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise InputError("geen spreadsheet: het zip-bestand bevat geen Excel-werkmap "
                         "(xl/workbook.xml ontbreekt)", 400,
                         "not a spreadsheet: the zip holds no Excel workbook")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.max_xlsx_member_bytes:
            raise refuse(f"'{info.filename}' pakt uit tot {_n(info.file_size)} bytes; "
                         "mogelijk een zip-bom", f"'{info.filename}' expands to "
                         f"{_n(info.file_size)} bytes; possible zip bomb",
                         "max_xlsx_member_bytes", limits.max_xlsx_member_bytes, BYTES)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MB and ratio > limits.max_xlsx_ratio:
            raise refuse(f"'{info.filename}' pakt {ratio:.0f} keer zo groot uit; mogelijk een "
                         "zip-bom", f"'{info.filename}' expands {ratio:.0f}-fold; possible "
                         "zip bomb", "max_xlsx_ratio", limits.max_xlsx_ratio, ("x", "x"))
    if total > limits.max_xlsx_bytes:
        raise refuse(f"XLSX pakt uit tot {_n(total)} bytes; mogelijk een zip-bom",
                     f"XLSX expands to {_n(total)} bytes; possible zip bomb",
                     "max_xlsx_bytes", limits.max_xlsx_bytes, BYTES)
    sheets = _count(zf, "xl/workbook.xml", _SHEET, limits.max_sheets)
    if sheets > limits.max_sheets:
        raise refuse(f"de werkmap heeft meer dan {_n(limits.max_sheets)} werkbladen",
                     f"the workbook has more than {_n(limits.max_sheets)} sheets",
                     "max_sheets", limits.max_sheets)
    if "xl/sharedStrings.xml" in names:
        shared = _count(zf, "xl/sharedStrings.xml", _SHARED, limits.max_shared_strings)
        if shared > limits.max_shared_strings:
            raise refuse(f"meer dan {_n(limits.max_shared_strings)} gedeelde teksten "
                         "(sharedStrings)", f"more than {_n(limits.max_shared_strings)} "
                         "shared strings", "max_shared_strings", limits.max_shared_strings)
    return zf


def _count(zf: zipfile.ZipFile, name: str, pattern: re.Pattern[bytes], stop: int) -> int:
    """Occurrences of ``pattern`` (shorter than 32 bytes) in member ``name``, read in blocks;
    stops counting past ``stop``."""
    count, buf = 0, b""
    try:
        with zf.open(name) as fh:
            while count <= stop:
                block = fh.read(MB)
                if not block:
                    return count + len(pattern.findall(buf))
                buf += block
                cut = len(buf) - 32
                count += sum(1 for m in pattern.finditer(buf) if m.start() < cut)
                buf = buf[cut:]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return count  # a broken member: openpyxl reports it
    return count
