"""``check --database`` on what the schema language cannot declare but a database
may hold all the same: rules (``CREATE RULE``, any ``pg_rewrite`` row but a view's
own ``_RETURN``) and extended statistics (``CREATE STATISTICS``). Each is reported
as an extra object, like an extra index or trigger, in text and in JSON: a rule
that turns the application's INSERTs into nothing is drift that check must not
call OK. And ``schemagen import`` of such a database lists both among the objects
the language cannot express."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from adopt_harness import new_project
from live_check import drift_json
from migration_harness import (
    assert_text_findings,
    by_hand,
    live_findings,
    migrated_database,
    migrated_project,
    schemagen,
)
from pgcluster import PgCluster

SCHEMA = """
database: {name: rules}
entities:
  Account:
    columns:
      id: {type: bigint, primary_key: true}
      owner_id: {type: bigint, nullable: true}
      email: {type: text, nullable: true}
  Event:
    schema: audit
    columns:
      id: {type: bigint, primary_key: true}
      account_id: {type: bigint, nullable: true}
views:
  AccountEmail:
    sql: "SELECT id, email FROM accounts"
    columns:
      id: {type: bigint}
      email: {type: text}
"""

ROWS = (
    # NULLs and duplicates, as the columns the statistics span hold them
    "INSERT INTO accounts SELECT n, CASE WHEN n % 5 = 0 THEN NULL ELSE n % 3 END, "
    "CASE WHEN n % 4 = 0 THEN NULL ELSE 'user' || n % 7 || '@example.com' END "
    "FROM generate_series(1, 90) n;"
    "INSERT INTO audit.events SELECT n, NULLIF(n % 10, 0) FROM generate_series(1, 40) n"
)

# A second session's changes behind schemagen's back: none of them declarable.
BEHIND = (
    "CREATE RULE swallow_inserts AS ON INSERT TO accounts DO INSTEAD NOTHING",
    "CREATE RULE log_deletes AS ON DELETE TO audit.events "
    "DO ALSO INSERT INTO accounts (id) VALUES (OLD.id + 1000)",
    "CREATE RULE view_insert AS ON INSERT TO account_email "
    "DO INSTEAD INSERT INTO accounts (id, email) VALUES (NEW.id, NEW.email)",
    "CREATE STATISTICS accounts_owner_email (dependencies, ndistinct) "
    "ON owner_id, email FROM accounts",
    "CREATE STATISTICS audit.events_account (mcv) ON id, account_id FROM audit.events",
    "ANALYZE accounts",
)

EXPECTED = [
    ("rule swallow_inserts on accounts", "DROP RULE swallow_inserts ON public.accounts"),
    ("statistics accounts_owner_email on accounts", "DROP STATISTICS public.accounts_owner_email"),
    ("rule log_deletes on audit.events", "DROP RULE log_deletes ON audit.events"),
    ("statistics audit.events_account on audit.events", "DROP STATISTICS audit.events_account"),
    ("rule view_insert on account_email", "DROP RULE view_insert ON public.account_email"),
]


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    return migrated_database(pg, tmp_path, "rules", SCHEMA, ROWS)


def test_rules_and_statistics_are_extra_objects(pg: PgCluster, db: tuple[Path, str]) -> None:
    root, name = db
    url = pg.url(name)
    assert live_findings(root, url) == []
    by_hand(pg, name, BEHIND)
    # the rule is at work: the application's INSERT now writes nothing
    pg.sql("INSERT INTO accounts (id) VALUES (500)", name)
    assert pg.sql("SELECT count(*) FROM accounts", name) == "90\n"
    extra = "in the database but not in the schema"
    assert live_findings(root, url) == [f"{obj}: {extra}" for obj, _ in EXPECTED]

    assert_text_findings(root, url, [(obj, extra, drop) for obj, drop in EXPECTED])

    findings = drift_json(root, url)
    found = [
        (f["kind"], f["object"], f["message"]) for f in findings
    ]
    assert found == [("database", obj, extra) for obj, _ in EXPECTED]
    hints = [f["hint"] for f in findings]
    assert all(drop in hint for (_, drop), hint in zip(EXPECTED, hints, strict=True)), hints

    # dropped again, the database is back at the schema
    pg.sql(
        "DROP RULE swallow_inserts ON accounts; DROP RULE log_deletes ON audit.events;"
        "DROP RULE view_insert ON account_email; DROP STATISTICS accounts_owner_email;"
        "DROP STATISTICS audit.events_account",
        name,
    )
    assert live_findings(root, url) == []
    assert pg.sql("SELECT count(*) FROM audit.events WHERE account_id IS NULL", name) == "4\n"


SOURCE = """
CREATE TABLE accounts (id bigint PRIMARY KEY, owner_id bigint, email text);
CREATE TABLE archived (id bigint PRIMARY KEY);
INSERT INTO accounts SELECT n, NULLIF(n % 3, 0), 'same@example.com' FROM generate_series(1, 30) n;
CREATE RULE keep_deleted AS ON DELETE TO accounts DO ALSO INSERT INTO archived VALUES (OLD.id);
CREATE STATISTICS accounts_owner_email (dependencies) ON owner_id, email FROM accounts;
"""


def test_import_lists_rules_and_statistics_as_not_expressible(
    pg: PgCluster, tmp_path: Path
) -> None:
    source = pg.create_database("rules_import")
    try:
        pg.sql(SOURCE, source)
        root = new_project(tmp_path / "p")
        out = schemagen(root, "import", "--database", pg.url(source), expect_exit=1)
        assert "not expressible: rule keep_deleted on accounts" in out, out
        assert "not expressible: statistics accounts_owner_email on accounts" in out, out
        assert not list((root / "schema").glob("*.yaml"))  # nothing written
        out = schemagen(root, "import", "--allow-partial", "--database", pg.url(source))
        assert "not expressible: statistics accounts_owner_email on accounts" in out, out
        assert list((root / "schema").glob("*.yaml"))
    finally:
        pg.drop_database(source)


PARTITIONED = """
database: {name: rules}
entities:
  Payment:
    primary_key: [id, paid_on]
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date, primary_key: true}
      amount: {type: numeric, precision: 12, scale: 2, nullable: true}
      payer: {type: text, nullable: true}
    partition_by: {range: [paid_on]}
    partitions:
      payments_2026_01: {from: "2026-01-01", to: "2026-02-01"}
      payments_rest: {default: true}
  Entry:
    schema: audit
    columns:
      id: {type: bigint, primary_key: true}
      kind: {type: text, primary_key: true}
      note: {type: text, nullable: true}
    primary_key: [id, kind]
    partition_by: {list: [kind]}
    partitions:
      entries_login: {in: [login]}
      entries_other: {default: true}
"""

PARTITION_ROWS = (
    # NULLs and duplicates, in both partitions of each table
    "INSERT INTO payments SELECT n, DATE '2025-12-20' + n, "
    "CASE WHEN n % 5 = 0 THEN NULL ELSE n % 4 END, "
    "CASE WHEN n % 3 = 0 THEN NULL ELSE 'payer' || n % 2 END FROM generate_series(1, 60) n;"
    "INSERT INTO audit.entries SELECT n, CASE WHEN n % 2 = 0 THEN 'login' ELSE 'edit' END, "
    "NULLIF('n' || n % 3, 'n0') FROM generate_series(1, 40) n"
)

PARTITIONS_BEHIND = (
    "CREATE RULE swallow_inserts AS ON INSERT TO payments_2026_01 DO INSTEAD NOTHING",
    "CREATE RULE keep_deletes AS ON DELETE TO audit.entries_login "
    "DO ALSO INSERT INTO audit.entries_other VALUES (OLD.id + 1000, 'kept', OLD.note)",
    "CREATE STATISTICS payments_rest_amount_payer (dependencies, ndistinct) "
    "ON amount, payer FROM payments_rest",
    "CREATE STATISTICS audit.entries_other_note (mcv) ON id, note FROM audit.entries_other",
    "ANALYZE payments_rest",
)

PARTITIONS_EXPECTED = [
    ("rule keep_deletes on audit.entries_login", "DROP RULE keep_deletes ON audit.entries_login"),
    (
        "statistics audit.entries_other_note on audit.entries_other",
        "DROP STATISTICS audit.entries_other_note",
    ),
    (
        "rule swallow_inserts on payments_2026_01",
        "DROP RULE swallow_inserts ON public.payments_2026_01",
    ),
    (
        "statistics payments_rest_amount_payer on payments_rest",
        "DROP STATISTICS public.payments_rest_amount_payer",
    ),
]


def test_rules_and_statistics_on_partitions_are_extra_objects(
    pg: PgCluster, tmp_path: Path
) -> None:
    """A partition is read with its parent, not as a table of its own; its rules and
    statistics are drift all the same (a rule on a partition swallows the INSERTs
    written to it), reported on the partition, with the same number of queries."""
    name = pg.create_database("rules_parts")
    url = pg.url(name)
    root = migrated_project(tmp_path / "p", PARTITIONED, url)
    pg.sql(PARTITION_ROWS, name)
    assert live_findings(root, url) == []
    with psycopg.connect(pg.libpq_url(name)) as other:
        for statement in PARTITIONS_BEHIND:
            other.execute(statement)
        other.commit()
    # the rule is at work: an INSERT written to the partition now writes nothing
    pg.sql("INSERT INTO payments_2026_01 VALUES (500, '2026-01-15', 1, NULL)", name)
    assert pg.sql("SELECT count(*) FROM payments WHERE id = 500", name) == "0\n"
    extra = "in the database but not in the schema"
    assert live_findings(root, url) == [f"{obj}: {extra}" for obj, _ in PARTITIONS_EXPECTED]

    findings = drift_json(root, url)
    assert [(f["object"], f["message"]) for f in findings] == [
        (obj, extra) for obj, _ in PARTITIONS_EXPECTED
    ]
    assert all(
        drop in f["hint"] for (_, drop), f in zip(PARTITIONS_EXPECTED, findings, strict=True)
    ), findings

    # each DROP the hints give brings the database back to the schema
    pg.sql(";".join(drop for _, drop in PARTITIONS_EXPECTED), name)
    assert live_findings(root, url) == []
    assert pg.sql("SELECT count(*) FROM payments WHERE payer IS NULL", name) == "20\n"
