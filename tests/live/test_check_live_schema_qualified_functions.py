"""A function whose name says its schema (``audit.touch``) lives there whatever
``database.schema`` says: with ``database.schema: app`` the name was keyed
app.audit.touch, so the revision made ``app."audit.touch"()`` (one name holding a
dot) and ``check --database`` then called app.audit.touch missing and
app."audit.touch" extra, at head. Without ``database.schema`` it was, and is,
touch of audit (tests/live/test_check_live_same_named_functions.py)."""

from __future__ import annotations

from pathlib import Path

from migration_harness import alembic, live_findings, migrated_database
from pgcluster import PgCluster

SCHEMA = """
database: {name: qualfn, schema: app}
entities:
  Event:
    columns:
      id: {type: bigint, primary_key: true}
      code: {type: text, nullable: true}
    triggers:
      trg_events_touch: {function: audit.touch, events: [insert, update]}
functions:
  audit.touch:
    returns: trigger
    body: |
      BEGIN
        NEW.code := upper(NEW.code);
        RETURN NEW;
      END;
  twice:
    name: audit.twice
    language: sql
    arguments: [integer]
    returns: integer
    volatility: immutable
    body: SELECT $1 * 2
"""

#: NULLs and repeated codes, written through the trigger
ROWS = (
    "INSERT INTO app.events SELECT n, CASE WHEN n % 5 = 0 THEN NULL ELSE 'e' || n % 3 END "
    "FROM generate_series(1, 40) n"
)


def test_a_schema_qualified_function_lives_in_its_schema(pg: PgCluster, tmp_path: Path) -> None:
    root, name = migrated_database(pg, tmp_path, "qualfn", SCHEMA, ROWS)
    functions = (
        "SELECT string_agg(n.nspname || '|' || p.proname, ' ' ORDER BY 1) FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ('app', 'audit')"
    )
    assert pg.sql(functions, name) == "audit|touch audit|twice\n"
    # the trigger called audit.touch: every code upper-cased, the NULLs kept
    assert (
        pg.sql(
            "SELECT count(*), count(code), count(DISTINCT code), bool_and(code = upper(code)) "
            "FROM app.events",
            name,
        )
        == "40|32|3|t\n"
    )
    assert pg.sql("SELECT audit.twice(21)", name) == "42\n"
    assert live_findings(root, pg.url(name)) == []
    alembic(root, pg.url(name), "downgrade", "base")
    assert pg.sql("SELECT count(*) FROM pg_namespace WHERE nspname IN ('app', 'audit')", name) == (
        "0\n"
    )
