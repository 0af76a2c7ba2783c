"""A text a ``<>`` check forbids is replaced; on a unique column every forbidden
value seed met was replaced by the same text ('x'), so two of them made a
duplicate ('duplicate key value violates unique constraint "uq_parts_code"') and
the seed failed. A unique column's forbidden value now takes the value seed makes
for a row number past the last one (n + rows), distinct from every other."""

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
  Part:
    columns:
      id: {type: integer, primary_key: true}
      code: {type: string, length: 3, unique: true}
      sku: {type: string, length: 20, unique: true}
      note: {type: text, nullable: true}
      color: {type: string, length: 20}
    checks:
      code_apart: "code <> '7' AND code <> '9' AND code <> '11'"
      sku_apart: "sku <> 'SKU-00000008' AND sku <> 'SKU-00000010'"
"""


def test_forbidden_unique_texts_stay_distinct(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(  # rows there: a NULL note, a color thrice
            "INSERT INTO parts (code, sku, note, color) VALUES"
            " ('a', 'hand-1', NULL, 'red'), ('b', 'hand-2', 'x', 'red'),"
            " ('c', 'hand-3', NULL, 'red')"
        )
        conn.commit()
        seed_connection(conn, schema, rows=400, seed=3, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(DISTINCT code), count(DISTINCT sku), count(note),"
            " count(*) FILTER (WHERE code IN ('7', '9', '11')),"
            " count(*) FILTER (WHERE sku IN ('SKU-00000008', 'SKU-00000010')) FROM parts"
        ).fetchone()
    assert row is not None
    total, codes, skus, notes, forbidden_codes, forbidden_skus = row
    assert (total, codes, skus, forbidden_codes, forbidden_skus) == (403, 403, 403, 0, 0)
    assert 0 < notes < total


@pytest.mark.parametrize(
    ("column", "message"),
    [
        (
            "{type: string, length: 2, unique: true}",
            "cannot seed tags.code: 100 distinct values do not fit 2 characters (seed writes "
            "the row number there: 99 values)",
        ),
        (
            "{type: text, unique: true}\n    checks:\n      code_like: \"code LIKE 'T_'\"",
            "cannot seed tags.code: 100 distinct values do not fit the 1 characters its "
            "patterns leave free (seed writes the row number's digits there: 10 values)",
        ),
    ],
)
def test_a_unique_text_too_short_for_the_rows_says_how_many_it_holds(
    pg: PgCluster, pg_db: str, tmp_path: Path, column: str, message: str
) -> None:
    """A unique varchar(2), or a pattern leaving one character free, holds the row
    numbers that fit it: the refusal said the rows did not fit, not how many do."""
    schema = f"""
database: {{name: shop}}
entities:
  Tag:
    columns:
      id: {{type: integer, primary_key: true}}
      code: {column}
"""
    write_schema(tmp_path, {"schema.yaml": schema})
    project = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        with pytest.raises(SeedError) as caught:
            seed_connection(conn, project, rows=100, seed=3)
        count = conn.execute("SELECT count(*) FROM tags").fetchone()
    assert message in str(caught.value) and count == (0,)
