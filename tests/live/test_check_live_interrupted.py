"""``check --database`` interrupted (Ctrl-C) while its files' child waits on the
server: the command ends as click ends an interrupted one ('Aborted!') but with
exit 130, and the child and its session go.

Since ee6636c the database comparison runs in the files' child, and the caller
waits for that child (:meth:`schemagen.util.background.Job.result`) for as long
as the server keeps the comparison waiting, here behind another session's
ACCESS EXCLUSIVE on a table: the likeliest moment for a Ctrl-C.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from check_projects import PYPROJECT, SHOP_YAML
from interrupts import sigint_default
from migration_harness import alembic
from pgcluster import PgCluster
from schemagen.api import migrate_project


@pytest.fixture
def shop(tmp_path: Path, pg: PgCluster) -> Iterator[tuple[Path, str]]:
    """The shop project (lock_timeout 60s: the wait outlasts the test) and a database at head."""
    root = tmp_path / "project"
    (root / "schema").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT + 'lock_timeout = "60s"\n')
    (root / "schema" / "shop.yaml").write_text(SHOP_YAML)
    migrate_project(root, "initial schema")
    name = pg.create_database(prefix="interrupted")
    alembic(root, pg.url(name), "upgrade", "head")
    try:
        yield root, name
    finally:
        pg.drop_database(name)


def waiting(pg: PgCluster, name: str) -> int:
    """How many schemagen sessions on ``name`` wait for a lock."""
    return int(
        pg.sql(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'schemagen' "
            f"AND datname = '{name}' AND wait_event_type = 'Lock'"
        )
    )


def sessions(pg: PgCluster, name: str) -> int:
    """How many schemagen sessions are on ``name``."""
    return int(
        pg.sql(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'schemagen' "
            f"AND datname = '{name}'"
        )
    )


def until(condition: object, what: str) -> None:
    """Poll ``condition`` (a callable) for up to a minute; fail naming ``what``."""
    for _ in range(600):
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.1)
    pytest.fail(f"gave up waiting: {what}")


def test_ctrl_c_while_the_comparison_waits_stops_the_check_and_its_child(
    pg: PgCluster, shop: tuple[Path, str]
) -> None:
    """Before: the caller's KeyboardInterrupt became 'OSError: [Errno 9] Bad file
    descriptor' (Job.cancel closed the pipe that result's file object had closed
    already; exit 1, the code of drift), and the killed child was never reaped.
    Then click's 'Aborted!', still with exit 1."""
    root, name = shop
    argv = [sys.executable, "-m", "schemagen.cli", "check", "--no-cache", "--database",
            pg.url(name), "--project", str(root)]  # fmt: skip
    with psycopg.connect(pg.libpq_url(name)) as other:
        other.execute("LOCK TABLE products IN ACCESS EXCLUSIVE MODE")
        proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=sigint_default,
        )  # fmt: skip
        try:
            until(lambda: waiting(pg, name) == 1, "the check's comparison waiting on products")
            proc.send_signal(signal.SIGINT)  # to the caller alone, as kill -INT does
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        until(lambda: sessions(pg, name) == 0, "the child's session to end")
        other.rollback()
    # click's line for an interrupted command, no traceback, and the shell's code for
    # SIGINT (128 + 2): click's own 1 is the code of drift
    assert (proc.returncode, out, err.strip()) == (130, "", "Aborted!")
