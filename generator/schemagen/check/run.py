"""``schemagen check``: everything that can drift from the schema, as findings.

:func:`check_project` returns a :class:`CheckReport` and never prints;
:func:`run_check` is the CLI's thin layer that renders it as text or JSON and
returns the exit code (0 clean, 1 drift, 2 invalid schema or usage).

Cheap checks run first: the migration history (reads small files), the
pending operations (a pure diff), the generated files (renders templates),
and only when asked, the live database. The no-database path imports neither
SQLAlchemy nor Alembic nor a database driver, so a pre-commit hook stays fast.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from ..config import Project, load_project
from ..errors import ConfigError, DatabaseError, SchemagenError, SchemaInvalid, bounded
from ..findings import (
    KINDS,
    SHARED_ADVICE,
    Finding,
)
from ..util.words import plural

if TYPE_CHECKING:
    from ..live.compare import LiveCheck
    from ..model.schema import Schema
    from .drift import HistoryState

#: The environment variable ``--database`` reads when given without a URL.
DATABASE_ENV = "DATABASE_URL"

_HEADINGS = {
    "history": "The migration history is broken:",
    "pending": "The schema changed since the latest revision:",
    "file": "Generated files differ from what `schemagen build` writes now:",
    "revision": "The database is not at the head revision:",
    "database": "The database differs from the schema:",
}

_LAGGING_HINT = (
    "the database is not at head: upgrade it first (`alembic upgrade head`); "
    "what remains after that was changed by hand"
)

_DATABASE_HINT = (
    "if the database was changed by hand, undo that change; if the schema should "
    "change, edit schema/ and run `schemagen migrate`"
)


@dataclass
class CheckReport:
    """The findings of one check, and what was checked (for the summary line)."""

    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    revisions: int = 0
    head: str | None = None
    database: str | None = None  # masked URL of the database compared, if any
    history_broken: bool = False
    cached: bool = False  # reused a remembered clean result (check_cache)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def summary(self) -> str:
        """One line: what was checked, and whether anything drifted."""
        parts = [plural(self.files_checked, "generated file")]
        if self.history_broken:
            parts.append("history unreadable")
        elif self.head is not None:
            parts.append(f"{plural(self.revisions, 'revision')} up to {self.head}")
        else:
            parts.append("no revisions")
        if self.database is not None:
            parts.append(f"database {self.database}")
        checked = ", ".join(parts)
        if self.cached:
            checked += "; no file changed since the last clean check"
        if self.ok:
            return f"check OK: nothing drifted ({checked})"
        found = sum(f.count for f in self.findings)
        return f"check FAILED: {plural(found, 'finding')} ({checked})"

    def to_data(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "exit_code": self.exit_code,
            "summary": self.summary(),
            "files_checked": self.files_checked,
            "revisions": self.revisions,
            "head": self.head,
            "database": self.database,
            "findings": [f.to_data() for f in self.findings],
        }


def check_project(
    project: Project | str | Path | None,
    database_url: str | None = None,
    *,
    show_diff: bool = False,
    use_cache: bool = True,
) -> CheckReport:
    """Check the project for drift; also compare the database at ``database_url`` if given.

    Raise SchemaInvalid for an invalid schema and DatabaseError when the
    database cannot be reached; drift itself is returned as findings. Without a
    database, a clean result is remembered (:mod:`schemagen.check.run.cache`) and
    reused while no input or output file changes, unless ``use_cache`` is false.
    With a database, the remembered result stands for the files and the history
    (rendering 2,010 files was most of a 2,000-table check), and the database
    is always compared.
    """
    if not isinstance(project, Project):
        project = load_project(project)
    from ..util.cache import enabled
    from .drift import leftover_findings

    # SCHEMAGEN_NO_CACHE=1 is --no-cache: nothing is looked up or remembered, so
    # neither the digest of the inputs (15 MB read and hashed at 2,000 tables,
    # before the schema's first file is parsed) nor the rendered files' sha256.
    use_cache = use_cache and enabled()

    leftover = leftover_findings(project)
    inputs = None
    if use_cache and not leftover:
        from . import cache as check_cache

        inputs = check_cache.input_digest(project)
        summary = check_cache.lookup(project, inputs)
        if summary is not None:
            summary = dict(summary)
            exact = summary.pop(_EXACT_SNAPSHOT, False) is True
            cached = CheckReport(**summary, cached=True)  # type: ignore[arg-type]
            if database_url is None:
                return cached
            return _live_check(project, database_url, cached, exact_snapshot=exact)
    report, digests, exact = _full_check(project, database_url, show_diff, inputs is not None)
    report.findings = leftover + report.findings
    if inputs is not None and report.ok:
        summary = {**_cached_summary(report), _EXACT_SNAPSHOT: exact}
        check_cache.remember(project, inputs, digests, summary)
    return report


#: In a remembered summary: the head snapshot was exactly the schema's DDL view.
_EXACT_SNAPSHOT = "head_snapshot_exact"


def _cached_summary(report: CheckReport) -> dict[str, object]:
    return {
        "files_checked": report.files_checked,
        "revisions": report.revisions,
        "head": report.head,
    }


#: The share of the schema's bytes that check parses itself
#: (:class:`~schemagen.validate.reading.FolderRead`), less than other commands
#: do: it reads the history and imports the rest of the front end and of the
#: comparison while the child parses (0.15 s of CPU at 2,000 tables, a third of
#: what it parses); at 0.45 both end together there.
PARSE_SHARE = 0.45


def _full_check(
    project: Project, database_url: str | None, show_diff: bool, digests: bool
) -> tuple[CheckReport, dict[str, str], bool]:
    """Every check, cheap ones first; also return the sha256 of every file build
    renders (with ``digests``, for the cache) and whether the head snapshot is
    exactly the schema's DDL view.

    Up to four processes share the work of a large schema. A child parses the last
    schema files while this process reads the history and imports the rest
    (:class:`~schemagen.validate.reading.FolderRead`), then parses the first ones.
    Another child runs the reference checks while the schema is normalized
    (:func:`~schemagen.validate.pipeline.load_schema_apart`). Once the schema is
    loaded, this process and one more child render and compare the generated
    files, the model checks (no lint: check shows no warnings) and the comparison
    with the head snapshot first among them, while the child first compares the
    database with the schema, mostly waiting on the server
    (:func:`~schemagen.check.files.check_files`). That child shares the loaded
    schema for free: starting the comparison earlier, against the head snapshot,
    meant building the schema a second time from the snapshot's data, 0.25 s of
    CPU at 2,000 tables on cores that were both busy anyway. The schema's errors
    are still raised first, whatever else failed, and nothing found on a schema
    they reject is reported.
    """
    # The child that parses the last schema files starts first of all (before these
    # imports: the core it runs on idled meanwhile); this process reads the history
    # and imports what the comparison needs before it parses its own share.
    # check shows the schema's errors, never its warnings: no lint, no marks unless
    # asked. The reference checks use the core that normalizing leaves idle.
    from ..validate.reading import FolderRead

    reading = FolderRead(project, marks=False, caller_share=PARSE_SHARE)
    try:
        report, state = _history_report(project)
        from ..validate.pipeline import load_schema_apart
        from .drift import pending_findings
        from .files import check_files
    except BaseException:
        reading.cancel()
        raise
    loaded = load_schema_apart(
        project, names_early=True, warnings=False, reading=reading, rules_apart=False
    )
    live = None
    try:
        schema = loaded.schema
        if schema is None:
            loaded.finish()  # raises: the schema could not even be normalized
            raise SchemaInvalid([])  # (finish raised; keep mypy and readers sure)
        if database_url is not None:
            report.database = _masked(database_url)
            live = _database_task(schema, database_url, state, project.lock_timeout)
        pending = (lambda: pending_findings(state, schema)) if state is not None else None
        files = check_files(
            project,
            schema,
            show_diff=show_diff,
            digests=digests,
            pending=pending,
            rules=loaded.rules_task(),
            database=live,
        )
        if files.rules is not None:
            loaded.take_rules(files.rules)
        loaded.finish()
    except BaseException as exc:
        if isinstance(exc, Exception) and not isinstance(exc, SchemaInvalid):
            loaded.finish()  # the schema's own errors first, as when checked first
        loaded.cancel()
        raise
    pending_ops, exact = files.pending
    report.files_checked = len(files.digests)
    report.findings += pending_ops + files.findings
    if live is not None:
        found = cast("list[Finding] | DatabaseError", files.database)
        if isinstance(found, DatabaseError):
            raise found
        report.findings += found
    return report, files.digests, exact


def _history_report(project: Project) -> tuple[CheckReport, HistoryState | None]:
    """A report of the migration history alone, and the history's state."""
    from .drift import history_findings

    report = CheckReport()
    state, report.findings = history_findings(project)
    report.history_broken = state is None
    if state is not None:
        report.revisions, report.head = len(state.ids), state.head
    return report, state


def _live_check(
    project: Project, database_url: str, report: CheckReport, *, exact_snapshot: bool
) -> CheckReport:
    """Only the database, against the schema: the files and history were found
    clean with the very same input and output files (``report``, remembered).

    When the head snapshot was exactly the schema's DDL view, it stands in for
    the schema: the live comparison reads only what DDL can observe
    (``tests/check/test_check_database_snapshot.py`` proves the findings the
    same), and rebuilding the snapshot is a fraction of loading and validating
    the YAML. The database is read meanwhile (:class:`~schemagen.live.compare.LiveCheck`).
    """
    from .drift import history_findings

    state, _ = history_findings(project)  # clean when it was remembered
    report.database = _masked(database_url)
    ids = state.ids if state else ()
    head = state.head if state else None
    snapshot = state.head_snapshot_path if state and exact_snapshot else None
    if snapshot is not None:
        report.findings += _snapshot_findings(
            snapshot, database_url, ids, head, project.lock_timeout
        )
        return report
    from ..validate.pipeline import load_schema

    schema = load_schema(project).schema
    if schema is None:
        raise SchemaInvalid([])
    report.findings += _database_findings(schema, database_url, state, project.lock_timeout)
    return report


def _masked(database_url: str) -> str:
    from ..util.urls import parse

    return parse(database_url).masked()


def _database_task(
    schema: Schema, database_url: str, state: HistoryState | None, lock_timeout: str
) -> Callable[[], list[Finding] | DatabaseError]:
    """The live comparison of ``schema``, for the files' child to run first; its
    DatabaseError comes back as a value (raised by the caller, once), anything else
    fails the task, and the caller then runs the comparison itself to raise it."""

    def compare() -> list[Finding] | DatabaseError:
        try:
            return _database_findings(schema, database_url, state, lock_timeout)
        except DatabaseError as exc:
            return exc

    return compare


def _snapshot_findings(
    snapshot: Path, database_url: str, ids: tuple[str, ...], head: str | None, lock_timeout: str
) -> list[Finding]:
    """The database compared with the schema whose DDL view is ``snapshot``."""
    from ..model.data import from_data
    from ..model.schema import Schema, data_pg_schemas

    data = json.loads(snapshot.read_text(encoding="utf-8"))
    with _live_checker()(database_url, data_pg_schemas(data), lock_timeout=lock_timeout) as live:
        return live.finish(from_data(Schema, data), history=ids, head=head)


def _database_findings(
    schema: Schema, database_url: str, state: HistoryState | None, lock_timeout: str
) -> list[Finding]:
    ids = state.ids if state else ()
    head = state.head if state else None
    with _live_checker()(database_url, schema.pg_schemas, lock_timeout=lock_timeout) as live:
        return live.finish(schema, history=ids, head=head)


def _live_checker() -> type[LiveCheck]:
    """The live comparison, which needs psycopg 3 (not needed without ``--database``)."""
    try:
        from ..live.compare import LiveCheck
    except ImportError as exc:
        raise DatabaseError(
            f"schemagen check --database needs psycopg 3 ({exc}); "
            "install it with: pip install 'psycopg[binary]'"
        ) from None
    return LiveCheck


def resolve_database_url(
    database_url: str | None, database_env: bool, project_root: Path | None = None
) -> str | None:
    """The URL to compare: the one given, or ``DATABASE_URL`` when asked; None for none.

    ``DATABASE_URL`` is read as the generated ``database.py`` and ``env.py`` read
    it: the environment, else a ``.env`` in the current folder or the project root.
    """
    if database_url is not None and database_url != "$" + DATABASE_ENV:
        if not database_url.strip():
            raise ConfigError("--database: the URL is empty")
        return database_url
    if database_env or database_url is not None:
        from ..util.dotenv import database_url as configured

        value, _ = configured(project_root or Path.cwd())
        if not value:
            raise ConfigError(
                f"--database without a URL reads {DATABASE_ENV}, which is not set and is "
                "in no .env file here or in the project root (pass --database URL, export "
                f"{DATABASE_ENV} or put it in .env)"
            )
        return value
    return None


def run_check(
    project_dir: str | Path | None,
    *,
    show_diff: bool = False,
    fmt: str = "text",
    database_url: str | None = None,
    database_env: bool = False,
    echo: Callable[..., None] = print,
    use_cache: bool = True,
) -> int:
    """Run the check and print its report as ``text`` or ``json``; return the exit code.

    In JSON format an error (invalid schema, unreachable database) is printed as
    a JSON object too, so machines always get JSON on stdout; in text format it
    propagates to the CLI, which prints it on stderr.
    """
    try:
        project = load_project(project_dir)
        url = resolve_database_url(database_url, database_env, project.root)
        report = check_project(project, url, show_diff=show_diff, use_cache=use_cache)
    except SchemagenError as exc:
        if fmt != "json":
            raise
        echo(json.dumps(_error_data(exc), indent=2, sort_keys=True))
        return exc.exit_code
    if fmt == "json":
        echo(json.dumps(report.to_data(), indent=2, sort_keys=True, ensure_ascii=False))
    else:
        for line in format_text(report, show_diff=show_diff):
            echo(line)
    return report.exit_code


def _error_data(exc: SchemagenError) -> dict[str, object]:
    data: dict[str, object] = {
        "ok": False,
        "exit_code": exc.exit_code,
        "error": str(exc),
        "findings": [],
    }
    if isinstance(exc, SchemaInvalid):
        data["issues"] = [
            {
                "file": i.file,
                "line": i.line,
                "column": i.column,
                "path": bounded(i.path),
                "message": bounded(i.message),
            }
            for i in exc.issues
        ]
    return data


def format_text(report: CheckReport, *, show_diff: bool = False) -> list[str]:
    """The report as lines: findings grouped by kind, each group with what to do."""
    lines: list[str] = []
    for kind in KINDS:
        group = [f for f in report.findings if f.kind == kind]
        if not group:
            continue
        lines.append(_HEADINGS.get(kind, kind + ":"))
        for finding in group:
            lines.append(f"  {finding.line()}")
            if show_diff and finding.diff:
                lines.extend("    " + d for d in finding.diff.rstrip("\n").split("\n"))
        lagging = any(f.kind == "revision" for f in report.findings)
        lines.extend(f"  -> {hint}" for hint in _hints(group, kind, lagging))
        lines.append("")
    lines.append(report.summary())
    return lines


def _hints(group: list[Finding], kind: str, lagging: bool) -> list[str]:
    """What to do, once per distinct hint (findings of one kind mostly share it)."""
    hints: list[str] = []
    if kind == "database":
        hints.append(_LAGGING_HINT if lagging else _DATABASE_HINT)
        group = [f for f in group if f.hint not in SHARED_ADVICE]
    for finding in group:
        for hint in finding.hint.splitlines():
            if hint and hint not in hints:
                hints.append(hint)
    return hints
