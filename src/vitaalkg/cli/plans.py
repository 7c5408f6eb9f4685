"""The command ``vitaalkg submit``: a plan to the local store or to a running server."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from ..config import Settings
from ..plans.token_store import token_registry_for
from ..plans.tokens import TokenError
from .options import (
    EXIT_ERROR,
    EXIT_FORBIDDEN,
    EXIT_REFUSED,
    EXIT_STORED,
    EXIT_UNREADABLE,
    StoreOpt,
    fail,
    open_for_writing,
    settings_for,
)


class Visibility(StrEnum):
    public = "public"
    restricted = "restricted"


# -- submit ------------------------------------------------------------------------------------
#: answers after which a retry may help (the server or a proxy in between was unavailable)
RETRY_STATUSES = (502, 503, 504)


def idempotency_key(data: bytes, visibility: str | None, allow_warnings: bool) -> str:
    """The ``Idempotency-Key`` of one ``vitaalkg submit``: the file's hash (with the options)
    plus a part unique to this run, so its retries are one request but a later run that
    submits an older file again is a new one."""
    digest = hashlib.sha256(data + f"\0{visibility}\0{allow_warnings}".encode()).hexdigest()
    return f"vitaalkg-submit-{digest[:40]}-{secrets.token_hex(8)}"


def _submit_remote(server: str, path: Path, data: bytes, token: str, *,
                   visibility: str | None, allow_warnings: bool, timeout: float = 600.0,
                   retries: int = 3) -> tuple[int, dict[str, Any]]:
    """POST the plan; on a lost connection, a time-out or 502/503/504, send it again (after
    1, 2, 4… s) with the same Idempotency-Key, so the server stores it at most once."""
    import httpx

    from ..validation.inputs import SUFFIXES

    media = {"turtle": "text/turtle", "jsonld": "application/ld+json", "csv": "text/csv",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    ctype = media.get(SUFFIXES.get(path.suffix.lower(), ""), "application/octet-stream")
    params: dict[str, str] = {"allow_warnings": "true" if allow_warnings else "false"}
    if visibility:
        params["visibility"] = visibility
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json",
               "Idempotency-Key": idempotency_key(data, visibility, allow_warnings)}
    for attempt in range(retries + 1):
        try:
            response = httpx.post(server.rstrip("/") + "/plans", params=params,
                                  files={"file": (path.name, data, ctype)}, headers=headers,
                                  timeout=timeout)
        except httpx.TransportError as exc:
            if attempt >= retries:
                fail(f"de server {server} antwoordt niet / no answer: {exc}", EXIT_ERROR)
                raise
            typer.echo(f"geen antwoord ({type(exc).__name__}), opnieuw / no answer, "
                       f"retrying ({attempt + 1}/{retries})", err=True)
        else:
            if response.status_code not in RETRY_STATUSES or attempt >= retries:
                break
            typer.echo(f"HTTP {response.status_code}, opnieuw / retrying "
                       f"({attempt + 1}/{retries})", err=True)
        time.sleep(min(2.0 ** attempt, 30.0))
    try:
        body = response.json()
    except ValueError:
        body = {"error": response.text.strip()[:500]}
    if isinstance(body.get("detail"), str) and "error" not in body:
        body["error"] = body["detail"]
    return response.status_code, body


def _submit_local(settings: Settings, path: Path, data: bytes, token: str, *,
                  visibility: str | None, allow_warnings: bool) -> tuple[int, dict[str, Any]]:
    from ..plans.loading import ensure_loaded
    from ..plans.registry import PlanRegistry
    from ..plans.submission import Refusal, submit_plan, version_json
    from ..validation import report as rep
    from ..validation.engine import PlanValidator
    from ..validation.inputs import InputError, UploadLimits, read_plan

    try:
        principal = token_registry_for(settings).principal(token)
    except TokenError as exc:
        fail(str(exc), EXIT_ERROR)
        raise
    if principal is None:
        return 401, {"error": "token ongeldig of ingetrokken / invalid or revoked token"}
    try:
        plan = read_plan(data, path.name, None, base=settings.base,
                         limit=settings.max_upload_bytes,
                         limits=UploadLimits.from_settings(settings))
    except InputError as exc:
        return exc.status, {"error": exc.message}
    store = open_for_writing(settings)
    ensure_loaded(store, settings)
    validator = PlanValidator(settings, kb=getattr(store, "oxigraph", None))
    try:
        done = submit_plan(PlanRegistry(store, settings.base), plan, principal, validator,
                           content=data, filename=path.name, visibility=visibility,
                           allow_warnings=allow_warnings)
    except Refusal as exc:
        return exc.status, exc.body
    finally:
        store.flush()
    return (201 if done.created else 200), {
        "stored": True, "created": done.created, "network": done.network,
        **version_json(done.version),
        "report": rep.to_json(done.report) if done.report else None}


def _print_outcome(status: int, body: dict[str, Any], as_json: bool) -> int:
    if as_json:
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
    if status in (200, 201):
        if not as_json:
            what = "opgeslagen / stored" if status == 201 else \
                "al opgeslagen, niets veranderd / already stored, nothing changed"
            typer.echo(f"{what}: netwerk {body['network']}, versie "
                       f"{body['version']} ({body['actions']} acties, {body['visibility']})")
            typer.echo(f"  {body['graph']}")
        return EXIT_STORED
    if not as_json:
        typer.echo(f"geweigerd / refused (HTTP {status}): {body.get('error')}", err=True)
        report = body.get("report")
        if report:
            typer.echo(f"  {report.get('violations', 0)} overtredingen, "
                       f"{report.get('warnings', 0)} waarschuwingen", err=True)
            for r in report.get("results", [])[:50]:
                typer.echo(f"  - {r.get('severity')}: actie {r.get('actie')}: "
                           f"{r.get('message')}", err=True)
        for iri in body.get("resources", [])[:20]:
            typer.echo(f"  - {iri}", err=True)
    if status in (401, 403):
        return EXIT_FORBIDDEN
    if status == 422:
        return EXIT_REFUSED
    if status in (400, 413, 415):
        return EXIT_UNREADABLE
    return EXIT_ERROR


def submit(
    file: Annotated[Path, typer.Argument(help="Het plan: CSV, XLSX, Turtle of JSON-LD.")],
    token: Annotated[str | None, typer.Option(
        "--token", envvar="VITAALKG_TOKEN", help="Toegangstoken (of VITAALKG_TOKEN).")] = None,
    allow_warnings: Annotated[bool, typer.Option(
        "--allow-warnings", help="Ook opslaan als er alleen waarschuwingen zijn.")] = False,
    visibility: Annotated[Visibility | None, typer.Option(
        "--visibility", help="public of restricted (standaard: regionaal restricted, "
        "nationaal public).")] = None,
    server: Annotated[str | None, typer.Option(
        "--server", help="URL van een draaiende service; zonder: direct op de store.")] = None,
    output: Annotated[str, typer.Option("--output", help="text of json")] = "text",
    store: StoreOpt = None,
    timeout: Annotated[float, typer.Option(
        "--timeout", help="Seconden wachten op de server (met --server).")] = 600.0,
    retries: Annotated[int, typer.Option(
        "--retries", help="Zo vaak opnieuw proberen als de verbinding wegvalt (met --server; "
        "veilig: de server slaat het plan hoogstens één keer op).")] = 3,
) -> None:
    """Dien een actieplan in als nieuwe versie. Exitcode 0 opgeslagen, 1 voldoet niet,
    2 onleesbaar, 3 geen toegang, 4 andere fout."""
    if not token:
        fail("geef een token met --token of VITAALKG_TOKEN / a token is needed",
              EXIT_FORBIDDEN)
    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(f"kan {file} niet lezen: {exc.strerror}")
        raise
    vis = visibility.value if visibility else None
    if server:
        status, body = _submit_remote(server, file, data, token or "", visibility=vis,
                                      allow_warnings=allow_warnings, timeout=timeout,
                                      retries=max(0, retries))
    else:
        status, body = _submit_local(settings_for(store), file, data, token or "",
                                     visibility=vis, allow_warnings=allow_warnings)
    raise typer.Exit(_print_outcome(status, body, output == "json"))


def register(app: typer.Typer) -> None:
    """Add ``vitaalkg submit``."""
    app.command("submit")(submit)
