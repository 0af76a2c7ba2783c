"""Lint warnings: valid schemas that repeat the mistakes of hand-written code."""

from __future__ import annotations

from .loader import Sources
from .model import Schema
from .validate import Reporter


def lint(schema: Schema, src: Sources, report: Reporter) -> None:
    """Report warnings about ``schema``."""
