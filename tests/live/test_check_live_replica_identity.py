"""``check --database`` on REPLICA IDENTITY (``replica_identity:``): what logical
replication and change data capture (Debezium) send of an updated or deleted row.
A database rebuilt from the schema lost REPLICA IDENTITY FULL silently before the
language could say it, and CDC broke; now each table's identity is compared with
its declaration, with the statement that restores it as hint."""

from __future__ import annotations

from pathlib import Path

import pytest
from live_check import check_command, corpus_database, read_only_sessions
from migration_harness import json_findings, live_findings
from pgcluster import PgCluster

ROWS = (
    "INSERT INTO orders VALUES (1, 'a', NULL), (2, 'b', 'x'), (3, 'c', 'x');"
    "INSERT INTO items VALUES (1, 's1'), (2, 's2');"
    "INSERT INTO customers VALUES (1, NULL), (2, 'b@x'), (3, NULL);"
    "INSERT INTO payments VALUES (1, NULL), (2, 5), (3, 5);"
    "INSERT INTO events VALUES (1, NULL), (2, NULL);"
    "INSERT INTO accounts VALUES (1, 'h1'), (2, 'h2');"
    "INSERT INTO journals VALUES (1, NULL), (2, 'e'), (3, 'e')"
)


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    return corpus_database(pg, tmp_path, "141_replica_identity", "replident", ROWS)


def test_declared_identities_are_clean_and_drift_of_each_is_found(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    root, name = db
    assert live_findings(root, pg.url(name)) == []
    assert check_command(root, pg.url(name))[0] == 0
    pg.sql(
        "ALTER TABLE events REPLICA IDENTITY DEFAULT;"  # declared full
        "ALTER TABLE payments REPLICA IDENTITY FULL;"  # declared default
        "ALTER TABLE orders REPLICA IDENTITY USING INDEX pk_orders;"  # another index
        "ALTER TABLE items REPLICA IDENTITY FULL;"  # declared nothing
        "DROP INDEX ix_accounts_handle",  # the identity's index dropped: nothing is sent
        name,
    )
    assert live_findings(root, pg.url(name)) == [
        "index ix_accounts_handle on accounts: missing from the database",
        "table accounts: replica identity is using an index dropped since (nothing is sent) "
        "in the database, using index ix_accounts_handle in the schema",
        "table events: replica identity is default in the database, full in the schema",
        "table items: replica identity is full in the database, nothing in the schema",
        "table orders: replica identity is using index pk_orders in the database, using "
        "index uq_orders_code in the schema",
        "table payments: replica identity is full in the database, default in the schema",
    ]
    code, output = check_command(root, pg.url(name))
    assert code == 1
    assert "table events: replica identity is default in the database" in output, output
    hints = {f["object"]: f["hint"] for f in json_findings(root, pg.url(name))}
    assert hints["table orders"].startswith(
        "run `ALTER TABLE public.orders REPLICA IDENTITY USING INDEX uq_orders_code`"
    )
    assert "replica_identity:" in hints["table payments"]
    with read_only_sessions(pg, name):
        assert len(live_findings(root, pg.url(name))) == 6
    # each hint run as it says: clean again, the rows untouched
    pg.sql(
        "CREATE UNIQUE INDEX ix_accounts_handle ON accounts (handle);"
        + ";".join(
            hint.split("`")[1] for obj, hint in sorted(hints.items()) if obj.startswith("table ")
        ),
        name,
    )
    assert live_findings(root, pg.url(name)) == []
    assert pg.sql("SELECT count(*) FROM customers WHERE email IS NULL", name).strip() == "2"
