"""``check --database`` on the comments of tables and columns: migrations write each
entity's and column's ``description`` as its comment, so at head ``alembic upgrade
head`` changes no comment, and a comment changed, added or removed by hand is drift
whose hint is the statement that puts the declared text back (``COMMENT ON TABLE`` /
``COLUMN ... IS '...'``) or removes the extra one (``IS NULL``), as a view's,
function's or trigger's comment is; text output shows it, not only the general
hint (a migration cannot be the way)."""

from __future__ import annotations

from pathlib import Path

import pytest
from comment_drift import assert_comment_drift
from migration_harness import migrated_database
from pgcluster import PgCluster

SCHEMA = """
database: {name: tcom}
entities:
  Store:
    description: A shop of the chain.
    columns:
      id: {type: bigint, primary_key: true}
      name: {type: string, length: 60, nullable: true, description: "The shop's sign."}
      city: {type: string, length: 40, nullable: true}
  Invoice:
    schema: billing
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {type: bigint, nullable: true, description: Who sold it.}
      note: {type: text, nullable: true}
"""

ROWS = (
    # NULLs and duplicates in the described columns
    "INSERT INTO stores SELECT n, CASE WHEN n % 5 = 0 THEN NULL ELSE 'store ' || n % 7 END, "
    "CASE WHEN n % 4 = 0 THEN NULL ELSE 'city ' || n % 3 END FROM generate_series(1, 70) n;"
    "INSERT INTO billing.invoices SELECT n, NULLIF(n % 6, 0), 'same' FROM generate_series(1, 30) n"
)

BEHIND = (
    "COMMENT ON TABLE stores IS 'Changed by hand.'",
    "COMMENT ON TABLE billing.invoices IS 'Added by hand.'",
    "COMMENT ON COLUMN stores.name IS NULL",
    "COMMENT ON COLUMN stores.city IS 'Added by hand.'",
    "COMMENT ON COLUMN billing.invoices.store_id IS 'Changed by hand.'",
)

EXPECTED = [  # object, message, the hint's statement
    ("column billing.invoices.store_id",
     "comment is 'Changed by hand.' in the database, 'Who sold it.' in the schema",
     "COMMENT ON COLUMN billing.invoices.store_id IS 'Who sold it.'"),
    ("table billing.invoices", "comment is 'Added by hand.' in the database, none in the schema",
     "COMMENT ON TABLE billing.invoices IS NULL"),
    ("column stores.city", "comment is 'Added by hand.' in the database, none in the schema",
     "COMMENT ON COLUMN public.stores.city IS NULL"),
    ("column stores.name", "comment is none in the database, \"The shop's sign.\" in the schema",
     "COMMENT ON COLUMN public.stores.name IS 'The shop''s sign.'"),
    ("table stores",
     "comment is 'Changed by hand.' in the database, 'A shop of the chain.' in the schema",
     "COMMENT ON TABLE public.stores IS 'A shop of the chain.'"),
]


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    return migrated_database(pg, tmp_path, "tcom", SCHEMA, ROWS)


def test_comments_changed_by_hand_have_their_statement_as_hint(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    root, name = db
    assert_comment_drift(pg, root, name, BEHIND, EXPECTED)
