"""Side-by-side timings: schemagen next to the tools users would otherwise pick.

For each size, on a synthetic project (``synthetic.py``) and a throwaway
PostgreSQL cluster (``tests/pgcluster.py``, started and stopped here), the
median of several fresh processes of:

- ``check --database`` on a database at head: ``alembic check`` and migra
  (the database at head against a second one at head), with peak memory;
- ``plan`` with nothing changed: ``alembic check``;
- ``migrate`` of the first revision: ``alembic revision --autogenerate``;
- ``alembic upgrade head`` of that first revision: the same DDL through
  ``psql`` (``alembic upgrade head --sql``, one statement at a time) and
  ``metadata.create_all``;
- importing the generated models (mapping configured);
- ``build`` (YAML to models): sqlacodegen (database to models).

The peers run from their own virtual environment: ``--peers DIR``, or by
default the one ``peers.py`` makes on first use (``~/.cache/schemagen/bench-peers``,
migra, sqlacodegen and their drivers installed with pip); they are never
dependencies of schemagen. A peer that is missing or fails
prints ``-`` or ``fails`` in its cell, and the reason below the table.

    python benchmarks/bench.py --floor-only --sizes "" --pairs 200,2000 --runs 3
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from pgcluster import PgCluster, start_cluster  # noqa: E402
from synthetic import write_project  # noqa: E402

#: Runs a command and prints its wall time, its peak memory (KB) and its CPU
#: seconds (user + system, with its own children) on stderr.
_MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode
elapsed = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{code} {elapsed} {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}", file=sys.stderr)
"""

_CREATE_ALL = """
import sys
sys.path.insert(0, ".")
import sqlalchemy as sa
import generated.models as models
engine = sa.create_engine(sys.argv[1])
with engine.begin() as conn:
    conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    models.Base.metadata.create_all(conn)
"""

_IMPORT_MODELS = """
import sys
sys.path.insert(0, ".")
import generated.models as models
models.Base.registry.configure()
"""


@dataclass
class Cell:
    """The median seconds (and peak MB) of one command, or why there is none."""

    seconds: float | None = None
    peak_mb: float | None = None
    failure: str | None = None
    #: CPU seconds (median): on a shared machine, what the wall time would be alone.
    cpu: float | None = None

    def show(self, memory: bool = False) -> str:
        if self.failure is not None:
            return "fails"
        if self.seconds is None:
            return "-"
        text = f"{self.seconds:.2f} s"
        if memory and self.cpu is not None:
            text += f" ({self.cpu:.2f} s CPU)"
        return text + (f", {self.peak_mb:.0f} MB" if memory and self.peak_mb else "")


@dataclass
class Bench:
    """One size's project, databases and the tools that run on them."""

    pg: PgCluster
    root: Path
    runs: int
    peers: Path | None
    env: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def tool(self, name: str) -> str | None:
        """A console script: schemagen's from this environment, peers' from theirs."""
        if name in ("schemagen", "alembic"):
            return shutil.which(name) or str(Path(sys.executable).parent / name)
        if self.peers is None:
            return None
        path = self.peers / "bin" / name
        return str(path) if path.exists() else None

    def measure(
        self,
        argv: list[str | None],
        before: Callable[[], None] | None = None,
        label: str = "",
        ok: tuple[str, ...] = ("0", "1"),
    ) -> Cell:
        """Median of ``runs`` fresh processes after one warm-up run (none when ``runs``
        is 1); exit codes in
        ``ok`` count (1: drift found; migra says 2 for a difference)."""
        if any(a is None for a in argv):
            return Cell()
        times, peaks, cpus = [], [], []
        warm_up = 1 if self.runs > 1 else 0  # --runs 1: one cold run, for the largest sizes
        for n in range(self.runs + warm_up):
            if before:
                before()
            out = subprocess.run(
                [sys.executable, "-c", _MEASURE, *[a for a in argv if a is not None]],
                cwd=self.root, env=self.env, capture_output=True, text=True,
            )
            code, elapsed, peak, cpu = out.stderr.strip().splitlines()[-1].split()
            if code not in ok:
                self.notes.append(f"{label or argv[0]} exited {code}")
                return Cell(failure=code)
            if n >= warm_up:
                times.append(float(elapsed))
                peaks.append(int(peak) / 1024)
                cpus.append(float(cpu))
        return Cell(statistics.median(times), max(peaks), cpu=statistics.median(cpus))

    def fresh_db(self, name: str) -> str:
        self.pg.drop_database(name)
        self.pg.sql(f'CREATE DATABASE "{name}"')
        return name

    def url(self, db: str, driver: str = "psycopg") -> str:
        return self.pg.url(db, driver=driver)


#: The rows ``--pair-rows`` can pick (all by default): ``check`` is ``check --database``
#: with its peers; ``rest`` is every other row.
ROWS = ("check", "rest")


def pairs_report(
    sizes: list[int], runs: int, tmp: Path, peers: Path | None, rows: tuple[str, ...] = ROWS
) -> None:
    """Print one table per size: each schemagen command next to its peers."""
    pg = start_cluster()
    try:
        for size in sizes:
            bench = _setup(pg, tmp / f"pairs_{size}", size, runs, peers)
            print(f"== side by side at {size} tables (median of {runs} runs)")
            for what, ours, theirs in _rows(bench, rows):
                print(f"{what:<34} {ours:<22} {theirs}")
            for note in bench.notes:
                print(f"  note: {note}")
            print(flush=True)
    finally:
        pg.stop()
        shutil.rmtree(pg.datadir.parent, ignore_errors=True)


def _setup(pg: PgCluster, root: Path, size: int, runs: int, peers: Path | None) -> Bench:
    write_project(root, size)
    bench = Bench(pg, root, runs, peers)
    bench.env = {k: v for k, v in pg.env().items() if k != "PYTHONDONTWRITEBYTECODE"}
    sg = bench.tool("schemagen")
    subprocess.run([sg, "build"], cwd=root, check=True, capture_output=True)
    subprocess.run([sg, "migrate", "-m", "initial"], cwd=root, check=True, capture_output=True)
    bench.env["DATABASE_URL"] = bench.url("offline")
    sql = subprocess.run(
        [bench.tool("alembic"), "upgrade", "head", "--sql"],
        cwd=root, env=bench.env, check=True, capture_output=True, text=True,
    ).stdout
    # psql runs it one statement at a time: one transaction would need more locks
    # than a stock server has at 2,000 tables.
    lines = [line for line in sql.splitlines() if line not in ("BEGIN;", "COMMIT;")]
    (root / "upgrade.sql").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return bench


def _rows(b: Bench, rows: tuple[str, ...] = ROWS) -> list[tuple[str, str, str]]:
    sg, alembic = b.tool("schemagen"), b.tool("alembic")
    psql = b.pg.bin("psql")

    # Two databases at head: migra compares one with the other. (Not made by
    # create_all: at 2,000 tables it runs out of locks on a stock server.)
    for name in ("head", "created"):
        b.fresh_db(name)
        subprocess.run([psql, "-X", "-q", "-d", name, "-f", "upgrade.sql"], cwd=b.root,
                       env=b.pg.env(), check=True, capture_output=True)
    b.env["DATABASE_URL"] = b.url("head")
    alembic_check = b.measure([alembic, "check"], label="alembic check")
    found = _check_rows(b, alembic_check) if "check" in rows else []
    if "rest" not in rows:
        return found
    plan = b.measure([sg, "plan"], label="plan")
    imported = b.measure([sys.executable, "-c", _IMPORT_MODELS], label="import models")

    versions = b.root / "generated" / "migrations" / "versions"
    keep = {p.name for p in versions.glob("*.py")}

    def no_new_revisions() -> None:
        for p in versions.glob("*.py"):
            if p.name not in keep:
                p.unlink()

    migrate = _migrate_first(b)
    b.env["DATABASE_URL"] = b.url("empty")
    b.fresh_db("empty")
    autogen = _autogenerate(b, alembic, no_new_revisions)

    b.env["DATABASE_URL"] = b.url("up")
    upgrade = b.measure([alembic, "upgrade", "head"], before=lambda: b.fresh_db("up"),
                        label="alembic upgrade head")
    by_psql = b.measure([psql, "-X", "-q", "-d", "up", "-f", "upgrade.sql"],
                        before=lambda: b.fresh_db("up"), label="psql")
    create_all = b.measure([sys.executable, "-c", _CREATE_ALL, b.url("up")],
                           before=lambda: b.fresh_db("up"), label="create_all")
    build = b.measure([sg, "build"], label="build")
    codegen = b.measure([b.tool("sqlacodegen"), b.url("head", "psycopg2")], label="sqlacodegen")
    return found + [
        ("plan (nothing changed)", plan.show(True), f"alembic check {alembic_check.show()}"),
        ("migrate (first revision)", migrate.show(True),
         f"alembic revision --autogenerate {autogen.show(True)}"),
        ("alembic upgrade head (first rev.)", upgrade.show(True),
         f"psql {by_psql.show()}; create_all {create_all.show(True)}"),
        ("import generated models", imported.show(True), ""),
        ("build (YAML -> models)", build.show(True),
         f"sqlacodegen (database -> models) {codegen.show(True)}"),
    ]


def _check_rows(b: Bench, alembic_check: Cell) -> list[tuple[str, str, str]]:
    """``check --database`` cold (``--no-cache``: it renders and compares every generated
    file too) and as a user runs it again (the files remembered clean by the run
    before, in a cache folder of this benchmark; the database compared each time),
    next to ``alembic check`` and migra."""
    sg = b.tool("schemagen")
    cold = b.measure([sg, "check", "--no-cache", "--database"], label="check --database")
    b.env["XDG_CACHE_HOME"] = str(b.root.parent / "cache")
    subprocess.run([sg, "check", "--database"], cwd=b.root, env=b.env, capture_output=True)
    again = b.measure([sg, "check", "--database"], label="check --database (files cached)")
    del b.env["XDG_CACHE_HOME"]
    migra = b.measure([b.tool("migra"), "--unsafe", b.url("head", "psycopg2"),
                       b.url("created", "psycopg2")], label="migra", ok=("0", "2"))
    peers = f"alembic check {alembic_check.show(True)}; migra {migra.show(True)}"
    return [
        ("check --database (at head)", cold.show(True), peers),
        ("check --database (files cached)", again.show(True), peers),
    ]


def _migrate_first(b: Bench) -> Cell:
    """``migrate`` of the first revision, in a copy whose history is emptied each run."""
    sg = b.tool("schemagen")
    copy = b.root.parent / (b.root.name + "_migrate")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(b.root, copy)
    migrations = copy / "generated" / "migrations"

    def empty_history() -> None:
        for name in ("versions", "snapshots"):
            shutil.rmtree(migrations / name, ignore_errors=True)
        (migrations / "schemagen.sum").unlink(missing_ok=True)

    saved, b.root = b.root, copy
    try:
        return b.measure([sg, "migrate", "-m", "initial"], before=empty_history, label="migrate")
    finally:
        b.root = saved


def _autogenerate(b: Bench, alembic: str | None, reset: Callable[[], None]) -> Cell:
    """``alembic revision --autogenerate`` against an empty database, with no revision
    of schemagen's in the way (Alembic would ask for the database to be at head)."""
    versions = b.root / "generated" / "migrations" / "versions"
    aside = b.root / "versions_aside"
    shutil.move(versions, aside)
    versions.mkdir()

    def no_revision() -> None:
        for path in versions.glob("*.py"):
            path.unlink()

    try:
        return b.measure([alembic, "revision", "--autogenerate", "-m", "initial"],
                         before=no_revision, label="alembic revision --autogenerate")
    finally:
        shutil.rmtree(versions)
        shutil.move(aside, versions)
        reset()
