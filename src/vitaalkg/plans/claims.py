"""Version numbers claimed in the store, so that several instances over one remote store never
give two submissions the same number and never lose one.

A claim is one triple ``<claim/{network}/{n}> by "{time}|{random}"`` in the claims graph of
:mod:`vitaalkg.store.system`, inserted by one SPARQL update whose ``WHERE`` only matches while
``n`` is unclaimed, then read back: the claimant wins only if its claim is the *only* one. At
most one claimant can win, whatever the server's transaction isolation: a claim is never
removed while its owner may still win, so the later of two readers always sees both. A loser
removes its own claim and tries the next free number. A won claim stays (one small triple per
version): were it removed after the write, a claimant that read the versions just before the
write could win the same number again. A claim left by an instance that died between claiming
and writing is removed once it is older than :data:`STALE_SECONDS`.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from ..store import Store
from ..store.system import CLAIMS_GRAPH, PREFIX

BY = PREFIX + "claimedBy"
#: a claim older than this, whose version was never written, belongs to a dead instance
STALE_SECONDS = 30.0


def claim_iri(key: str, n: int) -> str:
    return f"{PREFIX}claim/{quote(key, safe='')}/{n}"


def new_owner() -> str:
    """A claimant: the time of the claim and a random part."""
    return f"{datetime.now(UTC).isoformat(timespec='milliseconds')}|{secrets.token_hex(8)}"


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _claimants(store: Store, iri: str) -> set[str]:
    rows = store.select(f"SELECT ?x WHERE {{ GRAPH <{CLAIMS_GRAPH}> {{ <{iri}> <{BY}> ?x }} }}",
                        default_graph=[], named_graphs=[CLAIMS_GRAPH])
    return {r["x"] for r in rows}


def _remove(store: Store, iri: str, owners: set[str]) -> None:
    triples = " ".join(f"<{iri}> <{BY}> {_literal(o)} ." for o in owners)
    store.update(f"DELETE DATA {{ GRAPH <{CLAIMS_GRAPH}> {{ {triples} }} }}")


def _stale(owner: str, now: datetime) -> bool:
    try:
        at = datetime.fromisoformat(owner.split("|", 1)[0])
    except ValueError:
        return True
    return now - at > timedelta(seconds=STALE_SECONDS)


def try_claim(store: Store, key: str, n: int, owner: str) -> bool:
    """Claim version ``n`` of ``key``'s plan for ``owner``; True when it is ours alone."""
    iri = claim_iri(key, n)
    taken = f"GRAPH <{CLAIMS_GRAPH}> {{ <{iri}> <{BY}> ?x }}"
    store.update(f"INSERT {{ GRAPH <{CLAIMS_GRAPH}> {{ <{iri}> <{BY}> {_literal(owner)} }} }} "
                 f"WHERE {{ FILTER NOT EXISTS {{ {taken} }} }}")
    claimants = _claimants(store, iri)
    if claimants == {owner}:
        return True
    if owner in claimants:
        _remove(store, iri, {owner})
    else:
        now = datetime.now(UTC)
        if claimants and all(_stale(o, now) for o in claimants):
            _remove(store, iri, claimants)
    return False


def release(store: Store, key: str, n: int, owner: str) -> None:
    """Give up a won claim whose version could not be written."""
    _remove(store, claim_iri(key, n), {owner})
