"""`schemagen check --database` end to end: a project's own revisions applied with
`alembic upgrade head` to the test PostgreSQL, then drift made by hand."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from check_projects import PYPROJECT, SHOP_YAML, add_sku
from click.testing import CliRunner, Result
from pgcluster import PASSWORD, PgCluster
from schemagen.api import build_project, migrate_project
from schemagen.cli import main


@pytest.fixture(scope="module")
def project_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("live") / "project"
    (root / "schema").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "schema" / "shop.yaml").write_text(SHOP_YAML)
    migrate_project(root, "initial schema")
    add_sku(root)
    migrate_project(root, "add sku")
    return root


@pytest.fixture(scope="module")
def migrated_template(project_template: Path, pg: PgCluster) -> Iterator[str]:
    """A database upgraded to head once; tests get copies (CREATE DATABASE ... TEMPLATE)."""
    name = pg.create_database(prefix="check_tmpl")
    alembic(project_template, pg.url(name), "upgrade", "head")
    yield name
    pg.drop_database(name)


@pytest.fixture
def migrated(
    project_template: Path, migrated_template: str, pg: PgCluster
) -> Iterator[tuple[Path, str]]:
    """The project, and a fresh database at its head revision (its name)."""
    name = f"{migrated_template}_copy"
    pg.sql(f'CREATE DATABASE "{name}" TEMPLATE "{migrated_template}"')
    try:
        yield project_template, name
    finally:
        pg.drop_database(name)


def alembic(project: Path, url: str, *args: str) -> None:
    env = dict(os.environ, DATABASE_URL=url)
    proc = subprocess.run(
        [sys.executable, "-m", "alembic", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr


def check(project: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["check", "--project", str(project), *args], env=env)


def test_migrated_database_has_no_drift(migrated: tuple[Path, str], pg: PgCluster) -> None:
    project, pg_db = migrated
    result = check(project, "--database", pg.url(pg_db))
    assert result.exit_code == 0, result.output
    assert f"database postgresql+psycopg://postgres:***@127.0.0.1:{pg.port}/{pg_db}" in (
        result.output
    )
    assert PASSWORD not in result.output


def test_database_option_without_value_reads_database_url(
    migrated: tuple[Path, str], pg: PgCluster
) -> None:
    project, pg_db = migrated
    pg.sql("ALTER TABLE stores ADD COLUMN note text", pg_db)
    result = check(project, "--database", env={"DATABASE_URL": pg.url(pg_db)})
    assert result.exit_code == 1
    assert "  column stores.note: in the database but not in the schema" in (
        result.output.splitlines()
    )


def test_one_revision_behind_head(migrated: tuple[Path, str], pg: PgCluster) -> None:
    project, pg_db = migrated
    alembic(project, pg.url(pg_db), "downgrade", "-1")
    result = check(project, "--database", pg.url(pg_db))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "  database revision: the database is at revision 000, 1 revision behind head 001" in (
        lines
    )
    assert "  column products.sku: missing from the database" in lines
    assert "  -> run `alembic upgrade head` against this database" in lines


def test_hand_changes_in_json(migrated: tuple[Path, str], pg: PgCluster) -> None:
    project, pg_db = migrated
    pg.sql(
        "DROP INDEX idx_products_title_search; "
        "ALTER TYPE product_status ADD VALUE 'discontinued'; "
        "ALTER TABLE products DROP CONSTRAINT fk_products_store_id_stores, "
        "ADD CONSTRAINT fk_products_store_id_stores FOREIGN KEY (store_id) "
        "REFERENCES stores (id) ON DELETE SET NULL",
        pg_db,
    )
    result = check(project, "--format", "json", "--database", pg.url(pg_db))
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert [(f["kind"], f["object"], f["message"]) for f in data["findings"]] == [
        (
            "database",
            "foreign key fk_products_store_id_stores on products",
            "ON DELETE SET NULL in the database, CASCADE in the schema",
        ),
        ("database", "index idx_products_title_search on products", "missing from the database"),
        (
            "database",
            "enum product_status",
            "value(s) 'discontinued' only in the database: (draft, active, archived, discontinued) "
            "in the database, (draft, active, archived) in the schema",
        ),
    ]
    assert PASSWORD not in result.output


@pytest.mark.parametrize("case", ["password", "dbname", "port"])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_unreachable_database_is_exit_2_with_the_password_masked(
    project_template: Path, pg: PgCluster, case: str, fmt: str
) -> None:
    url = {
        "password": pg.url("postgres").replace(PASSWORD, "wrong-Pw!"),
        "dbname": pg.url("no_such_db"),
        "port": pg.url("postgres").replace(f":{pg.port}/", ":1/"),
    }[case]
    result = CliRunner().invoke(
        main, ["check", "--project", str(project_template), "--format", fmt, "--database", url]
    )
    assert result.exit_code == 2
    everything = result.stdout + result.stderr
    assert PASSWORD not in everything and "wrong-Pw!" not in everything
    assert "Traceback" not in everything
    if fmt == "text":
        assert result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1
        assert result.stderr.startswith("cannot connect to postgresql+psycopg://postgres:***@")
    else:
        data = json.loads(result.stdout)
        assert data["exit_code"] == 2 and data["error"].startswith("cannot connect to ")


def test_flagship_migrated_database_matches_its_schema(
    flagship_copy: Path, pg: PgCluster, pg_db: str
) -> None:
    """Every flagship default, check, partial/trigram/GIN index compares equal after upgrade."""
    build_project(flagship_copy)  # writes alembic.ini, which the repo may not hold
    if not list((flagship_copy / "generated" / "migrations" / "versions").glob("0*.py")):
        migrate_project(flagship_copy, "initial schema")  # before the flagship history lands
    alembic(flagship_copy, pg.url(pg_db), "upgrade", "head")
    result = check(flagship_copy, "--database", pg.url(pg_db))
    assert result.exit_code == 0, result.output
    pg.sql("ALTER TABLE products ALTER COLUMN status SET DEFAULT 'draft'", pg_db)
    result = check(flagship_copy, "--database", pg.url(pg_db))
    assert result.exit_code == 1
    assert (
        "  column products.status: default is 'draft'::product_status in the database, "
        "'active'::product_status in the schema" in result.output.splitlines()
    )


def test_database_option_without_value_reads_the_env_file_as_alembic_does(
    migrated: tuple[Path, str], pg: PgCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No DATABASE_URL in the environment: the project root's .env names the database,
    for `schemagen check --database` exactly as for `alembic` (run from elsewhere)."""
    project, pg_db = migrated
    pg.sql("ALTER TABLE stores ADD COLUMN note text", pg_db)
    env_file = project / ".env"
    env_file.write_text(f"# local settings\nexport DATABASE_URL='{pg.url(pg_db)}'\n")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    try:
        result = check(project, "--database")
        current = subprocess.run(
            [sys.executable, "-m", "alembic", "-c", str(project / "alembic.ini"), "current"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
    finally:
        env_file.unlink()
    assert result.exit_code == 1, result.output
    assert "  column stores.note: in the database but not in the schema" in (
        result.output.splitlines()
    )
    assert PASSWORD not in result.output
    assert current.returncode == 0 and "(head)" in current.stdout, current.stderr
