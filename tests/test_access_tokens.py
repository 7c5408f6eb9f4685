"""The token file: only hashes are kept, revocation works at once, concurrent changes are not
lost, and the CLI prints the new token as its last line."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import ROOT

from vitaalkg.plans.tokens import TokenError, TokenRegistry

VR13 = "https://w3id.org/vitaalkg/id/veiligheidsregio/vr13"


def test_tokens_are_stored_hashed_and_revocable(tmp_path: Path) -> None:
    reg = TokenRegistry(tmp_path / "tokens.json")
    token, record = reg.create(org=VR13)
    team, _ = reg.create(team=True)
    text = (tmp_path / "tokens.json").read_text()
    assert token not in text and team not in text and record.sha256 in text
    assert stat.S_IMODE(os.stat(tmp_path / "tokens.json").st_mode) == 0o600
    assert reg.principal(token).org == VR13
    assert reg.principal(team).team
    assert reg.principal(token + "x") is None and reg.principal("") is None
    # another registry object on the same file (the server) sees the revocation at once
    server_view = TokenRegistry(tmp_path / "tokens.json")
    assert server_view.principal(token) is not None
    reg.revoke(record.id)
    assert server_view.principal(token) is None
    assert server_view.principal(team) is not None
    with pytest.raises(TokenError):
        reg.revoke("bestaat-niet")
    with pytest.raises(TokenError):
        reg.create()


def test_concurrent_creates_are_all_kept(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    with ThreadPoolExecutor(8) as pool:
        tokens = list(pool.map(lambda _: TokenRegistry(path).create(team=True)[0], range(24)))
    reg = TokenRegistry(path)
    assert len(reg.list()) == 24
    assert all(reg.principal(t) is not None for t in tokens)


def test_cli_token_commands(tmp_path: Path) -> None:
    env = {**os.environ, "VITAALKG_ROOT": str(ROOT), "VITAALKG_STORE": str(tmp_path / "store"),
           "VITAALKG_TOKENS": str(tmp_path / "t.json")}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "vitaalkg.cli", "token", *args], env=env,
                              capture_output=True, text=True, timeout=120)

    made = cli("create", "--org", "VR13")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    assert TokenRegistry(tmp_path / "t.json").principal(token).org == VR13
    assert cli("create", "--org", "bestaat-niet").returncode == 2
    assert cli("create").returncode == 2
    listed = json.loads(cli("list", "--output", "json").stdout)
    assert [(t["org"], t["revoked"]) for t in listed] == [(VR13, "")]
    assert token not in cli("list").stdout
    assert cli("revoke", token).returncode == 0
    assert json.loads(cli("list", "--output", "json").stdout)[0]["revoked"]
    assert TokenRegistry(tmp_path / "t.json").principal(token) is None
    assert cli("revoke", "vkg_onbekend").returncode == 1
