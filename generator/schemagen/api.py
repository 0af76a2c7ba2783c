"""The public API behind the CLI: functions that return data and never print."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Project, load_project
from .errors import Issue, SchemaInvalid
from .model import Schema, SourceMap

if TYPE_CHECKING:
    from .build import BuildResult
    from .migrations.commands import MigrateResult, PlanResult


@dataclass
class ValidationResult:
    """Every issue found in a schema folder, and the model when there was no error."""

    project: Project
    schema: Schema | None
    source_map: SourceMap = field(default_factory=SourceMap)
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    def summary(self) -> str:
        """One line: ``schema OK: 15 entities, 231 columns, 9 enums, 60 indexes``."""
        schema = self.schema
        if schema is None:
            text = f"schema invalid: {len(self.errors)} error(s)"
            return text + (f", {len(self.warnings)} warning(s)" if self.warnings else "")
        columns = sum(len(e.columns) for e in schema.entities)
        indexes = sum(len(e.indexes) for e in schema.entities)
        text = (
            f"schema OK: {len(schema.entities)} entities, {columns} columns, "
            f"{len(schema.enums)} enums, {indexes} indexes"
        )
        if self.warnings:
            text += f", {len(self.warnings)} warning(s)"
        return text


def validate_project(project_dir: str | Path) -> ValidationResult:
    """Load, validate, normalize and lint the schema of the project at ``project_dir``."""
    from .loading import load_and_validate

    return load_and_validate(load_project(project_dir))


def load_schema(
    project: Project, *, normalized: Callable[[Schema], object] | None = None
) -> ValidationResult:
    """Like :func:`validate_project`, but raise :class:`SchemaInvalid` on any error.

    ``normalized`` is passed on to :func:`~schemagen.loading.load_and_validate`.
    """
    from .loading import load_and_validate

    result = load_and_validate(project, normalized=normalized)
    if result.errors or result.schema is None:
        raise SchemaInvalid(result.errors)
    return result


def build_project(project_dir: str | Path) -> BuildResult:
    """Render every generated file; write only those whose content changed."""
    from .build import DocsJob, build, start_docs

    project = load_project(project_dir)
    # The docs start to render (in a child, for a large schema) once the schema
    # is normalized, while the model checks and lint run here.
    docs: list[DocsJob] = []
    try:
        result = load_schema(
            project,
            normalized=lambda schema: docs.append(start_docs(project, schema, early=True)),
        )
    except BaseException:
        for job in docs:
            job.cancel()
        raise
    return build(project, result.schema, docs[0] if docs else None)  # type: ignore[arg-type]


def plan_project(project_dir: str | Path) -> PlanResult:
    """Diff the schema against the latest revision's snapshot; write nothing."""
    from .migrations.commands import plan

    project = load_project(project_dir)
    return plan(project, load_schema(project).schema)  # type: ignore[arg-type]


def migrate_project(
    project_dir: str | Path, message: str, *, allow_destructive: bool = False
) -> MigrateResult:
    """Write the next revision (and rebuild the generated files)."""
    from .migrations.commands import migrate

    project = load_project(project_dir)
    schema = load_schema(project).schema
    return migrate(project, schema, message, allow_destructive=allow_destructive)  # type: ignore[arg-type]
