"""A foreign key or check that changes while a column it names changes type, on
tables holding rows, is never missing at a revision boundary, up or down.

Measured first (PostgreSQL 15): such a key or check was dropped in the _drops
revision and added (NOT VALID, then VALIDATE) in the _online revision, two
revisions later, so after upgrade 001 and 002 (and downgrade 002 and 001) a
second session's orphan, negative price and empty code were all accepted. A key
or check that does not change keeps no gap: ALTER COLUMN TYPE rebuilds it in its
transaction (checking it again where the type is not binary compatible).
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
)

BEFORE = """\
database: {name: retyped}
entities:
  Store:
    columns:
      id: {type: integer, primary_key: true}
      code: {type: string, length: 10}
    checks:
      ck_stores_code: "length(code) > 0"
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {references: Store, type: integer, nullable: true}
      price: {type: integer, nullable: true}
    checks:
      ck_products_price: "price >= 0"
"""
AFTER = """\
database: {name: retyped}
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      code: {type: string, length: 20}
    checks:
      ck_stores_code: "length(code) > 0 AND code <> 'x'"
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {references: Store, type: bigint, nullable: true, on_delete: cascade}
      price: {type: bigint, nullable: true}
    checks:
      ck_products_price: "price >= 0 AND price < 1000000"
"""
#: (what, a row that breaks the constraint before and after the change)
BREAKING = (
    ("orphan", "INSERT INTO products VALUES (100, 99, 1)"),
    ("negative price", "INSERT INTO products VALUES (101, 1, -1)"),
    ("empty code", "INSERT INTO stores VALUES (102, '')"),
)


def _accepted(url: str) -> list[str]:
    """The rows of :data:`BREAKING` a second session could insert (rolled back)."""
    found = []
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        for what, sql in BREAKING:
            try:
                conn.execute(sql)
                found.append(what)
            except (psycopg.errors.ForeignKeyViolation, psycopg.errors.CheckViolation):
                pass
            conn.rollback()
    return found


def test_a_changed_key_or_check_over_a_retyped_column_is_never_missing(
    pg: PgCluster, tmp_path: Path
) -> None:
    case = Case("retyped", {"s.yaml": BEFORE}, {"s.yaml": AFTER}, destructive=False)
    rows = ("INSERT INTO stores VALUES (1, 'a'), (2, 'b'); "
            "INSERT INTO products VALUES (1, 1, 5), (2, NULL, NULL), (3, 1, 5), (4, 2, NULL)")
    first = at_first_revision(pg, case, tmp_path, rows)
    db, url = first.db, first.url
    assert_upgraded_never_missing(pg, first, lambda: _accepted(url))
    # the new rules act
    pg.sql("DELETE FROM stores WHERE id = 2", db)
    assert pg.sql("SELECT string_agg(id::text, ',' ORDER BY id) FROM products", db).strip() \
        == "1,2,3"
    assert_downgraded_never_missing(pg, first, lambda: _accepted(url))
    assert pg.sql("SELECT count(*) FROM products", db).strip() == "3"


UUID_BEFORE = """\
database: {name: retyped}
entities:
  Tenant:
    columns:
      id: {type: string, length: 36, primary_key: true}
      parent_id: {references: Tenant, nullable: true}
  Site:
    columns:
      id: {type: bigint, primary_key: true}
      tenant_id: {references: Tenant, nullable: true}
"""
UUID_AFTER = """\
database: {name: retyped}
entities:
  Tenant:
    columns:
      id: {type: uuid, primary_key: true, using: "id::uuid"}
      parent_id: {references: Tenant, nullable: true, using: "parent_id::uuid"}
  Site:
    columns:
      id: {type: bigint, primary_key: true}
      tenant_id: {references: Tenant, nullable: true, using: "tenant_id::uuid"}
"""
A, B = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
C, MISSING = "c0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "d0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"


def test_a_key_whose_both_sides_change_to_types_that_do_not_compare_is_made_again(
    pg: PgCluster, tmp_path: Path
) -> None:
    """text -> uuid on both sides of an unchanged key (another table's, and a
    self-reference): the first ALTER failed ('foreign key constraint ... cannot be
    implemented: Key columns ... are of incompatible types: text and uuid'), as
    PostgreSQL keeps a key only over types that compare. The key is dropped before
    the ALTERs and added after them, in the transaction: never missing."""
    case = Case("uuid", {"s.yaml": UUID_BEFORE}, {"s.yaml": UUID_AFTER}, destructive=False)
    root = tmp_path / "project"
    models_before, models_after = generate(case, root)
    db = scratch_database(pg, "mig")
    url = pg.url(db)
    alembic(root, url, "upgrade", "000")
    pg.sql(f"INSERT INTO tenants VALUES ('{A}', NULL), ('{B}', '{A}'); "
           f"INSERT INTO sites VALUES (1, '{A}'), (2, NULL), (3, '{A}')", db)
    orphans = [f"INSERT INTO sites VALUES (9, '{MISSING}')",
               f"INSERT INTO tenants VALUES ('{C}', '{MISSING}')"]

    def accepted() -> list[str]:
        found = []
        with psycopg.connect(url.replace("+psycopg", "")) as conn:
            for sql in orphans:
                try:
                    conn.execute(sql)
                    found.append(sql)
                except psycopg.errors.ForeignKeyViolation:
                    pass
                conn.rollback()
        return found

    assert [p.name for p in revisions(root)][1:] == ["001_after.py"]
    alembic(root, url, "upgrade", "head")
    assert accepted() == []
    assert_matches_models(pg, db, models_after, [], "upgrade")
    alembic(root, url, "downgrade", "000")
    assert accepted() == []
    assert_matches_models(pg, db, models_before, [], "downgrade")
    assert pg.sql("SELECT count(*) FROM sites", db).strip() == "3"
