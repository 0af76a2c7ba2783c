"""A throwaway PostgreSQL cluster for the test suite: temp dir, free loopback port.

The server runs as an unprivileged user when the tests run as root (``initdb``
refuses root), with password authentication so that password masking is
exercised against a real password.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PASSWORD = "s3cret-Pw!"
USER = "postgres"


def pg_bindir() -> Path:
    """The newest Debian PostgreSQL bin folder, else wherever ``initdb`` is on PATH."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2])
    )
    if candidates:
        return Path(candidates[-1])
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("PostgreSQL is not installed: no /usr/lib/postgresql/*/bin, no initdb")
    return Path(initdb).parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PgCluster:
    """A running cluster; use :meth:`create_database` for an isolated database per test."""

    bindir: Path
    datadir: Path
    port: int
    run_as: str | None
    _counter: int = field(default=0)

    def url(self, dbname: str = "postgres", driver: str = "psycopg") -> str:
        return f"postgresql+{driver}://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{dbname}"

    def libpq_url(self, dbname: str = "postgres") -> str:
        """A plain ``postgresql://`` URL for libpq tools (psql, pg_dump)."""
        return f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{dbname}"

    def bin(self, name: str) -> str:
        return str(self.bindir / name)

    def env(self) -> dict[str, str]:
        """Environment for libpq command-line tools (pg_dump, psql)."""
        env = dict(os.environ)
        env.update(PGHOST="127.0.0.1", PGPORT=str(self.port), PGUSER=USER, PGPASSWORD=PASSWORD)
        return env

    def sql(self, statement: str, dbname: str = "postgres") -> str:
        """Run SQL through psql and return its unaligned output."""
        out = subprocess.run(
            [self.bin("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
             "-d", dbname, "-c", statement],
            env=self.env(), check=True, capture_output=True, text=True,
        )
        return out.stdout

    def wait_for(self, query: str, dbname: str, seconds: float = 30) -> str:
        """``query``'s first non-empty answer, asked every 50 ms (a second session's
        statement reaching a lock, say); an AssertionError after ``seconds``."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = self.sql(query, dbname).strip()
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"nothing matched {query!r}")

    def create_database(self, prefix: str = "t") -> str:
        """Create a fresh empty database and return its name."""
        self._counter += 1
        name = f"{prefix}_{os.getpid()}_{self._counter}".lower()
        self.sql(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        self._run([self.bin("pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "-w", "stop"],
                  check=False)

    def destroy(self) -> None:
        """Stop the server and remove its temp folder (data, socket, log)."""
        self.stop()
        shutil.rmtree(self.datadir.parent, ignore_errors=True)

    def _run(self, argv: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        if self.run_as:
            argv = ["runuser", "-u", self.run_as, "--", *argv]
        return subprocess.run(argv, check=check, capture_output=True, text=True)


def start_cluster(base: Path | None = None, settings: dict[str, str] | None = None) -> PgCluster:
    """initdb + pg_ctl start in a new temp dir; return the running cluster.

    ``settings``: server settings to start with (``{"max_locks_per_transaction": "10"}``).
    """
    bindir = pg_bindir()
    run_as = "postgres" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="schemagen-pg-", dir=base))
    os.chmod(root, 0o777)
    datadir = root / "data"
    pwfile = root / "pw"
    pwfile.write_text(PASSWORD + "\n")
    os.chmod(pwfile, 0o644)
    cluster = PgCluster(bindir=bindir, datadir=datadir, port=_free_port(), run_as=run_as)
    cluster._run([
        str(bindir / "initdb"), "-D", str(datadir), "-U", USER, "--pwfile", str(pwfile),
        "-A", "scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
    ])
    # The port is free when probed, not when the server binds it: parallel test
    # workers each start a cluster at the same moment, so a taken port gets a new one.
    for attempt in range(5):
        opts = (
            f"-p {cluster.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        opts += "".join(f" -c {name}={value}" for name, value in (settings or {}).items())
        started = cluster._run([str(bindir / "pg_ctl"), "-D", str(datadir), "-o", opts,
                                "-l", str(root / "server.log"), "-w", "-t", "60", "start"],
                               check=False)
        if started.returncode == 0:
            break
        log = (root / "server.log").read_text(errors="replace")
        if "could not bind" not in log or attempt == 4:
            raise RuntimeError(f"PostgreSQL did not start: {started.stderr}\n{log[-2000:]}")
        cluster.port = _free_port()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            cluster.sql("SELECT 1")
            return cluster
        except subprocess.CalledProcessError:
            time.sleep(0.2)
    raise RuntimeError(f"PostgreSQL did not start; see {root / 'server.log'}")
