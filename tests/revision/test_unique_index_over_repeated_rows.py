"""A new unique index (indexes: {unique: true}) over rows that repeat its keys
fails with the index named and a query that lists the rows, as a new unique
constraint does, not PostgreSQL's "could not create unique index" (one key
value): built CONCURRENTLY on a table holding rows, the search runs before the
build, so no INVALID index is left; built in the transaction (concurrently:
false), the transaction rolls back. Expression keys and a partial index's WHERE
are searched as the index compares them: rows outside the WHERE, or holding NULL
in a key, repeat none."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import Case, alembic, assert_matches_models
from pgcluster import PgCluster
from revision_steps import at_first_revision, failed_migration, listed_ids

BEFORE = """\
database: {name: indexed}
entities:
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {type: bigint}
      sku: {type: text, nullable: true}
      deleted: {type: boolean, default: false}
"""
AFTER = (
    BEFORE
    + """\
    indexes:
      ux_products_store_sku:
        columns: [store_id, {expression: "lower(sku)"}]
        unique: true
        where: NOT deleted
CONCURRENTLY"""
)
#: lower(sku) 'a' twice in store 1 among live rows (ids 1 and 2); NULL skus; a
#: deleted row repeating it (outside the WHERE); store 2's 'a'
ROWS = (
    "INSERT INTO products VALUES (1, 1, 'a', false), (2, 1, 'A', false), (3, 1, NULL, false), "
    "(4, 1, NULL, false), (5, 1, 'a', true), (6, 2, 'a', false)"
)
MESSAGE = (
    "cannot build unique index ux_products_store_sku on products: rows repeat "
    "(store_id, lower(sku))"
)


def _invalid(pg: PgCluster, db: str) -> str:
    return pg.sql("SELECT count(*) FROM pg_index WHERE NOT indisvalid", db).strip()


@pytest.mark.parametrize("online", [True, False], ids=["concurrently", "in_the_transaction"])
def test_repeated_rows_name_the_unique_index_and_a_query(
    pg: PgCluster, tmp_path: Path, online: bool
) -> None:
    after = AFTER.replace("CONCURRENTLY", "" if online else "        concurrently: false\n")
    case = Case("indexed", {"s.yaml": BEFORE}, {"s.yaml": after}, destructive=False)
    first = at_first_revision(pg, case, tmp_path, ROWS)
    root, db, url = first.root, first.db, first.url
    error = str(failed_migration(root, url))
    assert MESSAGE in error, error
    assert "could not create unique index" not in error
    assert listed_ids(pg, db, error) == "1,2"
    assert _invalid(pg, db) == "0"
    assert pg.sql("SELECT to_regclass('ux_products_store_sku') IS NULL", db).strip() == "t"
    pg.sql("UPDATE products SET deleted = true WHERE id = 2", db)
    alembic(root, url, "upgrade", "head")
    assert_matches_models(pg, db, first.models_after, [], "upgrade")
    alembic(root, url, "downgrade", first.heads[0])
    assert_matches_models(pg, db, first.models_before, [], "downgrade")
