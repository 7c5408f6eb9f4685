"""Access tokens: created by the operator, stored hashed, revocable.

A token belongs to an organisation (it may submit plans for the networks that organisation is a
member of) or to the project team (it may submit and read everything). Only the SHA-256 of a
token is kept, in a JSON file beside the store (``VITAALKG_TOKENS`` to move it).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

TOKEN_PREFIX = "vkg_"


@dataclass(frozen=True)
class Principal:
    """Who is asking: an organisation, the project team, or nobody (the public)."""

    org: str | None = None
    team: bool = False
    token_id: str | None = None

    @property
    def anonymous(self) -> bool:
        return self.org is None and not self.team


PUBLIC = Principal()


@dataclass
class TokenRecord:
    id: str
    sha256: str
    org: str | None
    team: bool
    created: str
    revoked: str | None = None


class TokenError(Exception):
    """A token operation failed; the message is for the user."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(org: str | None, team: bool) -> tuple[str, TokenRecord]:
    """A fresh token (in clear, shown once) and its record, for an organisation IRI or the
    team; raises TokenError when it would be for both or neither."""
    if (org is None) == (not team):
        raise TokenError("een token hoort bij óf een organisatie (--org) óf het projectteam "
                         "(--team)")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    digest = _hash(token)
    return token, TokenRecord(id=digest[:12], sha256=digest, org=org, team=team,
                              created=datetime.now(UTC).isoformat(timespec="seconds"))


class TokenRegistry:
    """The token file: a JSON list of hashed tokens, rewritten atomically.

    Changes (create, revoke) hold an exclusive lock on ``{file}.lock`` so that two commands at
    once do not lose each other's change; readers never lock (the file is replaced atomically)
    and re-read it only when its modification time or size changed.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._cache: tuple[tuple[int, int, int], list[TokenRecord]] | None = None
        self._cache_lock = threading.Lock()

    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _records(self) -> list[TokenRecord]:
        """The cached records (re-read when the file changed); callers must not change them."""
        stamp = self._stamp()
        if stamp is None:
            return []
        with self._cache_lock:
            if self._cache is not None and self._cache[0] == stamp:
                return self._cache[1]
        try:
            records = [TokenRecord(**item) for item in json.loads(self.path.read_text("utf-8"))]
        except FileNotFoundError:
            return []
        except (ValueError, TypeError) as exc:
            raise TokenError(f"tokenbestand {self.path} is onleesbaar / token file is "
                             f"unreadable: {exc}") from exc
        with self._cache_lock:
            self._cache = (stamp, records)
        return records

    def _read(self) -> list[TokenRecord]:
        """Copies of the records, free to change."""
        return [TokenRecord(**asdict(r)) for r in self._records()]

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = os.open(self.path.with_name(self.path.name + ".lock"),
                       os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(lock, "a") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _write(self, records: list[TokenRecord]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tokens-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump([asdict(r) for r in records], fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

    def create(self, org: str | None = None, team: bool = False) -> tuple[str, TokenRecord]:
        """A new token (returned once, in clear) for an organisation IRI or the team."""
        token, record = new_token(org, team)
        with self._locked():
            records = self._read()
            records.append(record)
            self._write(records)
        return token, record

    def revoke(self, token_or_id: str) -> TokenRecord:
        """Revoke by the token itself or by its id (as `token list` shows it)."""
        digest = _hash(token_or_id) if token_or_id.startswith(TOKEN_PREFIX) else None
        with self._locked():
            records = self._read()
            for record in records:
                if record.sha256 == digest or record.id == token_or_id:
                    if not record.revoked:
                        record.revoked = datetime.now(UTC).isoformat(timespec="seconds")
                        self._write(records)
                    return record
        raise TokenError("onbekend token / unknown token")

    def list(self) -> list[TokenRecord]:
        return self._read()

    def principal(self, token: str) -> Principal | None:
        """The principal of a valid, unrevoked token; None otherwise."""
        if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        digest = _hash(token)
        for record in self._records():
            if secrets.compare_digest(record.sha256, digest):
                if record.revoked:
                    return None
                return Principal(org=record.org, team=record.team, token_id=record.id)
        return None


def principal_for_id(registry: TokenRegistry, token_id: str) -> Principal | None:
    """The principal of the unrevoked token with this id (as a session keeps it); else None."""
    for record in registry._records():
        if secrets.compare_digest(record.id, token_id):
            return None if record.revoked else Principal(org=record.org, team=record.team,
                                                         token_id=record.id)
    return None


def token_file(settings) -> Path:
    """Where the tokens live: ``VITAALKG_TOKENS`` or beside the store."""
    env = os.environ.get("VITAALKG_TOKENS")
    if env:
        return Path(env)
    if settings.store_path is not None:
        return Path(settings.store_path).parent / (Path(settings.store_path).name + "-tokens.json")
    return Path("tokens.json")
