"""A unique constraint that loses a column the same plan drops (unique(store_id,
sku, legacy) -> unique(store_id, sku), legacy dropped) is never missing, at any
revision boundary, up or down, on a table that holds rows.

Measured first (PostgreSQL 15): the old constraint was dropped in the _drops
revision (PostgreSQL would drop it with the column anyway) and the new one only
built in the _online revision, so after upgrade 001 and 002 a second session
wrote the same (store_id, sku, legacy) twice. Now the new unique index is built
concurrently and swapped in (as a unique whose columns change is swapped,
tests/revision/test_unique_swap.py) in the _drops revision, before the main
transaction drops the column; its downgrade swaps back after the main
downgrade has restored the column."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from migration_harness import Case, alembic, assert_matches_models
from pgcluster import PgCluster
from revision_steps import (
    assert_downgraded_never_missing,
    assert_upgraded_never_missing,
    at_first_revision,
    failed_migration,
    listed_ids,
    uniques,
)

BEFORE = """\
database: {name: narrowed}
entities:
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {type: bigint}
      sku: {type: text, nullable: true}
      legacy: {type: text, nullable: true}
    unique:
      OLD_NAME: [store_id, sku, legacy]
"""
AFTER = """\
database: {name: narrowed}
entities:
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {type: bigint}
      sku: {type: text, nullable: true}
    unique:
      NEW_NAME: [store_id, sku]
"""
#: NULL skus and legacies (never duplicates to a unique) and repeated stores
ROWS = "INSERT INTO products VALUES (1, 1, 'a', 'x'), (2, 1, NULL, NULL), (3, 1, NULL, 'x'), " \
    "(4, 2, 'a', NULL)"


def _duplicates(url: str) -> list[str]:
    """One row twice, if a second session may write it (rolled back): both the
    old and the new constraint refuse that, whether ``legacy`` exists or not."""
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        legacy = conn.execute(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_name = 'products' AND column_name = 'legacy'"
        ).fetchone()
        row = "(1, 'z', 'y')" if legacy and legacy[0] else "(1, 'z')"
        cols = "(id, store_id, sku, legacy)" if legacy and legacy[0] else "(id, store_id, sku)"
        try:
            conn.execute(f"INSERT INTO products {cols} VALUES (100, {row[1:]}, (101, {row[1:]}")
        except psycopg.errors.UniqueViolation:
            return []
        finally:
            conn.rollback()
    return ["duplicate"]


@pytest.mark.parametrize(
    ("old_name", "new_name"),
    [("uq_products_key", "uq_products_key"), ("uq_products_old", "uq_products_store_id_sku")],
    ids=["same_name", "new_name"],
)
def test_a_unique_losing_a_dropped_column_is_never_missing(
    pg: PgCluster, tmp_path: Path, old_name: str, new_name: str
) -> None:
    case = Case(
        "narrowed",
        {"s.yaml": BEFORE.replace("OLD_NAME", old_name)},
        {"s.yaml": AFTER.replace("NEW_NAME", new_name)},
        destructive=True,
    )
    first = at_first_revision(pg, case, tmp_path, ROWS)
    db, url = first.db, first.url
    assert_upgraded_never_missing(pg, first, lambda: _duplicates(url))
    assert uniques(pg, db) == f"{new_name} UNIQUE (store_id, sku)"
    assert_downgraded_never_missing(pg, first, lambda: _duplicates(url))
    assert uniques(pg, db) == f"{old_name} UNIQUE (store_id, sku, legacy)"
    assert pg.sql("SELECT count(*) FROM products", db).strip() == "4"


def test_rows_that_repeat_the_kept_columns_name_the_unique_and_a_query(
    pg: PgCluster, tmp_path: Path
) -> None:
    """Rows the old constraint allowed (one (store_id, sku) under two legacies)
    stop the upgrade before the column is dropped, with the constraint named and a
    query that lists them; fixed, the same command completes it."""
    case = Case(
        "narrowed",
        {"s.yaml": BEFORE.replace("OLD_NAME", "uq_products_key")},
        {"s.yaml": AFTER.replace("NEW_NAME", "uq_products_key")},
        destructive=True,
    )
    first = at_first_revision(pg, case, tmp_path, f"{ROWS}, (5, 2, 'a', 'y'), (6, 1, 'a', NULL)")
    root, db, url = first.root, first.db, first.url
    error = str(failed_migration(root, url))
    assert "cannot add unique uq_products_key to products: rows repeat (store_id, sku)" in error
    assert listed_ids(pg, db, error) == "1,4,5,6"
    # the column and the old constraint are still there
    assert uniques(pg, db) == "uq_products_key UNIQUE (store_id, sku, legacy)"
    pg.sql("DELETE FROM products WHERE id IN (5, 6)", db)
    alembic(root, url, "upgrade", "head")
    assert_matches_models(pg, db, first.models_after, [], "upgrade")
    assert uniques(pg, db) == "uq_products_key UNIQUE (store_id, sku)"
