"""HTTP caching of the linked-data answers: ``ETag``, ``Last-Modified``, ``Cache-Control``,
``Vary`` and ``304 Not Modified`` for conditional requests.

The entity tag is a hash of the data's version (the store's write generation in this process;
a remote store, which others may write, at most a minute), the URL, the media type, a page's
language and the set of graphs the caller may read: it changes with the data (a plan
submission), differs per representation, per language and per visibility (a member who reads a
restricted plan never matches a public tag). Not a hash of the body: blank-node labels differ
from one answer to the next. A dump brings its own content hash. Answers to a request with a
token are ``private``; every answer varies on ``Authorization``, a page also on
``Accept-Language`` and ``Cookie``. ``Last-Modified`` is the moment this process first served that
tag (a restart starts afresh).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from email.utils import formatdate, parsedate_to_datetime

from fastapi import Request
from fastapi.responses import Response

from .i18n import VARY, current_language

_SEEN_MAX = 4096
_PROCESS = secrets.token_hex(8)  # a restart may follow a reload of the data: new tags
REMOTE_SECONDS = 60


class _FirstSeen:
    """When each entity tag was first served (bounded; the oldest are forgotten)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._times: OrderedDict[str, float] = OrderedDict()

    def get(self, tag: str) -> float:
        with self._lock:
            when = self._times.get(tag)
            if when is None:
                when = self._times[tag] = float(int(time.time()))
                if len(self._times) > _SEEN_MAX:
                    self._times.popitem(last=False)
            return when


FIRST_SEEN = _FirstSeen()


def readable_key(request: Request) -> str:
    """A short hash of the graphs the caller may read."""
    view = getattr(request.state, "public_store", None)
    if view is not None:
        graphs = view.public_graphs
    else:
        from .access import dataset_for_request

        graphs = dataset_for_request(request)[1]
    return hashlib.sha256("\n".join(sorted(graphs)).encode()).hexdigest()[:16]


def data_version(request: Request) -> str:
    """The version of the data behind an answer (changes with every write through us)."""
    from ..plans.registry import generation

    store = request.app.state.store
    version = f"{_PROCESS}/{generation(store)}"
    if getattr(store, "kind", "embedded") != "embedded":
        version += f"/{int(time.time() // REMOTE_SECONDS)}"
    return version


def entity_tag(body: bytes, media_type: str, visibility: str) -> str:
    digest = hashlib.sha256()
    for part in (media_type.encode(), b"\0", visibility.encode(), b"\0", body):
        digest.update(part)
    return f'"{digest.hexdigest()[:32]}"'


def add_vary(response: Response, *names: str) -> None:
    """Add ``names`` to the response's ``Vary`` header (once each)."""
    present = [v.strip() for v in response.headers.get("vary", "").split(",") if v.strip()]
    for name in names:
        if name.lower() not in {v.lower() for v in present}:
            present.append(name)
    response.headers["Vary"] = ", ".join(present)


def _matches(header: str, tag: str) -> bool:
    """Weak comparison of ``If-None-Match`` with our tag."""
    if header.strip() == "*":
        return True
    wanted = tag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == wanted for t in header.split(","))


def _not_modified_since(header: str, modified: float) -> bool:
    try:
        since = parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return False
    return modified <= since


def conditional(request: Request, response: Response, *, tag: str | None = None) -> Response:
    """Give a 200 answer its caching headers, or answer 304 when the client's copy is current
    (``If-None-Match`` first; ``If-Modified-Since`` only without it)."""
    if response.status_code != 200:
        return response
    private = "authorization" in request.headers
    add_vary(response, "Authorization")
    media = response.headers.get("content-type", "")
    if tag is None:  # the data's version and the URL stand for the body
        tag = f"{data_version(request)} {request.url.path}?{request.url.query}"
    if media.startswith("text/html"):  # a page's language is part of what it is
        tag += f" lang={current_language()}"
        add_vary(response, *VARY)
    tag = entity_tag(tag.encode(), media, readable_key(request))
    modified = FIRST_SEEN.get(tag)
    headers = {
        "ETag": tag,
        "Last-Modified": formatdate(modified, usegmt=True),
        "Cache-Control": f"{'private' if private else 'public'}, no-cache",
    }
    response.headers.update(headers)
    none_match = request.headers.get("if-none-match")
    since = request.headers.get("if-modified-since")
    fresh = (_matches(none_match, tag) if none_match is not None
             else since is not None and _not_modified_since(since, modified))
    if fresh and request.method in ("GET", "HEAD"):
        keep = {k: v for k, v in response.headers.items()
                if k.lower() in ("etag", "last-modified", "cache-control", "vary", "link",
                                 "content-location")}
        return Response(status_code=304, headers=keep)
    return response


