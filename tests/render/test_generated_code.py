"""The generated code itself: ruff and mypy clean, mapped by SQLAlchemy, created on
PostgreSQL with exactly the schema's names, quiet under Alembic's comparison
(types and server defaults), and values round-tripped exactly."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fixtures.build.cases import ALL_CASES, built, load_models
from pgcluster import PgCluster
from schemagen.api import load_schema
from schemagen.config import load_project
from schemagen.model.schema import Schema

REPO = Path(__file__).resolve().parents[2]


def schema_of(case: str) -> Schema:
    schema = load_schema(load_project(built(case))).schema
    assert schema is not None
    return schema


@pytest.fixture(params=ALL_CASES)
def case(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def created(case: str, pg: PgCluster, pg_db: str) -> Iterator[tuple[ModuleType, Any]]:
    """The case's models and an engine on a database made by ``create_all``."""
    from sqlalchemy import create_engine

    models = load_models(case)
    for ext in schema_of(case).database.extensions:
        pg.sql(f'CREATE EXTENSION IF NOT EXISTS "{ext}"', pg_db)
    engine = create_engine(pg.url(pg_db))
    models.Base.metadata.create_all(engine)
    try:
        yield models, engine
    finally:
        engine.dispose()


# --- static checks ------------------------------------------------------------------


def generated_dirs() -> list[str]:
    return [str(built(case) / "generated") for case in ALL_CASES]


def test_generated_code_passes_ruff_check() -> None:
    out = subprocess.run(
        ["ruff", "check", "--isolated", "--select", "E,F,W,I,B,UP", "--line-length", "100",
         *generated_dirs()],
        capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("line_length", ["88", "100"])
def test_generated_code_is_ruff_formatted(line_length: str) -> None:
    out = subprocess.run(
        ["ruff", "format", "--isolated", "--check", "--line-length", line_length,
         *generated_dirs()],
        capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_models_in_postgresql_schemas_pass_ruff_and_mypy_strict(tmp_path: Path) -> None:
    """A schema whose tables live in another PostgreSQL schema (CREATE SCHEMA before
    create_all), with serial columns, a default calling a public sequence and
    triggers there: the listeners (of models.py and env.py) are typed. With domains
    over enums (corpus 92) and over a type by name (SqlType) that no column uses
    itself (and an array of that one: DomainArray): the module defines each class
    before the domain naming it. With a
    domain whose default calls a sequence: the domain's listeners make it; and a
    default calling nextval in an expression: env.py's NextvalDefaults. With row-level security
    and policies (corpus 93) in the DDL that create_all runs, and expression index keys
    with a collation of their own (corpus 103)."""
    from migration_harness import load_case, schemagen, write_schema

    case = load_case(REPO / "tests" / "corpus" / "85_triggers_in_another_schema")
    files = dict(case.after)
    files["serials.yaml"] = (
        "sequences:\n  ticket_codes: {}\n"
        "entities:\n  Ticket:\n    schema: billing\n    columns:\n"
        "      id: {type: bigint, primary_key: true}\n      number: {type: serial}\n"
        "      code: {type: bigint, default: {sql: \"nextval('ticket_codes')\"}}\n"
    )
    over_enum = load_case(REPO / "tests" / "corpus" / "92_domain_over_enum").after
    files["over_enum.yaml"] = over_enum["schema.yaml"].replace("database: {name: shop}\n", "")
    files["by_name.yaml"] = (
        "domains:\n  tag_path: {type: tag_label}\n  tag_weight: {type: integer}\n"
        "entities:\n  Tag:\n    columns:\n"
        "      id: {type: bigint, primary_key: true}\n      path: {type: tag_path}\n"
        "      paths: {type: array, of: tag_path, nullable: true}\n"
        "      labels: {type: array, of: tag_label, nullable: true}\n"
        "      weights: {type: array, of: tag_weight, nullable: true}\n"
    )
    # a domain whose default calls a sequence of another schema (made by the domain)
    files["domain_sequence.yaml"] = (
        "sequences:\n  order_numbers: {schema: billing, start: 10}\n"
        "domains:\n  order_no:\n    type: bigint\n"
        "    default: {sql: \"nextval('billing.order_numbers')\"}\n"
        "entities:\n  Purchase:\n    columns:\n"
        "      id: {type: bigint, primary_key: true}\n      number: {type: order_no}\n"
        "      code: {type: text, default: {sql: \"'P-' || nextval('billing.order_numbers')\"}}\n"
    )
    # expression index keys with a collation of their own (literal_column, postgresql_ops)
    books = load_case(REPO / "tests" / "corpus" / "103_expression_key_collation").after
    files["books.yaml"] = books["schema.yaml"].replace("database:\n  name: corpus\n", "")
    rls = load_case(REPO / "tests" / "corpus" / "100_row_level_security").after
    files["rls.yaml"] = rls["schema.yaml"].replace("database:\n  name: rls\n", "")
    # a view in another PostgreSQL schema: its class names the schema in __table_args__
    files["views.yaml"] = (
        "views:\n  TicketNumber:\n    schema: billing\n"
        "    sql: SELECT id, number FROM billing.tickets\n"
        "    columns: {id: {type: bigint}, number: {type: integer}}\n"
    )
    write_schema(tmp_path / "p", files)
    schemagen(tmp_path / "p", "build")
    models = tmp_path / "p" / "generated" / "models.py"
    env = tmp_path / "p" / "generated" / "migrations" / "env.py"
    text = models.read_text(encoding="utf-8")
    assert "PG_SCHEMAS_DDL" in text and "SERIAL_DDL" in text and "DDL(" not in text
    assert "def _nextval_default(" in env.read_text(encoding="utf-8")
    assert "class NextvalDefaults(PostgresqlImpl):" in env.read_text(encoding="utf-8")
    assert "= EnumDomain(" in text and "EnumDomainArray(JOB_STATE_DOMAIN)" in text
    # arrays of a type psycopg has no loader for, of a domain over one, of another domain
    assert "mapped_column(NamedTypeArray(TAG_PATH_DOMAIN))" in text
    assert 'NamedTypeArray(SqlType("tag_label"))' in text
    assert "mapped_column(DomainArray(TAG_WEIGHT_DOMAIN))" in text
    assert 'literal_column("(title || code)")' in text
    assert "BILLING_ORDER_NUMBERS_SEQUENCE = Sequence(" in text
    assert "mapped_column(ORDER_NO_DOMAIN, server_default=FetchedValue())" in text
    assert "ALTER TABLE notes FORCE ROW LEVEL SECURITY" in text and "CREATE POLICY" in text
    view_head = '__tablename__ = "ticket_number"\n    __table_args__ = ({"schema": "billing"},)'
    assert view_head in text
    spec = importlib.util.spec_from_file_location("schemagen_built_over_enum_models", models)
    assert spec is not None and spec.loader is not None
    spec.loader.exec_module(importlib.util.module_from_spec(spec))  # no NameError
    for argv in (
        ["ruff", "check", "--no-cache", str(models), str(env)],
        # ruff's own defaults (0.17) include RUF012: no mutable class attribute
        ["ruff", "check", "--no-cache", "--isolated", "--select", "RUF012", str(models)],
        *(
            ["ruff", "format", "--isolated", "--check", "--line-length", n, str(env)]
            for n in ("88", "100")
        ),
        ["mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / ".m"),
         str(models), str(env)],
    ):
        out = subprocess.run([sys.executable, "-m", *argv], capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr


def test_env_of_a_project_in_another_default_schema_passes_ruff_and_mypy_strict(
    tmp_path: Path,
) -> None:
    """With ``database.schema`` (corpus 73), env.py sets public's search_path for every
    step and finds Alembic's version table before it does (see
    tests/revision/test_search_path_migrations.py); that code is typed and formatted."""
    from migration_harness import load_case, schemagen, write_schema

    write_schema(tmp_path / "p", load_case(REPO / "tests/corpus/73_database_default_schema").after)
    schemagen(tmp_path / "p", "build")
    env = tmp_path / "p" / "generated" / "migrations" / "env.py"
    text = env.read_text(encoding="utf-8")
    assert "context.execute(SEARCH_PATH_SQL)" in text and "version_table_schema=" in text
    for argv in (
        ["ruff", "check", "--no-cache", str(env)],
        *(
            ["ruff", "format", "--isolated", "--check", "--line-length", n, str(env)]
            for n in ("88", "100")
        ),
        ["mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / ".m"), str(env)],
    ):
        out = subprocess.run([sys.executable, "-m", *argv], capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr


def test_generated_code_passes_mypy_strict(tmp_path: Path) -> None:
    """One mypy run over every case: each package copied under its own name."""
    for case in ALL_CASES:
        src = built(case) / "generated"
        pkg = tmp_path / f"{case}_generated"
        pkg.mkdir()
        for name in ("__init__.py", "models.py", "database.py"):
            shutil.copy(src / name, pkg / name)
        shutil.copy(src / "migrations" / "env.py", tmp_path / f"{case}_env.py")
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir",
         str(tmp_path / ".mypy_cache"), "."],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_models_compile_and_map_without_warnings(case: str) -> None:
    from sqlalchemy.exc import SAWarning
    from sqlalchemy.orm import configure_mappers

    models = load_models(case)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SAWarning)
        configure_mappers()
    schema = schema_of(case)
    assert sorted(models.Base.metadata.tables) == sorted(e.table for e in schema.entities)
    for ent in schema.entities:
        if not ent.has_primary_key:  # primary_key: false: a Table, as sqlacodegen writes it
            assert not hasattr(models, ent.name)
            table = getattr(models, f"t_{ent.table}")
            assert table is models.Base.metadata.tables[ent.table] and not table.primary_key
            assert [c.name for c in table.columns] == [c.name for c in ent.columns]
            continue
        cls = getattr(models, ent.name)
        assert cls.__table__.name == ent.table
        assert [c.name for c in cls.__table__.columns] == [c.name for c in ent.columns]
        for rel in ent.relationships:
            assert rel.name in cls.__mapper__.relationships, (ent.name, rel.name)


# --- on PostgreSQL ------------------------------------------------------------------


def test_create_all_gives_exactly_the_schema_names(
    case: str, created: tuple[ModuleType, Any], pg: PgCluster, pg_db: str
) -> None:
    """Every constraint and index in the database carries the model's name: the
    naming convention on MetaData never renames an explicit name."""
    schema = schema_of(case)
    expected_constraints = set()
    expected_indexes = set()
    for ent in schema.entities:
        if ent.has_primary_key:
            expected_constraints.add(ent.primary_key.name)
        expected_constraints |= {fk.name for fk in ent.foreign_keys}
        expected_constraints |= {uq.name for uq in ent.uniques}
        expected_constraints |= {ck.name for ck in ent.checks}
        expected_indexes |= {ix.name for ix in ent.indexes}
    # a domain's checks, with their names (one in DOMAIN(), the others by a listener)
    expected_constraints |= {ck.name for dom in schema.domains for ck in dom.checks}
    actual_constraints = set(pg.sql(
        "SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
        "WHERE n.nspname = 'public' AND contype IN ('p', 'f', 'u', 'c')", pg_db
    ).split())
    actual_indexes = set(pg.sql(
        "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'", pg_db
    ).split())
    assert actual_constraints == expected_constraints
    # primary keys and unique constraints bring indexes of the same name
    assert actual_indexes - expected_constraints == expected_indexes


def test_alembic_sees_no_difference_after_create_all(created: tuple[ModuleType, Any]) -> None:
    """Autogenerate with type and server-default comparison finds nothing to do:
    the rendered defaults and types are what PostgreSQL reports back."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    models, engine = created
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        diffs = compare_metadata(ctx, models.Base.metadata)
    assert diffs == []


def test_identity_primary_keys_and_comments(pg: PgCluster, pg_db: str) -> None:
    from sqlalchemy import create_engine

    models = load_models("flagship")
    pg.sql("CREATE EXTENSION IF NOT EXISTS pg_trgm", pg_db)
    engine = create_engine(pg.url(pg_db))
    models.Base.metadata.create_all(engine)
    engine.dispose()
    identity = pg.sql(
        "SELECT is_identity, identity_generation FROM information_schema.columns "
        "WHERE table_name = 'products' AND column_name = 'id'", pg_db
    ).strip()
    assert identity == "YES|BY DEFAULT"
    schema = schema_of("flagship")
    title = schema.entity("Product").column("title")
    assert pg.sql(
        "SELECT col_description('products'::regclass, attnum) FROM pg_attribute "
        "WHERE attrelid = 'products'::regclass AND attname = 'title'", pg_db
    ).rstrip("\n") == title.description
    trgm = pg.sql("SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_products_title_search'",
                  pg_db)
    assert "USING gin (title gin_trgm_ops)" in trgm
