"""A unique text a LIKE pattern fixes whole (``code LIKE 'T_'``) is filled with the
row number's digits; seed wrote the row number itself, from 1, so 'T0' was never
made and the column held 9 values of its 10: a tenth row was refused ('10 distinct
values do not fit the 1 characters its patterns leave free'). Seed now writes the
row number less one: 'T0' to 'T9'."""

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
      code: {type: text, unique: true}
      label: {type: text, nullable: true}
    checks:
      code_like: "code LIKE 'T_'"
"""


def test_a_pattern_with_one_free_character_holds_ten_rows(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        seed_connection(conn, schema, rows_per={"tags": 10}, seed=3)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), array_agg(code ORDER BY code), count(label) FROM tags"
        ).fetchone()
    assert row is not None
    assert row[:2] == (10, [f"T{d}" for d in range(10)])
    assert 0 < row[2] < 10  # some labels NULL


def test_rows_there_take_their_numbers_and_an_eleventh_row_is_refused(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        # rows there: a NULL label, a label twice, the codes of row numbers 1 and 2
        conn.execute("INSERT INTO tags (code, label) VALUES ('T0', NULL), ('T1', 'x'), ('T5', 'x')")
        conn.commit()
        with pytest.raises(SeedError) as caught:
            seed_connection(conn, schema, rows_per={"tags": 8}, seed=3, append=True)
        assert conn.execute("SELECT count(*) FROM tags").fetchone() == (3,)
        assert (
            "cannot seed tags.code: 11 distinct values do not fit the 1 characters its "
            "patterns leave free (seed writes the row number's digits there: 10 values), "
            "under check code_like (code LIKE 'T_'); give it a value generator, e.g. under "
            'entities.Tag.columns.code: seed: {sql: "..."}'
        ) in str(caught.value)
