"""Plans: the registry of submitted plan versions (PROV-O, visibility, diffs), submission
(validate, then store), the action tallies derived from plans, the monitoring figures computed
from them, access tokens and principals, and the synthetic plans used by tests and benchmarks.
It may import :mod:`vitaalkg.store`, :mod:`vitaalkg.validation`, ``config`` and
``namespaces``; never ``web`` or ``cli``.
"""
