"""EXPLAIN (ANALYZE, BUFFERS) of the primary-key row check before and after it
became one scan (revision.constraints.key_rows_sql), alternating, on a table of
1,000,000 clean rows (the common case: nothing to refuse, every row read) on a
throwaway cluster (tests/pgcluster.py), and "agg", a one-scan form that was
not taken (no ORDER BY: PostgreSQL 15 hashes every group, one process, and
spills twice the temp). Prints numbers only; not a test.

    python benchmarks/key_rows.py [--rows N] [--runs N]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from pgcluster import start_cluster  # noqa: E402

#: the two queries the old check ran (an EXISTS for NULL, then a GROUP BY)
OLD = (
    "SELECT EXISTS (SELECT FROM t WHERE a IS NULL OR b IS NULL)",
    "SELECT CAST(ROW(a, b) AS text) FROM t GROUP BY a, b HAVING count(*) > 1 LIMIT 1",
)
#: the one the check runs now
NEW = (
    "SELECT CAST(ROW(a, b) AS text), a IS NULL OR b IS NULL FROM t "
    "GROUP BY (a IS NULL OR b IS NULL), a, b HAVING count(*) > 1 OR (a IS NULL OR b IS NULL) "
    "ORDER BY 2 DESC, a, b LIMIT 1",
)

AGG = (
    "SELECT bool_or(n), min(v) FROM (SELECT a IS NULL OR b IS NULL AS n, "
    "CAST(ROW(a, b) AS text) AS v FROM t GROUP BY a, b "
    "HAVING count(*) > 1 OR a IS NULL OR b IS NULL) g",
)


def measure(pg, db: str, queries: tuple[str, ...]) -> tuple[float, int, int]:
    """Execution ms, shared buffers hit and read (plus temp written), summed over queries."""
    ms, hit, read = 0.0, 0, 0
    for query in queries:
        plan = pg.sql(f"EXPLAIN (ANALYZE, BUFFERS) {query}", db)
        ms += float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1))
        top = next(line for line in plan.splitlines() if "Buffers:" in line)
        hit += sum(int(n) for n in re.findall(r"(?:hit)=(\d+)", top))
        read += sum(int(n) for n in re.findall(r"(?:read|written)=(\d+)", top))
    return ms, hit, read


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    pg = start_cluster()
    try:
        db = pg.create_database("keyrows")
        pg.sql(
            "CREATE TABLE t (id bigint, a bigint, b bigint, note text); "
            "INSERT INTO t SELECT n, n / 2, n % 2, md5(n::text) "
            f"FROM generate_series(1, {args.rows}) n",
            db,
        )
        pg.sql("VACUUM ANALYZE t", db)
        variants = (("old", OLD), ("new", NEW), ("agg", AGG))
        results: dict[str, list[tuple[float, int, int]]] = {name: [] for name, _ in variants}
        for _ in range(args.runs + 1):  # the first round warms the cache, not counted
            for name, queries in variants:
                results[name].append(measure(pg, db, queries))
        for name, runs in results.items():
            kept = runs[1:]
            print(
                f"{name}: median {statistics.median(r[0] for r in kept):.0f} ms "
                f"(runs {', '.join(f'{r[0]:.0f}' for r in kept)}), "
                f"buffers hit {kept[-1][1]} read/temp {kept[-1][2]}"
            )
        print(pg.sql(f"EXPLAIN (ANALYZE, BUFFERS) {OLD[0]}", db))
        print(pg.sql(f"EXPLAIN (ANALYZE, BUFFERS) {OLD[1]}", db))
        print(pg.sql(f"EXPLAIN (ANALYZE, BUFFERS) {NEW[0]}", db))
    finally:
        pg.destroy()


if __name__ == "__main__":
    main()
