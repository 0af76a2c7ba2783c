"""``schemagen import`` against sqlacodegen on the same databases: a benchmark, not a test.

For each size (500 and 2,000 tables by default) it writes the synthetic project
(``benchmarks/synthetic.py``), loads its first revision into a throwaway
PostgreSQL (started like the test suite's, ``tests/pgcluster.py``), then times,
in the same run and on the same database, whole fresh processes of:

- ``schemagen import --database URL`` into an empty project;
- ``sqlacodegen URL`` (reflects the database into SQLAlchemy models).

It prints the median of ``--runs`` runs of each, and the ratio (goal: import at
least 5x faster). sqlacodegen is not a dependency of schemagen: it is installed
into the benchmark's own virtual environment (``~/.cache/schemagen/bench-peers``,
made on first use with pip), never into schemagen's.

    python benchmarks/import_bench.py                 # 500 and 2,000 tables, 3 runs
    python benchmarks/import_bench.py --sizes 100 --runs 1
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests"))

from peers import peer_env  # noqa: E402
from pgcluster import PgCluster, start_cluster  # noqa: E402
from synthetic import write_project  # noqa: E402


def peer_python() -> Path:
    """The benchmark environment's Python, with sqlacodegen installed (made once)."""
    return peer_env() / "bin" / "python"


def schemagen(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("schemagen") or "schemagen"
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, check=False)


def load_database(cluster: PgCluster, tables: int, work: Path) -> str:
    """A database holding the synthetic project's first revision; return its name."""
    project = work / f"synthetic-{tables}"
    write_project(project, tables)
    done = schemagen("migrate", "--project", str(project), "-m", "initial schema")
    if done.returncode != 0:
        raise SystemExit(f"migrate failed: {done.stderr}")
    env = dict(os.environ, DATABASE_URL="postgresql+psycopg://offline@127.0.0.1:9/offline")
    sql = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head", "--sql"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # One transaction per statement: a stock server has too few locks to create
    # thousands of tables in one (what a DBA would load is the same DDL).
    sql = re.sub(r"(?m)^(BEGIN|COMMIT);$", "", sql)
    name = cluster.create_database(f"synthetic{tables}")
    script = work / f"synthetic-{tables}.sql"
    script.write_text(sql, encoding="utf-8")
    subprocess.run(
        [cluster.bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", name, "-f", str(script)],
        env=cluster.env(),
        check=True,
        capture_output=True,
        text=True,
    )
    return name


def timed(argv: list[str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{argv[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed


def import_time(url: str, work: Path) -> float:
    project = work / "adopted"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir()
    (project / "pyproject.toml").write_text("[tool.schemagen]\n", encoding="utf-8")
    exe = shutil.which("schemagen") or "schemagen"
    return timed([exe, "import", "--project", str(project), "--database", url])


#: sqlacodegen reflects a table's referenced tables recursively; the synthetic
#: schema's long foreign-key chains overflow Python's default recursion limit
#: (RecursionError at 500 tables), so it runs with a deep stack.
_DEEP_STACK = """
import sys, threading
sys.setrecursionlimit(1_000_000)
threading.stack_size(1 << 29)
from sqlacodegen.cli import main
sys.argv = ["sqlacodegen", *sys.argv[1:]]
failed = []
def run():
    try:
        main()
    except SystemExit as exc:
        failed.append(exc.code)
    except BaseException:
        failed.append(1)
        raise
thread = threading.Thread(target=run)
thread.start()
thread.join()
sys.exit(failed[0] if failed and failed[0] else 0)
"""


def sqlacodegen_time(url: str, work: Path, python: Path) -> float:
    out = work / "sqlacodegen_models.py"
    return timed([str(python), "-c", _DEEP_STACK, "--outfile", str(out), url])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,2000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    # A SIGTERM (timeout, kill) ends the run through `finally`: the server stops.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    python = peer_python()
    cluster = start_cluster()
    work = Path(tempfile.mkdtemp(prefix="schemagen-import-bench-"))
    try:
        print(f"{'tables':>6}  {'schemagen import':>16}  {'sqlacodegen':>11}  ratio")
        for tables in sizes:
            url = cluster.url(load_database(cluster, tables, work))
            ours = [import_time(url, work) for _ in range(args.runs)]
            theirs = [sqlacodegen_time(url, work, python) for _ in range(args.runs)]
            a, b = statistics.median(ours), statistics.median(theirs)
            print(f"{tables:>6}  {a:>14.2f} s  {b:>9.2f} s  {b / a:5.1f}x faster", flush=True)
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(cluster.datadir.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
