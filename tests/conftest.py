"""Shared fixtures: the project settings, a loaded in-memory store, and a real uvicorn server.

The API tests run on every store backend: ``embedded`` (pyoxigraph on disk), ``oxigraph-server``
and ``virtuoso`` (real servers on 127.0.0.1, see ``remote_servers.py``). A test takes the
``backend`` fixture (directly, or through ``live_server``) and is run once per backend; a
``LiveServer`` given a remote backend starts its own fresh remote server, so every live server
has a dataset of its own. Modules in ``EMBEDDED_ONLY`` run on the embedded store only, and
``VITAALKG_TEST_BACKENDS=embedded,virtuoso`` narrows the backends of a run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from remote_servers import REMOTE_SERVERS, RemoteServer, free_port

from vitaalkg.config import Settings
from vitaalkg.plans.loading import load_all
from vitaalkg.store import EmbeddedStore
from vitaalkg.store.remote import RemoteStore

ROOT = Path(__file__).resolve().parents[1]
BACKENDS = ("embedded", *REMOTE_SERVERS)
#: modules whose tests are about the embedded store itself (browser tests: the page logic is
#: the same on every backend and the API tests already cover it there)
EMBEDDED_ONLY = {
    # kill -9 of our server and the RocksDB log recovery, backup/restore of the store
    # directory: on a remote store the data and its transactions belong to the remote server
    "test_durability",
    "test_browser",
    "test_monitoring_browser",
}
__all__ = ["BACKENDS", "ROOT", "LiveServer", "free_port"]


def selected_backends() -> list[str]:
    """The backends of this run (all, unless ``VITAALKG_TEST_BACKENDS`` names some)."""
    wanted = os.environ.get("VITAALKG_TEST_BACKENDS")
    if not wanted:
        return list(BACKENDS)
    names = [n.strip() for n in wanted.split(",") if n.strip()]
    unknown = set(names) - set(BACKENDS)
    if unknown:
        raise pytest.UsageError(f"VITAALKG_TEST_BACKENDS: unknown {sorted(unknown)}")
    return names


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that uses ``backend`` runs once per backend (embedded only in EMBEDDED_ONLY)."""
    if "backend" not in metafunc.fixturenames:
        return
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    names = ["embedded"] if module in EMBEDDED_ONLY else selected_backends()
    marks = {n: [pytest.mark.remote] if n != "embedded" else [] for n in names}
    metafunc.parametrize("backend", [pytest.param(n, marks=marks[n], id=n) for n in names],
                         indirect=True, scope="session")


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    """The store backend of the test: ``embedded``, ``oxigraph-server`` or ``virtuoso``."""
    name = getattr(request, "param", "embedded")
    if name != "embedded" and REMOTE_SERVERS[name].binary() is None:
        pytest.skip(f"{name} is not installed (.ci/run installs it: oxigraph from PyPI, "
                    "virtuoso-opensource from apt)")
    return name


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


class LiveServer:
    """A ``vitaalkg serve`` process on 127.0.0.1 with its own store: a directory (embedded), or
    a fresh remote server of its own (``backend`` ``oxigraph-server`` or ``virtuoso``), or the
    ``remote`` server of another instance (several instances over one store; the instance
    that started it stops it)."""

    def __init__(self, store_dir: Path, env: dict[str, str] | None = None,
                 backend: str = "embedded", remote: RemoteServer | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.store_dir = store_dir
        self.backend = backend
        self.remote: RemoteServer | None = None
        self.env = {**os.environ, "VITAALKG_ROOT": str(ROOT), "VITAALKG_STORE": str(store_dir),
                    **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        if backend != "embedded":
            # as a deployment would: the remote's own limit just above ours
            # (VITAALKG_QUERY_TIMEOUT), so a runaway does not keep it busy long after
            ours = float(self.env.get("VITAALKG_QUERY_TIMEOUT") or 10.0)
            directory = store_dir.parent / f"{store_dir.name}-{backend}-{self.port}"
            self.owns_remote = remote is None
            self.remote = remote or REMOTE_SERVERS[backend](directory, max_seconds=int(ours) + 2)
            self.env.update(self.remote.env())

    def _start_remote(self) -> None:
        if self.remote is not None and (self.remote.proc is None
                                        or self.remote.proc.poll() is not None):
            self.remote.start()

    def open_store(self) -> EmbeddedStore | RemoteStore:
        """The store this server uses, opened from the test (start the server only after
        closing it: an embedded store directory has one writer)."""
        if self.remote is None:
            return EmbeddedStore(self.store_dir)
        self._start_remote()
        return RemoteStore(self.remote.query_endpoint, self.remote.update_endpoint)

    def start(self, timeout: float = 180.0) -> LiveServer:
        self._start_remote()
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
        """Stop the server, then its remote store server (its data directory stays, so a
        restart with :meth:`start` finds the same data)."""
        self._stop_service()
        if self.remote is not None and getattr(self, "owns_remote", True):
            self.remote.stop()

    def _stop_service(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@pytest.fixture(scope="session")
def live_server(backend: str, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[LiveServer]:
    """One real server per backend for the whole session (read-only tests share it)."""
    server = LiveServer(tmp_path_factory.mktemp("live") / "store", backend=backend)
    try:
        yield server.start()
    finally:
        server.stop()


# -- headless Chromium (Debian's package, driven by Playwright; never 'playwright install') ------
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A headless Chromium for the browser tests of one module. Module scope, not session:
    Playwright's sync API keeps an event loop running while it is open, which would break
    ``asyncio.run`` in later tests."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture()
def page(browser: object) -> Iterator[object]:
    """A page in a fresh browser context, 1280 px wide (see ``browser_support.new_page``)."""
    from browser_support import new_page

    pg = new_page(browser)
    yield pg
    pg.context.close()
