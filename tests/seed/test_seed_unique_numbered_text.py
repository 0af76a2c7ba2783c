"""A unique text too short for seed's realistic text holds the row number's digits
(a varchar(2): '1' to '99'). A ``<>`` check on it (``CHECK (code <> '')``, ``code <>
'7'``) made seed replace a forbidden value by the value of a row number past every
row's, and so ask for room for twice the rows: 98 rows in a varchar(2) were refused
('196 distinct values do not fit 2 characters') though the column holds 99 numbers.
Now '' is known never to be made (a row number has a digit), and a number forbidden
is skipped over (the rows take '1' to '6', '8' to '99'): the column holds 98 rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.refusals import SeedError
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: shop}
entities:
  Tag:
    columns:
      id: {type: integer, primary_key: true}
      code: {type: string, length: 2, unique: true}
      label: {type: text, nullable: true}
    checks:
      code_set: "code <> ''"
      code_not_seven: "code <> '7' AND code <> '100'"
"""

#: Rows there: a NULL label, a label twice.
THERE = "INSERT INTO tags (code, label) VALUES ('a', NULL), ('b', 'x'), ('c', 'x')"


def test_a_unique_short_text_kept_off_values_holds_its_numbers(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(THERE)
        conn.commit()
        # 3 there + 95: the codes '4' to '99' but '7' (forbidden)
        result = seed_connection(conn, schema, rows_per={"tags": 95}, seed=3, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(DISTINCT code), count(*) FILTER (WHERE code IN ('', '7')),"
            " count(label), max(length(code)) FROM tags"
        ).fetchone()
    assert result.rows == 95
    assert row is not None
    total, codes, forbidden, labels, longest = row
    assert (total, codes, forbidden, longest) == (98, 98, 0, 2)
    assert 2 <= labels < total


def test_a_unique_short_text_past_its_numbers_is_refused(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(THERE)
        conn.commit()
        # the rows there hold none of the numbers ('a' to 'c'): 98 of them are free
        with pytest.raises(SeedError) as caught:
            seed_connection(conn, schema, rows_per={"tags": 99}, seed=3, append=True)
        count = conn.execute("SELECT count(*) FROM tags").fetchone()
        assert count == (3,)
        seed_connection(conn, schema, rows_per={"tags": 98}, seed=3, append=True)
        assert violations(conn, schema) == []
        row = conn.execute("SELECT count(*), count(DISTINCT code) FROM tags").fetchone()
        assert row == (101, 101)
    assert (
        "cannot seed tags: check code_not_seven (code <> '7' AND code <> '100') has a "
        "shape seed cannot satisfy (99 distinct values do not fit 2 characters (seed writes "
        "the row number there: 99 values, less the 1 its checks forbid))"
    ) in str(caught.value)
    assert "entities.Tag.columns.code: seed:" in str(caught.value)
