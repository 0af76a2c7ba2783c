"""Migrations of a project whose default PostgreSQL schema is app (``database.schema:
app``) through a DATABASE_URL that sets ``search_path=app``
(``?options=-csearch_path%3Dapp``, common in production) on an empty database: the
first ``alembic upgrade head`` runs (Alembic's version table needs a schema before
revision 000 makes app), an entity that says ``schema: public`` lands in public, the
declared extensions are installed in public as through a plain URL (their types
read ``citext``, not ``app.citext``), the migrated schema equals ``create_all``'s,
``check --database`` finds nothing through either URL, and the downgrade to base
leaves nothing behind. A database whose version table is already in app keeps it
there."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from alembic import command
from click.testing import CliRunner
from migration_harness import (
    alembic,
    alembic_config,
    assert_same_dump,
    live_findings,
    load_case,
    project_env,
    prove,
    reference_dump,
    schemagen,
    write_schema,
)
from pgcluster import PgCluster
from pgdump import schema_dump
from schemagen.cli import main

SCHEMA = """
database: {name: shop, schema: app, extensions: [citext, pg_trgm]}
enums:
  Plan: {values: [free, paid]}
entities:
  Setting:                        # public.settings
    schema: public
    columns:
      key: {type: string, length: 64, primary_key: true}
      label: {type: citext, nullable: true}
    indexes:
      ix_settings_label: {columns: [label], using: gin, ops: {label: gin_trgm_ops}}
  Account:                        # app.accounts
    columns:
      id: {type: bigint, primary_key: true}
      plan: {type: enum, enum: Plan, default: free}
      email: {type: citext, nullable: true}
      setting_key: {references: Setting, nullable: true}
"""

#: A later change: a column on public's table and one on app's.
SCHEMA_2 = SCHEMA.replace(
    "      label: {type: citext, nullable: true}\n",
    "      label: {type: citext, nullable: true}\n      note: {type: text, nullable: true}\n",
).replace(
    "      email: {type: citext, nullable: true}\n",
    "      email: {type: citext, nullable: true}\n      nick: {type: citext, nullable: true}\n",
)

ROWS = (
    "INSERT INTO public.settings VALUES ('theme', 'Dark'), ('font', NULL), ('mode', 'dark');"
    "INSERT INTO app.accounts (id, email, setting_key) VALUES "
    "(1, 'A@x.io', 'theme'), (2, 'a@X.io', 'theme'), (3, NULL, NULL)"
)

#: Where each object landed: relations and types by schema, extensions by schema.
WHERE = (
    "SELECT string_agg(n.nspname || '.' || c.relname, ',' ORDER BY n.nspname, c.relname) "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind = 'r' AND n.nspname IN ('public', 'app');"
    "SELECT string_agg(e.extname || '@' || n.nspname, ',' ORDER BY e.extname) "
    "FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
    "WHERE e.extname <> 'plpgsql'"
)


CORPUS = Path(__file__).resolve().parents[1] / "corpus"
#: The corpus cases whose after schema has a database.schema.
HOMED_CASES = sorted(
    p.name for p in CORPUS.iterdir()
    if any((yaml.safe_load(f.read_text()).get("database") or {}).get("schema")
           for f in (p / "after").glob("*.yaml"))
)


def search_path_url(pg: PgCluster, dbname: str) -> str:
    return pg.url(dbname) + "?options=-csearch_path%3Dapp"


def check(root: Path, url: str) -> tuple[int, str]:
    """``schemagen check --database url``: the revision too, read from Alembic's table."""
    argv = ["check", "--project", str(root), "--no-cache", "--database", url]
    result = CliRunner().invoke(main, argv)
    return result.exit_code, result.output


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_schema(tmp_path, {"s.yaml": SCHEMA})
    schemagen(tmp_path, "migrate", "-m", "initial")
    return tmp_path


@pytest.mark.parametrize(
    ("search_path", "app_exists"),
    [(True, False), (True, True), (False, False)],
    ids=["search_path_app", "search_path_app_made_before", "plain_url"],
)
def test_upgrade_check_downgrade(
    pg: PgCluster, project: Path, search_path: bool, app_exists: bool
) -> None:
    dbname = pg.create_database("sp_cycle")
    url = search_path_url(pg, dbname) if search_path else pg.url(dbname)
    try:
        if app_exists:  # as a DBA may have made it, before any revision ran
            pg.sql("CREATE SCHEMA app", dbname)
        alembic(project, url, "upgrade", "head")
        pg.sql(ROWS, dbname)
        assert pg.sql(WHERE, dbname).split() == [
            "app.accounts,public.alembic_version,public.settings",
            "citext@public,pg_trgm@public",
        ]
        # citext compares without case, with the rows' NULLs and duplicates
        assert pg.sql(
            "SELECT count(*) FROM app.accounts a JOIN public.settings s "
            "ON s.key = a.setting_key WHERE a.email = 'a@x.io' AND s.label = 'DARK'",
            dbname,
        ).strip() == "2"
        expected = reference_dump(pg, project / "generated" / "models.py", ["citext", "pg_trgm"])
        assert_same_dump(schema_dump(pg, dbname), expected, "upgrade head")
        assert live_findings(project, url) == []
        assert live_findings(project, pg.url(dbname)) == []
        for through in (url, pg.url(dbname)):
            code, output = check(project, through)
            assert code == 0 and "nothing drifted" in output and "up to 000," in output, output
            with project_env(project, through):
                command.check(alembic_config(project))  # raises on any difference

        alembic(project, url, "downgrade", "base")
        assert pg.sql(WHERE, dbname).split() == ["public.alembic_version"]
        assert pg.sql("SELECT count(*) FROM public.alembic_version", dbname).strip() == "0"
        assert pg.sql("SELECT to_regnamespace('app') IS NULL", dbname).strip() == "t"
    finally:
        pg.drop_database(dbname)


def test_version_table_already_in_app_stays_there(pg: PgCluster, project: Path) -> None:
    """A database migrated while app existed before revision 000 (where Alembic made
    its version table in app, the connection's current schema) is not orphaned: the
    next upgrade reads and advances app's version table."""
    dbname = pg.create_database("sp_kept")
    url = search_path_url(pg, dbname)
    try:
        alembic(project, url, "upgrade", "head")
        pg.sql("ALTER TABLE public.alembic_version SET SCHEMA app;" + ROWS, dbname)
        write_schema(project, {"s.yaml": SCHEMA_2})
        schemagen(project, "migrate", "-m", "notes")
        code, output = check(project, url)
        assert code == 1 and "the database is at revision 000, 1 revision behind head 001" in (
            output
        ), output
        alembic(project, url, "upgrade", "head")
        assert pg.sql("SELECT version_num FROM app.alembic_version", dbname).strip() == "001"
        assert pg.sql("SELECT to_regclass('public.alembic_version') IS NULL", dbname) == "t\n"
        assert pg.sql(
            "SELECT count(note) || ' ' || count(*) FROM public.settings", dbname
        ).strip() == "0 3"
        code, output = check(project, url)
        assert code == 0 and "nothing drifted" in output and "up to 001," in output, output
        expected = reference_dump(pg, project / "generated" / "models.py", ["citext", "pg_trgm"])
        assert_same_dump(schema_dump(pg, dbname), expected, "upgrade head")
    finally:
        pg.drop_database(dbname)


@pytest.mark.parametrize("name", HOMED_CASES)
def test_corpus_case_through_search_path_app(pg: PgCluster, tmp_path: Path, name: str) -> None:
    """The corpus cases of a project in app, proven (upgrade from 000 with its rows,
    dumps equal create_all's, autogenerate, downgrade, the case's checks) with
    Alembic connecting through the search_path=app URL."""
    assert len(HOMED_CASES) >= 4, HOMED_CASES
    prove(pg, load_case(CORPUS / name), tmp_path / "project", "?options=-csearch_path%3Dapp")


def test_application_through_search_path_app_and_public(pg: PgCluster, project: Path) -> None:
    """The application's own session through ``search_path=app,public`` (as the docs
    ask of it: public holds the extensions and the entities that say so) reads and
    writes both tables with the generated models; citext compares without case."""
    import sqlalchemy as sa

    dbname = pg.create_database("sp_app")
    url = search_path_url(pg, dbname)
    try:
        alembic(project, url, "upgrade", "head")
        pg.sql(ROWS, dbname)
        with project_env(project, pg.url(dbname) + "?options=-csearch_path%3Dapp%2Cpublic"):
            from generated import database, models

            with database.get_sessionmaker()() as session:
                session.add(models.Setting(key="lang", label="EN"))
                session.flush()
                found = session.scalars(
                    sa.select(models.Account.id)
                    .join(models.Account.setting_key_ref)
                    .where(models.Account.email == "a@x.io", models.Setting.label == "dark")
                    .order_by(models.Account.id)
                ).all()
                assert found == [1, 2]
                assert session.scalar(sa.select(sa.func.count()).select_from(models.Setting)) == 4
                session.commit()
            database.get_engine().dispose()
        assert pg.sql("SELECT label FROM public.settings WHERE key = 'lang'", dbname) == "EN\n"
    finally:
        pg.drop_database(dbname)
