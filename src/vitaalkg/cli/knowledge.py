"""The knowledge-base commands: ``vitaalkg load``, ``export``, ``query`` and ``check``."""

from __future__ import annotations

import csv
import io
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..store import StoreError
from .options import StoreOpt, fail, open_configured, settings_for


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class ExportFormat(StrEnum):
    turtle = "turtle"
    ntriples = "ntriples"
    jsonld = "jsonld"
    trig = "trig"
    nquads = "nquads"


def load(store: StoreOpt = None) -> None:
    """(Her)laad ontology/, shapes/ en data/ in de store, één named graph per bestand."""
    from ..plans.loading import load_all

    settings = settings_for(store)
    st = open_configured(settings)
    try:
        loaded = load_all(st, settings)
    except StoreError as exc:
        fail(str(exc))
    for item in loaded:
        typer.echo(f"{item.triples:8d}  {item.graph}")
    typer.echo(f"{sum(i.triples for i in loaded):8d}  triples in {len(loaded)} graphs "
               f"({settings.store_path})")


def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.turtle,
    graph: Annotated[str | None, typer.Option(help="Alleen deze named graph.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    store: StoreOpt = None,
) -> None:
    """Exporteer de kennisbank (Turtle, N-Triples, JSON-LD, TriG of N-Quads)."""
    from ..plans.loading import ensure_loaded

    settings = settings_for(store)
    st = open_configured(settings)
    ensure_loaded(st, settings)
    if fmt in (ExportFormat.trig, ExportFormat.nquads) and graph is None:
        data = st.dump(fmt.value)
    else:
        name = "turtle" if fmt is ExportFormat.turtle else fmt.value
        data = st.dump(name, graph)
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)


def _parse_params(params: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in params:
        if "=" not in item:
            fail(f"parameter '{item}' heeft de vorm naam=waarde nodig")
        key, value = item.split("=", 1)
        out[key.strip()] = value
    return out


def query(
    name_or_file: Annotated[
        str, typer.Argument(help="Naam van een query uit queries/ of een .rq-bestand.")
    ],
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="naam=waarde")] = None,
    output: Annotated[OutputFormat, typer.Option("--output", "-o")] = OutputFormat.table,
    store: StoreOpt = None,
) -> None:
    """Voer een SPARQL-query uit: een benoemde query of een bestand."""
    from ..plans.loading import ensure_loaded
    from ..store.namedqueries import NamedQueryError, load_named_queries

    settings = settings_for(store)
    path = Path(name_or_file)
    substitutions = None
    if path.suffix == ".rq" and path.is_file():
        text = path.read_text(encoding="utf-8")
    else:
        named = load_named_queries(settings.queries_dir)
        if name_or_file not in named:
            fail(f"onbekende query '{name_or_file}'; beschikbaar: {', '.join(sorted(named))}")
        nq = named[name_or_file]
        text = nq.text_for(settings.base)
        try:
            substitutions = nq.bind(_parse_params(param or []), base=settings.base)
        except NamedQueryError as exc:
            fail(str(exc))
    st = open_configured(settings)
    ensure_loaded(st, settings)
    try:
        result = st.query(text, substitutions=substitutions)
    except SyntaxError as exc:
        fail(f"ongeldige SPARQL: {exc}")
    if isinstance(result, bool) or result.__class__.__name__ == "QueryBoolean":
        typer.echo("true" if bool(result) else "false")
        return
    if not hasattr(result, "variables"):
        import pyoxigraph as ox

        sys.stdout.buffer.write(result.serialize(format=ox.RdfFormat.TURTLE))
        return
    names = [v.value for v in result.variables]
    rows = [[(row[n].value if row[n] is not None else "") for n in names] for row in result]
    _print_rows(names, rows, output)


def _print_rows(names: list[str], rows: list[list[str]], output: OutputFormat) -> None:
    if output is OutputFormat.json:
        typer.echo(json.dumps([dict(zip(names, r, strict=True)) for r in rows],
                              ensure_ascii=False, indent=2))
    elif output is OutputFormat.csv:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(names)
        writer.writerows(rows)
        typer.echo(buf.getvalue(), nl=False)
    else:
        widths = [min(60, max([len(n)] + [len(r[i]) for r in rows])) for i, n in enumerate(names)]
        typer.echo("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)))
        typer.echo("  ".join("-" * w for w in widths))
        for r in rows:
            typer.echo("  ".join(c[:60].ljust(w) for c, w in zip(r, widths, strict=True)))
        typer.echo(f"({len(rows)} rijen)")


def check(
    extra: Annotated[list[Path] | None, typer.Argument(help="Extra Turtle-bestanden.")] = None,
    store: StoreOpt = None,
) -> None:
    """Controleer ontologie + kennis op tegenspraak met een OWL-redeneerder (HermiT)."""
    from ..store.reasoning import ReasoningError, check_consistency

    settings = settings_for(store)
    try:
        report = check_consistency(settings, extra or [])
    except ReasoningError as exc:
        fail(str(exc))
    typer.echo(report.text())
    raise typer.Exit(0 if report.consistent else 1)


def register(app: typer.Typer) -> None:
    """Add ``load``, ``export``, ``query`` and ``check``."""
    app.command()(load)
    app.command()(export)
    app.command()(query)
    app.command()(check)
