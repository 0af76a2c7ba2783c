"""Semantic checks on the normalized Schema (names, defaults, indexes)."""

from __future__ import annotations

from .loader import Sources
from .model import Schema
from .validate import Reporter


def check_model(schema: Schema, src: Sources, report: Reporter) -> None:
    """Report every rule the normalized schema breaks."""
