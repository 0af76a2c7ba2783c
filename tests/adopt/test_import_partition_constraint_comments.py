"""``schemagen import`` of a database with a comment on a partition's constraint (its
copy of its table's key or unique, or a check made on it alone) or on a materialized
view's index: the language declares neither, so each is listed as not expressible and
nothing is written, as ``check --database`` reports each as drift
(tests/live/test_check_live_partition_constraint_comments.py). Before, import listed
none of them; a plain index's comment is now listed with its table, as a constraint
index's is."""

from __future__ import annotations

from pathlib import Path

from adopt_harness import new_project, not_expressible, source_database
from migration_harness import schemagen
from pgcluster import PgCluster

#: moves by range of day, 3,000 rows (quantities skewed to 1, NULLs), a check of its
#: own on Moves_2025, a materialized view of totals, and the comments
SOURCE = """
CREATE TABLE "StockMoves" (
    id bigint NOT NULL,
    day date NOT NULL,
    sku varchar(12) NOT NULL,
    qty integer,
    CONSTRAINT "pk_StockMoves" PRIMARY KEY (id, day),
    CONSTRAINT "UQ_Move_Sku" UNIQUE (sku, day)
) PARTITION BY RANGE (day);
CREATE TABLE "Moves_2025" PARTITION OF "StockMoves"
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE moves_2026 PARTITION OF "StockMoves"
    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
ALTER TABLE "Moves_2025" ADD CONSTRAINT "Qty_Small" CHECK (qty < 100);
CREATE INDEX ix_moves_qty ON "StockMoves" (qty);
INSERT INTO "StockMoves" SELECT g, date '2025-01-01' + (g % 500), 's' || g,
  CASE WHEN g % 4 = 0 THEN NULL WHEN g % 7 = 0 THEN g % 9 ELSE 1 END
FROM generate_series(1, 3000) g;
CREATE MATERIALIZED VIEW "SkuTotals" AS SELECT sku, sum(qty) AS qty FROM "StockMoves"
GROUP BY sku;
CREATE UNIQUE INDEX "UX_Sku_Totals" ON "SkuTotals" (sku);
COMMENT ON CONSTRAINT "Moves_2025_pkey" ON "Moves_2025" IS 'it''s a copy';
COMMENT ON CONSTRAINT moves_2026_sku_day_key ON moves_2026 IS 'skus';
COMMENT ON CONSTRAINT "Qty_Small" ON "Moves_2025" IS 'under 100';
COMMENT ON INDEX "UX_Sku_Totals" IS 'one per sku';
COMMENT ON INDEX ix_moves_qty IS 'by quantity';
"""

ALONE = "made on partition {} of StockMoves alone (the language describes no constraint): {}"


def test_comments_on_partition_constraints_and_view_indexes_are_listed(
    pg: PgCluster, tmp_path: Path
) -> None:
    """Each comment listed once, with its partition, view or table (the check itself
    too, as before), exactly those, and nothing written; --allow-partial writes the
    rest."""
    with source_database(pg, "partcomimp", SOURCE) as source:
        root = new_project(tmp_path / "p")
        out = schemagen(root, "import", "--database", pg.url(source), expect_exit=1)
        assert sorted(not_expressible(out)) == sorted(
            [
                "not expressible: comment on constraint Moves_2025_pkey on Moves_2025: "
                + ALONE.format("Moves_2025", "it's a copy"),
                "not expressible: comment on constraint moves_2026_sku_day_key on moves_2026: "
                + ALONE.format("moves_2026", "skus"),
                "not expressible: comment on constraint Qty_Small on Moves_2025: "
                + ALONE.format("Moves_2025", "under 100"),
                "not expressible: comment on index UX_Sku_Totals on SkuTotals: left out (index "
                "descriptions are docs)",
                "not expressible: comment on index ix_moves_qty on StockMoves: left out (index "
                "descriptions are docs)",
                "not expressible: check constraint Qty_Small on Moves_2025: made on partition "
                "Moves_2025 of StockMoves alone (the language declares checks on a table): "
                "CHECK ((qty < 100))",
            ]
        ), out
        assert not list((root / "schema").rglob("*.yaml"))
        schemagen(root, "import", "--database", pg.url(source), "--allow-partial")
        assert list((root / "schema").rglob("*.yaml"))
