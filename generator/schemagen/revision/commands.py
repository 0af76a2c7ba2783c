"""``schemagen plan``, ``migrate`` and ``rehash``: functions that return data, never print."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..config import Project
from ..diff.compare import diff
from ..diff.snapshot import ddl_view, empty_schema
from ..errors import DestructiveChange
from ..model.schema import Schema
from ..operations.plan import Plan
from ..util import writer
from .history import History, load_history, sha256, snapshots_dir, sum_entries, sum_text
from .script import RevisionInfo, render_revision, slugify


@dataclass(frozen=True)
class PlanResult:
    """The plan of the next revision against the latest snapshot."""

    plan: Plan
    head: str | None
    next_id: str

    def report_lines(self) -> list[str]:
        """The plan, one line per operation, then what is destructive."""
        notes = [f"note: {note}" for note in self.plan.notes]
        if self.plan.empty:
            where = f"revision {self.head}" if self.head else "an empty history"
            return [f"No changes: the schema matches {where}.", *notes]
        count = len(self.plan.operations)
        lines = [f"Plan for revision {self.next_id} ({count} operation{'s' * (count != 1)}):"]
        lines += [f"  {line}" for line in self.plan.describe()]
        risky = self.plan.destructive
        if risky:
            lines.append(f"Destructive ({len(risky)}): needs --allow-destructive")
            lines += [f"  ! {op.risk()}" for op in risky]
        return lines + notes


@dataclass(frozen=True)
class MigrateResult:
    """What ``migrate`` wrote (nothing when there was no change)."""

    plan_result: PlanResult
    written: tuple[Path, ...] = ()
    build_lines: tuple[str, ...] = field(default_factory=tuple)
    project: Project | None = None

    @property
    def plan(self) -> Plan:
        return self.plan_result.plan

    def report_lines(self) -> list[str]:
        """The plan, then each file written."""
        lines = self.plan_result.report_lines()
        if self.plan.empty:
            return lines + ["Nothing written."]
        for path in self.written:
            shown = self.project.relative(path) if self.project else str(path)
            lines.append(f"wrote {shown}")
        return lines + list(self.build_lines)


def plan(project: Project, schema: Schema) -> PlanResult:
    """Diff ``schema`` against the latest revision's snapshot; write nothing."""
    history = load_history(project)
    return _plan(history, schema)


def _plan(history: History, schema: Schema) -> PlanResult:
    head = history.head
    the_plan = diff(head.snapshot if head else None, schema)
    return PlanResult(the_plan, head.id if head else None, history.next_id)


def migrate(
    project: Project, schema: Schema, message: str, *, allow_destructive: bool = False
) -> MigrateResult:
    """Write the next revision, its snapshot and the sums, then rebuild the outputs.

    Nothing is written when the history is inconsistent, when there is no
    change, or when the plan is destructive and ``allow_destructive`` is false
    (:class:`DestructiveChange`, exit 1).
    """
    history = load_history(project)
    result = _plan(history, schema)
    if result.plan.empty:
        return MigrateResult(result, project=project)
    if result.plan.destructive and not allow_destructive:
        raise DestructiveChange(_refusal(result))
    snapshot = ddl_view(schema).to_json()
    info = RevisionInfo(
        id=result.next_id,
        down_revision=result.head,
        message=message,
        snapshot_sha256=sha256(snapshot.encode("utf-8")),
    )
    old_state = history.head.snapshot if history.head else empty_schema()
    text = render_revision(info, result.plan, ddl_view(old_state), project.templates_dir)
    rev_path = project.versions_dir / f"{info.id}_{slugify(message)}.py"
    snap_path = snapshots_dir(project) / f"{info.id}.json"
    # Build first: it renders everything before writing, so a failing template
    # leaves no revision behind whose generated files were never written.
    build_lines = tuple(_build(project, schema))
    write_atomic(snap_path, snapshot)
    write_atomic(rev_path, text)
    written = [rev_path, snap_path, write_sums(project)]
    return MigrateResult(result, tuple(written), build_lines, project)


def _refusal(result: PlanResult) -> str:
    lines = [
        f"refused: revision {result.next_id} would hold changes that can lose data:",
        *(f"  ! {op.risk()}" for op in result.plan.destructive),
        "Nothing was written. If this is intended, run again with --allow-destructive;",
        "the revision then marks these operations with '# DESTRUCTIVE'.",
    ]
    return "\n".join(lines)


def _build(project: Project, schema: Schema) -> list[str]:
    """Rebuild whatever ``schemagen build`` writes, so outputs and revisions agree."""
    from ..render.build import build

    return list(build(project, schema).report_lines())


def rehash(project: Project) -> list[str]:
    """Record the revisions and snapshots as they are now in ``schemagen.sum``.

    Everything but the sums is still verified (chain, snapshot hashes), so a
    snapshot that does not match its revision is never accepted.
    """
    path = write_sums(project, verify=False)
    return [f"wrote {project.relative(path)}"]


def write_sums(project: Project, *, verify: bool = False) -> Path:
    """Rewrite ``schemagen.sum`` from the files on disk; return its path."""
    history = load_history(project, verify_sums=verify)
    write_atomic(history.sum_path, sum_text(sum_entries(history)))
    return history.sum_path


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temp file and rename; skip if unchanged."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    # A revision is the only copy of its content: flush it to disk.
    writer.write_atomic(path, text.encode("utf-8"), durable=True)
