"""The embedded store's directory under adverse conditions (issue 10, finding 11), with a real
server: a private directory, a read-only directory (served read-only), a full disk (507, and
writing works again once there is space, without a restart).

The read-only and full-disk tests mount a small tmpfs (and a read-only bind mount of it); they
need root and are skipped where mounting is not allowed."""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from plans_support import PlanServer, big_plan

NETWORK = "drinkwater-vitens"
OWNERS = ["VR06", "vitens", "VR05", "VR25"]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextlib.contextmanager
def mounted(target: Path, *options: str) -> Iterator[Path]:
    """``mount OPTIONS target`` for the duration of the block (skip without permission)."""
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", *options, str(target)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here: {done.stderr.strip()}")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


def test_store_directory_and_token_file_are_private(tmp_path: Path) -> None:
    """Failed before the fix: the store directory was created 0755 (world-readable)."""
    srv = PlanServer(tmp_path / "new")
    srv.start()
    try:
        srv.token("--team")
        assert mode(srv.store_dir) == 0o700
        assert mode(srv.tokens) == 0o600
        assert mode(srv.tokens.with_name(srv.tokens.name + ".lock")) == 0o600
    finally:
        srv.stop()
    # a store directory left open to others by an older version is closed on start
    os.chmod(srv.store_dir, 0o755)
    srv.start()
    try:
        assert mode(srv.store_dir) == 0o700
    finally:
        srv.stop()


def test_read_only_store_is_served_read_only(tmp_path: Path) -> None:
    """Failed before the fix: the server did not start on a read-only store directory."""
    srv = PlanServer(tmp_path / "rw")
    srv.start()
    team = srv.token("--team")
    try:
        r = srv.submit(big_plan(NETWORK, OWNERS, 20), team)
        assert r.status_code == 201, r.text
    finally:
        srv.stop()
    with mounted(tmp_path / "ro", "--bind", str(srv.store_dir)) as ro:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(ro)], check=True)
        with pytest.raises(OSError):
            (ro / "probe").write_text("x")
        srv.store_dir = ro
        srv.env["VITAALKG_STORE"] = str(ro)
        srv.start()
        try:
            health = srv.get("/health").json()
            assert health["readOnly"] is True and health["triples"] > 0
            detail = srv.get(f"/plans/{NETWORK}", team).json()
            assert detail["current"]["actions"] == 20
            rows = srv.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?a a "
                              "<https://w3id.org/vitaalkg/def/Action> }", team)
            assert rows.status_code == 200, rows.text
            assert int(rows.json()["results"]["bindings"][0]["n"]["value"]) >= 20
            r = srv.submit(big_plan(NETWORK, OWNERS, 21), team)
            assert r.status_code == 503, r.text
            assert "alleen-lezen" in r.json()["error"] and "read-only" in r.json()["error"]
        finally:
            srv.stop()


def fill(path: Path) -> None:
    """Write ``path`` until the file system is full."""
    chunk = b"\0" * (1 << 20)
    with open(path, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(chunk)
        except OSError:
            pass
        for size in (1 << 16, 1 << 12, 1 << 8, 1):
            try:
                while True:
                    fh.write(chunk[:size])
            except OSError:
                pass


def test_full_disk_answers_507_and_recovers_without_restart(tmp_path: Path) -> None:
    """Failed before the fix: a full disk gave a bare 500, and every submission kept failing
    after space was freed until the server was restarted."""
    with mounted(tmp_path / "disk", "-t", "tmpfs", "-o", "size=80m", "tmpfs") as disk:
        srv = PlanServer(tmp_path / "work")
        srv.store_dir = disk / "store"
        srv.env["VITAALKG_STORE"] = str(srv.store_dir)
        srv.start()
        try:
            team = srv.token("--team")
            r = srv.submit(big_plan(NETWORK, OWNERS, 50, tag="voor "), team)
            assert r.status_code == 201, r.text
            fill(disk / "filler")
            for i in range(2):
                r = srv.submit(big_plan(NETWORK, OWNERS, 3000, tag=f"vol{i} "), team)
                assert r.status_code == 507, r.text
                assert "vol" in r.json()["error"] and "full" in r.json()["error"]
                assert r.json()["stored"] is False
            # reading goes on
            detail = srv.get(f"/plans/{NETWORK}", team).json()
            assert (detail["current"]["version"], detail["current"]["actions"]) == (1, 50)
            (disk / "filler").unlink()
            r = srv.submit(big_plan(NETWORK, OWNERS, 3000, tag="na "), team)
            assert r.status_code == 201, r.text
            assert r.json()["version"] == 2
            detail = srv.get(f"/plans/{NETWORK}", team).json()
            assert (detail["current"]["version"], detail["current"]["actions"]) == (2, 3000)
            rows = srv.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?a a "
                              "<https://w3id.org/vitaalkg/def/Action> }", team)
            assert int(rows.json()["results"]["bindings"][0]["n"]["value"]) >= 3000
        finally:
            srv.stop()
