"""``schemagen import`` of a partitioned table whose partitions hold column settings of
their own (``ALTER TABLE partition ALTER COLUMN c SET STATISTICS n`` / ``SET
STORAGE``). The language declares them on the table alone, and every partition, at any
depth, is made with the table's storage; so each partition's statistics target, and
its storage where it is not the table's, is listed as not expressible. Before, a
partition's storage was compared with its parent's, so a sub-partition that took its
partition's own storage (an ``ALTER TABLE`` of the partition recurses) was not listed
though the adopted project makes it with the table's, and ``check --database`` on the
source then reported it. Import and check now agree."""

from __future__ import annotations

from pathlib import Path

from adopt_harness import new_project, not_expressible, source_database, stamp, written_schema
from migration_harness import json_findings, schemagen
from pgcluster import PgCluster

#: ledger by range of id, ledger_high again by list of kind, 3,000 rows (skewed kinds,
#: NULL and repeated notes); the table's memo EXTERNAL (written as storage:), and of
#: their own: ledger_mid's note statistics, ledger_high's memo EXTENDED (which its two
#: sub-partitions take), ledger_high_a's note MAIN and kind statistics 0.
SOURCE = """
CREATE TABLE ledger (
    id bigint NOT NULL,
    kind varchar(8) NOT NULL,
    note text,
    memo text,
    CONSTRAINT pk_ledger PRIMARY KEY (id, kind)
) PARTITION BY RANGE (id);
ALTER TABLE ledger ALTER COLUMN memo SET STORAGE EXTERNAL;
CREATE TABLE ledger_low PARTITION OF ledger FOR VALUES FROM (MINVALUE) TO (1000);
CREATE TABLE ledger_mid PARTITION OF ledger FOR VALUES FROM (1000) TO (2000);
CREATE TABLE ledger_high PARTITION OF ledger FOR VALUES FROM (2000) TO (MAXVALUE)
    PARTITION BY LIST (kind);
CREATE TABLE ledger_high_a PARTITION OF ledger_high FOR VALUES IN ('a');
CREATE TABLE ledger_high_rest PARTITION OF ledger_high DEFAULT;
ALTER TABLE ledger_mid ALTER COLUMN note SET STATISTICS 500;
ALTER TABLE ledger_high ALTER COLUMN memo SET STORAGE EXTENDED;
ALTER TABLE ledger_high_a ALTER COLUMN note SET STORAGE MAIN,
    ALTER COLUMN kind SET STATISTICS 0;
INSERT INTO ledger SELECT g, (ARRAY['a', 'a', 'a', 'c', 'x'])[g % 5 + 1],
    CASE WHEN g % 4 = 0 THEN NULL ELSE 'n' || g % 3 END, repeat('m', g % 7)
FROM generate_series(1, 3000) g;
"""

LISTED = {
    "ledger_high.memo": "SET STORAGE EXTENDED",
    "ledger_high_a.kind": "SET STATISTICS 0",
    "ledger_high_a.memo": "SET STORAGE EXTENDED",
    "ledger_high_a.note": "SET STORAGE MAIN",
    "ledger_high_rest.memo": "SET STORAGE EXTENDED",
    "ledger_mid.note": "SET STATISTICS 500",
}
COUNTS = "SELECT count(*), count(note), sum(length(memo)) FROM ledger"


def test_a_partition_s_own_column_settings_are_listed_as_check_reports_them(
    pg: PgCluster, tmp_path: Path
) -> None:
    """import lists the six settings the partitions hold otherwise than the table
    declares (the sub-partitions' memo among them) and writes nothing; --allow-partial
    writes the table's storage: external; check --database on the source at head
    reports exactly those six columns, rows kept."""
    with source_database(pg, "partcolset", SOURCE) as source:
        url = pg.url(source)
        counts = pg.sql(COUNTS, source).strip()
        root = new_project(tmp_path / "p")
        out = schemagen(root, "import", "--database", url, expect_exit=1)
        assert not_expressible(out) == [
            f"not expressible: options of column {column}: {options}, on partition "
            f"{column.split('.')[0]} of ledger (the language says a column's settings of a "
            "table, not of its partitions)"
            for column, options in LISTED.items()
        ], out
        assert not list((root / "schema").rglob("*.yaml"))
        schemagen(root, "import", "--allow-partial", "--database", url)
        schemagen(root, "validate")
        assert "      memo: {type: text, nullable: true, storage: external}\n" in (
            written_schema(root)
        )
        schemagen(root, "build")
        schemagen(root, "migrate", "-m", "initial")
        stamp(root, url)
        findings = json_findings(root, url)
        assert sorted(f["object"] for f in findings) == [f"column {c}" for c in LISTED], findings
        assert pg.sql(COUNTS, source).strip() == counts
