"""Accept-header parsing and suffix splitting (pure functions, no server)."""

from __future__ import annotations

import pytest

from vitaalkg.web.negotiation import best_match, parse_accept, quality, split_suffix

OFFERED = ["text/html", "text/turtle", "application/ld+json", "application/n-triples",
           "application/rdf+xml"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/html"),
        ("", "text/html"),
        ("*/*", "text/html"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("text/html;q=0.5, text/turtle", "text/turtle"),
        ("text/*;q=0.9, application/ld+json;q=0.95", "application/ld+json"),
        ("text/*", "text/html"),
        ("application/*;q=0.8, text/html;q=0.1", "application/ld+json"),
        ("*/*;q=0.1, application/n-triples", "application/n-triples"),
        ("TEXT/TURTLE", "text/turtle"),
        ("image/png", None),
        ("text/turtle;q=0", None),
        ("*/*;q=0.5, text/html;q=0", "text/turtle"),
        ("garbage", "text/html"),
    ],
)
def test_best_match(accept: str | None, expected: str | None) -> None:
    assert best_match(accept, OFFERED) == expected


def test_more_specific_range_wins_over_wildcard() -> None:
    ranges = parse_accept("text/*;q=0.2, text/turtle;q=0.7, */*;q=0.1")
    assert quality(ranges, "text/turtle") == 0.7
    assert quality(ranges, "text/html") == 0.2
    assert quality(ranges, "application/ld+json") == 0.1


def test_parameters_and_bad_q_values() -> None:
    ranges = parse_accept('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted";'
                          "q=0.4, text/turtle;q=abc")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [
        ("application", "ld+json", 0.4), ("text", "turtle", 0.0)]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("vr13", ("vr13", None)),
        ("vr13.ttl", ("vr13", "ttl")),
        ("vr13.jsonld", ("vr13", "jsonld")),
        ("vr13.nt", ("vr13", "nt")),
        ("vr13.rdf", ("vr13", "rdf")),
        ("vr13.html", ("vr13", "html")),
        ("1.1", ("1.1", None)),
        ("1.1.ttl", ("1.1", "ttl")),
        ("3.8.NT", ("3.8", "nt")),
        (".ttl", (".ttl", None)),
        ("bwbr0027466-art-10", ("bwbr0027466-art-10", None)),
    ],
)
def test_split_suffix(key: str, expected: tuple[str, str | None]) -> None:
    assert split_suffix(key) == expected
