"""The test harness itself: the throwaway server runs and the dump normalizer works."""

from __future__ import annotations

from pgcluster import PgCluster
from pgdump import schema_dump


def test_cluster_runs_postgres_15_or_newer(pg: PgCluster) -> None:
    version = int(pg.sql("SHOW server_version_num").strip())
    assert version >= 150000


def test_schema_dump_ignores_column_order(pg: PgCluster) -> None:
    a = pg.create_database()
    b = pg.create_database()
    pg.sql("CREATE TABLE t (x integer NOT NULL, y text)", a)
    pg.sql("CREATE TABLE t (y text, x integer NOT NULL)", b)
    assert schema_dump(pg, a) == schema_dump(pg, b)
    pg.sql("CREATE INDEX ix_t_x ON t (x)", b)
    assert schema_dump(pg, a) != schema_dump(pg, b)
