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
    scratch_database,
)
from pgcluster import PgCluster
from revision_steps import (
    assert_downgraded_never_missing,
    assert_upgraded_never_missing,
    at_first_revision,
    refused,
)

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


def _orphans(url: str) -> list[str]:
    """:data:`ORPHAN` if a second session could write it (rolled back)."""
    return [] if refused(url, ORPHAN, psycopg.errors.ForeignKeyViolation) else ["orphan"]


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
    rows = ("INSERT INTO stores VALUES (1), (2); "
            "INSERT INTO products VALUES (1, 1), (2, NULL), (3, 1), (4, 2)")
    first = at_first_revision(pg, case, tmp_path, rows)
    db, url, heads = first.db, first.url, first.heads
    assert heads == ["000", "001"], heads  # one transaction, no revision before or after
    assert_upgraded_never_missing(pg, first, lambda: _orphans(url))
    assert _keys(pg, db) == (
        "fk_products_shop true FOREIGN KEY (store_id) REFERENCES stores(id) ON DELETE CASCADE"
    )
    pg.sql("DELETE FROM stores WHERE id = 2", db)
    assert pg.sql("SELECT string_agg(id::text, ',' ORDER BY id) FROM products", db).strip() \
        == "1,2,3"
    assert_downgraded_never_missing(pg, first, lambda: _orphans(url))
    assert _keys(pg, db) == "fk_products_store true FOREIGN KEY (store_id) REFERENCES stores(id)"


UUID_BEFORE = """\
database: {name: renamed}
entities:
  Tenant:
    columns:
      id: {type: string, length: 36, primary_key: true}
  Site:
    columns:
      id: {type: bigint, primary_key: true}
      tenant_id: {type: string, length: 36, nullable: true}
    foreign_keys:
      fk_sites_tenant: {columns: [tenant_id], references: Tenant}
"""
UUID_AFTER = """\
database: {name: renamed}
entities:
  Tenant:
    columns:
      id: {type: uuid, primary_key: true, using: "id::uuid"}
  Site:
    columns:
      id: {type: bigint, primary_key: true}
      tenant_id: {type: uuid, nullable: true, using: "tenant_id::uuid"}
    foreign_keys:
      fk_sites_owner: {columns: [tenant_id], references: Tenant}
"""
A, MISSING = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "d0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"


def test_a_key_only_renamed_while_both_sides_change_to_types_that_do_not_compare(
    pg: PgCluster, tmp_path: Path
) -> None:
    """Renamed in place, the key stayed through the ALTERs and the first failed
    ('foreign key constraint "fk_sites_owner" cannot be implemented': text and uuid
    do not compare). As an unchanged key there, it is dropped under its old name
    before the ALTERs and added under its new one after them, in the transaction."""
    case = Case("uuid", {"s.yaml": UUID_BEFORE}, {"s.yaml": UUID_AFTER}, destructive=False)
    root = tmp_path / "project"
    models_before, models_after = generate(case, root)
    assert [p.name for p in revisions(root)][1:] == ["001_after.py"]
    db = scratch_database(pg, "mig")
    url = pg.url(db)
    alembic(root, url, "upgrade", "000")
    pg.sql(f"INSERT INTO tenants VALUES ('{A}'); "
           f"INSERT INTO sites VALUES (1, '{A}'), (2, NULL), (3, '{A}')", db)
    orphan = f"INSERT INTO sites VALUES (9, '{MISSING}')"

    def accepted() -> bool:
        with psycopg.connect(url.replace("+psycopg", "")) as conn:
            try:
                conn.execute(orphan)
            except psycopg.errors.ForeignKeyViolation:
                return False
            finally:
                conn.rollback()
        return True

    alembic(root, url, "upgrade", "head")
    assert not accepted()
    assert_matches_models(pg, db, models_after, [], "upgrade")
    alembic(root, url, "downgrade", "000")
    assert not accepted()
    assert_matches_models(pg, db, models_before, [], "downgrade")
    assert pg.sql("SELECT count(*) FROM sites", db).strip() == "3"
