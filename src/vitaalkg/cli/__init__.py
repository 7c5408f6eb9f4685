"""The ``vitaalkg`` command line: one typer app, one module per command group (knowledge,
serve, validation, plans, tokens, backup), all sharing :mod:`.options`. The top of the package:
it may import everything else (``store``, ``validation``, ``plans``, ``web``), and nothing
imports it.
"""

from __future__ import annotations

import typer

from . import backup, knowledge, plans, serve, tokens, validation

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="vitaalkg: kennisbank crisisbeheersing en vitale infrastructuur.",
    pretty_exceptions_enable=False,
)

for _group in (knowledge, serve, validation, plans, tokens, backup):
    _group.register(app)


def main() -> None:
    """The ``vitaalkg`` console script."""
    app()
