"""Backups of the whole store as gzip-compressed N-Quads with a checked header line, and the
all-or-nothing replacement of a store's content by a backup."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .base import Store

BACKUP_MAGIC = "# vitaalkg-backup"
HEADER_RE = re.compile(r"^# vitaalkg-backup v1 quads=(\d+) graphs=(\d+) base=(\S+)")


def read_backup(file: Path, base: str) -> tuple[list[Any], int]:
    """All quads of a backup, checked against its header; raises ValueError when it is not a
    complete backup of this base."""
    raw = file.read_bytes()
    try:
        data = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    except (OSError, EOFError) as exc:
        raise ValueError(f"gzip onleesbaar / unreadable gzip: {exc}") from exc
    first = data.split(b"\n", 1)[0].decode("utf-8", "replace")
    m = HEADER_RE.match(first)
    if not m:
        raise ValueError("geen vitaalkg-back-up (kopregel ontbreekt) / not a vitaalkg backup")
    expected, graphs = int(m.group(1)), int(m.group(2))
    if m.group(3) != base:
        raise ValueError(f"back-up is van basis {m.group(3)}, deze store gebruikt {base}")
    try:
        quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    except SyntaxError as exc:
        raise ValueError(f"N-Quads onleesbaar / unreadable: {exc}") from exc
    if len(quads) != expected:
        raise ValueError(f"back-up onvolledig: {len(quads)} van {expected} quads / "
                         "incomplete backup")
    return quads, graphs


def replace_all(st: Store, quads: list[Any]) -> None:
    """Replace the whole content of the store by ``quads`` in ONE update (one transaction).
    Only our graphs are dropped: a server's own graphs and the shared state of
    :mod:`.system` (tokens on a remote store) stay as they are."""
    by_graph: dict[Any, list[str]] = {}
    for q in quads:
        by_graph.setdefault(q.graph_name, []).append(f"{q.subject} {q.predicate} {q.object} .")
    parts = [f"DROP SILENT GRAPH <{g}> ;" for g in st.graphs()]
    if getattr(st, "kind", "embedded") == "embedded":
        parts.append("DROP SILENT DEFAULT ;")
    parts.append("INSERT DATA {")
    for graph, lines in by_graph.items():
        if isinstance(graph, ox.DefaultGraph):
            parts += lines
        else:
            parts.append(f"GRAPH {graph} {{")
            parts += lines
            parts.append("}")
    parts.append("}")
    st.update("\n".join(parts))
    st.flush()


def write_backup(store: Store, file: Path, base: str) -> tuple[int, int]:
    """Write every quad of the store to ``file`` (gzip N-Quads with a header), atomically
    (temporary file, fsync, rename); returns the numbers of quads and named graphs."""
    data = store.dump("nquads")
    quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    header = (f"{BACKUP_MAGIC} v1 quads={len(quads)} graphs={len(graphs)} base={base} "
              f"created={dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}\n")
    file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.")
    try:
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            gz.write(header.encode("utf-8"))
            gz.write(data)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, file)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return len(quads), len(graphs)
