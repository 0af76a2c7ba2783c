"""Policies that read each other's tables: ``teams``' read policy sub-selects
``accounts`` while ``accounts``' read policy sub-selects ``teams``. PostgreSQL
applies the read policies of each table a policy reads, so reading either table
goes round the cycle and fails at query time ("infinite recursion detected in
policy for relation"), while the migration that made them ran clean. 8f3a7a1 found
a policy reading its own table only; validate now finds such a cycle through
other tables, located at each policy of it.

Measured on PostgreSQL first (test_postgresql_recurses_on_exactly_the_cycles): a
cycle recurses when each of its edges is a ``using`` of an ``all`` or ``select``
policy (permissive or restrictive), every table on it has row-level security and
one role is bound by all of them; an update policy's ``using`` or a
``with_check`` on it, a table without row-level security, or policies of
different roles do not recurse."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from fixtures.language.helpers import issues_of
from migration_harness import create_roles
from pgcluster import PgCluster

READS_A = "team IN (SELECT a.team FROM accounts a WHERE a.owner_id = 1)"
READS_T = "EXISTS (SELECT 1 FROM teams t WHERE t.id = team)"
READS_L = "team IN (SELECT l.team FROM books.ledgers l)"

#: scenario -> (policies as (table, command, key, expression, role, permissive),
#:              tables with row-level security, whether PostgreSQL recurses)
Policy = tuple[str, str, str, str, str, bool]
SCENARIOS: dict[str, tuple[list[Policy], set[str], bool]] = {
    "select_select": (
        [("teams", "select", "using", READS_A, "cyc_a", True),
         ("accounts", "select", "using", READS_T, "cyc_a", True)],
        {"teams", "accounts"}, True,
    ),
    "all_restrictive": (
        [("teams", "all", "using", READS_A, "cyc_a", False),
         ("teams", "select", "using", "id > 0", "cyc_a", True),
         ("accounts", "all", "using", READS_T, "public", True)],
        {"teams", "accounts"}, True,
    ),
    "three_tables": (
        [("teams", "select", "using", READS_A, "public", True),
         ("accounts", "select", "using", READS_L, "public", True),
         ("books.ledgers", "select", "using", READS_T, "public", True)],
        {"teams", "accounts", "books.ledgers"}, True,
    ),
    "update_using": (
        [("teams", "update", "using", READS_A, "cyc_a", True),
         ("teams", "select", "using", "id > 0", "cyc_a", True),
         ("accounts", "select", "using", READS_T, "cyc_a", True)],
        {"teams", "accounts"}, False,
    ),
    "with_check": (
        [("teams", "all", "with_check", READS_A, "cyc_a", True),
         ("teams", "select", "using", "id > 0", "cyc_a", True),
         ("accounts", "select", "using", READS_T, "cyc_a", True)],
        {"teams", "accounts"}, False,
    ),
    "no_row_security": (
        [("teams", "select", "using", READS_A, "cyc_a", True),
         ("accounts", "select", "using", READS_T, "cyc_a", True)],
        {"teams"}, False,
    ),
    "other_roles": (
        [("teams", "select", "using", READS_A, "cyc_a", True),
         ("accounts", "select", "using", READS_T, "cyc_b", True)],
        {"teams", "accounts"}, False,
    ),
}  # fmt: skip


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_postgresql_recurses_on_exactly_the_cycles(
    pg: PgCluster, pg_db: str, scenario: str
) -> None:
    """The policies made by hand on tables holding rows (NULLs, a row twice); each
    table read, updated and inserted into as each role."""
    policies, secured, recurses = SCENARIOS[scenario]
    create_roles(pg, ["cyc_a", "cyc_b"])
    ddl = [
        "CREATE SCHEMA books",
        "CREATE TABLE teams (id integer, team integer)",
        "INSERT INTO teams VALUES (1, 1), (1, 1), (2, NULL)",
        "CREATE TABLE accounts (id bigint, owner_id integer, team integer)",
        "INSERT INTO accounts VALUES (1, 1, 1), (1, 1, 1), (2, NULL, NULL)",
        "CREATE TABLE books.ledgers (id bigint, team integer)",
        "INSERT INTO books.ledgers VALUES (1, 1), (1, 1), (2, NULL)",
        "GRANT USAGE ON SCHEMA books TO cyc_a, cyc_b",
        "GRANT SELECT, INSERT, UPDATE ON teams, accounts, books.ledgers TO cyc_a, cyc_b",
    ]
    ddl += [f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY" for t in sorted(secured)]
    for number, (table, command, key, sql, role, permissive) in enumerate(policies):
        clause = "USING" if key == "using" else "WITH CHECK"
        kind = "PERMISSIVE" if permissive else "RESTRICTIVE"
        ddl.append(
            f"CREATE POLICY p{number} ON {table} AS {kind} FOR {command} TO {role} {clause} ({sql})"
        )
    errors = []
    with psycopg.connect(pg.libpq_url(pg_db), autocommit=True) as conn:
        for statement in ddl:
            conn.execute(statement)  # type: ignore[arg-type]
        for role in ("cyc_a", "cyc_b"):
            conn.execute(f"SET ROLE {role}")  # type: ignore[arg-type]
            for table in ("teams", "accounts", "books.ledgers"):
                for statement in (
                    f"SELECT count(*) FROM {table}",
                    f"UPDATE {table} SET team = team",
                    f"INSERT INTO {table} (id, team) VALUES (3, 1)",
                ):
                    try:
                        conn.execute(statement)  # type: ignore[arg-type]
                    except psycopg.Error as exc:
                        errors.append(str(exc))
            conn.execute("RESET ROLE")
    recursion = [e for e in errors if "infinite recursion detected in policy" in e]
    assert bool(recursion) == recurses, errors


ENTITIES = {
    "teams": ("Team", "      id: {type: integer, primary_key: true}\n"),
    "accounts": ("Account", "      id: {type: bigint, primary_key: true}\n"
                 "      owner_id: {type: integer, nullable: true}\n"),
    "books.ledgers": ("Ledger", "      id: {type: bigint, primary_key: true}\n"),
}  # fmt: skip


def _schema(scenario: str) -> str:
    """The scenario in the language: one entity a table, its policies as measured."""
    policies, secured, _ = SCENARIOS[scenario]
    text = "entities:\n"
    for table, (entity, columns) in ENTITIES.items():
        text += f"  {entity}:\n"
        if "." in table:
            text += "    schema: books\n"
        if table in secured:
            text += "    row_level_security: true\n"
        text += "    columns:\n" + columns + "      team: {type: integer, nullable: true}\n"
        if any(p[0] == table for p in policies):
            text += "    policies:\n"
        for number, (owner, command, key, sql, role, permissive) in enumerate(policies):
            if owner == table:
                text += (
                    f'      p{number}: {{command: {command}, {key}: "{sql}", roles: [{role}],'
                    f" permissive: {str(permissive).lower()}}}\n"
                )
    return text


def _cycle_errors(issues: list[str]) -> list[str]:
    return [i for i in issues if "infinite recursion" in i]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_validate_refuses_exactly_what_recurses(tmp_path: Path, scenario: str) -> None:
    """Each measured scenario declared: refused where PostgreSQL recursed, accepted
    where it did not."""
    issues = issues_of(tmp_path, {"s.yaml": _schema(scenario)})
    assert bool(_cycle_errors(issues)) == SCENARIOS[scenario][2], issues


def test_each_policy_of_a_cycle_is_located(tmp_path: Path) -> None:
    why = (
        "its sub-select reads {target}, whose read policies read {source} again ({cycle}): "
        "PostgreSQL applies the policies of each table a policy reads, round the cycle, and "
        "the first query the policies bind fails with 'infinite recursion detected in "
        "policy'; read the rows through a SECURITY DEFINER function (routines:) instead"
    )
    issues = issues_of(tmp_path / "two", {"s.yaml": _schema("select_select")})
    assert _cycle_errors(issues) == [
        "schema/s.yaml:8:29: entities.Team.policies.p0.using: "
        + why.format(target="accounts", source="teams", cycle="teams -> accounts -> teams"),
        "schema/s.yaml:16:29: entities.Account.policies.p1.using: "
        + why.format(target="teams", source="accounts", cycle="accounts -> teams -> accounts"),
    ], issues
    issues = issues_of(tmp_path / "three", {"s.yaml": _schema("three_tables")})
    assert [i.split(": ")[1] for i in _cycle_errors(issues)] == [
        "entities.Team.policies.p0.using",
        "entities.Account.policies.p1.using",
        "entities.Ledger.policies.p2.using",
    ], issues
    assert "(books.ledgers -> teams -> accounts -> books.ledgers)" in _cycle_errors(issues)[2]
