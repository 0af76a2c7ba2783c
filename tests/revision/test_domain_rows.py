"""A check added to a domain whose columns hold rows: PostgreSQL checks every row
then, and a row that breaks it fails the revision clearly and rolls all of it back;
with the rows fixed the same revision runs, and its downgrade drops the check."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from migration_harness import alembic, schemagen, write_schema
from pgcluster import PgCluster

BEFORE = """
database: {name: t}
domains:
  sku:
    type: text
    checks: {sku_short: "length(VALUE) <= 12"}
entities:
  Item:
    columns:
      id: {type: bigint, primary_key: true}
      sku: {type: sku, nullable: true}
  Part:
    columns:
      id: {type: bigint, primary_key: true}
      sku: {type: sku}
"""
AFTER = BEFORE.replace(
    'checks: {sku_short: "length(VALUE) <= 12"}',
    'checks: {sku_short: "length(VALUE) <= 12", sku_upper: "VALUE = upper(VALUE)"}',
)

ROWS = """
INSERT INTO items (sku) SELECT 'AB-' || g FROM generate_series(1, 500) g;
INSERT INTO items (sku) SELECT NULL FROM generate_series(1, 50);
INSERT INTO items (sku) VALUES ('AB-1'), ('AB-1');
INSERT INTO parts (sku) VALUES ('CD-1'), ('cd-2');
"""


def test_a_domain_check_that_rows_break_fails_the_revision_clearly(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    root = tmp_path / "p"
    url = pg.url(pg_db)
    write_schema(root, {"s.yaml": BEFORE})
    schemagen(root, "migrate", "-m", "initial")
    alembic(root, url, "upgrade", "head")
    pg.sql(ROWS, pg_db)
    write_schema(root, {"s.yaml": AFTER})
    plan = schemagen(root, "migrate", "-m", "upper skus")
    assert "+ domain check sku.sku_upper" in plan
    with pytest.raises(sa.exc.IntegrityError) as failure:
        alembic(root, url, "upgrade", "head")
    # PostgreSQL names the table and column whose rows break it
    assert 'column "sku" of table "parts" contains values that violate the new constraint' in (
        str(failure.value)
    )
    # the whole revision rolled back: still at 000, the domain as it was
    assert pg.sql("SELECT version_num FROM alembic_version", pg_db).split() == ["000"]
    checks = "SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint "
    checks += "WHERE contypid = 'sku'::regtype"
    assert pg.sql(checks, pg_db).strip() == "sku_short"
    pg.sql("UPDATE parts SET sku = upper(sku)", pg_db)
    alembic(root, url, "upgrade", "head")  # NULLs and duplicates pass a check
    assert pg.sql(checks, pg_db).strip() == "sku_short,sku_upper"
    assert pg.sql("SELECT count(*) FROM items", pg_db).strip() == "552"
    alembic(root, url, "downgrade", "000")
    assert pg.sql(checks, pg_db).strip() == "sku_short"
