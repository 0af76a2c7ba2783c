"""A unique number keeps its checks: seed built a unique numeric as ``low + n *
step`` whatever its upper bound, its precision or the values a check forbids, so
``score BETWEEN 0 AND 1`` on a numeric(3, 1) failed the insert past 1.0 (check
violation), ``code <> 5`` replaced 5 by 6, the next row's value ('duplicate key value
violates unique constraint'), and 2,000 rows of a numeric(3, 1) overflowed it
(its limit was read as 999.9, ten times too wide); a unique integer ``< 10`` took
10 on its eleventh row. The values now stop below the bound (a strict one a step
below), skip those a check forbids as a unique integer's do, start at the lower
bound where the column's name's range starts too high, and rows past them are
refused before any is written, naming the range and how many values it holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.refusals import SeedError
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, table_digest, violations

SCHEMA = """
database: {name: shop}
entities:
  Grade:
    columns:
      id: {type: integer, primary_key: true}
      score: {type: numeric, precision: 3, scale: 1, unique: true, nullable: true}
      code: {type: numeric, precision: 10, scale: 0, unique: true}
      rank: {type: integer, unique: true}
      note: {type: text, nullable: true}
    checks:
      score_ok: "score BETWEEN 0 AND 1 AND score <> 0.5"
      code_ok: "code <> 5 AND code <> 7"
      rank_ok: "rank < 10"
"""

#: Rows there: NULL notes and scores, a note twice, values seed does not make.
THERE = (
    "INSERT INTO grades VALUES (1, NULL, 100, -5, NULL), (2, NULL, 101, -6, 'n'),"
    " (3, NULL, 102, -7, 'n')"
)


def _seeded(pg: PgCluster, root: Path) -> tuple[int, str]:
    schema = project_schema(root)
    dbname = pg.create_database()
    try:
        with created(pg, dbname, root) as conn:
            conn.execute(THERE)
            conn.commit()
            seed_connection(conn, schema, rows=7, seed=4, append=True)
            assert violations(conn, schema) == []
            row = conn.execute(
                "SELECT count(*) FILTER (WHERE score = 0.5 OR code IN (5, 7)),"
                " count(DISTINCT score), count(DISTINCT code), max(rank) FROM grades"
            ).fetchone()
            assert row is not None and row == (0, 7, 10, 9)
            return table_digest(conn, schema.entities[0])
    finally:
        pg.drop_database(dbname)


def test_unique_numbers_keep_their_bounds(pg: PgCluster, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    first = _seeded(pg, tmp_path)
    assert first[0] == 10
    assert _seeded(pg, tmp_path) == first  # the same seed gives the same rows


#: score NOT NULL: a nullable column seed cannot make is left NULL (its default)
NOT_NULL = SCHEMA.replace("unique: true, nullable: true}", "unique: true}")


@pytest.mark.parametrize(
    ("schema", "rows", "message"),
    [
        (
            NOT_NULL.replace("rank < 10", "rank < 100"),
            11,
            # (its <> leaves one value fewer: counted through them, the key is full)
            "cannot seed grades: its unique key uq_grades_score (score) holds at most 10 "
            "rows (score takes 10 values: its checks, enum or type allow no other), and 11 "
            "are asked; ask for fewer (--rows-per grades=10) or give a column of the key a "
            "value generator, e.g. under entities.Grade.columns.score: seed:",
        ),
        (
            NOT_NULL.replace("score BETWEEN 0 AND 1 AND score <> 0.5", "score >= 0"),
            11,
            "cannot seed grades.rank: 11 distinct values do not fit its range (0 to 9: 10 values)",
        ),
        (
            NOT_NULL.replace("score BETWEEN 0 AND 1 AND score <> 0.5", "score > -100").replace(
                "rank < 10", "rank > 0"
            ),
            2000,
            "cannot seed grades.score: 2000 distinct values do not fit its range "
            "(-99.9 to 99.9 by 0.1: 1999 values)",
        ),
    ],
)
def test_more_unique_numbers_than_the_range_holds_are_refused(
    pg: PgCluster, pg_db: str, tmp_path: Path, schema: str, rows: int, message: str
) -> None:
    write_schema(tmp_path, {"schema.yaml": schema})
    project = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        with pytest.raises(SeedError) as caught:
            seed_connection(conn, project, rows=rows, seed=4)
        count = conn.execute("SELECT count(*) FROM grades").fetchone()
    assert str(caught.value).startswith(message)
    assert count == (0,)


def test_a_unique_integer_bounded_below_only_takes_any_number_of_rows(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    # (it was held to its name's range, 1,000 values: 'do not fit its range')
    schema = SCHEMA.replace("score BETWEEN 0 AND 1 AND score <> 0.5", "score > -100")
    write_schema(tmp_path, {"schema.yaml": schema.replace("rank < 10", "rank > 0")})
    project = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        seed_connection(conn, project, rows=3000, seed=4)
        assert violations(conn, project) == []
        row = conn.execute("SELECT count(DISTINCT rank), min(rank) FROM grades").fetchone()
    assert row == (3000, 1)
