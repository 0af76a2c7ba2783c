"""A type change whose ``using:`` reads another column retyped beside it keeps the
values it had as its own statement. In one ALTER TABLE every USING reads the old
values of all columns (PostgreSQL 15): amount_cents' ``(amount::numeric * 100)::bigint``
read '12.5' (1250) where, run after amount's own statement, it read amount already
rounded to 13 (1300). So such a column starts a statement of its own after the
columns it reads; the others are still joined (RetypeColumns).

The reference is the old separate statements, in order, run by hand on a copy of the
table holding the same rows (NULLs, repeats); the rows must match it after the
upgrade and again after the downgrade."""

from __future__ import annotations

from pathlib import Path

from migration_harness import alembic, revisions, schemagen, write_schema
from pgcluster import PgCluster

BEFORE = """
database: {name: cents}
entities:
  Payment:
    columns:
      id: {type: bigint, primary_key: true}
      qty: {type: text, nullable: true}
      amount: {type: text, nullable: true}
      amount_cents: {type: text, nullable: true}
"""

AFTER = (
    BEFORE.replace("qty: {type: text", 'qty: {type: integer, using: "qty::integer"')
    .replace(
        "amount: {type: text",
        'amount: {type: integer, using: "round(amount::numeric)::integer"',
    )
    .replace(
        "amount_cents: {type: text",
        'amount_cents: {type: bigint, using: "(amount::numeric * 100)::bigint"',
    )
)

ROWS = """
INSERT INTO payments (id, qty, amount, amount_cents)
SELECT i, (i % 3)::text,
       CASE WHEN i % 5 = 0 THEN NULL WHEN i % 10 < 7 THEN '12.5' ELSE (i % 4) || '.45' END,
       CASE WHEN i % 7 = 0 THEN NULL ELSE 'stale' END
FROM generate_series(1, 300) i
"""

#: The old plan by hand: one statement per column, in the plan's order.
SEPARATE = """
CREATE TABLE expected AS SELECT * FROM payments;
ALTER TABLE expected ALTER COLUMN qty TYPE integer USING qty::integer;
ALTER TABLE expected ALTER COLUMN amount TYPE integer USING round(amount::numeric)::integer;
ALTER TABLE expected ALTER COLUMN amount_cents TYPE bigint
  USING (amount::numeric * 100)::bigint
"""
BACK = """
ALTER TABLE expected ALTER COLUMN amount_cents TYPE text;
ALTER TABLE expected ALTER COLUMN amount TYPE text;
ALTER TABLE expected ALTER COLUMN qty TYPE text
"""


def _rows(pg: PgCluster, db: str, table: str) -> str:
    return pg.sql(
        f"SELECT count(*) || ' ' || count(amount_cents) || ' ' || md5(string_agg("
        f"id || ':' || coalesce(qty::text, '-') || ':' || coalesce(amount::text, '-') || ':' "
        f"|| coalesce(amount_cents::text, '-') || ':' || pg_typeof(amount_cents), ',' "
        f"ORDER BY id)) FROM {table}",
        db,
    ).strip()


def test_a_using_that_reads_a_retyped_sibling_sees_it_converted(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    root = tmp_path / "p"
    url = pg.url(pg_db)
    write_schema(root, {"s.yaml": BEFORE})
    schemagen(root, "migrate", "-m", "initial")
    alembic(root, url, "upgrade", "head")
    pg.sql(ROWS, pg_db)
    pg.sql(SEPARATE, pg_db)
    write_schema(root, {"s.yaml": AFTER})
    schemagen(root, "migrate", "-m", "cents")
    alembic(root, url, "upgrade", "head")
    assert _rows(pg, pg_db, "payments") == _rows(pg, pg_db, "expected")
    # qty and amount still in one statement; amount_cents in its own, after it
    upgrade = revisions(root)[-1].read_text(encoding="utf-8").split("def downgrade")[0]
    joined = (
        '"ALTER TABLE payments ALTER COLUMN qty TYPE integer USING qty::integer, "\n'
        '            "ALTER COLUMN amount TYPE integer USING round(amount::numeric)::integer"'
    )
    assert joined in upgrade
    assert upgrade.index(joined) < upgrade.index('"amount_cents",\n        type_=sa.BigInteger()')
    sums = "SELECT sum(amount_cents) || ' ' || count(DISTINCT amount_cents) FROM payments"
    expected_sums = sums.replace("FROM payments", "FROM expected")
    assert pg.sql(sums, pg_db) == pg.sql(expected_sums, pg_db)
    alembic(root, url, "downgrade", "-1")
    pg.sql(BACK, pg_db)
    assert _rows(pg, pg_db, "payments") == _rows(pg, pg_db, "expected")
