"""Shared setup of the tests of ``check --database`` on a read-only database with
row-level security policies: the policies as YAML, a migrated database holding
rows, the database made read-only, and policies changed by hand."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from live_check import check_command
from migration_harness import by_hand, create_roles, live_findings, migrated_database
from pgcluster import PgCluster

#: the ``functions:`` entry of ``store_open(bigint)``: whether store $1 has an owner
STORE_OPEN = """\
  store_open:
    language: sql
    volatility: stable
    arguments: [bigint]
    returns: boolean
    body: SELECT EXISTS (SELECT 1 FROM stores WHERE id = $1 AND owner IS NOT NULL)
"""
#: the ``entities:`` entry of ``stores`` (id, owner)
STORE = """\
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      owner: {type: text, nullable: true}
"""
#: rows of ``stores`` (id, owner): 20, owners repeated, every fourth NULL
STORE_ROWS = (
    "INSERT INTO stores SELECT n, CASE WHEN n % 4 = 0 THEN NULL ELSE 'owner' || n % 3 END "
    "FROM generate_series(1, 20) n;"
)


def products(policies: Mapping[str, str], role: str, columns: str = "") -> str:
    """The ``entities:`` entry of ``products`` under row-level security: id, store_id
    and ``columns`` (YAML lines), with a SELECT policy for ``role`` of each USING."""
    return (
        "  Product:\n    row_level_security: true\n    columns:\n"
        "      id: {type: bigint, primary_key: true}\n"
        "      store_id: {type: bigint, nullable: true}\n"
        + columns
        + "    policies:\n"
        + select_policies(policies, role)
    )


def select_policies(policies: Mapping[str, str], role: str) -> str:
    """A table's ``policies:`` entries (indented under it): a SELECT policy for
    ``role`` with each USING, by name."""
    return "".join(
        f'      {name}: {{roles: [{role}], command: select, using: "{using}"}}\n'
        for name, using in policies.items()
    )


def policy_database(
    pg: PgCluster, tmp_path: Path, name: str, schema: str, rows: str
) -> tuple[Path, str]:
    """The project of ``schema`` migrated into a fresh database named ``name``
    (its role ``{name}_app`` created first), then ``rows`` run in it."""
    create_roles(pg, [f"{name}_app"])
    return migrated_database(pg, tmp_path, name, schema, rows)


def read_only(pg: PgCluster, name: str) -> None:
    """Make every later session of database ``name`` read-only, as on a hot standby."""
    pg.sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')


def alter_policies(pg: PgCluster, name: str, usings: Iterable[tuple[str, str]]) -> None:
    """Change each policy of ``products`` to another USING, by hand, in another session."""
    by_hand(pg, name, (f"ALTER POLICY {p} ON products USING ({using})" for p, using in usings))


def printed_using(pg: PgCluster, name: str, policy: str) -> str:
    """The USING of ``policy`` as PostgreSQL prints it back (``pg_get_expr``)."""
    return pg.sql(
        f"SELECT pg_get_expr(polqual, polrelid) FROM pg_policy WHERE polname = '{policy}'", name
    )


def assert_found_also_read_only(pg: PgCluster, root: Path, name: str, expected: list[str]) -> None:
    """``check --database`` finds ``expected`` (each finding's object), then the same
    once database ``name`` is made read-only."""
    url = pg.url(name)
    found = live_findings(root, url)
    assert [line.split(":")[0] for line in found] == expected, found
    read_only(pg, name)
    found = live_findings(root, url)
    assert [line.split(":")[0] for line in found] == expected, found


def assert_clean_read_only(pg: PgCluster, root: Path, name: str) -> None:
    """Once database ``name`` is made read-only, ``check --database`` finds nothing
    and exits 0."""
    url = pg.url(name)
    read_only(pg, name)
    assert live_findings(root, url) == []
    code, output = check_command(root, url)
    assert code == 0, output


def assert_check_reports(root: Path, url: str, *lines: str) -> None:
    """``check --database`` exits 1 (drift), its output holding each of ``lines``."""
    code, output = check_command(root, url)
    assert code == 1, output
    for line in lines:
        assert line in output
