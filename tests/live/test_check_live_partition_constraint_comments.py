"""A comment on a partition's constraint (``COMMENT ON CONSTRAINT ... ON partition``:
its copy of its table's key or unique, or a check made on it alone) or on a
materialized view's index (``COMMENT ON INDEX``) is drift: the language declares
neither, so each made by hand is an extra with the statement that removes it, named
with its PostgreSQL schema and quoted so that it runs as printed. Read in the tables
and views queries check makes anyway. Before, check read neither and passed."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from live_check import hint_statement, run_as_printed
from migration_harness import by_hand, json_findings, migrated_database
from pgcluster import PgCluster
from schemagen.cli import main as schemagen_main

SCHEMA = """
database: {name: partcom}
entities:
  Move:
    schema: billing
    table: StockMoves
    primary_key: [id, day]
    columns:
      id: {type: bigint, primary_key: true}
      day: {type: date, primary_key: true}
      sku: {type: string, length: 12}
      qty: {type: integer, nullable: true}
    unique:
      UQ_Move_Sku: [sku, day]
    partition_by: {range: [day]}
    partitions:
      Moves_2025: {from: 2025-01-01, to: 2026-01-01}
      moves_2026: {from: 2026-01-01, to: 2027-01-01}
views:
  SkuTotals:
    schema: billing
    view: SkuTotals
    materialized: true
    sql: SELECT sku, sum(qty) AS qty FROM billing."StockMoves" GROUP BY sku
    columns: {sku: {type: string, length: 12}, qty: {type: bigint}}
    indexes:
      UX_Sku_Totals: {columns: [sku], unique: true, description: Docs only.}
"""
#: quantities skewed to 1 with NULLs, most moves in 2025
ROWS = """
INSERT INTO billing."StockMoves" SELECT g, date '2025-01-01' + (g % 500), 's' || g,
  CASE WHEN g % 4 = 0 THEN NULL WHEN g % 7 = 0 THEN g % 9 ELSE 1 END
FROM generate_series(1, 3000) g;
REFRESH MATERIALIZED VIEW billing."SkuTotals";
"""
COUNTS = 'SELECT count(*), count(qty), count(DISTINCT sku) FROM billing."StockMoves"'
EXTRA = "in the database but not in the schema: "
MADE = "made on partition {} of billing.StockMoves alone: "
NO_CONSTRAINT = "the schema describes no constraint: "

#: each comment made by hand, and the finding it makes: (object, message, hint)
BY_HAND = {
    # the partition's copy of its table's key, and of its unique
    "COMMENT ON CONSTRAINT \"Moves_2025_pkey\" ON billing.\"Moves_2025\" IS 'it''s a copy'": (
        "comment on constraint Moves_2025_pkey on billing.Moves_2025",
        EXTRA + MADE.format("billing.Moves_2025") + "'it''s a copy'",
        NO_CONSTRAINT + '`COMMENT ON CONSTRAINT "Moves_2025_pkey" ON billing."Moves_2025" IS NULL`',
    ),
    "COMMENT ON CONSTRAINT moves_2026_sku_day_key ON billing.moves_2026 IS 'skus'": (
        "comment on constraint moves_2026_sku_day_key on billing.moves_2026",
        EXTRA + MADE.format("billing.moves_2026") + "'skus'",
        NO_CONSTRAINT
        + "`COMMENT ON CONSTRAINT moves_2026_sku_day_key ON billing.moves_2026 IS NULL`",
    ),
    # a materialized view's index, though its description is declared (the docs')
    "COMMENT ON INDEX billing.\"UX_Sku_Totals\" IS 'one per sku'": (
        "comment on index UX_Sku_Totals on billing.SkuTotals",
        EXTRA + "'one per sku'",
        "the schema describes no index in the database (a description is for the docs): "
        '`COMMENT ON INDEX billing."UX_Sku_Totals" IS NULL`',
    ),
}


def _check(root: Path, url: str) -> list[str]:
    """The text report's lines, after asserting that check exits 1."""
    result = CliRunner().invoke(
        schemagen_main, ["check", "--project", str(root), "--database", url]
    )
    assert result.exit_code == 1, result.output
    return result.output.splitlines()


def test_comments_on_partition_constraints_and_view_indexes_are_drift(
    pg: PgCluster, tmp_path: Path
) -> None:
    """At head: clean. A comment on a partition's copy of the key and of the unique, and
    on a materialized view's index: exactly those three, text and JSON, exit 1; each hint
    run as printed: clean again, the rows untouched."""
    root, name = migrated_database(pg, tmp_path, "partcom", SCHEMA, ROWS)
    url = pg.url(name)
    assert json_findings(root, url) == []
    counts = pg.sql(COUNTS, name).strip()
    by_hand(pg, name, BY_HAND)
    findings = json_findings(root, url)
    assert sorted((f["object"], f["message"], f["hint"]) for f in findings) == sorted(
        BY_HAND.values()
    ), findings
    lines = _check(root, url)
    for finding in findings:  # the text report prints each, and it runs as printed
        assert f"  -> {finding['hint']}" in lines, lines
        run_as_printed(pg, name, hint_statement(finding["hint"]))
    assert json_findings(root, url) == []
    assert pg.sql(COUNTS, name).strip() == counts


def test_a_comment_on_a_partition_s_own_check_is_drift_apart(pg: PgCluster, tmp_path: Path) -> None:
    """A check made on one partition alone, with a comment: the check and its comment
    each reported once; the hints run in the order printed leave the database clean."""
    root, name = migrated_database(pg, tmp_path, "partcheck", SCHEMA, ROWS)
    url = pg.url(name)
    pg.sql(
        'ALTER TABLE billing."Moves_2025" ADD CONSTRAINT "Qty_Small" CHECK (qty < 100); '
        'COMMENT ON CONSTRAINT "Qty_Small" ON billing."Moves_2025" IS \'under 100\'',
        name,
    )
    findings = json_findings(root, url)
    objects = sorted(f["object"] for f in findings)
    assert objects == sorted(
        [
            "check Qty_Small on billing.Moves_2025",
            "comment on constraint Qty_Small on billing.Moves_2025",
        ]
    ), findings
    comment = next(f for f in findings if f["object"].startswith("comment"))
    assert comment["hint"] == (
        NO_CONSTRAINT + '`COMMENT ON CONSTRAINT "Qty_Small" ON billing."Moves_2025" IS NULL`'
    )
    lines = [line.partition(":")[0] for line in _check(root, url)]
    # printed before the check, whose DROP would leave no comment to remove
    comment_at = lines.index("  comment on constraint Qty_Small on billing.Moves_2025")
    assert comment_at < lines.index("  check Qty_Small on billing.Moves_2025"), lines
    for finding in findings:  # in the order printed: the comment's before the DROP
        run_as_printed(pg, name, hint_statement(finding["hint"]))
    assert json_findings(root, url) == []
