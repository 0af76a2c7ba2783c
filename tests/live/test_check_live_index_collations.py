"""An index key with a collation of its own against a live database: none after the
migrations; a second session that builds the index again without it is a finding."""

from __future__ import annotations

from pathlib import Path

from migration_harness import live_findings, migrated_project, schemagen
from pgcluster import PgCluster

CHILDREN = """
database: {name: t}
entities:
  Child:
    table: children
    columns:
      id: {type: bigint, primary_key: true}
      name: {type: text}
      code: {type: text, collation: C}
    indexes:
      children_name_c: {columns: [{column: name, collation: C}, id]}
      children_code_posix: {columns: [{column: code, collation: POSIX, ops: text_pattern_ops}]}
"""


def test_key_collation_drift_is_found(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    url = pg.url(pg_db)
    root = migrated_project(tmp_path / "p", CHILDREN, url)
    pg.sql(
        "INSERT INTO children SELECT n, chr(65 + n % 3 * 32), 'c' || n "
        "FROM generate_series(1, 30) n",
        pg_db,
    )
    assert live_findings(root, url) == []
    pg.sql(
        "DROP INDEX children_name_c; CREATE INDEX children_name_c ON children (name, id);"
        "DROP INDEX children_code_posix;"
        'CREATE INDEX children_code_posix ON children (code COLLATE "C" text_pattern_ops)',
        pg_db,
    )
    out = schemagen(root, "check", "--no-cache", "--database", url, expect_exit=1)
    assert [line.strip() for line in out.splitlines() if line.strip().startswith("index")] == [
        "index children_code_posix on children: key collations none in the database, (POSIX) "
        "in the schema",
        "index children_name_c on children: key collations none in the database, (C, -) in "
        "the schema",
    ]
    pg.sql(
        "DROP INDEX children_name_c;"
        'CREATE INDEX children_name_c ON children (name COLLATE "C", id);'
        "DROP INDEX children_code_posix; CREATE INDEX children_code_posix "
        'ON children (code COLLATE "POSIX" text_pattern_ops)',
        pg_db,
    )
    assert live_findings(root, url) == []


BOOKS = """
database: {name: t}
entities:
  Book:
    columns:
      id: {type: bigint, primary_key: true}
      title: {type: text, nullable: true}
      code: {type: text, collation: C, nullable: true}
    indexes:
      books_title_c: {columns: [{expression: "lower(title)", collation: C}]}
      books_title_code:
        columns: [{expression: "title || code", collation: POSIX, ops: text_pattern_ops}, id]
      books_code_lower: {columns: [{expression: "lower(code)"}, {column: title, collation: C}]}
"""


def test_expression_key_collation_drift_is_found(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """An expression key's collation of its own (COLLATE after the key in the
    index's definition), told from the one its expression has (lower(code) of a C
    column is C, and none of its own); a second session drops one, adds one, changes
    one: three findings; built back as declared: none."""
    url = pg.url(pg_db)
    root = migrated_project(tmp_path / "p", BOOKS, url)
    pg.sql(
        "INSERT INTO books SELECT n, CASE WHEN n % 4 > 0 THEN chr(65 + n % 3 * 32) END, "
        "CASE WHEN n % 5 > 0 THEN 'c' || n % 7 END FROM generate_series(1, 40) n",
        pg_db,
    )
    assert live_findings(root, url) == []
    pg.sql(
        "DROP INDEX books_title_c; CREATE INDEX books_title_c ON books (lower(title));"
        "DROP INDEX books_code_lower; CREATE INDEX books_code_lower "
        'ON books (lower(code) COLLATE "POSIX", title COLLATE "C");'
        "DROP INDEX books_title_code; CREATE INDEX books_title_code "
        'ON books ((title || code) COLLATE "C" text_pattern_ops, id)',
        pg_db,
    )
    assert live_findings(root, url) == [
        "index books_code_lower on books: key collations (POSIX, C) in the database, (-, C) "
        "in the schema",
        "index books_title_c on books: key collations none in the database, (C) in the schema",
        # COLLATE "C" is title || code's own collation (its C column's): none of the key's
        "index books_title_code on books: key collations none in the database, (POSIX, -) "
        "in the schema",
    ]
    pg.sql(
        "DROP INDEX books_title_c; "
        'CREATE INDEX books_title_c ON books ((lower(title) COLLATE "C"));'
        "DROP INDEX books_code_lower; CREATE INDEX books_code_lower "
        'ON books (lower(code), title COLLATE "C");'
        "DROP INDEX books_title_code; CREATE INDEX books_title_code "
        'ON books ((title || code) COLLATE "POSIX" text_pattern_ops, id)',
        pg_db,
    )
    assert live_findings(root, url) == []


MEMBERS = """
database: {name: t, extensions: [citext]}
entities:
  Member:
    columns:
      id: {type: bigint, primary_key: true}
      email: {type: citext, nullable: true}
      tags: {type: array, of: text, nullable: true}
      aliases: {type: array, of: citext, nullable: true}
    indexes:
      members_email_c: {columns: [{column: email, collation: C}]}
      members_tags_c: {columns: [{column: tags, collation: C}, id]}
      members_aliases_posix: {columns: [{column: aliases, collation: POSIX}]}
"""


def test_key_collations_of_citext_and_array_columns(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """A citext column's and arrays' keys with a collation (validate refused them
    before): at head clean, on rows with NULLs and values twice; built again by hand
    without the collations, three findings; as declared, clean."""
    url = pg.url(pg_db)
    root = migrated_project(tmp_path / "p", MEMBERS, url)
    pg.sql(
        "INSERT INTO members VALUES (1, 'Ann@x.org', '{b,a}', '{X}'), (2, 'ann@x.org', '{b,a}',"
        " '{x}'), (3, NULL, NULL, NULL), (4, 'bob@x.org', '{B,NULL}', '{}')",
        pg_db,
    )
    assert live_findings(root, url) == []
    schemagen(root, "check", "--no-cache", "--database", url)
    pg.sql(
        "DROP INDEX members_email_c, members_tags_c, members_aliases_posix;"
        "CREATE INDEX members_email_c ON members (email);"
        "CREATE INDEX members_tags_c ON members (tags, id);"
        "CREATE INDEX members_aliases_posix ON members (aliases)",
        pg_db,
    )
    assert live_findings(root, url) == [
        "index members_aliases_posix on members: key collations none in the database, "
        "(POSIX) in the schema",
        "index members_email_c on members: key collations none in the database, (C) in the "
        "schema",
        "index members_tags_c on members: key collations none in the database, (C, -) in the "
        "schema",
    ]
    pg.sql(
        "DROP INDEX members_email_c, members_tags_c, members_aliases_posix;"
        'CREATE INDEX members_email_c ON members (email COLLATE "C");'
        'CREATE INDEX members_tags_c ON members (tags COLLATE "C", id);'
        'CREATE INDEX members_aliases_posix ON members (aliases COLLATE "POSIX")',
        pg_db,
    )
    assert live_findings(root, url) == []
