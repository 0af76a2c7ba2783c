"""The search for repeated rows before a new unique index compares its keys as
the index does, whatever their shape: a key with an operator class of its own
(``ops:``; equality is the class's, looked up in the database), NULLS NOT
DISTINCT (two NULLs repeat), a key with a collation of its own (a column's or an
expression's: a nondeterministic collation makes 'A' equal 'a'), and a citext
key. Rows repeating under the shape are named with the index and a query that
lists them, not PostgreSQL's "could not create unique index"; rows that repeat
only under another comparison (the column's collation where the key has its
own) are not refused. Tables hold rows, NULLs and repeated values among them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from migration_harness import Case, alembic, generate, scratch_database
from pgcluster import PgCluster
from schemagen.model.schema import Index, IndexKey
from schemagen.revision.validation import repeated_index_rows_sql

BEFORE = """\
database:
  name: keyed
  extensions: [citext]
entities:
  Item:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {type: bigint}
      code: {type: text, nullable: true}
      name: {type: text, nullable: true}
      nick: {type: citext, nullable: true}
      folded: {type: text, nullable: true, collation: ci}
"""
#: a case-insensitive (nondeterministic) ICU collation, made before revision 000
COLLATION = (
    "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)"
)


@dataclass(frozen=True)
class Shape:
    index: str  # the index's YAML under indexes:
    rows: str  # (id, store_id, code, name, nick, folded) tuples
    shown: str  # the keys as the error names them
    listed: str  # the ids the error's query lists
    fix: str  # SQL after which no row repeats


SHAPES = {
    # text_pattern_ops: plain equality; NULL codes repeat nothing
    "column_ops": Shape(
        "{columns: [store_id, code], unique: true, ops: {code: text_pattern_ops}}",
        "(1, 1, 'a', NULL, NULL, NULL), (2, 1, 'a', NULL, NULL, NULL), "
        "(3, 1, 'A', NULL, NULL, NULL), (4, 1, NULL, NULL, NULL, NULL), "
        "(5, 1, NULL, NULL, NULL, NULL), (6, 2, 'a', NULL, NULL, NULL)",
        "store_id, code",
        "1,2",
        "UPDATE items SET code = 'b' WHERE id = 2",
    ),
    "expression_ops": Shape(
        '{columns: [{expression: "lower(name)", ops: text_pattern_ops}], unique: true}',
        "(1, 1, NULL, 'Ab', NULL, NULL), (2, 2, NULL, 'aB', NULL, NULL), "
        "(3, 1, NULL, NULL, NULL, NULL), (4, 1, NULL, NULL, NULL, NULL), "
        "(5, 1, NULL, 'ab ', NULL, NULL)",
        "lower(name)",
        "1,2",
        "DELETE FROM items WHERE id = 2",
    ),
    # NULLS NOT DISTINCT: two NULLs in one store repeat; NULL in another store does not
    "nulls_not_distinct": Shape(
        "{columns: [store_id, code], unique: true, nulls_not_distinct: true}",
        "(1, 1, NULL, NULL, NULL, NULL), (2, 1, NULL, NULL, NULL, NULL), "
        "(3, 2, NULL, NULL, NULL, NULL), (4, 1, 'a', NULL, NULL, NULL), "
        "(5, 2, 'a', NULL, NULL, NULL)",
        "store_id, code",
        "1,2",
        "UPDATE items SET code = 'z' WHERE id = 2",
    ),
    "nulls_not_distinct_ops": Shape(
        "{columns: [{column: code, ops: text_pattern_ops}], unique: true, "
        "nulls_not_distinct: true}",
        "(1, 1, NULL, NULL, NULL, NULL), (2, 2, NULL, NULL, NULL, NULL), "
        "(3, 1, 'a', NULL, NULL, NULL), (4, 1, 'A', NULL, NULL, NULL)",
        "code",
        "1,2",
        "UPDATE items SET code = 'z' WHERE id = 2",
    ),
    # citext: case-insensitive equality, the class's own as the type's
    "citext_ops": Shape(
        "{columns: [{column: nick, ops: citext_pattern_ops}], unique: true}",
        "(1, 1, NULL, NULL, 'Ab', NULL), (2, 1, NULL, NULL, 'aB', NULL), "
        "(3, 1, NULL, NULL, NULL, NULL), (4, 1, NULL, NULL, NULL, NULL), "
        "(5, 1, NULL, NULL, 'b', NULL)",
        "nick",
        "1,2",
        "UPDATE items SET nick = 'c' WHERE id = 2",
    ),
    # a key collation of its own, nondeterministic: 'Ab' and 'aB' are one key
    "column_collation": Shape(
        "{columns: [store_id, {column: name, collation: ci}], unique: true}",
        "(1, 1, NULL, 'Ab', NULL, NULL), (2, 1, NULL, 'aB', NULL, NULL), "
        "(3, 2, NULL, 'ab', NULL, NULL), (4, 1, NULL, NULL, NULL, NULL), "
        "(5, 1, NULL, NULL, NULL, NULL)",
        "store_id, name",
        "1,2",
        "UPDATE items SET store_id = 3 WHERE id = 2",
    ),
    "expression_collation": Shape(
        '{columns: [{expression: "btrim(name)", collation: ci}], unique: true, '
        "where: store_id = 1}",
        "(1, 1, NULL, ' Ab', NULL, NULL), (2, 1, NULL, 'aB ', NULL, NULL), "
        "(3, 2, NULL, 'ab', NULL, NULL), (4, 1, NULL, NULL, NULL, NULL), "
        "(5, 1, NULL, NULL, NULL, NULL)",
        "btrim(name)",
        "1,2",
        "UPDATE items SET name = 'x' WHERE id = 2",
    ),
}


def _scene(pg: PgCluster, tmp_path: Path, index: str, rows: str) -> tuple[Path, str, str]:
    """(project, database, url) at revision 000 holding ``rows``; revision 001 adds
    unique index ux_items, ``index``."""
    after = BEFORE + f"    indexes:\n      ux_items: {index}\n"
    root = tmp_path / "project"
    generate(Case("keyed", {"s.yaml": BEFORE}, {"s.yaml": after}, destructive=False), root)
    db = scratch_database(pg, "keyed")
    pg.sql(COLLATION, db)
    url = pg.url(db)
    alembic(root, url, "upgrade", "000")
    pg.sql(f"INSERT INTO items VALUES {rows}", db)
    return root, db, url


def _invalid(pg: PgCluster, db: str) -> str:
    return pg.sql("SELECT count(*) FROM pg_index WHERE NOT indisvalid", db).strip()


@pytest.mark.parametrize("name", list(SHAPES))
def test_rows_repeating_under_the_key_shape_name_the_index_and_a_query(
    pg: PgCluster, tmp_path: Path, name: str
) -> None:
    shape = SHAPES[name]
    root, db, url = _scene(pg, tmp_path, shape.index, shape.rows)
    with pytest.raises(sa.exc.DBAPIError) as info:
        alembic(root, url, "upgrade", "head")
    error = str(info.value)
    assert f"cannot build unique index ux_items on items: rows repeat ({shape.shown})" in error
    assert "could not create unique index" not in error, error
    found = re.search(r"list them with: (SELECT .*?); change", error, re.S)
    assert found, error
    listed = pg.sql(f"SELECT string_agg(id::text, ',' ORDER BY id) FROM ({found[1]}) AS r", db)
    assert listed.strip() == shape.listed, found[1]
    assert _invalid(pg, db) == "0"
    assert pg.sql("SELECT to_regclass('ux_items') IS NULL", db).strip() == "t"
    pg.sql(shape.fix, db)
    alembic(root, url, "upgrade", "head")
    assert _invalid(pg, db) == "0"
    alembic(root, url, "downgrade", "000")
    assert pg.sql("SELECT to_regclass('ux_items') IS NULL", db).strip() == "t"


def test_in_the_transaction_too(pg: PgCluster, tmp_path: Path) -> None:
    """Built in the transaction (concurrently: false), the same search runs first."""
    shape = SHAPES["nulls_not_distinct_ops"]
    index = shape.index.replace("unique: true", "unique: true, concurrently: false")
    root, db, url = _scene(pg, tmp_path, index, shape.rows)
    with pytest.raises(sa.exc.DBAPIError, match="cannot build unique index ux_items"):
        alembic(root, url, "upgrade", "head")
    pg.sql(shape.fix, db)
    alembic(root, url, "upgrade", "head")
    assert pg.sql("SELECT to_regclass('ux_items') IS NOT NULL", db).strip() == "t"


def test_an_operator_class_s_own_equality_is_the_one_searched(pg: PgCluster, pg_db: str) -> None:
    """record_image_ops compares images (*=), not values (=): (1, 1.0) and (1, 1.00)
    are equal values but not equal images, so a unique index under it takes both,
    while two (1, NULL) have one image and repeat. The search (run as the revision
    runs it, on a composite key the language cannot declare) answers as the build."""
    db = pg_db
    pg.sql(
        "CREATE TYPE pair AS (s int, p numeric); CREATE TABLE rj (id int, s int, p numeric); "
        "INSERT INTO rj VALUES (1, 1, 1.0), (2, 1, 1.00), (3, 2, 5), (4, 2, 5.0)",
        db,
    )
    ix = Index(
        "ux_rj",
        (),
        unique=True,
        keys=(IndexKey(expression="ROW(s, p)::pair", ops="record_image_ops"),),
        where="id > 0",
    )
    search = repeated_index_rows_sql("rj", ix)
    build = "CREATE UNIQUE INDEX ux_rj ON rj ((ROW(s, p)::pair) record_image_ops) WHERE id > 0"
    # GROUP BY (=) would find (1, 1.0) and (1, 1.00) repeated: the search does not
    repeats = pg.sql("SELECT count(*) FROM rj GROUP BY ROW(s, p)::pair HAVING count(*) > 1", db)
    assert repeats.split() == ["2", "2"]
    pg.sql(f"{search}; {build}; DROP INDEX ux_rj", db)
    pg.sql("INSERT INTO rj VALUES (5, 1, NULL), (6, 1, NULL), (7, 3, NULL)", db)
    with psycopg.connect(pg.libpq_url(db)) as conn:
        with pytest.raises(psycopg.errors.UniqueViolation, match="rows repeat") as info:
            conn.execute(search)
        conn.rollback()
        query = info.value.diag.message_hint.split("list them with: ")[1].split("; change")[0]
        listed = conn.execute(f"SELECT string_agg(id::text, ',' ORDER BY id) FROM ({query}) r")
        assert listed.fetchone() == ("5,6",)
        with pytest.raises(psycopg.errors.UniqueViolation, match="could not create unique"):
            conn.execute(build)


def test_rows_equal_only_under_the_column_s_collation_are_not_refused(
    pg: PgCluster, tmp_path: Path
) -> None:
    """folded is in the case-insensitive ci; the key compares it under "C", where
    'Ab' and 'aB' differ: the index takes them, so the search must too."""
    root, db, url = _scene(
        pg,
        tmp_path,
        '{columns: [{column: folded, collation: "C"}], unique: true}',
        "(1, 1, NULL, NULL, NULL, 'Ab'), (2, 1, NULL, NULL, NULL, 'aB'), "
        "(3, 1, NULL, NULL, NULL, NULL), (4, 1, NULL, NULL, NULL, NULL)",
    )
    alembic(root, url, "upgrade", "head")
    assert _invalid(pg, db) == "0"
    assert pg.sql("SELECT count(*) FROM items", db).strip() == "4"
    # the index holds what it was built for: 'Ab' again is refused, 'AB' taken
    with psycopg.connect(pg.libpq_url(db)) as conn, pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("INSERT INTO items VALUES (5, 1, NULL, NULL, NULL, 'Ab')")
    pg.sql("INSERT INTO items VALUES (6, 1, NULL, NULL, NULL, 'AB')", db)
