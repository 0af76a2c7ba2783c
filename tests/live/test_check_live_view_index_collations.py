"""``check --database`` on the key collations of materialized views' indexes,
compared as a table's index keys' are: a key's collation of its own (``COLLATE
"C"`` made by hand) is a finding, a key whose collation is its column's (a view
column over a ``collation: C`` table column has C) is none. Read in the views
query (no query of their own); a database at head, in the default schema and in
another, checks clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from live_check import check_command, drift_json
from migration_harness import by_hand, live_findings, migrated_database, migrated_project
from pgcluster import PgCluster

SCHEMA = """
database: {name: mvco}
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      name: {type: text, nullable: true}
      code: {type: text, collation: C, nullable: true}
views:
  StoreNames:
    materialized: true
    sql: "SELECT id, name, code FROM stores WHERE id > 0"
    columns: {id: {type: bigint}, name: {type: text}, code: {type: text}}
    indexes:
      ux_store_names: {columns: [id], unique: true}
      ix_store_names_name: {columns: [name, id]}
      ix_store_names_code: {columns: [code]}
  CodeCounts:
    schema: audit
    view: code_counts
    materialized: true
    sql: "SELECT code, count(*) AS stores FROM stores GROUP BY code"
    columns: {code: {type: text}, stores: {type: bigint}}
    indexes:
      ix_code_counts: {columns: [code]}
"""

ROWS = (
    # NULLs and duplicates in the indexed columns
    "INSERT INTO stores SELECT n, CASE WHEN n % 5 = 0 THEN NULL ELSE 'store ' || n % 7 END, "
    "CASE WHEN n % 4 = 0 THEN NULL ELSE chr(65 + n % 3 * 32) END FROM generate_series(1, 60) n;"
    "REFRESH MATERIALIZED VIEW store_names; REFRESH MATERIALIZED VIEW audit.code_counts"
)

# A second session makes indexes again with a collation of their own per key.
BEHIND = (
    "DROP INDEX ix_store_names_name",
    'CREATE INDEX ix_store_names_name ON store_names (name COLLATE "C", id)',
    "DROP INDEX ix_store_names_code",
    'CREATE INDEX ix_store_names_code ON store_names (code COLLATE "POSIX")',
    "DROP INDEX audit.ix_code_counts",
    'CREATE INDEX ix_code_counts ON audit.code_counts (code COLLATE "default")',
)

EXPECTED = [  # by view key (audit.code_counts first), then index
    ("index ix_code_counts on audit.code_counts",
     "key collations (default) in the database, none in the schema",
     "DROP INDEX audit.ix_code_counts"),
    ("index ix_store_names_code on store_names",
     "key collations (POSIX) in the database, none in the schema",
     "DROP INDEX public.ix_store_names_code"),
    ("index ix_store_names_name on store_names",
     "key collations (C, -) in the database, none in the schema",
     "DROP INDEX public.ix_store_names_name"),
]


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    return migrated_database(pg, tmp_path, "mvco", SCHEMA, ROWS)


def test_a_database_at_head_is_clean(pg: PgCluster, db: tuple[Path, str]) -> None:
    root, name = db
    assert live_findings(root, pg.url(name)) == []
    # the view column over the C column has C: its index key has no collation of its own
    assert pg.sql(
        "SELECT l.collname FROM pg_attribute a JOIN pg_collation l ON l.oid = a.attcollation "
        "WHERE a.attrelid = 'store_names'::regclass AND a.attname = 'code'",
        name,
    ) == "C\n"
    code, output = check_command(root, pg.url(name))
    assert code == 0, output


def test_key_collations_made_by_hand_are_drift(pg: PgCluster, db: tuple[Path, str]) -> None:
    root, name = db
    url = pg.url(name)
    by_hand(pg, name, BEHIND)
    assert live_findings(root, url) == [f"{obj}: {msg}" for obj, msg, _ in EXPECTED]

    code, output = check_command(root, url)
    assert code == 1, output
    for obj, msg, _ in EXPECTED:
        assert f"  {obj}: {msg}" in output.splitlines(), output

    findings = drift_json(root, url)
    assert [(f["object"], f["message"]) for f in findings] == [(o, m) for o, m, _ in EXPECTED]
    assert all(f"`{fix}`" in f["hint"] for (_, _, fix), f in zip(EXPECTED, findings, strict=True))

    # made again as declared: the database is back at the schema
    pg.sql(
        "DROP INDEX ix_store_names_name; DROP INDEX ix_store_names_code;"
        "DROP INDEX audit.ix_code_counts;"
        "CREATE INDEX ix_store_names_name ON store_names (name, id);"
        "CREATE INDEX ix_store_names_code ON store_names (code);"
        "CREATE INDEX ix_code_counts ON audit.code_counts (code)",
        name,
    )
    assert live_findings(root, url) == []


DECLARED = """
database: {name: mvcd}
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      name: {type: text, nullable: true}
views:
  StoreNames:
    materialized: true
    sql: "SELECT id, name FROM stores"
    columns: {id: {type: bigint}, name: {type: text}}
    indexes:
      ix_store_names_name:
        columns: [{column: name, collation: C}, {column: id, order: desc}]
      ux_store_names_id: {columns: [id], unique: true, nulls_not_distinct: true}
"""


def test_declared_key_options_are_made_and_compared(pg: PgCluster, tmp_path: Path) -> None:
    """A key's collation and order declared on a view's index are made (the migration
    left them out before) and compared: built again without them by hand, a finding."""
    name = pg.create_database("mvcd")
    url = pg.url(name)
    root = migrated_project(tmp_path / "p", DECLARED, url)
    pg.sql(
        "INSERT INTO stores SELECT n, CASE WHEN n % 3 = 0 THEN NULL ELSE 'store ' || n % 4 END "
        "FROM generate_series(1, 30) n; REFRESH MATERIALIZED VIEW store_names",
        name,
    )
    assert live_findings(root, url) == []
    pg.sql(
        "DROP INDEX ix_store_names_name;"
        "CREATE INDEX ix_store_names_name ON store_names (name, id);"
        "DROP INDEX ux_store_names_id; CREATE UNIQUE INDEX ux_store_names_id ON store_names (id)",
        name,
    )
    assert live_findings(root, url) == [
        "index ix_store_names_name on store_names: key order all ASC in the database, "
        "(ASC, DESC) in the schema",
        "index ix_store_names_name on store_names: key collations none in the database, "
        "(C, -) in the schema",
        "index ux_store_names_id on store_names: nulls_not_distinct: no in the database, "
        "yes in the schema",
    ]


EXPRESSIONS = """
database: {name: mvex}
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      name: {type: text, nullable: true}
      code: {type: text, collation: C, nullable: true}
views:
  StoreNames:
    materialized: true
    sql: "SELECT id, name, code FROM stores"
    columns: {id: {type: bigint}, name: {type: text}, code: {type: text}}
    indexes:
      ix_store_names_lower:
        columns: [{expression: lower(name), collation: C}, id]
      ix_store_names_plain: {columns: [{expression: lower(name)}]}
      ix_store_names_code: {columns: [{expression: upper(code)}]}
"""


def test_an_expression_key_s_own_collation_is_compared(pg: PgCluster, tmp_path: Path) -> None:
    """An expression key's collation of its own (``(lower(name)) COLLATE "C"``) on a
    materialized view's index, read from its definition as a table index's is
    (VIEW_INDEXES gave NULL for every expression key): removed or added by hand, a
    finding; an expression whose own collation is C (``upper(code)`` of a C column)
    is none."""
    name = pg.create_database("mvex")
    url = pg.url(name)
    root = migrated_project(tmp_path / "p", EXPRESSIONS, url)
    try:
        pg.sql(
            # NULLs and duplicates in the indexed expressions
            "INSERT INTO stores SELECT n, CASE WHEN n % 3 = 0 THEN NULL ELSE 'Store ' || n % 4 "
            "END, CASE WHEN n % 5 = 0 THEN NULL ELSE chr(65 + n % 2 * 32) END "
            "FROM generate_series(1, 40) n; REFRESH MATERIALIZED VIEW store_names",
            name,
        )
        assert live_findings(root, url) == []
        code, output = check_command(root, url)
        assert code == 0, output
        by_hand(pg, name, (
            "DROP INDEX ix_store_names_lower",
            "CREATE INDEX ix_store_names_lower ON store_names (lower(name), id)",
            "DROP INDEX ix_store_names_plain",
            'CREATE INDEX ix_store_names_plain ON store_names ((lower(name)) COLLATE "POSIX")',
        ))
        assert live_findings(root, url) == [
            "index ix_store_names_lower on store_names: key collations none in the database, "
            "(C, -) in the schema",
            "index ix_store_names_plain on store_names: key collations (POSIX) in the "
            "database, none in the schema",
        ]
        code, output = check_command(root, url)
        assert code == 1, output
        # made again as declared: clean
        pg.sql(
            "DROP INDEX ix_store_names_lower; DROP INDEX ix_store_names_plain;"
            'CREATE INDEX ix_store_names_lower ON store_names ((lower(name)) COLLATE "C", id);'
            "CREATE INDEX ix_store_names_plain ON store_names (lower(name))",
            name,
        )
        assert live_findings(root, url) == []
    finally:
        pg.drop_database(name)
