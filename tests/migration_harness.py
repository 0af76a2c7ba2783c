"""Prove one schema change on a real PostgreSQL: migrate, upgrade, compare, downgrade.

A *case* is a "before" and an "after" schema folder (YAML text per file name)
plus optional SQL to run between the steps. :func:`prove` does, in a fresh
project folder:

1. ``schemagen migrate -m before`` on the before schema (revision ``000``); keep
   a copy of the generated ``models.py``;
2. ``schemagen migrate -m after`` on the after schema (revision ``001``, and
   ``002``... when the change has an online part or new enum values: see
   ``schemagen.operations.stages``; each is wholly transactional or wholly
   online, :func:`assert_stages`), first
   without ``--allow-destructive`` (it must be refused exactly when the case is
   destructive);
3. on a fresh database: ``alembic upgrade 000``, the case's setup SQL,
   ``alembic upgrade head``; the normalized ``pg_dump --schema-only`` must equal
   that of a database made by ``create_all`` of the after models (plus the
   declared extensions), and Alembic's autogenerate comparison must find
   nothing; then the case's checks (rows that must have survived);
4. ``alembic downgrade 000``; the same comparisons against the before models,
   and the case's downgrade checks.

Alembic runs in-process (much faster than a subprocess per command). The
generated ``env.py`` imports ``<output>.models``, so every command runs with
the project root on ``sys.path`` and first forgets the modules of that package:
each case has its own ``generated`` package and the before/after models differ.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import importlib.util
import io
import json
import os
import re
import shutil
import sys
import tomllib
import traceback
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from types import ModuleType
from typing import Any

import psycopg
import sqlalchemy as sa
import yaml
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.ddl.postgresql import PostgresqlImpl
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from pgcluster import PgCluster
from pgdump import schema_dump
from schemagen.api import load_schema
from schemagen.cli import main as schemagen_main
from schemagen.config import load_project
from schemagen.live.compare import check_database
from sqlalchemy.dialects.postgresql import DOMAIN

OUTPUT = "generated"
EXTENSION_TABLES = (
    # As env.py keys them: (schema, table), the schema None for the current one.
    "SELECT NULLIF(n.nspname, current_schema()), c.relname FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    # Partitions are made by DDL (models.py's DDL_AFTER_CREATE), not by the metadata.
    "WHERE c.relispartition "
    "OR c.oid IN (SELECT objid FROM pg_depend "
    "WHERE classid = 'pg_class'::regclass AND deptype = 'e')"
)
PARTITION_KEY_COPIES = (
    # As env.py keys them: (schema, table, name) of the copies PostgreSQL makes of a
    # foreign key to a partitioned table, one per partition it references.
    "SELECT NULLIF(n.nspname, current_schema()), r.relname, c.conname FROM pg_constraint c "
    "JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace "
    "WHERE c.contype = 'f' AND c.conparentid <> 0"
)
PYPROJECT = f'[tool.schemagen]\nschema = "schema"\noutput = "{OUTPUT}"\n'
_module_ids = count()


@dataclass
class Check:
    """A query and its expected ``psql -A -t`` output (rows joined by newlines)."""

    sql: str
    expect: str


@dataclass
class Case:
    """One before/after schema change and what must hold around it."""

    name: str
    before: dict[str, str]  # file name -> YAML text of the schema folder
    after: dict[str, str]
    description: str = ""
    # True: refused without --allow-destructive; False: accepted without it; None: not checked.
    destructive: bool | None = None
    setup: list[str] = field(default_factory=list)  # SQL run at revision 000
    check_after: list[Check] = field(default_factory=list)  # at revision 001
    check_down: list[Check] = field(default_factory=list)  # back at revision 000
    xfail: str | None = None  # a known engine bug (reason), see the corpus test
    # Index names revision 001 must create CONCURRENTLY (outside a transaction) / plainly,
    # and those it must drop CONCURRENTLY (outside a transaction).
    concurrent_indexes: list[str] = field(default_factory=list)
    plain_indexes: list[str] = field(default_factory=list)
    concurrent_drops: list[str] = field(default_factory=list)
    # Roles the schemas' policies name: cluster objects, created before anything else.
    roles: list[str] = field(default_factory=list)
    # The client's TimeZone (PGTZ) while Alembic upgrades and downgrades; None: the server's.
    time_zone: str | None = None

    @classmethod
    def from_dicts(
        cls, name: str, before: dict[str, Any], after: dict[str, Any], **kwargs: Any
    ) -> Case:
        """Make a case from two YAML-able documents (one ``schema.yaml`` each)."""
        dump = lambda doc: yaml.safe_dump(doc, sort_keys=False)  # noqa: E731
        return cls(name, {"schema.yaml": dump(before)}, {"schema.yaml": dump(after)}, **kwargs)


def load_case(folder: Path) -> Case:
    """Read ``folder/{before,after}/*.yaml`` and the optional ``folder/case.toml``."""
    def read(side: str) -> dict[str, str]:
        files = sorted((folder / side).glob("*.y*ml"))
        assert files, f"{folder / side} holds no YAML"
        return {f.name: f.read_text(encoding="utf-8") for f in files}

    meta: dict[str, Any] = {}
    if (folder / "case.toml").is_file():
        meta = tomllib.loads((folder / "case.toml").read_text(encoding="utf-8"))
    checks = {
        key: [Check(c["sql"], str(c["expect"])) for c in meta.get(key, [])]
        for key in ("check_after", "check_down")
    }
    return Case(
        name=folder.name,
        before=read("before"),
        after=read("after"),
        description=meta.get("description", ""),
        destructive=meta.get("destructive"),
        setup=list(meta.get("setup", [])),
        xfail=meta.get("xfail"),
        concurrent_indexes=list(meta.get("concurrent_indexes", [])),
        plain_indexes=list(meta.get("plain_indexes", [])),
        concurrent_drops=list(meta.get("concurrent_drops", [])),
        roles=list(meta.get("roles", [])),
        time_zone=meta.get("time_zone"),
        **checks,
    )


# --- the project folder and the schemagen CLI ---------------------------------


def write_schema(root: Path, files: dict[str, str]) -> None:
    """Make ``root`` a project whose schema folder holds exactly ``files``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    schema_dir = root / "schema"
    shutil.rmtree(schema_dir, ignore_errors=True)
    schema_dir.mkdir()
    for name, text in files.items():
        (schema_dir / name).write_text(text, encoding="utf-8")


def schemagen(root: Path, *args: str, expect_exit: int = 0) -> str:
    """Run ``schemagen <args> --project root`` in-process; return its output."""
    argv = [args[0], "--project", str(root), *args[1:]]
    result = CliRunner().invoke(schemagen_main, argv, catch_exceptions=True)
    if result.exit_code != expect_exit:
        detail = result.output
        if result.exc_info and not isinstance(result.exception, SystemExit):
            detail += "".join(traceback.format_exception(*result.exc_info))
        raise AssertionError(
            f"schemagen {' '.join(args)} exited {result.exit_code}, expected {expect_exit}:\n"
            f"{detail}"
        )
    return result.output


def revisions(root: Path) -> list[Path]:
    """The revision files of the project, sorted by name (``000_...``, ``001_...``)."""
    return sorted((root / OUTPUT / "migrations" / "versions").glob("[0-9]*.py"))


def declared_extensions(files: dict[str, str]) -> list[str]:
    """``database.extensions`` as written in the YAML texts of a schema folder."""
    found: list[str] = []
    for text in files.values():
        doc = yaml.safe_load(text) or {}
        found += (doc.get("database") or {}).get("extensions") or []
    return sorted(set(found))


# --- Alembic, in-process ------------------------------------------------------


def _forget_generated_modules() -> None:
    for name in list(sys.modules):
        if name == OUTPUT or name.startswith(OUTPUT + "."):
            del sys.modules[name]
    importlib.invalidate_caches()


@contextlib.contextmanager
def project_env(root: Path, url: str) -> Iterator[None]:
    """Run with cwd = ``root``, ``root`` on sys.path and ``DATABASE_URL`` = ``url``.

    Bytecode writing is off: the before and after ``models.py`` of one case can
    share an mtime second and size, and a stale ``.pyc`` would then be loaded.
    """
    saved_env = os.environ.get("DATABASE_URL")
    saved_bytecode = sys.dont_write_bytecode
    os.environ["DATABASE_URL"] = url
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(root))
    _forget_generated_modules()
    try:
        with contextlib.chdir(root):
            yield
    finally:
        sys.path.remove(str(root))
        _forget_generated_modules()
        sys.dont_write_bytecode = saved_bytecode
        if saved_env is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = saved_env


def alembic_config(root: Path) -> Config:
    """The project's ``alembic.ini`` (written by ``schemagen build``)."""
    ini = root / "alembic.ini"
    assert ini.is_file(), f"schemagen did not write {ini}"
    return Config(str(ini))


def alembic(
    root: Path, url: str, action: str, revision: str, time_zone: str | None = None
) -> None:
    """``alembic upgrade|downgrade <revision>`` against ``url``, in-process; with
    ``time_zone``, from a client whose TimeZone that is (libpq's ``PGTZ``)."""
    saved = os.environ.get("PGTZ")
    if time_zone is not None:
        os.environ["PGTZ"] = time_zone
    try:
        with project_env(root, url):
            cfg = alembic_config(root)
            getattr(command, action)(cfg, revision)
    finally:
        if saved is None:
            os.environ.pop("PGTZ", None)
        else:
            os.environ["PGTZ"] = saved


def offline_sql(root: Path, revisions_range: str, action: str = "upgrade") -> str:
    """``alembic upgrade <range> --sql`` (or ``downgrade``), in-process: the SQL a DBA
    would review."""
    buffer = io.StringIO()
    with project_env(root, "postgresql+psycopg://offline@127.0.0.1:9/offline"):
        cfg = Config(str(root / "alembic.ini"), output_buffer=buffer)
        getattr(command, action)(cfg, revisions_range, sql=True)
    return buffer.getvalue()


_INDEX_STATEMENT = re.compile(
    r"(CREATE|DROP) (?:UNIQUE )?INDEX (?:CONCURRENTLY )?(?:IF (?:NOT )?EXISTS )?(\w+)"
)


def index_statements(sql: str, verb: str = "CREATE") -> dict[str, tuple[str, bool]]:
    """``{index name: (statement, inside a transaction?)}`` of the offline SQL's
    ``CREATE INDEX`` (or, with ``verb="DROP"``, ``DROP INDEX``) statements."""
    found: dict[str, tuple[str, bool]] = {}
    in_transaction = False
    code = "\n".join(ln for ln in sql.splitlines() if not ln.lstrip().startswith("--"))
    for stmt in (s.strip() for s in code.split(";")):
        word = stmt.split(" ", 1)[0].upper()
        if word in ("BEGIN", "COMMIT"):
            in_transaction = word == "BEGIN"
        match = _INDEX_STATEMENT.match(stmt)
        if match and match.group(1) == verb:
            found[match.group(2)] = (stmt, in_transaction)
    return found


def assert_stages(root: Path) -> None:
    """Each revision after 000 is wholly transactional or wholly online (its
    upgrade and its downgrade): nothing commits half of a revision."""
    for path in revisions(root)[1:]:
        text = path.read_text(encoding="utf-8")
        upgrade, downgrade = text.split("def downgrade() -> None:")
        upgrade = upgrade.split("def upgrade() -> None:")[1]
        for body in (upgrade, downgrade):
            lines = [ln for ln in body.splitlines() if ln.strip()]
            if lines[0] == "    if op.get_context().as_sql:":  # the --sql refusal: no work
                refusal = 1 + next(
                    n for n, ln in enumerate(lines[1:]) if not ln.startswith("        ")
                )
                assert "raise CommandError(" in lines[1], f"{path.name}: {lines[1]}"
                lines = lines[refusal:]
            online = lines[0].strip() == "with op.get_context().autocommit_block():"
            assert online == path.stem.endswith(("_online", "_drops")), f"{path.name}: {lines[0]}"
            assert all(ln.startswith("        ") for ln in lines[1:]) if online else (
                "autocommit_block" not in body
            ), f"{path.name} mixes transactional and online work"


def assert_index_builds(case: Case, root: Path) -> None:
    """Revision 001 builds (and drops) the case's concurrent indexes CONCURRENTLY
    outside a transaction, and its plain ones inside."""
    if not (case.concurrent_indexes or case.plain_indexes or case.concurrent_drops):
        return
    sql = offline_sql(root, "000:head")
    built = index_statements(sql)
    for name in case.concurrent_indexes:
        stmt, in_transaction = built[name]
        assert "CONCURRENTLY" in stmt and not in_transaction, f"{name}: {stmt} (in transaction)"
    for name in case.plain_indexes:
        stmt, in_transaction = built[name]
        assert "CONCURRENTLY" not in stmt and in_transaction, f"{name}: {stmt}"
    dropped = index_statements(sql, "DROP")
    for name in case.concurrent_drops:
        stmt, in_transaction = dropped[name]
        assert "CONCURRENTLY" in stmt and not in_transaction, f"{name}: {stmt} (in transaction)"


# --- scratch databases --------------------------------------------------------

_RESET_PUBLIC = (
    # the PostgreSQL schemas a case created besides public go too
    "DO $$ DECLARE s name; BEGIN FOR s IN SELECT nspname FROM pg_namespace "
    "WHERE nspname NOT IN ('public', 'information_schema') AND nspname NOT LIKE 'pg\\_%' "
    "LOOP EXECUTE format('DROP SCHEMA %I CASCADE', s); END LOOP; END $$; "
    "DROP SCHEMA public CASCADE; CREATE SCHEMA public; "
    "ALTER SCHEMA public OWNER TO pg_database_owner; "
    "COMMENT ON SCHEMA public IS 'standard public schema'; "
    "GRANT USAGE ON SCHEMA public TO PUBLIC"
)
_scratch: dict[tuple[int, str], str] = {}


def scratch_database(pg: PgCluster, role: str) -> str:
    """An empty database for ``role`` ("mig", "ref"), reused across cases.

    CREATE DATABASE costs most of a second; emptying the public schema (which
    also drops its extensions, enum types and alembic_version) costs
    milliseconds and leaves a database whose dump equals a fresh one's.
    """
    key = (pg.port, role)
    name = _scratch.get(key)
    if name is None:
        name = _scratch[key] = pg.create_database(role)
    else:
        pg.sql(_RESET_PUBLIC, name)
    return name


# --- the reference databases --------------------------------------------------


@contextlib.contextmanager
def imported_models(path: Path) -> Iterator[ModuleType]:
    """Import a generated ``models.py`` under a unique module name."""
    name = f"_schemagen_models_{next(_module_ids)}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered so that SQLAlchemy can resolve the string annotations of the classes.
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(name, None)


def metadata_of(module: ModuleType) -> sa.MetaData:
    """The MetaData of the generated declarative ``Base``."""
    base = getattr(module, "Base", None)
    if base is not None and isinstance(getattr(base, "metadata", None), sa.MetaData):
        return base.metadata
    for value in vars(module).values():
        if isinstance(getattr(value, "metadata", None), sa.MetaData):
            return value.metadata  # type: ignore[no-any-return]
    raise AssertionError(f"{module.__file__} defines no declarative Base")


def create_all(pg: PgCluster, dbname: str, metadata: sa.MetaData, extensions: list[str]) -> None:
    """``CREATE EXTENSION`` for each declared extension, then ``metadata.create_all``."""
    engine = sa.create_engine(pg.url(dbname))
    try:
        with engine.begin() as conn:
            for ext in extensions:
                conn.execute(sa.text(f'CREATE EXTENSION IF NOT EXISTS "{ext}"'))
            metadata.create_all(conn)
    finally:
        engine.dispose()


_PRINTED_DEFAULT = sa.text(
    "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d "
    "JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
    "JOIN pg_class c ON c.oid = d.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = :schema AND c.relname = :table AND a.attname = :column"
)


def _reflected_default(inspector: Any, table: Any, column_info: dict[str, Any]) -> None:
    """As env.py does: a domain's DEFAULT is the domain's, not its columns'; and
    a ``nextval('seq')`` PostgreSQL printed unqualified stays so (SQLAlchemy's
    reflection qualifies it with the table's schema, naming no sequence)."""
    kind, default = column_info["type"], column_info.get("default")
    if isinstance(kind, DOMAIN) and default == kind.default:
        column_info["default"] = None
    elif table.schema and str(default).startswith(f"nextval('\"{table.schema}\"."):
        names = {"schema": table.schema, "table": table.name, "column": column_info["name"]}
        column_info["default"] = inspector.bind.execute(_PRINTED_DEFAULT, names).scalar()


class NextvalDefaults(PostgresqlImpl):
    """As env.py does for a schema whose defaults call nextval: such a default is
    compared as EXPLAIN prints it, not evaluated (which calls nextval); the class
    becomes Alembic's postgresql implementation in this process."""

    __dialect__ = "postgresql"

    def compare_server_default(self, column: Any, model: Any, rendered: Any, printed: Any) -> Any:
        if not (printed and rendered and re.search(r"\bnextval\s*\(", f"{printed}\n{rendered}")):
            return super().compare_server_default(column, model, rendered, printed)
        if self.dialect.paramstyle in ("format", "pyformat"):
            rendered = rendered.replace("%%", "%")  # compiled for psycopg: % doubled
        if printed.replace("::regclass", "") == rendered:
            return False
        return self._explained(printed) != self._explained(rendered)

    def _explained(self, sql: str) -> str:
        assert self.connection is not None
        plan = self.connection.exec_driver_sql(
            f"EXPLAIN (VERBOSE, COSTS OFF) SELECT {sql}", execution_options={"no_parameters": True}
        )
        return str(plan.all()[1][0]).strip()


def autogenerate_diffs(pg: PgCluster, dbname: str, metadata: sa.MetaData) -> list[Any]:
    """What ``alembic check`` would report (types and server defaults compared)."""
    engine = sa.create_engine(pg.url(dbname))
    try:
        with engine.connect() as conn:
            # As the generated env.py does: tables an extension owns are not compared.
            owned = {(row[0], row[1]) for row in conn.exec_driver_sql(EXTENSION_TABLES)}
            # and the copies of a foreign key to a partitioned table
            copies = {tuple(row) for row in conn.exec_driver_sql(PARTITION_KEY_COPIES)}

            def include_object(obj: Any, name: Any, type_: str, reflected: bool, to: Any) -> bool:
                if type_ == "foreign_key_constraint":
                    hidden = (obj.table.schema, obj.table.name, name) in copies
                else:
                    hidden = (obj.schema, name) in owned if type_ == "table" else False
                return not (reflected and to is None and hidden)

            # As env.py does for tables in PostgreSQL schemas: compare those schemas
            # (None: the default one) and no others.
            schemas = {None} | {t.schema for t in metadata.tables.values()}

            def include_name(name: Any, type_: str, parents: Any) -> bool:
                return type_ != "schema" or name in schemas

            ctx = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "compare_server_default": True,
                    "include_object": include_object,
                    **(
                        {"include_schemas": True, "include_name": include_name}
                        if len(schemas) > 1
                        else {}
                    ),
                },
            )
            with warnings.catch_warnings():
                # Alembic sorts the tables it compares; a foreign-key cycle (corpus
                # cases 33/34, on purpose) makes SQLAlchemy warn that it cannot.
                warnings.filterwarnings("ignore", "Cannot correctly sort tables", sa.exc.SAWarning)
                sa.event.listen(sa.Table, "column_reflect", _reflected_default)
                try:
                    return list(compare_metadata(ctx, metadata))
                finally:
                    sa.event.remove(sa.Table, "column_reflect", _reflected_default)
    finally:
        engine.dispose()


def reference_dump(pg: PgCluster, models: Path, extensions: list[str]) -> list[str]:
    """The normalized dump of a database made by ``create_all`` of ``models``."""
    with imported_models(models) as module:
        reference = scratch_database(pg, "ref")
        create_all(pg, reference, metadata_of(module), extensions)
        return schema_dump(pg, reference)


def assert_same_dump(actual: list[str], expected: list[str], label: str) -> None:
    """Fail with a unified diff unless the two normalized dumps are equal."""
    if actual != expected:
        diff = "\n".join(
            difflib.unified_diff(
                expected, actual, "create_all (expected)", "migrated (actual)", lineterm=""
            )
        )
        raise AssertionError(f"{label}: migrated schema differs from create_all:\n{diff}")


def assert_no_autogenerate_diffs(pg: PgCluster, dbname: str, models: Path, label: str) -> None:
    """Alembic's autogenerate comparison of ``dbname`` with ``models`` finds nothing."""
    with imported_models(models) as module:
        diffs = autogenerate_diffs(pg, dbname, metadata_of(module))
    assert not diffs, f"{label}: alembic autogenerate finds differences: {diffs}"


def assert_matches_models(
    pg: PgCluster,
    dbname: str,
    models: Path,
    extensions: list[str],
    label: str,
    expected_dump: list[str] | None = None,
) -> list[str]:
    """The migrated ``dbname`` equals ``create_all`` of ``models``, by dump and autogenerate.

    Return the reference dump (pass it back as ``expected_dump`` to skip rebuilding it).
    """
    if expected_dump is None:
        expected_dump = reference_dump(pg, models, extensions)
    assert_same_dump(schema_dump(pg, dbname), expected_dump, label)
    assert_no_autogenerate_diffs(pg, dbname, models, label)
    return expected_dump


def run_checks(pg: PgCluster, dbname: str, checks: list[Check], label: str) -> None:
    """Run each check's query and compare its output."""
    for check in checks:
        got = pg.sql(check.sql, dbname).strip()
        assert got == check.expect.strip(), (
            f"{label}: {check.sql!r} returned {got!r}, expected {check.expect!r}"
        )


# --- the whole proof ----------------------------------------------------------


def generate(case: Case, root: Path) -> tuple[Path, Path]:
    """Write revisions 000 (before) and 001 (after); return both models.py copies."""
    write_schema(root, case.before)
    schemagen(root, "migrate", "-m", "before")
    assert len(revisions(root)) == 1, f"expected one revision, got {revisions(root)}"
    models_before = root / "models_before.py"
    shutil.copy(root / OUTPUT / "models.py", models_before)

    write_schema(root, case.after)
    if case.destructive is False:
        schemagen(root, "migrate", "-m", "after")
    else:
        if case.destructive:
            schemagen(root, "migrate", "-m", "after", expect_exit=1)
            assert len(revisions(root)) == 1, "a refused destructive migration wrote a revision"
        schemagen(root, "migrate", "-m", "after", "--allow-destructive")
    assert len(revisions(root)) >= 2, f"expected new revisions, got {revisions(root)}"
    assert_stages(root)
    models_after = root / "models_after.py"
    shutil.copy(root / OUTPUT / "models.py", models_after)
    return models_before, models_after


def create_roles(pg: PgCluster, roles: list[str]) -> None:
    """Create each role unless the cluster has it (roles outlive databases)."""
    for role in roles:
        pg.sql(
            "DO $$BEGIN CREATE ROLE " + '"' + role + '"' + " NOLOGIN; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END$$"
        )


def prove(pg: PgCluster, case: Case, root: Path, url_query: str = "") -> None:
    """Run the whole proof of ``case`` in the (new) project folder ``root``; Alembic
    connects with ``url_query`` after the URL (``?options=-csearch_path%3Dapp``)."""
    models_before, models_after = generate(case, root)
    assert_index_builds(case, root)
    ext_before, ext_after = declared_extensions(case.before), declared_extensions(case.after)

    create_roles(pg, case.roles)
    db = scratch_database(pg, "mig")
    url = pg.url(db) + url_query
    alembic(root, url, "upgrade", "000", case.time_zone)
    dump_before = reference_dump(pg, models_before, ext_before)
    assert_same_dump(schema_dump(pg, db), dump_before, f"{case.name} at 000")
    for statement in case.setup:
        pg.sql(statement, db)
    alembic(root, url, "upgrade", "head", case.time_zone)
    assert_matches_models(pg, db, models_after, ext_after, f"{case.name} upgrade")
    run_checks(pg, db, case.check_after, f"{case.name} upgrade")

    alembic(root, url, "downgrade", "000", case.time_zone)
    assert_matches_models(
        pg, db, models_before, ext_before, f"{case.name} downgrade", dump_before
    )
    run_checks(pg, db, case.check_down, f"{case.name} downgrade")


#: A table range-partitioned by month in the PostgreSQL schema ``books`` (its
#: partitions there too); ``%s``: more partitions, such as :data:`JANUARY`.
BOOKS_ENTRIES = """database: {name: t}
entities:
  Entry:
    schema: books
    primary_key: [id, day]
    columns:
      id: {type: bigint, primary_key: true}
      day: {type: date, primary_key: true}
    partition_by: {range: [day]}
    partitions:
%s      entries_2026_02: {from: 2026-02-01, to: 2026-03-01}
"""
JANUARY = "      entries_2026_01: {from: 2026-01-01, to: 2026-02-01}\n"


def migrated_project(root: Path, text: str, url: str) -> Path:
    """A project of one schema file, migrated and upgraded to head at ``url``."""
    write_schema(root, {"s.yaml": text})
    schemagen(root, "migrate", "-m", "initial")
    alembic(root, url, "upgrade", "head")
    return root


def migrated_database(
    pg: PgCluster, tmp_path: Path, name: str, schema: str, rows: str
) -> tuple[Path, str]:
    """A fresh database ``name`` migrated to head from ``schema`` (its project under
    ``tmp_path``), then ``rows`` run in it: (the project's root, the database's name)."""
    database = pg.create_database(name)
    root = migrated_project(tmp_path / "p", schema, pg.url(database))
    pg.sql(rows, database)
    return root, database


def by_hand(pg: PgCluster, name: str, statements: Iterable[str]) -> None:
    """Run ``statements`` in database ``name`` in a session of their own, one
    transaction: a change made by hand, behind the migrations' back."""
    with psycopg.connect(pg.libpq_url(name)) as other:
        for statement in statements:
            other.execute(statement)
        other.commit()


def assert_text_findings(root: Path, url: str, expected: Iterable[tuple[str, str, str]]) -> None:
    """``check --database`` in text exits 1, with a line ``  object: message`` for
    each expected (object, message, fix) and a hint line (``->``) holding its fix."""
    text = CliRunner().invoke(schemagen_main, ["check", "--project", str(root), "--database", url])
    assert text.exit_code == 1, text.output
    lines = text.output.splitlines()
    for obj, msg, fix in expected:
        assert f"  {obj}: {msg}" in lines, text.output
        assert any(fix in line for line in lines if line.lstrip().startswith("->")), text.output


def json_findings(root: Path, url: str) -> list[dict[str, str]]:
    """``check --database --format json`` of the project at ``root`` against ``url``:
    its findings, each a mapping (kind, object, message, hint)."""
    result = CliRunner().invoke(
        schemagen_main, ["check", "--project", str(root), "--format", "json", "--database", url]
    )
    findings: list[dict[str, str]] = json.loads(result.output)["findings"]
    return findings


def live_findings(root: Path, url: str) -> list[str]:
    """``check --database`` of the project at ``root`` against ``url``, one line a finding."""
    schema = load_schema(load_project(root)).schema
    assert schema is not None
    return [f"{f.object}: {f.message}" for f in check_database(schema, url)]
