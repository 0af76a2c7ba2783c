"""``check --database`` on what a partition has of its own: a REPLICA IDENTITY, a
statistics target or a storage set by hand on one partition rather than on its
declared table. The language declares them on the table alone (a partitioned
table's identity and statistics target not at all), so a partition that differs
is drift: CDC reading that partition sends other columns than the others', the
planner misjudges it, its large values are stored otherwise. Each is named by the
partition, with the partition's value, the schema's and the ``ALTER TABLE`` of the
partition that restores it; the tables query reads them (no query more)."""

from __future__ import annotations

from pathlib import Path

import pytest
from live_check import check_command, corpus_database, read_only_sessions
from migration_harness import json_findings, live_findings
from pgcluster import PgCluster

ROWS = (
    "INSERT INTO payments VALUES (1, '2024-02-01', NULL), (2, '2024-02-01', repeat('m', 3000)),"
    " (3, '2025-03-01', 'm'), (4, '2025-03-01', 'm'), (5, '2025-04-01', NULL)"
)


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    return corpus_database(pg, tmp_path, "142_column_statistics_and_storage", "partsettings", ROWS)


def test_a_partition_s_own_settings_are_drift(pg: PgCluster, db: tuple[Path, str]) -> None:
    root, name = db
    assert live_findings(root, pg.url(name)) == []
    pg.sql(
        "ALTER TABLE payments_2024 REPLICA IDENTITY FULL;"
        "ALTER TABLE payments_2025 REPLICA IDENTITY USING INDEX payments_2025_pkey;"
        "ALTER TABLE payments_2024 ALTER COLUMN memo SET STORAGE MAIN,"  # declared external
        " ALTER COLUMN memo SET STATISTICS 500,"  # the language sets none on a partition
        " ALTER COLUMN paid_on SET STATISTICS 0;"
        "ALTER TABLE payments_2025 ALTER COLUMN memo SET STORAGE EXTENDED",  # text's own
        name,
    )
    assert sorted(live_findings(root, pg.url(name))) == [
        "column payments_2024.memo: statistics target is 500 in the database, the default "
        "in the schema (partition of payments)",
        "column payments_2024.memo: storage is main in the database, external in the schema "
        "(partition of payments)",
        "column payments_2024.paid_on: statistics target is 0 in the database, the default "
        "in the schema (partition of payments)",
        "column payments_2025.memo: storage is the type's own in the database, external in "
        "the schema (partition of payments)",
        "partition payments_2024: replica identity is full in the database, default in the "
        "schema (partition of payments)",
        "partition payments_2025: replica identity is using index payments_2025_pkey in the "
        "database, default in the schema (partition of payments)",
    ]
    hints = [f["hint"] for f in json_findings(root, pg.url(name))]
    statements = [h.split("`")[1] for h in hints]
    assert sorted(statements) == [
        "ALTER TABLE public.payments_2024 ALTER COLUMN memo SET STATISTICS -1",
        "ALTER TABLE public.payments_2024 ALTER COLUMN memo SET STORAGE EXTERNAL",
        "ALTER TABLE public.payments_2024 ALTER COLUMN paid_on SET STATISTICS -1",
        "ALTER TABLE public.payments_2024 REPLICA IDENTITY DEFAULT",
        "ALTER TABLE public.payments_2025 ALTER COLUMN memo SET STORAGE EXTERNAL",
        "ALTER TABLE public.payments_2025 REPLICA IDENTITY DEFAULT",
    ]
    code, output = check_command(root, pg.url(name))
    assert code == 1, output
    with read_only_sessions(pg, name):
        assert len(live_findings(root, pg.url(name))) == 6
    pg.sql(";".join(statements), name)  # the hints run as written: clean again
    assert live_findings(root, pg.url(name)) == []
    assert pg.sql("SELECT count(*) FROM payments WHERE memo IS NULL", name).strip() == "2"


def test_storage_back_to_the_type_s_own_is_named(pg: PgCluster, db: tuple[Path, str]) -> None:
    """The hint names the type's own storage (pg_type.typstorage, read with the column)."""
    root, name = db
    pg.sql("ALTER TABLE notes ALTER COLUMN payload SET STORAGE MAIN,"
           " ALTER COLUMN note SET STORAGE EXTERNAL", name)  # fmt: skip
    hints = sorted(f["hint"] for f in json_findings(root, pg.url(name)))
    assert [h.split("`")[1] for h in hints] == [
        "ALTER TABLE public.notes ALTER COLUMN note SET STORAGE EXTENDED",
        "ALTER TABLE public.notes ALTER COLUMN payload SET STORAGE EXTENDED",
    ]
    pg.sql(";".join(h.split("`")[1] for h in hints), name)
    assert live_findings(root, pg.url(name)) == []
