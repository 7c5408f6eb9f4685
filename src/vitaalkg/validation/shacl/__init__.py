"""The SHACL engine (being split; see run.py)."""

from .run import *  # noqa: F401,F403
from .run import _Run  # noqa: F401
