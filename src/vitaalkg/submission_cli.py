"""Commands for plan submission, access tokens and backups: ``vitaalkg submit``,
``vitaalkg token create|revoke|list``, ``vitaalkg backup`` and ``vitaalkg restore``.

Backups hold every graph of the store (knowledge, plan versions, provenance) as gzip-compressed
N-Quads, with a first comment line that records the number of quads. Tokens are *not* part of a
backup: the token file holds credentials (hashed) of a deployment and is backed up with its
secrets, not with its data; restoring a backup leaves the token file as it is.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import re
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from .auth import TokenError, TokenRegistry, token_file
from .cli_options import StoreOpt, settings_for
from .config import Settings

BACKUP_MAGIC = "# vitaalkg-backup"
HEADER_RE = re.compile(r"^# vitaalkg-backup v1 quads=(\d+) graphs=(\d+) base=(\S+)")

EXIT_STORED, EXIT_REFUSED, EXIT_UNREADABLE, EXIT_FORBIDDEN, EXIT_ERROR = 0, 1, 2, 3, 4



class Visibility(StrEnum):
    public = "public"
    restricted = "restricted"


def _fail(message: str, code: int = EXIT_UNREADABLE) -> None:
    typer.echo(f"fout: {message}", err=True)
    raise typer.Exit(code)


def _open_store(settings: Settings) -> Any:
    from .store import StoreError, open_store

    try:
        return open_store(settings)
    except (StoreError, OSError) as exc:
        _fail(f"kan de store niet openen (draait de server nog?) / cannot open the store "
              f"(is the server still running?): {exc}", EXIT_ERROR)
        raise


# -- submit ------------------------------------------------------------------------------------
def _submit_remote(server: str, path: Path, data: bytes, token: str, *,
                   visibility: str | None, allow_warnings: bool) -> tuple[int, dict[str, Any]]:
    import httpx

    from .validation.inputs import SUFFIXES

    media = {"turtle": "text/turtle", "jsonld": "application/ld+json", "csv": "text/csv",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    ctype = media.get(SUFFIXES.get(path.suffix.lower(), ""), "application/octet-stream")
    params: dict[str, str] = {"allow_warnings": "true" if allow_warnings else "false"}
    if visibility:
        params["visibility"] = visibility
    try:
        response = httpx.post(server.rstrip("/") + "/plans", params=params,
                              files={"file": (path.name, data, ctype)},
                              headers={"Authorization": f"Bearer {token}",
                                       "Accept": "application/json"}, timeout=600.0)
    except httpx.HTTPError as exc:
        _fail(f"de server {server} antwoordt niet / no answer: {exc}", EXIT_ERROR)
        raise
    try:
        body = response.json()
    except ValueError:
        body = {"error": response.text.strip()[:500]}
    if isinstance(body.get("detail"), str) and "error" not in body:
        body["error"] = body["detail"]
    return response.status_code, body


def _submit_local(settings: Settings, path: Path, data: bytes, token: str, *,
                  visibility: str | None, allow_warnings: bool) -> tuple[int, dict[str, Any]]:
    from .loader import ensure_loaded
    from .plans import PlanRegistry
    from .submission import Refusal, submit_plan, version_json
    from .validation import report as rep
    from .validation.engine import PlanValidator
    from .validation.inputs import InputError, read_plan

    try:
        principal = TokenRegistry(token_file(settings)).principal(token)
    except TokenError as exc:
        _fail(str(exc), EXIT_ERROR)
        raise
    if principal is None:
        return 401, {"error": "token ongeldig of ingetrokken / invalid or revoked token"}
    try:
        plan = read_plan(data, path.name, None, base=settings.base,
                         limit=settings.max_upload_bytes)
    except InputError as exc:
        return exc.status, {"error": exc.message}
    store = _open_store(settings)
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
    return 201, {"stored": True, "network": done.network, **version_json(done.version),
                 "report": rep.to_json(done.report)}


def _print_outcome(status: int, body: dict[str, Any], as_json: bool) -> int:
    if as_json:
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
    if status == 201:
        if not as_json:
            typer.echo(f"opgeslagen / stored: netwerk {body['network']}, versie "
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
) -> None:
    """Dien een actieplan in als nieuwe versie. Exitcode 0 opgeslagen, 1 voldoet niet,
    2 onleesbaar, 3 geen toegang, 4 andere fout."""
    if not token:
        _fail("geef een token met --token of VITAALKG_TOKEN / a token is needed",
              EXIT_FORBIDDEN)
    try:
        data = file.read_bytes()
    except OSError as exc:
        _fail(f"kan {file} niet lezen: {exc.strerror}")
        raise
    vis = visibility.value if visibility else None
    if server:
        status, body = _submit_remote(server, file, data, token or "", visibility=vis,
                                      allow_warnings=allow_warnings)
    else:
        status, body = _submit_local(settings_for(store), file, data, token or "",
                                     visibility=vis, allow_warnings=allow_warnings)
    raise typer.Exit(_print_outcome(status, body, output == "json"))


# -- tokens ------------------------------------------------------------------------------------
token_app = typer.Typer(help="Toegangstokens: aanmaken, intrekken, tonen.", no_args_is_help=True)


def organisation_iri(value: str, settings: Settings) -> str:
    """``VR13`` / ``vitens`` / a full IRI → the IRI of a known organisation (else an error)."""
    from .validation.convert import organisation
    from .validation.engine import KnowledgeContext

    iri = value if value.startswith(("http://", "https://")) else organisation(
        value, settings.base).value
    known = {o.value for o in KnowledgeContext.from_files(settings).organisations}
    if iri not in known:
        _fail(f"onbekende organisatie '{value}' ({iri}) / unknown organisation")
    return iri


@token_app.command("create")
def token_create(
    org: Annotated[str | None, typer.Option(
        "--org", help="Organisatie: regiocode (VR13) of sleutel (vitens).")] = None,
    team: Annotated[bool, typer.Option("--team", help="Token van het projectteam.")] = False,
    store: StoreOpt = None,
) -> None:
    """Maak een token; het token zelf staat op de laatste regel (alleen nu te zien)."""
    settings = settings_for(store)
    if (org is None) == (not team):
        _fail("geef óf --org óf --team / give either --org or --team")
    iri = organisation_iri(org, settings) if org else None
    registry = TokenRegistry(token_file(settings))
    try:
        token, record = registry.create(org=iri, team=team)
    except TokenError as exc:
        _fail(str(exc))
        raise
    typer.echo(f"token {record.id} voor {'het projectteam' if team else iri} in "
               f"{registry.path}; bewaar het goed, het wordt niet opnieuw getoond:")
    typer.echo(token)


@token_app.command("revoke")
def token_revoke(
    token: Annotated[str, typer.Argument(help="Het token, of zijn id uit 'token list'.")],
    store: StoreOpt = None,
) -> None:
    """Trek een token in (direct van kracht, ook voor een draaiende server)."""
    registry = TokenRegistry(token_file(settings_for(store)))
    try:
        record = registry.revoke(token)
    except TokenError as exc:
        _fail(str(exc), 1)
        raise
    typer.echo(f"ingetrokken / revoked: {record.id} ({record.org or 'projectteam'}) "
               f"op {record.revoked}")


@token_app.command("list")
def token_list(
    output: Annotated[str, typer.Option("--output", help="table of json")] = "table",
    store: StoreOpt = None,
) -> None:
    """Toon de tokens (id, organisatie, aangemaakt, ingetrokken); nooit de tokens zelf."""
    registry = TokenRegistry(token_file(settings_for(store)))
    try:
        records = registry.list()
    except TokenError as exc:
        _fail(str(exc))
        raise
    rows = [{"id": r.id, "org": r.org or "", "team": r.team, "created": r.created,
             "revoked": r.revoked or ""} for r in records]
    if output == "json":
        typer.echo(json.dumps(rows, indent=2))
        return
    typer.echo(f"{'id':12}  {'wie / who':60}  {'aangemaakt':25}  ingetrokken")
    for r in rows:
        who = "projectteam" if r["team"] else r["org"]
        typer.echo(f"{r['id']:12}  {who:60}  {r['created']:25}  {r['revoked']}")
    typer.echo(f"({len(rows)} tokens, {registry.path})")


# -- backup / restore ----------------------------------------------------------------------------
def backup(
    file: Annotated[Path, typer.Argument(help="Doelbestand (N-Quads, gzip), bijv. kb.nq.gz")],
    store: StoreOpt = None,
) -> None:
    """Schrijf een volledige back-up van de store (alle graphs, planversies, herkomst).
    Tokens horen er niet bij (zie 'vitaalkg token')."""
    import pyoxigraph as ox

    settings = settings_for(store)
    st = _open_store(settings)
    data = st.dump("nquads")
    quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    header = (f"{BACKUP_MAGIC} v1 quads={len(quads)} graphs={len(graphs)} base={settings.base} "
              f"created={dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}\n")
    file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.")
    try:
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            gz.write(header.encode("utf-8"))
            gz.write(data)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, file)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    typer.echo(f"back-up: {len(quads)} quads in {len(graphs)} graphs -> {file}")


def read_backup(file: Path, base: str) -> tuple[list[Any], int]:
    """All quads of a backup, checked against its header; raises ValueError when it is not a
    complete backup of this base."""
    import pyoxigraph as ox

    raw = file.read_bytes()
    try:
        data = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    except (OSError, EOFError) as exc:
        raise ValueError(f"gzip onleesbaar / unreadable gzip: {exc}") from exc
    first = data.split(b"\n", 1)[0].decode("utf-8", "replace")
    m = HEADER_RE.match(first)
    if not m:
        raise ValueError("geen vitaalkg-back-up (kopregel ontbreekt) / not a vitaalkg backup")
    expected, graphs = int(m.group(1)), int(m.group(2))
    if m.group(3) != base:
        raise ValueError(f"back-up is van basis {m.group(3)}, deze store gebruikt {base}")
    try:
        quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    except SyntaxError as exc:
        raise ValueError(f"N-Quads onleesbaar / unreadable: {exc}") from exc
    if len(quads) != expected:
        raise ValueError(f"back-up onvolledig: {len(quads)} van {expected} quads / "
                         "incomplete backup")
    return quads, graphs


def replace_all(st: Any, quads: list[Any]) -> None:
    """Replace the whole content of the store by ``quads`` in ONE update (one transaction)."""
    import pyoxigraph as ox

    by_graph: dict[Any, list[str]] = {}
    for q in quads:
        by_graph.setdefault(q.graph_name, []).append(f"{q.subject} {q.predicate} {q.object} .")
    parts = ["DROP ALL ;", "INSERT DATA {"]
    for graph, lines in by_graph.items():
        if isinstance(graph, ox.DefaultGraph):
            parts += lines
        else:
            parts.append(f"GRAPH {graph} {{")
            parts += lines
            parts.append("}")
    parts.append("}")
    st.update("\n".join(parts))
    st.flush()


def restore(
    file: Annotated[Path, typer.Argument(help="Een back-up van 'vitaalkg backup'.")],
    store: StoreOpt = None,
) -> None:
    """Zet een back-up terug: alles of niets (eerst de hele back-up lezen en controleren,
    dan in één transactie de store vervangen). De server moet gestopt zijn."""
    from .plans import invalidate

    settings = settings_for(store)
    try:
        quads, graphs = read_backup(file, settings.base)
    except OSError as exc:
        _fail(f"kan {file} niet lezen: {exc.strerror}")
        raise
    except ValueError as exc:
        _fail(f"{file}: {exc}", 1)
        raise
    st = _open_store(settings)
    try:
        replace_all(st, quads)
    except Exception as exc:  # noqa: BLE001 - the store's message, nothing was changed
        _fail(f"terugzetten mislukt, de store is ongewijzigd / restore failed, the store is "
              f"unchanged: {exc}", EXIT_ERROR)
    invalidate(st)
    typer.echo(f"teruggezet / restored: {len(quads)} quads in {graphs} graphs uit {file} "
               f"({st.triple_count()} quads in de store)")


def register(app: typer.Typer) -> None:
    """Add the submission, token and backup commands to the ``vitaalkg`` CLI."""
    app.command("submit")(submit)
    app.add_typer(token_app, name="token")
    app.command("backup")(backup)
    app.command("restore")(restore)

