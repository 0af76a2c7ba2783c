"""A unique constraint that trades a column the same plan drops for one it adds
(unique(store_id, legacy) -> unique(store_id, variant), legacy dropped, variant
added) is never missing, at any revision boundary, up or down, on a table that
holds rows.

Measured first (PostgreSQL 15): the old constraint was dropped in the _drops
revision and the new one only built in the _online revision, so after upgrade
001 and 002 a second session wrote the same (store_id, legacy), then the same
(store_id, variant), twice. The new one cannot be built before the main
transaction adds its column, nor can the old outlive that transaction's DROP
COLUMN, so they are swapped in it: ADD COLUMN, the swap, then DROP COLUMN, one
transaction, the new index built under its lock. Rows that repeat the new
columns stop it with the constraint named and a query that lists them, as a
lock-safe swap's do."""

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
    listing_query,
    uniques,
)
from traded_unique import AFTER, BEFORE, WITH_VARIANT

#: NULL legacies (never duplicates to a unique) and repeated stores
ROWS = "INSERT INTO products VALUES (1, 1, 'x'), (2, 1, NULL), (3, 1, NULL), (4, 2, 'x')"


def _duplicates(url: str) -> list[str]:
    """``legacy`` while it is there (the old constraint's column), else
    ``variant`` (the new one's), if a second session may write one (store_id,
    column) twice (rolled back)."""
    found = []
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        legacy = conn.execute(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_name = 'products' AND column_name = 'legacy'"
        ).fetchone()
        for col in ["legacy" if legacy and legacy[0] else "variant"]:
            try:
                conn.execute(
                    f"INSERT INTO products (id, store_id, {col}) "
                    "VALUES (100, 1, 'z'), (101, 1, 'z')"
                )
            except psycopg.errors.UniqueViolation:
                continue
            finally:
                conn.rollback()
            found.append(col)
    return found


#: variant already there, all NULL
KEPT_ROWS = (
    "INSERT INTO products VALUES (1, 1, 'x', NULL), (2, 1, NULL, NULL), (3, 1, NULL, NULL), "
    "(4, 2, 'x', NULL)"
)


@pytest.mark.parametrize("variant", ["added", "kept"])
@pytest.mark.parametrize(
    ("old_name", "new_name"),
    [
        ("uq_products_key", "uq_products_key"),
        ("uq_products_store_id_legacy", "uq_products_store_id_variant"),
    ],
    ids=["same_name", "new_name"],
)
def test_a_unique_trading_a_dropped_column_is_never_missing(
    pg: PgCluster, tmp_path: Path, old_name: str, new_name: str, variant: str
) -> None:
    """Traded for a column the plan adds or one the table has (measured too:
    accepted at upgrade 001 and 002 before), swapped in the main transaction,
    before its DROP COLUMN (swapped lock-safe before it, the old would be missing
    while legacy is there: the previous release could write duplicates)."""
    case = Case(
        "traded",
        {"s.yaml": (BEFORE if variant == "added" else WITH_VARIANT).replace("OLD_NAME", old_name)},
        {"s.yaml": AFTER.replace("NEW_NAME", new_name)},
        destructive=True,
    )
    rows = ROWS if variant == "added" else KEPT_ROWS
    first = at_first_revision(pg, case, tmp_path, rows)
    db, url, heads = first.db, first.url, first.heads
    # one transaction; traded for a column the table has, its index is built
    # concurrently in a _drops revision before it
    # (tests/revision/test_unique_trade_built_concurrently.py)
    assert heads[1:] == (["001"] if variant == "added" else ["001", "002"])
    assert_upgraded_never_missing(pg, first, lambda: _duplicates(url))
    assert uniques(pg, db) == f"{new_name} UNIQUE (store_id, variant)"
    assert_downgraded_never_missing(pg, first, lambda: _duplicates(url))
    assert uniques(pg, db) == f"{old_name} UNIQUE (store_id, legacy)"
    assert pg.sql("SELECT count(*) FROM products", db).strip() == "4"


def test_rows_that_repeat_the_new_columns_name_the_unique_and_a_query(
    pg: PgCluster, tmp_path: Path
) -> None:
    """variant added with a default: rows of one store repeat (store_id, variant).
    The transaction stops with the constraint named and a query that lists them
    (not PostgreSQL's "could not create unique index"), nothing done; fixed, the
    same command completes it."""
    after = AFTER.replace("NEW_NAME", "uq_products_key").replace(
        "variant: {type: text, nullable: true}", "variant: {type: text, default: std}"
    )
    case = Case(
        "traded",
        {"s.yaml": BEFORE.replace("OLD_NAME", "uq_products_key")},
        {"s.yaml": after},
        destructive=True,
    )
    first = at_first_revision(pg, case, tmp_path, ROWS)
    root, db, url = first.root, first.db, first.url
    error = str(failed_migration(root, url))
    assert "cannot add unique uq_products_key to products: rows repeat (store_id, variant)" in error
    assert "could not create unique index" not in error
    listing = listing_query(error)
    # the transaction rolled back: legacy and the old constraint are still there
    assert uniques(pg, db) == "uq_products_key UNIQUE (store_id, legacy)"
    pg.sql("DELETE FROM products WHERE id IN (2, 3)", db)
    alembic(root, url, "upgrade", "head")
    assert_matches_models(pg, db, first.models_after, [], "upgrade")
    assert uniques(pg, db) == "uq_products_key UNIQUE (store_id, variant)"
    listed = pg.sql(f"SELECT count(*) FROM ({listing}) AS r", db)
    assert listed.strip() == "0"
