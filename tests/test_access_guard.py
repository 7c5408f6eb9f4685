"""Tokens under attack and in caches (issue 10, finding 11).

- Wrong tokens are limited per client address (``VITAALKG_AUTH_FAILURES_PER_MINUTE``): beyond
  the budget that address gets 429 with ``Retry-After``; other addresses, valid tokens from
  them and requests without a token go on as before.
- Every answer varies on ``Authorization``; answers to a request with a token are private.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from plans_support import PlanServer

LIMIT = 10


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Iterator[PlanServer]:
    srv = PlanServer(tmp_path_factory.mktemp("guard"), backend)
    srv.env["VITAALKG_AUTH_FAILURES_PER_MINUTE"] = str(LIMIT)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def token(server: PlanServer) -> str:
    return server.token("--org", "VR06")


def client_from(address: str) -> httpx.Client:
    """A client whose connections come from ``address`` (any 127.x.y.z is this machine)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=60.0)


def test_wrong_tokens_are_limited_per_address(server: PlanServer, token: str) -> None:
    """Failed before the fix: every wrong token got 401, at any rate (1,300 tries/s)."""
    wrong = {"Authorization": "Bearer vkg_" + "x" * 43}
    with client_from("127.0.0.2") as attacker:
        codes = [attacker.get(server.url + "/plans", headers=wrong).status_code
                 for _ in range(LIMIT + 15)]
        assert codes[:LIMIT] == [401] * LIMIT
        assert codes[-5:] == [429] * 5
        r = attacker.get(server.url + "/plans", headers=wrong)
        assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 60
        assert "te veel" in r.json()["detail"] and "too many" in r.json()["detail"]
        # the limit holds on every route that reads a token
        r = attacker.post(server.url + "/sparql", data={"query": "ASK {}"}, headers=wrong)
        assert r.status_code == 429
        # without a token, the attacker's address is served as the public
        assert attacker.get(server.url + "/plans").status_code == 200
    # another address: a valid token at full speed, and a wrong one is a plain 401
    with client_from("127.0.0.3") as member:
        good = {"Authorization": f"Bearer {token}"}
        start = time.monotonic()
        codes = [member.get(server.url + "/plans", headers=good).status_code
                 for _ in range(3 * LIMIT)]
        assert codes == [200] * (3 * LIMIT), codes
        print(f"{3 * LIMIT} valid-token requests in {time.monotonic() - start:.2f} s")
        assert member.get(server.url + "/plans", headers=wrong).status_code == 401


def test_answers_to_a_token_are_private_and_vary_on_it(server: PlanServer, token: str) -> None:
    """Failed before the fix: ``/plans``, ``/sparql`` and the pages answered a member without
    ``Cache-Control: private`` and without ``Vary: Authorization``."""
    with client_from("127.0.0.4") as member:
        good = {"Authorization": f"Bearer {token}"}
        for method, path, kw in (
                ("GET", "/plans", {}), ("GET", "/health", {}),
                ("POST", "/sparql", {"data": {"query": "ASK {}"}}),
                ("GET", "/sparql?query=ASK%7B%7D", {}),
                ("GET", "/doc/netwerk/drinkwater-vitens", {}), ("GET", "/", {})):
            r = member.request(method, server.url + path, headers=good, **kw)
            assert r.status_code == 200, (path, r.status_code)
            cache = [d.strip().lower() for d in r.headers.get("cache-control", "").split(",")]
            assert "private" in cache and "public" not in cache, (path, r.headers)
            vary = [v.strip().lower() for v in r.headers.get("vary", "").split(",")]
            assert "authorization" in vary, (path, r.headers)
            anonymous = member.request(method, server.url + path, **kw)
            vary = [v.strip().lower() for v in anonymous.headers.get("vary", "").split(",")]
            assert "authorization" in vary, (path, anonymous.headers)
