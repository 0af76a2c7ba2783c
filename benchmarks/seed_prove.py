"""Benchmark ``schemagen seed`` and ``schemagen prove`` on the flagship schema.

Prints, and asserts nothing (numbers only, no timed test):

1. seed throughput: the flagship seeded with 1,000,000 ``products`` (goal: under
   30 s for the products), rows per second per table;
2. each flagship index's speedup on its declared queries (``prove``), with the
   trigram title search's speedup next to its goal (at least 50x the scan), and
   for each trigram search the two sides measured again alternating, run for
   run, with where the time goes (benchmarks/trigram_detail.py).

It starts its own throwaway PostgreSQL (tests/pgcluster.py), as the test suite does.

    python benchmarks/seed_prove.py [--products N] [--rows N]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from pgcluster import start_cluster  # noqa: E402
from schemagen.config import load_project  # noqa: E402
from schemagen.prove.create import create_schema  # noqa: E402
from schemagen.prove.explain import prove_query  # noqa: E402
from schemagen.prove.run import prove_connection  # noqa: E402
from schemagen.seed.run import seed_connection  # noqa: E402
from schemagen.validate.pipeline import load_schema  # noqa: E402
from trigram_detail import detail  # noqa: E402

GOAL_SECONDS = 30.0
TRIGRAM_GOAL = 50.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=20_000,
                        help="rows of the other tables in the prove run")
    args = parser.parse_args()
    cluster = start_cluster()
    try:
        project = load_project(REPO)
        loaded = load_schema(project)
        assert loaded.schema is not None
        _seed_throughput(cluster, project, loaded.schema, args.products)
        _speedups(cluster, project, loaded, args.products, args.rows)
    finally:
        cluster.stop()
        shutil.rmtree(cluster.datadir.parent, ignore_errors=True)


def _connect(cluster: Any) -> psycopg.Connection[Any]:
    name = cluster.create_database()
    return psycopg.connect(cluster.libpq_url(name))


def _server_cpu(cluster: Any) -> float:
    """CPU seconds (user + system) of the whole server so far: the postmaster, its
    live processes, and the ones that ended (their time is added to the postmaster's
    children time when it reaps them: the generating session, parallel workers).
    The server runs on this machine (tests/pgcluster.py)."""
    postmaster = int((cluster.datadir / "postmaster.pid").read_text().split()[0])
    ticks = 0
    for pid in [postmaster, *_children(postmaster)]:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
        if pid == postmaster:
            ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def _session_cpu(conn: psycopg.Connection[Any]) -> float:
    """CPU seconds of the connection's own server process so far."""
    row = conn.execute("SELECT pg_backend_pid()").fetchone()
    conn.rollback()
    assert row is not None
    fields = Path(f"/proc/{row[0]}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    return found


def _client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _seed_throughput(cluster: Any, project: Any, schema: Any, products: int) -> None:
    conn = _connect(cluster)
    create_schema(conn, project, schema)
    rows_per = {"products": products, "stores": max(products // 1000, 1)}
    server, client, session = _server_cpu(cluster), _client_cpu(), _session_cpu(conn)
    result = seed_connection(conn, schema, rows=10_000, rows_per=rows_per, seed=1)
    server, client = _server_cpu(cluster) - server, _client_cpu() - client
    session = _session_cpu(conn) - session
    print(f"seed: flagship with {products:,} products (other tables from --rows 10,000)")
    for t in result.tables:
        rate = t.rows / t.seconds if t.seconds else 0.0
        print(f"  {t.table:<28} {t.rows:>10,} rows {t.seconds:8.2f} s {rate:>12,.0f} rows/s")
    products_time = next(t.seconds for t in result.tables if t.table == "products")
    verdict = "met" if products_time < GOAL_SECONDS else "MISSED"
    print(f"  products: {products:,} rows in {products_time:.1f} s "
          f"({products / products_time:,.0f} rows/s); goal < {GOAL_SECONDS:.0f} s: {verdict}")
    print(f"  all: {result.rows:,} rows in {result.seconds:.1f} s "
          f"({result.rows / result.seconds:,.0f} rows/s)")
    # Wall time depends on what else the machine runs; CPU time is the work itself
    # (the server's: both sessions and the parallel index builds; the client's:
    # passing the COPY stream from one session to the other).
    print(f"  CPU time for the whole seed: server {server:.1f} s, of which the seed's own "
          f"session {session:.1f} s (the rest: the generating session and parallel index "
          f"builds); this process {client:.1f} s "
          f"(load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    titles = conn.execute(
        "SELECT count(*), count(DISTINCT title), avg(length(title)) FROM products"
    ).fetchone()
    assert titles is not None
    print(f"  titles: {titles[1]:,} distinct of {titles[0]:,}, {float(titles[2]):.1f} "
          "characters on average")
    conn.close()


def _speedups(cluster: Any, project: Any, loaded: Any, products: int, rows: int) -> None:
    conn = _connect(cluster)
    # The big tables of the flagship at the benchmark's size; the others at --rows.
    big = {"products": products, "product_variants": products // 5,
           "inventory_items": products // 5, "workflow_executions": products // 5}
    started = time.perf_counter()
    result = prove_connection(
        conn, project, loaded.schema, loaded.source_map, rows=rows, rows_per=big, seed=1
    )
    print(f"\nprove: {result.seeded.rows:,} rows seeded, {len(result.proofs)} queries, "
          f"{time.perf_counter() - started:.0f} s")
    print(f"  {'index':<34} {'rows':>10} {'with':>10} {'without':>10} {'speedup':>9}  plan node")
    for p in sorted(result.proofs, key=lambda p: -p.speedup):
        print(f"  {p.index:<34} {result.table_rows(p.table):>10,} {p.with_index.ms:>8.2f}ms "
              f"{p.without_index.ms:>8.2f}ms {p.speedup:>8.1f}x  {p.with_index.node}")
    for trigram in (p for p in result.proofs if p.index == "idx_products_title_search"):
        verdict = "met" if trigram.speedup >= TRIGRAM_GOAL else "MISSED"
        found = conn.execute(f"SELECT count(*) FROM ({trigram.query}) AS q").fetchone()
        assert found is not None
        print(f"  trigram title search WHERE {trigram.query.split(' WHERE ', 1)[-1]} "
              f"({found[0]:,} of {products:,} titles match): "
              f"{trigram.speedup:.0f}x the scan; goal >= {TRIGRAM_GOAL:.0f}x: {verdict}")
        for line in detail(conn, trigram.table, trigram.index, trigram.query):
            print(f"    {line}")
    # For comparison, not declared: the same words as one phrase. Its trigrams span
    # the words, and the ones at a word's start ('  h', ' ho') are in most titles.
    for phrase in ("charcoal hoodie", "merino beanie"):
        query = f"SELECT id, title FROM products WHERE title ILIKE '%{phrase}%'"
        proof = prove_query(conn, "products", "idx_products_title_search", query)
        print(f"  (phrase search '%{phrase}%', not declared: {proof.with_index.ms:.2f} ms "
              f"against {proof.without_index.ms:.2f} ms, {proof.speedup:.0f}x)")
    print(f"  declared queries not using their index: {len(result.failures)}")
    conn.close()


if __name__ == "__main__":
    main()
