"""A primary key rebuilt over columns that do not hold the old key's (links'
(a, b) narrowed to (a), or (a) moved to (code)) on rows that repeat the new
columns fails with the key named, the columns and one repeated value, as a key
added to a keyless table does, not PostgreSQL's "could not create unique index
"pk_links"" (measured on PostgreSQL 15); the transaction rolls back with the old
key in place, and once the rows are fixed the same command completes it. A key
rebuilt over columns that hold the old ones cannot meet repeated rows: no check."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from migration_harness import Case, alembic, assert_matches_models, revisions
from pgcluster import PgCluster
from revision_steps import at_first_revision, failed_migration, refused
from schemagen.model.schema import PrimaryKey
from schemagen.operations.table import AddPrimaryKey
from schemagen.revision.constraints import key_rows_sql

BEFORE = """\
database: {name: keys}
entities:
  Link:
    columns:
      a: {type: bigint, primary_key: true}
      b: {type: bigint, primary_key: true}
      code: {type: text}
      note: {type: text, nullable: true}
"""
NARROWED = BEFORE.replace("b: {type: bigint, primary_key: true}", "b: {type: bigint}")
MOVED = NARROWED.replace("a: {type: bigint, primary_key: true}", "a: {type: bigint}").replace(
    "code: {type: text}", "code: {type: text, primary_key: true}"
)
#: (1, *) twice and code 'c' twice (rows 1 and 2), NULL notes
ROWS = (
    "INSERT INTO links VALUES (1, 1, 'c', 'x'), (1, 2, 'c', NULL), (2, 1, 'd', NULL), "
    "(3, 1, 'e', 'x')"
)


@pytest.mark.parametrize(
    ("after", "message"),
    [
        (NARROWED, "cannot add primary key pk_links to links: more than one row has (a) = 1"),
        (MOVED, "cannot add primary key pk_links to links: more than one row has (code) = c"),
    ],
    ids=["narrowed", "moved"],
)
def test_a_rebuilt_key_over_repeated_rows_is_named(
    pg: PgCluster, tmp_path: Path, after: str, message: str
) -> None:
    case = Case("keys", {"s.yaml": BEFORE}, {"s.yaml": after})
    first = at_first_revision(pg, case, tmp_path, ROWS)
    root, db, url = first.root, first.db, first.url
    error = str(failed_migration(root, url))
    assert message in error, error
    assert "could not create unique index" not in error
    assert "or keep the primary key over (a, b)" in error
    # rolled back: the old key still refuses a second session's duplicate
    twice = "INSERT INTO links VALUES (3, 1, 'z', NULL)"
    assert refused(url, twice, psycopg.errors.UniqueViolation)
    pg.sql("DELETE FROM links WHERE b = 2", db)
    alembic(root, url, "upgrade", "head")
    assert_matches_models(pg, db, first.models_after, [], "upgrade")
    # back to (a, b): from (a), which it holds, rows cannot repeat it (no check);
    # from (code) they may (checked)
    migration = "\n".join(p.read_text() for p in revisions(root)[1:])
    downgrade = migration[migration.index("def downgrade") :]
    assert ("cannot add primary key" in downgrade) == (after == MOVED)
    alembic(root, url, "downgrade", first.heads[0])
    assert_matches_models(pg, db, first.models_before, [], "downgrade")
    assert pg.sql("SELECT count(*) FROM links", db).strip() == "3"


def test_a_key_over_rows_holding_null_and_repeats_is_refused_for_the_null(pg: PgCluster) -> None:
    """key_rows_sql searches the rows once (NULL keys and repeated keys in one
    GROUP BY): a table holding both is refused for its NULL, as when NULL was
    searched first; repeats alone name one repeated value; clean rows pass."""
    db = pg.create_database("keyrows")
    pg.sql("CREATE TABLE t (a bigint, b bigint)", db)
    single = key_rows_sql(AddPrimaryKey("t", PrimaryKey("t_pk", ("a",)), keyless=True))
    pair = key_rows_sql(AddPrimaryKey("t", PrimaryKey("t_pk", ("a", "b")), other=("b",)))

    def refusal(sql: str) -> str | None:
        with psycopg.connect(pg.libpq_url(db)) as conn:
            try:
                conn.execute(sql)
            except psycopg.errors.RaiseException as error:
                return error.diag.message_primary
        return None

    # the repeats sort before the NULL row in a GROUP BY and in the table
    pg.sql("INSERT INTO t VALUES (1, 1), (1, 1), (2, 2), (NULL, 3), (4, NULL)", db)
    assert refusal(single) == "cannot add primary key t_pk to t: a row holds NULL in (a)"
    assert refusal(pair) == "cannot add primary key t_pk to t: a row holds NULL in (a, b)"
    pg.sql("DELETE FROM t WHERE a IS NULL OR b IS NULL", db)
    assert refusal(single) == "cannot add primary key t_pk to t: more than one row has (a) = 1"
    assert refusal(pair) == "cannot add primary key t_pk to t: more than one row has (a, b) = (1,1)"
    pg.sql("DELETE FROM t WHERE ctid = (SELECT min(ctid) FROM t WHERE a = 1)", db)
    assert refusal(single) is None and refusal(pair) is None
