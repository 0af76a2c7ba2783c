"""``a <> b`` between two plain columns where the one plan._shifts picked to move is
not written by the insert: a generated column (PostgreSQL computes it) or one left to
its default (seed has no generator for it). No shift was applied and the insert broke
the check. Seed now moves the other side where the moved one is not written and
refuses, naming the check, where it cannot see the value it must differ from."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.refusals import SeedError
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

GENERATED = """
database: {name: shop}
entities:
  Pair:
    table: pairs
    columns:
      id: {type: integer, primary_key: true}
      base: {type: integer}
      doubled: {type: integer, generated: "base * 2"}
      other: {type: integer}
    checks:
      base_range: "base BETWEEN 1 AND 2"
      other_range: "other BETWEEN 2 AND 4"
      apart: "doubled <> other"
"""


def test_a_generated_column_apart_is_refused(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": GENERATED})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.commit()
        with pytest.raises(SeedError) as refused:
            seed_connection(conn, schema, rows_per={"pairs": 200})
        message = str(refused.value)
        assert "check apart" in message and "seed does not write doubled" in message
        assert conn.execute("SELECT count(*) FROM pairs").fetchone() == (0,)
        assert violations(conn, schema) == []


DEFAULTED = """
database: {name: shop}
entities:
  Visit:
    table: visits
    columns:
      id: {type: integer, primary_key: true}
      day: {type: date, default: "2025-01-02"}
      other: {type: date, unique: true}
      later: {type: date, nullable: true}
    checks:
      not_infinite: "day <> 'infinity' AND later <> 'infinity'"
      later_apart: "later <> other"
      apart: "day <> other"
"""


def test_a_column_left_to_its_default_apart_is_refused(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    # seed writes no date kept off a constant it does not read as a time ('infinity'):
    # day takes its default, the value of other on its first row (2025-01-01 + n);
    # later is left NULL, which no `<>` fails
    write_schema(tmp_path, {"schema.yaml": DEFAULTED})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.commit()
        with pytest.raises(SeedError) as refused:
            seed_connection(conn, schema, rows_per={"visits": 200})
        message = str(refused.value)
        assert "check apart asks day <> other" in message
        assert "seed does not write day (its default gives it); give other a value" in message
        assert conn.execute("SELECT count(*) FROM visits").fetchone() == (0,)


def test_a_column_left_null_apart_is_seeded(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    # later is NULL on every row, which no `<>` fails: rows, not a refusal
    schema_text = DEFAULTED.replace('      apart: "day <> other"\n', "")
    write_schema(tmp_path, {"schema.yaml": schema_text})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.commit()
        seed_connection(conn, schema, rows_per={"visits": 200})
        assert violations(conn, schema) == []
        row = conn.execute("SELECT count(*), count(later), count(DISTINCT day) FROM visits")
        assert row.fetchone() == (200, 0, 1)
