"""vitaalkg: a semantic knowledge base for Dutch crisis management and vital infrastructure.

Packages, in the direction data flows: :mod:`.store` (files → triple store), :mod:`.validation`
and :mod:`.plans` (SHACL checks; submitted plans, tokens, monitoring), :mod:`.web` and
:mod:`.cli` (the service and the command line). ``config`` and ``namespaces`` are shared by all.
"""

__version__ = "0.1.0"
