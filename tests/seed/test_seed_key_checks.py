"""A check on a foreign-key column is met by the parent's keys seed picks from: seed
took any of the parent's rows, so a check such as ``region_id > 2`` or
``region_code IN ('DE', 'FR')`` on the key failed at insert with PostgreSQL's own
message (naming neither the foreign key nor what to do). Now a key picks among the
parent's rows whose keys the checks naming only its columns take; where none do,
seed refuses in its own words, naming the check, the key and the value generators
that would help, nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
from click.testing import CliRunner
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.cli import main
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: shop}
entities:
  Region:
    columns:
      id: {type: integer, primary_key: true}
      code: {type: string, length: 2, unique: true}
      note: {type: text, nullable: true}
  Store:
    columns:
      id: {type: integer, primary_key: true}
      region_id: {references: Region, back_populates: stores}
      region_code: {type: string, length: 2, nullable: true}
    foreign_keys:
      fk_stores_region_code: {columns: [region_code], references: Region, ref_columns: [code]}
    checks:
      stores_region_past_two: "region_id > %(low)s"
      stores_region_code_listed: "region_code IS NULL OR region_code IN ('DE', 'FR', 'IT')"
"""

#: Regions there: NULL and repeated notes; DE is id 2, FR id 3, the rest none the list takes.
THERE = (
    "INSERT INTO regions (code, note) VALUES ('AT', NULL), ('DE', 'x'), ('FR', 'x'), "
    "('NL', NULL)"
)


def _counts(conn: psycopg.Connection[Any]) -> tuple[int, int]:
    row = conn.execute(
        "SELECT (SELECT count(*) FROM regions), (SELECT count(*) FROM stores)"
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def test_a_key_takes_only_the_parent_keys_its_checks_take(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA % {"low": 2}})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(THERE)
        conn.commit()
    url = pg.url(pg_db)
    result = CliRunner().invoke(
        main, ["seed", "--project", str(tmp_path), "--database", url, "--append",
               "--seed", "5", "--rows-per", "regions=0", "--rows-per", "stores=300"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with psycopg.connect(pg.libpq_url(pg_db)) as conn:
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), array_agg(DISTINCT region_id ORDER BY region_id), "
            "array_agg(DISTINCT region_code ORDER BY region_code), count(region_code) "
            "FROM stores"
        ).fetchone()
    assert row is not None
    total, ids, codes, valued = row
    assert total == 300 and ids == [3, 4]
    assert codes == ["DE", "FR", None] and 0 < valued < 300


def test_a_key_no_parent_key_of_satisfies_is_refused_in_seeds_words(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA % {"low": 1000}})
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(THERE)
        conn.commit()
    url = pg.url(pg_db)
    result = CliRunner().invoke(
        main, ["seed", "--project", str(tmp_path), "--database", url, "--append",
               "--seed", "5", "--rows-per", "regions=6", "--rows-per", "stores=300"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert (
        "cannot seed stores: regions has no rows holding (id) that check "
        "stores_region_past_two (region_id > 1000) takes, to reference by "
        "fk_stores_region_id_regions, and the 6 it would seed are numbered 5 to 10 by "
        "regions_id_seq: refused before any row is written; give regions.id keys the "
        "check takes (a value "
        "generator, e.g. under entities.Region.columns.id: seed: "
        '{sql: "<SQL expression over n, the row number>"}) or stores.region_id a value '
        "generator that names keys regions holds, e.g. under "
        'entities.Store.columns.region_id: seed: {sql: "<SQL expression over n and r>"}'
    ) in " ".join(result.output.split())
    with psycopg.connect(pg.libpq_url(pg_db)) as conn:
        assert _counts(conn) == (4, 0)
