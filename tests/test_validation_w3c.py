"""The W3C SHACL test suite through our engine and through pySHACL."""

from __future__ import annotations

from pathlib import Path

import pytest

from vitaalkg.validation.w3c import cases, passes, run_ours, run_pyshacl

SUITE = Path(__file__).resolve().parents[2] / "shared" / "w3c-shacl-tests" / "manifest.ttl"
if not SUITE.exists():
    SUITE = Path("/work/shared/w3c-shacl-tests/manifest.ttl")

pytestmark = pytest.mark.skipif(not SUITE.exists(), reason="W3C SHACL test suite not present")


@pytest.fixture(scope="module")
def suite():
    return cases(SUITE)


def test_suite_is_complete(suite) -> None:
    assert len(suite) >= 100
    assert {c.folder.split("/")[0] for c in suite} == {"core", "sparql"}


def test_our_engine_passes_at_least_what_pyshacl_passes(suite) -> None:
    ours_bulk = {c.name for c in suite if passes(c, lambda c: run_ours(c, bulk=True))}
    ours_node = {c.name for c in suite if passes(c, lambda c: run_ours(c, bulk=False))}
    theirs = {c.name for c in suite if passes(c, run_pyshacl)}
    assert theirs - ours_bulk == set()
    assert theirs - ours_node == set()  # the per-node evaluator on its own, too
    assert len(ours_bulk) >= 115, sorted(c.name for c in suite if c.name not in ours_bulk)
    print(f"W3C SHACL suite: ours {len(ours_bulk)}/{len(suite)}, "
          f"pySHACL {len(theirs)}/{len(suite)}")
