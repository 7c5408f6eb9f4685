"""Commands ``vitaalkg validate``, ``vitaalkg convert`` and ``vitaalkg template``."""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    turtle = "turtle"
    html = "html"


class Lang(StrEnum):
    nl = "nl"
    en = "en"


class Engine(StrEnum):
    oxigraph = "oxigraph"
    pyshacl = "pyshacl"


class TemplateFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        typer.echo(f"fout: --reference-date '{value}' is geen datum (JJJJ-MM-DD)", err=True)
        raise typer.Exit(2) from None


def validate(
    files: Annotated[list[Path], typer.Argument(help="Plannen: Turtle, JSON-LD, CSV of XLSX.")],
    output: Annotated[ReportFormat, typer.Option("--output", "-o",
                                                 help="text, json, turtle of html")]
    = ReportFormat.text,
    lang: Annotated[Lang, typer.Option("--lang", help="Taal van het rapport.")] = Lang.nl,
    reference_date: Annotated[str | None, typer.Option(
        "--reference-date", help="Peildatum voor te late acties (standaard: vandaag).")] = None,
    engine: Annotated[Engine, typer.Option("--engine", help="SHACL-engine.")]
    = Engine.oxigraph,
) -> None:
    """Controleer actieplannen met SHACL. Exitcode 0 voldoet, 1 voldoet niet, 2 onleesbaar."""
    from ..config import Settings
    from ..validation.engine import validator_for
    from ..validation.inputs import InputError, UploadLimits, read_plan_file

    ref = _date(reference_date)
    settings = Settings()
    language = lang.value
    reports: list = []
    errors: list[tuple[str, str]] = []
    validator = None
    limits = UploadLimits.from_settings(settings)
    for path in files:
        try:
            plan = read_plan_file(path, base=settings.base, limit=settings.max_upload_bytes,
                                  limits=limits)
        except InputError as exc:
            msg = exc.message if language == "nl" else exc.message_en
            errors.append((str(path), msg))
            typer.echo(f"fout: {path}: {msg}", err=True)
            continue
        if validator is None:
            validator = validator_for(settings, engine.value)
        report = validator.validate(plan, ref)
        report.name = str(path)
        reports.append(report)
    _print(reports, errors, output, language)
    if errors:
        raise typer.Exit(2)
    raise typer.Exit(0 if all(r.conforms for r in reports) else 1)


def _print(reports: list, errors: list[tuple[str, str]], output: ReportFormat,
           lang: str) -> None:
    from ..validation import report as rep

    out = sys.stdout
    if output is ReportFormat.json:
        if len(reports) == 1 and not errors:
            out.write(rep.dumps(rep.to_json(reports[0], lang)) + "\n")
        else:
            data = {
                "conforms": all(r.conforms for r in reports) and not errors,
                "violations": sum(r.violations for r in reports),
                "warnings": sum(r.warnings for r in reports),
                "files": [rep.to_json(r, lang) for r in reports],
                "errors": [{"file": n, "error": m} for n, m in errors],
            }
            out.write(rep.dumps(data) + "\n")
    elif output is ReportFormat.turtle:
        for r in reports:
            if len(reports) > 1:
                out.write(f"# {r.name}\n")
            out.write(rep.to_turtle(r).decode("utf-8"))
    elif output is ReportFormat.html:
        out.write(rep.to_html(reports, lang, errors))
    else:
        for r in reports:
            out.write(rep.to_text(r, lang))
        if len(reports) + len(errors) > 1:
            t = rep.TEXTS[lang]
            bad = sum(1 for r in reports if not r.conforms)
            out.write(f"\n{t['summary']}: {len(reports) + len(errors)} {t['files']}, "
                      f"{len(reports) - bad} {t['conforms']}, {bad} {t['not_conforms']}, "
                      f"{len(errors)} {t['unreadable']}; "
                      f"{sum(r.violations for r in reports)} {t['violations']}, "
                      f"{sum(r.warnings for r in reports)} {t['warnings']}\n")
    out.flush()


def convert(
    file: Annotated[Path, typer.Argument(help="Plan als CSV of XLSX (of Turtle / JSON-LD).")],
    out: Annotated[Path | None, typer.Option("--output", "-o", help="Turtle-bestand.")] = None,
) -> None:
    """Zet een plan-spreadsheet om naar RDF (Turtle), met het rijnummer bij elke actie."""
    from ..config import Settings
    from ..validation.convert import to_turtle
    from ..validation.inputs import InputError, UploadLimits, read_plan_file

    settings = Settings()
    try:
        plan = read_plan_file(file, base=settings.base, limit=settings.max_upload_bytes,
                              limits=UploadLimits.from_settings(settings))
    except InputError as exc:
        typer.echo(f"fout: {file}: {exc.message}", err=True)
        raise typer.Exit(2) from None
    data = to_turtle(plan.to_triples(), settings.base)
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        out.write_bytes(data)
        typer.echo(f"{file} → {out}", err=True)


def template(
    out: Annotated[Path | None, typer.Option("--output", "-o",
                                             help="Doelbestand (.xlsx of .csv).")] = None,
    fmt: Annotated[TemplateFormat | None, typer.Option("--format", "-f")] = None,
) -> None:
    """Schrijf een leeg sjabloon voor een actieplan (XLSX of CSV) met korte instructie."""
    from ..validation.template import csv_template, xlsx_template

    kind = fmt.value if fmt else (out.suffix.lstrip(".").lower() if out else "csv")
    if kind not in ("xlsx", "csv"):
        typer.echo("fout: kies --format xlsx of csv", err=True)
        raise typer.Exit(2)
    if kind == "xlsx" and out is None:
        out = Path("actieplan-sjabloon.xlsx")
    data = xlsx_template() if kind == "xlsx" else csv_template().encode("utf-8")
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        out.write_bytes(data)
        typer.echo(f"sjabloon geschreven: {out}", err=True)


def register(app: typer.Typer) -> None:
    """Add the validation commands to the main ``vitaalkg`` command."""
    app.command("validate")(validate)
    app.command("convert")(convert)
    app.command("template")(template)
