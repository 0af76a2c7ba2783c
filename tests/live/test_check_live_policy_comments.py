"""``check --database`` on the comments of policies: migrations write a policy's
``description`` as its comment, so a comment changed, added or removed by hand is
drift, reported inside the policy's findings. Its hint is the statement that puts the
declared text back (``COMMENT ON POLICY p ON t IS '...'``) or removes the extra one
(``IS NULL``), as a table's, column's, view's or function's comment finding has;
text output shows it, not only the general hint (no migration changes a comment at
head)."""

from __future__ import annotations

from pathlib import Path

import pytest
from comment_drift import assert_comment_drift
from migration_harness import migrated_database
from pgcluster import PgCluster

SCHEMA = """
database: {name: pcom}
entities:
  Store:
    row_level_security: true
    columns:
      id: {type: bigint, primary_key: true}
      owner: {type: string, length: 40, nullable: true}
    policies:
      own:
        command: select
        using: "owner = current_user"
        description: "Owners see their shop's rows."
      open: {command: insert, with_check: "id > 0"}
  Invoice:
    schema: billing
    row_level_security: true
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {type: bigint, nullable: true}
    policies:
      billed:
        using: "store_id IS NOT NULL"
        description: Invoices of a store.
"""

ROWS = (
    "INSERT INTO stores SELECT n, CASE WHEN n % 5 = 0 THEN NULL ELSE 'owner ' || n % 3 END "
    "FROM generate_series(1, 50) n;"
    "INSERT INTO billing.invoices SELECT n, NULLIF(n % 4, 0) FROM generate_series(1, 40) n"
)

BEHIND = (
    "COMMENT ON POLICY own ON stores IS 'Changed by hand.'",
    "COMMENT ON POLICY open ON stores IS 'Added by hand.'",
    "COMMENT ON POLICY billed ON billing.invoices IS NULL",
)

EXPECTED = [  # object, message, the hint's statement
    ("policy billed on billing.invoices",
     "comment is none in the database, 'Invoices of a store.' in the schema",
     "COMMENT ON POLICY billed ON billing.invoices IS 'Invoices of a store.'"),
    ("policy open on stores", "comment is 'Added by hand.' in the database, none in the schema",
     "COMMENT ON POLICY open ON public.stores IS NULL"),
    ("policy own on stores",
     "comment is 'Changed by hand.' in the database, \"Owners see their shop's rows.\" in "
     "the schema",
     "COMMENT ON POLICY own ON public.stores IS 'Owners see their shop''s rows.'"),
]


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    return migrated_database(pg, tmp_path, "pcom", SCHEMA, ROWS)


def test_policy_comments_changed_by_hand_have_their_statement_as_hint(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    root, name = db
    assert_comment_drift(pg, root, name, BEHIND, EXPECTED)
