"""SHACL conformance checks of submitted action plans (CLI, HTTP, engines, reports)."""
