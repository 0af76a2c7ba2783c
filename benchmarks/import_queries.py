"""The server's side of ``schemagen import``'s catalog reads: a benchmark, not a test.

It loads the synthetic project's first revision (``benchmarks/synthetic.py``, as
``import_bench.py`` does) into a throwaway PostgreSQL, then, on that database,
measures this tree's ``adopt.catalog`` and (``--against REV``) the same module at
another revision, alternating, each in fresh processes:

- the server's execution time and shared buffer hits (``EXPLAIN (ANALYZE,
  TIMING OFF, BUFFERS)``; the hits do not depend on what else the machine runs),
  warm, of each of the module's table-sized queries (columns, indexes,
  constraints), and the wall time of running it and fetching its rows, in a transaction set as
  ``import`` sets it (``jit`` off, ``work_mem`` 64MB: ``live.introspect`` runs first);
- the wall time of the whole read (``adopt.run.read_database``: the drift check's
  queries and the import's).

It prints the median of ``--runs`` runs of each.

    python benchmarks/import_queries.py --sizes 2000 --against main --runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests"))

from import_bench import load_database  # noqa: E402
from pgcluster import start_cluster  # noqa: E402

QUERIES = ("_COLUMNS_SQL", "_INDEXES_SQL", "_CONSTRAINTS_SQL")

# Run in a fresh process whose schemagen is the tree measured (PYTHONPATH).
_CHILD = """
import json, sys, time
import psycopg
from schemagen.adopt import catalog
from schemagen.adopt.run import read_database
url, runs = sys.argv[1], int(sys.argv[2])
found = {}
with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
    conn.read_only = True
    with conn.cursor() as cur:
        cur.execute("SET LOCAL jit = off")
        cur.execute("SET LOCAL work_mem = '64MB'")
        for name in sys.argv[3:]:
            plain = getattr(catalog, name)
            # TIMING OFF: per-node clocks would weigh on the per-key subqueries most
            sql = "EXPLAIN (ANALYZE, TIMING OFF, BUFFERS, FORMAT JSON) " + plain
            cur.execute(sql, {"schemas": []})  # warm-up
            times, walls, hits = [], [], []
            for _ in range(runs):
                cur.execute(sql, {"schemas": []})
                (explained,) = cur.fetchone()[0]
                times.append(explained["Execution Time"])
                # buffer hits: the work done, whatever else the machine is doing
                hits.append(explained["Plan"]["Shared Hit Blocks"])
                start = time.perf_counter()
                cur.execute(plain, {"schemas": []})
                cur.fetchall()
                walls.append((time.perf_counter() - start) * 1000)
            found[name.strip("_").removesuffix("_SQL").lower() + " (server)"] = times
            found[name.strip("_").removesuffix("_SQL").lower() + " (wall)"] = walls
            found[name.strip("_").removesuffix("_SQL").lower() + " (buffer hits)"] = hits
    conn.rollback()
read_database(url)  # warm-up
walls = []
for _ in range(runs):
    start = time.perf_counter()
    read_database(url)
    walls.append((time.perf_counter() - start) * 1000)
found["read_database"] = walls
print(json.dumps(found))
"""


def measure(tree: Path, url: str, runs: int) -> dict[str, list[float]]:
    """Each query's execution times (ms) and the whole read's, with ``tree``'s schemagen."""
    env = dict(os.environ, PYTHONPATH=str(tree / "generator"))
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, url, str(runs), *QUERIES],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


def export(rev: str, work: Path) -> Path:
    """The ``generator`` folder of ``rev``, written under ``work``."""
    tree = work / f"tree-{rev.replace('/', '_')}"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", rev, "generator"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--against", help="a git revision to measure too, on the same database")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    cluster = start_cluster()
    work = Path(tempfile.mkdtemp(prefix="schemagen-import-queries-"))
    try:
        trees = {"this tree": REPO}
        if args.against:
            trees[args.against[:12]] = export(args.against, work)
        for tables in (int(s) for s in args.sizes.split(",")):
            url = cluster.url(load_database(cluster, tables, work))
            found: dict[str, dict[str, list[float]]] = {label: {} for label in trees}
            for _ in range(2):  # alternate, so that a busy moment hits both
                for label, tree in trees.items():
                    for key, times in measure(tree, url, args.runs).items():
                        found[label].setdefault(key, []).extend(times)
            for label, cells in found.items():
                line = ", ".join(
                    f"{k} {statistics.median(v):.0f}" if "hits" in k
                    else f"{k} {statistics.median(v):.1f} ms"
                    for k, v in cells.items()
                )  # fmt: skip
                print(f"{tables} tables, {label}: {line}", flush=True)
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(cluster.datadir.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
