"""A policy that applies to reads (``command: all`` or ``select``) whose ``using``
sub-selects its own table: PostgreSQL applies the table's policies to that
sub-select again, and the first query of a role the policy binds fails ("infinite
recursion detected in policy for relation"), while the migration that made it ran
clean. validate now refuses it, located, and says the way out; a sub-select of the
own table elsewhere (another command's policy, a ``with_check``) is no recursion and
stays valid."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from fixtures.language.helpers import issues_of
from migration_harness import create_roles
from pgcluster import PgCluster

SELF = "team IN (SELECT a.team FROM accounts a WHERE a.owner_id = 1)"
QUALIFIED = "EXISTS (SELECT 1 FROM public.accounts m WHERE m.team = team)"
CTE = "EXISTS (WITH accounts AS (SELECT 1 AS team) SELECT 1 FROM accounts)"
OTHER = "team IN (SELECT t.id FROM teams t)"

ENTITIES = """
entities:
  Team:
    columns:
      id: {type: integer, primary_key: true}
  Account:
    row_level_security: force
    columns:
      id: {type: bigint, primary_key: true}
      owner_id: {type: integer, nullable: true}
      team: {type: integer, nullable: true}
    policies:
%s
  Ledger:
    schema: books
    row_level_security: true
    columns:
      id: {type: bigint, primary_key: true}
      team: {type: integer}
    policies:
      mine: {using: "team IN (SELECT l.team FROM books.ledgers l)"}
      bare: {command: select, using: "team IN (SELECT l.team FROM ledgers l)"}
"""

#: name -> (command, key, expression, whether PostgreSQL recurses on it)
POLICIES = {
    "p_all": ("all", "using", SELF, True),
    "p_select": ("select", "using", QUALIFIED, True),
    "p_update": ("update", "using", SELF, False),
    "p_check": ("all", "with_check", SELF, False),
    "p_cte": ("select", "using", CTE, False),
    "p_other": ("select", "using", OTHER, False),
}


def _yaml(names: list[str]) -> str:
    return "\n".join(
        f'      {n}: {{command: {POLICIES[n][0]}, {POLICIES[n][1]}: "{POLICIES[n][2]}"}}'
        for n in names
    )


def test_a_policy_reading_its_own_table_is_refused(tmp_path: Path) -> None:
    issues = issues_of(tmp_path, {"s.yaml": ENTITIES % _yaml(list(POLICIES))})
    why = (
        "{what} reads {table}, the policy's own table: PostgreSQL applies the policies "
        "of {table} to it again, and the first query the policy binds fails with "
        "'infinite recursion detected in policy'; read the rows through a SECURITY "
        "DEFINER function (routines:) instead"
    )
    assert issues == [
        "schema/s.yaml:12:29: entities.Account.policies.p_all.using: "
        + why.format(what="its sub-select", table="accounts"),
        "schema/s.yaml:13:35: entities.Account.policies.p_select.using: "
        + why.format(what="its sub-select", table="accounts"),
        "schema/s.yaml:25:14: entities.Ledger.policies.mine.using: "
        + why.format(what="its sub-select", table="books.ledgers"),
    ], issues


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_postgresql_recurses_where_validate_refuses(
    pg: PgCluster, pg_db: str, name: str
) -> None:
    """On a table holding rows (NULLs, a row twice), the policy made by hand and the
    table read and written as a role it binds."""
    command, key, expression, recurses = POLICIES[name]
    create_roles(pg, ["recursion_app"])
    with psycopg.connect(pg.libpq_url(pg_db), autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE teams (id integer PRIMARY KEY); INSERT INTO teams VALUES (1), (2);"
            "CREATE TABLE accounts (id bigint, owner_id integer, team integer);"
            "INSERT INTO accounts VALUES (1, 1, 1), (1, 1, 1), (2, NULL, NULL);"
            "ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;"
            "CREATE POLICY reads ON accounts FOR SELECT TO recursion_app USING (id > 0);"
            f"CREATE POLICY {name} ON accounts FOR {command} TO recursion_app"
            f" {'USING' if key == 'using' else 'WITH CHECK'} ({expression});"
            "GRANT SELECT, INSERT, UPDATE ON accounts, teams TO recursion_app;"
            "SET ROLE recursion_app"
        )
        statements = [
            "SELECT count(*) FROM accounts",
            "UPDATE accounts SET owner_id = owner_id",
            "INSERT INTO accounts VALUES (3, 1, 1)",
        ]
        errors = []
        for statement in statements:
            try:
                conn.execute(statement)  # type: ignore[arg-type]
            except psycopg.Error as exc:
                errors.append(str(exc))
    recursion = [e for e in errors if "infinite recursion detected in policy" in e]
    assert bool(recursion) == recurses, errors
