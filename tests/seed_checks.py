"""Shared helpers of the seed and prove tests: a schema in a fresh database, and one
query per constraint that finds the rows breaking it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from pgcluster import PgCluster
from schemagen.config import load_project
from schemagen.model.schema import Column, Entity, Schema
from schemagen.prove.create import create_schema
from schemagen.validate.pipeline import load_schema


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def qt(table: str) -> str:
    """A table's qualified name (``billing.payouts``) as SQL names it."""
    return ".".join(q(part) for part in table.split("."))


def project_schema(root: Path) -> Schema:
    schema = load_schema(load_project(root)).schema
    assert schema is not None
    return schema


@contextmanager
def created(pg: PgCluster, dbname: str, root: Path) -> Iterator[psycopg.Connection[Any]]:
    """A connection to ``dbname`` holding the project's tables (empty)."""
    conn = psycopg.connect(pg.libpq_url(dbname))
    try:
        create_schema(conn, load_project(root), project_schema(root))
        yield conn
    finally:
        conn.close()


def violations(conn: psycopg.Connection[Any], schema: Schema) -> list[str]:
    """One query per constraint; the constraints that some row breaks."""
    found = []
    for ent in schema.entities:
        for name, sql in constraint_queries(ent):
            row = conn.execute(sql).fetchone()  # type: ignore[arg-type]
            assert row is not None
            if row[0]:
                found.append(f"{ent.table}.{name}: {row[0]} rows")
    conn.rollback()
    return found


def constraint_queries(ent: Entity) -> list[tuple[str, str]]:
    """(constraint, SELECT count of offending rows) for every constraint of ``ent``."""
    t = qt(ent.table)
    queries = []
    for check in ent.checks:
        queries.append((check.name, f"SELECT count(*) FROM {t} WHERE NOT ({check.expression})"))
    for col in ent.columns:
        if not col.nullable:
            queries.append(
                (f"{col.name} NOT NULL", f"SELECT count(*) FROM {t} WHERE {q(col.name)} IS NULL")
            )
    keys = [("primary key", ent.primary_key.columns)] if ent.has_primary_key else []
    keys += [(u.name, u.columns) for u in ent.uniques]
    # A unique index over expressions (lower(email)) is not a check of its columns alone.
    keys += [
        (ix.name, ix.columns)
        for ix in ent.indexes
        if ix.unique and ix.where is None and not any(k.expression for k in ix.keys)
    ]
    for name, cols in keys:
        c = ", ".join(q(x) for x in cols)
        not_null = " AND ".join(f"{q(x)} IS NOT NULL" for x in cols)
        queries.append(
            (
                name,
                f"SELECT count(*) FROM (SELECT {c} FROM {t} WHERE {not_null} "
                f"GROUP BY {c} HAVING count(*) > 1) AS dup",
            )
        )
    for fk in ent.foreign_keys:
        match = " AND ".join(
            f"p.{q(r)} = c.{q(x)}" for x, r in zip(fk.columns, fk.ref_columns, strict=True)
        )
        set_ = " AND ".join(f"c.{q(x)} IS NOT NULL" for x in fk.columns)
        queries.append(
            (
                fk.name,
                f"SELECT count(*) FROM {t} AS c WHERE {set_} AND NOT EXISTS "
                f"(SELECT 1 FROM {qt(fk.ref_table)} AS p WHERE {match})",
            )
        )
    return queries


def table_digest(
    conn: psycopg.Connection[Any], ent: Entity, skip: Callable[[Column], bool] | None = None
) -> tuple[int, str]:
    """Row count and an md5 of every row in primary-key order (in the order of the
    rows' text without one), without the columns ``skip`` accepts (e.g. ones a
    trigger stamps with the time)."""
    kept = [q(c.name) for c in ent.columns if skip is None or not skip(c)]
    shown = "t::text" if skip is None else f"row({', '.join(kept)})::text"
    order = ", ".join(q(c) for c in ent.primary_key.columns) or shown
    row = conn.execute(  # type: ignore[arg-type]
        f"SELECT count(*), md5(coalesce(string_agg({shown}, '|' ORDER BY {order}), '')) "
        f"FROM {qt(ent.table)} AS t"
    ).fetchone()
    assert row is not None
    return int(row[0]), str(row[1])


def prove_cli(root: Path, url: str, *args: str) -> tuple[int, str]:
    """``schemagen prove --project root --database url ...``: exit code and output."""
    from click.testing import CliRunner
    from schemagen.cli import main

    result = CliRunner().invoke(
        main, ["prove", "--project", str(root), "--database", url, *args], catch_exceptions=False
    )
    return result.exit_code, result.output
