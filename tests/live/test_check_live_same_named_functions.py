"""``check --database`` on functions of one name and arguments in two PostgreSQL
schemas (a ``touch()`` trigger function in public and another in audit, as schemas
someone else wrote often hold): each declared function is made again in the
session's temporary schema under its bare name to be read back as the server
prints it, so the second met the first there and PostgreSQL refused it (function
"touch" already exists with same argument types), a finding on a database at head
that no migration could clear. Each is now read back and dropped before the next."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import by_hand, json_findings, live_findings, migrated_database
from pgcluster import PgCluster

SCHEMA = """
database: {name: samefn}
entities:
  Note:
    columns:
      id: {type: bigint, primary_key: true}
      code: {type: text, nullable: true}
    triggers:
      trg_notes_touch: {function: touch, events: [insert, update]}
  Event:
    schema: audit
    columns:
      id: {type: bigint, primary_key: true}
      code: {type: text, nullable: true}
    triggers:
      trg_events_touch: {function: audit.touch, events: [insert]}
functions:
  touch:
    returns: trigger
    body: |
      BEGIN
        NEW.code := btrim(NEW.code);
        RETURN NEW;
      END;
  audit.touch:
    returns: trigger
    description: Upper-cases an event's code.
    body: |
      BEGIN
        NEW.code := upper(NEW.code);
        RETURN NEW;
      END;
"""

ROWS = (
    # NULLs and repeated codes, written through the triggers
    "INSERT INTO notes SELECT n, CASE WHEN n % 4 = 0 THEN NULL ELSE ' c' || n % 3 END "
    "FROM generate_series(1, 40) n;"
    "INSERT INTO audit.events SELECT n, NULLIF('e' || n % 2, 'e0') FROM generate_series(1, 30) n"
)


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    return migrated_database(pg, tmp_path, "samefn", SCHEMA, ROWS)


def test_same_named_functions_of_two_schemas_are_each_compared(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    root, name = db
    url = pg.url(name)
    # the triggers ran: the rows were written through each schema's own function
    assert pg.sql("SELECT count(*) FROM notes WHERE code LIKE 'c%'", name).strip() == "30"
    assert pg.sql("SELECT count(DISTINCT code) FROM audit.events", name).strip() == "1"
    assert live_findings(root, url) == []
    # one of them changed by hand: that one alone differs
    by_hand(
        pg,
        name,
        [
            "CREATE OR REPLACE FUNCTION audit.touch() RETURNS trigger LANGUAGE plpgsql "
            "AS $$\nBEGIN\n  NEW.code := lower(NEW.code);\n  RETURN NEW;\nEND;\n$$"
        ],
    )
    findings = json_findings(root, url)
    assert [f["object"] for f in findings] == ["function audit.touch()"], findings
    message = findings[0]["message"]
    assert "upper(NEW.code)" in message and "lower(NEW.code)" in message, findings
