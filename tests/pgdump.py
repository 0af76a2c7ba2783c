"""Normalized ``pg_dump --schema-only`` for comparing two databases' schemas."""

from __future__ import annotations

import re
import subprocess

from pgcluster import PgCluster

_SKIP_PREFIXES = ("SET ", "SELECT pg_catalog.set_config", "COMMENT ON ")


def schema_dump(cluster: PgCluster, dbname: str) -> list[str]:
    """Return the schema of ``dbname`` as sorted, normalized SQL statements.

    Dropped: comments, SET lines, COMMENT ON statements and the alembic_version
    table. Column order within a CREATE TABLE is ignored (the lines are sorted).
    """
    out = subprocess.run(
        [cluster.bin("pg_dump"), "--schema-only", "--no-owner", "--no-privileges", "-d", dbname],
        env=cluster.env(), check=True, capture_output=True, text=True,
    ).stdout
    # psql meta-commands (pg_dump 15.14+ wraps dumps in \\restrict KEY ... \\unrestrict KEY
    # with a random key) are not schema.
    lines = [
        ln for ln in out.splitlines()
        if ln.strip() and not ln.startswith(("--", "\\"))
    ]
    statements = [s.strip() for s in re.split(r";\n", "\n".join(lines) + "\n") if s.strip()]
    result = []
    for stmt in statements:
        if stmt.startswith(_SKIP_PREFIXES) or "alembic_version" in stmt:
            continue
        result.append(_normalize_table(stmt) if stmt.startswith("CREATE TABLE") else stmt)
    return sorted(result)


def _normalize_table(stmt: str) -> str:
    head, _, rest = stmt.partition("(\n")
    body, _, tail = rest.rpartition("\n)")
    cols = sorted(line.strip().rstrip(",") for line in body.splitlines())
    return head + "(\n    " + ",\n    ".join(cols) + "\n)" + tail
