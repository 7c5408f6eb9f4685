"""``python -m vitaalkg.cli``."""

from . import main

main()
