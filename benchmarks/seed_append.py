"""Benchmark ``schemagen seed --append`` on tables that already hold many rows.

Prints, and asserts nothing (numbers only, no timed test), rows per second of a
plain seed into empty tables next to an ``--append`` of the same rows on top:

1. the flagship (schema/) with ``--products`` products (stores a thousandth of
   them, the other tables ``--rows``), then ``--append`` the same again;
2. corpus case 01 (``handle`` unique, ``(store_id, sku)`` unique: text built
   from the row number) with ``--rows`` products, then ``--append`` the same;
   then every tenth product deleted and ``--append`` of 1,000, then of the same
   again: the new rows' numbers meet the rows there, so seed fills the gaps
   (collisions.fill_gaps);
3. corpus case 65 (``EXCLUDE (room_id WITH =, during WITH &&)``) with
   ``--rows`` bookings over 100 rooms, then ``--append`` the same: each new
   range is placed after its room's ranges there (excludes.within_group).

It starts its own throwaway PostgreSQL (tests/pgcluster.py), as the test suite does.

    python benchmarks/seed_append.py [--products N] [--rows N] [--only flagship,unique,exclusion]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import psycopg

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from migration_harness import load_case, write_schema  # noqa: E402
from pgcluster import start_cluster  # noqa: E402
from schemagen.config import load_project  # noqa: E402
from schemagen.prove.create import create_schema  # noqa: E402
from schemagen.seed.run import SeedResult, seed_connection  # noqa: E402
from schemagen.validate.pipeline import load_schema  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=200_000)
    parser.add_argument(
        "--rows",
        type=int,
        default=100_000,
        help="rows of the corpus cases' big table (and 1/20 of it for the flagship's other tables)",
    )
    parser.add_argument("--only", default="flagship,unique,exclusion")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    cluster = start_cluster()
    work = Path(tempfile.mkdtemp(prefix="seed-append-"))
    try:
        only = set(args.only.split(","))
        if "flagship" in only:
            _flagship(cluster, args.products, max(args.rows // 20, 1))
        if "unique" in only:
            _unique(cluster, work, args.rows)
        if "exclusion" in only:
            _exclusion(cluster, work, args.rows)
    finally:
        cluster.stop()
        shutil.rmtree(cluster.datadir.parent, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


def _connect(cluster: Any, root: Path) -> tuple[psycopg.Connection[Any], Any]:
    project = load_project(root)
    schema = load_schema(project).schema
    assert schema is not None
    conn = psycopg.connect(cluster.libpq_url(cluster.create_database()))
    create_schema(conn, project, schema)
    return conn, schema


def _case(work: Path, name: str) -> Path:
    root = work / name
    write_schema(root, load_case(REPO / "tests" / "corpus" / name).after)
    return root


def _report(label: str, result: SeedResult, big: str) -> float:
    """Print the run's rows per second, for its ``big`` table (its insert) and whole
    (planning, probes and every table); the whole run's rate."""
    table = next(t for t in result.tables if t.table == big)
    rate = table.rows / table.seconds if table.seconds else 0.0
    whole = result.rows / result.seconds if result.seconds else 0.0
    print(
        f"  {label:<34} {big} {table.rows:>9,} rows {table.seconds:7.2f} s "
        f"{rate:>9,.0f} rows/s | all {result.rows:>9,} rows {result.seconds:7.2f} s "
        f"{whole:>9,.0f} rows/s"
    )
    return whole


def _ratio(plain: float, append: float) -> None:
    factor = plain / append if append else float("inf")
    print(f"  whole run, seconds per row: {factor:.1f}x the plain seed's")


def _flagship(cluster: Any, products: int, rows: int) -> None:
    conn, schema = _connect(cluster, REPO)
    per = {"products": products, "stores": max(products // 1000, 1)}
    print(f"flagship: {products:,} products, {per['stores']:,} stores, other tables {rows:,}")
    plain = seed_connection(conn, schema, rows=rows, rows_per=per, seed=1)
    first = _report("plain seed (empty tables)", plain, "products")
    appended = seed_connection(conn, schema, rows=rows, rows_per=per, seed=2, append=True)
    second = _report("--append the same", appended, "products")
    _ratio(first, second)
    _slowest(plain, appended)
    conn.close()


def _slowest(plain: SeedResult, appended: SeedResult) -> None:
    """The tables whose rate drops most from the plain seed to the append."""
    before = {t.table: t for t in plain.tables}
    drops = []
    for t in appended.tables:
        p = before.get(t.table)
        if p and t.rows and p.rows and t.seconds > 0.05:
            drops.append(((t.seconds / t.rows) / (p.seconds / p.rows), t, p))
    for factor, t, p in sorted(drops, key=lambda d: -d[0])[:5]:
        print(
            f"    {t.table:<28} plain {p.rows / p.seconds:>9,.0f} rows/s, append "
            f"{t.rows / t.seconds:>9,.0f} rows/s ({factor:.1f}x slower per row)"
        )


def _unique(cluster: Any, work: Path, rows: int) -> None:
    conn, schema = _connect(cluster, _case(work, "01_create_table_all_constraints"))
    print(f"corpus 01 (unique handle, unique (store_id, sku)): {rows:,} products")
    per = {"stores": 10, "products": rows}
    first = _report("plain seed", seed_connection(conn, schema, rows_per=per, seed=1), "products")
    # a small empty seed's rate: the append runs the same INSERT ... SELECT (no bulk load)
    second = _report(
        "--append the same",
        seed_connection(conn, schema, rows_per=per, seed=2, append=True),
        "products",
    )
    _ratio(first, second)
    conn.execute("DELETE FROM products WHERE id % 10 = 0")
    conn.commit()
    few = {"stores": 0, "products": 1_000}
    third = _report(
        "every 10th deleted, --append 1,000",
        seed_connection(conn, schema, rows_per=few, seed=3, append=True),
        "products",
    )
    _ratio(first, third)
    fourth = _report(
        "then --append the same again",
        seed_connection(conn, schema, rows_per=per, seed=4, append=True),
        "products",
    )
    _ratio(first, fourth)
    conn.close()


def _exclusion(cluster: Any, work: Path, rows: int) -> None:
    conn, schema = _connect(cluster, _case(work, "65_exclusion_constraints"))
    print(f"corpus 65 (EXCLUDE room_id =, during &&): {rows:,} bookings over 100 rooms")
    per = {"rooms": 100, "bookings": rows, "maintenances": 0}
    first = _report("plain seed", seed_connection(conn, schema, rows_per=per, seed=1), "bookings")
    second = _report(
        "--append the same",
        seed_connection(conn, schema, rows_per=per, seed=2, append=True),
        "bookings",
    )
    _ratio(first, second)
    conn.close()


if __name__ == "__main__":
    main()
