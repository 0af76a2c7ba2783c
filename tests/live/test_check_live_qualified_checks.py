"""``check --database`` on checks and partial-index predicates that name their own
table with its schema (``billing.invoices.total > 0``): PostgreSQL stores them with
the column alone (``(total > 0)``), and the declared text is printed the server's
way before the two are compared, so a database at head is clean, on a writable
database and on a read-only one; a check or predicate changed by hand is still a
finding."""

from __future__ import annotations

from pathlib import Path

import pytest
from live_check import assert_clean, corpus_database
from migration_harness import live_findings
from pgcluster import PgCluster


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    rows = (
        # NULLs and duplicates
        "INSERT INTO accounts VALUES (1, 0), (2, 0), (3, 50);"
        "INSERT INTO billing.invoices VALUES (1, 1, NULL), (2, 1, 5), (3, NULL, 5), (4, 2, 20);"
        "INSERT INTO billing.payments VALUES (1, 1, 100), (2, 1, 100), (3, 4, 0)"
    )
    return corpus_database(
        pg, tmp_path, "127_checks_name_their_table_with_its_schema", "qualchk", rows
    )


def test_at_head_clean_and_a_change_by_hand_found(pg: PgCluster, db: tuple[Path, str]) -> None:
    root, name = db
    assert_clean(pg, root, name)
    pg.sql(
        "ALTER TABLE billing.invoices DROP CONSTRAINT ck_invoices_total,"
        " ADD CONSTRAINT ck_invoices_total CHECK (total > 1);"
        "DROP INDEX billing.ix_invoices_big;"
        "CREATE INDEX ix_invoices_big ON billing.invoices (total) WHERE total > 11",
        name,
    )
    found = live_findings(root, pg.url(name))
    assert found == [
        "check constraint ck_invoices_total on billing.invoices: expression is total > 1 in "
        "the database, total > 0 in the schema",
        "index ix_invoices_big on billing.invoices: predicate total > 11 in the database, "
        "total > 10 in the schema",
    ]
