"""Shared fixtures: the project settings, a loaded in-memory store, and a real uvicorn server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from vitaalkg.config import Settings
from vitaalkg.loader import load_all
from vitaalkg.store import EmbeddedStore

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    s = Settings()
    s.root = ROOT
    s.store_path = tmp_path_factory.mktemp("store") / "kb"
    return s


@pytest.fixture(scope="session")
def kb(settings: Settings) -> EmbeddedStore:
    """The whole knowledge base, loaded into an in-memory store."""
    store = EmbeddedStore(None)
    load_all(store, settings)
    return store


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """A ``vitaalkg serve`` process on 127.0.0.1 with its own store directory."""

    def __init__(self, store_dir: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.store_dir = store_dir
        self.env = {**os.environ, "VITAALKG_ROOT": str(ROOT), "VITAALKG_STORE": str(store_dir),
                    **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> LiveServer:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "vitaalkg.cli", "serve", "--host", "127.0.0.1",
             "--port", str(self.port)],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"server exited: {err[-2000:]}")
            try:
                if httpx.get(self.url + "/health", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not become healthy")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One real server for the whole session (read-only tests share it)."""
    server = LiveServer(tmp_path_factory.mktemp("live") / "store").start()
    yield server
    server.stop()
