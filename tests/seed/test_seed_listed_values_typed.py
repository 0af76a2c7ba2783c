"""Values a check lists for a column (``IN``, ``=``, in an OR's branch) are quoted
constants, which PostgreSQL types only from where they go: picked from an ARRAY or
a CASE of them they were text, and a date or timestamptz column refused them
('column "starts_on" is of type date but expression is of type text'). Seed casts
them to the column's type."""

from __future__ import annotations

from pathlib import Path

from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: shop}
entities:
  Shift:
    columns:
      id: {type: integer, primary_key: true}
      kind: {type: text}
      starts_on: {type: date}
      ends_at: {type: timestamptz, nullable: true}
      slot: {type: time, nullable: true}
    checks:
      shift_on: "starts_on IN ('2025-01-01', '2025-02-01')"
      shift_end: >-
        (kind = 'a' AND ends_at = '2025-01-01 18:00+00') OR (kind = 'b' AND ends_at IS NULL)
      shift_slot: "slot IS NULL OR slot IN ('08:00', '14:00')"
"""

#: rows held first: a NULL, a row twice
HELD = (
    "INSERT INTO shifts VALUES (1, 'b', '2025-01-01', NULL, NULL), "
    "(2, 'a', '2025-02-01', '2025-01-01 18:00+00', '08:00'), "
    "(3, 'a', '2025-02-01', '2025-01-01 18:00+00', '08:00')"
)


def test_listed_values_take_the_column_s_type(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(HELD)
        conn.commit()
        seed_connection(conn, schema, rows=400, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(DISTINCT starts_on), count(DISTINCT kind),"
            " count(ends_at), count(DISTINCT slot) FROM shifts"
        ).fetchone()
        assert row is not None
        total, days, kinds, ends, slots = row
        assert (total, days, kinds, slots) == (403, 2, 2, 2)  # both values of each list
        assert 0 < ends < total  # branch a sets it, branch b leaves it NULL
