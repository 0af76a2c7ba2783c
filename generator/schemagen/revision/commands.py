"""``schemagen plan``, ``migrate`` and ``rehash``: functions that return data, never print."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Project
from ..diff.compare import diff, unchanged_plan
from ..diff.snapshot import (
    Lines,
    ddl_view,
    empty_schema,
    matches_snapshot,
    snapshot_text,
    view_text,
)
from ..errors import CastRefused, DestructiveChange
from ..model.schema import ColumnType, Database, Domain, Entity, Schema
from ..model.sqltext import quote_name
from ..model.typemap import pg_type
from ..operations.domain import CreateDomain, DropDomain
from ..operations.plan import Plan, apply
from ..operations.retype import RetypeColumns
from ..operations.stages import DEFAULT_LOCK_BUDGET, Stage, stages
from ..operations.table import AddColumn, AlterColumn, CreateTable, DropColumn, DropTable
from ..util.background import run_shared
from ..util.commit import Changes, commit
from .history import History, load_history, sha256, snapshots_dir, sum_entries, sum_text
from .script import RevisionInfo, described, live_warnings, render_revision, slugify

if TYPE_CHECKING:  # build imports Jinja: only migrate needs it, not plan
    from ..render.build import BuildResult


def retyped_domains(plan: Plan) -> list[str]:
    """Domains whose base type or collation changes: PostgreSQL has no ALTER DOMAIN
    for that, and one name cannot be dropped and created in one plan while columns
    use it."""
    dropped = {op.domain.name: op.domain for op in plan.operations if isinstance(op, DropDomain)}
    return [
        f"domain {op.domain.name} changes its base type or collation "
        f"({base_words(dropped[op.domain.name])} -> {base_words(op.domain)}), which PostgreSQL "
        "cannot alter: declare a domain of another name, move the columns to it, and drop "
        f"{op.domain.name} in a later revision"
        for op in plan.operations
        if isinstance(op, CreateDomain) and op.domain.name in dropped
    ]


def base_words(dom: Domain) -> str:
    """``text``, ``character varying(2) COLLATE "C"``: a domain's base as DDL says it."""
    ct = dom.type
    if ct.kind == "enum":
        plain = str(ct.enum)
    else:
        plain = pg_type(replace(ct, collation=None), Schema(Database("")))
    return plain + (f" COLLATE {quote_name(ct.collation)}" if ct.collation else "")


@dataclass(frozen=True)
class PlanResult:
    """The plan of the next revision against the latest snapshot."""

    plan: Plan
    head: str | None
    next_id: str
    #: True for ``migrate --allow-destructive``: the header says what is done.
    allow_destructive: bool = False
    lock_budget: int = DEFAULT_LOCK_BUDGET  # locks per transaction: see operations.stages

    @property
    def stages(self) -> tuple[Stage, ...]:
        """The revisions the plan is written as (:mod:`schemagen.operations.stages`)."""
        return stages(self.plan, self.lock_budget)

    @property
    def cast_problems(self) -> list[str]:
        """Type changes that need a ``using:`` the schema does not give."""
        found = [
            alter.cast_problem()
            for op in self.plan.operations
            for alter in (op.alters if isinstance(op, RetypeColumns) else (op,))
            if isinstance(alter, AlterColumn)
        ]
        return [problem for problem in found if problem] + retyped_domains(self.plan)

    def revision_ids(self) -> list[str]:
        """The ids the stages get, in order."""
        first = int(self.next_id)
        return [f"{first + i:03d}" for i in range(len(self.stages))]

    def report_lines(self) -> list[str]:
        """The plan, one line per operation (by revision when it takes several),
        then what is destructive."""
        notes = [f"note: {note}" for note in self.plan.notes]
        if self.plan.empty:
            where = f"revision {self.head}" if self.head else "an empty history"
            return [f"No changes: the schema matches {where}.", *notes]
        count = len(self.plan.operations)
        ops = f"{count} operation{'s' * (count != 1)}"
        ids = self.revision_ids()
        if len(ids) == 1:
            lines = [f"Plan for revision {ids[0]} ({ops}):"]
            lines += [f"  {line}" for line in described(self.plan)]
        else:
            lines = [f"Plan for revisions {ids[0]}-{ids[-1]} ({ops}):"]
            for rev_id, stage in zip(ids, self.stages, strict=True):
                lines.append(f"  revision {rev_id}: {stage.words}")
                lines += [f"    {line}" for line in described(stage.plan)]
        warnings = live_warnings(self.plan)
        if warnings:
            lines.append(f"Unsafe on a live table ({len(warnings)}):")
            lines += [f"  ! {warning}" for warning in warnings]
        risky = self.plan.destructive
        if risky and self.allow_destructive:
            lines.append(
                f"Destructive ({len(risky)}): allowed by --allow-destructive; "
                "the revision marks them '# DESTRUCTIVE'"
            )
        elif risky:
            lines.append(f"Destructive ({len(risky)}): needs --allow-destructive")
        lines += [f"  ! {op.risk()}" for op in risky]
        casts = self.cast_problems
        if casts:
            lines.append(f"Needs `using:` ({len(casts)}): migrate refuses it until then")
            lines += [f"  ! {problem}" for problem in casts]
        return lines + notes


@dataclass(frozen=True)
class MigrateResult:
    """What ``migrate`` wrote (nothing when there was no change)."""

    plan_result: PlanResult
    written: tuple[Path, ...] = ()
    build_lines: tuple[str, ...] = field(default_factory=tuple)
    project: Project | None = None
    #: What was repaired after a killed command, said first.
    recovered: tuple[str, ...] = ()
    removed: tuple[Path, ...] = ()  # snapshots of older revisions, no longer kept

    @property
    def plan(self) -> Plan:
        return self.plan_result.plan

    def report_lines(self) -> list[str]:
        """The plan, then each file written."""
        lines = [*self.recovered, *self.plan_result.report_lines()]
        if self.plan.empty and not self.written:
            return lines + ["Nothing written."]
        for path in self.removed:
            shown = self.project.relative(path) if self.project else str(path)
            lines.append(f"removed {shown} (only the head revision's snapshot is kept)")
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
    if head is not None and matches_snapshot(head.snapshot_text, schema):
        # Nothing changed: no need to rebuild the stored schema and diff it.
        the_plan = unchanged_plan(schema)
    else:
        the_plan = diff(head.snapshot if head else None, schema)
    budget = history.project.max_locks_per_revision
    return PlanResult(the_plan, head.id if head else None, history.next_id, lock_budget=budget)


def migrate(
    project: Project,
    schema: Schema,
    message: str,
    *,
    allow_destructive: bool = False,
    confirm: Callable[[], None] = lambda: None,
) -> MigrateResult:
    """Write the next revision, its snapshot and the sums, then rebuild the outputs.

    Nothing is written when the history is inconsistent, when there is no
    change, or when the plan is destructive and ``allow_destructive`` is false
    (:class:`DestructiveChange`, exit 1). ``confirm`` is called before anything
    is written: it raises where the schema, still being checked, has errors
    (:func:`schemagen.validate.pipeline.load_schema_apart`; the caller also asks
    it first when migrate raises).
    """
    history = load_history(project)
    result = replace(_plan(history, schema), allow_destructive=allow_destructive)
    if result.plan.empty:
        confirm()
        old = history.old_snapshots
        return MigrateResult(result, _prune(project, history), project=project, removed=old)
    if result.plan.destructive and not allow_destructive:
        raise DestructiveChange(_refusal(result, schema))
    if result.cast_problems:
        raise CastRefused(
            "\n".join(
                [
                    f"refused: revision {result.next_id} changes a type that PostgreSQL "
                    "cannot convert by itself:",
                    *(f"  ! {problem}" for problem in result.cast_problems),
                    "Nothing was written.",
                ]
            )
        )
    revisions = _revisions(project, history, result, schema, message)
    # The revisions, their snapshots, the sums and the rebuilt outputs are committed
    # together: a kill at any instant leaves all of them or none once the next
    # command has run (util.commit), never a revision missing from the sums. The
    # docs' history page already lists the revisions about to be written.
    pending = [(text, snapshot) for _, text, _, snapshot in revisions]
    changes, built = _stage_build(project, schema, pending)
    entries = sum_entries(history)
    written: list[Path] = []
    stale = _stored_snapshots(history)
    # A new list: the build's result shares the old one, and reports it as its own.
    changes.deletes = [*changes.deletes, *stale]
    for rel in stale:
        entries.pop(_in_migrations(project, rel), None)
    for rev_path, text, _, _ in revisions:
        _record(changes, entries, project, rev_path, text)
        written.append(rev_path)
    # Only the new head's snapshot is stored: the revisions hold the change, and
    # each records the hash of the snapshot it led to.
    _, _, snap_path, snapshot = revisions[-1]
    _record(changes, entries, project, snap_path, snapshot)
    written.append(snap_path)
    _add(changes, project, history.sum_path, sum_text(dict(sorted(entries.items()))).encode())
    written.append(history.sum_path)
    confirm()
    commit(project.output_dir, changes, f"schemagen migrate -m {_quoted(message)}")
    return MigrateResult(
        result,
        tuple(written),
        tuple(built.report_lines()),
        project,
        removed=tuple(project.root / rel for rel in stale),
    )


#: From this many operations on, the revisions of one change (the parts of a large
#: first revision) are rendered by the caller and a forked child together.
PARALLEL_RENDER = 500


def _revisions(
    project: Project, history: History, result: PlanResult, schema: Schema, message: str
) -> list[tuple[Path, str, Path, str]]:
    """(revision path, its text, snapshot path, the snapshot's text) of each part."""
    state = ddl_view(history.head.snapshot if history.head else empty_schema())
    parts = result.stages
    down = result.head
    lines: Lines = {}  # each table's snapshot line, rendered once for all the parts
    found: list[tuple[Path, Path, str]] = []
    renders: list[Callable[[], str]] = []
    for rev_id, stage in zip(result.revision_ids(), parts, strict=True):
        after = apply(state, stage.plan)
        # Only the last snapshot is stored: the schema's own view, byte for byte
        # what check compares. Each revision records the hash of the one it leads to
        # (``after`` is a DDL view already: the head's, changed by operations on views).
        last = stage is parts[-1]
        snapshot = snapshot_text(schema, lines) if last else view_text(after, lines)
        info = RevisionInfo(
            id=rev_id,
            down_revision=down,
            message=message,
            snapshot_sha256=sha256(snapshot.encode("utf-8")),
        )
        renders.append(partial(render_revision, info, stage, state, project.templates_dir))
        rev_path = project.versions_dir / f"{rev_id}_{slugify(message)}{stage.slug_suffix}.py"
        found.append((rev_path, snapshots_dir(project) / f"{rev_id}.json", snapshot))
        state, down = after, rev_id
    # Rendering the parts is most of a large first revision's time; each is a pure
    # function of its part, so two processes may share them (util.background).
    fork = len(result.plan.operations) >= PARALLEL_RENDER
    texts = run_shared(renders, fork=fork)
    return [
        (rev_path, text, snap_path, snapshot)
        for (rev_path, snap_path, snapshot), text in zip(found, texts, strict=True)
    ]


def _stored_snapshots(history: History) -> list[str]:
    """The snapshots on disk (project-relative): the head's, and a legacy history's."""
    return [
        history.project.relative(rev.snapshot_path)
        for rev in history.revisions
        if rev.snapshot_path.is_file()
    ]


def _in_migrations(project: Project, rel: str) -> str:
    """A project-relative path as a key of ``schemagen.sum``."""
    return (project.root / rel).relative_to(project.migrations_dir).as_posix()


def _record(
    changes: Changes, entries: dict[str, str], project: Project, path: Path, content: str
) -> None:
    """Write a history file and record its sha256 for ``schemagen.sum``."""
    data = content.encode("utf-8")
    _add(changes, project, path, data)
    entries[path.relative_to(project.migrations_dir).as_posix()] = sha256(data)


def _prune(project: Project, history: History) -> tuple[Path, ...]:
    """Remove the snapshots of revisions before the head (a history written by an
    older schemagen) and record the sums; return what was written."""
    old = [project.relative(path) for path in history.old_snapshots]
    if not old:
        return ()
    entries = sum_entries(history)
    changes = Changes(project.root, deletes=old)
    for rel in old:
        entries.pop(_in_migrations(project, rel), None)
    _add(changes, project, history.sum_path, sum_text(dict(sorted(entries.items()))).encode())
    commit(project.output_dir, changes, "schemagen migrate (older snapshots removed)")
    return (history.sum_path,)


def _add(changes: Changes, project: Project, path: Path, data: bytes) -> None:
    """Add a history file to ``changes``; it is the only copy: flushed to disk."""
    rel = project.relative(path)
    changes.writes[rel] = data
    changes.durable.add(rel)


def _quoted(message: str) -> str:
    """``message`` as a shell argument in a message (bounded: it may be long)."""
    short = message if len(message) <= 60 else message[:59] + "…"
    return '"' + short.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _refusal(result: PlanResult, schema: Schema) -> str:
    lines = [
        f"refused: revision {result.next_id} would hold changes that can lose data or fail "
        "on existing rows:",
        *(f"  ! {op.risk()}" for op in result.plan.destructive),
        *rename_suggestions(result.plan, schema),
        "Nothing was written. If this is intended, run again with --allow-destructive;",
        "the revision then marks these operations with '# DESTRUCTIVE'.",
    ]
    return "\n".join(lines)


def rename_suggestions(plan: Plan, schema: Schema) -> list[str]:
    """For a dropped column (table) beside an added one of the same type (columns),
    the ``renamed_from:`` line that makes it a rename instead."""
    lines: list[str] = []
    ops = plan.operations
    entity_of = {e.table: e.name for e in schema.entities}
    for drop in (op for op in ops if isinstance(op, DropColumn)):
        for add in (op for op in ops if isinstance(op, AddColumn)):
            if add.table == drop.table and add.column.type == drop.column.type:
                path = f"entities.{entity_of.get(add.table, add.table)}.columns.{add.column.name}"
                lines.append(
                    f"If {drop.table}.{drop.column.name} was renamed to {add.column.name}, "
                    f"add this line under {path} and run again:"
                )
                lines.append(f"    renamed_from: {drop.column.name}")
    for gone in (op for op in ops if isinstance(op, DropTable)):
        for made in (op for op in ops if isinstance(op, CreateTable)):
            if _shape(gone.entity) == _shape(made.entity):
                lines.append(
                    f"If entity {gone.entity.name} was renamed to {made.entity.name}, add "
                    f"this line under entities.{made.entity.name} and run again:"
                )
                lines.append(f"    renamed_from: {gone.entity.name}")
    return lines


def _shape(entity: Entity) -> list[tuple[str, ColumnType]]:
    """The column names and types of an entity, in order (a renamed table keeps them)."""
    return [(c.name, c.type) for c in entity.columns]


def _stage_build(
    project: Project, schema: Schema, pending: list[tuple[str, str]] | None = None
) -> tuple[Changes, BuildResult]:
    """What ``schemagen build`` would write, so outputs and revisions agree."""
    from ..render.build import stage_build

    return stage_build(project, schema, pending=pending or ())


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
    text = sum_text(sum_entries(history))
    path = history.sum_path
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        changes = Changes(project.root)
        _add(changes, project, path, text.encode("utf-8"))
        commit(project.output_dir, changes, "schemagen rehash")
    return path
