"""``seed: {sql: ...}`` generators that are a bare constant: ``NULL`` or a quoted
string. Seed selects every column's value in a sub-select before it inserts, and
PostgreSQL gives such a constant of unknown type the type text there, so ``seed:
{sql: "NULL"}`` on a timestamptz column failed the whole seed ("column "at" is of
type timestamp with time zone but expression is of type text"); ``'b'`` on an enum
column and ``'2025-03-01'`` on a date column did too. Seed now casts a bare
constant to the column's type."""

from __future__ import annotations

from pathlib import Path

from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: shop}
enums:
  Kind: {values: [a, b]}
domains:
  code: {type: string, length: 8, checks: {code_upper: "VALUE = upper(VALUE)"}}
entities:
  Thing:
    columns:
      id: {type: integer, primary_key: true}
      at: {type: timestamptz, nullable: true, seed: {sql: "NULL"}}
      n: {type: integer, nullable: true, seed: {sql: " null "}}
      day: {type: date, seed: {sql: "'2025-03-01'"}}
      kind: {type: enum, enum: Kind, seed: {sql: "'b'"}}
      tag: {type: code, seed: {sql: "'AB'"}}
      note: {type: text, nullable: true, collation: C, seed: {sql: "NULL"}}
"""


def test_bare_constant_generators_take_the_columns_type(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        # a row there already: NULLs, and the values the generators give, twice
        conn.execute(
            "INSERT INTO things (at, n, day, kind, tag, note) VALUES"
            " (NULL, NULL, '2025-03-01', 'b', 'AB', NULL), (now(), 5, '2025-03-01', 'b', 'AB', 'x')"
        )
        conn.commit()
        result = seed_connection(conn, schema, rows=50, seed=2, append=True)
        assert result is not None
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(at), count(n), count(note), count(DISTINCT day),"
            " min(day)::text, count(*) FILTER (WHERE kind = 'b' AND tag = 'AB') FROM things"
        ).fetchone()
    assert row == (52, 1, 1, 1, 1, "2025-03-01", 52)
