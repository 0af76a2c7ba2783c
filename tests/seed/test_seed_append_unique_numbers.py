"""``seed --append`` on a unique numeric bounded by its checks: its values are built
from the row number (``low + n * step``), and rows there holding some of them made
seed number its rows past the last one met, so room was lost: 7 rows appended to 3
in a numeric(3, 1) ``BETWEEN 0 AND 1`` (10 values, 3 held) were refused ('13
distinct values do not fit its range'). As a bounded unique integer's, its values
are now counted through, leaving those the rows there hold: it fills every one."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.refusals import SeedError
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, table_digest, violations

SCHEMA = """
database: {name: school}
entities:
  Grade:
    columns:
      id: {type: integer, primary_key: true}
      score: {type: numeric, precision: 3, scale: 1, unique: true}
      note: {type: text, nullable: true}
    checks:
      score_ok: "score BETWEEN 0 AND 1 AND score <> 0.9"
"""

#: Rows there: a NULL note, a note twice, scores seed's own numbering makes.
THERE = "INSERT INTO grades (score, note) VALUES (0.3, NULL), (0.5, 'n'), (0.7, 'n')"


def _appended(pg: PgCluster, root: Path) -> tuple[int, str]:
    schema = project_schema(root)
    dbname = pg.create_database()
    try:
        with created(pg, dbname, root) as conn:
            conn.execute(THERE)
            conn.commit()
            seed_connection(conn, schema, rows_per={"grades": 7}, seed=4, append=True)
            assert violations(conn, schema) == []
            row = conn.execute("SELECT array_agg(score ORDER BY score) FROM grades").fetchone()
            assert row is not None
            assert [str(v) for v in row[0]] == [f"0.{d}" for d in range(9)] + ["1.0"]
            with pytest.raises(SeedError) as caught:
                seed_connection(conn, schema, rows_per={"grades": 1}, seed=4, append=True)
            assert (
                "cannot seed grades: its unique key uq_grades_score (score) holds at most 10 "
                "rows (score takes 10 values: its checks, enum or type allow no other); rows "
                "there hold 10 of them, room for 0 more, and 1 are asked; ask for fewer "
                "(--rows-per grades=0) or give a column of the key a value generator, e.g. "
                "under entities.Grade.columns.score: seed:"
            ) in str(caught.value)
            assert conn.execute("SELECT count(*) FROM grades").fetchone() == (10,)
            return table_digest(conn, schema.entities[0])
    finally:
        pg.drop_database(dbname)


def test_appended_unique_numbers_fill_the_values_rows_there_leave(
    pg: PgCluster, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    first = _appended(pg, tmp_path)
    assert first[0] == 10
    assert _appended(pg, tmp_path) == first  # the same seed gives the same rows
