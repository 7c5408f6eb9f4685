"""The embedded store, loading and the CLI commands load / export / query / check, run for real."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib

from vitaalkg.config import Settings
from vitaalkg.plans.loading import load_all
from vitaalkg.store import EmbeddedStore, StoreError
from vitaalkg.store.loader import source_files

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, root: Path = ROOT, env: dict[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "VITAALKG_ROOT": str(root), **(env or {})}
    return subprocess.run([sys.executable, "-m", "vitaalkg.cli", *args], capture_output=True,
                          text=True, env=full_env, timeout=timeout)


def copy_project(tmp_path: Path) -> Path:
    """A copy of the knowledge-base folders, to change without touching the repository."""
    root = tmp_path / "project"
    for name in ("ontology", "shapes", "data", "queries"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, root / name)
    return root


def test_every_file_gets_its_own_named_graph(kb: EmbeddedStore, settings: Settings) -> None:
    files = source_files(settings)
    assert {g for g, _ in files} == set(kb.graphs())
    assert any("/graph/ontology/" in g for g in kb.graphs())
    assert all(kb.triple_count(g) > 0 for g in kb.graphs())
    assert not any("/examples" in g for g in kb.graphs()), "examples are not part of the KB"


def test_reload_replaces_never_duplicates(settings: Settings) -> None:
    store = EmbeddedStore(None)
    first = load_all(store, settings)
    total = store.triple_count()
    second = load_all(store, settings)
    assert store.triple_count() == total
    assert [g.triples for g in first] == [g.triples for g in second]


def test_persistent_store_survives_reopen(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "store"
    store = EmbeddedStore(path)
    load_all(store, settings)
    total = store.triple_count()
    store.close()
    reopened = EmbeddedStore(path)
    assert reopened.triple_count() == total


def test_replace_graph_with_bad_data_keeps_old_graph() -> None:
    store = EmbeddedStore(None)
    g = "https://example.org/g"
    store.replace_graph(g, "<https://example.org/a> <https://example.org/b> 1 .", "ttl")
    with pytest.raises(StoreError):
        store.replace_graph(g, "<https://example.org/a> <https://example.org/b> .", "ttl")
    assert store.triple_count(g) == 1
    assert store.graphs() == [g]


def test_cli_load_reports_graphs_and_is_idempotent(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = run_cli("load", "--store", str(store))
    assert first.returncode == 0, first.stderr
    assert "graph/ontology/vitaalkg" in first.stdout
    second = run_cli("load", "--store", str(store))
    assert second.returncode == 0
    assert first.stdout.splitlines()[-1].split()[0] == second.stdout.splitlines()[-1].split()[0]


def test_cli_load_names_file_and_line_of_a_syntax_error(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    store = tmp_path / "store"
    assert run_cli("load", "--store", str(store), root=root).returncode == 0
    before = run_cli("query", str(_count_query(tmp_path)), "--store", str(store),
                     "--output", "csv", root=root).stdout
    bad = root / "data" / "broken.ttl"
    bad.write_text("@prefix ex: <https://example.org/> .\n\nex:a ex:b ex:c .\n"
                   "ex:d ex:e \"unterminated .\n", encoding="utf-8")
    result = run_cli("load", "--store", str(store), root=root)
    assert result.returncode == 2
    assert "broken.ttl" in result.stderr
    assert "4" in result.stderr  # the line of the error
    assert "Traceback" not in result.stderr
    bad.unlink()
    after = run_cli("query", str(_count_query(tmp_path)), "--store", str(store),
                    "--output", "csv", root=root).stdout
    assert before == after, "a failed load must leave the store as it was"


def _count_query(tmp_path: Path) -> Path:
    q = tmp_path / "count.rq"
    q.write_text("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", encoding="utf-8")
    return q


@pytest.mark.parametrize(("fmt", "rdflib_format", "quads"), [
    ("turtle", "turtle", False), ("ntriples", "nt", False), ("jsonld", "json-ld", False),
    ("trig", "trig", True), ("nquads", "nquads", True),
])
def test_cli_export_formats_parse(tmp_path: Path, kb: EmbeddedStore, fmt: str,
                                  rdflib_format: str, quads: bool) -> None:
    out = tmp_path / f"export.{fmt}"
    result = run_cli("export", "--format", fmt, "--output", str(out),
                     "--store", str(tmp_path / "store"))
    assert result.returncode == 0, result.stderr
    if quads:
        ds = rdflib.Dataset()
        ds.parse(out, format=rdflib_format)
        assert sum(len(ds.graph(g)) for g in kb.graphs()) == kb.triple_count()
    else:
        g = rdflib.Graph().parse(out, format=rdflib_format)
        distinct = kb.select("SELECT (COUNT(*) AS ?n) WHERE { "
                             "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")
        # blank nodes of different graphs stay distinct; IRIs/literals merge across graphs
        assert len(g) >= int(distinct[0]["n"]) * 0.99


def test_cli_query_file_outputs(tmp_path: Path) -> None:
    q = tmp_path / "themes.rq"
    q.write_text(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?n ?label WHERE { ?t skos:inScheme <https://w3id.org/vitaalkg/id/conceptschema/"
        "themas> ; skos:notation ?n ; skos:prefLabel ?label FILTER(lang(?label)='nl') } "
        "ORDER BY ?n", encoding="utf-8")
    store = str(tmp_path / "store")
    as_json = run_cli("query", str(q), "--output", "json", "--store", store)
    assert as_json.returncode == 0, as_json.stderr
    rows = json.loads(as_json.stdout)
    assert [r["n"] for r in rows] == [str(i) for i in range(1, 9)]
    as_csv = run_cli("query", str(q), "--output", "csv", "--store", store)
    assert as_csv.stdout.splitlines()[0] == "n,label"
    assert len(as_csv.stdout.splitlines()) == 9
    table = run_cli("query", str(q), "--store", store)
    assert "(8 rijen)" in table.stdout


def test_cli_query_bad_sparql_is_a_clear_error(tmp_path: Path) -> None:
    q = tmp_path / "bad.rq"
    q.write_text("SELECT ?x WHERE { ?x ?y }", encoding="utf-8")
    result = run_cli("query", str(q), "--store", str(tmp_path / "store"))
    assert result.returncode == 2
    assert "ongeldige SPARQL" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_query_unknown_name(tmp_path: Path) -> None:
    result = run_cli("query", "bestaat-niet", "--store", str(tmp_path / "store"))
    assert result.returncode == 2
    assert "onbekende query" in result.stderr


def test_other_base_rewrites_iris(tmp_path: Path) -> None:
    settings = Settings()
    settings.root = ROOT
    settings.base = "http://localhost:9999/kb/"
    store = EmbeddedStore(None)
    load_all(store, settings)
    assert store.ask("ASK { <http://localhost:9999/kb/id/veiligheidsregio/vr13> ?p ?o }")
    assert not store.ask(
        "ASK { GRAPH ?g { ?s ?p ?o FILTER(STRSTARTS(STR(?s), 'https://w3id.org/vitaalkg/')) } }")


@pytest.mark.slow
def test_check_reports_knowledge_consistent() -> None:
    result = run_cli("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "consistent" in result.stdout


@pytest.mark.slow
def test_check_catches_planted_contradiction(tmp_path: Path) -> None:
    planted = tmp_path / "contradiction.ttl"
    planted.write_text(
        "@prefix vkg: <https://w3id.org/vitaalkg/def/> .\n"
        "<https://w3id.org/vitaalkg/id/veiligheidsregio/vr13> a vkg:VitalCompany .\n",
        encoding="utf-8")
    result = run_cli("check", str(planted))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "NIET consistent" in result.stdout
    assert "Amsterdam-Amstelland" in result.stdout  # the contradiction is named in plain words


def test_service_start_reloads_changed_source_files(tmp_path: Path) -> None:
    """A store loaded from older data files is refreshed when the files change."""
    from vitaalkg.plans.loading import ensure_loaded

    root = copy_project(tmp_path)
    settings = Settings()
    settings.root = root
    settings.store_path = tmp_path / "store"
    store = EmbeddedStore(settings.store_path)
    assert ensure_loaded(store, settings) is not None, "first start loads"
    assert ensure_loaded(store, settings) is None, "unchanged files: nothing to do"
    regions = root / "data" / "regions.ttl"
    regions.write_text(regions.read_text(encoding="utf-8").replace(
        "Amsterdam-Amstelland", "Amsterdam-Amstelland-Gewijzigd"), encoding="utf-8")
    assert ensure_loaded(store, settings) is not None, "a changed file triggers a reload"
    assert store.ask('ASK { ?s ?p "Veiligheidsregio Amsterdam-Amstelland-Gewijzigd"@nl }')
    total = store.triple_count()
    assert ensure_loaded(store, settings) is None
    assert store.triple_count() == total
