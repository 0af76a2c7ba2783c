"""Type names on the expected side are quoted as PostgreSQL's ``format_type`` prints
them, by PostgreSQL's own rule and keyword lists (``check --database`` does not
import SQLAlchemy, whose list of reserved words is not PostgreSQL's)."""

from __future__ import annotations

from pathlib import Path

import psycopg
from migration_harness import live_findings, migrated_project
from pgcluster import PgCluster
from schemagen.model.naming import COL_NAME_KEYWORDS, SQL_KEYWORDS, format_name

#: Plain, capitals, keywords PostgreSQL does not reserve (new, over: SQLAlchemy quotes
#: them), keywords it does (position, collation, values: SQLAlchemy does not), a
#: dollar, a blank, and names in another PostgreSQL schema.
NAMES = ["mood", "Mood", "new", "over", "position", "collation", "values", "a$b", "two words",
         "billing.mood", "billing.Mood", "billing.new"]  # fmt: skip


def test_type_names_print_as_format_type_prints_them(pg: PgCluster, pg_db: str) -> None:
    with psycopg.connect(pg.libpq_url(pg_db), autocommit=True) as conn:
        category = dict(conn.execute("SELECT word, catcode::text FROM pg_get_keywords()"))
        assert COL_NAME_KEYWORDS == {w for w, c in category.items() if c == "C"}
        assert {w for w, c in category.items() if c in "RT"} <= SQL_KEYWORDS
        # system_user became a reserved keyword in PostgreSQL 16
        assert {w for w in SQL_KEYWORDS if category.get(w, "U") == "U"} <= {"system_user"}
        conn.execute("CREATE SCHEMA billing")
        for name in NAMES:
            schema, _, bare = name.rpartition(".")
            quoted = ('"' + schema + '".' if schema else "") + '"' + bare + '"'
            conn.execute(f"CREATE TYPE {quoted} AS ENUM ('a')")
            row = conn.execute("SELECT format_type(%s::regtype, NULL)", (quoted,)).fetchone()
            assert row is not None and format_name(name) == row[0], name


ENUM_NAMED_NEW = """
database: {name: t}
enums:
  Novelty: {db_name: new, values: [fresh, stale]}
entities:
  Item:
    columns:
      id: {type: bigint, primary_key: true}
      novelty: {type: enum, enum: Novelty, default: fresh}
"""


def test_an_enum_named_like_an_unreserved_keyword_is_no_drift(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    root = migrated_project(tmp_path / "p", ENUM_NAMED_NEW, pg.url(pg_db))
    assert live_findings(root, pg.url(pg_db)) == []
    pg.sql("ALTER TYPE new ADD VALUE 'gone'", pg_db)
    assert live_findings(root, pg.url(pg_db)) == [
        "enum new: value(s) 'gone' only in the database: "
        "(fresh, stale, gone) in the database, (fresh, stale) in the schema"
    ]
