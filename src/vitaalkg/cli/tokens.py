"""The commands ``vitaalkg token create|revoke|list``: access tokens of organisations and of
the project team (stored hashed, shown once)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ..config import Settings
from ..plans.token_store import token_registry_for
from ..plans.tokens import TokenError
from .options import StoreOpt, fail, settings_for

token_app = typer.Typer(help="Toegangstokens: aanmaken, intrekken, tonen.", no_args_is_help=True)


def organisation_iri(value: str, settings: Settings) -> str:
    """``VR13`` / ``vitens`` / a full IRI → the IRI of a known organisation (else an error)."""
    from ..validation.convert import organisation
    from ..validation.engine import KnowledgeContext

    iri = value if value.startswith(("http://", "https://")) else organisation(
        value, settings.base).value
    known = {o.value for o in KnowledgeContext.from_files(settings).organisations}
    if iri not in known:
        fail(f"onbekende organisatie '{value}' ({iri}) / unknown organisation")
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
        fail("geef óf --org óf --team / give either --org or --team")
    iri = organisation_iri(org, settings) if org else None
    registry = token_registry_for(settings)
    try:
        token, record = registry.create(org=iri, team=team)
    except TokenError as exc:
        fail(str(exc))
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
    registry = token_registry_for(settings_for(store))
    try:
        record = registry.revoke(token)
    except TokenError as exc:
        fail(str(exc), 1)
        raise
    typer.echo(f"ingetrokken / revoked: {record.id} ({record.org or 'projectteam'}) "
               f"op {record.revoked}")


@token_app.command("list")
def token_list(
    output: Annotated[str, typer.Option("--output", help="table of json")] = "table",
    store: StoreOpt = None,
) -> None:
    """Toon de tokens (id, organisatie, aangemaakt, ingetrokken); nooit de tokens zelf."""
    registry = token_registry_for(settings_for(store))
    try:
        records = registry.list()
    except TokenError as exc:
        fail(str(exc))
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


def register(app: typer.Typer) -> None:
    """Add the ``vitaalkg token`` group."""
    app.add_typer(token_app, name="token")
