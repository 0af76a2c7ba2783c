"""A new unique constraint added in the main transaction (one a new table's
foreign key needs at once) or partition by partition (a partitioned table's,
which PostgreSQL 15 cannot build CONCURRENTLY nor attach USING INDEX) over rows
that repeat its columns fails with the constraint named and a query that lists
the rows, as a swap in the transaction does (8c55178), not PostgreSQL's "could
not create unique index" (one key value, and on a partitioned table a
partition's index name), before any index is built; the transaction rolls back,
and once the rows are fixed the same command completes it. A new unique added
online (a concurrent unique index) over such rows fails
before the build, so no INVALID index is left; an INVALID one left by a build
that failed anyway (a duplicate written during it) is dropped by the rerun."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from migration_harness import Case, alembic, assert_matches_models, revisions
from payments_schema import REFUND, payments, unique_ref
from payments_schema import ROWS as PAYMENT_ROWS
from pgcluster import PgCluster
from revision_steps import (
    accepted_at_each_step,
    at_first_revision,
    failed_migration,
    listed_ids,
    refused,
)

ADDED = unique_ref("[paid_on, ref]")
#: NULL refs and kinds; (2026-03-01, r1) twice under two kinds (ids 1 and 5)
ROWS = PAYMENT_ROWS + ", (6, '2026-03-01', NULL, 'x')"
#: (paid_on, ref) twice, which the new constraint refuses
TWICE = "INSERT INTO payments VALUES (100, '2026-05-01', 'z', 'k'), (101, '2026-05-01', 'z', 'l')"
MESSAGE = "cannot add unique uq_payments_ref to payments: rows repeat (paid_on, ref)"


def _twice(url: str) -> list[str]:
    return [] if refused(url, TWICE, psycopg.errors.UniqueViolation) else ["duplicate"]


def _invalid_indexes(pg: PgCluster, db: str) -> str:
    return pg.sql(
        "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
        "WHERE c.relname = 'payments' AND NOT i.indisvalid",
        db,
    ).strip()


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (payments(partitioned=True), payments(ADDED, partitioned=True)),
        (payments(), payments(ADDED) + REFUND),
    ],
    ids=["partitioned", "a_new_key_needs_it"],
)
def test_repeated_rows_name_the_new_unique_and_a_query(
    pg: PgCluster, tmp_path: Path, before: str, after: str
) -> None:
    case = Case("inplace", {"s.yaml": before}, {"s.yaml": after}, destructive=False)
    first = at_first_revision(pg, case, tmp_path, ROWS)
    root, db, url = first.root, first.db, first.url
    migration = "\n".join(p.read_text() for p in revisions(root))
    if "partition_by" in after:
        # built partition by partition online (revision.partition_uniques): the
        # steps come from the database, none is a plain ADD CONSTRAINT in a transaction
        assert revisions(root)[1].stem.endswith("_online")
        assert "op.create_unique_constraint" not in migration
    else:
        # the new key needs it in the transaction: its index built concurrently
        # before it (the _drops revision, where the search runs), attached there
        assert "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS uq_payments_ref" in migration
        assert "ADD CONSTRAINT uq_payments_ref UNIQUE USING INDEX uq_payments_ref" in migration
    error = str(failed_migration(root, url))
    assert MESSAGE in error, error
    assert "could not create unique index" not in error
    assert "UniqueViolation" in error  # the SQLSTATE kept
    assert listed_ids(pg, db, error) == "1,5"
    # rolled back (or stopped before the build): no constraint, no index, no Refund table
    assert _invalid_indexes(pg, db) == "0"
    assert pg.sql("SELECT to_regclass('uq_payments_ref') IS NULL", db).strip() == "t"
    assert (
        pg.sql("SELECT count(*) FROM pg_constraint WHERE conname = 'uq_payments_ref'", db).strip()
        == "0"
    )
    assert pg.sql("SELECT to_regclass('refunds') IS NULL", db).strip() == "t"
    pg.sql("DELETE FROM payments WHERE id = 5", db)
    assert accepted_at_each_step(root, url, first.heads[1:], "upgrade", lambda: _twice(url)) == []
    assert_matches_models(pg, db, first.models_after, [], "upgrade")
    alembic(root, url, "downgrade", first.heads[0])
    assert_matches_models(pg, db, first.models_before, [], "downgrade")
    assert pg.sql("SELECT count(*) FROM payments", db).strip() == "5"


def test_an_online_unique_over_repeated_rows_leaves_no_invalid_index(
    pg: PgCluster, tmp_path: Path
) -> None:
    before, after = payments(), payments(ADDED)
    case = Case("inplace", {"s.yaml": before}, {"s.yaml": after}, destructive=False)
    first = at_first_revision(pg, case, tmp_path, ROWS)
    root, db, url = first.root, first.db, first.url
    migration = "\n".join(p.read_text() for p in revisions(root))
    assert "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS uq_payments_ref" in migration
    error = str(failed_migration(root, url))
    assert MESSAGE in error, error
    assert "could not create unique index" not in error
    assert listed_ids(pg, db, error) == "1,5"
    # searched before the build: no index at all, none INVALID
    assert _invalid_indexes(pg, db) == "0"
    assert pg.sql("SELECT to_regclass('uq_payments_ref') IS NULL", db).strip() == "t"
    # a build that fails anyway (a duplicate written between the search and the
    # build, here by hand) leaves an INVALID unique index, which still refuses
    # writes that repeat it; the rerun drops it and builds it again
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(
                "CREATE UNIQUE INDEX CONCURRENTLY uq_payments_ref ON payments (paid_on, ref)"
            )
    assert _invalid_indexes(pg, db) == "1"
    pg.sql("DELETE FROM payments WHERE id = 5", db)
    alembic(root, url, "upgrade", "head")
    assert _invalid_indexes(pg, db) == "0"
    assert _twice(url) == []
    assert_matches_models(pg, db, first.models_after, [], "upgrade")
    alembic(root, url, "downgrade", first.heads[0])
    assert_matches_models(pg, db, first.models_before, [], "downgrade")
