"""Run-time settings, read from the environment (``VITAALKG_*``) with sensible defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

DEFAULT_BASE = "https://w3id.org/vitaalkg/"


def _find_root() -> Path:
    """The project directory that holds ``ontology/``, ``shapes/``, ``data/`` and ``queries/``."""
    env = os.environ.get("VITAALKG_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in [Path.cwd(), *here.parents]:
        if (parent / "ontology").is_dir() and (parent / "data").is_dir():
            return parent
    return Path.cwd()


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


@dataclass
class Settings:
    """All settings of one vitaalkg process."""

    base: str = field(default_factory=lambda: os.environ.get("VITAALKG_BASE", DEFAULT_BASE))
    root: Path = field(default_factory=_find_root)
    store_path: Path | None = field(
        default_factory=lambda: Path(os.environ["VITAALKG_STORE"])
        if os.environ.get("VITAALKG_STORE")
        else Path(platformdirs.user_data_dir("vitaalkg")) / "store"
    )
    sparql_endpoint: str | None = field(
        default_factory=lambda: os.environ.get("VITAALKG_SPARQL_ENDPOINT")
    )
    update_endpoint: str | None = field(
        default_factory=lambda: os.environ.get("VITAALKG_UPDATE_ENDPOINT")
    )
    store_user: str | None = field(default_factory=lambda: os.environ.get("VITAALKG_STORE_USER"))
    store_password: str | None = field(
        default_factory=lambda: os.environ.get("VITAALKG_STORE_PASSWORD")
    )
    query_timeout: float = field(
        default_factory=lambda: _env_float("VITAALKG_QUERY_TIMEOUT", 10.0)
    )
    max_results: int = field(default_factory=lambda: _env_int("VITAALKG_MAX_RESULTS", 100_000))
    max_upload_bytes: int = field(
        default_factory=lambda: _env_int("VITAALKG_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
    )
    query_workers: int = field(default_factory=lambda: _env_int("VITAALKG_QUERY_WORKERS", 2))
    query_memory_quads: int = field(
        default_factory=lambda: _env_int("VITAALKG_QUERY_MEMORY_QUADS", 500_000)
    )
    page_timeout: float = field(
        default_factory=lambda: _env_float("VITAALKG_PAGE_TIMEOUT", 30.0)
    )
    public_url: str | None = field(
        default_factory=lambda: os.environ.get("VITAALKG_PUBLIC_URL") or None
    )

    def __post_init__(self) -> None:
        if not self.base.endswith("/"):
            self.base += "/"
        if self.public_url and not self.public_url.endswith("/"):
            self.public_url += "/"

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"
