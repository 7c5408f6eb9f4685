"""A SHACL engine (SHACL Core + SHACL-SPARQL) on pyoxigraph, general and not tied to vitaalkg.

The package owns parsing shapes graphs (:mod:`.model`, :mod:`.shapes`), SHACL-SPARQL query
text (:mod:`.sparql`), value semantics (:mod:`.values`), finding focus nodes
(:mod:`.targets`), compiling shapes to batched SPARQL (:mod:`.compile`), evaluating components
node by node (:mod:`.components`, :mod:`.sparql_constraints`) and the :class:`Validator` entry
point (:mod:`.validator`); it returns :class:`Result` objects and builds no report. It may
import only pyoxigraph and the standard library, and nothing of vitaalkg outside this package
(never ``vitaalkg.store``, ``plans``, ``web`` or ``cli``); the rest of vitaalkg imports it
through the names below.
"""

from .model import (
    RDF_TYPE,
    SH,
    Graph,
    Path,
    Result,
    ShaclError,
    Shape,
    parse_path,
    path_sparql,
    path_text,
)
from .shapes import ShapesGraph, load_shapes
from .validator import Validator

__all__ = [
    "RDF_TYPE",
    "SH",
    "Graph",
    "Path",
    "Result",
    "ShaclError",
    "Shape",
    "ShapesGraph",
    "Validator",
    "load_shapes",
    "parse_path",
    "path_sparql",
    "path_text",
]
