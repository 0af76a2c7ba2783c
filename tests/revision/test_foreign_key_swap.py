"""A foreign key whose on_delete, on_update or match changes is never missing,
at any revision boundary, up or down, on a table that holds rows.

Each revision of a change commits on its own, and ``alembic upgrade head`` may
stop between them (a failure, a lock timeout, a deploy that runs them apart).
Any other session writes meanwhile. So after every revision a second session
inserts an orphan (and a half-NULL key where the key is MATCH FULL on either
side): PostgreSQL must refuse it, and the next revision's VALIDATE must then
find nothing to fail on.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from migration_harness import (
    Case,
    alembic,
    assert_matches_models,
    generate,
    revisions,
    schemagen,
    scratch_database,
)
from pgcluster import PgCluster
from revision_steps import accepted_at_each_step, refused

_SCHEMA = """\
database:
  name: swap
entities:
  Unit:
    primary_key: [property_id, unit_no]
    columns:
      property_id: {{type: bigint, primary_key: true}}
      unit_no: {{type: integer, primary_key: true}}
  Store:
    columns:
      id: {{type: bigint, primary_key: true}}
  Booking:
    columns:
      id: {{type: bigint, primary_key: true}}
      store_id: {{references: Store, nullable: true{on_delete}}}
      property_id: {{type: bigint, nullable: true}}
      unit_no: {{type: integer, nullable: true}}
    foreign_keys:
      fk_bookings_unit:
        columns: [property_id, unit_no]
        references: Unit{match}
"""

ROWS = (
    "INSERT INTO units VALUES (1, 1), (1, 2); INSERT INTO stores VALUES (1), (2);"
    "INSERT INTO bookings VALUES (1, 1, 1, 1), (2, 1, 1, 1), (3, NULL, NULL, NULL),"
    " (4, 2, 1, 2)"
)

#: (what, INSERT of a row that breaks the key): each must be refused.
ORPHANS = (
    ("orphan store", "INSERT INTO bookings VALUES (100, 99, NULL, NULL)"),
    ("orphan unit", "INSERT INTO bookings VALUES (101, 1, 7, 7)"),
)
HALF_NULL = ("half-NULL unit", "INSERT INTO bookings VALUES (102, 1, 1, NULL)")


def _case(name: str, *, on_delete: tuple[str, str], match: tuple[str, str]) -> Case:
    def side(i: int) -> dict[str, str]:
        delete = f", on_delete: {on_delete[i]}" if on_delete[i] else ""
        full = f"\n        match: {match[i]}" if match[i] else ""
        return {"schema.yaml": _SCHEMA.format(on_delete=delete, match=full)}

    return Case(name, side(0), side(1), destructive=False)


def _accepted_at_each_step(
    root: Path, url: str, steps: list[str], action: str, breaking: list[tuple[str, str]]
) -> list[str]:
    """``alembic action`` to each of ``steps`` in turn; after each, the rows of
    ``breaking`` that a second session could insert (each must be refused)."""
    def accepted() -> list[str]:
        error = psycopg.errors.ForeignKeyViolation
        return [what for what, sql in breaking if not refused(url, sql, error)]

    return accepted_at_each_step(root, url, steps, action, accepted)


@pytest.mark.parametrize(
    ("on_delete", "match", "full_side"),
    [
        (("cascade", "restrict"), ("", "full"), 1),  # upgrade to MATCH FULL
        (("", "set null"), ("full", "simple"), 0),  # downgrade to MATCH FULL
    ],
    ids=["to_match_full", "from_match_full"],
)
def test_no_revision_boundary_leaves_a_changed_key_missing(
    pg: PgCluster,
    tmp_path: Path,
    on_delete: tuple[str, str],
    match: tuple[str, str],
    full_side: int,
) -> None:
    case = _case("fk_swap", on_delete=on_delete, match=match)
    root = tmp_path / "project"
    models_before, models_after = generate(case, root)
    db = scratch_database(pg, "mig")
    url = pg.url(db)
    alembic(root, url, "upgrade", "000")
    pg.sql(ROWS, db)
    heads = [p.name.split("_", 1)[0] for p in revisions(root)]
    up_breaking = [*ORPHANS, HALF_NULL] if full_side == 1 else list(ORPHANS)
    down_breaking = [*ORPHANS, HALF_NULL] if full_side == 0 else list(ORPHANS)

    accepted = _accepted_at_each_step(root, url, heads[1:], "upgrade", up_breaking)
    assert accepted == [], accepted
    assert_matches_models(pg, db, models_after, [], "upgrade")
    assert pg.sql("SELECT count(*) FROM bookings", db).strip() == "4"
    out = schemagen(root, "check", "--database", url)
    assert out.startswith("check OK"), out

    accepted = _accepted_at_each_step(
        root, url, list(reversed(heads[:-1])), "downgrade", down_breaking
    )
    assert accepted == [], accepted
    assert_matches_models(pg, db, models_before, [], "downgrade")
    assert pg.sql("SELECT count(*) FROM bookings", db).strip() == "4"


RENAME_BEFORE = """\
database: {name: swap}
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      shop_id: {references: Store, nullable: true, on_delete: cascade}
"""
RENAME_AFTER = """\
database: {name: swap}
entities:
  Shop:
    renamed_from: Store
    columns:
      id: {type: bigint, primary_key: true}
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {references: Shop, nullable: true, on_delete: restrict, renamed_from: shop_id}
"""


def test_a_key_renamed_with_its_table_and_column_and_changed_is_never_missing(
    pg: PgCluster, tmp_path: Path
) -> None:
    """fk_products_shop_id_stores becomes fk_products_store_id_shops (its name follows
    the renames) and RESTRICT: one swap under the new name, after the renames."""
    case = Case("fk_renamed_swap", {"s.yaml": RENAME_BEFORE}, {"s.yaml": RENAME_AFTER},
                destructive=False)
    root = tmp_path / "project"
    models_before, models_after = generate(case, root)
    db = scratch_database(pg, "mig")
    url = pg.url(db)
    alembic(root, url, "upgrade", "000")
    pg.sql("INSERT INTO stores VALUES (1); INSERT INTO products VALUES (1, 1), (2, 1), (3, NULL)",
           db)
    heads = [p.name.split("_", 1)[0] for p in revisions(root)]
    orphan = [("orphan", "INSERT INTO products VALUES (100, 99)")]
    assert _accepted_at_each_step(root, url, heads[1:], "upgrade", orphan) == []
    assert_matches_models(pg, db, models_after, [], "upgrade")
    assert pg.sql(
        "SELECT string_agg(conname || ' ' || confdeltype::text, ',') FROM pg_constraint "
        "WHERE contype = 'f'", db
    ).strip() == "fk_products_store_id_shops r"
    out = schemagen(root, "check", "--database", url)
    assert out.startswith("check OK"), out
    down = list(reversed(heads[:-1]))
    assert _accepted_at_each_step(root, url, down, "downgrade", orphan) == []
    assert_matches_models(pg, db, models_before, [], "downgrade")
    assert pg.sql("SELECT count(*) FROM products", db).strip() == "3"
