"""Drift without a database: the migration history, pending changes, generated files.

Each function returns findings and prints nothing. None of them imports
SQLAlchemy, Alembic or a database driver, so ``schemagen check`` as a
pre-commit hook costs little more than loading the YAML and rendering the
templates.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from ..config import Project
from ..errors import MigrationError
from ..findings import Finding
from ..model.data import from_data
from ..model.schema import Schema
from ..util.words import plural

#: Pending operations listed one per finding; past this, one summary line
#: keeps a first-revision check of a large schema readable.
MAX_PENDING_LISTED = 50

MIGRATE_HINT = 'run `schemagen migrate -m "<what changed>"` and commit the new revision'
BUILD_HINT = "run `schemagen build` and commit the result"
SNAPSHOT_HINT = "restore it (and its revision and schemagen.sum) from version control"


@dataclass(frozen=True)
class HistoryState:
    """What the checks need from the migration history: revision ids in order, the
    head, and where the head's schema snapshot is (None before the first revision)."""

    ids: tuple[str, ...]
    head: str | None
    head_snapshot_path: Path | None


def history_findings(project: Project) -> tuple[HistoryState | None, list[Finding]]:
    """Load and verify the migration history; a broken history is one finding."""
    from ..revision.history import load_history

    try:
        history = load_history(project)
    except MigrationError as exc:
        text = str(exc).strip()
        return None, [Finding("history", "migration history", _first_line(text), _rest_lines(text))]
    head = history.head
    return HistoryState(
        ids=tuple(rev.id for rev in history.revisions),
        head=head.id if head else None,
        head_snapshot_path=head.snapshot_path if head else None,
    ), []


def pending_findings(state: HistoryState, schema: Schema) -> tuple[list[Finding], bool]:
    """The operations the next revision would hold: the schema moved past its snapshot;
    and whether the head snapshot is exactly the schema's DDL view.

    Fast path first: ``migrate`` stores ``snapshot_text(schema)`` as the
    snapshot, so identical data means nothing is pending, and the diff engine
    (which imports SQLAlchemy to render types) is not even imported. Only then
    can the snapshot stand in for the schema where DDL is all that matters
    (``check --database`` with the files remembered clean); a snapshot of an
    older format that merely diffs empty cannot.
    """
    from ..diff.snapshot import matches_snapshot

    try:
        snapshot_text = _read(state.head_snapshot_path)
    except UnicodeDecodeError as exc:
        return [_bad_snapshot(state, exc)], False
    if snapshot_text is not None and matches_snapshot(snapshot_text, schema):
        return [], True
    return _pending_operations(state, schema, snapshot_text), False


def _pending_operations(
    state: HistoryState, schema: Schema, snapshot_text: str | None
) -> list[Finding]:
    try:
        stored = json.loads(snapshot_text) if snapshot_text is not None else None
        old = from_data(Schema, stored) if stored is not None else None
    except (ValueError, KeyError, TypeError) as exc:
        return [_bad_snapshot(state, exc)]
    from ..diff.compare import diff

    operations = list(diff(old, schema).operations)
    if not operations:
        return []
    since = f"since revision {state.head}" if state.head else "and there is no revision yet"
    header = Finding(
        "pending",
        "schema",
        f"changed {since}: {plural(len(operations), 'pending operation')}",
        MIGRATE_HINT,
        count=0,
    )
    listed = [Finding("pending", "schema", op.describe()) for op in operations[:MAX_PENDING_LISTED]]
    if len(operations) > MAX_PENDING_LISTED:
        more = len(operations) - MAX_PENDING_LISTED
        listed.append(
            Finding("pending", "schema", f"... and {more} more (see `schemagen plan`)", count=more)
        )
    return [header, *listed]


def _bad_snapshot(state: HistoryState, exc: Exception) -> Finding:
    """The head snapshot is not one. Its sha256 matched the revision and the sum,
    so it was replaced together with both (and rehashed)."""
    name = state.head_snapshot_path.name if state.head_snapshot_path else "snapshot"
    message = (
        f"snapshots/{name} (revision {state.head}) is not a schemagen snapshot "
        f"({type(exc).__name__}: {exc})"
    )
    return Finding("history", "migration history", message, SNAPSHOT_HINT)


def _read(path: Path | None) -> str | None:
    if path is None:
        return None
    return path.read_text(encoding="utf-8")


def leftover_findings(project: Project) -> list[Finding]:
    """What a killed ``build`` or ``migrate`` left: its journal, staging folder or a
    temporary file. The next ``build`` (or ``migrate``) finishes or undoes it."""
    from ..util.commit import leftovers

    return [
        Finding(
            "file",
            project.relative(path),
            "left by an interrupted schemagen build or migrate",
            "run `schemagen build`: it finishes or undoes the interrupted write",
        )
        for path in leftovers(project.output_dir)
    ]


def stale_docs(project: Project, rendered: Collection[str]) -> list[Finding]:
    """Pages under ``<output>/docs/`` that build does not write any more (``rendered``:
    the paths, relative to the project, of every file build renders).

    Build never deletes a file, so the page of a dropped entity would linger and
    describe a table that no longer exists. Only the docs folder is scanned:
    build owns all of it, while the rest of the output folder also holds
    revisions and files users add.
    """
    docs = project.output_dir / "docs"
    if not docs.is_dir():
        return []
    findings = []
    base = project.relative(docs)  # resolved once: per page it took 0.14 s at 2,000 pages
    for parts, linked in _pages_under(docs):
        # only a symbolic link can resolve elsewhere than where it lies
        rel = project.relative(docs.joinpath(*parts)) if linked else f"{base}/{'/'.join(parts)}"
        if rel not in rendered:
            findings.append(
                Finding(
                    "file",
                    rel,
                    "stale: `schemagen build` no longer writes it",
                    "delete it (and commit the deletion)",
                )
            )
    return findings


def _pages_under(folder: Path) -> list[tuple[tuple[str, ...], bool]]:
    """Every file below ``folder`` (also in hidden folders, not through linked ones),
    as its path's parts below ``folder`` and whether it is a symbolic link, sorted
    as the paths sort. Hidden files (.DS_Store, editor swap files) are not pages.

    What ``sorted(folder.rglob("[!.]*"))`` kept of ``is_file()`` paths, read from the
    file types that ``os.scandir`` already has, instead of two ``stat`` calls and
    a Path object per page (0.04 s at 2,000 pages).
    """
    found = []
    folders: list[tuple[str, ...]] = [()]
    while folders:
        parts = folders.pop()
        try:
            with os.scandir(folder.joinpath(*parts)) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append((*parts, entry.name))
                    elif not entry.name.startswith(".") and entry.is_file():
                        found.append(((*parts, entry.name), entry.is_symlink()))
        except PermissionError:
            continue  # as rglob: a folder it may not list holds no page it knows of
    return sorted(found)


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
        f"differs from what `schemagen build` writes ({changed} lines)",
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
    return f"+{added} -{removed}"


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


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "broken"


def _rest_lines(text: str) -> str:
    return "\n".join(line.strip() for line in text.strip().splitlines()[1:])
