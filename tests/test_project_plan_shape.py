"""Every project plan states the five elements of the strategic agenda (seed 004, §5)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from vitaalkg.config import Settings
from vitaalkg.store import EmbeddedStore
from vitaalkg.validation import shacl
from vitaalkg.validation.engine import read_shapes

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "examples" / "projectplan-onvolledig.ttl"
VKG = "https://w3id.org/vitaalkg/def/"


def knowledge_findings(settings: Settings, kb: EmbeddedStore, extra: Path | None = None
                       ) -> set[tuple[str, str]]:
    """(focus node, path) of every violation of the shapes over the KB (plus ``extra``)."""
    data = ox.Store()
    data.extend(ox.Quad(q.subject, q.predicate, q.object)
                for q in kb.oxigraph.quads_for_pattern(None, None, None)
                if "/graph/shapes/" not in q.graph_name.value)
    if extra is not None:
        data.load(path=str(extra), format=ox.RdfFormat.TURTLE)
    shapes = ox.Store()
    shapes.load(read_shapes(settings), format=ox.RdfFormat.TURTLE)
    results = shacl.Validator(shacl.ShapesGraph(shapes)).validate(data)
    return {(r.focus.value, shacl.path_text(r.path)) for r in results
            if r.severity.endswith("Violation")}


def test_the_project_plan_in_the_knowledge_base_has_all_five_elements(settings, kb) -> None:
    plans = kb.select(f"SELECT ?p WHERE {{ ?p a <{VKG}ProjectPlan> }}")
    assert plans, "the knowledge base describes at least one project plan"
    assert not {f for f in knowledge_findings(settings, kb) if "projectplan" in f[0]}


def test_an_incomplete_project_plan_names_the_missing_elements(settings, kb) -> None:
    focus = "https://w3id.org/vitaalkg/id/projectplan/voorbeeld-water-en-evacuatie"
    findings = {path for node, path in knowledge_findings(settings, kb, EXAMPLE) if node == focus}
    assert findings == {f"{VKG}safeguarding", f"{VKG}milestone"}
