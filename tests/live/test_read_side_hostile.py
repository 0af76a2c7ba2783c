"""The commands that read a live database (``check --database``, ``import``,
``seed``), run as programs against a database whose tables hold rows, while
another session gets in their way: a transaction holding ACCESS EXCLUSIVE on a
table (``LOCK TABLE`` or an uncommitted ``ALTER TABLE``), or SHARE (``CREATE INDEX``);
the command's own session ended by the server, or its statement canceled by a
statement_timeout; and the server refusing the login.

The server's printers of stored expressions (``pg_get_expr``, ``pg_get_indexdef``)
open their table under ACCESS SHARE, so a catalog read does wait behind such a
lock: each command's wait ends after the project's ``lock_timeout`` (1s here)
with a one-line error naming the table and the holding session, exit 2.
"""

from __future__ import annotations

import shutil
import socket
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
    left = "No row was written" if command == "seed" else "Nothing was changed"
    assert f") holds ACCESS EXCLUSIVE on table public.products. {left}" in err, err
    assert f"(SELECT pg_terminate_backend({pid}))" in err
    assert counts(pg, name) == before
    assert not (root / "schema" / "database.yaml").exists()  # import wrote nothing
    assert (root / "schema" / "shop.yaml").read_text() == SHOP_YAML


def test_a_seed_blocked_by_an_index_build_names_it(pg: PgCluster, shop: tuple[Path, str]) -> None:
    """A SHARE lock (CREATE INDEX in an open transaction) lets seed read products but
    not write it: the insert's wait ends after lock_timeout, the rows of stores it
    wrote go with its transaction, the numbers it drew from stores_id_seq do not,
    and the message says so. Before: 'seeding products failed: canceling statement
    due to lock timeout', the holder unnamed; then 'Nothing was changed', while
    stores_id_seq stood further on."""
    root, name = shop
    before = counts(pg, name)
    position = "SELECT last_value FROM pg_sequences WHERE sequencename = 'stores_id_seq'"
    drawn = pg.sql(position, name)
    with psycopg.connect(pg.libpq_url(name)) as other:
        other.execute("CREATE INDEX ix_products_price ON products (price)")
        code, out, err = finish(start(root, "seed", pg.url(name)))
        pid = other.info.backend_pid
        other.rollback()
    assert code == 2, (out, err)
    assert_one_clean_line(err)
    assert f": session pid {pid} (idle in transaction, " in err, err
    assert (
        ") holds SHARE on table public.products. No row was written (its transaction "
        "rolled back; any sequence it drew numbers from keeps them drawn): rerun when"
    ) in err, err
    assert counts(pg, name) == before
    assert int(pg.sql(position, name)) > int(drawn)  # what the words are there for


def test_the_holders_tables_are_named_by_their_catalog_keys(
    pg: PgCluster, shop: tuple[Path, str]
) -> None:
    """The holder's locked tables are named as check --database and import key them:
    a name holding a dot quoted (public."sales.x"), a schema's own kept apart
    (sales.x). Before: 'public.sales.x', which reads as table x of a schema
    public.sales, beside 'sales.x'."""
    root, name = shop
    pg.sql(
        'CREATE SCHEMA sales; CREATE TABLE "sales.x" (n int); CREATE TABLE sales.x (n int)', name
    )
    with psycopg.connect(pg.libpq_url(name)) as other:
        other.execute('LOCK TABLE products, "sales.x", sales.x IN ACCESS EXCLUSIVE MODE')
        code, out, err = finish(start(root, "check", pg.url(name)))
        other.rollback()
    assert code == 2, (out, err)
    assert_one_clean_line(err)
    assert (
        ") holds ACCESS EXCLUSIVE on table public.products, ACCESS EXCLUSIVE on table "
        'public."sales.x", ACCESS EXCLUSIVE on table sales.x. Nothing was changed'
    ) in err, err


#: What pg_stat_activity shows of the command's session while it waits for a lock.
WAITING = (
    "SELECT pid FROM pg_stat_activity WHERE application_name = 'schemagen' "
    "AND datname = '{name}' AND wait_event_type = 'Lock'"
)


def waiting_backend(pg: PgCluster, name: str) -> int:
    """The pid of the command's session once it waits for a lock."""
    return int(pg.wait_for(WAITING.format(name=name), name, seconds=60))


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_session_ended_mid_command_is_one_line_and_leaves_nothing(
    pg: PgCluster, shop: tuple[Path, str], command: str
) -> None:
    """The command's own session ended by the server (pg_terminate_backend) while it
    works: exit 2, one line naming host, port and database, and nothing left. For
    seed, the session is ended after it wrote stores' rows in its transaction (a
    SHARE lock on products lets it read that table, not write it), and those rows go.
    Before: the same exit, with 'query failed on ...' and the statement's text."""
    root, name = shop
    (root / "pyproject.toml").write_text(PYPROJECT + 'lock_timeout = "1min"\n')
    before = counts(pg, name)
    mode = "SHARE" if command == "seed" else "ACCESS EXCLUSIVE"
    with psycopg.connect(pg.libpq_url(name)) as other:
        other.execute(f"LOCK TABLE products IN {mode} MODE")
        proc = start(root, command, pg.url(name))
        pid = waiting_backend(pg, name)
        if command == "seed":  # stores' rows are written, uncommitted
            held = f"SELECT mode FROM pg_locks WHERE pid = {pid} AND relation = 'stores'::regclass"
            assert "RowExclusiveLock" in pg.sql(held, name).split()
        pg.sql(f"SELECT pg_terminate_backend({pid})", name)
        code, out, err = finish(proc)
        other.rollback()
    assert code == 2, (out, err)
    assert_one_clean_line(err)
    assert err.startswith(
        f"lost the session on postgres@127.0.0.1:{pg.port}/{name} before the command "
        "finished: terminating connection due to administrator command. The server rolled "
        "back its open transaction; rerun the command"
    ), err
    assert counts(pg, name) == before
    assert pg.sql("SELECT count(*) FROM pg_class WHERE relpersistence = 't'", name).strip() == "0"
    assert (root / "schema" / "shop.yaml").read_text() == SHOP_YAML


def test_prove_ended_mid_run_is_one_line(
    pg: PgCluster, template: tuple[Path, str], tmp_path: Path
) -> None:
    """prove's session ended by the server as soon as it shows in pg_stat_activity
    (prove makes its own tables in an empty database, so no lock can hold it at a
    known step): exit 2, the same one line, whatever it was doing."""
    root = tmp_path / "project"
    shutil.copytree(template[0], root)
    name = pg.create_database(prefix="hostile_prove")
    try:
        argv = ["schemagen", "prove", "--database", pg.url(name), "--project", str(root)]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        mine = WAITING.format(name=name).removesuffix(" AND wait_event_type = 'Lock'")
        pid = int(pg.wait_for(mine, name, seconds=60).split()[0])
        pg.sql(f"SELECT pg_terminate_backend({pid})", name)
        code, out, err = finish(proc)
    finally:
        pg.drop_database(name)
    assert code == 2, (out, err)
    assert_one_clean_line(err)
    assert err.startswith(
        f"lost the session on postgres@127.0.0.1:{pg.port}/{name} before the command finished: "
    ), err


def test_a_statement_timeout_of_the_database_is_one_line_saying_what_to_raise(
    pg: PgCluster, shop: tuple[Path, str]
) -> None:
    """The database's statement_timeout ends check's read while it waits behind a
    lock (lock_timeout one minute): exit 2, one line that says which setting."""
    root, name = shop
    (root / "pyproject.toml").write_text(PYPROJECT + 'lock_timeout = "1min"\n')
    pg.sql(f"ALTER DATABASE \"{name}\" SET statement_timeout = '300ms'")
    with psycopg.connect(pg.libpq_url(name)) as other:
        other.execute("SET statement_timeout = 0")
        other.execute("LOCK TABLE products IN ACCESS EXCLUSIVE MODE")
        code, out, err = finish(start(root, "check", pg.url(name)))
        other.rollback()
    assert code == 2, (out, err)
    assert_one_clean_line(err)
    assert err.startswith(
        f"query canceled on postgres@127.0.0.1:{pg.port}/{name}: canceling statement due "
        "to statement timeout. Its open transaction was rolled back; rerun the command, "
        "after raising statement_timeout"
    ), err


#: A URL the server refuses, in each way: (URL, what the message says).
REFUSED = {
    "wrong-password": (
        "postgresql://postgres:wrong-{pw}@127.0.0.1:{port}/{name}",
        "password authentication failed",
    ),
    "no-database": ("postgresql://postgres:{pw}@127.0.0.1:{port}/{name}_gone", "does not exist"),
    "server-down": ("postgresql://postgres:{pw}@127.0.0.1:{down}/{name}", "Connection refused"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
@pytest.mark.parametrize("command", ["seed", "prove"])
def test_a_refused_login_names_the_database_never_the_password(
    pg: PgCluster, shop: tuple[Path, str], command: str, case: str
) -> None:
    """seed and prove (check's and import's are pinned in their own tests) told no at
    the door: exit 2, one line naming host, port and database, the password masked."""
    root, name = shop
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        down = probe.getsockname()[1]
    template, said = REFUSED[case]
    url = template.format(pw=PASSWORD, port=pg.port, name=name, down=down)
    argv = ["schemagen", command, "--database", url, "--project", str(root)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert_one_clean_line(done.stderr)
    assert "wrong-" not in done.stderr
    port = down if case == "server-down" else pg.port
    assert done.stderr.startswith(f"cannot connect to postgresql://postgres:***@127.0.0.1:{port}/")
    assert said in done.stderr
