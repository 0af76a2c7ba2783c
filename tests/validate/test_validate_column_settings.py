"""``statistics:`` and ``storage:`` on a column: their mistakes are located errors,
exit 2, nothing written. What PostgreSQL 15 does is measured below on a table
holding rows: a type that is not TOAST-able (integer, uuid, an enum, a domain over
one) takes only PLAIN, a statistics target beyond 10000 is lowered and below -1
refused, and a partitioned table's target reaches the partitions there but not one
made later (so the language refuses it there). (The migration is corpus 142.)"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from build_refusal import assert_build_refuses
from fixtures.language.helpers import issues_of, schema_of
from pgcluster import PgCluster

GOOD = """
entities:
  Note:
    columns:
      id: {type: bigint, primary_key: true, statistics: 100}
      body: {type: text, statistics: 10000, storage: external}
      tag: {type: text, storage: extended}
      n: {type: integer, statistics: -1, storage: plain}
      price: {type: numeric, storage: main}
      tags: {type: array, of: integer, storage: main, statistics: 0}
"""

BAD = """
entities:
  Note:
    columns:
      id: {type: bigint, primary_key: true}
      a: {type: integer, statistics: 10001}
      b: {type: text, statistics: -2}
      c: {type: text, storage: toasty}
"""

BAD_USE = """
entities:
  Note:
    columns:
      id: {type: bigint, primary_key: true}
      n: {type: integer, storage: main}
      u: {type: uuid, storage: external}
      v: {type: vectorish, storage: external}
  Payment:
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date, primary_key: true}
      memo: {type: text, statistics: 300, storage: external}
    partition_by: {range: [paid_on]}
"""


def test_the_model_keeps_what_is_no_default(tmp_path: Path) -> None:
    schema = schema_of(tmp_path, {"s.yaml": GOOD})
    columns = {c.name: (c.statistics, c.storage) for c in schema.entities[0].columns}
    assert columns == {
        "id": (100, None),
        "body": (10000, "external"),
        "tag": (None, None),  # text's own
        "n": (None, None),  # -1 and integer's own
        "price": (None, None),  # numeric's own
        "tags": (0, "main"),
    }


def test_its_mistakes_are_located(tmp_path: Path) -> None:
    assert issues_of(tmp_path, {"s.yaml": BAD}) == [
        "schema/s.yaml:5:26: entities.Note.columns.a.statistics: expected a number at most "
        "10000, got the number 10001",
        "schema/s.yaml:6:23: entities.Note.columns.b.statistics: expected a number at least "
        "-1, got the number -2",
        "schema/s.yaml:7:23: entities.Note.columns.c.storage: unknown value 'toasty'; "
        "expected one of: plain, main, external, extended",
    ]
    found = [i for i in issues_of(tmp_path, {"s.yaml": BAD_USE}) if "warning" not in i]
    assert found == [
        "schema/s.yaml:5:26: entities.Note.columns.n.storage: column data type integer can "
        "only have storage plain (it is not TOAST-able): PostgreSQL refuses storage main",
        "schema/s.yaml:6:23: entities.Note.columns.u.storage: column data type uuid can only "
        "have storage plain (it is not TOAST-able): PostgreSQL refuses storage external",
        "schema/s.yaml:7:28: entities.Note.columns.v.storage: storage external on a column of "
        "type vectorish, whose own storage schemagen does not know (a migration could not "
        "put it back): leave it out",
        "schema/s.yaml:12:26: entities.Payment.columns.memo.statistics: statistics of "
        "partitioned table payments's column memo: PostgreSQL 15 gives it to the partitions "
        "there but not to those made later; leave it out here",
    ]


def test_build_refuses_them_exit_2_nothing_written(tmp_path: Path) -> None:
    assert_build_refuses(
        tmp_path / "p",
        BAD_USE,
        "schema/s.yaml:8:26: entities.Note.columns.n.storage: ",
    )


def test_postgresql_refuses_and_keeps_what_validate_says(pg: PgCluster) -> None:
    name = pg.create_database("colsettings_rules")
    pg.sql(
        "CREATE TYPE mood AS ENUM ('a', 'b'); CREATE DOMAIN small AS integer;"
        "CREATE TABLE notes (id bigint PRIMARY KEY, n integer, u uuid, m mood, d small,"
        " body text, tags integer[]);"
        "INSERT INTO notes VALUES (1, NULL, NULL, 'a', 1, 'x', '{1}'), (2, 1, NULL, 'a', 1,"
        " NULL, NULL), (3, 1, NULL, NULL, NULL, 'x', '{}')",
        name,
    )
    for column in ("n", "u", "m", "d"):
        with pytest.raises(subprocess.CalledProcessError) as refused:
            pg.sql(f"ALTER TABLE notes ALTER COLUMN {column} SET STORAGE MAIN", name)
        assert "can only have storage PLAIN" in refused.value.stderr
    pg.sql(
        "ALTER TABLE notes ALTER COLUMN n SET STORAGE PLAIN,"
        " ALTER COLUMN tags SET STORAGE MAIN, ALTER COLUMN body SET STATISTICS 10001",
        name,
    )
    with pytest.raises(subprocess.CalledProcessError) as refused:
        pg.sql("ALTER TABLE notes ALTER COLUMN body SET STATISTICS -2", name)
    assert "statistics target -2 is too low" in refused.value.stderr
    pg.sql(
        "CREATE TABLE payments (id bigint, paid_on date, memo text, PRIMARY KEY (id, paid_on))"
        " PARTITION BY RANGE (paid_on);"
        "CREATE TABLE payments_2024 PARTITION OF payments"
        " FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
        "INSERT INTO payments VALUES (1, '2024-02-01', 'm'), (2, '2024-02-01', NULL);"
        "ALTER TABLE payments ALTER COLUMN memo SET STATISTICS 300,"
        " ALTER COLUMN memo SET STORAGE EXTERNAL;"
        "CREATE TABLE payments_2025 PARTITION OF payments"
        " FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
        name,
    )
    found = pg.sql(
        "SELECT string_agg(c.relname || ' ' || a.attstattarget || ' ' || a.attstorage::text,"
        " ', ' ORDER BY c.relname) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
        " WHERE a.attname IN ('memo', 'body') AND c.relname IN ('notes', 'payments',"
        " 'payments_2024', 'payments_2025')",
        name,
    )
    assert found.strip() == (
        "notes 10000 x, payments 300 e, payments_2024 300 e, payments_2025 -1 e"
    )
