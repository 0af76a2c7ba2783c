"""Shared steps of the revision tests that prove a constraint is never missing at
any revision boundary, up or down, on a table holding rows: the case's project
generated and a scratch database at its first revision with the rows, then each
revision in turn, with what a second session could write that it must not."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

import psycopg
import pytest
import sqlalchemy as sa
from migration_harness import (
    Case,
    alembic,
    assert_matches_models,
    generate,
    revisions,
    schemagen,
    scratch_database,
)
from pgcluster import PgCluster


class FirstRevision(NamedTuple):
    """A case's project and a scratch database upgraded to its revision ``000``."""

    root: Path
    db: str
    url: str
    heads: list[str]  # the revisions' numbers, 000 first
    models_before: Path
    models_after: Path


def at_first_revision(pg: PgCluster, case: Case, tmp_path: Path, rows: str) -> FirstRevision:
    """``case`` generated under ``tmp_path``, a scratch database upgraded to ``000``,
    then ``rows`` written into it."""
    root = tmp_path / "project"
    models_before, models_after = generate(case, root)
    db = scratch_database(pg, "mig")
    url = pg.url(db)
    alembic(root, url, "upgrade", "000")
    pg.sql(rows, db)
    heads = [p.name.split("_", 1)[0] for p in revisions(root)]
    return FirstRevision(root, db, url, heads, models_before, models_after)


def accepted_at_each_step(
    root: Path, url: str, steps: Iterable[str], action: str, accepted: Callable[[], list[str]]
) -> list[str]:
    """``alembic action`` to each of ``steps`` in turn; after each, what ``accepted``
    finds a second session could write (each must be refused), as ``what at action rev``."""
    found = []
    for rev in steps:
        alembic(root, url, action, rev)
        found += [f"{what} at {action} {rev}" for what in accepted()]
    return found


def assert_upgraded_never_missing(
    pg: PgCluster, first: FirstRevision, accepted: Callable[[], list[str]]
) -> None:
    """Up from ``000`` one revision at a time, ``accepted`` finding nothing a second
    session could write at any boundary; at head, the database matches the models
    after and ``check --database`` is OK."""
    found = accepted_at_each_step(first.root, first.url, first.heads[1:], "upgrade", accepted)
    assert found == [], found
    assert_matches_models(pg, first.db, first.models_after, [], "upgrade")
    out = schemagen(first.root, "check", "--database", first.url)
    assert out.startswith("check OK"), out


def assert_downgraded_never_missing(
    pg: PgCluster, first: FirstRevision, accepted: Callable[[], list[str]]
) -> None:
    """Down from head to ``000`` one revision at a time, ``accepted`` finding nothing
    at any boundary; at ``000``, the database matches the models before."""
    down = reversed(first.heads[:-1])
    found = accepted_at_each_step(first.root, first.url, down, "downgrade", accepted)
    assert found == [], found
    assert_matches_models(pg, first.db, first.models_before, [], "downgrade")


def refused(url: str, insert: str, error: type[psycopg.Error]) -> bool:
    """Whether a second session's ``insert`` is refused with ``error`` (it is rolled
    back either way)."""
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        try:
            conn.execute(insert)
        except error:
            return True
        finally:
            conn.rollback()
    return False


def uniques(pg: PgCluster, db: str) -> str:
    """The unique constraints of ``products`` by name: ``name definition, ...``."""
    return pg.sql(
        "SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid), ', ' ORDER BY conname) "
        "FROM pg_constraint WHERE conrelid = 'products'::regclass AND contype = 'u'",
        db,
    ).strip()


def failed_migration(
    root: Path, url: str, action: str = "upgrade", target: str = "head"
) -> sa.exc.DBAPIError:
    """The error of ``alembic action target``, which must fail with a DBAPIError
    (PostgreSQL's refusal, or a revision's own check of the rows)."""
    with pytest.raises(sa.exc.DBAPIError) as info:
        alembic(root, url, action, target)
    return info.value


def listing_query(error: str) -> str:
    """The query a migration's ``error`` gives after ``list them with:`` to list the
    rows it names (the error must give one)."""
    found = re.search(r"list them with: (SELECT .*?);", error, re.S)
    assert found, error
    return found[1]


def listed_ids(pg: PgCluster, db: str, error: str) -> str:
    """The ids of the rows that ``error``'s listing query finds in ``db``, in order:
    ``1,5``."""
    query = f"SELECT string_agg(id::text, ',' ORDER BY id) FROM ({listing_query(error)}) AS r"
    return pg.sql(query, db).strip()


def rows_by_partition(table: str, column: str) -> str:
    """SQL giving each partition of ``table`` holding rows as ``partition=rows/nulls``
    (``nulls``: the rows whose ``column`` is NULL), in name order, one line: what a
    migration that keeps a partitioned table's rows must leave as it found."""
    return (
        "SELECT string_agg(format('%s=%s/%s', t, n, nulls), ' ' ORDER BY t) FROM (SELECT "
        f"tableoid::regclass::text t, count(*) n, count(*) - count({column}) nulls FROM {table} "
        "GROUP BY 1) c"
    )
