"""The DO blocks a revision runs (the searches before a key or unique index, the
VALIDATE steps, the idempotent adds, the INVALID-index drop, the identity rename)
quote their bodies with a dollar tag that the body does not hold: a check, a
partial index's predicate or an expression key may hold '$schemagen$' or '$$' in
a literal, which ended the body where it stood. Names cannot hold a '$' (validate
refuses them), but the blocks are proven with such names too, built from the
model, as the revision builds them."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from migration_harness import Case, alembic
from pgcluster import PgCluster
from revision_steps import at_first_revision
from schemagen.model.schema import (
    CheckConstraint,
    Column,
    ColumnType,
    Index,
    IndexKey,
    PrimaryKey,
)
from schemagen.model.sequences import identity_rename_sql
from schemagen.model.sqltext import do_block
from schemagen.operations.table import AddPrimaryKey
from schemagen.revision.constraints import key_rows_sql
from schemagen.revision.indexes import drop_invalid_index_sql
from schemagen.revision.validation import (
    repeated_index_rows_sql,
    validate_check_sql,
)

BEFORE = """\
database: {name: tagged}
entities:
  Item:
    columns:
      id: {type: bigint, primary_key: true}
      code: {type: text, nullable: true}
      note: {type: text, nullable: true}
"""
#: codes repeated ('a' twice, NULL twice), and one row holding each tag as its code
ROWS = (
    "INSERT INTO items VALUES (1, 'a', 'x'), (2, 'a', NULL), (3, NULL, NULL), "
    "(4, NULL, 'y'), (5, '$$', 'x'), (6, '$schemagen$', NULL)"
)
#: a partial unique index whose predicate and key hold both tags in literals
INDEX = """\
    indexes:
      ux_items_code:
        columns: [{expression: "coalesce(code, '$schemagen$')"}]
        unique: true
        where: "code <> '$$' AND code <> '$schemagen$' AND note IS DISTINCT FROM '$schemagen'"
"""
#: a check that the '$schemagen$' row breaks
CHECK = """\
    checks:
      ck_items_code: "code <> '$schemagen$' AND code <> 'schemagen$$'"
"""


def test_a_unique_index_whose_predicate_holds_the_tags_is_searched_and_built(
    pg: PgCluster, tmp_path: Path
) -> None:
    case = Case("tagged", {"s.yaml": BEFORE}, {"s.yaml": BEFORE + INDEX}, destructive=False)
    first = at_first_revision(pg, case, tmp_path, ROWS)
    with pytest.raises(sa.exc.DBAPIError) as info:
        alembic(first.root, first.url, "upgrade", "head")
    error = str(info.value)
    assert (
        "cannot build unique index ux_items_code on items: rows repeat "
        "(coalesce(code, '$schemagen$'))" in error
    ), error
    found = re.search(r"list them with: (SELECT .*?); change", error, re.S)
    assert found, error
    listed = pg.sql(
        f"SELECT string_agg(id::text, ',' ORDER BY id) FROM ({found[1]}) AS r", first.db
    )
    assert listed.strip() == "1,2"
    pg.sql("UPDATE items SET code = 'b' WHERE id = 2", first.db)
    alembic(first.root, first.url, "upgrade", "head")
    assert pg.sql(
        "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ux_items_code'::regclass", first.db
    ).strip() == "t"
    alembic(first.root, first.url, "downgrade", "000")
    assert pg.sql("SELECT to_regclass('ux_items_code') IS NULL", first.db).strip() == "t"


def test_a_check_holding_the_tags_is_added_and_validated_by_name(
    pg: PgCluster, tmp_path: Path
) -> None:
    case = Case("tagged", {"s.yaml": BEFORE}, {"s.yaml": BEFORE + CHECK}, destructive=False)
    first = at_first_revision(pg, case, tmp_path, ROWS)
    with pytest.raises(sa.exc.DBAPIError) as info:
        alembic(first.root, first.url, "upgrade", "head")
    error = str(info.value)
    assert "cannot validate check ck_items_code on items" in error, error
    pg.sql("DELETE FROM items WHERE id = 6", first.db)
    alembic(first.root, first.url, "upgrade", "head")
    assert pg.sql(
        "SELECT convalidated FROM pg_constraint WHERE conname = 'ck_items_code'", first.db
    ).strip() == "t"
    with psycopg.connect(pg.libpq_url(first.db)) as conn, pytest.raises(
        psycopg.errors.CheckViolation
    ):
        conn.execute("INSERT INTO items VALUES (7, '$schemagen$', NULL)")
    alembic(first.root, first.url, "downgrade", "000")


@pytest.mark.parametrize(
    "body",
    [" BEGIN END ", " $schemagen$ ", " $schemagen ", " schemagen$ ", " $schemagen$ $schemagen1$ "],
)
def test_the_tag_is_held_by_no_body(body: str) -> None:
    block = do_block(body)
    tag = re.match(r"DO (\$[a-z0-9]*\$)", block)
    assert tag and block == f"DO {tag[1]}{body}{tag[1]}"
    assert tag[1][1:-1] not in body


def test_blocks_with_tags_in_names_run(pg: PgCluster, pg_db: str) -> None:
    """Names with '$$' and '$schemagen$' (quoted identifiers, which the language
    refuses, built here from the model): each block parses and does its work."""
    db = pg_db
    pg.sql(
        'CREATE TABLE "t$$" ("k$schemagen$" int, "n$$" text, id int GENERATED BY DEFAULT AS '
        'IDENTITY); INSERT INTO "t$$" VALUES (1, NULL), (1, NULL), (2, NULL); '
        'CREATE INDEX "ix$$" ON "t$$" ("n$$"); UPDATE pg_index SET indisvalid = false '
        "WHERE indexrelid = '\"ix$$\"'::regclass",
        db,
    )
    key = AddPrimaryKey("t$$", PrimaryKey("pk$$", ("k$schemagen$",)), keyless=True)
    with psycopg.connect(pg.libpq_url(db), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.RaiseException, match=r"more than one row has"):
            conn.execute(key_rows_sql(key))
        conn.execute(drop_invalid_index_sql("ix$$", "t$$"))
        assert conn.execute("SELECT to_regclass('\"ix$$\"')").fetchone() == (None,)
        ix = Index("ux$schemagen$", (), unique=True, keys=(IndexKey(column="k$schemagen$"),))
        with pytest.raises(psycopg.errors.UniqueViolation, match="rows repeat"):
            conn.execute(repeated_index_rows_sql("t$$", ix))
        conn.execute('ALTER TABLE "t$$" ADD CONSTRAINT "ck$$" CHECK ("k$schemagen$" < 2) NOT VALID')
        with pytest.raises(psycopg.errors.CheckViolation, match="cannot validate check ck"):
            conn.execute(validate_check_sql("t$$", CheckConstraint("ck$$", '"k$schemagen$" < 2')))
        column = Column("id", ColumnType("bigint"), identity=True, sequence_name="s$$")
        conn.execute(identity_rename_sql("t$$", column))
        assert conn.execute("SELECT to_regclass('\"s$$\"') IS NOT NULL").fetchone() == (True,)
