"""The revision history on disk, verified before anything reads or extends it.

Layout, under ``<output>/migrations/``::

    versions/NNN_<slug>.py    Alembic revisions (the only *.py files there)
    snapshots/NNN.json        the DDL view of the schema at the head revision NNN
    schemagen.sum             sha256 of every revision and of the snapshot

Only the head revision's snapshot is kept: each revision holds its own change
(its operations, upgrade and downgrade), so the history grows with the changes,
not with the schema. ``migrate`` writes the new head's snapshot and removes the
previous one. Each revision's docstring records the sha256 of the snapshot it
led to, and ``schemagen.sum`` records the files (like ``atlas.sum``). A hand
edit of a revision therefore shows as a checksum mismatch; ``schemagen rehash``
accepts an intended edit. A snapshot can never be accepted that way: it must
match the hash its revision recorded.

Projects written before kept a snapshot per revision; those are still
verified, and the next ``schemagen migrate`` removes all but the head's.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Project
from ..errors import MigrationError
from ..model.data import from_data
from ..model.schema import Schema
from ..util.commit import JOURNAL
from ..util.pycode import parse_header

REVISION_FILE = re.compile(r"^(\d{3,})_([a-z0-9_]+)\.py$")
SNAPSHOT_LINE = re.compile(r"^Snapshot: sha256:([0-9a-f]{64})$", re.MULTILINE)
SUM_NAME = "schemagen.sum"
SUM_HEADER = (
    "# schemagen.sum: sha256 of every revision and snapshot. Written by schemagen;\n"
    "# after an intended hand edit of a revision, run `schemagen rehash`.\n"
)


@dataclass(frozen=True)
class Revision:
    """One revision file and its snapshot."""

    id: str
    slug: str
    path: Path
    down_revision: str | None
    snapshot_path: Path
    snapshot_sha256: str  # as recorded in the revision's docstring

    @functools.cached_property
    def snapshot_text(self) -> str:
        """The stored snapshot's text (its hash verified by load_history)."""
        try:
            return self.snapshot_path.read_text(encoding="utf-8")
        except ValueError as exc:  # not UTF-8
            raise self._not_a_snapshot(exc) from None

    @functools.cached_property
    def snapshot_data(self) -> Any:
        """The stored snapshot as JSON data."""
        try:
            return json.loads(self.snapshot_text)
        except ValueError as exc:
            raise self._not_a_snapshot(exc) from None

    @functools.cached_property
    def snapshot(self) -> Schema:
        """The DDL view of the schema at this revision."""
        try:
            return from_data(Schema, self.snapshot_data)
        except (ValueError, KeyError, TypeError) as exc:
            raise self._not_a_snapshot(exc) from None

    def _not_a_snapshot(self, exc: Exception) -> MigrationError:
        return MigrationError(
            f"{self.snapshot_path.name} (revision {self.id}) is not a schemagen snapshot "
            f"({type(exc).__name__}: {exc}); restore it from version control."
        )


@dataclass(frozen=True)
class History:
    """The verified revisions of a project, oldest first."""

    project: Project
    revisions: tuple[Revision, ...]

    @property
    def head(self) -> Revision | None:
        return self.revisions[-1] if self.revisions else None

    @property
    def next_id(self) -> str:
        """The id of the next revision: ``000``, ``001``, ..."""
        return f"{len(self.revisions):03d}"

    @property
    def sum_path(self) -> Path:
        return self.project.migrations_dir / SUM_NAME

    @property
    def old_snapshots(self) -> tuple[Path, ...]:
        """Snapshots of revisions before the head: the storage of older versions."""
        return tuple(r.snapshot_path for r in self.revisions[:-1] if r.snapshot_path.is_file())


def snapshots_dir(project: Project) -> Path:
    return project.migrations_dir / "snapshots"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_history(project: Project, *, verify_sums: bool = True) -> History:
    """Read and verify the history; raise :class:`MigrationError` saying what to do.

    Checked: no stray or duplicate revision files, no two heads, no gap in the
    ids, each ``down_revision`` the previous id, the head's snapshot present and
    every snapshot equal to the hash its revision recorded, and (unless
    ``verify_sums`` is false, as for ``rehash``) every file equal to
    ``schemagen.sum``.
    """
    journal = project.output_dir / JOURNAL
    if journal.exists():
        raise MigrationError(
            f"{project.relative(journal)}: a schemagen build or migrate was interrupted while "
            "it moved its files into place, so the history is half written. Run "
            "`schemagen build` to finish it."
        )
    revisions = _read_revisions(project)
    _check_chain(project, revisions)
    for rev in revisions[:-1]:
        if rev.snapshot_path.is_file():
            _check_snapshot(project, rev)
    if revisions:
        _check_snapshot(project, revisions[-1])
    _check_stray_snapshots(project, revisions)
    history = History(project, tuple(revisions))
    if verify_sums:
        _check_sums(history)
    return history


def _read_revisions(project: Project) -> list[Revision]:
    versions = project.versions_dir
    if not versions.is_dir():
        return []
    found: list[Revision] = []
    for path in sorted(versions.glob("*.py")):
        if path.name == "__init__.py":
            continue
        match = REVISION_FILE.match(path.name)
        if match is None:
            raise MigrationError(
                f"{project.relative(path)}: not a schemagen revision (expected NNN_slug.py); "
                "Alembic would load it as one. Move it out of versions/."
            )
        found.append(_parse_revision(project, path, match.group(1), match.group(2)))
    return found


def _parse_revision(project: Project, path: Path, rev_id: str, slug: str) -> Revision:
    where = project.relative(path)
    try:
        tree = parse_header(_read_text(path, where))
    except SyntaxError as exc:
        raise MigrationError(
            f"{where}:{exc.lineno}: revision is not valid Python: {exc.msg}"
        ) from None
    values = {}
    for node in tree.body:
        target = (
            node.target
            if isinstance(node, ast.AnnAssign)
            else (
                node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None
            )
        )
        value = getattr(node, "value", None)
        if isinstance(target, ast.Name) and isinstance(value, ast.Constant):
            values[target.id] = value.value
    if values.get("revision") != rev_id:
        raise MigrationError(
            f"{where}: says revision = {values.get('revision')!r}, but its file name says "
            f"{rev_id!r}; restore the file from version control"
        )
    snap = SNAPSHOT_LINE.search(ast.get_docstring(tree) or "")
    if snap is None:
        raise MigrationError(
            f"{where}: the docstring has no 'Snapshot: sha256:...' line; it was not written "
            "by schemagen or was edited by hand. Restore it from version control."
        )
    down = values.get("down_revision")
    return Revision(
        id=rev_id,
        slug=slug,
        path=path,
        down_revision=down if isinstance(down, str) else None,
        snapshot_path=snapshots_dir(project) / f"{rev_id}.json",
        snapshot_sha256=snap.group(1),
    )


def _read_text(path: Path, where: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise MigrationError(
            f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start}); "
            "restore it from version control"
        ) from None


#: Why two heads happen and the way out, for both shapes of them (one id used
#: twice, or two revisions on one parent).
_TWO_HEADS_FIX = (
    "as after merging two branches that each added migrations. Keep one branch: "
    "delete the other's revisions and snapshots, run `schemagen rehash`, then "
    "`schemagen migrate` to write its change again on top."
)


def _check_chain(project: Project, revisions: list[Revision]) -> None:
    by_id: dict[str, list[Revision]] = {}
    for rev in revisions:
        by_id.setdefault(rev.id, []).append(rev)
    for rev_id, revs in by_id.items():
        if len(revs) > 1:
            names = ", ".join(project.relative(r.path) for r in revs)
            raise MigrationError(
                f"two heads: {len(revs)} revisions share id {rev_id} ({names}), {_TWO_HEADS_FIX}"
            )
    expected = [f"{i:03d}" for i in range(len(revisions))]
    ids = [rev.id for rev in revisions]
    if ids != expected:
        missing = sorted(set(expected) - set(ids)) or expected[len(ids) :]
        raise MigrationError(
            f"gap in the revision history: found {', '.join(ids)}, revision "
            f"{', '.join(missing)} is missing. Restore it from version control."
        )
    previous: str | None = None
    for rev in revisions:
        if rev.down_revision != previous:
            siblings = [r for r in revisions if r.down_revision == rev.down_revision]
            if len(siblings) > 1:
                names = ", ".join(project.relative(r.path) for r in siblings)
                raise MigrationError(
                    f"two heads: {names} all follow revision {rev.down_revision!r}, "
                    + _TWO_HEADS_FIX
                )
            raise MigrationError(
                f"{project.relative(rev.path)}: down_revision is {rev.down_revision!r}, "
                f"expected {previous!r}: the file was edited by hand. Restore it from "
                "version control."
            )
        previous = rev.id


def _check_snapshot(project: Project, rev: Revision) -> None:
    where = project.relative(rev.snapshot_path)
    if not rev.snapshot_path.is_file():
        raise MigrationError(
            f"{where} is missing: the head revision needs the snapshot of the schema it "
            f"leads to. Restore it from version control (revision {rev.id})."
        )
    if sha256(rev.snapshot_path.read_bytes()) != rev.snapshot_sha256:
        raise MigrationError(
            f"{where} does not match revision {project.relative(rev.path)} (its sha256 "
            "differs from the one the revision recorded). The snapshot was edited or "
            "replaced; restore it from version control."
        )


def _check_stray_snapshots(project: Project, revisions: list[Revision]) -> None:
    # A snapshot without its revision (a revision deleted, or a half-undone
    # migrate) would otherwise be overwritten silently by the next migrate.
    owned = {rev.snapshot_path.name for rev in revisions}
    folder = snapshots_dir(project)
    stray = sorted(p for p in folder.glob("*.json") if p.name not in owned)
    if stray:
        where = project.relative(stray[0])
        raise MigrationError(
            f"{where} belongs to no revision in {project.relative(project.versions_dir)}: "
            f"restore revision {stray[0].stem} from version control, or delete the snapshot."
        )


def sum_entries(history: History) -> dict[str, str]:
    """Relative path (under migrations/) -> sha256, for every revision and snapshot."""
    root = history.project.migrations_dir
    entries = {}
    for rev in history.revisions:
        for path in (rev.path, rev.snapshot_path):
            if path.is_file():
                entries[path.relative_to(root).as_posix()] = sha256(path.read_bytes())
    return dict(sorted(entries.items()))


def sum_text(entries: dict[str, str]) -> str:
    """The text of ``schemagen.sum`` for ``entries``."""
    return SUM_HEADER + "".join(f"{digest}  {name}\n" for name, digest in entries.items())


def read_sum(path: Path) -> dict[str, str]:
    """Parse ``schemagen.sum`` (missing file: no entries)."""
    if not path.is_file():
        return {}
    entries = {}
    for line in _read_text(path, path.name).splitlines():
        if line.strip() and not line.startswith("#"):
            digest, _, name = line.partition("  ")
            entries[name.strip()] = digest.strip()
    return entries


def _check_unrecorded_head(history: History, recorded: dict[str, str], where: str) -> None:
    """The head revision and its snapshot written but not recorded: a migrate of an
    older schemagen killed before it wrote the sums. Both files are whole (their
    hashes agree), so accepting them is the way out, not removing one."""
    head = history.head
    if head is None or not recorded:
        return
    root = history.project.migrations_dir
    names = {p.relative_to(root).as_posix() for p in (head.path, head.snapshot_path)}
    if names.isdisjoint(recorded) and set(sum_entries(history)) - set(recorded) == names:
        raise MigrationError(
            f"revision {head.id} ({history.project.relative(head.path)}) and its snapshot are "
            f"not recorded in {where}: a `schemagen migrate` was interrupted before it "
            "recorded them. Run `schemagen rehash` to accept them."
        )


def _check_sums(history: History) -> None:
    recorded = read_sum(history.sum_path)
    actual = sum_entries(history)
    where = history.project.relative(history.sum_path)
    shown = history.project.relative(history.project.migrations_dir)
    if not recorded and actual:
        raise MigrationError(
            f"{where} is missing. Restore it from version control, or run "
            "`schemagen rehash` to record the revisions as they are now."
        )
    _check_unrecorded_head(history, recorded, where)
    for name, digest in actual.items():
        if name not in recorded:
            raise MigrationError(
                f"{shown}/{name} is not recorded in {where}: it was not written by "
                "schemagen migrate. Remove it, or run `schemagen rehash` to accept it."
            )
        if recorded[name] != digest:
            raise MigrationError(
                f"{shown}/{name} was edited by hand: its sha256 differs from {where}. "
                "If the edit is intended, run `schemagen rehash`; otherwise restore the "
                "file from version control."
            )
    for name in sorted(recorded.keys() - actual.keys()):
        raise MigrationError(
            f"{shown}/{name} is recorded in {where} but missing. Restore it from "
            "version control, or run `schemagen rehash` if it was removed on purpose."
        )
