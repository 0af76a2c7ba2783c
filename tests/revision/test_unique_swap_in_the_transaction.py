"""A unique swapped in the main transaction (a partitioned table's, or one a new
table's foreign key needs at once) over rows that repeat its new columns fails
with the constraint named and a query that lists the rows, as the lock-safe swap
does, not PostgreSQL's "could not create unique index" (which names one key
value); the transaction rolls back, the old constraint still refuses a second
session's duplicate, and once the rows are fixed the same command completes it.
The one a new key needs has its index built concurrently in the _drops revision
before the transaction, which attaches it USING INDEX: the search runs there,
before the build."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from migration_harness import Case, assert_matches_models, revisions
from payments_schema import REFUND, ROWS, payments, unique_ref
from pgcluster import PgCluster
from revision_steps import (
    accepted_at_each_step,
    at_first_revision,
    failed_migration,
    listed_ids,
    refused,
)

NEEDED_BEFORE = payments(unique_ref("[paid_on, ref, kind]"))
NEEDED_AFTER = payments(unique_ref("[paid_on, ref]")) + REFUND
#: one row twice, which both (paid_on, ref, kind) and (paid_on, ref) refuse
TWICE = (
    "INSERT INTO payments VALUES (100, '2026-05-01', 'z', 'k'), (101, '2026-05-01', 'z', 'k')"
)


def _twice(url: str) -> list[str]:
    return [] if refused(url, TWICE, psycopg.errors.UniqueViolation) else ["duplicate"]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            payments(unique_ref("[paid_on, ref, kind]"), partitioned=True),
            payments(unique_ref("[paid_on, ref]"), partitioned=True),
        ),
        (NEEDED_BEFORE, NEEDED_AFTER),
    ],
    ids=["partitioned", "a_new_key_needs_it"],
)
def test_repeated_rows_name_the_unique_and_a_query(
    pg: PgCluster, tmp_path: Path, before: str, after: str
) -> None:
    case = Case("inplace", {"s.yaml": before}, {"s.yaml": after}, destructive=False)
    first = at_first_revision(pg, case, tmp_path, ROWS)
    root, db, url = first.root, first.db, first.url
    migration = "\n".join(p.read_text() for p in revisions(root))
    if before == NEEDED_BEFORE:
        # its index built concurrently before the transaction, attached there
        assert "UNIQUE USING INDEX uq_payments_ref_swap" in migration
    else:
        # a partitioned table's: swapped in the transaction, its index built under the lock
        assert "USING INDEX" not in migration
        assert "uq_payments_ref UNIQUE (paid_on, ref)" in migration
    error = str(failed_migration(root, url))
    assert "cannot add unique uq_payments_ref to payments: rows repeat (paid_on, ref)" in error
    assert "could not create unique index" not in error
    assert "until then uq_payments_ref holds, over (paid_on, ref, kind)" in error
    assert listed_ids(pg, db, error) == "1,5"
    # rolled back: the old constraint still refuses a second session's duplicate
    assert _twice(url) == []
    pg.sql("DELETE FROM payments WHERE id = 5", db)
    assert accepted_at_each_step(root, url, first.heads[1:], "upgrade", lambda: _twice(url)) == []
    assert_matches_models(pg, db, first.models_after, [], "upgrade")
    down = reversed(first.heads[:-1])
    assert accepted_at_each_step(root, url, down, "downgrade", lambda: _twice(url)) == []
    assert_matches_models(pg, db, first.models_before, [], "downgrade")
    assert pg.sql("SELECT count(*) FROM payments", db).strip() == "4"
