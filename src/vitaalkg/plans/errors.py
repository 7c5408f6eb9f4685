"""The error of plan operations."""

from __future__ import annotations


class PlanError(Exception):
    """A plan operation failed; the message is for the user."""
