"""Real remote triple stores for the tests: ``oxigraph serve`` and Virtuoso, on 127.0.0.1 only,
each with its own data directory, started and stopped by the test setup."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]

VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0
[Parameters]
ThreadsPerQuery = 1
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}/vsp
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = {max_seconds}
MaxSortedTopRows = 100000
"""

VIRTUOSO_GRANTS = """GRANT SPARQL_UPDATE TO "SPARQL";
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);
"""


class RemoteServer:
    """Common interface of the real servers the remote-store tests run against."""

    name = "remote"
    proc: subprocess.Popen[bytes] | None = None
    query_endpoint = ""
    update_endpoint = ""

    def env(self) -> dict[str, str]:
        """The environment that makes a vitaalkg process use this server."""
        return {"VITAALKG_SPARQL_ENDPOINT": self.query_endpoint,
                "VITAALKG_UPDATE_ENDPOINT": self.update_endpoint}

    def wait_until_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}")
            try:
                r = httpx.get(self.query_endpoint, params={"query": "ASK {}"}, timeout=2,
                              headers={"Accept": "application/sparql-results+json"})
                if r.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{self.name} did not come up in {timeout} s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


class OxigraphServer(RemoteServer):
    """``oxigraph serve`` (PyPI package ``oxigraph``) with its own store directory."""

    name = "oxigraph-server"

    def __init__(self, directory: Path, max_seconds: int = 60) -> None:
        self.directory = directory
        self.max_seconds = max_seconds  # the deployment's own query time limit
        self.port = free_port()
        base = f"http://127.0.0.1:{self.port}"
        self.query_endpoint = f"{base}/query"
        self.update_endpoint = f"{base}/update"

    @staticmethod
    def binary() -> str | None:
        local = Path(sys.executable).parent / "oxigraph"
        return str(local) if local.exists() else shutil.which("oxigraph")

    def start(self) -> OxigraphServer:
        binary = self.binary()
        if binary is None:
            raise RuntimeError("oxigraph binary not found (pip install oxigraph)")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [binary, "serve", "--location", str(self.directory), "--bind",
             f"127.0.0.1:{self.port}", "--timeout-s", str(self.max_seconds)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.wait_until_up(30)
        return self


class VirtuosoServer(RemoteServer):
    """Debian's Virtuoso Open Source with its own ini and database directory."""

    name = "virtuoso"

    def __init__(self, directory: Path, max_seconds: int = 60) -> None:
        self.directory = directory
        self.max_seconds = max_seconds  # MaxQueryExecutionTime: the deployment's own limit
        self.sql_port = free_port()
        self.http_port = free_port()
        self.query_endpoint = f"http://127.0.0.1:{self.http_port}/sparql"
        self.update_endpoint = self.query_endpoint

    @staticmethod
    def binary() -> str | None:
        return shutil.which("virtuoso-t")

    def start(self) -> VirtuosoServer:
        binary = self.binary()
        if binary is None:
            raise RuntimeError("virtuoso-t not found (apt-get install virtuoso-opensource)")
        (self.directory / "vsp").mkdir(parents=True, exist_ok=True)
        ini = self.directory / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(d=self.directory, sql_port=self.sql_port,
                                           http_port=self.http_port,
                                           max_seconds=self.max_seconds), encoding="utf-8")
        self.proc = subprocess.Popen(
            [binary, "+configfile", str(ini), "+foreground"], cwd=self.directory,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.wait_until_up(90)
        isql = shutil.which("isql-vt") or shutil.which("isql")
        if isql is None:
            self.stop()
            raise RuntimeError("isql-vt not found; cannot grant SPARQL update rights")
        subprocess.run([isql, f"127.0.0.1:{self.sql_port}", "dba", "dba"],
                       input=VIRTUOSO_GRANTS.encode(), check=True, capture_output=True,
                       timeout=60)
        return self


REMOTE_SERVERS: dict[str, type[RemoteServer]] = {
    "oxigraph-server": OxigraphServer, "virtuoso": VirtuosoServer}
