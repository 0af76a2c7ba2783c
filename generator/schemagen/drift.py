"""Drift without a database: the migration history, pending changes, generated files.

Each function returns findings and prints nothing. None of them imports
SQLAlchemy, Alembic or a database driver, so ``schemagen check`` as a
pre-commit hook costs little more than loading the YAML and rendering the
templates.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Project
from .errors import MigrationError
from .findings import Finding
from .model import Schema

#: Pending operations listed one per finding; past this, one summary line
#: keeps a first-revision check of a large schema readable.
MAX_PENDING_LISTED = 50

MIGRATE_HINT = 'run `schemagen migrate -m "<what changed>"` and commit the new revision'
BUILD_HINT = "run `schemagen build` and commit the result"


@dataclass(frozen=True)
class HistoryState:
    """What the checks need from the migration history: revision ids in order and
    the schema snapshot at the head (None before the first revision)."""

    ids: tuple[str, ...]
    head: str | None
    head_snapshot: Schema | None


def history_findings(project: Project) -> tuple[HistoryState | None, list[Finding]]:
    """Load and verify the migration history; a broken history is one finding."""
    from .migrations.history import load_history

    try:
        history = load_history(project)
    except MigrationError as exc:
        return None, [
            Finding(
                "history", _versions_label(project), _first_line(str(exc)), _rest_lines(str(exc))
            )
        ]
    return _state(history), []


def _state(history: Any) -> HistoryState:
    """Adapt the migrations engine's History object to what the checks read."""
    revisions = list(getattr(history, "revisions", ()))
    ids = tuple(str(getattr(rev, "id", rev)) for rev in revisions)
    head = getattr(history, "head", None)
    if head is not None and not isinstance(head, str):
        head = str(getattr(head, "id", head))
    if head is None and ids:
        head = ids[-1]
    snapshot = None
    if revisions:
        last = revisions[-1]
        snapshot = getattr(last, "snapshot", None)
        if callable(snapshot):
            snapshot = snapshot()
    return HistoryState(ids=ids, head=head, head_snapshot=snapshot)


def pending_findings(state: HistoryState, schema: Schema) -> list[Finding]:
    """The operations the next revision would hold: the schema moved past its snapshot."""
    from .migrations.diff import diff

    plan = diff(state.head_snapshot, schema)
    operations = list(plan.operations)
    if not operations:
        return []
    since = f"since revision {state.head}" if state.head else "and there is no revision yet"
    header = Finding(
        "pending",
        "schema",
        f"changed {since}: {len(operations)} pending operation(s)",
        MIGRATE_HINT,
    )
    listed = [Finding("pending", "schema", op.describe()) for op in operations[:MAX_PENDING_LISTED]]
    if len(operations) > MAX_PENDING_LISTED:
        more = len(operations) - MAX_PENDING_LISTED
        listed.append(Finding("pending", "schema", f"... and {more} more (see `schemagen plan`)"))
    return [header, *listed]


def file_findings(
    project: Project, rendered: dict[str, str], *, show_diff: bool = False
) -> list[Finding]:
    """Every file in ``rendered`` (``build.render_all``'s output) that is missing or differs."""
    findings = []
    for rel in sorted(rendered):
        finding = compare_file(project.root / rel, rel, rendered[rel], show_diff=show_diff)
        if finding is not None:
            findings.append(finding)
    return findings


def compare_file(path: Path, rel: str, expected: str, *, show_diff: bool) -> Finding | None:
    """A finding when ``path`` is missing or its text is not ``expected``.

    Text is read with universal newlines, so a checkout that turned LF into
    CRLF (``core.autocrlf``) is not drift.
    """
    try:
        actual = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Finding(
            "file", rel, "missing", BUILD_HINT, _unified("", expected, rel) if show_diff else None
        )
    except (UnicodeDecodeError, IsADirectoryError) as exc:
        return Finding("file", rel, f"unreadable ({exc.__class__.__name__})", BUILD_HINT)
    if actual == expected:
        return None
    changed = _changed_lines(actual, expected)
    return Finding(
        "file",
        rel,
        f"differs from what `schemagen build` writes ({changed})",
        BUILD_HINT,
        _unified(actual, expected, rel) if show_diff else None,
    )


def _changed_lines(actual: str, expected: str) -> str:
    added = removed = 0
    for line in difflib.unified_diff(actual.splitlines(), expected.splitlines(), lineterm="", n=0):
        if line.startswith("+") and not line.startswith("+++"):
            added += 1
        elif line.startswith("-") and not line.startswith("---"):
            removed += 1
    return f"build would add {added} and remove {removed} line(s)"


def _unified(actual: str, expected: str, rel: str) -> str:
    """A unified diff from the file on disk to what build would write."""
    lines = difflib.unified_diff(
        actual.splitlines(keepends=True),
        expected.splitlines(keepends=True),
        fromfile=f"{rel} (on disk)",
        tofile=f"{rel} (schemagen build)",
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def _versions_label(project: Project) -> str:
    return f"migration history {project.relative(project.versions_dir)}"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "broken"


def _rest_lines(text: str) -> str:
    return "\n".join(line.strip() for line in text.strip().splitlines()[1:])
