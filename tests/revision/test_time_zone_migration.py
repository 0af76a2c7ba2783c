"""A timestamp -> timestamptz revision is the same for every deployer and cheap: it
reads the values in UTC whatever the client's TimeZone, so PostgreSQL (12+) keeps
the table's file, up and down, and the offline SQL a DBA runs says so too."""

from __future__ import annotations

from pathlib import Path

from migration_harness import (
    alembic,
    offline_sql,
    revisions,
    schemagen,
    scratch_database,
    write_schema,
)
from pgcluster import PgCluster
from schemagen.operations.typechange import IN_UTC, ZONE_RESTORED

BEFORE = """
database: {name: clinic}
entities:
  Visit:
    columns:
      id: {type: bigint, primary_key: true}
      starts_at: {type: timestamp%s, nullable: true}
"""

FILENODE = "SELECT relfilenode FROM pg_class WHERE oid = 'visits'::regclass"
ROWS = (
    "SELECT string_agg(id || ' ' || coalesce(starts_at::text, '-'), ', ' ORDER BY id) "
    "FROM visits"
)
UTC_ROWS = (
    "SELECT string_agg(id || ' ' || coalesce(to_char(starts_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD HH24:MI'), '-'), ', ' ORDER BY id) FROM visits"
)


def _project(root: Path) -> None:
    write_schema(root, {"s.yaml": BEFORE % ""})
    schemagen(root, "migrate", "-m", "before")
    write_schema(root, {"s.yaml": BEFORE % "tz"})
    schemagen(root, "migrate", "-m", "zoned")
    assert len(revisions(root)) == 2


def test_the_revision_keeps_the_file_under_a_berlin_client(pg: PgCluster, tmp_path: Path) -> None:
    root = tmp_path / "project"
    _project(root)
    docstring = revisions(root)[1].read_text(encoding="utf-8").split('"""')[1]
    assert "lock ACCESS EXCLUSIVE, no scan" in docstring, docstring
    db = scratch_database(pg, "tz_file")
    url = pg.url(db)
    alembic(root, url, "upgrade", "000", "Europe/Berlin")
    pg.sql(
        "INSERT INTO visits VALUES (1, '2024-03-31 02:30'), (2, '2024-07-01 23:30'), "
        "(3, '2024-07-01 23:30'), (4, NULL)",
        db,
    )
    node = pg.sql(FILENODE, db).strip()
    alembic(root, url, "upgrade", "head", "Europe/Berlin")
    assert pg.sql(FILENODE, db).strip() == node
    assert pg.sql(UTC_ROWS, db).strip() == (
        "1 2024-03-31 02:30, 2 2024-07-01 23:30, 3 2024-07-01 23:30, 4 -"
    )
    alembic(root, url, "downgrade", "000", "America/New_York")
    assert pg.sql(FILENODE, db).strip() == node
    assert pg.sql(ROWS, db).strip() == (
        "1 2024-03-31 02:30:00, 2 2024-07-01 23:30:00, 3 2024-07-01 23:30:00, 4 -"
    )


def test_the_offline_sql_reads_in_utc_both_ways(tmp_path: Path) -> None:
    root = tmp_path / "project"
    _project(root)
    alter = "ALTER TABLE visits ALTER COLUMN starts_at TYPE TIMESTAMP"
    for sql, kind in (
        (offline_sql(root, "000:head"), "WITH TIME ZONE"),
        (offline_sql(root, "head:000", "downgrade"), "WITHOUT TIME ZONE"),
    ):
        code = "\n".join(ln for ln in sql.splitlines() if not ln.startswith("--"))
        statements = [s.strip() for s in code.split(";\n")]
        at = next(i for i, s in enumerate(statements) if s.startswith(f"{alter} {kind}"))
        assert statements[at - 2 : at] == list(IN_UTC), statements
        assert statements[at + 1] == ZONE_RESTORED, statements
