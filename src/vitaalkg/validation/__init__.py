"""Validation of action plans: reading a plan (CSV, XLSX, Turtle, JSON-LD) into RDF with its row
numbers, checking it with SHACL against the knowledge base (our own engine in :mod:`.shacl`, or
pySHACL), and the report for people (Dutch first, English) and machines (JSON, Turtle), plus the
plan template. It may import :mod:`vitaalkg.store`, ``config`` and ``namespaces``; never
``plans``, ``web`` or ``cli``.
"""
