"""The one exception family that the CLI translates into messages and exit codes.

Anything raised that is not a :class:`SchemagenError` is a bug and keeps its
traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]

#: Longest stretch without a space that a message shows of a user's name or value.
MAX_WORD = 120
#: Longest message (or YAML path) shown: a quoted description with spaces.
MAX_TEXT = 2000
_LONG_WORD = re.compile(rf"\S{{{MAX_WORD + 1},}}")


def bounded(text: str) -> str:
    """``text`` with every over-long word, and the whole, cut to a readable length.

    A message quotes what the user wrote; a 5,000,000-character name must not
    print whole. The cut says how long the original was.
    """
    text = _LONG_WORD.sub(lambda m: _cut(m.group(0), MAX_WORD), text)
    return _cut(text, MAX_TEXT)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    tail = f"…({len(text):,} characters)"
    return text[: max(limit - len(tail), 1)] + tail


@dataclass(frozen=True, order=True)
class Issue:
    """One located problem: ``schema/catalog.yaml:42:9: entities.Product...: message``.

    Ordering sorts by file, then line, then column, so a list of issues prints
    in reading order; :func:`sort_issues` also puts a consequence right after
    its cause (``after``: the cause's file, line and column).
    """

    file: str
    line: int
    column: int
    path: str  # dotted YAML path, e.g. "entities.Product.columns.title.type"
    message: str
    severity: Severity = "error"
    after: tuple[str, int, int] | None = field(default=None, compare=False)

    def format(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        prefix = "warning: " if self.severity == "warning" else ""
        path = f"{bounded(self.path)}: " if self.path else ""
        line = f"{where}: {prefix}{path}{bounded(self.message)}"
        # One issue, one line (for editors, grep and CI annotations), even when a
        # quoted name or value holds a line break.
        return line.replace("\r", "\\r").replace("\n", "\\n")


def sort_issues(issues: Iterable[Issue]) -> list[Issue]:
    """Issues in reading order, except that a consequence follows its root cause."""

    def key(issue: Issue) -> tuple[tuple[str, int, int], int, Issue]:
        own = (issue.file, issue.line, issue.column)
        return (issue.after or own, 0 if issue.after is None else 1, issue)

    return sorted(issues, key=key)


class SchemagenError(Exception):
    """Base of every error that the CLI reports without a traceback (exit 2)."""

    exit_code = 2


class SchemaInvalid(SchemagenError):
    """The schema has one or more errors; ``issues`` holds all of them, sorted."""

    def __init__(self, issues: Iterable[Issue]) -> None:
        self.issues = sort_issues(issues)
        super().__init__("\n".join(issue.format() for issue in self.issues))


class ConfigError(SchemagenError):
    """The project settings or command-line usage are wrong."""


class MigrationError(SchemagenError):
    """The migration history on disk is inconsistent, or a migration was refused."""


class DestructiveChange(SchemagenError):
    """A plan can lose data and ``--allow-destructive`` was not given (exit 1)."""

    exit_code = 1


class CastRefused(SchemagenError):
    """A type change PostgreSQL cannot make by itself has no ``using:`` (exit 1)."""

    exit_code = 1


class DatabaseError(SchemagenError):
    """A database could not be reached or queried. Messages never hold a password."""
