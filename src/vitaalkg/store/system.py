"""System graphs: state that several instances over one triple store share, kept in the store
itself (never in a caller's dataset: their IRIs lie outside ``{base}graph/``, and
:meth:`~.remote.RemoteStore.graphs` leaves them out, so no query, page or dump can reach them).

- :data:`STATE_GRAPH` holds the *write mark*: a random value replaced by every write, in the
  same update request as the write. An instance that sees the mark change knows another
  instance wrote, and drops its caches (:class:`~.remote.RemoteStore` polls it).
- :data:`TOKENS_GRAPH` holds the hashed access tokens (:mod:`vitaalkg.plans.token_store`).
- :data:`CLAIMS_GRAPH` holds claims of plan version numbers (:mod:`vitaalkg.plans.claims`).
"""

from __future__ import annotations

import json
import secrets

PREFIX = "urn:x-vitaalkg:system:"
STATE_GRAPH = PREFIX + "state"
TOKENS_GRAPH = PREFIX + "tokens"
CLAIMS_GRAPH = PREFIX + "claims"
WRITES = PREFIX + "writes"
MARK = PREFIX + "mark"

LOAD = PREFIX + "load"
FINGERPRINT = PREFIX + "fingerprint"

#: the fingerprint of the files last loaded (:mod:`.loader`), shared by every instance
READ_LOAD_STATE = (f"SELECT ?f WHERE {{ GRAPH <{STATE_GRAPH}> {{ <{LOAD}> <{FINGERPRINT}> ?f }} }}")

#: the query that reads the write mark (with ``named-graph-uri`` = :data:`STATE_GRAPH`)
READ_MARK = f"SELECT ?m WHERE {{ GRAPH <{STATE_GRAPH}> {{ <{WRITES}> <{MARK}> ?m }} }}"


def mark_operations() -> str:
    """SPARQL update operations that replace the write mark by a new random value (appended,
    after ``;``, to the request of a write)."""
    value = secrets.token_hex(8)
    return (f"DELETE {{ GRAPH <{STATE_GRAPH}> {{ <{WRITES}> <{MARK}> ?m }} }} "
            f"WHERE {{ GRAPH <{STATE_GRAPH}> {{ <{WRITES}> <{MARK}> ?m }} }} ;\n"
            f"INSERT DATA {{ GRAPH <{STATE_GRAPH}> {{ <{WRITES}> <{MARK}> \"{value}\" }} }}")


def write_load_state(text: str) -> str:
    """The update that records the fingerprint of a load."""
    literal = json.dumps(text)
    return (f"DELETE {{ GRAPH <{STATE_GRAPH}> {{ <{LOAD}> <{FINGERPRINT}> ?f }} }} "
            f"WHERE {{ GRAPH <{STATE_GRAPH}> {{ <{LOAD}> <{FINGERPRINT}> ?f }} }} ;\n"
            f"INSERT DATA {{ GRAPH <{STATE_GRAPH}> {{ <{LOAD}> <{FINGERPRINT}> {literal} }} }}")
