"""A unique constraint whose columns change is never missing, at any revision
boundary, up or down, on a table that holds rows (as a foreign key's or a check's
change: tests/revision/test_foreign_key_swap.py, test_check_swap.py): after every
revision a second session inserts a duplicate of both the old and the new
columns, and PostgreSQL must refuse it. Where the new columns are fewer, rows
may repeat them: the revision's error names the constraint and gives a query
that lists those rows."""

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
    refused,
    uniques,
)

_BEFORE = """\
database: {name: swap}
entities:
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {type: bigint}
      sku: {type: text, nullable: true}
    unique:
      UNIQUE_NAME: [store_id, sku]
"""
_AFTER = """\
database: {name: swap}
entities:
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {type: bigint}
      sku: {type: text, nullable: true}
      variant: {type: text, default: ""}
    unique:
      UNIQUE_NAME: [store_id, sku, variant]
"""

#: rows with NULL skus (not duplicates to a unique constraint) and repeated stores
ROWS = "INSERT INTO products VALUES (1, 1, 'a'), (2, 1, NULL), (3, 1, NULL), (4, 2, 'a')"
#: a duplicate of row 1 under the old columns and, its variant '' by default, the new
DUPLICATE = "INSERT INTO products (id, store_id, sku) VALUES (100, 1, 'a')"


def _duplicates(url: str) -> list[str]:
    """:data:`DUPLICATE` if a second session could write it (rolled back)."""
    return [] if refused(url, DUPLICATE, psycopg.errors.UniqueViolation) else ["duplicate"]


@pytest.mark.parametrize(
    ("old_name", "new_name"),
    [
        ("uq_products_sku", "uq_products_sku"),  # one name: a temporary index, renamed
        ("uq_products_store_sku", "uq_products_store_sku_variant"),
    ],
    ids=["same_name", "new_name"],
)
def test_no_revision_boundary_leaves_a_unique_with_new_columns_missing(
    pg: PgCluster, tmp_path: Path, old_name: str, new_name: str
) -> None:
    case = Case(
        "unique_swap",
        {"s.yaml": _BEFORE.replace("UNIQUE_NAME", old_name)},
        {"s.yaml": _AFTER.replace("UNIQUE_NAME", new_name)},
        destructive=False,
    )
    first = at_first_revision(pg, case, tmp_path, ROWS)
    root, db, url, heads = first.root, first.db, first.url, first.heads
    assert_upgraded_never_missing(pg, first, lambda: _duplicates(url))
    assert uniques(pg, db) == f"{new_name} UNIQUE (store_id, sku, variant)"
    # a rerun of the last revision (as after a failure half-way) changes nothing
    alembic(root, url, "downgrade", heads[-2])
    alembic(root, url, "upgrade", "head")
    assert_matches_models(pg, db, first.models_after, [], "rerun")
    assert_downgraded_never_missing(pg, first, lambda: _duplicates(url))
    assert uniques(pg, db) == f"{old_name} UNIQUE (store_id, sku)"
    assert pg.sql("SELECT count(*) FROM products", db).strip() == "4"


def test_rows_that_repeat_fewer_columns_name_the_unique_and_a_query(
    pg: PgCluster, tmp_path: Path
) -> None:
    """(store_id, sku, variant) -> (store_id, sku) over rows that repeat (store_id,
    sku): PostgreSQL's "could not create unique index" names one key value; the
    revision's error names the constraint and a query for every such row, and once
    they are fixed the same command completes the upgrade."""
    case = Case(
        "unique_narrowed",
        {"s.yaml": _AFTER.replace("UNIQUE_NAME", "uq_products_sku")},
        {"s.yaml": _AFTER.replace("UNIQUE_NAME: [store_id, sku, variant]",
                                  "uq_products_sku: [store_id, sku]")},
        destructive=False,
    )
    rows = (
        "INSERT INTO products VALUES (1, 1, 'a', 'x'), (2, 1, 'a', 'y'), (3, 1, NULL, 'x'),"
        " (4, 1, NULL, 'y'), (5, 2, 'a', 'x'), (6, 3, 'b', 'x'), (7, 3, 'b', 'y'),"
        " (8, 3, 'b', 'z')"
    )
    first = at_first_revision(pg, case, tmp_path, rows)
    root, db, url = first.root, first.db, first.url
    failure = failed_migration(root, url)
    error = str(failure)
    assert (
        "cannot add unique uq_products_sku to products: rows repeat (store_id, sku)"
    ) in error, error
    assert "then run the same alembic command again" in error
    assert listed_ids(pg, db, error) == "1,2,6,7,8"
    assert isinstance(failure.orig, psycopg.errors.UniqueViolation)
    # the old constraint still holds meanwhile
    duplicate = "INSERT INTO products VALUES (100, 1, 'a', 'x')"
    assert refused(url, duplicate, psycopg.errors.UniqueViolation)
    pg.sql("DELETE FROM products WHERE id IN (2, 7, 8)", db)
    alembic(root, url, "upgrade", "head")
    assert_matches_models(pg, db, first.models_after, [], "upgrade")
    assert uniques(pg, db) == "uq_products_sku UNIQUE (store_id, sku)"
