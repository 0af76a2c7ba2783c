"""The public API behind the CLI: functions that return data and never print.

``ValidationResult`` and ``load_schema`` live in ``validate.pipeline`` and are
re-exported here, where users import them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from .config import Project, load_project
from .errors import Issue, MigrationError, SchemaInvalid, Severity, sort_issues
from .model.schema import Schema
from .util.commit import staging_area, writing
from .validate.pipeline import (
    PendingSchema,
    ValidationResult,
    load_and_validate,
    load_schema,
    load_schema_apart,
)

if TYPE_CHECKING:
    from .adopt.run import ImportResult
    from .prove.run import ProveResult
    from .render.build import BuildResult
    from .revision.commands import MigrateResult, PlanResult
    from .seed.run import SeedResult


def validate_project(project_dir: str | Path | None = None) -> ValidationResult:
    """Load, validate, normalize and lint the schema of the project at ``project_dir``.

    A ``renamed_from`` that names nothing in the latest revision's snapshot is a
    warning (``migrate`` refuses it); a domain change since that snapshot that
    PostgreSQL refuses while a column is an array of the domain is an error (a
    warning when only the revision's downgrade would fail).
    """
    project = load_project(project_dir)
    result = load_and_validate(project)
    found = [*unmatched_renames(project, result, "warning"), *array_domain_issues(project, result)]
    return replace(result, issues=sort_issues([*result.issues, *found])) if found else result


def unmatched_renames(
    project: Project, result: ValidationResult, severity: Severity
) -> list[Issue]:
    """The ``renamed_from`` hints that rename nothing in the latest snapshot, located.

    A typo such as ``renamed_from: bioo`` for ``bio`` would otherwise plan a
    drop and an add. A broken history is ``check``'s to report, and before the
    first revision a hint renames nothing by design: none here then.
    """
    schema = result.schema
    if schema is None or not any(
        e.renamed_from or any(c.renamed_from for c in e.columns) for e in schema.entities
    ):
        return []
    from .diff.compare import unmatched_renames as unmatched

    head = _head_snapshot(project)
    if head is None:
        return []  # before the first revision there is nothing to rename from
    found = unmatched(head, schema)
    return [_located(project, result, path, message, severity) for path, message in found]


def array_domain_issues(project: Project, result: ValidationResult) -> list[Issue]:
    """The domain changes since the latest snapshot that PostgreSQL refuses while a
    column is an array of the domain (:func:`schemagen.diff.domains.array_domain_conflicts`),
    located: an error when the next revision's upgrade would fail, a warning when
    its downgrade would. None to look for without such a column (the usual case)."""
    schema = result.schema
    if schema is None or not any(
        c.type.of is not None and c.type.of.domain for e in schema.entities for c in e.columns
    ):
        return []
    from .diff.compare import diff
    from .diff.domains import array_domain_conflicts

    head = _head_snapshot(project)
    if head is None:
        return []  # the first revision creates each domain with its checks, then the columns
    found = array_domain_conflicts(diff(head, schema).operations, head, schema)
    return [
        _located(project, result, c.path, c.message, "error" if c.upgrade else "warning")
        for c in found
    ]


def _head_snapshot(project: Project) -> Schema | None:
    """The latest revision's snapshot; None before the first revision, and when the
    history is broken (``check`` reports that)."""
    from .revision.history import load_history

    try:
        head = load_history(project).head
    except MigrationError:
        return None
    return head.snapshot if head is not None else None


def _located(
    project: Project,
    result: ValidationResult,
    path: tuple[str, ...],
    message: str,
    severity: Severity,
) -> Issue:
    """An issue where ``path`` was written (the schema folder when it cannot be found)."""
    loc = result.source_map.find(path)
    folder = project.relative(project.schema_dir)
    where = (loc.file, loc.line, loc.column) if loc else (folder, 0, 0)
    return Issue(*where, ".".join(path), message, severity)


def build_project(project_dir: str | Path | None = None) -> BuildResult:
    """Render every generated file; write only those whose content changed."""
    from .render.build import BUILD_COMMAND, PageStager, build, stage_docs

    project = load_project(project_dir)
    with writing(project.root, project.output_dir) as recovered, staging_area(
        project.output_dir, BUILD_COMMAND
    ) as staging:
        # The docs pages start to render and stage (in a child, for a large schema)
        # once the schema is normalized, while the model checks run here. A build
        # reports the schema's errors, never a warning: no lint (see load_schema_apart).
        pages: list[PageStager] = []
        try:
            result = load_schema(
                project,
                normalized=lambda schema: pages.append(stage_docs(project, schema, staging)),
                warnings=False,
            )
        except BaseException:
            for job in pages:
                job.cancel()
            raise
        built = build(project, result.schema, pages[0])  # type: ignore[arg-type]
    built.recovered = recovered
    return built


def plan_project(project_dir: str | Path | None = None) -> PlanResult:
    """Diff the schema against the latest revision's snapshot; write nothing."""
    project = load_project(project_dir)
    # A large schema is checked in a child while the plan is made: the same errors
    # (exit 2) before any plan is shown. A plan shows no warnings.
    pending = load_schema_apart(
        project, meanwhile=_import_revisions, names_early=True, warnings=False
    )
    from .revision.commands import plan

    result = _checked_first(pending, lambda schema: plan(project, schema))
    pending.finish()
    return result


def migrate_project(
    project_dir: str | Path | None, message: str, *, allow_destructive: bool = False
) -> MigrateResult:
    """Write the next revision (and rebuild the generated files)."""
    project = load_project(project_dir)
    # Under the lock, a second migrate started at the same moment plans against
    # the revision the first one wrote.
    with writing(project.root, project.output_dir) as recovered:
        # Its errors (and unmatched renames) are all it reports of the schema: no warnings.
        pending = load_schema_apart(project, meanwhile=_import_revisions, warnings=False)
        from .revision.commands import migrate

        confirmed: list[bool] = []

        def confirm() -> None:
            """The schema's errors, then a ``renamed_from`` that renames nothing and a
            domain change PostgreSQL refuses (an array of the domain): asked (once)
            before migrate refuses a plan or writes anything."""
            if not confirmed:
                checked = pending.finish()
                wrong = unmatched_renames(project, checked, "error")
                # a revision whose upgrade PostgreSQL would refuse is not written
                wrong += [i for i in array_domain_issues(project, checked) if i.severity == "error"]
                if wrong:
                    raise SchemaInvalid(wrong)
                confirmed.append(True)

        done = _checked_first(
            pending,
            lambda schema: migrate(
                project, schema, message, allow_destructive=allow_destructive, confirm=confirm
            ),
            confirm,
        )
    return replace(done, recovered=tuple(recovered))


def _import_revisions() -> None:
    """Import what plan and migrate run (diff, operations, revision: a tenth of a
    second) while the schema's last files are parsed in a child, not before."""
    from .revision import commands  # noqa: F401


_R = TypeVar("_R")


def _checked_first(
    pending: PendingSchema, work: Callable[[Schema], _R], first: Callable[[], object] | None = None
) -> _R:
    """``work`` on a schema whose checks may still be running: whatever it raises,
    the schema's own errors (``first``: :meth:`PendingSchema.finish`) are reported
    first, as when the checks ran before it."""
    first = first or pending.finish
    schema = pending.schema
    if schema is None:
        first()  # raises: the schema could not even be normalized
    try:
        return work(schema)  # type: ignore[arg-type]
    except Exception:
        first()
        raise
    except BaseException:
        pending.cancel()
        raise


def rehash_project(project_dir: str | Path | None = None) -> list[str]:
    """Record the revisions and snapshots as they are now in ``schemagen.sum``."""
    from .revision.commands import rehash

    project = load_project(project_dir)
    with writing(project.root, project.output_dir) as recovered:
        return [*recovered, *rehash(project)]


def import_database(
    project_dir: str | Path | None,
    url: str,
    *,
    schemas: tuple[str, ...] = (),
    force: bool = False,
    allow_partial: bool = False,
) -> ImportResult:
    """Write the schema folder's YAML from the live database at ``url`` (read-only).

    The result lists every object the language cannot express; nothing is
    written when there is one, unless ``allow_partial``.
    """
    from .adopt.run import import_database as run_import

    return run_import(
        project_dir, url, schemas=schemas, force=force, allow_partial=allow_partial
    )


def seed_project(
    project_dir: str | Path,
    database_url: str,
    *,
    rows: int | None = None,
    rows_per: dict[str, int] | None = None,
    seed: int = 0,
    append: bool = False,
) -> SeedResult:
    """Fill the database at ``database_url`` (at head, empty unless ``append``) with
    synthetic rows that satisfy the schema's constraints; deterministic per ``seed``."""
    from .live.connection import connect
    from .seed.run import ROLLED_BACK, seed_connection

    project = load_project(project_dir)
    schema = load_schema(project).schema
    assert schema is not None
    with connect(database_url, lock_timeout=project.lock_timeout, left=ROLLED_BACK) as conn:
        return seed_connection(
            conn, schema, rows=rows, rows_per=rows_per, seed=seed, append=append
        )


def prove_project(
    project_dir: str | Path,
    database_url: str,
    *,
    rows: int | None = None,
    rows_per: dict[str, int] | None = None,
    seed: int = 0,
    write_docs: bool = False,
) -> ProveResult:
    """Create the schema in the EMPTY database at ``database_url``, seed it, and
    measure every query the indexes declare (``serves``) with and without its index.

    With ``write_docs``, the run-stable facts go to ``<output>/proofs.json`` and the
    docs are rebuilt to show them.
    """
    from .live.connection import connect
    from .prove.run import DEFAULT_ROWS, prove_connection
    from .render.build import PROOFS_FILE
    from .util.writer import write_files

    project = load_project(project_dir)
    loaded = load_schema(project)
    assert loaded.schema is not None
    with connect(database_url, lock_timeout=project.lock_timeout) as conn:
        result = prove_connection(
            conn,
            project,
            loaded.schema,
            loaded.source_map,
            rows=DEFAULT_ROWS if rows is None else rows,
            rows_per=rows_per,
            seed=seed,
        )
    if write_docs:
        record = project.relative(project.output_dir / PROOFS_FILE)
        write_files(project.root, {record: result.record()})
        build_project(project_dir)
    return result
