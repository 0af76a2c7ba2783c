"""``manager_id <> id`` on a self-referencing key: seed refused it ('`<>` between two
columns that are not two foreign keys to one table'), though the key is filled after
the rows (deferred) and can take another row's id; a row picking itself failed the
UPDATE. The deferred UPDATE now takes the
next row of the parent's keys where the one picked is the row itself."""

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
      manager_id: {references: Person, nullable: true, back_populates: reports,
                   seed: {nulls: 0}}
    checks:
      not_own_manager: "manager_id <> id"
"""


def test_a_row_never_references_itself(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.commit()
        # a few rows into the empty table, seed after seed: the pick favours the first
        # rows, so the first row often picks itself
        for seed in range(10):
            conn.execute("TRUNCATE people")
            conn.commit()
            seed_connection(conn, schema, rows_per={"people": 5}, seed=seed)
            assert violations(conn, schema) == [], seed
        # and many more over the rows there (NULL and repeated names among them)
        seed_connection(conn, schema, rows_per={"people": 300}, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(manager_id), count(*) FILTER (WHERE manager_id = id),"
            " count(*) - count(name) > 0, count(name) > count(DISTINCT name) FROM people"
        ).fetchone()
        assert row == (305, 305, 0, True, True)  # every row has a manager, none itself
