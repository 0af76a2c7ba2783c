"""Issue 16's large-schema steps, schemagen alone: ``check --database`` on a database
at head (cold, and again with the files remembered clean), ``plan`` with
nothing changed, ``migrate`` of the first revision.

Each row: the median wall seconds of fresh processes, their CPU seconds (user +
system, children included: on a machine shared with other work the wall time
is inflated, the CPU time much less) and the peak memory. The project is
``synthetic.py``'s; the server is a throwaway cluster (``tests/pgcluster.py``)
with stock lock settings, brought to head by ``psql`` one statement at a time.
The side-by-side table with Alembic, migra and sqlacodegen is ``pairs.py``.

    python benchmarks/large.py --sizes 200,2000 --runs 3
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from pairs import Bench, _migrate_first, _setup
from pgcluster import start_cluster


def large_report(sizes: list[int], runs: int, tmp: Path) -> None:
    """Print one line per command and size."""
    pg = start_cluster()
    try:
        for size in sizes:
            bench = _setup(pg, tmp / f"large_{size}", size, runs, None)
            for line in _rows(bench, size):
                print(line, flush=True)
    finally:
        pg.stop()
        shutil.rmtree(pg.datadir.parent, ignore_errors=True)


def _rows(b: Bench, size: int) -> list[str]:
    sg, psql = b.tool("schemagen"), b.pg.bin("psql")
    b.fresh_db("head")
    subprocess.run([psql, "-X", "-q", "-d", "head", "-f", "upgrade.sql"], cwd=b.root,
                   env=b.pg.env(), check=True, capture_output=True)
    b.env["DATABASE_URL"] = b.url("head")
    b.env["SCHEMAGEN_NO_CACHE"] = "1"  # the file check's cache would hide the work
    cells = {
        "check --database (at head)": b.measure([sg, "check", "--database"], label="check"),
        "plan (nothing changed)": b.measure([sg, "plan"], label="plan"),
        "migrate (first revision)": _migrate_first(b),
    }
    # As a user runs it again: the files are remembered clean from the last run (the
    # check cache, in a folder of this run), the database is compared each time.
    b.env.pop("SCHEMAGEN_NO_CACHE")
    b.env["XDG_CACHE_HOME"] = str(b.root.parent / "cache")
    subprocess.run([sg, "check", "--database"], cwd=b.root, env=b.env, check=True,
                   capture_output=True)
    cells["check --database (files cached)"] = b.measure(
        [sg, "check", "--database"], label="check (files cached)"
    )
    lines = [f"{what:<31} {size:>5} tables  {cell.show(True)}" for what, cell in cells.items()]
    return lines + [f"  note: {note}" for note in b.notes]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,2000", help="table counts")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per cell")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="schemagen-large-") as tmp:
        large_report([int(s) for s in args.sizes.split(",") if s], args.runs, Path(tmp))


if __name__ == "__main__":
    main()
