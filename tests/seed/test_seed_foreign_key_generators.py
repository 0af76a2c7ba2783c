"""A value generator on a foreign-key column (``seed: {sql: ...}``) is used: seed
picked a parent for every such column whatever it said, while ``_rules`` let the
generator answer for the checks naming the column, so a check that seed cannot
meet by itself still failed at insert, with the generator the message asked for in
place (AdventureWorks for PostgreSQL's bill of materials: no assembly on level 0)."""

from __future__ import annotations

from pathlib import Path

from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

PARTS = """
database: {name: works}
entities:
  Part:
    columns:
      id: {type: integer, primary_key: true}
      label: {type: text}
  Component:
    columns:
      id: {type: integer, primary_key: true}
      assembly_id: {references: Part, nullable: true, back_populates: assemblies,
                    seed: {sql: "NULL::integer"}}
      part_id: {references: Part, back_populates: uses, seed: {sql: "1 + n % 2"}}
      level: {type: smallint, seed: {sql: "0"}}
    checks:
      component_level: "assembly_id IS NULL AND level = 0 OR assembly_id IS NOT NULL AND level >= 1"
"""


def test_generators_on_foreign_key_columns_are_used(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": PARTS})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        seed_connection(conn, schema, rows=300)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(assembly_id), array_agg(DISTINCT part_id ORDER BY part_id),"
            " (SELECT count(*) FROM parts) FROM components"
        ).fetchone()
    assert row == (300, 0, [1, 2], 3)
