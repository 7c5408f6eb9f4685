"""HTTP content negotiation: parse an ``Accept`` header and pick the best offered media type.

Generic on purpose (pages and the SPARQL endpoint share it): :func:`best_match` returns the
offered media type the client prefers most, or ``None`` when nothing is acceptable (406).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# The RDF serialisations the pages offer: short format key -> (media type, file suffix).
RDF_FORMATS: dict[str, tuple[str, str]] = {
    "turtle": ("text/turtle", "ttl"),
    "json-ld": ("application/ld+json", "jsonld"),
    "nt": ("application/n-triples", "nt"),
    "xml": ("application/rdf+xml", "rdf"),
}
HTML = "text/html"
SUFFIX_MEDIA_TYPES: dict[str, str] = {
    "html": HTML,
    **{suffix: media for media, suffix in RDF_FORMATS.values()},
}
MEDIA_TYPE_FORMATS: dict[str, str] = {media: key for key, (media, _) in RDF_FORMATS.items()}


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    type: str
    subtype: str
    q: float
    params: tuple[tuple[str, str], ...] = ()

    @property
    def specificity(self) -> int:
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 2 + len(self.params)

    def matches(self, media_type: str) -> bool:
        main, _, sub = media_type.partition("/")
        if self.type == "*":
            return True
        if self.type != main:
            return False
        return self.subtype in ("*", sub)


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header (malformed entries are skipped)."""
    ranges: list[MediaRange] = []
    if not header:
        return ranges
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if "/" not in media:
            if media == "*":
                media = "*/*"
            else:
                continue
        main, _, sub = media.partition("/")
        if not main or not sub or (main == "*" and sub != "*"):
            continue
        q = 1.0
        params: list[tuple[str, str]] = []
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            name, value = name.strip().lower(), value.strip().strip('"')
            if name == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
                break  # accept-extensions after q are ignored
            if name:
                params.append((name, value))
        ranges.append(MediaRange(main, sub, q, tuple(params)))
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The q-value the client gives ``media_type``: from its most specific matching range."""
    best: MediaRange | None = None
    for r in ranges:
        if r.matches(media_type.lower()) and (best is None or r.specificity > best.specificity):
            best = r
    return best.q if best is not None else 0.0


def best_match(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client prefers, ties going to the earlier offer.

    No (or an empty) Accept header means anything goes: the first offer wins. ``None`` means
    none of the offers is acceptable (answer 406).
    """
    if not offered:
        return None
    ranges = parse_accept(accept)
    if not ranges:  # absent, empty or unparseable: the server's preference
        return offered[0]
    best, best_q = None, 0.0
    for media_type in offered:
        q = quality(ranges, media_type)
        if q > best_q:
            best, best_q = media_type, q
    return best


def split_suffix(
    key: str, suffixes: Sequence[str] = tuple(SUFFIX_MEDIA_TYPES)
) -> tuple[str, str | None]:
    """``("vr13", "ttl")`` for ``"vr13.ttl"``; only a KNOWN suffix is split off, so
    ``"1.1"`` stays whole."""
    stem, dot, suffix = key.rpartition(".")
    if dot and stem and suffix.lower() in suffixes:
        return stem, suffix.lower()
    return key, None
