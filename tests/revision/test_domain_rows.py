"""A check added to a domain whose columns hold rows: PostgreSQL checks every row
then, and a row that breaks it fails the revision clearly and rolls all of it back;
with the rows fixed the same revision runs, and its downgrade drops the check. A
domain whose base type changes is refused by migrate, with what to do instead."""

from __future__ import annotations

import textwrap
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


def test_migrate_refuses_a_domain_whose_base_type_changes(tmp_path: Path) -> None:
    """PostgreSQL has no ALTER DOMAIN for a base type or collation; one name cannot be
    dropped and created in one revision while columns use it: migrate says what to do."""
    before = """
    database: {name: t}
    domains:
      code: {type: string, length: 8}
    entities:
      Item:
        columns:
          id: {type: bigint, primary_key: true}
          code: {type: code}
    """
    write_schema(tmp_path, {"s.yaml": textwrap.dedent(before)})
    schemagen(tmp_path, "migrate", "-m", "initial")
    after = before.replace("{type: string, length: 8}", "{type: text, collation: C}")
    write_schema(tmp_path, {"s.yaml": textwrap.dedent(after)})
    out = schemagen(tmp_path, "migrate", "-m", "retype", expect_exit=1)
    assert (
        "domain code changes its base type or collation (character varying(8) -> text "
        'COLLATE "C"), which PostgreSQL cannot alter: declare a domain of another name, '
        "move the columns to it, and drop code in a later revision"
    ) in out
    assert len(list((tmp_path / "generated" / "migrations" / "versions").glob("*.py"))) == 1
