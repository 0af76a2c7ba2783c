"""A foreign key filled after the insert (a self-reference, a cycle) took the default
skew whatever its column declared (``seed: {skew: 1}``): deferred.deferred_update
drew its parents with DEFAULT_FK_SKEW, so a tree meant to spread its children
evenly piled a third of them on the first tenth of the parents. It now takes the
key's first column's skew, as a key filled in the insert does."""

from __future__ import annotations

from pathlib import Path

from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: shop}
entities:
  Category:
    table: categories
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 60}
      parent_id: {references: Category, nullable: true, seed: {skew: SKEW}}
"""


def first_tenth_share(pg: PgCluster, pg_db: str, root: Path, skew: str) -> float:
    write_schema(root, {"schema.yaml": SCHEMA.replace("SKEW", skew)})
    schema = project_schema(root)
    with created(pg, pg_db, root) as conn:
        conn.execute(  # rows there: a NULL parent, a name twice
            "INSERT INTO categories (name, parent_id) VALUES ('a', NULL), ('a', 1), ('b', 1)"
        )
        conn.commit()
        seed_connection(conn, schema, rows=4000, seed=2, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(parent_id), count(*) FILTER (WHERE parent_id <= 400) FROM categories"
            " WHERE id > 3"
        ).fetchone()
        conn.execute("DROP TABLE categories")
        conn.commit()
    assert row is not None and row[0] > 0
    return float(row[1]) / row[0]


def test_deferred_key_takes_its_declared_skew(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    # the first tenth of the parents (ids 1 to 400 of 4,003): u^skew < 1/10
    even = first_tenth_share(pg, pg_db, tmp_path / "even", "1")
    steep = first_tenth_share(pg, pg_db, tmp_path / "steep", "6")
    assert 0.07 < even < 0.13  # 1/10
    assert 0.62 < steep < 0.74  # (1/10)^(1/6) = 0.68
