"""Shared steps of the revision tests that prove a constraint is never missing at
any revision boundary, up or down, on a table holding rows: the case's project
generated and a scratch database at its first revision with the rows, then each
revision in turn, with what a second session could write that it must not."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
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


#: the checks that prove a partition's bound ahead (AddBoundCheck) as ``table.name``,
#: or nothing
MOVE_BOUND_CHECKS = (
    "SELECT coalesce(string_agg(conrelid::regclass || '.' || conname, ' '), '') "
    "FROM pg_constraint WHERE conname LIKE '%\\_move\\_bound'"
)

#: the plan line of an attach whose read a check validated ahead spares
ATTACH_SPARED = (
    "attach partition, bound implied by a check validated ahead (ACCESS EXCLUSIVE, "
    "no scan); drop constraint"
)


def drops_plan(first: FirstRevision) -> str:
    """The drops revision (``001``) on one line, its wrapped plan lines joined."""
    return " ".join(re.sub(r"\n\s*#   ", " ", revisions(first.root)[1].read_text()).split())


def revision_plan(first: FirstRevision, index: int = 2) -> str:
    """The plan of revision ``index`` (the main revision ``002`` unless said), its text
    before ``def upgrade``, on one line."""
    text = revisions(first.root)[index].read_text()
    return " ".join(text[: text.index("def upgrade")].split())


def seq_scans(pg: PgCluster, db: str, relname: str) -> int:
    """Sequential scans of table ``relname`` so far (``pg_stat_user_tables``)."""
    return int(pg.sql(f"SELECT seq_scan FROM pg_stat_user_tables WHERE relname = '{relname}'", db))


def scans_around_main_revision(
    pg: PgCluster, first: FirstRevision, relname: str
) -> tuple[int, int]:
    """Upgrade to ``001``, then to ``002``: ``relname``'s sequential scans before and
    after the main revision ``002``."""
    alembic(first.root, first.url, "upgrade", "001")
    before = seq_scans(pg, first.db, relname)
    alembic(first.root, first.url, "upgrade", "002")
    return before, seq_scans(pg, first.db, relname)


def upgrade_failure(first: FirstRevision) -> str:
    """The message of ``alembic upgrade head``, which must fail, PostgreSQL's statement
    left out, on one line."""
    with pytest.raises(Exception) as failed:
        alembic(first.root, first.url, "upgrade", "head")
    return " ".join(str(failed.value).split("[SQL:")[0].split())


def assert_kept_each_way(
    pg: PgCluster, first: FirstRevision, kept: Mapping[str, str], checks: str = MOVE_BOUND_CHECKS
) -> None:
    """Upgrade to head, then downgrade to ``000``: at each end the database matches the
    models, each query of ``kept`` (rows per partition, contents) gives its reading
    there, and ``checks`` finds none left."""
    for action, rev, models in (
        ("upgrade", "head", first.models_after),
        ("downgrade", "000", first.models_before),
    ):
        alembic(first.root, first.url, action, rev)
        assert_matches_models(pg, first.db, models, [], action)
        for query, reading in kept.items():
            found = pg.sql(query, first.db).strip()
            assert found == reading, f"after {action}: {found!r}, not {reading!r}, from {query}"
        left = pg.sql(checks, first.db).strip()
        assert left == "", f"after {action}: {left} left"


def assert_may_rows_stop_the_move(pg: PgCluster, first: FirstRevision) -> None:
    """``first`` holds two rows of payments_h1 in May (``HALF_ROWS`` and two more) that
    its move from the halves of 2025 has no place for: the drops revision's check
    counts them, is dropped again and changes nothing; once the second quarter's rows
    are gone, the same revision runs and keeps every other row."""
    message = upgrade_failure(first)
    assert (
        "partition payments_h1 cannot move with its rows: 2 of its rows are outside the "
        "bounds of the partitions above it where it goes; nothing was changed" in message
    ), message
    left = pg.sql(MOVE_BOUND_CHECKS, first.db).strip()
    assert left == "", left
    version = pg.sql("SELECT version_num FROM alembic_version", first.db).strip()
    assert version == "000", version
    pg.sql(
        "DELETE FROM payments WHERE paid_on >= '2025-04-01' AND paid_on < '2025-07-01'", first.db
    )
    alembic(first.root, first.url, "upgrade", "head")
    assert_matches_models(pg, first.db, first.models_after, [], "upgrade")
    counts = pg.sql(rows_by_partition("payments", "amount"), first.db).strip()
    assert counts == "payments_h1=1200/240 payments_h2=600/600", counts
