"""Where a trigram search's time goes, measured the same way with and without its index.

``prove`` times each side as the best of three runs, every run with the index
first, then every run without it. A machine whose load changes between the two
phases moves the ratio. Here the two sides alternate, run for run (the index
dropped in a rolled-back transaction for each run without it), and the ratio is
that of the medians; with it, each side's plan facts that can make it slower
than it need be: the parallel workers each side had, JIT, the GIN node's own
time, lossy heap pages (work_mem too small for the bitmap), rows the recheck
threw away (trigrams matched, text did not), heap pages per match, the GIN
pending list, and how many titles hold each word and its rarest trigram (the
posting list the GIN scan is driven by).

Used by benchmarks/seed_prove.py; prints nothing itself.
"""

from __future__ import annotations

import json
import re
import statistics
from typing import Any

import psycopg

RUNS = 9


def detail(conn: psycopg.Connection[Any], table: str, index: str, query: str) -> list[str]:
    """Lines saying how ``query`` spends its time with ``index`` and without it."""
    autocommit, conn.autocommit = conn.autocommit, False
    with_runs: list[dict[str, Any]] = []
    without_runs: list[dict[str, Any]] = []
    for _ in range(RUNS + 1):  # the first pair warms both paths and is not counted
        with_runs.append(_explain(conn, query))
        with conn.transaction(force_rollback=True):
            conn.execute(f"DROP INDEX {index}")  # type: ignore[arg-type]
            without_runs.append(_explain(conn, query))
    conn.rollback()
    with_runs, without_runs = with_runs[1:], without_runs[1:]
    w = statistics.median(r["Execution Time"] for r in with_runs)
    wo = statistics.median(r["Execution Time"] for r in without_runs)
    lines = [
        f"median of {RUNS} runs, the two sides alternating: {w:.2f} ms with the index, "
        f"{wo:.2f} ms without, {wo / w:.0f}x (fastest: "
        f"{min(r['Execution Time'] for r in with_runs):.2f} ms against "
        f"{min(r['Execution Time'] for r in without_runs):.2f} ms)",
        "with the index:    " + _facts(with_runs),
        "without the index: " + _facts(without_runs),
    ]
    lines += _pending(conn, index)
    lines += _word_counts(conn, table, query)
    conn.autocommit = autocommit
    return lines


def _pending(conn: psycopg.Connection[Any], index: str) -> list[str]:
    """The GIN pending list's pages (pgstattuple, made in the benchmark's own
    throwaway database where the server has it): unsorted entries every scan walks."""
    try:
        with conn.transaction():
            conn.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
    except psycopg.Error:
        return []
    sql = "SELECT pending_pages FROM pgstatginindex(%s::regclass)"
    row = conn.execute(sql, (index,)).fetchone()
    conn.rollback()
    return [f"GIN pending list: {row[0]} pages"] if row else []


def _explain(conn: psycopg.Connection[Any], query: str) -> dict[str, Any]:
    row = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {query}").fetchone()  # type: ignore[arg-type]
    assert row is not None
    data = row[0] if not isinstance(row[0], str) else json.loads(row[0])
    return dict(data[0])


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    found = [plan]
    for child in plan.get("Plans", ()):
        found += _nodes(child)
    return found


def _facts(runs: list[dict[str, Any]]) -> str:
    """The median run's plan facts (the runs' plans are the same)."""
    median = sorted(runs, key=lambda r: r["Execution Time"])[len(runs) // 2]
    nodes = _nodes(median["Plan"])
    parts = [" > ".join(n["Node Type"] for n in nodes)]
    for n in nodes:
        if "Workers Planned" in n:
            parts.append(f"workers {n.get('Workers Launched', 0)} of {n['Workers Planned']}")
        if n["Node Type"] == "Bitmap Index Scan":
            gin = statistics.median(_node_time(r, "Bitmap Index Scan") for r in runs)
            parts.append(f"index node {gin:.2f} ms (median), {n['Shared Hit Blocks']} buffers hit"
                         f", {n['Shared Read Blocks']} read")
        if n["Node Type"] == "Bitmap Heap Scan":
            parts.append(f"heap pages {n.get('Exact Heap Blocks', 0):,} exact, "
                         f"{n.get('Lossy Heap Blocks', 0):,} lossy for {n['Actual Rows']:,} rows; "
                         f"removed by recheck {n.get('Rows Removed by Index Recheck', 0):,}")
        if "Rows Removed by Filter" in n:
            loops = n.get("Actual Loops", 1)
            parts.append(f"rows read {(n['Actual Rows'] + n['Rows Removed by Filter']) * loops:,}")
    parts.append(f"JIT {'used' if 'JIT' in median else 'not used'}")
    return "; ".join(parts)


def _node_time(run: dict[str, Any], node_type: str) -> float:
    node = next(n for n in _nodes(run["Plan"]) if n["Node Type"] == node_type)
    return float(node["Actual Total Time"])


def _word_counts(conn: psycopg.Connection[Any], table: str, query: str) -> list[str]:
    """How many titles hold each searched word, and each of its trigrams: the GIN
    scan reads the posting lists of all of them and is driven by the rarest."""
    words = re.findall(r"ILIKE '%([a-z]+)%'", query)
    trigrams = {word: [word[i:i + 3] for i in range(len(word) - 2)] for word in words}
    column = query.split(" WHERE ", 1)[1].split()[0]
    terms = [f"count(*) FILTER (WHERE {column} ILIKE '%{w}%')" for w in words]
    terms += [f"count(*) FILTER (WHERE {column} ILIKE '%{t}%')"
              for w in words for t in trigrams[w]]
    row = conn.execute(f"SELECT {', '.join(terms)} FROM {table}").fetchone()  # type: ignore[arg-type]
    conn.rollback()
    assert row is not None
    counts = list(row)
    lines = []
    for i, word in enumerate(words):
        held = counts[len(words):]
        start = sum(len(trigrams[w]) for w in words[:i])
        mine = sorted(zip(held[start:start + len(trigrams[word])], trigrams[word], strict=True))
        lines.append(f"'{word}' in {counts[i]:,} titles; its trigrams in "
                     + ", ".join(f"{n:,} ('{t}')" for n, t in mine))
    return lines
