"""Seeding twice on one connection: the second run failed with 'relation
"seed_new_people" already exists', as seed left its temporary tables (the rows it
inserted, for a deferred key's UPDATE, and the numbered copies of the referenced
keys) in the session. They are now dropped when the seed's transaction commits."""

from __future__ import annotations

from pathlib import Path

from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: shop}
entities:
  Person:
    table: people
    columns:
      id: {type: integer, primary_key: true}
      name: {type: text, nullable: true}
      manager_id: {references: Person, nullable: true, back_populates: reports}
  Note:
    table: notes
    columns:
      id: {type: integer, primary_key: true}
      person_id: {references: Person, back_populates: notes}
"""


def test_seed_twice_on_one_connection(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.commit()
        seed_connection(conn, schema, rows_per={"people": 40, "notes": 60}, seed=1)
        temporary = (
            "SELECT count(*) FROM pg_class WHERE relpersistence = 't' "
            "AND relnamespace = pg_my_temp_schema()"
        )
        assert conn.execute(temporary).fetchone() == (0,)  # type: ignore[arg-type]
        conn.rollback()
        # the second run on the same session, over the first one's rows (NULL
        # managers and names among them)
        seed_connection(conn, schema, rows_per={"people": 40, "notes": 60}, seed=2, append=True)
        assert conn.execute(temporary).fetchone() == (0,)  # type: ignore[arg-type]
        conn.rollback()
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT (SELECT count(*) FROM people), (SELECT count(*) FROM notes), "
            "(SELECT count(*) - count(manager_id) > 0 FROM people)"
        ).fetchone()
        assert row == (80, 120, True)
