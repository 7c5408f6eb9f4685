"""Inputs and the command line: formats, the converter, hostile input (exit 2, no traceback)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "data" / "examples"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vitaalkg.cli", *args], capture_output=True,
                          text=True, cwd=cwd or ROOT, timeout=120)


def assert_clean_error(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    for w in words:
        assert w.lower() in proc.stderr.lower(), proc.stderr


# -- hostile input -----------------------------------------------------------------------
def zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    return buf.getvalue()


def not_a_spreadsheet() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "just a zip")
    return buf.getvalue()


TURTLE_LINE_7 = ("@prefix vkg: <https://w3id.org/vitaalkg/def/> .\n\n"
                 "<https://w3id.org/vitaalkg/id/actieplan/x> a vkg:ActionPlan ;\n"
                 "    vkg:network <https://w3id.org/vitaalkg/id/netwerk/drinkwater-vitens> .\n"
                 "\n# comment\n"
                 "<https://w3id.org/vitaalkg/id/actie/x-a1> a vkg:Action ;; ] .\n")

HOSTILE = {
    "invalid-utf8.csv": b"netwerk,actie,omschrijving,thema,status\nx,A1,caf\xe9\xff,1,open\n",
    "zonder-actie.csv": b"netwerk;omschrijving;thema;status\ndrinkwater-vitens;iets;1;open\n",
    "syntax.ttl": TURTLE_LINE_7.encode(),
    "bom.xlsx": None,  # filled in by the test (large)
    "geen-spreadsheet.xlsx": not_a_spreadsheet(),
    "onzin.bin": b"\x00\x01\x02 this is nothing we know",
}


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("hostile")
    for name, data in HOSTILE.items():
        (d / name).write_bytes(zip_bomb() if name == "bom.xlsx" else data)
    big = d / "groot.csv"
    line = b"drinkwater-vitens;A1;" + b"x" * 200 + b";1;open\n"
    with big.open("wb") as fh:
        fh.write(b"netwerk;actie;omschrijving;thema;status\n")
        fh.write(line * (20 * 1024 * 1024 // len(line) + 1))
    return d


@pytest.mark.parametrize("name,words", [
    ("invalid-utf8.csv", ["UTF-8"]),
    ("zonder-actie.csv", ["actie", "ontbreken"]),
    ("syntax.ttl", ["regel 7"]),
    ("bom.xlsx", ["zip-bom"]),
    ("geen-spreadsheet.xlsx", ["geen spreadsheet"]),
    ("onzin.bin", ["bestandstype"]),
    ("groot.csv", ["te groot"]),
    ("bestaat-niet.csv", ["kan"]),
])
def test_hostile_input_is_a_clear_error(hostile_dir: Path, name: str, words: list[str]) -> None:
    assert_clean_error(run("validate", str(hostile_dir / name)), *words)


def test_syntax_error_english(hostile_dir: Path) -> None:
    assert_clean_error(run("validate", "--lang", "en", str(hostile_dir / "syntax.ttl")),
                       "line 7")


# -- the command line --------------------------------------------------------------------
def test_validate_json_contract() -> None:
    proc = run("validate", "-o", "json", "--reference-date", "2016-09-01",
               str(EXAMPLES / "plan-drinkwater-vitens-defecten.csv"))
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert data["conforms"] is False and data["violations"] == 11 and data["warnings"] == 1
    first = data["results"][0]
    assert set(first) >= {"severity", "focusNode", "actie", "path", "message", "sourceShape"}
    assert {r["actie"] for r in data["results"]} >= {"A2", "A7", "A13"}


def test_validate_correct_plan_exit_0_and_text() -> None:
    proc = run("validate", "--reference-date", "2016-09-01",
               str(EXAMPLES / "plan-drinkwater-vitens-correct.csv"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "voldoet" in proc.stdout and "Geen bevindingen" in proc.stdout


def test_validate_several_files_text_english() -> None:
    proc = run("validate", "--lang", "en", "--reference-date", "2016-09-01",
               str(EXAMPLES / "plan-drinkwater-vitens-correct.csv"),
               str(EXAMPLES / "plan-elektriciteit-liander-defecten.xlsx"),
               str(EXAMPLES / "plan-nationaal-defecten.ttl"))
    assert proc.returncode == 1
    assert "action E3 (row 5)" in proc.stdout
    assert "Summary: 3 files, 1 conforms, 2 does NOT conform" in proc.stdout


def test_validate_turtle_report_is_a_validation_report() -> None:
    import pyoxigraph as ox

    proc = run("validate", "-o", "turtle", "--reference-date", "2016-09-01",
               str(EXAMPLES / "plan-twee-netwerken.csv"))
    assert proc.returncode == 1
    store = ox.Store()
    store.load(proc.stdout.encode(), format=ox.RdfFormat.TURTLE)
    assert store.query("PREFIX sh: <http://www.w3.org/ns/shacl#> ASK { ?r a sh:ValidationReport "
                       "; sh:conforms false ; sh:result [ sh:resultPath ?p ; "
                       "sh:resultMessage ?m ] FILTER(lang(?m) = 'nl') }")


def test_validate_html() -> None:
    proc = run("validate", "-o", "html", "--reference-date", "2016-09-01",
               str(EXAMPLES / "plan-drinkwater-vitens-defecten.csv"))
    assert proc.returncode == 1
    assert proc.stdout.startswith("<!DOCTYPE html>") and "A13" in proc.stdout


def test_convert_and_validate_the_turtle(tmp_path: Path) -> None:
    out = tmp_path / "plan.ttl"
    proc = run("convert", str(EXAMPLES / "plan-drinkwater-vitens-defecten.csv"), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert "vkg:sourceRow 4" in text and "vkg:ActionPlan" in text
    a = json.loads(run("validate", "-o", "json", "--reference-date", "2016-09-01",
                       str(EXAMPLES / "plan-drinkwater-vitens-defecten.csv")).stdout)
    b = json.loads(run("validate", "-o", "json", "--reference-date", "2016-09-01",
                       str(out)).stdout)
    assert [(r["actie"], r["rij"], r["sourceShape"]) for r in a["results"]] == \
        [(r["actie"], r["rij"], r["sourceShape"]) for r in b["results"]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_round_trip(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"sjabloon.{fmt}"
    assert run("template", "-o", str(out)).returncode == 0
    from vitaalkg.validation.convert import REQUIRED_COLUMNS
    from vitaalkg.validation.inputs import read_plan_file

    if fmt == "csv":
        header = out.read_text().splitlines()[0].split(";")
        assert set(REQUIRED_COLUMNS) <= set(header)
        out.write_text(out.read_text() + "drinkwater-vitens;A1;Iets;1;afgerond\n")
    else:
        import openpyxl

        wb = openpyxl.load_workbook(out)
        assert set(REQUIRED_COLUMNS) <= {c.value for c in wb.worksheets[0][1]}
        assert "Toelichting" in wb.sheetnames
    plan = read_plan_file(out)  # the empty template is readable
    assert plan.kind == fmt


def test_jsonld_input(tmp_path: Path) -> None:
    doc = {"@context": {"vkg": "https://w3id.org/vitaalkg/def/"},
           "@id": "https://w3id.org/vitaalkg/id/actieplan/jsonld", "@type": "vkg:ActionPlan",
           "vkg:network": {"@id": "https://w3id.org/vitaalkg/id/netwerk/onbekend"}}
    f = tmp_path / "plan.jsonld"
    f.write_text(json.dumps(doc))
    proc = run("validate", "-o", "json", str(f))
    assert proc.returncode == 1, proc.stderr
    shapes = {r["sourceShape"].rsplit("#", 1)[-1] for r in json.loads(proc.stdout)["results"]}
    assert shapes == {"PlanKnownNetwork", "PlanHasActions"}
