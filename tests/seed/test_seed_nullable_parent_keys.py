"""A foreign key referencing nullable unique columns takes only parent rows whose
referenced columns all hold a value: a NOT NULL key given a parent's NULL is refused
by PostgreSQL, and a nullable one would be NULL more often than its share."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.refusals import SeedError
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: shop}
entities:
  Store:
    columns:
      id: {type: integer, primary_key: true}
      code: {type: varchar, length: 12, nullable: true, unique: true}
      region: {type: varchar, length: 12, nullable: true}
      branch: {type: integer, nullable: true}
    unique:
      uq_stores_region_branch: [region, branch]
  Shelf:
    table: shelves
    columns:
      id: {type: integer, primary_key: true}
      store_code: {type: varchar, length: 12, references: Store.code, back_populates: shelves}
      other_code: {type: varchar, length: 12, nullable: true, references: Store.code,
                   back_populates: other_shelves}
      region: {type: varchar, length: 12}
      branch: {type: integer}
    foreign_keys:
      fk_shelves_region_branch:
        columns: [region, branch]
        references: Store
        ref_columns: [region, branch]
"""

#: stores held first: NULL codes, a NULL half of the composite key, repeated regions
STORES = (
    "INSERT INTO stores VALUES (1, NULL, 'north', NULL), (2, 'a', 'north', 1), "
    "(3, NULL, NULL, 2), (4, 'b', 'north', 2), (5, NULL, 'south', NULL)"
)


def test_keys_referencing_nullable_columns_pick_parents_holding_values(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(STORES)
        conn.execute(
            "INSERT INTO shelves VALUES (1, 'a', NULL, 'north', 1), (2, 'a', 'a', 'north', 1)"
        )
        conn.commit()
        seed_connection(conn, schema, rows_per={"stores": 0, "shelves": 300}, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(DISTINCT store_code), count(other_code), "
            "count(DISTINCT (region, branch)) FROM shelves"
        ).fetchone()
        assert row is not None
        total, codes, others, pairs = row
        assert (total, codes, pairs) == (302, 2, 2)  # 'a' and 'b'; (north, 1), (north, 2)
        assert 0.6 * 302 < others < 0.95 * 302  # NULL in its share of rows only


def test_no_parent_holding_a_value_is_said(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute("INSERT INTO stores VALUES (1, NULL, 'north', 1), (2, NULL, NULL, NULL)")
        conn.commit()
        with pytest.raises(SeedError) as info:
            seed_connection(conn, schema, rows_per={"stores": 0, "shelves": 10}, append=True)
        message = str(info.value)
        assert "cannot seed shelves" in message and "(code)" in message, message
        assert conn.execute("SELECT count(*) FROM shelves").fetchone() == (0,)
