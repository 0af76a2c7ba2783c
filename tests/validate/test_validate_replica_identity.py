"""``replica_identity:``: its mistakes are located errors, exit 2, nothing written.
What ``{index: name}`` may name is what PostgreSQL 15 accepts for ``REPLICA
IDENTITY USING INDEX`` (measured below on tables holding rows): a unique index or
unique constraint of the table, or its primary key, not partial, not deferrable,
without an expression key, its key columns NOT NULL (INCLUDE columns may be NULL).
A partitioned table cannot say it: PostgreSQL keeps it on the parent alone.
(The migration is corpus 141, check --database
tests/live/test_check_live_replica_identity.py.)"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from build_refusal import assert_build_refuses
from fixtures.language.helpers import issues_of, schema_of
from pgcluster import PgCluster
from schemagen.model.schema import ReplicaIdentity

TABLE = """
  {entity}:
    table: {table}
    columns:
      id: {{type: bigint, primary_key: true}}
      code: {{type: text}}
      k: {{type: integer}}
      note: {{type: text, nullable: true}}
    unique:
      uq_{table}_code: [code]
      uq_{table}_k: {{columns: [k], deferrable: true}}
    indexes:
      ix_{table}_k: {{columns: [k], unique: true, include: [note]}}
      ix_{table}_note: {{columns: [note], unique: true}}
      ix_{table}_part: {{columns: [code], unique: true, where: "k > 0"}}
      ix_{table}_plain: [code, k]
      ix_{table}_lower: {{columns: [{{expression: lower(code)}}], unique: true}}
    replica_identity: {identity}
"""

#: (entity, table, replica_identity:) that PostgreSQL accepts
ACCEPTED = [
    ("A", "t_a", "full"),
    ("B", "t_b", "nothing"),
    ("C", "t_c", "default"),
    ("D", "t_d", "{index: uq_t_d_code}"),
    ("E", "t_e", "{index: ix_t_e_k}"),
    ("F", "t_f", "{index: pk_t_f}"),
]
#: ... and those it refuses, with the located error
REFUSED = [
    ("G", "t_g", "{index: ix_t_g_note}", "index ix_t_g_note covers nullable column note: a replica "
     "identity index's columns must be NOT NULL (leave nullable: out)"),
    ("H", "t_h", "{index: ix_t_h_part}", "index ix_t_h_part is partial (where:): PostgreSQL "
     "refuses a partial index as replica identity"),
    ("Ii", "t_i", "{index: uq_t_i_k}", "unique constraint uq_t_i_k is DEFERRABLE: PostgreSQL "
     "refuses a deferrable index as replica identity"),
    ("J", "t_j", "{index: ix_t_j_plain}", "index ix_t_j_plain is not unique: a replica identity "
     "index must be"),
    ("K", "t_k", "{index: ix_t_k_lower}", "index ix_t_k_lower has an expression key: PostgreSQL "
     "refuses an expression index as replica identity"),
    ("L", "t_l", "{index: ix_nope}", "L has no unique index or constraint ix_nope (its unique "
     "ones: ix_t_l_k, ix_t_l_lower, ix_t_l_note, ix_t_l_part, pk_t_l, uq_t_l_code, uq_t_l_k)"),
]  # fmt: skip

PARTITIONED = """
  Payment:
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date, primary_key: true}
    partition_by: {range: [paid_on]}
    partitions:
      payments_2024: {from: ['2024-01-01'], to: ['2025-01-01']}
    replica_identity: full
"""


def _schema(rows: list[tuple[str, ...]]) -> str:
    return "entities:" + "".join(
        TABLE.format(entity=row[0], table=row[1], identity=row[2]) for row in rows
    )


def test_every_accepted_form_is_the_model_s(tmp_path: Path) -> None:
    schema = schema_of(tmp_path, {"s.yaml": _schema(ACCEPTED)})
    assert {e.name: e.replica_identity for e in schema.entities} == {
        "A": ReplicaIdentity("full"),
        "B": ReplicaIdentity("nothing"),
        "C": None,
        "D": ReplicaIdentity("index", "uq_t_d_code"),
        "E": ReplicaIdentity("index", "ix_t_e_k"),
        "F": ReplicaIdentity("index", "pk_t_f"),
    }


def test_its_mistakes_are_located(tmp_path: Path) -> None:
    lines = 18  # each table's lines; replica_identity: is its last
    assert issues_of(tmp_path, {"s.yaml": _schema(REFUSED)}) == [
        f"schema/s.yaml:{n * lines + 18}:24: entities.{row[0]}.replica_identity.index: {row[3]}"
        for n, row in enumerate(REFUSED)
    ]
    assert issues_of(tmp_path, {"s.yaml": "entities:" + PARTITIONED}) == [
        "schema/s.yaml:9:5: entities.Payment.replica_identity: replica_identity full of "
        "partitioned table payments: PostgreSQL 15 sets it on the parent alone, not on the "
        "partitions that hold the rows; leave it out here",
    ]
    assert issues_of(tmp_path, {"s.yaml": _schema([("M", "t_m", "fulll")])}) == [
        "schema/s.yaml:18:5: entities.M.replica_identity: unknown value 'fulll' (did you mean "
        "'full'?); expected one of: default, full, nothing",
    ]
    assert issues_of(tmp_path, {"s.yaml": _schema([("N", "t_n", "{index: pk_t_n, x: 1}")])}) != []


def test_build_refuses_them_exit_2_nothing_written(tmp_path: Path) -> None:
    assert_build_refuses(
        tmp_path / "p",
        _schema(REFUSED[:1]),
        "schema/s.yaml:20:24: entities.G.replica_identity.index: ",
    )


def _ddl(entity: str, table: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint CONSTRAINT pk_{table} PRIMARY KEY, code text NOT NULL,"
        f" k integer NOT NULL, note text, CONSTRAINT uq_{table}_code UNIQUE (code),"
        f" CONSTRAINT uq_{table}_k UNIQUE (k) DEFERRABLE);"
        f"CREATE UNIQUE INDEX ix_{table}_k ON {table} (k) INCLUDE (note);"
        f"CREATE UNIQUE INDEX ix_{table}_note ON {table} (note);"
        f"CREATE UNIQUE INDEX ix_{table}_part ON {table} (code) WHERE k > 0;"
        f"CREATE INDEX ix_{table}_plain ON {table} (code, k);"
        f"CREATE UNIQUE INDEX ix_{table}_lower ON {table} (lower(code));"
        f"INSERT INTO {table} VALUES (1, 'a', 1, NULL), (2, 'b', 2, NULL), (3, 'c', 3, 'x');"
    )


def test_postgresql_accepts_and_refuses_the_same(pg: PgCluster) -> None:
    name = pg.create_database("replident_rules")
    for entity, table, identity, *_ in ACCEPTED + REFUSED[:-1]:
        pg.sql(_ddl(entity, table), name)
        clause = (
            identity.upper()
            if "{" not in identity
            else ("USING INDEX " + identity.strip("{}").split(": ")[1])
        )
        statement = f"ALTER TABLE {table} REPLICA IDENTITY {clause}"
        if (entity, table, identity) in ACCEPTED:
            pg.sql(statement, name)
            continue
        with pytest.raises(subprocess.CalledProcessError) as refused:
            pg.sql(statement, name)
        assert "replica identity" in refused.value.stderr, refused.value.stderr


def test_postgresql_keeps_a_partitioned_table_s_identity_on_the_parent(pg: PgCluster) -> None:
    name = pg.create_database("replident_parts")
    pg.sql(
        "CREATE TABLE payments (id bigint, paid_on date, PRIMARY KEY (id, paid_on))"
        " PARTITION BY RANGE (paid_on);"
        "CREATE TABLE payments_2024 PARTITION OF payments"
        " FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
        "INSERT INTO payments VALUES (1, '2024-03-01'), (2, '2024-03-01');"
        "ALTER TABLE payments REPLICA IDENTITY FULL;"
        "CREATE TABLE payments_2025 PARTITION OF payments"
        " FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
        name,
    )
    found = pg.sql(
        "SELECT string_agg(relname || ' ' || relreplident::text, ', ' ORDER BY relname)"
        " FROM pg_class WHERE relname LIKE 'payments%' AND relkind IN ('r', 'p')",
        name,
    )
    assert found.strip() == "payments f, payments_2024 d, payments_2025 d"
