"""Spreadsheet rows (CSV / XLSX plan template) to the RDF of an action plan (docs/MODEL.md).

The converter never rejects content: a bad date stays a plain string, theme 9 becomes
``id/thema/9``, an unknown owner an IRI that is no organisation. The shapes then report these
as findings that name the action and the row. Only missing required columns are an input error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from ..config import DEFAULT_BASE

VKG = DEFAULT_BASE + "def/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"

REQUIRED_COLUMNS = ("netwerk", "actie", "omschrijving", "thema", "status")
OPTIONAL_COLUMNS = ("verantwoordelijke", "start", "deadline", "financiering", "kosten",
                    "kostenverdeling")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

#: short explanation per column (Dutch), used by ``vitaalkg template``
COLUMN_HELP: dict[str, str] = {
    "netwerk": "sleutel van het netwerk (zoals in id/netwerk/{sleutel}), op elke rij dezelfde",
    "actie": "code van de actie, uniek in het plan (bijv. A1)",
    "omschrijving": "wat er gedaan wordt",
    "thema": "themanummer 1-8 uit de rolbeschrijving",
    "status": "open, in uitvoering, afgerond of vervallen",
    "verantwoordelijke": "eigenaar: regiocode (VR13) of organisatiesleutel (vitens); "
    "verplicht bij open / in uitvoering",
    "start": "startdatum JJJJ-MM-DD (optioneel)",
    "deadline": "einddatum JJJJ-MM-DD; verplicht bij open / in uitvoering",
    "financiering": "hoe het betaald wordt (reguliere capaciteit, BDUR, kostenverdeling); "
    "verplicht bij open / in uitvoering",
    "kosten": "bedrag in euro (optioneel)",
    "kostenverdeling": "optioneel: partijen en percentages, bijv. 'vitens 50; VR06 50'",
}


class ConversionError(ValueError):
    """The spreadsheet cannot be read as a plan (e.g. required columns are missing)."""


@dataclass
class Row:
    """One spreadsheet row: its number (header = row 1) and its cells by column name."""

    number: int
    cells: dict[str, Any]


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def key(value: str) -> str:
    """A URI key: lower case, percent-encoded (never silently 'repaired' into a valid key)."""
    return quote(value.strip().lower(), safe="-._~")


def normalise_header(name: Any) -> str:
    return _text(name).lower().replace("\ufeff", "").strip()


def check_columns(headers: Iterable[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in set(headers)]
    if missing:
        raise ConversionError(
            "verplichte kolom(men) ontbreken: " + ", ".join(missing)
            + f" (verplicht: {', '.join(REQUIRED_COLUMNS)})"
        )


def rows_from_table(table: Iterable[Iterable[Any]]) -> list[Row]:
    """Rows (header first) to :class:`Row` objects; skips empty rows and ``#`` comment rows."""
    it: Iterator[Iterable[Any]] = iter(table)
    header_row = next(it, None)
    if header_row is None:
        raise ConversionError("het bestand is leeg: geen kopregel met kolomnamen")
    headers = [normalise_header(h) for h in header_row]
    check_columns(headers)
    rows: list[Row] = []
    for number, values in enumerate(it, start=2):
        values = list(values)
        if not any(_text(v) for v in values):
            continue
        if _text(values[0]).startswith("#"):
            continue
        cells = {h: v for h, v in zip(headers, values, strict=False) if h and _text(v) != ""}
        rows.append(Row(number, cells))
    return rows


# -- values ---------------------------------------------------------------------------------
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_VR = re.compile(r"^vr\s*-?\s*(\d{1,2})$", re.IGNORECASE)


def date_literal(value: Any) -> ox.Literal:
    """``xsd:date`` when the cell is a date or an ISO date, else the text as a plain string."""
    if isinstance(value, dt.datetime):
        return ox.Literal(value.date().isoformat(), datatype=_n(XSD + "date"))
    if isinstance(value, dt.date):
        return ox.Literal(value.isoformat(), datatype=_n(XSD + "date"))
    text = _text(value)
    if _ISO_DATE.match(text):
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            return ox.Literal(text)
        return ox.Literal(text, datatype=_n(XSD + "date"))
    return ox.Literal(text)


def decimal_literal(value: Any) -> ox.Literal:
    """``xsd:decimal`` for numbers (``12000``, ``12.000,50``, ``€ 1,5``), else a plain string."""
    if isinstance(value, bool):
        return ox.Literal(str(value))
    if isinstance(value, int | float):
        value = format(Decimal(str(value)), "f")
    text = _text(value).replace("€", "").replace("%", "").replace(" ", "").strip()
    if re.match(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$", text):
        text = text.replace(".", "").replace(",", ".")
    elif re.match(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$", text):
        text = text.replace(",", "")
    elif re.match(r"^-?\d+,\d+$", text):
        text = text.replace(",", ".")
    try:
        if not re.match(r"^-?\d+(\.\d+)?$", text):
            raise InvalidOperation
        number = Decimal(text)
    except InvalidOperation:
        return ox.Literal(_text(value))
    lexical = format(number, "f")
    if "." not in lexical:
        lexical += ".0"
    return ox.Literal(lexical, datatype=_n(XSD + "decimal"))


def organisation(value: str, base: str) -> ox.NamedNode:
    """``VR13`` → ``id/veiligheidsregio/vr13``; any other key → ``id/organisatie/{key}``."""
    m = _VR.match(value.strip())
    if m:
        return _n(f"{base}id/veiligheidsregio/vr{int(m.group(1)):02d}")
    return _n(f"{base}id/organisatie/{key(value)}")


def theme(value: Any, base: str) -> ox.Term:
    text = _text(value)
    if re.match(r"^\d+$", text):
        return _n(f"{base}id/thema/{int(text)}")
    return ox.Literal(text)


def status(value: Any, base: str) -> ox.NamedNode:
    text = re.sub(r"[\s_]+", "-", _text(value).lower())
    return _n(f"{base}id/status/{quote(text, safe='-._~')}")


def cost_shares(value: str) -> list[tuple[str, str | None]]:
    """``'vitens 50; VR06 50%'`` → ``[('vitens', '50'), ('VR06', '50')]``."""
    shares: list[tuple[str, str | None]] = []
    for part in re.split(r"[;|\n]", value):
        part = part.strip()
        if not part:
            continue
        m = re.match(r"^(.*?)[\s:=]+(-?[\d.,]+)\s*%?$", part)
        shares.append((m.group(1).strip(), m.group(2)) if m else (part, None))
    return shares


# -- rows to RDF ---------------------------------------------------------------------------
def rows_to_triples(rows: list[Row], base: str = DEFAULT_BASE,
                    fallback_key: str = "plan") -> list[ox.Triple]:
    """The RDF of the plan described by the rows (docs/MODEL.md, 'Action plans')."""
    vkg = base + "def/"
    networks: list[str] = []
    for row in rows:
        net = _text(row.cells.get("netwerk"))
        if net and net not in networks:
            networks.append(net)
    plan_key = key(networks[0]) if networks else key(fallback_key) or "plan"
    plan = _n(f"{base}id/actieplan/{plan_key}")
    out: list[ox.Triple] = [ox.Triple(plan, RDF_TYPE, _n(vkg + "ActionPlan"))]
    for net in networks:
        out.append(ox.Triple(plan, _n(vkg + "network"), _n(f"{base}id/netwerk/{key(net)}")))
    lit = ox.Literal
    for row in rows:
        c = row.cells
        ident = _text(c.get("actie"))
        local = key(ident) if ident else f"rij-{row.number}"
        action = _n(f"{base}id/actie/{plan_key}-{local}")
        add = out.append
        add(ox.Triple(plan, _n(vkg + "hasAction"), action))
        add(ox.Triple(action, RDF_TYPE, _n(vkg + "Action")))
        add(ox.Triple(action, _n(vkg + "sourceRow"),
                      lit(str(row.number), datatype=_n(XSD + "integer"))))
        if ident:
            add(ox.Triple(action, _n(DCT + "identifier"), lit(ident)))
        if "omschrijving" in c:
            add(ox.Triple(action, _n(DCT + "description"),
                          lit(_text(c["omschrijving"]), language="nl")))
        if "thema" in c:
            add(ox.Triple(action, _n(vkg + "theme"), theme(c["thema"], base)))
        if "status" in c:
            add(ox.Triple(action, _n(vkg + "status"), status(c["status"], base)))
        if "verantwoordelijke" in c:
            add(ox.Triple(action, _n(vkg + "owner"),
                          organisation(_text(c["verantwoordelijke"]), base)))
        if "start" in c:
            add(ox.Triple(action, _n(vkg + "startDate"), date_literal(c["start"])))
        if "deadline" in c:
            add(ox.Triple(action, _n(vkg + "deadline"), date_literal(c["deadline"])))
        if "financiering" in c:
            add(ox.Triple(action, _n(vkg + "financing"), lit(_text(c["financiering"]))))
        if "kosten" in c:
            add(ox.Triple(action, _n(vkg + "costs"), decimal_literal(c["kosten"])))
        if "kostenverdeling" in c:
            for i, (party, pct) in enumerate(cost_shares(_text(c["kostenverdeling"])), 1):
                share = _n(f"{base}id/actie/{plan_key}-{local}-kostendeel-{i}")
                add(ox.Triple(action, _n(vkg + "costShare"), share))
                add(ox.Triple(share, RDF_TYPE, _n(vkg + "CostShare")))
                add(ox.Triple(share, _n(vkg + "party"), organisation(party, base)))
                if pct is not None:
                    add(ox.Triple(share, _n(vkg + "percentage"), decimal_literal(pct)))
    return out


TURTLE_PREFIXES = {
    "vkg": VKG, "dct": DCT, "xsd": XSD,
    "actie": DEFAULT_BASE + "id/actie/", "actieplan": DEFAULT_BASE + "id/actieplan/",
    "netwerk": DEFAULT_BASE + "id/netwerk/", "thema": DEFAULT_BASE + "id/thema/",
    "status": DEFAULT_BASE + "id/status/", "vr": DEFAULT_BASE + "id/veiligheidsregio/",
    "organisatie": DEFAULT_BASE + "id/organisatie/",
}


def to_turtle(triples: list[ox.Triple], base: str = DEFAULT_BASE) -> bytes:
    """Readable Turtle of the plan."""
    prefixes = {p: base + iri[len(DEFAULT_BASE):] if iri.startswith(DEFAULT_BASE) else iri
                for p, iri in TURTLE_PREFIXES.items()}
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
