"""A table whose several columns change type is rewritten once, up and down: corpus
147's bookings (both columns of its composite key to units change width: integer ->
bigint and integer -> smallint) and stores (its key widened under orders.store_id,
its region_id narrowed) each get one ALTER TABLE with both ALTER COLUMN ... TYPE
clauses (RetypeColumns), so PostgreSQL rewrites the table and makes its foreign
keys again, checking their rows under ACCESS EXCLUSIVE on both tables, once, not
once per column (measured on PostgreSQL in tests/operations/test_costs.py). The
rewrites are counted by an event trigger on ``table_rewrite``, on tables holding
rows with NULLs, repeats and skew; the rows and keys are kept."""

from __future__ import annotations

from pathlib import Path

from migration_harness import alembic, load_case
from pgcluster import PgCluster
from revision_steps import at_first_revision

CASE = Path(__file__).resolve().parents[1] / "corpus" / "147_fk_integer_widths"

#: Beside the case's own rows: 2,000 bookings, most on one unit, every fifth unit_no
#: NULL, the rest spread over four units; 600 stores, a third without a region.
ROWS = """
INSERT INTO units (property_id, unit_no) SELECT 7, n FROM generate_series(2, 5) n;
INSERT INTO bookings (id, property_id, unit_no)
  SELECT i, 7, CASE WHEN i % 5 = 0 THEN NULL WHEN i % 10 < 8 THEN 1 ELSE 2 + i % 4 END
  FROM generate_series(100, 2099) i;
INSERT INTO stores (id, region_id, name)
  SELECT i, CASE WHEN i % 3 = 0 THEN NULL ELSE 1 + i % 2 * 2 END, 'bulk'
  FROM generate_series(1000, 1599) i;
"""

LOG = """
CREATE SCHEMA audit;
CREATE TABLE audit.rewrites (tbl text);
CREATE FUNCTION audit.log_rewrite() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit.rewrites VALUES (pg_event_trigger_table_rewrite_oid()::regclass::text);
END $$;
CREATE EVENT TRIGGER log_rewrite ON table_rewrite EXECUTE FUNCTION audit.log_rewrite();
"""

CONTENTS = (
    "SELECT (SELECT count(*) || ' ' || count(unit_no) || ' ' || md5(string_agg("
    "id || ':' || property_id || ':' || coalesce(unit_no::text, '-'), ',' ORDER BY id)) "
    "FROM bookings) || ' ' || (SELECT count(*) || ' ' || count(region_id) || ' ' || "
    "md5(string_agg(id || ':' || coalesce(region_id::text, '-'), ',' ORDER BY id)) FROM stores)"
)
KEYS = (
    "SELECT string_agg(conname || ' ' || convalidated, ', ' ORDER BY conname) FROM pg_constraint "
    "WHERE conname IN ('fk_bookings_unit', 'fk_stores_region_id_regions', "
    "'fk_orders_store_id_stores')"
)


def _rewrites(pg: PgCluster, db: str) -> str:
    found = pg.sql(
        "SELECT string_agg(tbl || ' ' || n, ', ' ORDER BY tbl) FROM "
        "(SELECT tbl, count(*) AS n FROM audit.rewrites GROUP BY tbl) t; "
        "TRUNCATE audit.rewrites",
        db,
    )
    return found.strip()


def test_a_table_s_type_changes_rewrite_it_once_each_way(pg: PgCluster, tmp_path: Path) -> None:
    case = load_case(CASE)
    first = at_first_revision(pg, case, tmp_path, ";\n".join([*case.setup, ROWS]))
    db, url = first.db, first.url
    before = pg.sql(CONTENTS, db)
    pg.sql(LOG, db)
    try:
        alembic(first.root, url, "upgrade", "head")
        assert _rewrites(pg, db) == "bookings 1, shipments 1, stores 1"
        assert pg.sql(CONTENTS, db) == before
        keys = (
            "fk_bookings_unit true, fk_orders_store_id_stores true, "
            "fk_stores_region_id_regions true"
        )
        assert pg.sql(KEYS, db).strip() == keys
        alembic(first.root, url, "downgrade", "000")
        assert _rewrites(pg, db) == "bookings 1, shipments 1, stores 1"
        assert pg.sql(CONTENTS, db) == before
        assert pg.sql(KEYS, db).strip() == keys
    finally:
        pg.sql("DROP EVENT TRIGGER IF EXISTS log_rewrite; DROP SCHEMA IF EXISTS audit CASCADE", db)
