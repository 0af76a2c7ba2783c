"""``cluster_on:``: its mistakes are located errors, exit 2, nothing written.
What it may name is what PostgreSQL 15 accepts for ``ALTER TABLE ... CLUSTER ON``
(measured below on tables holding rows, NULLs and repeats): an index of the table
(an ``indexes:`` entry, a unique or exclusion constraint, the primary key) whose
access method can cluster (btree, gist; an expression key is fine) and that is
not partial. A partitioned table takes no mark. (The migration is corpus 146,
check --database tests/live/test_check_live_cluster_on.py.)"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from build_refusal import assert_build_refuses
from fixtures.language.helpers import issues_of, schema_of
from pgcluster import PgCluster

TABLE = """
  {entity}:
    table: {table}
    columns:
      id: {{type: bigint, primary_key: true}}
      code: {{type: text}}
      span: {{type: int4range, nullable: true}}
      words: {{type: tsvector, nullable: true}}
    unique:
      uq_{table}_code: [code]
    exclude:
      ex_{table}_span: {{elements: [{{column: span, with: "&&"}}]}}
    indexes:
      ix_{table}_code: [code, id]
      ix_{table}_lower: {{columns: [{{expression: lower(code)}}]}}
      ix_{table}_span: {{columns: [span], using: gist}}
      ix_{table}_hash: {{columns: [code], using: hash}}
      ix_{table}_words: {{columns: [words], using: gin}}
      ix_{table}_brin: {{columns: [id], using: brin}}
      ix_{table}_part: {{columns: [code], where: "span IS NOT NULL"}}
    cluster_on: {index}
"""

#: (entity, table, cluster_on:) that PostgreSQL accepts
ACCEPTED = [
    ("A", "t_a", "pk_t_a"),
    ("B", "t_b", "uq_t_b_code"),
    ("C", "t_c", "ix_t_c_code"),
    ("D", "t_d", "ix_t_d_lower"),
    ("E", "t_e", "ix_t_e_span"),
    ("F", "t_f", "ex_t_f_span"),
]
#: ... and those it refuses, with the located error
REFUSED = [
    ("G", "t_g", "ix_t_g_hash", "index ix_t_g_hash is hash: PostgreSQL clusters on btree and "
     "gist indexes only (hash does not support clustering)"),
    ("H", "t_h", "ix_t_h_words", "index ix_t_h_words is gin: PostgreSQL clusters on btree and "
     "gist indexes only (gin does not support clustering)"),
    ("Ii", "t_i", "ix_t_i_brin", "index ix_t_i_brin is brin: PostgreSQL clusters on btree and "
     "gist indexes only (brin does not support clustering)"),
    ("J", "t_j", "ix_t_j_part", "index ix_t_j_part is partial (where:): PostgreSQL refuses to "
     "cluster on a partial index, which does not hold every row"),
    ("K", "t_k", "ix_nope", "K has no index or constraint ix_nope (its indexes: ex_t_k_span, "
     "ix_t_k_brin, ix_t_k_code, ix_t_k_hash, ix_t_k_lower, ix_t_k_part, ix_t_k_span, "
     "ix_t_k_words, pk_t_k, uq_t_k_code)"),
]  # fmt: skip

PARTITIONED = """
  Payment:
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date, primary_key: true}
    partition_by: {range: [paid_on]}
    partitions:
      payments_2024: {from: ['2024-01-01'], to: ['2025-01-01']}
    cluster_on: pk_payments
"""


def _schema(rows: list[tuple[str, ...]]) -> str:
    return "entities:" + "".join(
        TABLE.format(entity=row[0], table=row[1], index=row[2]) for row in rows
    )


def test_every_accepted_form_is_the_model_s(tmp_path: Path) -> None:
    schema = schema_of(tmp_path, {"s.yaml": _schema(ACCEPTED)})
    assert {e.name: e.cluster_on for e in schema.entities} == {
        row[0]: row[2] for row in ACCEPTED
    }


def test_a_table_without_the_mark_keeps_none(tmp_path: Path) -> None:
    text = _schema(ACCEPTED[:1]).replace("    cluster_on: pk_t_a\n", "")
    (entity,) = schema_of(tmp_path, {"s.yaml": text}).entities
    assert entity.cluster_on is None


def test_its_mistakes_are_located(tmp_path: Path) -> None:
    lines = 21  # each table's lines; cluster_on: is its last
    assert issues_of(tmp_path, {"s.yaml": _schema(REFUSED)}) == [
        f"schema/s.yaml:{n * lines + 21}:5: entities.{row[0]}.cluster_on: {row[3]}"
        for n, row in enumerate(REFUSED)
    ]
    assert issues_of(tmp_path, {"s.yaml": "entities:" + PARTITIONED}) == [
        "schema/s.yaml:9:5: entities.Payment.cluster_on: cluster_on pk_payments of "
        "partitioned table payments: PostgreSQL refuses to mark an index clustered in a "
        "partitioned table; leave it out here",
    ]
    assert issues_of(tmp_path, {"s.yaml": _schema([("M", "t_m", "[ix_t_m_code]")])}) != []


def test_build_refuses_them_exit_2_nothing_written(tmp_path: Path) -> None:
    assert_build_refuses(
        tmp_path / "p",
        _schema(REFUSED[:1]),
        "schema/s.yaml:23:5: entities.G.cluster_on: index ix_t_g_hash is hash",
    )


def _ddl(table: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint CONSTRAINT pk_{table} PRIMARY KEY, code text NOT NULL,"
        f" span int4range, words tsvector, CONSTRAINT uq_{table}_code UNIQUE (code),"
        f" CONSTRAINT ex_{table}_span EXCLUDE USING gist (span WITH &&));"
        f"CREATE INDEX ix_{table}_code ON {table} (code, id);"
        f"CREATE INDEX ix_{table}_lower ON {table} (lower(code));"
        f"CREATE INDEX ix_{table}_span ON {table} USING gist (span);"
        f"CREATE INDEX ix_{table}_hash ON {table} USING hash (code);"
        f"CREATE INDEX ix_{table}_words ON {table} USING gin (words);"
        f"CREATE INDEX ix_{table}_brin ON {table} USING brin (id);"
        f"CREATE INDEX ix_{table}_part ON {table} (code) WHERE span IS NOT NULL;"
        f"INSERT INTO {table} VALUES (1, 'a', NULL, NULL), (2, 'A', NULL, 'x'),"
        " (3, 'b', '[1,5)', 'x');"
    )


def test_postgresql_accepts_and_refuses_the_same(pg: PgCluster) -> None:
    name = pg.create_database("cluster_on_rules")
    for _, table, index, *_ in ACCEPTED + REFUSED[:-1]:
        pg.sql(_ddl(table), name)
        statement = f"ALTER TABLE {table} CLUSTER ON {index}"
        if any(row[1] == table for row in ACCEPTED):
            pg.sql(statement, name)
            marked = pg.sql(
                "SELECT i.indexrelid::regclass FROM pg_index i"
                f" WHERE i.indrelid = '{table}'::regclass AND i.indisclustered",
                name,
            )
            assert marked.strip() == index
            continue
        with pytest.raises(subprocess.CalledProcessError) as refused:
            pg.sql(statement, name)
        assert "cannot cluster on" in refused.value.stderr, refused.value.stderr


def test_postgresql_refuses_the_mark_on_a_partitioned_table(pg: PgCluster) -> None:
    name = pg.create_database("cluster_on_parts")
    pg.sql(
        "CREATE TABLE payments (id bigint, paid_on date,"
        " CONSTRAINT pk_payments PRIMARY KEY (id, paid_on)) PARTITION BY RANGE (paid_on);"
        "CREATE TABLE payments_2024 PARTITION OF payments"
        " FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
        "INSERT INTO payments VALUES (1, '2024-03-01'), (2, '2024-03-01');",
        name,
    )
    with pytest.raises(subprocess.CalledProcessError) as refused:
        pg.sql("ALTER TABLE payments CLUSTER ON pk_payments", name)
    assert "partitioned" in refused.value.stderr, refused.value.stderr
