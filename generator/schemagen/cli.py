"""The ``schemagen`` command line: a thin layer over the API.

The CLI is the only place that prints and exits. It catches only
:class:`~schemagen.errors.SchemagenError` (printed, exit 2 or the error's own
code) and a Ctrl-C ('Aborted!', exit 130); any other exception is a bug and keeps
its traceback. Heavy modules are imported inside the commands so that
``schemagen check`` stays fast.
"""

from __future__ import annotations

import signal
import sys


def _interrupted_while_loading(signum: int, frame: object) -> None:
    # A Ctrl-C while the interpreter still loads the command (click's import and
    # the commands' definitions: 0.15 s of a start, half a second on a loaded
    # machine) ends as an interrupted command does (_Interrupted), not with a
    # traceback through the imports. Put back at the end of this module.
    sys.stderr.write("\nAborted!\n")
    sys.exit(128 + signal.SIGINT)


# (not where SIGINT is ignored: a background job's command must not start hearing it)
_LOADING = signal.getsignal(signal.SIGINT) is signal.default_int_handler
if _LOADING:
    signal.signal(signal.SIGINT, _interrupted_while_loading)

import functools  # noqa: E402
import gc  # noqa: E402
import os  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import IO, Any, TypeVar  # noqa: E402

import click  # noqa: E402

from . import __version__  # noqa: E402
from .errors import SchemagenError  # noqa: E402

F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(func: F) -> F:
    """Translate SchemagenError into a message on stderr and its exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SchemagenError as exc:
            click.echo(str(exc), err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


project_option = click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Project folder holding pyproject.toml (default: the nearest folder, the "
    "current one or above, whose pyproject.toml has [tool.schemagen]).",
)


class _Commands(click.Group):
    """The command group. Run as the program (``main()`` with no arguments: the
    console script, ``python -m schemagen.cli``), it ends the process at once for
    a command that asked to (:func:`leave_quickly`): tearing down the millions of
    objects a 2,000-table check built took 0.3 to 0.5 s, longer than some of its
    checks. Called with arguments (``main([...])``) or by ``CliRunner`` (which
    calls :meth:`main`), it raises SystemExit as usual, so the caller goes on."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return self.main(*args, **kwargs)
        except SystemExit as exc:
            as_program = not args and "args" not in kwargs
            if as_program and _leaving_quickly and (exc.code is None or isinstance(exc.code, int)):
                _leave(exc.code or 0)
            raise

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command, ending a Ctrl-C (SIGINT) with exit 130, not click's 1.

        Click turns a KeyboardInterrupt into 'Aborted!' and exit 1, the code of
        drift, so a CI script would read an interrupted check as drift. It does so
        inside :meth:`main`, so a wrapper around main never sees the interrupt;
        here, where each command is parsed and run, it is met first."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise _Interrupted() from None


class _Interrupted(click.ClickException):
    """A command stopped by SIGINT: click's 'Aborted!' line, and the shell's exit
    code for it (128 + SIGINT)."""

    exit_code = 128 + signal.SIGINT

    def __init__(self) -> None:
        super().__init__("Aborted!")

    def show(self, file: IO[Any] | None = None) -> None:
        """Print what click prints for an interrupt: a new line (after the
        terminal's ^C), then 'Aborted!'."""
        click.echo(file=file or sys.stderr)
        click.echo(self.message, file=file or sys.stderr)


#: Set by :func:`leave_quickly`: the command's output is all printed when it exits.
_leaving_quickly = False


def leave_quickly() -> None:
    """Let the running command's exit skip the interpreter's teardown: its output
    is flushed, and it leaves no temporary file or child process behind."""
    global _leaving_quickly
    _leaving_quickly = True


def _leave(code: int) -> None:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return  # a closed or broken pipe: the normal exit reports it
    os._exit(code)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="schemagen")
def main() -> None:
    """Generate SQLAlchemy models, Alembic migrations and docs from YAML."""
    # One short run builds millions of small objects that live to the end and
    # hold no reference cycles, so the cycle collector only re-scans them (a
    # fifth of a 2,000-table build). Reference counting still frees everything
    # else; the process ends long before leftover cycles could matter.
    gc.disable()


@main.command()
@project_option
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 2).")
@reports_errors
def validate(project_dir: Path | None, strict: bool) -> None:
    """Check the schema and print every problem at once; never writes a file."""
    from .api import validate_project

    leave_quickly()  # validate writes nothing, and its children are waited for
    result = validate_project(project_dir)
    for issue in result.issues:
        click.echo(issue.format(), err=True)
    if result.errors:
        click.echo(result.summary(), err=True)
        sys.exit(2)
    if strict and result.warnings:
        from .util.words import plural

        click.echo(
            f"{plural(len(result.warnings), 'warning')}; --strict treats them as errors", err=True
        )
        sys.exit(2)
    click.echo(result.summary())


@main.command("json-schema")
@project_option
def json_schema(project_dir: Path | None) -> None:
    """Print the JSON Schema (draft 2020-12) of the schema language.

    The schema is the same for every project; --project is accepted so that
    every command takes it.
    """
    from .language.structure import json_schema_text

    click.echo(json_schema_text(), nl=False)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), required=False)
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Project folder (the same as DIRECTORY; default: the current folder).",
)
@reports_errors
def init(directory: Path | None, project_dir: Path | None) -> None:
    """Scaffold a new project: [tool.schemagen] settings and an example schema.

    An existing pyproject.toml gets the section appended, untouched otherwise;
    an existing schema folder with YAML files is left alone.
    """
    from .errors import ConfigError
    from .scaffold import init_project

    if directory is not None and project_dir is not None and directory != project_dir:
        raise ConfigError("give the project folder once: DIRECTORY or --project")
    for line in init_project(directory or project_dir or Path(".")):
        click.echo(line)


@main.command()
@project_option
@reports_errors
def build(project_dir: Path | None) -> None:
    """Render models.py, database.py, Alembic scaffolding and docs."""
    from .api import build_project

    result = build_project(project_dir)
    for line in result.report_lines():
        click.echo(line)


@main.command()
@project_option
@click.option("-m", "--message", required=True, help="What the revision changes.")
@click.option("--allow-destructive", is_flag=True, help="Allow changes that can lose data.")
@reports_errors
def migrate(project_dir: Path | None, message: str, allow_destructive: bool) -> None:
    """Write the next Alembic revision from the schema change since the last one."""
    from .api import migrate_project

    result = migrate_project(project_dir, message, allow_destructive=allow_destructive)
    for line in result.report_lines():
        click.echo(line)


@main.command("import")
@project_option
@click.option(
    "--database",
    "database_url",
    default=None,
    metavar="URL",
    help="The database to import (default: $DATABASE_URL). Prefer the environment "
    "variable: a password on the command line is visible to other users of the machine. "
    "Each wait for a table lock ends after [tool.schemagen] lock_timeout (exit 2, naming "
    "the session holding it).",
)
@click.option(
    "--schema",
    "schemas",
    multiple=True,
    metavar="NAME",
    help="PostgreSQL schema to import (repeatable; default: public).",
)
@click.option("--force", is_flag=True, help="Replace the YAML files in the schema folder.")
@click.option(
    "--allow-partial",
    is_flag=True,
    help="Write what can be expressed even when some objects cannot (they are listed).",
)
@reports_errors
def import_(
    project_dir: Path | None,
    database_url: str | None,
    schemas: tuple[str, ...],
    force: bool,
    allow_partial: bool,
) -> None:
    """Write schema/*.yaml from an existing PostgreSQL database (read-only).

    Every object the schema language cannot express is listed, one line each;
    then nothing is written (exit 1) unless --allow-partial.
    """
    from .api import import_database
    from .check.run import resolve_database_url

    url = resolve_database_url(database_url or "$DATABASE_URL", False, project_dir)
    assert url is not None
    result = import_database(
        project_dir, url, schemas=schemas, force=force, allow_partial=allow_partial
    )
    for line in result.problem_lines():
        click.echo(line, err=True)
    if result.unsupported and not allow_partial:
        click.echo(
            f"{len(result.unsupported)} object(s) cannot be expressed; nothing written "
            "(--allow-partial writes the rest)",
            err=True,
        )
        sys.exit(1)
    if result.unleavable:
        named = ", ".join(dict.fromkeys(f"{i.kind} {i.name}" for i in result.unleavable))
        click.echo(
            f"--allow-partial cannot leave out {named}: each is part of its table's columns "
            "or rows, and the project would not upgrade without the function or sequence it "
            "calls; nothing written (read what each calls with --schema where its line says "
            "so, or change them in the database first)",
            err=True,
        )
        sys.exit(1)
    for line in result.report_lines():
        click.echo(line)


@main.command()
@project_option
@reports_errors
def rehash(project_dir: Path | None) -> None:
    """Accept hand edits of revisions: record their checksums in schemagen.sum."""
    from .api import rehash_project

    for line in rehash_project(project_dir):
        click.echo(line)


@main.command()
@project_option
@reports_errors
def plan(project_dir: Path | None) -> None:
    """Print the operations the next revision would hold; write nothing."""
    from .api import plan_project

    leave_quickly()  # plan writes nothing, and its children are waited for
    result = plan_project(project_dir)
    for line in result.report_lines():
        click.echo(line)


@main.command()
@project_option
@click.option("--diff", "show_diff", is_flag=True, help="Show unified diffs of drifted files.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--database",
    "database_url",
    is_flag=False,
    flag_value="$DATABASE_URL",
    default=None,
    metavar="[URL]",
    help="Also compare a live database: the URL given, or $DATABASE_URL when the option "
    "has no value. Prefer the environment variable: a password on the command line is "
    "visible to other users of the machine. Each wait for a table lock ends after "
    "[tool.schemagen] lock_timeout (exit 2, naming the session holding it).",
)
@click.option(
    "--database-env",
    is_flag=True,
    hidden=True,
    help="Same as --database without a URL.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Run every check even if no file changed since the last clean check "
    "(also: SCHEMAGEN_NO_CACHE=1).",
)
@reports_errors
def check(
    project_dir: Path | None,
    show_diff: bool,
    fmt: str,
    database_url: str | None,
    database_env: bool,
    no_cache: bool,
) -> None:
    """Fail (exit 1) when generated files, migrations or a database drifted."""
    from .check.run import run_check

    leave_quickly()  # a check writes nothing, and its children are waited for
    code = run_check(
        project_dir,
        show_diff=show_diff,
        fmt=fmt,
        database_url=database_url,
        database_env=database_env,
        echo=click.echo,
        use_cache=not no_cache,
    )
    sys.exit(code)


def _rows_per(values: tuple[str, ...]) -> dict[str, int]:
    """``--rows-per TABLE=N`` options as a mapping."""
    from .errors import ConfigError

    result = {}
    for item in values:
        table, sep, count = item.partition("=")
        if not sep or not table or not count.strip().isdigit():
            raise ConfigError(f"--rows-per expects TABLE=N, not {item!r}")
        result[table.strip()] = int(count)
    return result


database_required = click.option(
    "--database",
    "database_url",
    envvar="DATABASE_URL",
    required=True,
    metavar="URL",
    help="The database (default: $DATABASE_URL; prefer the variable, a password on the "
    "command line is visible to other users of the machine). Each wait for a table lock "
    "ends after [tool.schemagen] lock_timeout (exit 2, naming the session holding it).",
)


@main.command()
@project_option
@database_required
@click.option("--rows", type=click.IntRange(min=0), default=None,
              help="N rows per leaf table, N/10 per table others reference, N/100 per root "
              "table (default 1000).")
@click.option("--rows-per", multiple=True, metavar="TABLE=N", help="Rows for one table.")
@click.option("--seed", "seed_value", type=int, default=0, show_default=True,
              help="Same seed, same rows.")
@click.option("--append", is_flag=True, help="Add rows to tables that already hold some.")
@reports_errors
def seed(project_dir: Path, database_url: str, rows: int | None, rows_per: tuple[str, ...],
         seed_value: int, append: bool) -> None:
    """Fill a database at head with realistic rows that satisfy every constraint."""
    from .api import seed_project

    result = seed_project(project_dir, database_url, rows=rows, rows_per=_rows_per(rows_per),
                          seed=seed_value, append=append)
    for line in result.report_lines():
        click.echo(line)


@main.command()
@project_option
@database_required
@click.option("--rows", type=click.IntRange(min=1), default=None,
              help="Rows per table (default 100,000: about a minute on two cores).")
@click.option("--rows-per", multiple=True, metavar="TABLE=N", help="Rows for one table.")
@click.option("--seed", "seed_value", type=int, default=0, show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--write-docs", is_flag=True,
              help="Record what was proven (no timings) in the docs of each entity.")
@reports_errors
def prove(project_dir: Path, database_url: str, rows: int | None, rows_per: tuple[str, ...],
          seed_value: int, fmt: str, write_docs: bool) -> None:
    """Show that every index serves its declared queries (exit 1 when one does not).

    Needs an EMPTY database: creates the schema, seeds it, runs ANALYZE, then runs
    each query with EXPLAIN (ANALYZE, BUFFERS) with and without its index.
    """
    import json

    from .api import prove_project

    result = prove_project(project_dir, database_url, rows=rows, rows_per=_rows_per(rows_per),
                           seed=seed_value, write_docs=write_docs)
    if fmt == "json":
        click.echo(json.dumps(result.to_data(), indent=2, sort_keys=True))
    else:
        for line in result.report_lines():
            click.echo(line)
    sys.exit(result.exit_code)


if _LOADING and signal.getsignal(signal.SIGINT) is _interrupted_while_loading:
    signal.signal(signal.SIGINT, signal.default_int_handler)  # loaded: click's own again

if __name__ == "__main__":  # pragma: no cover
    main()
