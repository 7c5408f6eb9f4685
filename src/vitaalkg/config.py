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


PUBLISHER_TYPES = ("Academia-ScientificOrganisation", "Company", "IndustryConsortium",
                   "LocalAuthority", "NationalAuthority", "NonGovernmentalOrganisation",
                   "NonProfitOrganisation", "PrivateIndividual(s)", "RegionalAuthority",
                   "StandardisationBody", "SupraNationalAuthority")
AVAILABILITIES = ("AVAILABLE", "EXPERIMENTAL", "STABLE", "TEMPORARY")


def check_dataset_settings(settings: Settings) -> None:
    """A clear error for a value the dataset description cannot use."""
    if settings.publisher_type not in PUBLISHER_TYPES:
        raise ValueError(
            f"VITAALKG_PUBLISHER_TYPE {settings.publisher_type!r}: geen ADMS-uitgeverstype / "
            f"not an ADMS publisher type ({', '.join(PUBLISHER_TYPES)})")
    if settings.data_availability not in AVAILABILITIES:
        raise ValueError(
            f"VITAALKG_DATA_AVAILABILITY {settings.data_availability!r}: kies / choose one of "
            f"{', '.join(AVAILABILITIES)}")
    for name, value in (("VITAALKG_PUBLISHER", settings.publisher),
                        ("VITAALKG_DATA_LICENSE", settings.data_license)):
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"{name} {value!r}: geen http(s)-IRI / not an http(s) IRI")
    email = settings.contact_email
    if email is not None and (email.count("@") != 1 or any(c in email for c in " <>\"\n")):
        raise ValueError(f"VITAALKG_CONTACT_EMAIL {email!r}: geen e-mailadres / "
                         "not an e-mail address")


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
    #: on a remote store: how often (seconds) an instance checks whether another instance wrote
    shared_state_seconds: float = field(
        default_factory=lambda: _env_float("VITAALKG_SHARED_STATE_SECONDS", 1.0)
    )
    # -- the dataset description (DCAT-AP-NL 3.0): what only the deployment knows ------------
    #: licence of the data (an IRI)
    data_license: str = field(default_factory=lambda: os.environ.get(
        "VITAALKG_DATA_LICENSE", "http://creativecommons.org/publicdomain/zero/1.0/"))
    #: the publisher (and creator): an organisation IRI; default the project team of the
    #: knowledge base (``{base}id/organisatie/projectteam-continuiteit``)
    publisher: str | None = field(default_factory=lambda: os.environ.get("VITAALKG_PUBLISHER"))
    #: the publisher's name when the knowledge base does not name it
    publisher_name: str | None = field(
        default_factory=lambda: os.environ.get("VITAALKG_PUBLISHER_NAME"))
    #: ADMS publisher type (a code of http://purl.org/adms/publishertype/1.0)
    publisher_type: str = field(default_factory=lambda: os.environ.get(
        "VITAALKG_PUBLISHER_TYPE", "RegionalAuthority"))
    #: e-mail address of the contact point (none by default)
    contact_email: str | None = field(
        default_factory=lambda: os.environ.get("VITAALKG_CONTACT_EMAIL"))
    #: planned availability of the distributions (EU table: AVAILABLE, EXPERIMENTAL, STABLE,
    #: TEMPORARY)
    data_availability: str = field(default_factory=lambda: os.environ.get(
        "VITAALKG_DATA_AVAILABILITY", "EXPERIMENTAL"))
    # reading an upload (validation/limits.py, sandbox.py): per-upload cost limits and
    # how many are read at once (more wait upload_queue_seconds, then 503)
    upload_seconds: float = field(
        default_factory=lambda: _env_float("VITAALKG_UPLOAD_SECONDS", 60.0))
    upload_memory_mb: int = field(
        default_factory=lambda: _env_int("VITAALKG_UPLOAD_MEMORY_MB", 1536))
    upload_workers: int = field(default_factory=lambda: _env_int("VITAALKG_UPLOAD_WORKERS", 2))
    upload_queue_seconds: float = field(
        default_factory=lambda: _env_float("VITAALKG_UPLOAD_QUEUE_SECONDS", 10.0))
    upload_max_depth: int = field(
        default_factory=lambda: _env_int("VITAALKG_UPLOAD_MAX_DEPTH", 64))
    upload_max_rows: int = field(
        default_factory=lambda: _env_int("VITAALKG_UPLOAD_MAX_ROWS", 50_000))
    upload_max_cells: int = field(
        default_factory=lambda: _env_int("VITAALKG_UPLOAD_MAX_CELLS", 1_000_000))
    upload_max_sheets: int = field(
        default_factory=lambda: _env_int("VITAALKG_UPLOAD_MAX_SHEETS", 50))
    upload_max_shared_strings: int = field(
        default_factory=lambda: _env_int("VITAALKG_UPLOAD_MAX_SHARED_STRINGS", 250_000))
    upload_max_xlsx_bytes: int = field(
        default_factory=lambda: _env_int("VITAALKG_UPLOAD_MAX_XLSX_BYTES", 128 * 1024 * 1024))
    upload_max_xlsx_member_bytes: int = field(
        default_factory=lambda: _env_int("VITAALKG_UPLOAD_MAX_XLSX_MEMBER_BYTES",
                                         64 * 1024 * 1024))
    upload_max_xlsx_ratio: int = field(
        default_factory=lambda: _env_int("VITAALKG_UPLOAD_MAX_XLSX_RATIO", 100))
    upload_max_xlsx_entries: int = field(
        default_factory=lambda: _env_int("VITAALKG_UPLOAD_MAX_XLSX_ENTRIES", 1000))
    search_refresh_seconds: float = field(
        default_factory=lambda: _env_float("VITAALKG_SEARCH_REFRESH_SECONDS", 60.0)
    )
    session_secret: str | None = field(
        default_factory=lambda: os.environ.get("VITAALKG_SESSION_SECRET") or None
    )
    session_hours: float = field(
        default_factory=lambda: _env_float("VITAALKG_SESSION_HOURS", 8.0)
    )
    #: failed authentications (unknown or revoked tokens) allowed per client address per
    #: minute before it gets 429 for a while; 0 switches the limit off
    auth_failures_per_minute: int = field(
        default_factory=lambda: _env_int("VITAALKG_AUTH_FAILURES_PER_MINUTE", 30)
    )
    query_max_bytes: int = field(
        default_factory=lambda: _env_int("VITAALKG_QUERY_MAX_BYTES", 1_000_000)
    )
    query_max_depth: int = field(default_factory=lambda: _env_int("VITAALKG_QUERY_MAX_DEPTH", 256))
    query_worker_memory_mb: int = field(
        default_factory=lambda: _env_int("VITAALKG_QUERY_WORKER_MEMORY_MB", 768)
    )
    query_preempt_after: float = field(
        default_factory=lambda: _env_float("VITAALKG_QUERY_PREEMPT_AFTER", 1.0)
    )
    query_client_waiting: int = field(
        default_factory=lambda: _env_int("VITAALKG_QUERY_CLIENT_WAITING", 4)
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
        check_dataset_settings(self)
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
