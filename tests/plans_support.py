"""Helpers for the plan, access and durability tests: a server with its own store and token
file, tokens made with the real CLI, and generated plans."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from conftest import ROOT, LiveServer

EXAMPLES = ROOT / "data" / "examples"
BASE = "https://w3id.org/vitaalkg/"
VKG = BASE + "def/"
HEADER = ("netwerk;actie;omschrijving;thema;status;verantwoordelijke;start;deadline;"
          "financiering;kosten")


class PlanServer(LiveServer):
    """A live server whose store directory and token file belong to one test module."""

    def __init__(self, workdir: Path, backend: str = "embedded", **kw: Any) -> None:
        self.workdir = workdir
        self.tokens = workdir / "tokens.json"
        env = {"VITAALKG_TOKENS": str(self.tokens), "VITAALKG_QUERY_CACHE_MB": "16",
               **kw.pop("env", {})}
        super().__init__(workdir / "store", env=env, backend=backend, **kw)

    def cli(self, *args: str, check: bool = True, timeout: float = 300.0
            ) -> subprocess.CompletedProcess[str]:
        """``vitaalkg ARGS`` with the server's environment (store, token file)."""
        result = subprocess.run([sys.executable, "-m", "vitaalkg.cli", *args], env=self.env,
                                capture_output=True, text=True, timeout=timeout, cwd=ROOT)
        if check and result.returncode != 0:
            raise AssertionError(f"vitaalkg {' '.join(args)} -> {result.returncode}\n"
                                 f"{result.stdout}\n{result.stderr}")
        return result

    def token(self, *args: str) -> str:
        """A new token from ``vitaalkg token create ARGS`` (its last line of output)."""
        out = self.cli("token", "create", *args).stdout.strip().splitlines()
        token = out[-1].strip()
        assert token.startswith("vkg_"), out
        return token

    def get(self, path: str, token: str | None = None, **kw: object) -> httpx.Response:
        headers = dict(kw.pop("headers", {}) or {})  # type: ignore[arg-type]
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.get(self.url + path, headers=headers, timeout=120.0, **kw)  # type: ignore[arg-type]

    def submit(self, body: bytes, token: str | None, *, ctype: str = "text/csv",
               timeout: float = 600.0, **params: str) -> httpx.Response:
        headers = {"Content-Type": ctype}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.post(self.url + "/plans", content=body, headers=headers, params=params,
                          timeout=timeout)

    def sparql(self, query: str, token: str | None = None, accept: str =
               "application/sparql-results+json", **params: object) -> httpx.Response:
        headers = {"Accept": accept}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.post(self.url + "/sparql", data={"query": query, **params},
                          headers=headers, timeout=120.0)

    def kill(self) -> None:
        """SIGKILL the server (no shutdown hooks, no flush)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@contextlib.contextmanager
def running(workdir: Path, backend: str = "embedded", **kw: Any) -> Iterator[PlanServer]:
    """A started :class:`PlanServer` in ``workdir``, stopped afterwards."""
    server = PlanServer(workdir, backend, **kw)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def example(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


def revised_vitens_plan(marker: str = "") -> bytes:
    """The correct Vitens example, revised: A1 costs more, A3 is cancelled, A4 is gone, A6 is
    new (``marker`` is put in front of every description)."""
    lines = example("plan-drinkwater-vitens-correct.csv").decode("utf-8").splitlines()
    out = []
    for line in lines:
        cells = line.split(";")
        if len(cells) > 2 and cells[1] == "A4":
            continue
        if len(cells) > 2 and cells[1] == "A1":
            cells[9] = "6000"
        if len(cells) > 2 and cells[1] == "A3":
            cells[4] = "vervallen"
        out.append(";".join(cells))
    out.append("drinkwater-vitens;A6;Nieuwe oefening met de drinkwaterketen;5;open;VR05;"
               "2025-01-01;2099-12-31;reguliere capaciteit;;")
    text = "\n".join(out) + "\n"
    return mark(text.encode("utf-8"), marker)


def mark(csv_bytes: bytes, marker: str) -> bytes:
    """Put ``marker`` in front of every description of a plan CSV."""
    if not marker:
        return csv_bytes
    lines = csv_bytes.decode("utf-8").splitlines()
    out = []
    for line in lines:
        cells = line.split(";")
        if len(cells) > 2 and cells[0] and not cells[0].startswith(("#", "netwerk")):
            cells[2] = f"{marker} {cells[2]}"
        out.append(";".join(cells))
    return ("\n".join(out) + "\n").encode("utf-8")


def big_plan(network: str, owners: list[str], n: int, *, tag: str = "") -> bytes:
    """A conforming plan with ``n`` actions (no warnings: deadlines far ahead)."""
    rows = [HEADER]
    statuses = ["open", "in uitvoering", "afgerond"]
    for i in range(1, n + 1):
        status = statuses[i % 3]
        owner = owners[i % len(owners)]
        rows.append(f"{network};B{i};{tag}Synthetische actie {i};{i % 8 + 1};{status};{owner};"
                    f"2025-01-01;2099-{i % 12 + 1:02d}-28;reguliere capaciteit;{i * 10}")
    return ("\n".join(rows) + "\n").encode("utf-8")


def env_without_proxy() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
