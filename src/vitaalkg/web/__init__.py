"""The FastAPI service: SPARQL endpoint, named queries, linked-data pages, validation."""
