"""The import run: check the project, read the database read-only, map, write.

Nothing is written unless everything the database holds could be expressed
(or ``allow_partial`` says to write the rest) and the schema folder holds no
YAML (or ``force`` says to replace it). The YAML is not validated here: that
cost most of a large import, ``build`` validates it next anyway, and the test
suite proves that imports validate and round-trip on every kind of source.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from ..config import DEFAULT_LOCK_TIMEOUT, Project, load_project, read_pyproject
from ..errors import ConfigError, SchemagenError
from ..live.connection import connect
from ..util.writer import write_files
from .catalog import Catalog, read_catalog
from .emit import layout, schema_reference
from .mapping import Unsupported, import_catalog

#: The schema (namespace) whose tables need no ``schema:`` (the migrations' default).
DEFAULT_SCHEMA = "public"

#: What calls a function the project will not make and cannot be left out of what
#: ``allow_partial`` writes: each is part of its table's columns or rows (a domain, of
#: its columns' type), so the project would either fail its upgrade or differ silently.
UNLEAVABLE = frozenset({"generated column", "domain", "partition key of table"})


class SchemaExists(SchemagenError):
    """The schema folder already holds YAML and ``--force`` was not given (exit 1)."""

    exit_code = 1


@dataclass
class ImportResult:
    """What an import found, and what it wrote."""

    schema_dir: str  # as shown to the user
    files: dict[str, str] = field(default_factory=dict)  # file name -> YAML text
    unsupported: list[Unsupported] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    entities: int = 0
    enums: int = 0
    #: (schema, number of tables) of the schemas holding tables that were not read
    unread: list[tuple[str, int]] = field(default_factory=list)
    #: listed objects ``allow_partial`` cannot leave out (nothing is written then)
    unleavable: list[Unsupported] = field(default_factory=list)

    def problem_lines(self) -> list[str]:
        """One line per object the language cannot express."""
        return [f"not expressible: {item.line()}" for item in self.unsupported]

    def report_lines(self) -> list[str]:
        lines = [f"wrote {self.schema_dir}/{name}" for name in self.written]
        lines += [f"removed {self.schema_dir}/{name}" for name in self.removed]
        lines += [
            f"note: schema {name} holds {count} table{'s' if count != 1 else ''}, not read "
            f"(import with --schema {name})"
            for name, count in self.unread
        ]
        lines.append(
            f"imported {self.entities} entities and {self.enums} enums into {self.schema_dir}/"
            + (f"; {len(self.unsupported)} object(s) left out" if self.unsupported else "")
        )
        lines.append("next: schemagen build && schemagen migrate -m baseline")
        return lines


def require_settings(root: Path | None) -> Project:
    """The project at ``root`` (None: found upward from the current folder, as every
    command finds it), which must have a ``[tool.schemagen]`` table."""
    project = load_project(root)
    pyproject = project.root / "pyproject.toml"
    tool: Any = {}
    if pyproject.is_file():
        tool = tomllib.loads(read_pyproject(pyproject)).get("tool", {})
    if "schemagen" not in tool:
        raise ConfigError(
            f"{project.relative(pyproject) if pyproject.is_file() else pyproject} has no "
            "[tool.schemagen] table: run `schemagen init` first (then import with --force "
            "to replace its example schema)"
        )
    return project


def existing_yaml(project: Project) -> list[Path]:
    if not project.schema_dir.is_dir():
        return []
    return sorted(p for p in project.schema_dir.rglob("*") if p.suffix in (".yaml", ".yml"))


def import_database(
    root: str | Path | None,
    url: str,
    *,
    schemas: tuple[str, ...] = (),
    force: bool = False,
    allow_partial: bool = False,
) -> ImportResult:
    """Import the database at ``url`` into the project at ``root``; see the module doc."""
    project = require_settings(None if root is None else Path(root))
    old = existing_yaml(project)
    if old and not force:
        raise SchemaExists(
            f"{project.relative(project.schema_dir)}/ already holds {len(old)} YAML file(s); "
            "import writes nothing over them (pass --force to replace them)"
        )
    wanted = tuple(dict.fromkeys(schemas or (DEFAULT_SCHEMA,)))
    catalog = read_database(url, wanted, lock_timeout=project.lock_timeout)
    imported = import_catalog(catalog)
    imported.unsupported += [
        Unsupported("schema", name, "no such schema in the database")
        for name in wanted
        if name not in catalog.schemas
    ]
    imported.unsupported.sort()
    result = ImportResult(
        schema_dir=project.relative(project.schema_dir),
        unsupported=imported.unsupported,
        entities=len(imported.entities),
        enums=len(imported.enums),
        unread=[(name, n) for name, n in catalog.tables_per_schema if name not in wanted],
    )
    hint = schema_reference(result.schema_dir, project.relative(project.output_dir))
    result.files = layout(imported, hint)
    result.unleavable = [
        Unsupported(call.kind, call.name, call.what)
        for call in catalog.foreign_calls
        if call.kind in UNLEAVABLE
    ]
    if result.unsupported and (not allow_partial or result.unleavable):
        return result
    olds = (p.relative_to(project.schema_dir).as_posix() for p in old)
    result.removed = [name for name in olds if name not in result.files]
    for name in result.removed:
        (project.schema_dir / name).unlink()
    written, unchanged = write_files(project.schema_dir, result.files)
    result.written = sorted(written + unchanged)
    return result


def read_database(
    url: str,
    schemas: tuple[str, ...] = (DEFAULT_SCHEMA,),
    *,
    lock_timeout: str = DEFAULT_LOCK_TIMEOUT,
) -> Catalog:
    """Read the catalog of ``schemas`` in one read-only, repeatable-read transaction
    (rolled back). Objects outside public are keyed ``schema.name``. The server's
    printing of an expression waits for ACCESS SHARE on its table, at most
    ``lock_timeout`` (a one-line error naming the holder, then)."""
    others = tuple(name for name in schemas if name != DEFAULT_SCHEMA)
    with connect(url, lock_timeout=lock_timeout) as conn:
        conn.read_only = True
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with conn.cursor() as cur:
            # public as the migrations see it, whatever search_path the role or URL
            # sets; none at all when public is not asked for (then every name read
            # is qualified, and nothing of public's is read).
            path = DEFAULT_SCHEMA if DEFAULT_SCHEMA in schemas else ""
            cur.execute("SELECT set_config('search_path', %s, true)", (path,))
        catalog = read_catalog(conn, others)
        conn.rollback()
    return catalog
