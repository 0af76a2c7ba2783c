"""A number a check forbids (``<> v``, ``NOT IN``) was replaced by v + 1, which the
check's bound may exclude ('rank BETWEEN 1 AND 10 AND rank <> 10' got 11), another
``<>`` may forbid (``<> 5 AND <> 4``: 4 became 5), or a unique column may hold
already (row 5's 6 beside row 6's). Seed now makes an integer in the range less the
forbidden values and moves it past each of them, which keeps distinct values
distinct; a value a check lists and another forbids is left out of the list."""

from __future__ import annotations

from pathlib import Path

from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: shop}
entities:
  Tag:
    columns:
      id: {type: integer, primary_key: true}
      rank: {type: integer, unique: true}
      score: {type: smallint, nullable: true}
      level: {type: integer}
    checks:
      rank_free: "rank <> 5 AND rank <> 4 AND rank NOT IN (7, 1000000)"
      score_range: "score BETWEEN 1 AND 10 AND score <> 10 AND score <> 9 AND score <> 3"
      level_listed: "level IN (1, 2, 3) AND level <> 2"
"""

#: rows held first: a NULL score, repeated scores and levels
HELD = "INSERT INTO tags VALUES (1, 10001, NULL, 1), (2, 10002, 2, 1), (3, 10003, 2, 1)"


def test_forbidden_numbers_are_skipped_within_bounds_and_apart(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(HELD)
        conn.commit()
        seed_connection(conn, schema, rows=500, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(DISTINCT rank), count(*) FILTER (WHERE rank IN (4, 5, 7)),"
            " array_agg(DISTINCT score ORDER BY score) FILTER (WHERE score IS NOT NULL),"
            " array_agg(DISTINCT level ORDER BY level) FROM tags"
        ).fetchone()
        assert row is not None
        assert row[:3] == (503, 503, 0)  # all distinct, none forbidden
        assert row[3] == [1, 2, 4, 5, 6, 7, 8]  # every score the check leaves
        assert row[4] == [1, 3]
