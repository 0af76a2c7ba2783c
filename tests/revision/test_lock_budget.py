"""A first revision larger than the server's lock table: migrate cuts it into
parts, each its own transaction, and the parts apply on a server where the
whole would run out of shared memory; proven by dump equality and a downgrade."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from migration_harness import (
    alembic,
    assert_no_autogenerate_diffs,
    assert_same_dump,
    offline_sql,
    reference_dump,
    revisions,
    schemagen,
)
from pgcluster import PgCluster, start_cluster
from pgdump import schema_dump
from schemagen.operations.plan import Plan
from schemagen.operations.stages import stages
from schemagen.operations.table import CreateTable

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from synthetic import write_project  # noqa: E402

TABLES = 60


@pytest.fixture(scope="module")
def small_locks() -> Iterator[PgCluster]:
    """A server whose lock table holds a few hundred locks (a stock one: 64 x 122):
    40 plain tables with two indexes fit in one transaction, 80 do not."""
    cluster = start_cluster(
        settings={
            "max_locks_per_transaction": "10",
            "max_connections": "10",
            "max_wal_senders": "0",
            "max_worker_processes": "1",
            "max_parallel_workers": "1",
            "autovacuum_max_workers": "1",
        }
    )
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.datadir.parent, ignore_errors=True)


def test_a_first_revision_too_large_for_one_transaction_applies_in_parts(
    tmp_path: Path, pg: PgCluster, small_locks: PgCluster
) -> None:
    root = write_project(tmp_path / "big", TABLES)
    with (root / "pyproject.toml").open("a", encoding="utf-8") as settings:
        settings.write("max_locks_per_revision = 100\n")
    out = schemagen(root, "migrate", "-m", "initial")
    names = [p.name for p in revisions(root)]
    assert names[0] == "000_initial.py" and names[1] == "001_initial_part2.py", names
    assert len(names) >= 4, out
    doc = " ".join(revisions(root)[1].read_text().split())
    assert "part 2 of a change that takes more locks than one transaction should hold" in doc
    db = small_locks.create_database()

    # the whole first revision in one transaction is more than this server holds
    script = tmp_path / "whole.sql"
    script.write_text(offline_sql(root, "head").replace("COMMIT;", ""), encoding="utf-8")
    whole = subprocess.run(
        [small_locks.bin("psql"), "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", db,
         "-f", str(script)],
        env=small_locks.env(), capture_output=True, text=True,
    )
    assert whole.returncode != 0 and "max_locks_per_transaction" in whole.stderr, whole.stderr

    # ...while its parts, one transaction each, apply and give exactly create_all's schema
    url = small_locks.url(db)
    alembic(root, url, "upgrade", "head")
    models = root / "generated" / "models.py"
    assert_same_dump(
        schema_dump(small_locks, db), reference_dump(pg, models, ["pg_trgm"]), "parts"
    )
    assert_no_autogenerate_diffs(small_locks, db, models, "parts")
    alembic(root, url, "downgrade", "base")
    tables = small_locks.sql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", db)
    assert tables.strip() == "1"  # alembic_version


def test_parts_follow_the_plan_order_within_the_budget() -> None:
    from schema_fixtures import products, schema, stores
    from schemagen.diff.compare import diff

    plan = diff(None, schema(stores(), products()))
    one = stages(plan)
    assert [s.kind for s in one] == ["main"] and one[0].part == 0
    creates = [op for op in plan.operations if isinstance(op, CreateTable)]
    budget = max(op.locks for op in creates)
    cut = stages(plan, budget)
    assert [s.part for s in cut] == list(range(1, len(cut) + 1)) and len(cut) >= 2
    assert [op for s in cut for op in s.plan.operations] == list(plan.operations)
    assert all(sum(op.locks for op in s.plan.operations) <= budget for s in cut)
    assert stages(Plan((creates[0],)), 1)[0].plan.operations == (creates[0],)  # over budget alone
