"""The FastAPI service: the SPARQL 1.1 endpoint (and its killable query workers), named queries
as a REST API, linked-data pages with content negotiation, the dataset description and dumps,
plan validation and submission over HTTP, monitoring, templates and static files. One module per
page family or API; :mod:`.app` puts them together. It may import ``store``, ``validation``,
``plans``, ``config`` and ``namespaces``; never ``cli``.
"""
