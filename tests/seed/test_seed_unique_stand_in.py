"""A text a ``<>`` check forbids is replaced; on a unique column every forbidden
value seed met was replaced by the same text ('x'), so two of them made a
duplicate ('duplicate key value violates unique constraint "uq_parts_code"') and
the seed failed. A unique column's forbidden value now takes the value seed makes
for a row number past the last one (n + rows), distinct from every other."""

from __future__ import annotations

from pathlib import Path

from migration_harness import write_schema
from pgcluster import PgCluster
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
