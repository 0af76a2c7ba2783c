"""seed and prove of a project whose default PostgreSQL schema is app (``database.schema:
app``, one entity in public by saying so) through a DATABASE_URL that sets
``search_path=app`` (``?options=-csearch_path%3Dapp``): the schema's bare names are
public's there as in the migrations (env.py), so seed finds app's and public's tables
and fills both, and prove makes public's table in public."""

from __future__ import annotations

from pathlib import Path

import psycopg
from click.testing import CliRunner
from migration_harness import alembic, schemagen, write_schema
from pgcluster import PgCluster
from schemagen.cli import main
from seed_checks import project_schema, prove_cli, table_digest, violations

SCHEMA = """
database: {name: shop, schema: app}
enums:
  Plan: {values: [free, paid]}
entities:
  Setting:                        # public.settings
    schema: public
    columns:
      key: {type: string, length: 64, primary_key: true}
      label: {type: text, nullable: true}
  Account:                        # app.accounts
    columns:
      id: {type: bigint, primary_key: true}
      plan: {type: enum, enum: Plan, default: free}
      setting_key: {references: Setting, nullable: true}
    indexes:
      ix_accounts_setting_key:
        columns: [setting_key]
        serves: ["SELECT id FROM app.accounts WHERE setting_key = 'k-7'"]
"""

def search_path_url(pg: PgCluster, dbname: str) -> str:
    return pg.url(dbname) + "?options=-csearch_path%3Dapp"


def test_seed_through_search_path_app(pg: PgCluster, tmp_path: Path) -> None:
    """The same rows as through a plain URL, in public's table and app's."""
    write_schema(tmp_path, {"s.yaml": SCHEMA})
    schemagen(tmp_path, "migrate", "-m", "initial")
    schema = project_schema(tmp_path)
    digests = []
    for through in ("app", "plain"):
        dbname = pg.create_database(f"seed_{through}")
        url = search_path_url(pg, dbname) if through == "app" else pg.url(dbname)
        try:
            alembic(tmp_path, url, "upgrade", "head")
            argv = ["seed", "--project", str(tmp_path), "--database", url, "--rows", "30",
                    "--rows-per", "settings=8"]
            result = CliRunner().invoke(main, argv)
            assert result.exit_code == 0, result.output
            with psycopg.connect(pg.libpq_url(dbname)) as conn:
                assert violations(conn, schema) == []
                digests.append([table_digest(conn, e) for e in schema.entities])
            # accounts reference the settings seeded in public, NULLs among them
            assert pg.sql(
                "SELECT count(*) FILTER (WHERE setting_key IS NOT NULL) > 0 "
                "AND count(*) FILTER (WHERE setting_key IS NULL) > 0 FROM app.accounts",
                dbname,
            ).strip() == "t"
        finally:
            pg.drop_database(dbname)
    assert [count for count, _ in digests[0]] == [30, 8]  # Account, Setting
    assert digests[0] == digests[1]


def test_prove_through_search_path_app(pg: PgCluster, tmp_path: Path) -> None:
    write_schema(tmp_path, {"s.yaml": SCHEMA})
    dbname = pg.create_database("prove_sp")
    try:
        code, out = prove_cli(tmp_path, search_path_url(pg, dbname), "--rows", "2000")
        assert code == 0, out
        assert "1 of 1 declared queries use their index" in out, out
        # what prove made is public's and app's, none of it public's table in app
        assert pg.sql(
            "SELECT string_agg(oid::regclass::text, ',' ORDER BY oid::regclass::text) "
            "FROM pg_class WHERE relkind = 'r' AND relnamespace IN "
            "('public'::regnamespace, to_regnamespace('app'))",
            dbname,
        ).strip() == "app.accounts,settings"
    finally:
        pg.drop_database(dbname)
