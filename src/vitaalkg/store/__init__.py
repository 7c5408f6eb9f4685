"""Storage: the :class:`~.base.Store` interface and its two implementations (the embedded
pyoxigraph store and a remote SPARQL 1.1 server), loading of ``ontology/``, ``shapes/`` and
``data/`` into named graphs, the OWL consistency check of those files, named queries read from
``queries/``, SPARQL text helpers and backups. It is the bottom of the package: it may import
:mod:`vitaalkg.config` and :mod:`vitaalkg.namespaces`, never ``plans``, ``validation``, ``web``
or ``cli``.
"""

from __future__ import annotations

from typing import Any

from .base import QUAD_FORMATS, RDF_FORMATS, Store, StoreError, rdf_format, term_value
from .embedded import EmbeddedStore

__all__ = ["QUAD_FORMATS", "RDF_FORMATS", "EmbeddedStore", "Store", "StoreError", "open_store",
           "rdf_format", "term_value"]


def open_store(settings: Any, *, read_only: bool = False) -> Store:
    """The store named by the settings: a remote SPARQL server when
    ``VITAALKG_SPARQL_ENDPOINT`` is set, else the embedded store."""
    if settings.sparql_endpoint:
        from .remote import RemoteStore

        return RemoteStore(settings.sparql_endpoint, settings.update_endpoint,
                           user=settings.store_user, password=settings.store_password,
                           poll_seconds=settings.shared_state_seconds)
    return EmbeddedStore(settings.store_path, read_only=read_only)
