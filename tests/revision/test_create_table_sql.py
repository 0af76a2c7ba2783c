"""A new table is one ``op.execute`` of the SQL ``op.create_table`` compiled
(``schemagen.revision.tables``): rendered exactly, importing nothing it does
not use, and proven on PostgreSQL (dump equality with ``create_all``, Alembic's
comparison, the downgrade) for what the migration corpus creates in no first
revision: deferrable keys, INCLUDE and NULLS NOT DISTINCT, quotes, percent
signs, backslashes and bind-like colons in comments and defaults."""

from __future__ import annotations

import subprocess
from pathlib import Path

from migration_harness import Case, prove, revisions, schemagen, write_schema
from pgcluster import PgCluster
from schema_fixtures import col, schema, stores
from schemagen.diff.snapshot import ddl_view
from schemagen.model.schema import (
    CheckConstraint,
    Column,
    ColumnType,
    Entity,
    Enum,
    EnumValue,
    ForeignKey,
    IdentityOptions,
    Index,
    IndexKey,
    PrimaryKey,
)
from schemagen.operations.table import CreateTable
from schemagen.revision.render import render_body
from schemagen.revision.script import imports_of


def test_create_table_renders_as_one_statement_group() -> None:
    mood = Enum("Mood", "app.mood", (EnumValue("ok", "OK"), EnumValue("sad", "SAD")))
    table = stores()
    entity = Entity(
        name="Visit",
        table="app.visits",
        columns=(
            Column("id", ColumnType("bigint"), primary_key=True, identity=True,
                   identity_options=IdentityOptions(always=True, start=10)),
            col("store_id", ColumnType("integer")),
            Column("moods", ColumnType("array", of=ColumnType("enum", enum="app.mood")),
                   nullable=True),
            Column("code", ColumnType("text", collation="C"),
                   description="It's 100% a :code"),
            Column("twice", ColumnType("integer"), generated="store_id * 2", nullable=True),
        ),
        primary_key=PrimaryKey("pk_visits", ("id",)),
        description="Visits.",
        foreign_keys=(
            ForeignKey("fk_visits_store_id_stores", ("store_id",), "Store", "stores", ("id",),
                       on_delete="CASCADE", deferrable=True, initially_deferred=True),
        ),
        checks=(CheckConstraint("ck_visits_code", "code <> ''"),),
        indexes=(
            Index("ix_visits_code", ("code",), unique=True, include=("id",),
                  nulls_not_distinct=True, where="store_id > 0"),
            Index("ix_visits_moods", (), keys=(IndexKey(expression="lower(code)",
                                                        descending=True),)),
        ),
    )
    state = ddl_view(schema(table, enums=(mood,)))
    body = render_body((CreateTable(entity),), state)
    assert "\n".join(body) == EXPECTED.strip("\n")


# The test's own source says each line as the revision file says it.
EXPECTED = r"""
    op.execute(
        (
            "CREATE TABLE app.visits (\n"
            "    id bigint GENERATED ALWAYS AS IDENTITY (START WITH 10),\n"
            "    store_id integer NOT NULL,\n"
            "    moods app.mood[],\n"
            '    code text COLLATE "C" NOT NULL,\n'
            "    twice integer GENERATED ALWAYS AS (store_id * 2) STORED,\n"
            "    CONSTRAINT pk_visits PRIMARY KEY (id),\n"
            "    CONSTRAINT fk_visits_store_id_stores FOREIGN KEY (store_id) "
            "REFERENCES stores (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,\n"
            "    CONSTRAINT ck_visits_code CHECK (code <> '')\n"
            ");\n"
            "COMMENT ON TABLE app.visits IS 'Visits.';\n"
            "COMMENT ON COLUMN app.visits.code IS 'It''s 100% a \\:code';\n"
            "CREATE UNIQUE INDEX ix_visits_code ON app.visits (code) INCLUDE (id) "
            "NULLS NOT DISTINCT WHERE store_id > 0;\n"
            "CREATE INDEX ix_visits_moods ON app.visits ((lower(code)) DESC)"
        ),
    )
"""


def test_sql_in_strings_imports_nothing() -> None:
    """Only code names modules: SQL text that says ``sa.`` or ``postgresql.`` does not."""
    body = '    op.execute("COMMENT ON TABLE t IS \'see NASA. and postgresql. SqlType(\'")'
    imports, helpers = imports_of(body + "\n    # sa. in a comment")
    assert imports == ["from alembic import op"] and helpers == []
    imports, _ = imports_of('    op.drop_constraint(op.f("x"), "t", type_=sa.text("y"))')
    assert imports == ["import sqlalchemy as sa", "from alembic import op"]


TRICKY = """database: {name: corpus}
enums:
  Mood: {values: [ok, "it's"], schema: app}
entities:
  Store:
    columns:
      id: {type: integer, primary_key: true}
      name: {type: text, collation: "C", description: "Name: 100% 'unique', :name, a\\\\b"}
      opens: {type: string, length: 5, default: "10:30"}
  Visit:
    schema: app
    description: "Visits; %(x)s is no placeholder."
    columns:
      id: {type: bigint, primary_key: true, identity: {always: true, start: 10}}
      store_id: {type: integer}
      next_id: {references: Visit, nullable: true, deferrable: true, initially_deferred: true}
      mood: {type: enum, enum: Mood, nullable: true}
      code: {type: text, nullable: true}
      twice: {type: integer, generated: "store_id * 2"}
    foreign_keys:
      fk_visits_store:
        columns: [store_id]
        references: Store
        on_delete: cascade
        deferrable: true
    indexes:
      uq_visits_code: {columns: [code], unique: true, include: [id], nulls_not_distinct: true}
      idx_visits_code_desc:
        columns: [{expression: "lower(code)", ops: text_pattern_ops}, {column: id, order: desc}]
        where: "code LIKE '%:x%'"
"""


def test_tricky_new_tables_equal_create_all(pg: PgCluster, tmp_path: Path) -> None:
    after = TRICKY + "  Note:\n    columns:\n      id: {type: bigint, primary_key: true}\n"
    case = Case("tricky_new_tables", {"schema.yaml": TRICKY}, {"schema.yaml": after},
                destructive=False)
    prove(pg, case, tmp_path / "project")
    root = tmp_path / "project"
    first = revisions(root)[0].read_text()
    assert "op.create_table" not in first and "import sqlalchemy" not in first
    lint = subprocess.run(["ruff", "check", "--no-cache", "-q", *map(str, revisions(root))],
                          capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_offline_sql_is_the_statements(tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": TRICKY})
    schemagen(tmp_path, "migrate", "-m", "initial")
    from migration_harness import offline_sql

    sql = offline_sql(tmp_path, "base:head")
    assert "COMMENT ON COLUMN stores.name IS 'Name: 100% ''unique'', :name, a\\b';" in sql
    assert "CREATE UNIQUE INDEX uq_visits_code ON app.visits (code) INCLUDE (id) " \
        "NULLS NOT DISTINCT;" in sql
