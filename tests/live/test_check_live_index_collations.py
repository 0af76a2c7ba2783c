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
