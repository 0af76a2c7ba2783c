"""Domains against a real database: no drift after the migrations (the server prints
their checks and defaults its own way), and a domain changed by hand is a finding."""

from __future__ import annotations

from pathlib import Path

from migration_harness import live_findings as _findings
from migration_harness import migrated_project as _migrated
from pgcluster import PgCluster

SCHEMA = """
database: {name: t}
enums:
  Mood: {values: [ok, sad]}
domains:
  email:
    type: text
    checks:
      email_has_at: "VALUE ~ '^[^@[:space:]]+@[^@[:space:]]+$'"
      email_not_long: "length(VALUE) <= 254"
  amount:
    type: numeric
    precision: 12
    scale: 2
    not_null: true
    default: 0
    checks: {amount_not_negative: "VALUE >= 0"}
  code: {type: string, length: 3, collation: C, schema: ref, default: "AAA"}
  mood_ok: {type: enum, enum: Mood, checks: {mood_not_sad: "VALUE <> 'sad'"}}
entities:
  Customer:
    columns:
      id: {type: bigint, primary_key: true}
      email: {type: email}
      balance: {type: amount}
      country: {type: code, nullable: true}
      mood: {type: mood_ok, nullable: true}
"""


def test_domains_have_no_drift_and_a_changed_domain_is_a_finding(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    root = _migrated(tmp_path / "p", SCHEMA, pg.url(pg_db))
    assert _findings(root, pg.url(pg_db)) == []
    pg.sql(
        "ALTER DOMAIN email DROP CONSTRAINT email_not_long;"
        "ALTER DOMAIN email ADD CONSTRAINT email_lower CHECK (VALUE = lower(VALUE)) NOT VALID;"
        "ALTER DOMAIN amount DROP CONSTRAINT amount_not_negative;"
        "ALTER DOMAIN amount ADD CONSTRAINT amount_not_negative CHECK (VALUE > 0);"
        "ALTER DOMAIN amount SET DEFAULT 1; ALTER DOMAIN amount DROP NOT NULL;"
        "CREATE DOMAIN stray AS int",
        pg_db,
    )
    assert _findings(root, pg.url(pg_db)) == [
        "domain stray: in the database but not in the schema",
        "domain amount: NOT NULL: no in the database, yes in the schema",
        "domain amount: default 1 in the database, 0 in the schema",
        "domain amount: check amount_not_negative is value > 0::numeric in the database, "
        "value >= 0::numeric in the schema",
        "domain email: check email_not_long missing from the database",
        "domain email: check email_lower only in the database",
        "domain check email.email_lower: is NOT VALID: rows written before it were never "
        "checked",
    ]
