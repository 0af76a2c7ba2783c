"""A check whose expression changes is never missing, at any revision boundary,
up or down, on a table that holds rows (as a foreign key's change:
tests/revision/test_foreign_key_swap.py): after every revision a second session
inserts a row that breaks it, and PostgreSQL must refuse it."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
from migration_harness import Case, alembic, assert_matches_models
from pgcluster import PgCluster
from revision_steps import (
    assert_downgraded_never_missing,
    assert_upgraded_never_missing,
    at_first_revision,
    failed_migration,
    listed_ids,
    refused,
)

_SCHEMA = """\
database: {{name: swap}}
entities:
  Product:
    columns:
      id: {{type: bigint, primary_key: true}}
      price: {{type: integer, nullable: true}}
    checks:
      ck_products_price: "{check}"
"""

#: breaks the check before and after the change
BREAKING = "INSERT INTO products VALUES (100, -1)"


def _breaking(url: str) -> list[str]:
    """:data:`BREAKING` if a second session could write it (rolled back)."""
    return [] if refused(url, BREAKING, psycopg.errors.CheckViolation) else ["breaking row"]


def test_no_revision_boundary_leaves_a_changed_check_missing(
    pg: PgCluster, tmp_path: Path
) -> None:
    case = Case(
        "check_swap",
        {"s.yaml": _SCHEMA.format(check="price >= 0")},
        {"s.yaml": _SCHEMA.format(check="price >= 0 AND price < 1000")},
        destructive=False,
    )
    first = at_first_revision(
        pg, case, tmp_path, "INSERT INTO products VALUES (1, 5), (2, 5), (3, NULL)"
    )
    db, url = first.db, first.url
    assert_upgraded_never_missing(pg, first, lambda: _breaking(url))
    assert refused(url, "INSERT INTO products VALUES (101, 5000)", psycopg.errors.CheckViolation)
    assert_downgraded_never_missing(pg, first, lambda: _breaking(url))
    assert pg.sql("SELECT count(*) FROM products", db).strip() == "3"


def test_a_check_s_validate_that_rows_break_names_the_check_and_a_query(
    pg: PgCluster, tmp_path: Path
) -> None:
    """As a foreign key's (test_foreign_key_validate_failures): PostgreSQL's "is
    violated by some row" names no row; the revision's error gives a query for them."""
    case = Case(
        "check_validate",
        {"s.yaml": _SCHEMA.format(check="price >= 0")},
        {"s.yaml": _SCHEMA.format(check="price >= 0 AND price < 1000")},
        destructive=False,
    )
    rows = "INSERT INTO products VALUES (1, 5), (2, 5000), (3, NULL), (4, 7000)"
    first = at_first_revision(pg, case, tmp_path, rows)
    root, db, url = first.root, first.db, first.url
    failure = failed_migration(root, url)
    error = str(failure)
    assert (
        "cannot validate check ck_products_price on products: rows break "
        "(price >= 0 AND price < 1000)"
    ) in error, error
    assert "change or delete those rows, then run the same alembic command again" in error
    assert re.search(r'check constraint "ck_products_price" of relation "products" is violated',
                     error), error
    assert listed_ids(pg, db, error) == "2,4"
    assert isinstance(failure.orig, psycopg.errors.CheckViolation)
    pg.sql("UPDATE products SET price = 999 WHERE price >= 1000", db)
    alembic(root, url, "upgrade", "head")
    assert_matches_models(pg, db, first.models_after, [], "upgrade")
