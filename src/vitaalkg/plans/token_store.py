"""Access tokens kept in the triple store, for instances that share a remote store: the same
records as the token file (:class:`~.tokens.TokenRecord`, only the SHA-256 of a token), as
triples in the tokens graph of :mod:`vitaalkg.store.system`, which no caller's dataset contains.

Creating and revoking are single SPARQL updates, so instances never overwrite each other's
changes. A token (or a session's token id) is checked against the tokens as the store holds them
on every use (:meth:`StoreTokenRegistry._records`): a token created on one instance works on
all at once, and one revoked on any instance is refused by all at once.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..config import Settings
from ..store import Store
from ..store.system import PREFIX, TOKENS_GRAPH
from .tokens import (
    TOKEN_PREFIX,
    TokenError,
    TokenRecord,
    TokenRegistry,
    _hash,
    new_token,
    token_file,
)

T = PREFIX + "token#"
#: the longest a looked-up token record is trusted (revocation takes effect within it)
CACHE_SECONDS = 1.0


def _lit(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


class StoreTokenRegistry(TokenRegistry):
    """The token registry of a (remote) store; same interface as the file registry."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.path = Path(f"<{TOKENS_GRAPH}>")  # for messages: where the tokens are
        self._cache: Any = None
        self._cache_lock = threading.Lock()

    def _iri(self, record_id: str) -> str:
        return f"{PREFIX}token/{record_id}"

    def _read(self) -> list[TokenRecord]:
        key = getattr(self.store, "generation", None)
        now = time.monotonic()
        with self._cache_lock:
            if self._cache is not None and self._cache[0] == key and now - self._cache[1] < \
                    CACHE_SECONDS:
                return [TokenRecord(**asdict(r)) for r in self._cache[2]]
        rows = self.store.select(f"""
            SELECT ?id ?sha ?org ?team ?created ?revoked WHERE {{ GRAPH <{TOKENS_GRAPH}> {{
              ?t <{T}id> ?id ; <{T}sha256> ?sha ; <{T}team> ?team ; <{T}created> ?created .
              OPTIONAL {{ ?t <{T}org> ?org }} OPTIONAL {{ ?t <{T}revoked> ?revoked }} }} }}""",
            default_graph=[], named_graphs=[TOKENS_GRAPH])
        records: dict[str, TokenRecord] = {}
        for r in rows:
            record = records.setdefault(r["id"], TokenRecord(
                id=r["id"], sha256=r["sha"], org=r["org"], team=r["team"] == "true",
                created=r["created"]))
            if r["revoked"] and (record.revoked is None or r["revoked"] < record.revoked):
                record.revoked = r["revoked"]
        result = sorted(records.values(), key=lambda r: (r.created, r.id))
        with self._cache_lock:
            self._cache = (key, now, result)
        return [TokenRecord(**asdict(r)) for r in result]

    def _records(self) -> list[TokenRecord]:
        """The records as the store holds them now (a session checks its token on every
        request: a revocation on any instance counts at once)."""
        self._forget()
        return self._read()

    def _insert(self, record: TokenRecord) -> None:
        s = f"<{self._iri(record.id)}>"
        parts = [f"{s} <{T}id> {_lit(record.id)} ; <{T}sha256> {_lit(record.sha256)} ; "
                 f"<{T}team> {_lit('true' if record.team else 'false')} ; "
                 f"<{T}created> {_lit(record.created)} ."]
        if record.org:
            parts.append(f"{s} <{T}org> {_lit(record.org)} .")
        if record.revoked:
            parts.append(f"{s} <{T}revoked> {_lit(record.revoked)} .")
        self.store.update(f"INSERT DATA {{ GRAPH <{TOKENS_GRAPH}> {{ {' '.join(parts)} }} }}")
        self._forget()

    def _forget(self) -> None:
        with self._cache_lock:
            self._cache = None

    def create(self, org: str | None = None, team: bool = False) -> tuple[str, TokenRecord]:
        """A new token (returned once, in clear) for an organisation IRI or the team."""
        token, record = new_token(org, team)
        self._insert(record)
        return token, record

    def revoke(self, token_or_id: str) -> TokenRecord:
        """Revoke by the token itself or by its id (one update; the earliest revocation
        counts when two instances revoke at once)."""
        digest = _hash(token_or_id) if token_or_id.startswith(TOKEN_PREFIX) else None
        self._forget()
        for record in self._read():
            if record.sha256 == digest or record.id == token_or_id:
                if not record.revoked:
                    record.revoked = datetime.now(UTC).isoformat(timespec="seconds")
                    self.store.update(
                        f"INSERT DATA {{ GRAPH <{TOKENS_GRAPH}> {{ <{self._iri(record.id)}> "
                        f"<{T}revoked> {_lit(record.revoked)} }} }}")
                    self._forget()
                return record
        raise TokenError("onbekend token / unknown token")

    def import_file(self, path: Path) -> int:
        """Copy the records of a token file that the store does not hold yet; their number."""
        known = {r.sha256 for r in self._read()}
        added = 0
        for record in TokenRegistry(path).list():
            if record.sha256 not in known:
                self._insert(record)
                added += 1
        return added


def token_registry_for(settings: Settings, store: Store | None = None) -> TokenRegistry:
    """The tokens of this deployment: in the remote store when one is configured (a token
    file left from before is imported once and renamed ``*.migrated``), else the file beside
    the embedded store."""
    if not settings.sparql_endpoint:
        return TokenRegistry(token_file(settings))
    if store is None:
        from ..store import open_store

        store = open_store(settings)
    registry = StoreTokenRegistry(store)
    legacy = token_file(settings)
    if legacy.is_file():
        registry.import_file(legacy)
        legacy.replace(legacy.with_name(legacy.name + ".migrated"))
    return registry
