"""The commands that read a live database (``check --database``, ``import``,
``seed``), run as programs against a database whose tables hold rows, while
another session gets in their way: a transaction holding ACCESS EXCLUSIVE on a
table (``LOCK TABLE`` or an uncommitted ``ALTER TABLE``), or SHARE (``CREATE INDEX``).

The server's printers of stored expressions (``pg_get_expr``, ``pg_get_indexdef``)
open their table under ACCESS SHARE, so a catalog read does wait behind such a
lock: each command's wait ends after the project's ``lock_timeout`` (1s here)
with a one-line error naming the table and the holding session, exit 2.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from check_projects import PYPROJECT, SHOP_YAML
from migration_harness import alembic
from pgcluster import PASSWORD, PgCluster
from schemagen.api import migrate_project, seed_project

#: Rows seeded into products (stores: one) before each test.
ROWS = 40

#: Each command as a user runs it, against the database URL.
COMMANDS = {
    "check": ("check", "--no-cache", "--database"),
    "import": ("import", "--force", "--database"),
    "seed": ("seed", "--append", "--rows", "5", "--database"),
}

#: Statements that leave ACCESS EXCLUSIVE on products held in an open transaction.
HOLDERS = {
    "lock-table": "LOCK TABLE products IN ACCESS EXCLUSIVE MODE",
    "alter-table": "ALTER TABLE products ADD COLUMN half_done text",
}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, pg: PgCluster) -> Iterator[tuple[Path, str]]:
    """The shop project (lock_timeout 1s) at head, and a database at head holding rows."""
    root = tmp_path_factory.mktemp("hostile") / "project"
    (root / "schema").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT + 'lock_timeout = "1s"\n')
    (root / "schema" / "shop.yaml").write_text(SHOP_YAML)
    migrate_project(root, "initial schema")
    name = pg.create_database(prefix="hostile_tmpl")
    alembic(root, pg.url(name), "upgrade", "head")
    seed_project(root, pg.url(name), rows_per={"stores": 1, "products": ROWS})
    yield root, name
    pg.drop_database(name)


@pytest.fixture
def shop(template: tuple[Path, str], pg: PgCluster, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A copy of the project and a fresh copy of the database (its name)."""
    root = tmp_path / "project"
    shutil.copytree(template[0], root)
    name = f"{template[1]}_copy"
    pg.sql(f'CREATE DATABASE "{name}" TEMPLATE "{template[1]}"')
    try:
        yield root, name
    finally:
        pg.drop_database(name)


def start(root: Path, command: str, url: str) -> subprocess.Popen[str]:
    """``schemagen <command> ... --database url --project root``, running."""
    argv = ["schemagen", *COMMANDS[command], url, "--project", str(root)]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    """Its exit code, stdout and stderr (a hang fails the test, after two minutes)."""
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


def counts(pg: PgCluster, name: str) -> str:
    return pg.sql("SELECT (SELECT count(*) FROM stores), (SELECT count(*) FROM products)", name)


def assert_one_clean_line(err: str) -> None:
    assert "Traceback" not in err and PASSWORD not in err, err
    assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("holder", sorted(HOLDERS))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_table_held_access_exclusive_ends_the_command_naming_its_holder(
    pg: PgCluster, shop: tuple[Path, str], command: str, holder: str
) -> None:
    """Before: check and seed waited for ever; import gave up after 10s with the
    server's 'canceling statement due to lock timeout' alone."""
    root, name = shop
    before = counts(pg, name)
    with psycopg.connect(pg.libpq_url(name)) as other:
        other.execute(HOLDERS[holder])
        code, out, err = finish(start(root, command, pg.url(name)))
        pid = other.info.backend_pid
        other.rollback()
    assert code == 2, (out, err)
    assert_one_clean_line(err)
    assert err.startswith(
        f"waited lock_timeout (1s) for a lock on postgres@127.0.0.1:{pg.port}/{name}"
    )
    assert f": session pid {pid} (idle in transaction, transaction started " in err, err
    assert ") holds ACCESS EXCLUSIVE on table public.products. Nothing was changed" in err, err
    assert f"(SELECT pg_terminate_backend({pid}))" in err
    assert counts(pg, name) == before
    assert not (root / "schema" / "database.yaml").exists()  # import wrote nothing
    assert (root / "schema" / "shop.yaml").read_text() == SHOP_YAML


def test_a_seed_blocked_by_an_index_build_names_it(pg: PgCluster, shop: tuple[Path, str]) -> None:
    """A SHARE lock (CREATE INDEX in an open transaction) lets seed read products but
    not write it: the insert's wait ends after lock_timeout, the rows of stores it
    wrote go with its transaction. Before: 'seeding products failed: canceling
    statement due to lock timeout', the holder unnamed."""
    root, name = shop
    before = counts(pg, name)
    with psycopg.connect(pg.libpq_url(name)) as other:
        other.execute("CREATE INDEX ix_products_price ON products (price)")
        code, out, err = finish(start(root, "seed", pg.url(name)))
        pid = other.info.backend_pid
        other.rollback()
    assert code == 2, (out, err)
    assert_one_clean_line(err)
    assert f": session pid {pid} (idle in transaction, " in err, err
    assert ") holds SHARE on table public.products. Nothing was changed" in err, err
    assert counts(pg, name) == before
