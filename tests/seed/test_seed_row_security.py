"""``schemagen seed`` on tables under row-level security. With ``force``, the
table's owner too is subject to the policies: its INSERTs were refused (no policy
for it) or checked against a WITH CHECK its synthetic rows miss, its SELECTs saw
only the rows a policy shows (so rows already there were not seen, and the refusal
to seed a table that holds rows did not happen). Seed runs as the owner: it lifts
FORCE in its own transaction and puts it back before it commits; a role that is
neither the owner nor may bypass row-level security is refused up front, naming
the tables and their policies and what to do, with nothing written."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from migration_harness import create_roles, live_findings, migrated_project
from pgcluster import PASSWORD, PgCluster
from schemagen.cli import main
from schemagen.seed import run as seed_run
from seed_checks import project_schema, violations

SCHEMA = """
database: {name: rlsseed}
entities:
  Account:
    row_level_security: force
    columns:
      id: {type: bigint, primary_key: true}
      owner_id: {type: integer, nullable: true}
      plan: {type: string, length: 10, nullable: true}
    policies:
      own:
        roles: [rlsseed_app]
        using: "owner_id = current_setting('app.user_id', true)::int"
  Note:
    row_level_security: force
    columns:
      id: {type: bigint, primary_key: true}
      account_id: {references: Account, on_delete: cascade, index: true}
      body: {type: text, nullable: true}
    policies:
      short_bodies:
        using: "account_id > 0"
        with_check: "body IS NOT NULL AND length(body) < 3"
  Tag:
    columns:
      id: {type: bigint, primary_key: true}
      note_id: {references: Note, nullable: true}
"""

OWNER = "rlsseed_owner"
OTHER = "rlsseed_other"


def _url(pg: PgCluster, role: str, name: str) -> str:
    return pg.url(name).replace(f"postgres:{PASSWORD}@", f"{role}:pw-{role}@")


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    create_roles(pg, ["rlsseed_app"])
    for role in (OWNER, OTHER):
        pg.sql(
            f"DO $$BEGIN CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS "
            f"PASSWORD 'pw-{role}'; EXCEPTION WHEN duplicate_object THEN NULL; END$$"
        )
    name = pg.create_database("rlsseed")
    pg.sql(f'ALTER DATABASE "{name}" OWNER TO {OWNER}')
    root = migrated_project(tmp_path / "p", SCHEMA, _url(pg, OWNER, name))
    return root, name


#: Rows seed adds to each table.
ROWS = ("--rows-per", "accounts=40", "--rows-per", "notes=60", "--rows-per", "tags=80")


def _seed(root: Path, url: str, *extra: str) -> tuple[int, str]:
    args = ["seed", "--project", str(root), "--database", url, *ROWS, *extra]
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.output


def _counts(pg: PgCluster, name: str) -> list[str]:
    # as the superuser: every row, whatever the policies
    return pg.sql(
        "SELECT (SELECT count(*) FROM accounts) || ' ' || (SELECT count(*) FROM notes)"
        " || ' ' || (SELECT count(*) FROM tags)",
        name,
    ).split()


@pytest.mark.parametrize("bulk", [False, True])
def test_the_owner_seeds_forced_tables(
    pg: PgCluster, db: tuple[Path, str], monkeypatch: pytest.MonkeyPatch, bulk: bool
) -> None:
    if bulk:  # COPY into the empty tables, their keys and indexes made again after
        monkeypatch.setattr(seed_run, "BULK_ROWS", 1)
    root, name = db
    code, out = _seed(root, _url(pg, OWNER, name))
    assert code == 0, out
    assert "Traceback" not in out
    assert _counts(pg, name) == ["40", "60", "80"]
    with psycopg.connect(pg.libpq_url(name)) as conn:
        assert violations(conn, project_schema(root)) == []
        # every foreign key found its row, and picked among all of them
        row = conn.execute(
            "SELECT count(*), count(DISTINCT a.id) > 1 FROM notes n "
            "JOIN accounts a ON a.id = n.account_id"
        ).fetchone()
        assert row == (60, True)
        # FORCE is back, the policies untouched: the database is at the schema
        forced = conn.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relname IN ('accounts', 'notes', 'tags') ORDER BY 1"
        ).fetchall()
        assert forced == [
            ("accounts", True, True),
            ("notes", True, True),
            ("tags", False, False),
        ]
    assert live_findings(root, pg.url(name)) == []
    # the policies still hold for the owner: it sees no account (no policy for it)
    seen = pg.sql(f"SET ROLE {OWNER}; SELECT count(*) FROM accounts", name)
    assert seen.split() == ["0"]


def test_rows_the_owner_cannot_see_still_refuse_the_seed(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    """Rows a forced policy hides from the owner are rows all the same: seed refuses
    to add to them without --append, and with it numbers its rows after them."""
    root, name = db
    pg.sql(
        # NULLs and duplicates; ids from the table's identity, as the application's
        "INSERT INTO accounts (owner_id, plan) SELECT NULL, CASE WHEN n % 2 = 0 THEN 'x' END "
        "FROM generate_series(1, 5) n; INSERT INTO accounts (owner_id, plan) VALUES (1, 'x')",
        name,
    )
    code, out = _seed(root, _url(pg, OWNER, name))
    assert code == 2, out
    assert "refusing to seed: accounts already hold rows" in out and "Traceback" not in out
    assert _counts(pg, name) == ["6", "0", "0"]
    code, out = _seed(root, _url(pg, OWNER, name), "--append")
    assert code == 0, out
    assert _counts(pg, name) == ["46", "60", "80"]
    with psycopg.connect(pg.libpq_url(name)) as conn:
        assert violations(conn, project_schema(root)) == []


def test_a_role_the_policies_bind_is_refused_with_what_to_do(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    root, name = db
    pg.sql(
        f"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {OTHER}", name
    )
    code, out = _seed(root, _url(pg, OTHER, name))
    assert code == 2, out
    assert "Traceback" not in out
    assert out.strip() == (
        f"refusing to seed: row-level security applies to {OTHER} on accounts "
        "(policies: own), notes (policies: short_bodies), so the policies would "
        "refuse or hide seed's rows: seed as the tables' owner (seed lifts FORCE ROW "
        "LEVEL SECURITY in its own transaction), or as a role with BYPASSRLS"
    )
    assert _counts(pg, name) == ["0", "0", "0"]
