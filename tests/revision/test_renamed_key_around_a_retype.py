"""A foreign key renamed and changed while a column it names changes type, on
tables holding rows, is never missing at a revision boundary, up or down.

Measured first (PostgreSQL 15): fk_products_store becoming fk_products_shop with
ON DELETE CASCADE while both its sides go integer -> bigint was dropped in the
_drops revision and added (NOT VALID, then VALIDATE) in the _online revision, so
after upgrade 001 and 002 (and downgrade 002 and 001) a second session's orphan
was accepted: only a key of one name was kept in the transaction. The old and
the new key are paired by what they are (the same columns referencing the same
columns), as a changed key under one name is
(tests/revision/test_retyped_constraint_swap.py): dropped before the ALTER and
added after it in the one transaction.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
from migration_harness import (
    Case,
    alembic,
    assert_matches_models,
    generate,
    revisions,
    schemagen,
    scratch_database,
)
from pgcluster import PgCluster

BEFORE = """\
database: {name: renamed}
entities:
  Store:
    columns:
      id: {type: integer, primary_key: true}
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {type: integer, nullable: true}
    foreign_keys:
      fk_products_store: {columns: [store_id], references: Store}
"""
AFTER = """\
database: {name: renamed}
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {type: bigint, nullable: true}
    foreign_keys:
      fk_products_shop: {columns: [store_id], references: Store, on_delete: cascade}
"""
ORPHAN = "INSERT INTO products VALUES (100, 99)"


def _orphan_accepted(url: str) -> bool:
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        try:
            conn.execute(ORPHAN)
        except psycopg.errors.ForeignKeyViolation:
            return False
        finally:
            conn.rollback()
    return True


def _keys(pg: PgCluster, db: str) -> str:
    return pg.sql(
        "SELECT string_agg(conname || ' ' || convalidated || ' ' || pg_get_constraintdef(oid), "
        "', ' ORDER BY conname) FROM pg_constraint WHERE conrelid = 'products'::regclass "
        "AND contype = 'f'",
        db,
    ).strip()


def test_a_renamed_and_changed_key_over_a_retyped_column_is_never_missing(
    pg: PgCluster, tmp_path: Path
) -> None:
    case = Case("renamed", {"s.yaml": BEFORE}, {"s.yaml": AFTER}, destructive=False)
    root = tmp_path / "project"
    models_before, models_after = generate(case, root)
    db = scratch_database(pg, "mig")
    url = pg.url(db)
    alembic(root, url, "upgrade", "000")
    pg.sql("INSERT INTO stores VALUES (1), (2); "
           "INSERT INTO products VALUES (1, 1), (2, NULL), (3, 1), (4, 2)", db)
    heads = [p.name.split("_", 1)[0] for p in revisions(root)]
    assert heads == ["000", "001"], heads  # one transaction, no revision before or after
    accepted = []
    for rev in heads[1:]:
        alembic(root, url, "upgrade", rev)
        accepted += [f"upgrade {rev}"] if _orphan_accepted(url) else []
    assert accepted == [], accepted
    assert _keys(pg, db) == (
        "fk_products_shop true FOREIGN KEY (store_id) REFERENCES stores(id) ON DELETE CASCADE"
    )
    assert_matches_models(pg, db, models_after, [], "upgrade")
    out = schemagen(root, "check", "--database", url)
    assert out.startswith("check OK"), out
    pg.sql("DELETE FROM stores WHERE id = 2", db)
    assert pg.sql("SELECT string_agg(id::text, ',' ORDER BY id) FROM products", db).strip() \
        == "1,2,3"
    for rev in reversed(heads[:-1]):
        alembic(root, url, "downgrade", rev)
        accepted += [f"downgrade {rev}"] if _orphan_accepted(url) else []
    assert accepted == [], accepted
    assert _keys(pg, db) == "fk_products_store true FOREIGN KEY (store_id) REFERENCES stores(id)"
    assert_matches_models(pg, db, models_before, [], "downgrade")
