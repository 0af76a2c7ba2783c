"""``check --database`` compares a table's declared CLUSTER ON mark (``cluster_on:``)
with the database's: clean at head on tables holding rows (NULLs, repeats), then a
mark missing, one on another index and one the schema does not declare, each with
the statement that brings the database back as its hint, which run as printed
makes it clean again. No catalog query is added (the marks are read with the
tables and indexes; tests/live/test_check_live_scale.py counts them)."""

from __future__ import annotations

from pathlib import Path

from live_check import check_command, drift_json
from migration_harness import live_findings, migrated_database
from pgcluster import PgCluster

SCHEMA = """
database: {name: clon}
entities:
  Account:
    columns:
      id: {type: bigint, primary_key: true}
      owner_id: {type: bigint, nullable: true}
      email: {type: text, nullable: true}
    unique:
      uq_accounts_email: [email]
    indexes:
      ix_accounts_owner_id: {columns: [owner_id]}
    cluster_on: ix_accounts_owner_id
  Event:
    schema: audit
    columns:
      id: {type: bigint, primary_key: true}
      account_id: {type: bigint, nullable: true}
    cluster_on: pk_events
  Item:
    columns:
      id: {type: bigint, primary_key: true}
      sku: {type: text, nullable: true}
    indexes:
      ix_items_sku: [sku]
"""

ROWS = (
    "INSERT INTO accounts SELECT n, CASE WHEN n % 5 = 0 THEN NULL ELSE n % 3 END, "
    "CASE WHEN n % 4 = 0 THEN NULL ELSE 'user' || n || '@example.com' END "
    "FROM generate_series(1, 90) n;"
    "INSERT INTO audit.events SELECT n, NULLIF(n % 10, 0) FROM generate_series(1, 40) n;"
    "INSERT INTO items SELECT n, CASE WHEN n % 3 = 0 THEN NULL ELSE 'sku' || n % 4 END "
    "FROM generate_series(1, 30) n"
)

MARKS = (
    "SELECT string_agg(i.indrelid::regclass || ' ' || i.indexrelid::regclass, ', '"
    " ORDER BY 1) FROM pg_index i WHERE i.indisclustered"
)

DECLARED = "accounts ix_accounts_owner_id, audit.events audit.pk_events"


def test_declared_marks_are_compared_and_the_hints_bring_them_back(
    pg: PgCluster, tmp_path: Path
) -> None:
    root, name = migrated_database(pg, tmp_path, "clon", SCHEMA, ROWS)
    url = pg.url(name)
    assert pg.sql(MARKS, name).strip() == DECLARED
    assert live_findings(root, url) == []
    code, output = check_command(root, url)
    assert code == 0, output

    # a second session: accounts' mark moved, events' removed, items marked
    pg.sql(
        "ALTER TABLE accounts CLUSTER ON uq_accounts_email;"
        "ALTER TABLE audit.events SET WITHOUT CLUSTER;"
        "ALTER TABLE items CLUSTER ON ix_items_sku",
        name,
    )
    findings = drift_json(root, url)
    assert [(f["object"], f["message"], f["hint"]) for f in findings] == [
        (
            "cluster on ix_accounts_owner_id on accounts",
            "the database clusters accounts on uq_accounts_email instead",
            "run `ALTER TABLE public.accounts CLUSTER ON ix_accounts_owner_id`, or write the "
            "database's mark into schema/ (cluster_on:)",
        ),
        (
            "cluster on pk_events on audit.events",
            "missing from the database",
            "run `ALTER TABLE audit.events CLUSTER ON pk_events`, or write the database's "
            "mark into schema/ (cluster_on:)",
        ),
        (
            "cluster on ix_items_sku on items",
            "in the database but not in the schema",
            "run `ALTER TABLE public.items SET WITHOUT CLUSTER`, or declare it in schema/ "
            "(cluster_on: ix_items_sku)",
        ),
    ]
    code, output = check_command(root, url)
    assert code == 1, output
    for f in findings:  # the text report prints each one's statement too
        assert f["hint"].split("`")[1] in output, output

    # the hints run as printed (another search_path): clean again, the rows kept
    statements = ";".join(f["hint"].split("`")[1] for f in findings)
    pg.sql(f"SET search_path = audit; {statements}", name)
    assert live_findings(root, url) == []
    assert pg.sql(MARKS, name).strip() == DECLARED
    assert pg.sql("SELECT count(*) FROM accounts WHERE email IS NULL", name).strip() == "22"
