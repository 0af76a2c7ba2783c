"""A foreign key whose only change is its deferrability is altered in place with
``ALTER CONSTRAINT``: the same constraint (its OID kept), never dropped, never
``NOT VALID``, never validated again (no scan of either table), in the main
transaction; the downgrade alters it back. A second session's orphan is refused
after every revision, up and down."""

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

_SCHEMA = """\
database: {{name: deferral}}
entities:
  Store:
    columns:
      id: {{type: bigint, primary_key: true}}
  Product:
    columns:
      id: {{type: bigint, primary_key: true}}
      store_id: {{references: Store, nullable: true{store}}}
      parent_id: {{references: Product, nullable: true{parent}}}
"""
BEFORE = _SCHEMA.format(store="", parent=", initially_deferred: true")
AFTER = _SCHEMA.format(store=", initially_deferred: true", parent=", deferrable: true")
ORPHAN = "INSERT INTO products VALUES (100, 99, NULL)"
KEYS = (
    "SELECT string_agg(conname || ' ' || oid || ' ' || condeferrable || condeferred || "
    "convalidated, ', ' ORDER BY conname) FROM pg_constraint WHERE contype = 'f'"
)


def _refused(url: str, insert: str) -> bool:
    """Whether a second session's ``insert`` is refused as a foreign-key violation,
    at the latest when its transaction commits."""
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        try:
            conn.execute(insert)
            conn.commit()
        except psycopg.errors.ForeignKeyViolation:
            return True
        conn.execute("DELETE FROM products WHERE id = 100")
        conn.commit()
    return False


def test_a_key_that_only_changes_its_deferrability_is_altered_in_place(
    pg: PgCluster, tmp_path: Path
) -> None:
    case = Case("fk_deferral", {"s.yaml": BEFORE}, {"s.yaml": AFTER}, destructive=False)
    root = tmp_path / "project"
    models_before, models_after = generate(case, root)
    # one transactional revision: no drops revision, no online one
    assert [p.name for p in revisions(root)][1:] == ["001_after.py"]
    text = revisions(root)[1].read_text()
    assert "DROP CONSTRAINT" not in text and "VALIDATE" not in text, text
    db = scratch_database(pg, "mig")
    url = pg.url(db)
    alembic(root, url, "upgrade", "000")
    pg.sql("INSERT INTO stores VALUES (1); INSERT INTO products VALUES (1, 1, NULL), "
           "(2, NULL, 1), (3, 1, 1), (4, NULL, NULL)", db)
    oids = {
        name: oid
        for name, oid, _ in (k.split(" ") for k in pg.sql(KEYS, db).strip().split(", "))
    }
    assert not _refused(url, ORPHAN.replace("99", "1"))  # the harness's own check
    alembic(root, url, "upgrade", "head")
    assert _refused(url, ORPHAN)
    assert pg.sql(KEYS, db).strip() == (
        f"fk_products_parent_id_products {oids['fk_products_parent_id_products']} truefalsetrue, "
        f"fk_products_store_id_stores {oids['fk_products_store_id_stores']} truetruetrue"
    )
    # INITIALLY DEFERRED: a row before the store it names, in one transaction
    pg.sql("BEGIN; INSERT INTO products VALUES (5, 2, NULL); INSERT INTO stores VALUES (2); "
           "COMMIT", db)
    assert_matches_models(pg, db, models_after, [], "upgrade")
    out = schemagen(root, "check", "--database", url)
    assert out.startswith("check OK"), out
    alembic(root, url, "downgrade", "000")
    assert _refused(url, ORPHAN)
    assert pg.sql(KEYS, db).strip() == (
        f"fk_products_parent_id_products {oids['fk_products_parent_id_products']} truetruetrue, "
        f"fk_products_store_id_stores {oids['fk_products_store_id_stores']} falsefalsetrue"
    )
    assert_matches_models(pg, db, models_before, [], "downgrade")
    assert pg.sql("SELECT count(*) FROM products", db).strip() == "5"
