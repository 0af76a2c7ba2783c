"""Unique indexes built otherwise than over plain columns, as real schemas have them:
over ``lower(email)`` (a sign-up table whose addresses ignore case), over several
case-folded expressions, over a citext column cast to text (the rental twin's
guests), partial (``WHERE deleted_at IS NULL``, a soft delete).
Seed took an index's plain columns as its key, so an index over expressions alone
was a key of no column, "carried" by counting through no combination: the table
got one row (``capped at 1: its unique key combines foreign keys``) and no word of
why. Seed now builds the column a ``lower()`` or ``upper()`` key folds from the row
number, as it does a plain unique column's (its text ends with the row number,
which no case fold makes equal), and refuses an expression it cannot keep
distinct, naming the index and the way out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.model.schema import Entity
from schemagen.seed.refusals import SeedError
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, qt, table_digest, violations

SCHEMA = """
database: {name: shop, extensions: [citext]}
entities:
  Account:
    columns:
      id: {type: integer, primary_key: true}
      email: {type: string, length: 120}
      login: {type: citext}
      handle: {type: string, length: 40}
      first_name: {type: text}
      last_name: {type: text, nullable: true}
      deleted_at: {type: timestamptz, nullable: true}
    indexes:
      uq_accounts_email_lower:
        columns: [{expression: "lower(email)"}]
        unique: true
      uq_accounts_login_lower:
        columns: [{expression: "lower(login::text)"}]
        unique: true
      uq_accounts_handle_live:
        columns: [handle]
        unique: true
        where: "deleted_at IS NULL"
      uq_accounts_full_name:
        columns: [{expression: "upper(first_name)"}, {expression: "upper((last_name)::text)"}]
        unique: true
"""


def unique_index_violations(conn: psycopg.Connection[Any], ent: Entity) -> list[str]:
    """One query per unique index with expressions or a WHERE (which
    seed_checks.violations leaves out): the groups of rows it would find equal."""
    found = []
    for ix in ent.indexes:
        if not ix.unique:
            continue
        keys = [k.sql() for k in ix.keys] or [f'"{c}"' for c in ix.columns]
        held = " AND ".join(f"({k}) IS NOT NULL" for k in keys)
        where = f" AND ({ix.where})" if ix.where else ""
        row = conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {qt(ent.table)} WHERE {held}{where} "  # type: ignore[arg-type]
            f"GROUP BY {', '.join(keys)} HAVING count(*) > 1) AS dup"
        ).fetchone()
        assert row is not None
        if row[0]:
            found.append(f"{ix.name}: {row[0]} groups")
    return found


def test_expression_and_partial_uniques_are_seeded(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    ent = schema.entity_by_table("accounts")
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(  # rows there: a NULL last name, a handle twice (one deleted)
            "INSERT INTO accounts VALUES"
            " (1, 'Ann@Example.com', 'Ann', 'ann', 'Ann', NULL, NULL),"
            " (2, 'bob@example.com', 'bob', 'ann', 'Bob', 'Lee', now()),"
            " (3, 'cy@example.com', 'cy', 'cy', 'Cy', NULL, NULL)"
        )
        conn.commit()
        result = seed_connection(conn, schema, rows=400, seed=5, append=True)
        assert [(t.table, t.rows, t.note) for t in result.tables] == [("accounts", 400, None)]
        assert violations(conn, schema) == []
        assert unique_index_violations(conn, ent) == []
        row = conn.execute(
            "SELECT count(*), count(DISTINCT lower(email)), count(DISTINCT lower(login::text)),"
            " count(DISTINCT first_name), count(last_name), count(deleted_at) FROM accounts"
        ).fetchone()
        assert row is not None
        total, emails, logins, firsts, lasts, deleted = row
        assert total == 403 and emails == logins == firsts == 403
        assert 0 < lasts < total and 0 < deleted < total  # NULLs where nullable
        # the same seed gives the same rows (the ids aside: the sequence goes on)
        first = table_digest(conn, ent, skip=lambda c: c.name == "id")
        conn.execute("DELETE FROM accounts WHERE id > 3")
        conn.commit()
        seed_connection(conn, schema, rows=400, seed=5, append=True)
        assert table_digest(conn, ent, skip=lambda c: c.name == "id") == first


OTHER_EXPRESSION = """
database: {name: shop}
entities:
  Visit:
    columns:
      id: {type: integer, primary_key: true}
      at: {type: timestamptz}
      note: {type: text, nullable: true}
    indexes:
      uq_visits_day:
        columns: [{expression: "date_trunc('day', at AT TIME ZONE 'UTC')"}]
        unique: true
"""


def test_an_expression_seed_cannot_keep_distinct_is_refused(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": OTHER_EXPRESSION})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.commit()
        with pytest.raises(SeedError) as refused:
            seed_connection(conn, schema, rows_per={"visits": 50})
        assert conn.execute("SELECT count(*) FROM visits").fetchone() == (0,)
    assert str(refused.value) == (
        "cannot seed visits: unique index uq_visits_day is over "
        "date_trunc('day', at AT TIME ZONE 'UTC'), which seed cannot keep distinct "
        "(it keeps lower(column) and upper(column) distinct); give a column it names a "
        'value generator, e.g. under entities.Visit.columns.at: seed: {sql: "<SQL '
        'expression over n, the row number, and r, a random number in [0, 1)>"}'
    )


def test_a_value_generator_answers_for_the_expression(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    text = OTHER_EXPRESSION.replace(
        "at: {type: timestamptz}",
        "at: {type: timestamptz, seed: {sql: \"timestamptz '2025-01-01' + n * interval '1 day'\"}}",
    )
    write_schema(tmp_path, {"schema.yaml": text})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.commit()
        seed_connection(conn, schema, rows_per={"visits": 50})
        assert violations(conn, schema) == []
        assert unique_index_violations(conn, schema.entity_by_table("visits")) == []
        assert conn.execute("SELECT count(*) FROM visits").fetchone() == (50,)
