"""An OR check naming key columns was refused ('no branch of the OR is left by the
other checks and keys'): a foreign key's values are its parent's, and a unique
key's carrier is made from the row number, so no branch could be drawn for them.
Now an OR naming one foreign key's columns alone (also ANDed with other parts of
its check) picks the parent's keys it takes (see test_seed_key_checks), and an OR
asking values of a unique column keeps one branch on every row, whose values stay
distinct."""

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
  Region:
    columns:
      id: {type: integer, primary_key: true}
      note: {type: text, nullable: true}
  Store:
    columns:
      id: {type: integer, primary_key: true}
      region_id: {references: Region, back_populates: stores}
      code: {type: string, length: 10, unique: true}
      label: {type: text, nullable: true}
    checks:
      stores_region_ends: "%(ends)s"
      stores_region_not_five: "(region_id <= 4 OR region_id >= 6) AND code <> ''"
      stores_code_ab: "code LIKE 'A%%' OR code LIKE 'B%%'"
"""

#: Rows there: NULL and repeated notes and labels; codes seed's own shape might make.
THERE = (
    "INSERT INTO regions (note) VALUES (NULL), ('x'), ('x'), (NULL);"
    "INSERT INTO stores (region_id, code, label) VALUES (1, 'A1', NULL), (4, 'B7', 'y'),"
    " (4, 'A3', 'y')"
)


def test_or_checks_on_key_columns_are_met(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA % {"ends": "region_id < 2 OR region_id > 3"}})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(THERE)
        conn.commit()
        rows = {"regions": 2, "stores": 200}
        seed_connection(conn, schema, rows_per=rows, seed=3, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(DISTINCT code), array_agg(DISTINCT region_id ORDER BY"
            " region_id), count(*) FILTER (WHERE code LIKE 'A%' OR code LIKE 'B%'),"
            " (SELECT count(*) FROM regions) FROM stores"
        ).fetchone()
    assert row == (203, 203, [1, 4, 6], 203, 6)


def test_an_or_no_parent_key_takes_is_refused_naming_it(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA % {"ends": "region_id = 0 OR region_id > 100"}})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(THERE.split(";")[0])
        conn.commit()
        with pytest.raises(SeedError) as caught:
            seed_connection(conn, schema, rows_per={"regions": 2, "stores": 20}, append=True)
        assert conn.execute(
            "SELECT (SELECT count(*) FROM regions), (SELECT count(*) FROM stores)"
        ).fetchone() == (4, 0)
    assert (
        "cannot seed stores: regions has no rows holding (id) that checks "
        "stores_region_ends (region_id = 0 OR region_id > 100) and stores_region_not_five "
        "(region_id <= 4 OR region_id >= 6) take, to reference by "
        "fk_stores_region_id_regions, and the 2 it would seed are numbered 5 to 6 by "
        "regions_id_seq: refused before any row is written; give regions.id keys the "
        "checks take (a value "
        "generator, e.g. under entities.Region.columns.id:"
    ) in str(caught.value)
