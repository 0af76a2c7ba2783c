"""``check --database`` and comments on PostgreSQL schemas (``COMMENT ON SCHEMA``).

The schema language has no place for one: a PostgreSQL schema is no object of the
YAML but the namespace its objects name (``schema: billing``), which migrations
make when the first object needs it (``CREATE SCHEMA IF NOT EXISTS``) and drop
only once empty. So a schema's comment, made or changed by hand, is not drift:
it is the database owner's documentation of a namespace that may hold more than
the project's, it changes nothing an application sees, and the language gives no
way to declare it (``schemagen import`` lists it as not expressible, so an
adopter is told). What the same database holds of the project's is still
compared: a column comment changed beside it is a finding.
"""

from __future__ import annotations

from pathlib import Path

from live_check import check_command
from migration_harness import live_findings, migrated_project
from pgcluster import PgCluster

SCHEMA = """
database: {name: nsc}
entities:
  Account:
    columns:
      id: {type: bigint, primary_key: true}
      email: {type: text, nullable: true, description: Where receipts go.}
  Invoice:
    schema: billing
    columns:
      id: {type: bigint, primary_key: true}
      account_id: {type: bigint, nullable: true}
"""

ROWS = (
    "INSERT INTO accounts SELECT n, CASE WHEN n % 4 = 0 THEN NULL "
    "ELSE 'user' || n % 5 || '@example.com' END FROM generate_series(1, 40) n;"
    "INSERT INTO billing.invoices SELECT n, NULLIF(n % 6, 0) FROM generate_series(1, 30) n"
)


def test_schema_comments_made_by_hand_are_no_drift(pg: PgCluster, tmp_path: Path) -> None:
    name = pg.create_database("nsc")
    url = pg.url(name)
    root = migrated_project(tmp_path / "p", SCHEMA, url)
    pg.sql(ROWS, name)
    assert live_findings(root, url) == []
    # made on billing (which migrations made), changed on public (initdb's own)
    pg.sql(
        "COMMENT ON SCHEMA billing IS 'Invoices, owned by the finance team';"
        "COMMENT ON SCHEMA public IS 'The application''s tables'",
        name,
    )
    assert live_findings(root, url) == []
    code, output = check_command(root, url)
    assert code == 0, output
    assert "check OK" in output

    # the project's own comments are still compared in the same database
    pg.sql("COMMENT ON COLUMN accounts.email IS 'changed by hand'", name)
    assert live_findings(root, url) == [
        "column accounts.email: comment is 'changed by hand' in the database, "
        "'Where receipts go.' in the schema"
    ]
    code, output = check_command(root, url)
    assert code == 1, output
